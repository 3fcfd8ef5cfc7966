// SPDX-License-Identifier: GPL-2.0 OR MIT

//! Which rule refused an RPC with `EPERM`, and what the operator can do.
//!
//! `EPERM` from `FWCTL_RPC` has several causes: the caller lacks
//! `CAP_SYS_RAWIO`, the kernel is locked down, the scope is above the
//! device's or the global `max_scope`, or the driver refused (a CXL feature
//! reserved to the kernel).  The errno alone does not say which.  The tool
//! reads what the core decided from ([`Facts`]: its own capabilities, the
//! lockdown level, the two `max_scope` files) and runs the core's own
//! decision on them, [`policy::check_rpc`], the very code of
//! `crates/fwctl-uapi/src/policy.rs` the core runs: the refusal it finds is
//! the one the core made, each counted under its reason in `rpcs_refused`;
//! if the core would have let the RPC through, the driver refused it.
//! Nothing is read unless an RPC was refused.  With upstream's core there
//! are no `max_scope` files, and the same order holds for its two checks.

use crate::policy::{self, MaxScope, Refusal};
use crate::uapi::{FwctlRpc, Scope};

/// What the tool read after a refused RPC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Whether this process has `CAP_SYS_RAWIO` (unknown: yes).
    pub rawio: Option<bool>,
    /// `/sys/kernel/security/lockdown`'s level (none, integrity, ...).
    pub lockdown: Option<String>,
    /// The device's `max_scope`.
    pub device_max_scope: Option<String>,
    /// The `fwctl` module's `max_scope` parameter.
    pub global_max_scope: Option<String>,
}

impl Facts {
    fn max_scope(word: &Option<String>) -> MaxScope {
        word.as_deref()
            .and_then(|w| MaxScope::parse(w.as_bytes()))
            .unwrap_or(MaxScope::DEFAULT)
    }
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
    /// The driver (or its firmware's policy) refused it.
    Driver,
}

impl Rule {
    /// A stable name, for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Rule::NoRawio => "no_rawio",
            Rule::Lockdown => "lockdown",
            Rule::DeviceMaxScope => "device_max_scope",
            Rule::GlobalMaxScope => "global_max_scope",
            Rule::Driver => "driver",
        }
    }
}

/// Which rule refused an RPC at `scope`, given these facts: the core's
/// own decision ([`policy::check_rpc`], limit the lower of the two
/// `max_scope`s, as the core takes it) or, where that passes, the driver.
pub fn rule(scope: Scope, f: &Facts) -> Rule {
    let device = Facts::max_scope(&f.device_max_scope);
    let global = Facts::max_scope(&f.global_max_scope);
    let rpc = FwctlRpc {
        scope: scope as u32,
        ..FwctlRpc::default()
    };
    let locked = f.lockdown.as_deref().is_some_and(|l| l != "none");
    match policy::check_rpc(
        &rpc,
        device.min(global),
        || f.rawio != Some(false),
        || locked,
    ) {
        Err(Refusal::NoRawio) => Rule::NoRawio,
        Err(Refusal::Lockdown) => Rule::Lockdown,
        Err(Refusal::Policy) if !device.allows(scope) => Rule::DeviceMaxScope,
        Err(Refusal::Policy) => Rule::GlobalMaxScope,
        // Lengths and the scope were valid: EPERM came from the driver.
        Err(Refusal::TooLong | Refusal::BadScope) | Ok(_) => Rule::Driver,
    }
}

/// Why, and what the operator can do, for `rule` at `scope` with these
/// facts.
pub fn explain(rule: Rule, scope: Scope, f: &Facts) -> (String, String) {
    let scope = scope.name();
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
        Rule::Driver => (
            "refused by the device's driver, not by the fwctl core: the request is one it \
             does not allow (for CXL, a feature reserved to the kernel cannot be set)"
                .into(),
            "see the driver's documentation; the fwctl core's rules (capability, lockdown, \
             max_scope) all passed"
                .into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cores_order_names_the_rule() {
        let mut f = Facts {
            rawio: Some(false),
            lockdown: Some("integrity".into()),
            device_max_scope: Some("debug_write".into()),
            global_max_scope: Some("debug_write_full".into()),
        };
        // The core checks the capability, then lockdown, then max_scope.
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::NoRawio);
        f.rawio = Some(true);
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::Lockdown);
        f.lockdown = Some("none".into());
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::DeviceMaxScope);
        f.device_max_scope = Some("debug_write_full".into());
        f.global_max_scope = Some("configuration".into());
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::GlobalMaxScope);
        // Every rule of the core passes: the driver said EPERM.
        f.global_max_scope = Some("debug_write_full".into());
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::Driver);
        // The capability and lockdown matter for debug_write_full only.
        f.rawio = Some(false);
        f.lockdown = Some("confidentiality".into());
        f.device_max_scope = Some("debug_read_only".into());
        assert_eq!(rule(Scope::DebugWrite, &f), Rule::DeviceMaxScope);
        f.device_max_scope = Some("none".into());
        assert_eq!(rule(Scope::Configuration, &f), Rule::DeviceMaxScope);
    }

    #[test]
    fn without_the_files_the_defaults() {
        // Upstream's core: no max_scope files, unknown capability.
        let f = Facts::default();
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::Driver);
        let f = Facts {
            rawio: Some(false),
            ..Facts::default()
        };
        assert_eq!(rule(Scope::DebugWriteFull, &f), Rule::NoRawio);
        assert_eq!(rule(Scope::DebugWrite, &f), Rule::Driver);
    }

    #[test]
    fn explanations_say_what_to_do() {
        let mut f = Facts {
            lockdown: Some("confidentiality".into()),
            ..Facts::default()
        };
        let (why, what) = explain(Rule::Lockdown, Scope::DebugWriteFull, &f);
        assert!(why.contains("locked down (confidentiality)"), "{why}");
        assert!(what.contains("boot without lockdown"), "{what}");
        f.device_max_scope = Some("debug_write".into());
        let (why, what) = explain(Rule::DeviceMaxScope, Scope::DebugWriteFull, &f);
        assert!(why.starts_with(
            "scope not allowed: debug_write_full is above the device's max_scope (debug_write)"
        ));
        assert!(what.contains("only goes down"), "{what}");
        for r in [Rule::NoRawio, Rule::GlobalMaxScope, Rule::Driver] {
            let (why, what) = explain(r, Scope::DebugWriteFull, &f);
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
    }
}
