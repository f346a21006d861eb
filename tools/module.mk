# The four programs: thin front ends over libcapinspect and tools/common.
COMMON_SRCS := $(wildcard tools/common/*.cc)
COMMON_OBJS := $(COMMON_SRCS:%.cc=$(B)/%.o)
COMMON_LIB  := $(B)/tools/libcommon.a
TOOL_NAMES  := $(basename $(notdir $(wildcard tools/*.cc)))
TOOLS       := $(TOOL_NAMES:%=$(B)/bin/%)

$(COMMON_LIB): $(COMMON_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# Tools find the library next to them in the build tree and after `make install`.
$(B)/bin/%: $(B)/tools/%.o $(COMMON_LIB) $(LIB_SHARED)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_LDFLAGS) -Wl,-rpath,'$$ORIGIN/../lib' -o $@ $< $(COMMON_LIB) \
	  -L$(B)/lib -lcapinspect $(PKG_LIBS)
