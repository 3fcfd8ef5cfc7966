# SPDX-License-Identifier: GPL-2.0
#
# Turn a wrapper header into Rust bindings with the same bindgen flags the
# kernel uses for its own `bindings` crate (rust/Makefile): the C flags of
# this very build (the test kernel is built with clang, so they are passed
# through unfiltered), plus the per-wrapper allowlist in NAME.params.
#
# Usage in a Kbuild file:
#   include $(src)/../scripts/bindgen.mk
#   $(obj)/foo.o: $(obj)/foo_bindings_generated.rs
#   $(eval $(call fwctl_bindings,foo_bindings))

quiet_cmd_fwctl_bindgen = BINDGEN $@
      cmd_fwctl_bindgen = \
	$(BINDGEN) $< $(fwctl_bindgen_params) --rust-target 1.85 \
		--use-core --with-derive-default --ctypes-prefix ffi --no-layout-tests \
		--no-debug '.*' --enable-function-attribute-detection \
		-o $@ -- $(c_flags) -fno-builtin -D__BINDGEN__ -DMODULE

define fwctl_bindings
targets += $(1)_generated.rs
$$(obj)/$(1)_generated.rs: private fwctl_bindgen_params = \
	$$(shell grep -Ev '^#|^$$$$' $$(src)/$(1).params)
$$(obj)/$(1)_generated.rs: $$(src)/$(1).h $$(src)/$(1).params FORCE
	$$(call if_changed_dep,fwctl_bindgen)
endef
