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

# The tools link libcapinspect and the C++ runtime statically: on a quiet machine a run
# takes about 1 ms, and loading the shared libstdc++ alone doubled that
# (bench/results/pscap.md). Sanitizer builds keep the shared runtime, which ASan needs.
TOOL_RUNTIME := $(if $(SANITIZE),,-static-libstdc++ -static-libgcc)

$(B)/bin/%: $(B)/tools/%.o $(COMMON_LIB) $(LIB_STATIC)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_LDFLAGS) $(TOOL_RUNTIME) -Wl,--as-needed -o $@ $< $(COMMON_LIB) \
	  $(LIB_STATIC) $(PKG_LIBS)
