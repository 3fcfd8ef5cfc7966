// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT

//! The core's RPC policy: upstream's scope rules, plus what upstream lacks —
//! lockdown awareness, an administrable maximum scope per device and
//! globally, refusal counters and a per-process log gate.
//!
//! Uses only `core`; compiled into `fwctl.ko` and the `fwctl-uapi` crate,
//! and unit-tested on the host by `fwctl-logic`.

use crate::uapi::{check_rpc_lengths, Errno, FwctlRpc, Scope};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The highest scope a device accepts, or `Disabled` for none at all.
///
/// Ordered: `Disabled` < `Upto(Configuration)` < ... < `Upto(DebugWriteFull)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaxScope {
    /// The device refuses every open and every ioctl.
    Disabled,
    /// RPCs up to and including this scope may pass.
    Upto(Scope),
}

impl MaxScope {
    /// The default: everything upstream allows.
    pub const DEFAULT: MaxScope = MaxScope::Upto(Scope::DebugWriteFull);

    /// The word used in sysfs and on the module command line.
    pub const fn name(self) -> &'static str {
        match self {
            MaxScope::Disabled => "none",
            MaxScope::Upto(s) => s.name(),
        }
    }

    /// Parses a sysfs/module-parameter word; one trailing newline allowed.
    pub fn parse(word: &[u8]) -> Option<MaxScope> {
        let word = match word {
            [w @ .., b'\n'] => w,
            w => w,
        };
        if word == b"none" {
            return Some(MaxScope::Disabled);
        }
        Scope::ALL
            .iter()
            .find(|s| s.name().as_bytes() == word)
            .map(|s| MaxScope::Upto(*s))
    }

    /// Packs the value for an atomic: 0 is `Disabled`, 1 + scope otherwise.
    pub const fn encode(self) -> u32 {
        match self {
            MaxScope::Disabled => 0,
            MaxScope::Upto(s) => 1 + s as u32,
        }
    }

    /// Unpacks `encode`; anything unknown reads as `Disabled` (fail closed).
    pub const fn decode(v: u32) -> MaxScope {
        match v {
            1..=4 => match Scope::from_u32(v - 1) {
                Some(s) => MaxScope::Upto(s),
                None => MaxScope::Disabled,
            },
            _ => MaxScope::Disabled,
        }
    }

    /// Whether `scope` passes this limit.
    pub fn allows(self, scope: Scope) -> bool {
        match self {
            MaxScope::Disabled => false,
            MaxScope::Upto(max) => scope <= max,
        }
    }
}

/// A `MaxScope` that can only go down at run time, like lockdown itself.
pub struct Ratchet(AtomicU32);

impl Ratchet {
    /// A ratchet starting at `v`.
    pub const fn new(v: MaxScope) -> Self {
        Ratchet(AtomicU32::new(v.encode()))
    }

    /// The current value.
    pub fn get(&self) -> MaxScope {
        MaxScope::decode(self.0.load(Ordering::Relaxed))
    }

    /// Lowers the value to `new`, or fails with `EPERM` if `new` is higher
    /// than `ceiling` (the value a reader currently sees). Equal is allowed.
    pub fn lower(
        &self,
        new: MaxScope,
        ceiling: impl Fn(MaxScope) -> MaxScope,
    ) -> Result<(), Errno> {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            if new > ceiling(MaxScope::decode(cur)) {
                return Err(Errno::EPERM);
            }
            match self.0.compare_exchange_weak(
                cur,
                new.encode(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(seen) => cur = seen,
            }
        }
    }
}

/// Why the core refused an RPC.  Each has a counter in sysfs, a field of
/// [`REFUSED_FILE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `in_len` or `out_len` over 2 MiB: `EMSGSIZE`.
    TooLong = 0,
    /// Unknown scope: `EOPNOTSUPP`.
    BadScope = 1,
    /// `DEBUG_WRITE_FULL` without `CAP_SYS_RAWIO`: `EPERM`.
    NoRawio = 2,
    /// `DEBUG_WRITE_FULL` while the kernel is locked down: `EPERM`.
    Lockdown = 3,
    /// Above the device's or the global `max_scope`, or disabled: `EPERM`.
    Policy = 4,
}

impl Refusal {
    /// Every reason, in counter order (the order of [`REFUSED_FIELDS`]).
    pub const ALL: [Refusal; 5] = [
        Refusal::TooLong,
        Refusal::BadScope,
        Refusal::NoRawio,
        Refusal::Lockdown,
        Refusal::Policy,
    ];

    /// The errno the caller gets.
    pub const fn errno(self) -> Errno {
        match self {
            Refusal::TooLong => Errno::EMSGSIZE,
            Refusal::BadScope => Errno::EOPNOTSUPP,
            Refusal::NoRawio | Refusal::Lockdown | Refusal::Policy => Errno::EPERM,
        }
    }

    /// The reason's field name: its column in [`REFUSED_FILE`], see
    /// [`REFUSED_FIELDS`].
    pub const fn field_name(self) -> &'static str {
        match self {
            Refusal::TooLong => "too_long",
            Refusal::BadScope => "bad_scope",
            Refusal::NoRawio => "no_rawio",
            Refusal::Lockdown => "lockdown",
            Refusal::Policy => "policy",
        }
    }

    /// What the log line says.
    pub const fn reason(self) -> &'static str {
        match self {
            Refusal::TooLong => "request or response longer than 2 MiB",
            Refusal::BadScope => "unknown scope",
            Refusal::NoRawio => "DEBUG_WRITE_FULL needs CAP_SYS_RAWIO",
            Refusal::Lockdown => "DEBUG_WRITE_FULL is not allowed while the kernel is locked down",
            Refusal::Policy => "scope above the administrator's max_scope",
        }
    }
}

// The counters in sysfs: two read-only files on each fwctl device, one line
// of space-separated decimal numbers each, one number per field, in the
// order below.  One array file per kind (sysfs.rst allows "an array of
// values of the same type") instead of one file per counter: every sysfs
// file is a kernfs node that each device registration creates and frees.

/// The file of RPCs accepted per scope; fields: [`ACCEPTED_FIELDS`].
pub const ACCEPTED_FILE: &str = "rpcs_accepted";

/// The fields of [`ACCEPTED_FILE`]: one per scope, in `Scope` order (the
/// index is the uAPI value), named as in `max_scope`.
pub const ACCEPTED_FIELDS: [&str; 4] = {
    let mut f = [""; 4];
    let mut i = 0;
    while i < f.len() {
        f[i] = Scope::ALL[i].name();
        i += 1;
    }
    f
};

/// The file of RPCs the driver or the firmware failed, per scope; fields:
/// [`ACCEPTED_FIELDS`].  Each is also counted in [`ACCEPTED_FILE`]: the
/// core handed it to the driver.  These are not refusals: the core's
/// policy allowed them.
pub const FAILED_FILE: &str = "rpcs_failed";

/// The file of RPCs refused per reason; fields: [`REFUSED_FIELDS`].
pub const REFUSED_FILE: &str = "rpcs_refused";

/// The fields of [`REFUSED_FILE`]: one per reason, in [`Refusal::ALL`]
/// order (the index is the `Refusal` value).
pub const REFUSED_FIELDS: [&str; 5] = {
    let mut f = [""; 5];
    let mut i = 0;
    while i < f.len() {
        f[i] = Refusal::ALL[i].field_name();
        i += 1;
    }
    f
};

/// Whether two byte strings are equal, in a constant (the core checks its
/// sysfs names against the ones here with it).
pub const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// The counters are indexed by the value of the scope or reason, which is
// its position in the field orders above.
const _: () = {
    let mut i = 0;
    while i < Scope::ALL.len() {
        assert!(Scope::ALL[i] as usize == i);
        i += 1;
    }
    let mut i = 0;
    while i < Refusal::ALL.len() {
        assert!(Refusal::ALL[i] as usize == i);
        i += 1;
    }
};

/// Writes `values` as one line of a counter file: decimal numbers
/// separated by one space, then a newline.
pub fn format_counters(values: &[u64], out: &mut impl core::fmt::Write) -> core::fmt::Result {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.write_char(' ')?;
        }
        write!(out, "{v}")?;
    }
    out.write_char('\n')
}

/// Decides whether an RPC may reach the driver.
///
/// Upstream's checks come first and in upstream's order, so malformed
/// requests get upstream's errnos; the project's policy follows.  The
/// capability and lockdown probes are closures because they have side
/// effects (auditing, `PF_SUPERPRIV`) and run only for `DEBUG_WRITE_FULL`,
/// exactly where upstream calls `capable()`.
pub fn check_rpc(
    rpc: &FwctlRpc,
    limit: MaxScope,
    has_rawio: impl FnOnce() -> bool,
    locked_down: impl FnOnce() -> bool,
) -> Result<Scope, Refusal> {
    check_rpc_lengths(rpc).map_err(|_| Refusal::TooLong)?;
    let scope = Scope::from_u32(rpc.scope).ok_or(Refusal::BadScope)?;
    if scope == Scope::DebugWriteFull {
        if !has_rawio() {
            return Err(Refusal::NoRawio);
        }
        if locked_down() {
            return Err(Refusal::Lockdown);
        }
    }
    if !limit.allows(scope) {
        return Err(Refusal::Policy);
    }
    Ok(scope)
}

/// Per-device RPC counters, shown in sysfs as [`ACCEPTED_FILE`] and
/// [`REFUSED_FILE`].
#[derive(Default)]
pub struct Stats {
    accepted: [AtomicU64; 4],
    failed: [AtomicU64; 4],
    refused: [AtomicU64; 5],
}

impl Stats {
    /// Zeroed counters.
    pub const fn new() -> Self {
        Stats {
            accepted: [const { AtomicU64::new(0) }; 4],
            failed: [const { AtomicU64::new(0) }; 4],
            refused: [const { AtomicU64::new(0) }; 5],
        }
    }

    /// Counts an RPC handed to the driver.
    pub fn accept(&self, scope: Scope) {
        self.accepted[scope as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an RPC the driver (or the firmware behind it) failed.
    pub fn fail(&self, scope: Scope) {
        self.failed[scope as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The failed counter of `scope`.
    pub fn failed(&self, scope: Scope) -> u64 {
        self.failed[scope as usize].load(Ordering::Relaxed)
    }

    /// Every failed counter, in [`ACCEPTED_FIELDS`] order, each read on its
    /// own.
    pub fn failed_all(&self) -> [u64; 4] {
        Scope::ALL.map(|s| self.failed(s))
    }

    /// Counts a refusal.
    pub fn refuse(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The accepted counter of `scope`.
    pub fn accepted(&self, scope: Scope) -> u64 {
        self.accepted[scope as usize].load(Ordering::Relaxed)
    }

    /// The refusal counter of `why`.
    pub fn refused(&self, why: Refusal) -> u64 {
        self.refused[why as usize].load(Ordering::Relaxed)
    }

    /// Every accepted counter, in [`ACCEPTED_FIELDS`] order.  Each is read
    /// on its own: not a snapshot of all of them at one instant.
    pub fn accepted_all(&self) -> [u64; 4] {
        Scope::ALL.map(|s| self.accepted(s))
    }

    /// Every refusal counter, in [`REFUSED_FIELDS`] order.  Each is read on
    /// its own: not a snapshot of all of them at one instant.
    pub fn refused_all(&self) -> [u64; 5] {
        Refusal::ALL.map(|r| self.refused(r))
    }
}

/// Gate for the "first refusal per process" log line: remembers the last
/// `N` processes that were logged, and allows at most `BURST` lines per
/// `INTERVAL` time units overall.
pub struct LogGate<const N: usize> {
    seen: [u32; N],
    next: usize,
    window_start: u64,
    in_window: u32,
}

impl<const N: usize> LogGate<N> {
    /// Lines allowed per interval.
    pub const BURST: u32 = 10;

    /// An empty gate.
    pub const fn new() -> Self {
        LogGate {
            seen: [0; N],
            next: 0,
            window_start: 0,
            in_window: 0,
        }
    }

    /// Whether process `tgid` may log now (`now`, `interval` in any one
    /// unit, e.g. jiffies).  A process logs once; a burst of new processes
    /// is cut at `BURST` lines per interval.
    pub fn should_log(&mut self, tgid: u32, now: u64, interval: u64) -> bool {
        if self.seen.contains(&tgid) {
            return false;
        }
        if now.wrapping_sub(self.window_start) >= interval {
            self.window_start = now;
            self.in_window = 0;
        }
        if self.in_window >= Self::BURST {
            return false;
        }
        self.in_window += 1;
        self.seen[self.next] = tgid;
        self.next = (self.next + 1) % N;
        true
    }
}

impl<const N: usize> Default for LogGate<N> {
    fn default() -> Self {
        Self::new()
    }
}
