# SPDX-License-Identifier: GPL-2.0
#
# fwctl-rs: the Linux fwctl subsystem in Rust, as out-of-tree modules.
#
#   make                 build the modules against the cached test kernel
#   make KDIR=/path      build them against any Rust-enabled kernel tree
#   make check           host tests + kernel + modules + kselftests in a guest
#   make demo            boot the guest with an emulated CXL device and show fwctl
#   make bench           the Rust core against upstream's C core, in one guest boot
#   make guest CMD=...   run CMD as root in the test guest (APPEND=, NOCXL=1)
#   make setup           install the toolchain and fetch the kernel source
#   make kernel          build the cached test kernel
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
# The test kernel is built with LLVM 19 (KASAN with Rust needs clang).
LLVM    ?= -19

# The test kernel's build directory is keyed by kernel version and by the
# hash of the config fragment, so changing either builds a new one.
FRAGMENT  := $(CURDIR)/kernel/fwctl-rs.config
KBUILDDIR  = $(shell scripts/build-kernel.sh --print-dir)
ifeq ($(origin KDIR),undefined)
KDIR       = $(KBUILDDIR)
OWN_KERNEL = 1
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) RUSTC=$(RUSTC) BINDGEN=$(BINDGEN)

.PHONY: all modules test-modules clean setup kernel guest check demo bench host-test clippy rustfmt rustfmtcheck uapi-check tool

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

# Test-only drivers (never installed): the C loopback driver that proves the
# C ABI, and the Rust one that proves the safe Rust driver API.
test-modules: modules
	$(MAKE) -C tools/testing/fwctl_test KDIR=$(KDIR)
	$(MAKE) -C tools/testing/fwctl_rust_test KDIR=$(KDIR)

# Clippy with the kernel's lints, warnings as errors.
clippy: $(if $(OWN_KERNEL),kernel)
	$(KMAKE) CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver KRUSTFLAGS=-Dwarnings modules
	$(MAKE) -C tools/testing/fwctl_rust_test KDIR=$(KDIR) CLIPPY=1 \
		CLIPPY_DRIVER=/usr/bin/clippy-driver KRUSTFLAGS=-Dwarnings

# rustfmt with the kernel's configuration, on every crate root of the
# project (modules follow from there); rustfmtcheck only reports.
RUST_ROOTS := core/fwctl_core.rs cxl/fwctl_cxl.rs mlx5/fwctl_mlx5.rs \
	tools/testing/fwctl_rust_test/fwctl_rust_test.rs crates/fwctl-logic/src/lib.rs \
	crates/fwctl-tool/src/lib.rs crates/fwctl-tool/src/main.rs
RUSTFMT = rustfmt --edition 2021 --config-path $(KSRC)/.rustfmt.toml
rustfmt:
	$(RUSTFMT) $(RUST_ROOTS)
rustfmtcheck:
	$(RUSTFMT) --check $(RUST_ROOTS)

clean:
	$(KMAKE) clean
	$(MAKE) -C tools/testing/fwctl_test clean
	$(MAKE) -C tools/testing/fwctl_rust_test clean
	$(MAKE) -C tools/testing/selftests/fwctl clean
	$(MAKE) -C tools/testing/fwctl_bench clean
	cargo clean

# The uAPI headers' layouts, asserted by a C compiler (sizes and offsets).
uapi-check:
	$(CC) -fsyntax-only -Wall -Werror -I uapi uapi/layout_check.c

host-test: setup
	cargo test --workspace

guest: modules
	@scripts/guest.sh $(if $(APPEND),--append "$(APPEND)") $(if $(NOCXL),--no-cxl) -- "$(CMD)"

check: setup
	@scripts/check.sh

# The fwctl command-line tool (crates/fwctl-tool), for the host and guest.
tool: setup
	cargo build -q -p fwctl-tool

demo: modules tool
	@scripts/demo.sh

# The Rust core against upstream's C core (built from the kernel tree at
# bench time, never shipped), in one guest boot; results under out/bench/.
bench: modules test-modules
	@KDIR=$(KDIR) scripts/bench.sh
