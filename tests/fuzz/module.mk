# libFuzzer targets (clang): `make fuzz` runs each for FUZZ_SECONDS with a corpus seeded
# from tests/fixtures; CI runs a short smoke. Built apart from everything else, in
# build/fuzz, with ASan and UBSan. A target that needs a part of a tool finds it in
# libtoolparts.a (FUZZ_TOOL_SRCS).
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_B       := build/fuzz
FUZZ_FLAGS   := -std=c++2b -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Ilib/include -Itools \
	-DFMT_HEADER_ONLY -DCAPINSPECT_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags libmnl libcap libsystemd 2>/dev/null)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.cc=$(FUZZ_B)/%.o)
# The parts of the programs a target reads through (netcap's exposure model, the auditor's
# unit properties, capability.conf reader, snapshot reader and diff engine), in an archive
# of their own.
FUZZ_TOOL_SRCS := tools/common/cli.cc tools/common/json.cc tools/netcap/exposure.cc \
	tools/capinspect/unit_config.cc tools/capinspect/pam_cap.cc \
	tools/capinspect/snapshot_read.cc tools/capinspect/diff.cc
FUZZ_TOOL_OBJS := $(FUZZ_TOOL_SRCS:%.cc=$(FUZZ_B)/%.o)
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.cc)
FUZZ_TARGETS := $(FUZZ_SRCS:tests/fuzz/%.cc=$(FUZZ_B)/%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: deps
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) $(SUBMAKE_FLAGS) fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS)

$(FUZZ_B)/%.o: %.cc
	$(call msg,FUZZCXX,$<)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CXX) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

# An archive, so that each target links only the modules it uses.
$(FUZZ_B)/libcapinspect.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_B)/libtoolparts.a: $(FUZZ_TOOL_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/tests/fuzz/fuzz_%.o $(FUZZ_B)/libtoolparts.a $(FUZZ_B)/libcapinspect.a
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CXX) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(shell $(PKG_CONFIG) --libs libmnl libcap libcap-ng libsystemd 2>/dev/null)

# Keep the objects between runs (make would delete them as intermediates).
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_TOOL_OBJS) $(FUZZ_SRCS:%.cc=$(FUZZ_B)/%.o)
