// SPDX-License-Identifier: GPL-2.0

//! The fwctl commands: open, `FWCTL_INFO`, `FWCTL_RPC`.  Safe Rust over
//! the boundary types of `device` and the helpers of `kapi`.
//!
//! Unlike upstream, no user memory is touched while `registration_lock` is
//! held: the request is copied in before the lock is taken and the answer
//! copied out after it is dropped.  A user buffer that never resolves (a
//! `userfaultfd` region nobody serves, a FUSE mapping) then stalls only its
//! own caller, never the driver's `fwctl_unregister()`, which waits for the
//! lock's readers.

use crate::device::{Dev, NewUctx, Ops, RpcAnswer, Uctx};
use crate::kapi::{self, Caller};
use crate::kernel_errno::to_error;
use crate::policy::{self, MaxScope, Refusal};
use crate::uapi::{self, Command, FwctlInfo, FwctlRpc, IoctlOp, Scope};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::transmute::{AsBytes, FromBytes};

/// The command struct `T`, from the first bytes of the command as copied
/// in (room for the largest, zero past what the user gave: an older,
/// smaller struct).  Cannot fail, `T` fits (`uapi::MAX_CMD_SIZE`): the
/// compiler drops the check.
fn cmd_struct<T: FromBytes>(raw: &[u8; uapi::MAX_CMD_SIZE]) -> Result<T> {
    T::from_bytes_copy_prefix(raw)
        .map(|(cmd, _)| cmd)
        .ok_or(EINVAL)
}

/// Opens a user context on `dev` for a new file.
pub(crate) fn open(dev: Dev<'_>) -> Result<NewUctx> {
    let guard = dev.read_ops();
    let ops = guard.ops().ok_or(ENODEV)?;
    if dev.max_scope() == MaxScope::Disabled {
        return Err(EPERM);
    }
    ops.open_uctx()
}

/// Runs one ioctl.
pub(crate) fn dispatch(uctx: Uctx<'_>, cmd: u32, arg: usize) -> Result {
    let op = uapi::lookup_ioctl(cmd).ok_or(ENOTTY)?;
    let mut raw = [0u8; uapi::MAX_CMD_SIZE];
    let user_size = read_user_struct(op, arg, &mut raw)?;

    let dev = uctx.dev();
    // Upstream answers ENODEV here, before the command's own checks; the
    // ops are checked again under the lock, where they are used.
    if !dev.registered_hint() {
        return Err(ENODEV);
    }
    let ucmd = UserCmd {
        uctx,
        dev,
        arg,
        user_size,
    };
    match op.cmd {
        Command::Info => cmd_info(&ucmd, cmd_struct::<FwctlInfo>(&raw)?),
        Command::Rpc => cmd_rpc(&ucmd, cmd_struct::<FwctlRpc>(&raw)?),
    }
}

/// Copies the command struct in, per the extensible-struct rules: the
/// first `u32` is the user's size; below the minimum is `EINVAL`; bytes
/// past what the kernel knows must be zero, else `E2BIG`.
fn read_user_struct(op: &IoctlOp, arg: usize, raw: &mut [u8]) -> Result<u32> {
    let user_size = kapi::get_user_u32(arg)?;
    let (copy, tail) = uapi::user_struct_span(op, user_size).map_err(to_error)?;
    kapi::copy_from_user(arg, &mut raw[..copy])?;
    if tail > 0 && !kapi::user_is_zero(arg + op.size, tail)? {
        return Err(E2BIG);
    }
    Ok(user_size)
}

/// One command in flight: who asked, on which device, where the struct is.
struct UserCmd<'a> {
    uctx: Uctx<'a>,
    dev: Dev<'a>,
    arg: usize,
    user_size: u32,
}

impl UserCmd<'_> {
    /// Copies the updated struct back, truncated to the user's size.
    fn respond<T: AsBytes>(&self, cmd: &T) -> Result {
        let bytes = cmd.as_bytes();
        let n = bytes.len().min(self.user_size as usize);
        kapi::copy_to_user(self.arg, &bytes[..n])
    }
}

fn cmd_info(ucmd: &UserCmd<'_>, mut cmd: FwctlInfo) -> Result {
    if cmd.flags != 0 {
        return Err(EOPNOTSUPP);
    }
    if ucmd.dev.max_scope() == MaxScope::Disabled {
        return Err(EPERM);
    }
    let user_len = cmd.device_data_len as usize;
    // The driver's part, under the lock; the copies after it.
    let (device_type, data) = {
        let guard = ucmd.dev.read_ops();
        let ops = guard.ops().ok_or(ENODEV)?;
        let data = if user_len != 0 {
            ops.info(ucmd.uctx)?
        } else {
            None
        };
        (ops.device_type(), data)
    };
    let mut driver_len = 0;
    if user_len != 0 {
        match data {
            // No driver data: the user's buffer reads as zeroes.
            None => kapi::clear_user(cmd.out_device_data as usize, user_len)?,
            Some(data) => {
                driver_len = data.len();
                copy_zero_padded(cmd.out_device_data as usize, data.bytes(user_len), user_len)?;
            }
        }
    }
    cmd.out_device_type = device_type;
    cmd.device_data_len = driver_len as u32;
    ucmd.respond(&cmd)
}

/// Copies `data` to the user and zeroes the rest of their `user_len` bytes.
fn copy_zero_padded(addr: usize, data: &[u8], user_len: usize) -> Result {
    kapi::copy_to_user(addr, data)?;
    if data.len() < user_len {
        kapi::clear_user(addr + data.len(), user_len - data.len())?;
    }
    Ok(())
}

/// Whether this core has tainted the kernel already: once per load of the
/// core, as upstream (whose flag is a static of its module too).
static TAINTED: AtomicBool = AtomicBool::new(false);

fn cmd_rpc(ucmd: &UserCmd<'_>, mut cmd: FwctlRpc) -> Result {
    let dev = ucmd.dev;
    let scope = match policy::check_rpc(
        &cmd,
        dev.max_scope(),
        kapi::capable_rawio,
        kapi::locked_down,
    ) {
        Ok(scope) => scope,
        Err(why) => return Err(refuse(dev, cmd.scope, why)),
    };
    if scope.taints() && !TAINTED.swap(true, Ordering::Relaxed) {
        let who = Caller::current();
        // Upstream's words, so that log watchers keep matching them.
        dev_warn!(
            dev.device(),
            "{}({}): has requested full access to the physical device\n",
            who.comm(),
            who.pid
        );
        kapi::taint_fwctl();
    }
    let mut inbuf = kapi::read_user_buf(cmd.r#in as usize, cmd.in_len as usize)?;
    let inbuf = inbuf.bytes();
    let user_out = cmd.out_len as usize;
    let answer = {
        let guard = dev.read_ops();
        let ops: Ops<'_> = guard.ops().ok_or(ENODEV)?;
        // Passed every check and about to reach the driver.
        dev.prefix().stats.accept(scope);
        ops.fw_rpc(ucmd.uctx, scope, inbuf, user_out)
            .map_err(|e| driver_failed(dev, scope, e))?
    };
    let out_len = match answer {
        RpcAnswer::InPlace(len) => {
            kapi::copy_to_user(cmd.out as usize, &inbuf[..len.min(user_out)])?;
            len
        }
        RpcAnswer::NewBuffer(buf) => {
            kapi::copy_to_user(cmd.out as usize, buf.bytes(user_out))?;
            buf.len()
        }
    };
    cmd.out_len = out_len as u32;
    ucmd.respond(&cmd)
}

/// Counts an RPC the driver or its firmware failed, and returns the
/// driver's error.  Not a refusal: the core's policy let it through.  Only
/// a debug message, as upstream's drivers log their firmware errors
/// (`dev_dbg()`): a firmware status the tool asked about is no event.
fn driver_failed(dev: Dev<'_>, scope: Scope, err: Error) -> Error {
    dev.prefix().stats.fail(scope);
    dev_dbg!(
        dev.device(),
        "{} RPC failed by the driver: {:?}\n",
        scope.name(),
        err
    );
    err
}

/// Counts a refusal by the core's policy, logs it once per process, and
/// returns its errno.
fn refuse(dev: Dev<'_>, raw_scope: u32, why: Refusal) -> Error {
    let prefix = dev.prefix();
    prefix.stats.refuse(why);
    let who = Caller::current();
    let log = prefix
        .log_gate
        .lock()
        .should_log(who.tgid as u32, kapi::jiffies(), 5 * kapi::HZ);
    if log {
        let scope = Scope::from_u32(raw_scope).map_or("unknown", Scope::name);
        dev_notice!(
            dev.device(),
            "refused {} RPC from {}({}): {}\n",
            scope,
            who.comm(),
            who.tgid,
            why.reason()
        );
    }
    to_error(why.errno())
}
