# Unit tests (doctest, linked against the static library) and the helper programs that the
# command-line tests start.
UNIT_SRCS   := $(wildcard tests/unit/*.cc)
UNIT_OBJS   := $(UNIT_SRCS:%.cc=$(B)/%.o)
UNIT_TESTS  := $(B)/tests/unit-tests
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPERS     := $(HELPER_SRCS:tests/helpers/%.c=$(B)/tests/helpers/%)
# LD_PRELOAD libraries that stop a tool at a chosen call; never sanitized, since they are
# loaded into plain and sanitized tools alike.
PRELOAD_SRCS := $(wildcard tests/preload/*.c)
PRELOADS     := $(PRELOAD_SRCS:tests/preload/%.c=$(B)/tests/preload/%.so)

tests: $(UNIT_TESTS) $(HELPERS) $(PRELOADS)

$(UNIT_TESTS): $(UNIT_OBJS) $(COMMON_LIB) $(LIB_STATIC)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(COMMON_LIB) $(LIB_STATIC) $(PKG_LIBS)

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
