// SPDX-License-Identifier: GPL-2.0

//! Which rule refused an RPC with `EPERM`, and what the operator can do.
//!
//! `EPERM` from `FWCTL_RPC` has several causes: the caller lacks
//! `CAP_SYS_RAWIO`, the kernel is locked down, the scope is above the
//! device's or the global `max_scope`, or the driver refused (a CXL feature
//! reserved to the kernel).  The errno alone does not say which.  The tool
//! tells them apart from what it can read ([`Facts`]): the device's
//! `rpcs_refused` and `rpcs_failed` counters before and after the call (the
//! fwctl-rs core counts each refusal under its reason), and, where the
//! counters are missing (upstream's core), its own capabilities, the
//! lockdown state and the `max_scope` files.

use crate::uapi::Scope;

/// What the tool read around a refused RPC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The scope asked for.
    pub scope: Option<Scope>,
    /// `rpcs_refused` before and after the call: too_long, bad_scope,
    /// no_rawio, lockdown, policy.
    pub refused: Option<([u64; 5], [u64; 5])>,
    /// `rpcs_failed` before and after: one per scope.
    pub failed: Option<([u64; 4], [u64; 4])>,
    /// Whether this process has `CAP_SYS_RAWIO`.
    pub rawio: Option<bool>,
    /// `/sys/kernel/security/lockdown`'s level (none, integrity, ...).
    pub lockdown: Option<String>,
    /// The device's `max_scope`.
    pub device_max_scope: Option<String>,
    /// The `fwctl` module's `max_scope` parameter.
    pub global_max_scope: Option<String>,
}

/// The rule that refused an RPC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `debug_write_full` without `CAP_SYS_RAWIO`.
    NoRawio,
    /// `debug_write_full` under kernel lockdown.
    Lockdown,
    /// Above the device's `max_scope`.
    DeviceMaxScope,
    /// Above the global `max_scope` (the module parameter).
    GlobalMaxScope,
    /// Above a `max_scope`, which one unknown.
    MaxScope,
    /// The driver (or its firmware's policy) refused it.
    Driver,
    /// Nothing the tool can read tells.
    Unknown,
}

impl Rule {
    /// A stable name, for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Rule::NoRawio => "no_rawio",
            Rule::Lockdown => "lockdown",
            Rule::DeviceMaxScope => "device_max_scope",
            Rule::GlobalMaxScope => "global_max_scope",
            Rule::MaxScope => "max_scope",
            Rule::Driver => "driver",
            Rule::Unknown => "unknown",
        }
    }
}

/// Field indexes of `rpcs_refused`.
const NO_RAWIO: usize = 2;
const LOCKDOWN: usize = 3;
const POLICY: usize = 4;

/// The rank of a `max_scope` word (none lowest), `None` if unknown.
fn rank(word: &str) -> Option<u32> {
    match word {
        "none" => Some(0),
        w => Scope::ALL
            .iter()
            .find(|s| s.name() == w)
            .map(|&s| s as u32 + 1),
    }
}

/// Whether `limit` (a `max_scope` word) is below `scope`.
fn below(limit: Option<&str>, scope: Scope) -> bool {
    limit.and_then(rank).is_some_and(|r| r < scope as u32 + 1)
}

/// Which rule refused the RPC these facts surround.
pub fn rule(f: &Facts) -> Rule {
    if let Some((before, after)) = f.refused {
        let moved = |i: usize| after[i] > before[i];
        if moved(NO_RAWIO) {
            return Rule::NoRawio;
        }
        if moved(LOCKDOWN) {
            return Rule::Lockdown;
        }
        if moved(POLICY) {
            return max_scope_rule(f);
        }
        if let (Some((b, a)), Some(s)) = (f.failed, f.scope) {
            if a[s as usize] > b[s as usize] {
                return Rule::Driver;
            }
        }
        // The core counted no refusal: the driver said EPERM.
        return Rule::Driver;
    }
    // No counters (upstream's core): what the checks would have found, in
    // the core's order.
    let Some(scope) = f.scope else {
        return Rule::Unknown;
    };
    if scope == Scope::DebugWriteFull && f.rawio == Some(false) {
        return Rule::NoRawio;
    }
    if scope == Scope::DebugWriteFull && f.lockdown.as_deref().is_some_and(|l| l != "none") {
        return Rule::Lockdown;
    }
    match max_scope_rule(f) {
        Rule::MaxScope => Rule::Driver,
        r => r,
    }
}

/// Which `max_scope` is below the scope (both may be: the device's first).
fn max_scope_rule(f: &Facts) -> Rule {
    let Some(scope) = f.scope else {
        return Rule::MaxScope;
    };
    if below(f.device_max_scope.as_deref(), scope) {
        Rule::DeviceMaxScope
    } else if below(f.global_max_scope.as_deref(), scope) {
        Rule::GlobalMaxScope
    } else {
        Rule::MaxScope
    }
}

/// Why, and what the operator can do, for `rule` with these facts.
pub fn explain(rule: Rule, f: &Facts) -> (String, String) {
    let scope = f.scope.map_or("this scope", Scope::name);
    let or = |o: &Option<String>| o.clone().unwrap_or_else(|| "?".into());
    match rule {
        Rule::NoRawio => (
            format!("scope not allowed: {scope} needs CAP_SYS_RAWIO, which this process lacks"),
            "run it as root, or with CAP_SYS_RAWIO".into(),
        ),
        Rule::Lockdown => (
            format!(
                "scope not allowed: the kernel is locked down ({}), which forbids {scope}",
                or(&f.lockdown)
            ),
            "lockdown cannot be lifted while the system runs; use a lower scope, or boot \
             without lockdown (Secure Boot may impose it)"
                .into(),
        ),
        Rule::DeviceMaxScope => (
            format!(
                "scope not allowed: {scope} is above the device's max_scope ({})",
                or(&f.device_max_scope)
            ),
            "max_scope only goes down: the device gets the global default back when its \
             driver creates it again (unbind and bind, or reload the driver)"
                .into(),
        ),
        Rule::GlobalMaxScope => (
            format!(
                "scope not allowed: {scope} is above the global max_scope ({}, \
                 /sys/module/fwctl/parameters/max_scope)",
                or(&f.global_max_scope)
            ),
            "the global max_scope only goes down: it comes back when the fwctl module is \
             loaded again (or set fwctl.max_scope= at boot)"
                .into(),
        ),
        Rule::MaxScope => (
            format!("scope not allowed: {scope} is above the device's or the global max_scope"),
            "see /sys/class/fwctl/*/max_scope and /sys/module/fwctl/parameters/max_scope".into(),
        ),
        Rule::Driver => (
            "refused by the device's driver, not by the fwctl core: the request is one it \
             does not allow (for CXL, a feature reserved to the kernel cannot be set)"
                .into(),
            "see the driver's documentation; the fwctl core's rules (capability, lockdown, \
             max_scope) all passed"
                .into(),
        ),
        Rule::Unknown => (
            "scope not allowed: debug_write_full needs CAP_SYS_RAWIO and no kernel \
             lockdown, and no scope may exceed max_scope"
                .into(),
            "check the process's capabilities, /sys/kernel/security/lockdown and max_scope".into(),
        ),
    }
}

/// The `CapEff` mask of `/proc/self/status`: whether `CAP_SYS_RAWIO` (17)
/// is in it.
pub fn has_rawio(status: &str) -> Option<bool> {
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))?
        .trim();
    let mask = u64::from_str_radix(hex, 16).ok()?;
    Some(mask & (1 << 17) != 0)
}

/// The level in brackets of `/sys/kernel/security/lockdown`
/// (`none [integrity] confidentiality`).
pub fn lockdown_level(text: &str) -> Option<String> {
    let s = text.split('[').nth(1)?;
    Some(s.split(']').next()?.to_string())
}

/// A counters line (numbers separated by spaces) as `N` numbers.
pub fn counters<const N: usize>(line: &str) -> Option<[u64; N]> {
    let v: Vec<u64> = line
        .split_whitespace()
        .map(|w| w.parse().ok())
        .collect::<Option<_>>()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(scope: Scope) -> Facts {
        Facts {
            scope: Some(scope),
            ..Facts::default()
        }
    }

    #[test]
    fn counters_name_the_rule() {
        let mut f = facts(Scope::DebugWriteFull);
        f.refused = Some(([0; 5], [0, 0, 1, 0, 0]));
        assert_eq!(rule(&f), Rule::NoRawio);
        f.refused = Some(([0, 0, 0, 4, 0], [0, 0, 0, 5, 0]));
        assert_eq!(rule(&f), Rule::Lockdown);
        f.refused = Some(([0; 5], [0, 0, 0, 0, 1]));
        f.device_max_scope = Some("debug_write".into());
        f.global_max_scope = Some("debug_write_full".into());
        assert_eq!(rule(&f), Rule::DeviceMaxScope);
        f.device_max_scope = Some("debug_write_full".into());
        f.global_max_scope = Some("configuration".into());
        assert_eq!(rule(&f), Rule::GlobalMaxScope);
        // Nothing refused by the core: the driver said EPERM.
        f.refused = Some(([0, 0, 0, 0, 1], [0, 0, 0, 0, 1]));
        f.failed = Some(([0; 4], [0, 0, 0, 1]));
        assert_eq!(rule(&f), Rule::Driver);
    }

    #[test]
    fn without_counters_the_core_order() {
        let mut f = facts(Scope::DebugWriteFull);
        f.rawio = Some(false);
        f.lockdown = Some("integrity".into());
        assert_eq!(rule(&f), Rule::NoRawio);
        f.rawio = Some(true);
        assert_eq!(rule(&f), Rule::Lockdown);
        f.lockdown = Some("none".into());
        assert_eq!(rule(&f), Rule::Driver);
        let mut f = facts(Scope::DebugWrite);
        f.device_max_scope = Some("debug_read_only".into());
        assert_eq!(rule(&f), Rule::DeviceMaxScope);
        f.device_max_scope = Some("none".into());
        assert_eq!(rule(&f), Rule::DeviceMaxScope);
        assert_eq!(rule(&Facts::default()), Rule::Unknown);
    }

    #[test]
    fn explanations_say_what_to_do() {
        let mut f = facts(Scope::DebugWriteFull);
        f.lockdown = Some("confidentiality".into());
        let (why, what) = explain(Rule::Lockdown, &f);
        assert!(why.contains("locked down (confidentiality)"), "{why}");
        assert!(what.contains("boot without lockdown"), "{what}");
        f.device_max_scope = Some("debug_write".into());
        let (why, what) = explain(Rule::DeviceMaxScope, &f);
        assert!(why.starts_with(
            "scope not allowed: debug_write_full is above the device's max_scope (debug_write)"
        ));
        assert!(what.contains("only goes down"), "{what}");
        for r in [
            Rule::NoRawio,
            Rule::GlobalMaxScope,
            Rule::MaxScope,
            Rule::Driver,
            Rule::Unknown,
        ] {
            let (why, what) = explain(r, &f);
            assert!(!why.is_empty() && !what.is_empty(), "{r:?}");
        }
    }

    #[test]
    fn parsing() {
        assert_eq!(
            has_rawio("Name:\tx\nCapEff:\t000001ffffffffff\n"),
            Some(true)
        );
        assert_eq!(has_rawio("CapEff:\t0000000000000000\n"), Some(false));
        assert_eq!(has_rawio("CapEff:\t0000000000020000\n"), Some(true));
        assert_eq!(has_rawio(""), None);
        assert_eq!(
            lockdown_level("none [integrity] confidentiality\n").as_deref(),
            Some("integrity")
        );
        assert_eq!(
            lockdown_level("[none] integrity confidentiality").as_deref(),
            Some("none")
        );
        assert_eq!(counters::<5>("1 2 3 4 5\n"), Some([1, 2, 3, 4, 5]));
        assert_eq!(counters::<5>("1 2 3 4\n"), None);
        assert_eq!(counters::<4>("1 x 3 4"), None);
    }
}
