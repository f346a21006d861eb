# Unit tests (doctest, linked against the static library) and the helper programs that the
# command-line tests start.
UNIT_SRCS   := $(wildcard tests/unit/*.cc)
UNIT_OBJS   := $(UNIT_SRCS:%.cc=$(B)/%.o)
UNIT_TESTS  := $(B)/tests/unit-tests
# The parts of folder programs (tools/NAME/*.cc but NAME.cc, which holds main) are tested
# like the library.
TOOL_PARTS  := $(foreach t,$(TOOL_DIRS),$(filter-out tools/$(t)/$(t).cc,$(wildcard tools/$(t)/*.cc)))
TOOL_PART_OBJS := $(TOOL_PARTS:%.cc=$(B)/%.o)
TOOL_PARTS_LIB := $(B)/tests/libtoolparts.a
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPERS     := $(HELPER_SRCS:tests/helpers/%.c=$(B)/tests/helpers/%)
# LD_PRELOAD libraries that stop a tool at a chosen call; never sanitized, since they are
# loaded into plain and sanitized tools alike.
PRELOAD_SRCS := $(wildcard tests/preload/*.c)
PRELOADS     := $(PRELOAD_SRCS:tests/preload/%.c=$(B)/tests/preload/%.so)

tests: $(UNIT_TESTS) $(HELPERS) $(PRELOADS)

# An archive, so that a test links only the parts it uses.
$(TOOL_PARTS_LIB): $(TOOL_PART_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(UNIT_TESTS): $(UNIT_OBJS) $(TOOL_PARTS_LIB) $(COMMON_LIB) $(LIB_STATIC)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(TOOL_PARTS_LIB) $(COMMON_LIB) $(LIB_STATIC) $(PKG_LIBS)

# A static pattern rule: the objects are named, not intermediates that make deletes and
# then compiles again at every `make tests`.
$(HELPERS): $(B)/tests/helpers/%: $(B)/tests/helpers/%.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< -lcap -lpthread

$(B)/tests/preload/%.so: tests/preload/%.c $(B)/.flags
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CFLAGS) $(CPPFLAGS) -fPIC -shared -o $@ $< -ldl
include tests/fuzz/module.mk
