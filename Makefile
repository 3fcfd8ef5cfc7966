# SPDX-License-Identifier: GPL-2.0
#
# fwctl-rs: the Linux fwctl subsystem in Rust, as out-of-tree modules.
#
#   make                 build the modules against the cached test kernel
#   make KDIR=/path      build them against any Rust-enabled kernel tree
#   make check           host tests + kernel + modules + kselftests in a guest
#   make stress          the long fuzz, hot-unplug and leak run in a guest
#                        (FLAVOUR=distro: ten times longer, production kernel)
#   make demo            boot the guest with an emulated CXL device and show fwctl
#   make bench           the Rust core against upstream's C core, in one guest boot
#                        (the distro flavour unless FLAVOUR is given)
#   make api-compat      the Rust drivers built against the kernel's own
#                        kernel::fwctl and run on upstream's built-in C core
#                        (a kernel flavour of its own, apicompat)
#   make guest CMD=...   run CMD as root in the test guest (APPEND=, NOCXL=1)
#   make setup           install the toolchain and fetch the kernel source
#   make kernel          build the cached test kernel
#   make print-kdir      print its build folder
#
# FLAVOUR= picks the test kernel (make kernel|guest|modules|print-kdir ...):
#   debug (default)      clang, KASAN, lockdep, kmemleak, upstream's fwctl out
#   distro               as distributions build: GCC, MODVERSIONS, signed
#                        modules, upstream's fwctl and importers as modules
#   apicompat            distro with upstream's fwctl built in and the
#                        kernel's Rust fwctl API (make api-compat)
#   make tool            build the fwctl tool, its man pages and completions
#   make install         install modules, uAPI headers, tool (DESTDIR=, KDIR=)
#   make uninstall       remove exactly what make install put there
#
# The kernel's own build system reads the Kbuild file beside this one.

CACHE   ?= $(or $(FWCTL_CACHE),$(HOME)/.cache/fwctl-rs)
KSRC    ?= $(CACHE)/src/linux-source-7.3
TOOLS   := $(CACHE)/tools
# The kernel's make must use Debian's rustc (the one with the core library's
# source), bindgen 0.72.1 and libclang 19, whatever else is first in PATH.
RUSTC   := /usr/bin/rustc
BINDGEN := $(TOOLS)/bin/bindgen
export LIBCLANG_PATH := /usr/lib/llvm-19/lib
# Modules are built with the compiler their kernel was built with: LLVM 19
# for a clang-built kernel such as the test kernel (KASAN with Rust needs
# clang), the default (GCC) otherwise, e.g. a distribution's kernel.
LLVM    ?= $(if $(shell grep -s '^CONFIG_CC_IS_CLANG=y' $(KDIR)/.config),-19)

# The test kernel's build directory is keyed by kernel version, flavour and
# the hash of the config fragments, so changing either builds a new one.
FLAVOUR   ?= debug
export FLAVOUR
KBUILDDIR  = $(shell scripts/build-kernel.sh --print-dir)
ifeq ($(origin KDIR),undefined)
KDIR       = $(KBUILDDIR)
OWN_KERNEL = 1
endif

# CC and LD are given explicitly because DKMS adds a plain CC=clang
# LD=ld.lld to our command line for a clang-built kernel, which would
# otherwise reach the kernel's make and miss the LLVM 19 suffix.
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) RUSTC=$(RUSTC) BINDGEN=$(BINDGEN) \
	$(if $(LLVM),CC=clang$(LLVM) LD=ld.lld$(LLVM))

.PHONY: all modules test-modules clean setup kernel guest check demo bench host-test clippy rustfmt \
	rustfmtcheck uapi-check tool tool-release tool-docs install uninstall modules_install \
	clean-modules print-kdir print-man-pages stress api-compat

all: modules

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/build-kernel.sh

ifeq ($(OWN_KERNEL),1)
modules: kernel
endif
modules:
	$(KMAKE) modules
	@scripts/sign-modules.sh $(KDIR) $$(sed 's/\.o$$/.ko/' modules.order)

# Test-only modules (never installed): the C loopback driver that proves the
# C ABI, the Rust one that proves the safe Rust driver API, and the mlx5
# firmware simulator that fwctl_mlx5 is tested against.
test-modules: modules
	$(MAKE) -C tools/testing/fwctl_test KDIR=$(KDIR)
	$(MAKE) -C tools/testing/fwctl_rust_test KDIR=$(KDIR)
	$(MAKE) -C tools/testing/mlx5_sim KDIR=$(KDIR)

# Clippy with the kernel's lints, warnings as errors.  A clean pass is
# remembered in the cache under the hash of the kernel's config and every
# file the Rust modules are built from, so that an unchanged tree is not
# linted again: a clippy pass rebuilds the modules (unsigned), and the make
# modules after it rebuilds them once more.  FORCE_CLIPPY=1 lints anyway.
CLIPPY_SRCS = $(sort $(filter-out %_generated.rs,$(wildcard *.rs $(addsuffix /*.rs,fwctl_core \
		fwctl_cxl fwctl_mlx5 common crates/fwctl-uapi/src tools/testing/fwctl_rust_test))) \
	$(wildcard $(addsuffix /Kbuild,. tools/testing/fwctl_rust_test)) \
	$(wildcard fwctl_mlx5/*.h fwctl_mlx5/*.params fwctl_cxl/*.h fwctl_cxl/*.params scripts/*.mk) \
	Makefile)
clippy: $(if $(OWN_KERNEL),kernel)
	@ok=$(CACHE)/clippy/$$(cat $(KDIR)/.config $(CLIPPY_SRCS) | sha256sum | cut -d' ' -f1).ok; \
	if [ -z "$(FORCE_CLIPPY)" ] && [ -f "$$ok" ]; then \
		echo "clippy: clean before for these sources and this kernel ($$ok)"; \
	else \
		$(KMAKE) CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver KRUSTFLAGS=-Dwarnings modules && \
		$(MAKE) -C tools/testing/fwctl_rust_test KDIR=$(KDIR) CLIPPY=1 \
			CLIPPY_DRIVER=/usr/bin/clippy-driver KRUSTFLAGS=-Dwarnings && \
		mkdir -p $(CACHE)/clippy && touch "$$ok"; \
	fi

# rustfmt with the kernel's configuration, on every crate root of the
# project (modules follow from there); rustfmtcheck only reports.
RUST_ROOTS := fwctl_core.rs fwctl_cxl.rs fwctl_mlx5.rs \
	tools/testing/fwctl_rust_test/fwctl_rust_test.rs crates/fwctl-logic/src/lib.rs \
	crates/fwctl-uapi/src/lib.rs crates/fwctl-tool/src/lib.rs crates/fwctl-tool/src/main.rs \
	crates/fwctl-tool/src/gendoc.rs $(wildcard crates/fwctl-tool/examples/*.rs)
RUSTFMT = rustfmt --edition 2021 --config-path $(KSRC)/.rustfmt.toml
rustfmt:
	$(RUSTFMT) $(RUST_ROOTS)
rustfmtcheck:
	$(RUSTFMT) --check $(RUST_ROOTS)

clean: clean-modules
	rm -rf $(BUILD)
	$(MAKE) -C tools/testing/fwctl_test clean
	$(MAKE) -C tools/testing/fwctl_rust_test clean
	$(MAKE) -C tools/testing/mlx5_sim clean
	$(MAKE) -C tools/testing/selftests/fwctl clean
	$(MAKE) -C tools/testing/fwctl_bench clean
	cargo clean

# The uAPI headers' layouts, asserted by a C compiler (sizes and offsets).
uapi-check:
	$(CC) -fsyntax-only -Wall -Werror -I uapi uapi/layout_check.c

host-test: setup
	cargo test --workspace -- --include-ignored

guest: modules
	@scripts/guest.sh $(if $(APPEND),--append "$(APPEND)") $(if $(NOCXL),--no-cxl) -- "$(CMD)"

check: setup
	@scripts/check.sh

# The driver API against the kernel's (Documentation/driver-api.rst): its own
# kernel build (FLAVOUR=apicompat), its own source copy and guest boot.
api-compat: setup
	@scripts/api-compat.sh

# The long reliability run (Documentation/reliability.rst), its own guest.
# FLAVOUR=distro builds what it needs in its own tree (scripts/check-distro.sh)
# and leaves the repository's debug build alone.
stress: $(if $(filter distro,$(FLAVOUR)),setup,test-modules)
	$(if $(filter distro,$(FLAVOUR)),,$(MAKE) -C tools/testing/selftests/fwctl)
	@scripts/stress.sh

# Only the modules' build products (DKMS cleans with this).
clean-modules:
	$(KMAKE) clean

# The fwctl command-line tool (crates/fwctl-tool), for the host and guest
# (target/debug/fwctl), with its man pages and bash, zsh and fish
# completions, generated from the tool's own clap definition into
# $(BUILD)/tool/{man,completions}.
BUILD   := $(CURDIR)/build
tool: setup
	cargo build -q -p fwctl-tool
	$(MAKE) tool-docs

tool-docs:
	cargo build -q -p fwctl-tool --bin fwctl-gendoc
	rm -rf $(BUILD)/tool
	target/debug/fwctl-gendoc $(BUILD)/tool >/dev/null

# The optimized binary that make install installs.
tool-release:
	cargo build -q --release -p fwctl-tool --bin fwctl

demo: modules tool
	@scripts/demo.sh

# ---------------------------------------------------------------------------
# Installing, the way out-of-tree drivers are installed
#
#   make install [KDIR=/lib/modules/$(uname -r)/build] [DESTDIR=/stage]
#       [INSTALL_MOD_PATH=/stage] [PREFIX=/usr]
#
# The modules go through the kernel's own modules_install into
# $(INSTALL_MOD_PATH)/lib/modules/KVER/extra/ (signed there when the kernel
# signs all its modules), then depmod runs for KVER; into a staging root
# (INSTALL_MOD_PATH or DESTDIR set) depmod is left to the system that gets
# the files.  The uAPI headers go to $(PREFIX)/include/{fwctl,cxl}/, the
# tool to $(PREFIX)/bin, its man pages and completions beside.  KVER is the
# release of the kernel in KDIR (by default the cached test kernel).
# ---------------------------------------------------------------------------
DESTDIR          ?=
PREFIX           ?= /usr
BINDIR           ?= $(PREFIX)/bin
INCLUDEDIR       ?= $(PREFIX)/include
MANDIR           ?= $(PREFIX)/share/man
BASHCOMPDIR      ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR       ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR      ?= $(PREFIX)/share/fish/vendor_completions.d
INSTALL_MOD_PATH ?= $(DESTDIR)
# On a kernel whose own fwctl core is a module, ours is installed where
# DKMS puts modules, updates/, which depmod searches before the kernel's
# own kernel/: modprobe then resolves fwctl, and every in-tree importer
# (cxl_core, mlx5_fwctl, ...), to the Rust core.  Elsewhere, extra/.
INSTALL_MOD_DIR  ?= $(if $(shell grep -s '^CONFIG_FWCTL=m' $(KDIR)/.config),updates,extra)
DEPMOD           ?= depmod
KVER              = $(or $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null),\
		      $(error cannot tell the kernel release of KDIR=$(KDIR)))
MODDIR            = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
# Installing into / (or nothing) is installing for real: depmod runs.
STAGED            = $(filter-out /,$(INSTALL_MOD_PATH))

# What make install puts where (uninstall removes exactly these).
MODULES        := fwctl fwctl_cxl fwctl_mlx5
UAPI_HEADERS   := fwctl/fwctl.h fwctl/cxl.h fwctl/mlx5.h cxl/features.h
MAN_PAGES      := fwctl fwctl-list fwctl-info fwctl-rpc fwctl-cxl fwctl-cxl-features \
		  fwctl-cxl-get fwctl-cxl-set fwctl-mlx5 fwctl-mlx5-caps fwctl-mlx5-reg
INSTALLED_FILES = $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(UAPI_HEADERS)) \
		  $(DESTDIR)$(BINDIR)/fwctl \
		  $(patsubst %,$(DESTDIR)$(MANDIR)/man1/%.1,$(MAN_PAGES)) \
		  $(DESTDIR)$(BASHCOMPDIR)/fwctl $(DESTDIR)$(ZSHCOMPDIR)/_fwctl \
		  $(DESTDIR)$(FISHCOMPDIR)/fwctl.fish

install: modules_install tool-release tool-docs
	install -d $(DESTDIR)$(INCLUDEDIR)/fwctl $(DESTDIR)$(INCLUDEDIR)/cxl
	for h in $(UAPI_HEADERS); do install -m 0644 uapi/$$h $(DESTDIR)$(INCLUDEDIR)/$$h || exit; done
	install -D -m 0755 target/release/fwctl $(DESTDIR)$(BINDIR)/fwctl
	install -d $(DESTDIR)$(MANDIR)/man1
	for p in $(MAN_PAGES); do install -m 0644 $(BUILD)/tool/man/$$p.1 $(DESTDIR)$(MANDIR)/man1/ || exit; done
	install -D -m 0644 $(BUILD)/tool/completions/fwctl.bash $(DESTDIR)$(BASHCOMPDIR)/fwctl
	install -D -m 0644 $(BUILD)/tool/completions/_fwctl $(DESTDIR)$(ZSHCOMPDIR)/_fwctl
	install -D -m 0644 $(BUILD)/tool/completions/fwctl.fish $(DESTDIR)$(FISHCOMPDIR)/fwctl.fish

# The kernel's modules_install for external modules, its depmod replaced by
# ours (which also runs when KDIR has no System.map, as in distribution
# header packages).
modules_install: modules
	$(KMAKE) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		DEPMOD=true modules_install
ifeq ($(STAGED),)
	$(DEPMOD) -a $(KVER)
else
	@echo "  DEPMOD  skipped: staged into $(INSTALL_MOD_PATH); run 'depmod -a $(KVER)' on the target"
endif

# For scripts/test-install.sh.
print-kdir:
	@echo $(KDIR)
print-man-pages:
	@echo $(MAN_PAGES)

uninstall:
	rm -f $(INSTALLED_FILES)
	rm -f $(foreach m,$(MODULES),$(foreach z,.ko .ko.gz .ko.xz .ko.zst,$(MODDIR)/$(m)$(z)))
	@# Then the directories left empty, up to (not including) the roots.
	cd $(or $(DESTDIR),/) 2>/dev/null || exit 0; for d in $(patsubst /%,%,$(INCLUDEDIR)/fwctl $(INCLUDEDIR)/cxl \
		$(BINDIR) $(MANDIR)/man1 $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR)); do \
		[ ! -d "$$d" ] || rmdir -p --ignore-fail-on-non-empty "$$d"; done
	cd $(or $(INSTALL_MOD_PATH),/) 2>/dev/null || exit 0; d=lib/modules/$(KVER)/$(INSTALL_MOD_DIR); \
		[ ! -d "$$d" ] || rmdir -p --ignore-fail-on-non-empty "$$d"
ifeq ($(STAGED),)
	$(DEPMOD) -a $(KVER)
endif

# The Rust core against upstream's C core of the same kernel tree, both in
# one guest boot; results under out/bench/.  On the distro flavour (a
# production-style kernel) unless FLAVOUR is given: it builds what it needs
# in its own tree (scripts/check-distro.sh).
BENCH_FLAVOUR := $(if $(filter file,$(origin FLAVOUR)),distro,$(FLAVOUR))
bench: $(if $(filter distro,$(BENCH_FLAVOUR)),setup,test-modules)
	@FLAVOUR=$(BENCH_FLAVOUR) scripts/bench.sh
