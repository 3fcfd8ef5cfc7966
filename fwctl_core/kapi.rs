// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers for the few kernel C functions the core's logic calls
//! (capabilities, lockdown, taint, the current task, user memory and the
//! request buffers).

use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::slice;
use kernel::bindings as b;
use kernel::prelude::*;
use kernel::str::BStr;
use kernel::uaccess::UserPtr;

/// Whether the caller has `CAP_SYS_RAWIO` (audited, like `capable()`).
pub(crate) fn capable_rawio() -> bool {
    // SAFETY: `capable()` checks the current task's credentials; its side
    // effects (audit, `PF_SUPERPRIV`) are the point of calling it.
    unsafe { b::capable(b::CAP_SYS_RAWIO as i32) }
}

/// Whether the kernel's lockdown forbids raw device access.
///
/// `DEBUG_WRITE_FULL` gives userspace unrestricted access to a PCI device's
/// firmware, so it is gated by the reason that gates raw PCI access
/// (config-space writes, BAR mmap): `LOCKDOWN_PCI_ACCESS`, an integrity
/// reason, refused under both `integrity` and `confidentiality`.
pub(crate) fn locked_down() -> bool {
    // SAFETY: `security_locked_down()` takes an enum value and has no other
    // preconditions; it returns 0 or a negative errno.
    unsafe { b::security_locked_down(b::lockdown_reason_LOCKDOWN_PCI_ACCESS) != 0 }
}

/// Sets `TAINT_FWCTL`.
pub(crate) fn taint_fwctl() {
    // SAFETY: `add_taint()` takes a flag number and a lockdep decision.
    unsafe { b::add_taint(b::TAINT_FWCTL, b::lockdep_ok_LOCKDEP_STILL_OK) };
}

/// The calling process, for log lines.
pub(crate) struct Caller {
    comm: [u8; 16],
    /// Thread id, as upstream's messages print it.
    pub(crate) pid: i32,
    /// Process id, for "once per process".
    pub(crate) tgid: i32,
}

impl Caller {
    /// The current task.
    pub(crate) fn current() -> Self {
        let task = kernel::current!();
        let mut comm = [0u8; 16];
        // The kernel crate's `Task` has no accessor for the command name
        // (C's `get_task_comm()` is a macro): it is read here.
        // SAFETY: `task` is the current task, alive while it runs this code.
        let raw = unsafe { (&raw const (*task.as_ptr()).comm).cast::<u8>() };
        for (i, d) in comm.iter_mut().enumerate() {
            // SAFETY: `comm` is a 16-byte array in the task; another thread
            // may rename the task concurrently, so each byte is read
            // volatile, never through a reference.  A torn name is harmless
            // for a log line.
            *d = unsafe { core::ptr::read_volatile(raw.add(i)) };
        }
        Caller {
            comm,
            pid: task.pid(),
            tgid: task.tgid(),
        }
    }

    /// The command name.
    pub(crate) fn comm(&self) -> &BStr {
        let n = self
            .comm
            .iter()
            .position(|c| *c == 0)
            .unwrap_or(self.comm.len());
        BStr::from_bytes(&self.comm[..n])
    }
}

/// `jiffies`, for rate limits.
pub(crate) fn jiffies() -> u64 {
    // SAFETY: `jiffies` is a kernel global updated by the timer; a volatile
    // read of a naturally aligned word is what `READ_ONCE(jiffies)` does.
    unsafe { core::ptr::read_volatile(&raw const b::jiffies) as u64 }
}

/// Jiffies per second.
pub(crate) const HZ: u64 = b::HZ as u64;

/// Whether `len` bytes of user memory at `addr` are all zero.
pub(crate) fn user_is_zero(addr: usize, len: usize) -> Result<bool> {
    // SAFETY: `check_zeroed_user()` validates the user range itself and
    // returns 1 (zero), 0 (non-zero) or -EFAULT.
    let r = unsafe { b::check_zeroed_user(UserPtr::from_addr(addr).as_const_ptr(), len) };
    match r {
        0 => Ok(false),
        1 => Ok(true),
        e => Err(Error::from_errno(e)),
    }
}

// The copies to and from user memory call the kernel's `_copy_to_user()`
// and `_copy_from_user()` themselves, not `UserSlice`: its reader and
// writer reach them three calls deep (`read_slice()`, `read_raw()`, the
// `copy_from_user()` helper), each with its own checks: about a fifth of a
// 16-byte RPC's instructions on a production kernel, in the profile of
// Documentation/performance.rst.  What the inline `copy_from_user()`
// adds in C, `check_copy_size()`, checks that the kernel buffer is one
// object of the size given; a Rust slice is that by construction.

/// Copies `data` to user memory at `addr`.
pub(crate) fn copy_to_user(addr: usize, data: &[u8]) -> Result {
    // SAFETY: `data` is valid for reading `data.len()` bytes;
    // `_copy_to_user()` checks the user range (`access_ok()`) and handles
    // faults, returning how many bytes it could not copy.
    let left = unsafe {
        b::_copy_to_user(
            UserPtr::from_addr(addr).as_mut_ptr(),
            data.as_ptr().cast(),
            data.len(),
        )
    };
    if left != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// Copies `out.len()` bytes of user memory at `addr` into `out`, which
/// may be uninitialised; on success every byte of it is written.
fn copy_from_user_raw(addr: usize, out: &mut [MaybeUninit<u8>]) -> Result {
    // SAFETY: `out` is valid for writing `out.len()` bytes;
    // `_copy_from_user()` checks the user range (`access_ok()`), handles
    // faults, zero-fills what it could not copy and returns its length.
    let left = unsafe {
        b::_copy_from_user(
            out.as_mut_ptr().cast(),
            UserPtr::from_addr(addr).as_const_ptr(),
            out.len(),
        )
    };
    if left != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// Zeroes `len` bytes of user memory at `addr`, with one `clear_user()`
/// as upstream's core (an inline function, reached through
/// `fwctl_glue.c`).
pub(crate) fn clear_user(addr: usize, len: usize) -> Result {
    if crate::glue::clear_user(UserPtr::from_addr(addr).as_mut_ptr(), len) != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// The `u32` at user address `addr` (`get_user()`).
pub(crate) fn get_user_u32(addr: usize) -> Result<u32> {
    crate::glue::get_user_u32(UserPtr::from_addr(addr).as_const_ptr().cast())
}

/// Copies `out.len()` bytes from user memory at `addr`.
pub(crate) fn copy_from_user(addr: usize, out: &mut [u8]) -> Result {
    // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and
    // `copy_from_user_raw()` writes only initialised bytes.
    let out = unsafe { &mut *(core::ptr::from_mut(out) as *mut [MaybeUninit<u8>]) };
    copy_from_user_raw(addr, out)
}

/// A buffer from `kvmalloc()`, freed with `kvfree()`, as upstream's core
/// allocates requests.
///
/// Not `KVVec`, whose allocator is built on `kvrealloc()`: a free is a
/// reallocation to zero bytes, three calls deep before `kfree()`, and
/// `Vec::reserve()` adds a call to the allocation.  `kvmalloc()` itself is
/// a macro, reached through `fwctl_glue.c` (`glue::kvmalloc()`).
///
/// # Invariants
///
/// `ptr` points to `len` bytes allocated by `kvmalloc()` and owned by this
/// value; they are initialised once [`KvBuf::read_user()`] has returned it.
pub(crate) struct KvBuf {
    ptr: NonNull<u8>,
    len: usize,
}

impl KvBuf {
    /// Allocates `len` bytes (not zeroed) and fills them from user memory
    /// at `addr`.
    fn read_user(addr: usize, len: usize) -> Result<Self> {
        // At least one byte, so that a length of 0 cannot return
        // `ZERO_SIZE_PTR`.
        let raw = crate::glue::kvmalloc(len.max(1));
        // INVARIANT: from `kvmalloc()`, `len` bytes, ours; dropped (freed)
        // if the copy below fails, so never returned uninitialised.
        let buf = KvBuf {
            ptr: NonNull::new(raw.cast::<u8>()).ok_or(ENOMEM)?,
            len,
        };
        let uninit = buf.ptr.as_ptr().cast::<MaybeUninit<u8>>();
        // SAFETY: `buf` owns `len` writable bytes at `uninit` and nothing
        // else refers to them while `spare` lives.
        let spare = unsafe { slice::from_raw_parts_mut(uninit, len) };
        copy_from_user_raw(addr, spare)?;
        Ok(buf)
    }

    /// The bytes.
    pub(crate) fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: by the invariant, `ptr` holds `len` initialised bytes
        // owned by `self`, borrowed mutably for the returned lifetime.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for KvBuf {
    fn drop(&mut self) {
        // SAFETY: by the invariant, allocated by `kvmalloc()` and ours.
        unsafe { b::kvfree(self.ptr.as_ptr().cast()) };
    }
}

/// Reads `len` bytes of user memory at `addr` into a new buffer, which is
/// not zeroed first (every byte is written by the copy or the buffer is
/// dropped).
///
/// Always on the heap, as upstream's core allocates requests
/// (`kvzalloc()`): the drivers behind the C ABI may map a request buffer
/// (`virt_to_page()`, `sg_init_one()`), which a buffer on the ioctl's stack
/// would break on a `VMAP_STACK` kernel.  (Earlier versions read requests
/// of up to 128 bytes into the stack frame, to save the allocation.)
pub(crate) fn read_user_buf(addr: usize, len: usize) -> Result<KvBuf> {
    KvBuf::read_user(addr, len)
}
