// SPDX-License-Identifier: GPL-2.0 OR MIT

//! The library's uAPI types against the C headers in `uapi/`: a C program
//! compiled with those headers prints every size, offset and constant, and
//! each must equal what the Rust types say.

use fwctl::cxl_features as cf;
use fwctl::mlx5;
use fwctl::uapi::{self, DeviceType, FwctlInfo, FwctlRpc, Scope};
use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

const C_PROGRAM: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include <fwctl/fwctl.h>
#include <fwctl/cxl.h>
#include <fwctl/mlx5.h>

#define S(t)	printf("sizeof %s %zu\n", #t, sizeof(t))
#define O(t, f)	printf("offsetof %s.%s %zu\n", #t, #f, offsetof(t, f))
#define V(c)	printf("value %s %llu\n", #c, (unsigned long long)(c))

int main(void)
{
	S(struct fwctl_info);
	O(struct fwctl_info, size);
	O(struct fwctl_info, flags);
	O(struct fwctl_info, out_device_type);
	O(struct fwctl_info, device_data_len);
	O(struct fwctl_info, out_device_data);
	S(struct fwctl_rpc);
	O(struct fwctl_rpc, size);
	O(struct fwctl_rpc, scope);
	O(struct fwctl_rpc, in_len);
	O(struct fwctl_rpc, out_len);
	O(struct fwctl_rpc, in);
	O(struct fwctl_rpc, out);
	V(FWCTL_INFO);
	V(FWCTL_RPC);
	V(FWCTL_DEVICE_TYPE_ERROR);
	V(FWCTL_DEVICE_TYPE_MLX5);
	V(FWCTL_DEVICE_TYPE_CXL);
	V(FWCTL_DEVICE_TYPE_BNXT);
	V(FWCTL_DEVICE_TYPE_PDS);
	V(FWCTL_RPC_CONFIGURATION);
	V(FWCTL_RPC_DEBUG_READ_ONLY);
	V(FWCTL_RPC_DEBUG_WRITE);
	V(FWCTL_RPC_DEBUG_WRITE_FULL);

	S(struct cxl_mbox_get_sup_feats_in);
	O(struct cxl_mbox_get_sup_feats_in, count);
	O(struct cxl_mbox_get_sup_feats_in, start_idx);
	S(struct cxl_feat_entry);
	O(struct cxl_feat_entry, id);
	O(struct cxl_feat_entry, get_feat_size);
	O(struct cxl_feat_entry, set_feat_size);
	O(struct cxl_feat_entry, flags);
	O(struct cxl_feat_entry, get_feat_ver);
	O(struct cxl_feat_entry, set_feat_ver);
	O(struct cxl_feat_entry, effects);
	O(struct cxl_feat_entry, reserved);
	S(struct cxl_mbox_get_sup_feats_out_hdr);
	O(struct cxl_mbox_get_sup_feats_out, supported_feats);
	S(struct cxl_mbox_get_feat_in);
	O(struct cxl_mbox_get_feat_in, offset);
	O(struct cxl_mbox_get_feat_in, count);
	O(struct cxl_mbox_get_feat_in, selection);
	S(struct cxl_mbox_set_feat_hdr);
	O(struct cxl_mbox_set_feat_in, flags);
	O(struct cxl_mbox_set_feat_in, offset);
	O(struct cxl_mbox_set_feat_in, version);
	O(struct cxl_mbox_set_feat_in, feat_data);
	S(struct fwctl_rpc_cxl_hdr);
	S(struct fwctl_rpc_cxl);
	O(struct fwctl_rpc_cxl, op_size);
	O(struct fwctl_rpc_cxl, get_sup_feats_in);
	S(struct fwctl_rpc_cxl_out_hdr);
	S(struct fwctl_rpc_cxl_out);
	O(struct fwctl_rpc_cxl_out, retval);
	O(struct fwctl_rpc_cxl_out, get_sup_feats_out);
	V(CXL_CMD_CONFIG_CHANGE_COLD_RESET);
	V(CXL_CMD_CONFIG_CHANGE_IMMEDIATE);
	V(CXL_CMD_BACKGROUND);
	V(CXL_CMD_EFFECTS_VALID);
	V(CXL_CMD_EFFECTS_RESERVED);
	V(CXL_FEATURE_F_CHANGEABLE);
	V(CXL_FEATURE_F_DEFAULT_SEL);
	V(CXL_FEATURE_F_SAVED_SEL);

	S(struct fwctl_info_mlx5);
	O(struct fwctl_info_mlx5, uid);
	O(struct fwctl_info_mlx5, uctx_caps);
	return 0;
}
"#;

/// What the Rust side says, in the C program's words.
fn rust_side() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: usize| {
        m.insert(k.to_string(), v as u64);
    };
    put("sizeof struct fwctl_info", size_of::<FwctlInfo>());
    put(
        "offsetof struct fwctl_info.size",
        offset_of!(FwctlInfo, size),
    );
    put(
        "offsetof struct fwctl_info.flags",
        offset_of!(FwctlInfo, flags),
    );
    put(
        "offsetof struct fwctl_info.out_device_type",
        offset_of!(FwctlInfo, out_device_type),
    );
    put(
        "offsetof struct fwctl_info.device_data_len",
        offset_of!(FwctlInfo, device_data_len),
    );
    put(
        "offsetof struct fwctl_info.out_device_data",
        offset_of!(FwctlInfo, out_device_data),
    );
    put("sizeof struct fwctl_rpc", size_of::<FwctlRpc>());
    put("offsetof struct fwctl_rpc.size", offset_of!(FwctlRpc, size));
    put(
        "offsetof struct fwctl_rpc.scope",
        offset_of!(FwctlRpc, scope),
    );
    put(
        "offsetof struct fwctl_rpc.in_len",
        offset_of!(FwctlRpc, in_len),
    );
    put(
        "offsetof struct fwctl_rpc.out_len",
        offset_of!(FwctlRpc, out_len),
    );
    put("offsetof struct fwctl_rpc.in", offset_of!(FwctlRpc, r#in));
    put("offsetof struct fwctl_rpc.out", offset_of!(FwctlRpc, out));
    put("value FWCTL_INFO", uapi::FWCTL_INFO as usize);
    put("value FWCTL_RPC", uapi::FWCTL_RPC as usize);
    put("value FWCTL_DEVICE_TYPE_ERROR", DeviceType::Error as usize);
    put("value FWCTL_DEVICE_TYPE_MLX5", DeviceType::Mlx5 as usize);
    put("value FWCTL_DEVICE_TYPE_CXL", DeviceType::Cxl as usize);
    put("value FWCTL_DEVICE_TYPE_BNXT", DeviceType::Bnxt as usize);
    put("value FWCTL_DEVICE_TYPE_PDS", DeviceType::Pds as usize);
    put(
        "value FWCTL_RPC_CONFIGURATION",
        Scope::Configuration as usize,
    );
    put(
        "value FWCTL_RPC_DEBUG_READ_ONLY",
        Scope::DebugReadOnly as usize,
    );
    put("value FWCTL_RPC_DEBUG_WRITE", Scope::DebugWrite as usize);
    put(
        "value FWCTL_RPC_DEBUG_WRITE_FULL",
        Scope::DebugWriteFull as usize,
    );

    put(
        "sizeof struct cxl_mbox_get_sup_feats_in",
        size_of::<cf::GetSupFeatsIn>(),
    );
    put(
        "offsetof struct cxl_mbox_get_sup_feats_in.count",
        offset_of!(cf::GetSupFeatsIn, count),
    );
    put(
        "offsetof struct cxl_mbox_get_sup_feats_in.start_idx",
        offset_of!(cf::GetSupFeatsIn, start_idx),
    );
    put("sizeof struct cxl_feat_entry", size_of::<cf::FeatEntry>());
    put(
        "offsetof struct cxl_feat_entry.id",
        offset_of!(cf::FeatEntry, id),
    );
    put(
        "offsetof struct cxl_feat_entry.get_feat_size",
        offset_of!(cf::FeatEntry, get_feat_size),
    );
    put(
        "offsetof struct cxl_feat_entry.set_feat_size",
        offset_of!(cf::FeatEntry, set_feat_size),
    );
    put(
        "offsetof struct cxl_feat_entry.flags",
        offset_of!(cf::FeatEntry, flags),
    );
    put(
        "offsetof struct cxl_feat_entry.get_feat_ver",
        offset_of!(cf::FeatEntry, get_feat_ver),
    );
    put(
        "offsetof struct cxl_feat_entry.set_feat_ver",
        offset_of!(cf::FeatEntry, set_feat_ver),
    );
    put(
        "offsetof struct cxl_feat_entry.effects",
        offset_of!(cf::FeatEntry, effects),
    );
    put(
        "offsetof struct cxl_feat_entry.reserved",
        offset_of!(cf::FeatEntry, reserved),
    );
    put(
        "sizeof struct cxl_mbox_get_sup_feats_out_hdr",
        size_of::<cf::GetSupFeatsOutHdr>(),
    );
    put(
        "offsetof struct cxl_mbox_get_sup_feats_out.supported_feats",
        offset_of!(cf::GetSupFeatsOutHdr, supported_feats),
    );
    put(
        "sizeof struct cxl_mbox_get_feat_in",
        size_of::<cf::GetFeatIn>(),
    );
    put(
        "offsetof struct cxl_mbox_get_feat_in.offset",
        offset_of!(cf::GetFeatIn, offset),
    );
    put(
        "offsetof struct cxl_mbox_get_feat_in.count",
        offset_of!(cf::GetFeatIn, count),
    );
    put(
        "offsetof struct cxl_mbox_get_feat_in.selection",
        offset_of!(cf::GetFeatIn, selection),
    );
    put(
        "sizeof struct cxl_mbox_set_feat_hdr",
        size_of::<cf::SetFeatInHdr>(),
    );
    put(
        "offsetof struct cxl_mbox_set_feat_in.flags",
        offset_of!(cf::SetFeatInHdr, flags),
    );
    put(
        "offsetof struct cxl_mbox_set_feat_in.offset",
        offset_of!(cf::SetFeatInHdr, offset),
    );
    put(
        "offsetof struct cxl_mbox_set_feat_in.version",
        offset_of!(cf::SetFeatInHdr, version),
    );
    put(
        "offsetof struct cxl_mbox_set_feat_in.feat_data",
        cf::SET_FEAT_HDR_SIZE,
    );
    put(
        "sizeof struct fwctl_rpc_cxl_hdr",
        size_of::<cf::RpcCxlHdr>(),
    );
    put("sizeof struct fwctl_rpc_cxl", size_of::<cf::FwctlRpcCxl>());
    put(
        "offsetof struct fwctl_rpc_cxl.op_size",
        offset_of!(cf::RpcCxlHdr, op_size),
    );
    put(
        "offsetof struct fwctl_rpc_cxl.get_sup_feats_in",
        offset_of!(cf::FwctlRpcCxl, payload),
    );
    put(
        "sizeof struct fwctl_rpc_cxl_out_hdr",
        size_of::<cf::RpcCxlOutHdr>(),
    );
    put("sizeof struct fwctl_rpc_cxl_out", cf::RPC_OUT_SIZE);
    put(
        "offsetof struct fwctl_rpc_cxl_out.retval",
        offset_of!(cf::RpcCxlOutHdr, retval),
    );
    put(
        "offsetof struct fwctl_rpc_cxl_out.get_sup_feats_out",
        cf::RPC_OUT_PAYLOAD_OFFSET,
    );
    let val = |v: u32| v as usize;
    put(
        "value CXL_CMD_CONFIG_CHANGE_COLD_RESET",
        val(cf::CXL_CMD_CONFIG_CHANGE_COLD_RESET.into()),
    );
    put(
        "value CXL_CMD_CONFIG_CHANGE_IMMEDIATE",
        val(cf::CXL_CMD_CONFIG_CHANGE_IMMEDIATE.into()),
    );
    put(
        "value CXL_CMD_BACKGROUND",
        val(cf::CXL_CMD_BACKGROUND.into()),
    );
    put(
        "value CXL_CMD_EFFECTS_VALID",
        val(cf::CXL_CMD_EFFECTS_VALID.into()),
    );
    put(
        "value CXL_CMD_EFFECTS_RESERVED",
        val(cf::CXL_CMD_EFFECTS_RESERVED.into()),
    );
    put(
        "value CXL_FEATURE_F_CHANGEABLE",
        val(cf::CXL_FEATURE_F_CHANGEABLE),
    );
    put(
        "value CXL_FEATURE_F_DEFAULT_SEL",
        val(cf::CXL_FEATURE_F_DEFAULT_SEL),
    );
    put(
        "value CXL_FEATURE_F_SAVED_SEL",
        val(cf::CXL_FEATURE_F_SAVED_SEL),
    );

    put("sizeof struct fwctl_info_mlx5", mlx5::INFO_SIZE);
    put("offsetof struct fwctl_info_mlx5.uid", 0);
    put("offsetof struct fwctl_info_mlx5.uctx_caps", 4);
    m
}

/// Compiles and runs the C program; its output as a map.
fn c_side() -> BTreeMap<String, u64> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("fwctl-uapi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, C_PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-Wall", "-Werror", "-I"])
        .arg(root.join("uapi"))
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler '{cc}' (set CC): {e}"));
    assert!(
        out.status.success(),
        "{cc} failed on the uAPI headers:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(run.status.success());
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn rust_types_match_the_c_headers() {
    let c = c_side();
    let r = rust_side();
    assert!(c.len() > 60, "the C program printed only {} lines", c.len());
    for (k, v) in &c {
        assert_eq!(r.get(k), Some(v), "{k}: C says {v}");
    }
    assert_eq!(
        c.len(),
        r.len(),
        "the Rust side checks things C does not print"
    );
    // The values the ioctls are defined by, independently of both sides.
    assert_eq!(c["value FWCTL_INFO"], 0x9a00);
    assert_eq!(c["value FWCTL_RPC"], 0x9a01);
}
