# The programs: thin front ends over libcapinspect and tools/common. A program is either
# one file (tools/NAME.cc) or a folder of parts (tools/NAME/*.cc), as util-linux keeps
# lsfd; tools/common/ holds only what two programs share.
COMMON_SRCS := $(wildcard tools/common/*.cc)
COMMON_OBJS := $(COMMON_SRCS:%.cc=$(B)/%.o)
COMMON_LIB  := $(B)/tools/libcommon.a
TOOL_DIRS   := $(filter-out common,$(notdir $(patsubst %/,%,$(wildcard tools/*/))))
TOOL_NAMES  := $(basename $(notdir $(wildcard tools/*.cc))) $(TOOL_DIRS)
TOOLS       := $(TOOL_NAMES:%=$(B)/bin/%)
# The sources of program NAME.
tool_srcs    = $(wildcard tools/$(1).cc tools/$(1)/*.cc)
TOOL_OBJS   := $(foreach t,$(TOOL_NAMES),$(patsubst %.cc,$(B)/%.o,$(call tool_srcs,$(t))))

$(COMMON_LIB): $(COMMON_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# The tools link libcapinspect and the C++ runtime statically: on a quiet machine a run
# takes about 1 ms, and loading the shared libstdc++ alone doubled that
# (bench/results/pscap.md). Sanitizer builds keep the shared runtime, which ASan needs.
TOOL_RUNTIME := $(if $(SANITIZE),,-static-libstdc++ -static-libgcc)

# Each program's objects are named prerequisites, never intermediates: `make install`
# after `make` finds them and links nothing again.
define tool_rule
$(B)/bin/$(1): $(patsubst %.cc,$(B)/%.o,$(call tool_srcs,$(1))) $(COMMON_LIB) $(LIB_STATIC)
	$$(call msg,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CXX) $$(ALL_LDFLAGS) $$(TOOL_RUNTIME) -Wl,--as-needed -o $$@ \
	  $(patsubst %.cc,$(B)/%.o,$(call tool_srcs,$(1))) $$(COMMON_LIB) $$(LIB_STATIC) $$(PKG_LIBS)
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_rule,$(t))))
