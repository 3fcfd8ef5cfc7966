# SPDX-License-Identifier: GPL-2.0
# Shared locations and pinned versions; sourced by the scripts and mirrored
# by the Makefile.  Everything lives outside the repository, in a cache that
# survives between runs on the same machine.
CACHE=${FWCTL_CACHE:-$HOME/.cache/fwctl-rs}
TOOLS=$CACHE/tools
KSRC=$CACHE/src/linux-source-7.3
BINDGEN_VERSION=0.72.1
VNG_VERSION=1.42
BINDGEN=$TOOLS/bin/bindgen
VNG=$TOOLS/venv/bin/vng
RUSTC=/usr/bin/rustc
LIBCLANG_PATH=/usr/lib/llvm-19/lib
export LIBCLANG_PATH
# The test kernel is built with LLVM 19: the kernel allows KASAN together
# with Rust only when C is compiled by clang.
KLLVM=-19
