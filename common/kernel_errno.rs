// SPDX-License-Identifier: GPL-2.0

//! The kernel's errors for the uAPI errno names of [`crate::uapi::Errno`]
//! (the numbers differ between architectures, so the pure logic keeps
//! names).  Kernel-side only: compiled into the modules, not the host crate.

use crate::uapi::Errno;
use kernel::prelude::*;

/// The kernel's error for `e`.
pub fn to_error(e: Errno) -> Error {
    match e {
        Errno::EPERM => EPERM,
        Errno::ENODEV => ENODEV,
        Errno::EFAULT => EFAULT,
        Errno::E2BIG => E2BIG,
        Errno::ENOMEM => ENOMEM,
        Errno::EINVAL => EINVAL,
        Errno::ENOTTY => ENOTTY,
        Errno::EBADMSG => EBADMSG,
        Errno::EMSGSIZE => EMSGSIZE,
        Errno::EOPNOTSUPP => EOPNOTSUPP,
    }
}
