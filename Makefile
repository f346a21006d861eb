# capinspect: non-recursive build. `make help` lists the targets.
# Dependencies come from pkg-config; `make run` and `make check` install any that are
# missing first (scripts/deps.sh), then re-enter make so pkg-config sees them.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
# Completion directories: bash-completion's own answer, relative to PREFIX, when present.
BASHCOMPDIR ?= $(or $(shell pkg-config --define-variable=prefix=$(PREFIX) \
	--variable=completionsdir bash-completion 2>/dev/null),$(DATADIR)/bash-completion/completions)
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DESTDIR    ?=

VERSION := 0.1.0
SOVERSION := 0

CXX      ?= g++
CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS     := libcap libcap-ng fmt smartcols libmnl nlohmann_json libsystemd

# Sanitizer builds live in their own tree so that objects never mix.
B := build$(if $(SANITIZE),/san)

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 $(if $(WERROR),-Werror)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# fmt is used header-only: libfmt.so would pull the shared libstdc++ back in (see below).
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(filter-out fmt,$(PKGS)) 2>/dev/null)
SAN_FLAGS  := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)

CXXFLAGS ?= -O2 -g
CFLAGS   ?= -O2 -g
ALL_CXXFLAGS := -std=c++2b -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
	$(WARNINGS) $(SAN_FLAGS) -Ilib/include -Itools $(PKG_CFLAGS) \
	-DFMT_HEADER_ONLY -DFMT_STATIC_THOUSANDS_SEPARATOR=0 -DCAPINSPECT_VERSION='"$(VERSION)"' $(CXXFLAGS) $(CPPFLAGS)
# Unit tests find their fixtures through the source directory. `private`: the define must
# not reach $(B)/.flags, a prerequisite, which would then differ between `make tests` and
# `make` and rebuild everything each time the goal changes.
$(B)/tests/unit/%.o: private ALL_CXXFLAGS += -DCAPINSPECT_SOURCE_DIR='"$(CURDIR)"'
ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
DEPFLAGS = -MMD -MP

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

.PHONY: all run check install uninstall clean help deps tests bench FORCE
all:

# Rebuild everything when the compiler or its flags change (CXX=clang++, SANITIZE=...).
$(B)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CXX) $(CC) $(ALL_CXXFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
	  echo '$(CXX) $(CC) $(ALL_CXXFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

$(B)/%.o: %.cc $(B)/.flags
	$(call msg,CXX,$<)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(ALL_CXXFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/%.o: %.c $(B)/.flags
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

include lib/module.mk
include tools/module.mk
include tests/module.mk

all: $(LIB_SHARED) $(LIB_STATIC) $(TOOLS)

deps:
	@sh scripts/deps.sh

# `run` and `check` install missing dependencies, then build in a fresh make so that
# pkg-config answers for what was just installed. That make compiles on every CPU (JOBS)
# unless the command line chose a -j: on 2 CPUs `make all tests` takes 3.3 minutes, not 6.3.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# ($(MAKE) itself stays in each recipe: make hands its jobserver only to lines that name it.)
SUBMAKE_FLAGS = --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

run: deps
	@$(MAKE) $(SUBMAKE_FLAGS) all
	@sh scripts/report.sh $(B)/bin

check: deps
	@$(MAKE) $(SUBMAKE_FLAGS) all tests
	@SANITIZE='$(SANITIZE)' WERROR='$(WERROR)' sh tests/run.sh $(B)

# Side-by-side benchmarks against libcap-ng, getcap, ss and the floor, and capinspect's unit
# and snapshot against the tools (root; not part of check), one after the other:
# bench/results/. BENCH chooses which and in what order (make bench BENCH="pscap captest");
# each script's settings (SIZES, ROUNDS, KEEP, ...) pass through the environment, so give
# SIZES with one benchmark at a time.
BENCH ?= pscap netcap filecap captest unit snapshot
bench: deps
	@for b in $(BENCH); do \
	    case $$b in pscap|netcap|filecap|captest|unit|snapshot) ;; \
	    *) echo "make bench: unknown benchmark '$$b' (pscap netcap filecap captest unit snapshot)" >&2; exit 2 ;; esac; \
	done; \
	for b in $(BENCH); do \
	    echo "== bench/$$b.sh"; \
	    bash bench/$$b.sh || exit 1; \
	done; \
	echo "Results in bench/results/:"; \
	for b in $(BENCH); do \
	    ls bench/results/$$b.md bench/results/$$b.json bench/results/$$b*.svg 2>/dev/null | sed 's/^/  /'; \
	done; \
	echo "Summary: python3 bench/summary.py (--readme README.md refreshes README.md's tables)"

# What make install puts in place, as MODE:SOURCE:DEST or link:TARGET:DEST (final paths,
# without DESTDIR). scripts/install.sh copies them, records them in MANIFEST, and refuses
# to replace a file that belongs to a Debian package unless FORCE=1; make uninstall
# removes what MANIFEST lists and the directories install created, when empty.
MANIFEST := $(DATADIR)/capinspect/install-manifest
INSTALL_ENTRIES = \
	$(foreach t,$(TOOLS),755:$(t):$(BINDIR)/$(notdir $(t))) \
	755:$(LIB_SHARED):$(LIBDIR)/$(notdir $(LIB_SHARED)) \
	link:$(notdir $(LIB_SHARED)):$(LIBDIR)/$(LIB_SONAME) \
	link:$(LIB_SONAME):$(LIBDIR)/libcapinspect.so \
	$(foreach f,$(wildcard lib/include/capinspect/*.h),644:$(f):$(INCLUDEDIR)/capinspect/$(notdir $(f))) \
	$(foreach f,$(wildcard man/*.3),644:$(f):$(MANDIR)/man3/$(notdir $(f))) \
	$(foreach f,$(wildcard man/*.5),644:$(f):$(MANDIR)/man5/$(notdir $(f))) \
	$(foreach f,$(wildcard man/*.8),644:$(f):$(MANDIR)/man8/$(notdir $(f))) \
	$(foreach f,$(wildcard completions/bash/*),644:$(f):$(BASHCOMPDIR)/$(notdir $(f))) \
	$(foreach f,$(wildcard completions/zsh/_*),644:$(f):$(ZSHCOMPDIR)/$(notdir $(f))) \
	$(foreach f,$(wildcard completions/fish/*.fish),644:$(f):$(FISHCOMPDIR)/$(notdir $(f)))
# capinspect.pc names libdir and includedir relative to ${prefix} when they are under it,
# so that pkg-config --define-variable=prefix=DIR finds a relocated tree.
pc_dir = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))

install: all
	@pc=$$(mktemp) && trap 'rm -f "$$pc"' EXIT && \
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(call pc_dir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|; s|@VERSION@|$(VERSION)|' \
	    lib/capinspect.pc.in >"$$pc" && \
	DESTDIR='$(DESTDIR)' FORCE='$(FORCE)' sh scripts/install.sh install '$(MANIFEST)' \
	    $(INSTALL_ENTRIES) "644:$$pc:$(LIBDIR)/pkgconfig/capinspect.pc"

uninstall:
	@DESTDIR='$(DESTDIR)' FORCE='$(FORCE)' sh scripts/install.sh uninstall '$(MANIFEST)'

clean:
	rm -rf build bench/build

help:
	@echo 'Targets:'
	@echo '  all        build libcapinspect and the tools (default)'
	@echo '  run        install missing dependencies, build, print this machine'"'"'s report'
	@echo '  check      install missing dependencies, build, run every test'
	@echo '  install    install tools, library, headers, man pages, completions'
	@echo '  uninstall  remove what install put in place (its manifest lists it)'
	@echo '  clean      remove build/'
	@echo '  bench      pscap, netcap, filecap and captest side by side with libcap-ng, getcap,'
	@echo '             ss and the floor, capinspect unit against pscap (root; BENCH="pscap captest"'
	@echo '             to choose; bench/results/)'
	@echo 'Variables: PREFIX DESTDIR BINDIR LIBDIR INCLUDEDIR MANDIR BASHCOMPDIR ZSHCOMPDIR'
	@echo '           FISHCOMPDIR FORCE=1 (install over files of Debian packages) V=1 CXX=clang++'
	@echo '           SANITIZE=address,undefined WERROR=1 JOBS=N (run, check, fuzz: compilers at once)'

-include $(shell find build -name '*.d' 2>/dev/null)
