# SPDX-License-Identifier: GPL-2.0
#
# Turn a wrapper header into Rust bindings with the same bindgen flags the
# kernel uses for its own `bindings` crate (rust/Makefile), plus the
# per-wrapper allowlist in NAME.params.
#
# The C flags bindgen sees are computed by the kernel's own recipe, taken
# from the rust/Makefile of the tree being built against: with clang they
# are the build's C flags; with GCC, the GCC-only ones libclang would
# refuse (`-fconserve-stack`, `-mrecord-mcount`, ...) are filtered out by
# that tree's `bindgen_skip_c_flags` and a `--target` is added.  The recipe
# is copied into $(obj)/.fwctl_bindgen_flags.mk at each build, so that a
# kernel with a longer list needs no change here.
#
# Usage in a Kbuild file:
#   include $(src)/scripts/bindgen.mk
#   $(obj)/foo.o: $(obj)/foo_bindings_generated.rs
#   $(eval $(call fwctl_bindings,foo_bindings))

fwctl_bindgen_flags_mk := $(obj)/.fwctl_bindgen_flags.mk
# From the `ifdef CONFIG_CC_IS_CLANG` that chooses the flags up to the
# definition of `bindgen_c_flags_final`, inclusive.
fwctl_bindgen_recipe := $(shell awk ' \
	/^ifdef CONFIG_CC_IS_CLANG$$/ { buf = $$0 "\n"; cand = 1; next } \
	cand && !on { if ($$0 ~ /^bindgen_c_flags = /) { on = 1; printf "%s", buf } else { cand = 0; buf = "" } } \
	on { print } \
	on && /^bindgen_c_flags_final = / { found = 1; exit } \
	END { exit !found }' $(srctree)/rust/Makefile > $(fwctl_bindgen_flags_mk) && echo ok)
ifneq ($(fwctl_bindgen_recipe),ok)
$(error fwctl-rs: cannot find the bindgen C flags recipe (bindgen_c_flags ... bindgen_c_flags_final) in $(srctree)/rust/Makefile)
endif
include $(fwctl_bindgen_flags_mk)

quiet_cmd_fwctl_bindgen = BINDGEN $@
      cmd_fwctl_bindgen = \
	$(BINDGEN) $< $(fwctl_bindgen_params) --rust-target 1.85 \
		--use-core --with-derive-default --ctypes-prefix ffi --no-layout-tests \
		--no-debug '.*' --enable-function-attribute-detection \
		-o $@ -- $(bindgen_c_flags_final) -DMODULE

define fwctl_bindings
targets += $(1)_generated.rs
$$(obj)/$(1)_generated.rs: private fwctl_bindgen_params = \
	$$(shell grep -Ev '^#|^$$$$' $$(src)/$(1).params)
$$(obj)/$(1)_generated.rs: $$(src)/$(1).h $$(src)/$(1).params FORCE
	$$(call if_changed_dep,fwctl_bindgen)
endef
