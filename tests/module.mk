# Unit tests (doctest, linked against the static library) and the helper programs that the
# command-line tests start.
UNIT_SRCS   := $(wildcard tests/unit/*.cc)
UNIT_OBJS   := $(UNIT_SRCS:%.cc=$(B)/%.o)
UNIT_TESTS  := $(B)/tests/unit-tests
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPERS     := $(HELPER_SRCS:tests/helpers/%.c=$(B)/tests/helpers/%)

tests: $(UNIT_TESTS) $(HELPERS)

$(UNIT_TESTS): $(UNIT_OBJS) $(COMMON_LIB) $(LIB_STATIC)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(COMMON_LIB) $(LIB_STATIC) $(PKG_LIBS)

$(B)/tests/helpers/%: $(B)/tests/helpers/%.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< -lcap -lpthread
include tests/fuzz/module.mk
