// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers for the few kernel C functions the core's logic calls
//! (capabilities, lockdown, taint, the current task, user memory and the
//! request buffers).

use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};
use core::slice;
use kernel::bindings as b;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::BStr;
use kernel::uaccess::{UserPtr, UserSlice, UserSliceReader};

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
        let task = kernel::task::Task::current_raw();
        let mut comm = [0u8; 16];
        // SAFETY: `task` is the current task, alive while it runs this code.
        let raw = unsafe { (&raw const (*task).comm).cast::<u8>() };
        for (i, d) in comm.iter_mut().enumerate() {
            // SAFETY: `comm` is a 16-byte array in the task; another thread
            // may rename the task concurrently, so each byte is read
            // volatile, never through a reference.  A torn name is harmless
            // for a log line.
            *d = unsafe { core::ptr::read_volatile(raw.add(i)) };
        }
        // SAFETY: as above, the current task is alive.
        let (pid, tgid) = unsafe { ((*task).pid, (*task).tgid) };
        Caller { comm, pid, tgid }
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

/// Copies `data` to user memory at `addr`.
pub(crate) fn copy_to_user(addr: usize, data: &[u8]) -> Result {
    UserSlice::new(UserPtr::from_addr(addr), data.len())
        .writer()
        .write_slice(data)
}

/// Zeroes `len` bytes of user memory at `addr`.
///
/// `clear_user()` is inline in C, so it is reached through an `iov_iter`
/// over the user buffer: `iov_iter_zero()` on an `ITER_UBUF` iterator is
/// one `clear_user()` call, as upstream's core makes.  Copying from a
/// static page of zeroes instead costs a copy and its KASAN check per page
/// (see Documentation/performance.rst).
pub(crate) fn clear_user(mut addr: usize, mut len: usize) -> Result {
    // `import_ubuf()` caps an iterator at `MAX_RW_COUNT` bytes (just under
    // 2 GiB); a `u32` length can be up to twice that.
    const CHUNK: usize = 1 << 30;
    while len > 0 {
        let n = len.min(CHUNK);
        let mut iter = MaybeUninit::<b::iov_iter>::uninit();
        // SAFETY: `iter` is a valid out-pointer that `import_ubuf()` fully
        // initialises on success; it checks the user range with
        // `access_ok()` and only records it (no user memory is touched).
        to_result(unsafe {
            b::import_ubuf(
                b::ITER_DEST as c_int,
                UserPtr::from_addr(addr).as_mut_ptr(),
                n,
                iter.as_mut_ptr(),
            )
        })?;
        // SAFETY: `iter` was initialised just above, for `n` bytes of user
        // memory at `addr`; `iov_iter_zero()` writes only there, with the
        // fault handling of `clear_user()`, and returns how much it zeroed.
        if unsafe { b::iov_iter_zero(n, iter.as_mut_ptr()) } != n {
            return Err(EFAULT);
        }
        addr += n;
        len -= n;
    }
    Ok(())
}

/// Copies `out.len()` bytes from user memory at `addr`.
pub(crate) fn copy_from_user(addr: usize, out: &mut [u8]) -> Result {
    UserSlice::new(UserPtr::from_addr(addr), out.len())
        .reader()
        .read_slice(out)
}

/// A buffer from `kvmalloc()`, freed with `kvfree()`, as upstream's core
/// allocates requests.
///
/// Not `KVVec`, whose allocator is built on `kvrealloc()`: a free is a
/// reallocation to zero bytes, three calls deep before `kfree()`, and
/// `Vec::reserve()` adds a call to the allocation.  KASAN and kmemleak
/// record a stack trace at each allocation and free (four per request),
/// and each frame to walk costs (Documentation/performance.rst).  The
/// allocation is `kvrealloc()` of NULL all the same: `kvmalloc()` is a
/// macro, and the parameters of the function behind it change with
/// `CONFIG_SLAB_BUCKETS` and `CONFIG_KMALLOC_PARTITION_CACHES`.
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
    /// Allocates `len` bytes (not zeroed) and fills them from user memory.
    fn read_user(mut reader: UserSliceReader, len: usize) -> Result<Self> {
        // SAFETY: `kvrealloc()` of a NULL pointer is `kvmalloc()`: it
        // returns NULL or a new buffer of `len` bytes (at least one, so
        // that a length of 0 cannot return `ZERO_SIZE_PTR`).
        let raw = unsafe {
            b::kvrealloc_node_align(
                ptr::null(),
                len.max(1),
                1,
                b::GFP_KERNEL_ACCOUNT,
                b::NUMA_NO_NODE,
            )
        };
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
        reader.read_raw(spare)?;
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
    KvBuf::read_user(UserSlice::new(UserPtr::from_addr(addr), len).reader(), len)
}
