# libcapinspect: one shared object with a real SONAME, plus a static archive for the tests.
LIB_SRCS   := $(wildcard lib/src/*.cc)
LIB_OBJS   := $(LIB_SRCS:%.cc=$(B)/%.o)
LIB_SHARED := $(B)/lib/libcapinspect.so.$(VERSION)
LIB_SONAME := libcapinspect.so.$(SOVERSION)
LIB_STATIC := $(B)/lib/libcapinspect.a
LIB_LIBS   := $(shell $(PKG_CONFIG) --libs libcap libmnl 2>/dev/null)
# Exports only namespace capinspect (see the file).
LIB_MAP    := lib/libcapinspect.map

$(LIB_SHARED): $(LIB_OBJS) $(LIB_MAP)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--no-undefined -Wl,--version-script=$(LIB_MAP) \
	  $(ALL_LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_LIBS)
	$(Q)ln -sf $(notdir $@) $(B)/lib/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(B)/lib/libcapinspect.so

$(LIB_STATIC): $(LIB_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^
