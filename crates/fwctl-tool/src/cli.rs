// SPDX-License-Identifier: GPL-2.0 OR MIT

//! The command line of `fwctl`: one clap definition, from which the tool
//! parses its arguments and `fwctl-gendoc` writes the man pages and the
//! shell completions.

use clap::{ArgGroup, Args, Parser, Subcommand};
use fwctl::parse::{parse_number, parse_scope, parse_u32};
use fwctl::Scope;
use std::path::PathBuf;

const ABOUT: &str = "Inspect fwctl devices and send commands to their firmware";

const LONG_ABOUT: &str = "\
Inspect fwctl devices and send commands to their firmware.

fwctl is the Linux subsystem through which userspace sends commands, called
RPCs, to the firmware of a device: CXL memory expanders, NVIDIA ConnectX
(mlx5) network adapters and others. A device driver registers each such
device with fwctl, which gives it a character device /dev/fwctl/fwctlN and a
directory /sys/class/fwctl/fwctlN (whose 'device' link leads to the parent
device, e.g. the CXL memory device mem0 or a PCI function). The format of an
RPC is the device type's own: this tool builds the common ones for you (the
'cxl' and 'mlx5' commands) and sends any other with 'rpc'.

Every RPC carries a scope, the kind of access it needs, least first:

  configuration     change the device's configuration; the device
                    stays in a state its vendor supports
  debug_read_only   read debug information
  debug_write       debug writes; taints the kernel
  debug_write_full  anything the firmware allows; needs CAP_SYS_RAWIO,
                    is refused while the kernel is locked down, taints
                    the kernel

The driver decides which scope each command needs. The administrator can
lower a device's ceiling in /sys/class/fwctl/fwctlN/max_scope: an RPC above
it fails with EPERM, and with 'none' the device cannot even be opened.

A DEV argument names a device as fwctlN, as a path (/dev/fwctl/fwctl0), or
by its parent device: mem0 for CXL, a PCI address (0000:0d:00.0), or any
other parent such as mlx5_sim.0. 'fwctl list' shows them all.

Errors name the device, the errno and what it means for fwctl; a command
that the firmware itself failed is reported with the firmware's status.
The exit status is 0 on success, 1 on an error, 2 on a usage error (a bad
option or value, or a command for another type of device).";

const AFTER_HELP: &str = "\
Examples:
  fwctl list                        the devices, their types, parents
  fwctl info mem0                   what the driver of mem0 reports
  fwctl cxl features mem0           the CXL features of mem0
  fwctl cxl get mem0 patrol-scrub   the patrol scrub settings
  fwctl mlx5 reg fwctl1 MGIR        firmware version, PSID of a NIC
  fwctl --json list | jq .          the device list as JSON";

const DEV_HELP: &str = "The device: fwctlN, /dev/fwctl/fwctlN, its parent (mem0, a PCI \
address, mlx5_sim.0), a devlink handle (pci/0000:03:00.0), a netdev (eth0) or an RDMA \
device (mlx5_0) of the same function";

const SCOPE_HELP: &str = "The scope of the RPC: configuration, debug_read_only, debug_write \
or debug_write_full (or 0 to 3). Higher scopes need more privilege; debug_write and above \
taint the kernel";

/// The whole command line.
#[derive(Parser, Debug)]
#[command(
    name = "fwctl",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Print JSON instead of text (errors too, on standard error).
    #[arg(short = 'j', long, global = true)]
    pub json: bool,

    /// With --json: indent the JSON for people to read.
    #[arg(short = 'p', long, global = true, hide_short_help = true)]
    pub pretty: bool,

    /// Where sysfs is mounted (for tests on a copy of it).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "/sys",
        hide = true
    )]
    pub sysfs: PathBuf,

    /// Where the device nodes are (for tests on a copy of it).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "/dev",
        hide = true
    )]
    pub dev_dir: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// The device argument of every command that talks to one.
#[derive(Args, Debug, Clone)]
pub struct DevArg {
    #[arg(value_name = "DEV", help = DEV_HELP)]
    pub dev: String,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// List the fwctl devices with their type, parent device and driver
    #[command(
        long_about = "\
List the fwctl devices: for each, its name and number, its device type, its
parent device, the parent's driver, the PCI address above it (if any) and
its max_scope (the highest scope its RPCs may use).

Everything comes from sysfs: list opens no device (on mlx5, opening one
creates and destroys a firmware user context). The type is what sysfs shows:
cxl for a CXL memdev's device, mlx5, pds or bnxt for the auxiliary device
the fwctl driver bound beside it, else 'unknown' ('fwctl info DEV' asks the
driver).

With DEV, only that device: any name 'fwctl info' takes (fwctlN, a parent,
a PCI address, a devlink handle, a netdev, an RDMA device).",
        after_help = "Examples:\n  fwctl list\n  fwctl list mem0\n  fwctl -j list\n  fwctl -jp list pci/0000:03:00.0"
    )]
    List {
        /// Only this device (see DEV of 'fwctl info')
        #[arg(value_name = "DEV")]
        dev: Option<String>,
    },

    /// Show what the driver reports about a device (FWCTL_INFO)
    #[command(
        long_about = "\
Show a device's type and the data its driver reports through FWCTL_INFO,
decoded for the types this tool knows: for mlx5, the firmware user context
(uid) that every command of this descriptor runs in and its capabilities;
CXL devices report no data.",
        after_help = "Examples:\n  fwctl info fwctl0\n  fwctl info mem0 --json"
    )]
    Info(DevArg),

    /// Send a raw RPC to the firmware and show the answer
    #[command(
        long_about = "\
Send one RPC as it is and show the answer as a hex dump (or, with --raw, its
bytes as they are, for another program to read).

The request is in the device type's own format: for CXL, struct fwctl_rpc_cxl
(<fwctl/cxl.h>); for mlx5, a firmware command's input mailbox (the layouts
of include/linux/mlx5/mlx5_ifc.h). It comes from a file, from standard input
(--in -) or from the command line in hex (--hex). The kernel copies at most
--out-len bytes of the answer and reports its full length; a longer answer
is cut, with a note.

The scope must be one the driver accepts for this request and no higher
than the device's max_scope.",
        after_help = "\
Examples:
  # CXL Get Supported Features (0500h), header only: configuration scope
  fwctl rpc mem0 --scope configuration \\
      --hex '00050000 00000000 08000000 00000000 08000000 00000000'
  # the same request from a file, the raw answer to another file
  fwctl rpc mem0 -s configuration --in req.bin --raw > answer.bin",
        group(ArgGroup::new("request").required(true).args(["input", "hex"]))
    )]
    Rpc {
        #[command(flatten)]
        dev: DevArg,
        #[arg(long, short, value_name = "SCOPE", value_parser = parse_scope, help = SCOPE_HELP)]
        scope: Scope,
        /// Read the request from FILE ('-': standard input)
        #[arg(long = "in", value_name = "FILE")]
        input: Option<PathBuf>,
        /// The request in hex: pairs of digits, spaces, ':' or '-' allowed ("0x0005 00 00")
        #[arg(long, value_name = "HEX")]
        hex: Option<String>,
        /// Size of the answer buffer in bytes (decimal or 0x hex, up to 2 MiB)
        #[arg(long, value_name = "N", default_value = "4096", value_parser = parse_number)]
        out_len: usize,
        /// Write the answer's bytes to standard output instead of a hex dump
        #[arg(long, conflicts_with = "json")]
        raw: bool,
    },

    /// CXL memory devices: list, read and change their features
    #[command(
        subcommand,
        long_about = "\
CXL memory devices: list, read and change their features.

A CXL feature is a setting of the memory device identified by a UUID, such
as patrol scrub or DDR5 error check scrub (ECS). Listing and reading them
needs only the configuration scope; a change needs the scope its effects
call for, which 'fwctl cxl features' shows.",
        after_help = "\
Examples:
  fwctl cxl features mem0
  fwctl cxl get mem0 patrol-scrub
  fwctl cxl set mem0 patrol-scrub scrub_cycle_hours=12 enabled=yes"
    )]
    Cxl(CxlCmd),

    /// NVIDIA ConnectX (mlx5) devices: capabilities and registers
    #[command(
        subcommand,
        long_about = "\
NVIDIA ConnectX (mlx5) devices: read the device's capabilities and its
registers with firmware commands (QUERY_HCA_CAP, ACCESS_REG).

Each command is sent as the mlx5 driver of fwctl expects it: the firmware's
own input mailbox, in the descriptor's firmware user context. When the
firmware fails a command, the tool reports the firmware's status and the
syndrome that identifies the cause.",
        after_help = "\
Examples:
  fwctl mlx5 caps 0000:03:00.0
  fwctl mlx5 reg 0000:03:00.0 MGIR
  fwctl mlx5 reg fwctl1 0x9020 --json"
    )]
    Mlx5(Mlx5Cmd),
}

/// The CXL commands.
#[derive(Subcommand, Debug)]
pub enum CxlCmd {
    /// List the device's features, their sizes and the scope a change needs
    #[command(
        long_about = "\
List the device's features (CXL Get Supported Features, opcode 0500h).

For each feature: its index, UUID, name (for the features the CXL
specification defines), the largest data Get Feature returns (GET) and Set
Feature takes (SET), its flags, the effects of a change, and SET_SCOPE, the
scope a change needs: debug_write_full for a change that takes effect
immediately, debug_write for one that waits for a reset. A feature that
cannot be changed shows why in parentheses; this includes features the
kernel keeps for itself (e.g. patrol scrub when the kernel's CXL EDAC
support is built).",
        after_help = "Examples:\n  fwctl cxl features mem0\n  fwctl cxl features mem0 --json"
    )]
    Features(DevArg),

    /// Read a feature's current value, decoded
    #[command(
        long_about = "\
Read a feature's current value (CXL Get Feature, opcode 0501h) and show its
fields with their units, decoded after the CXL 3.2 specification: patrol
scrub, DDR5 ECS (each media FRU's fields under it), sPPR, hPPR and the four
kinds of memory sparing. Features are named by UUID, or by the names fwctl
knows: patrol-scrub, ecs, sppr, hppr, cacheline-sparing, row-sparing,
bank-sparing, rank-sparing. Any other feature, and any with --raw, is shown
as a hex dump. An answer shorter than the feature's data is an error.

With --json: the data in hex (\"data\") and the fields of a known feature
under \"decoded\", by the names 'fwctl cxl set' takes (the unit in the
name: scrub_cycle_hours; a reserved encoding is null). Reading needs the
configuration scope.",
        after_help = "\
Examples:
  fwctl cxl get mem0 patrol-scrub
  fwctl cxl get mem0 ecs --json
  fwctl cxl get mem0 patrol-scrub --raw
  fwctl cxl get mem0 96dad7d6-fde8-482b-a733-75774e06db8a --json"
    )]
    Get {
        #[command(flatten)]
        dev: DevArg,
        /// A feature: its UUID or a known name (patrol-scrub, ecs, sppr, ...)
        #[arg(value_name = "FEATURE")]
        feature: String,
        /// Show the data as a hex dump instead of its fields
        #[arg(long)]
        raw: bool,
    },

    /// Change a feature's fields
    #[command(
        long_about = "\
Change a feature (CXL Set Feature, opcode 0502h) by field. The tool reads
the current value (Get Feature), changes the fields given as FIELD=VALUE and
writes every other field back as it was, in the feature's writable layout
(which is not the layout Get Feature returns). The fields are those 'fwctl
cxl get --json' shows; a field of ECS's media FRUs is set on every FRU, or
on one as fruN.FIELD. Flags take yes or no (on/off, 1/0).

Settable fields:

  patrol-scrub  scrub_cycle_hours (1 to 255, at least the device's
                minimum), enabled
  ecs           log_entry_type (dram, media_fru), threshold (256, 1024,
                4096), count_mode (rows, codewords), reset_counter
                (yes: reset the error counter now)
  sppr, hppr    device_initiated, sparing_event_record,
                device_initiated_at_boot
  *-sparing     device_initiated

A value out of range, an unknown or a read-only field is a usage error (exit
status 2), found before any RPC; so is a value out of the device's own
range, found once the current value is read: below its minimum scrub cycle,
or a change its capabilities do not allow.

With --raw, HEX is written as it is from offset 0 of the feature's writable
attributes; it may be shorter than the full data, never longer. A feature
this tool does not decode also takes its data as a single argument in hex,
without --raw (as fwctl did before it knew any field).

The tool uses the scope the feature's effects call for (see 'fwctl cxl
features'). Both scopes taint the kernel; debug_write_full also needs
CAP_SYS_RAWIO and no kernel lockdown.",
        after_help = "\
Examples:
  # patrol scrub: a 24-hour cycle, enabled
  fwctl cxl set mem0 patrol-scrub scrub_cycle_hours=24 enabled=yes
  # ECS: threshold 1024 on every media FRU, codewords counted on FRU 1
  fwctl cxl set mem0 ecs threshold=1024 fru1.count_mode=codewords
  # the first change as raw writable attributes: cycle 0x18, flags 1
  fwctl cxl set mem0 patrol-scrub --raw 1801"
    )]
    Set {
        #[command(flatten)]
        dev: DevArg,
        /// A feature: its UUID or a known name (patrol-scrub, ecs, sppr, ...)
        #[arg(value_name = "FEATURE")]
        feature: String,
        /// A field and its new value (fruN.FIELD=VALUE: one media FRU's field)
        #[arg(value_name = "FIELD=VALUE", required_unless_present = "raw")]
        values: Vec<String>,
        /// Write these bytes as they are instead, in hex ("1801", "0x18 0x01")
        #[arg(long, value_name = "HEX", conflicts_with = "values")]
        raw: Option<String>,
    },
}

/// The mlx5 commands.
#[derive(Subcommand, Debug)]
pub enum Mlx5Cmd {
    /// Show the device's general capabilities (QUERY_HCA_CAP)
    #[command(
        long_about = "\
Show the device's general capabilities (the firmware command QUERY_HCA_CAP,
opcode 0x100, general device capabilities): a table of the important fields
of cmd_hca_cap with their values and meanings. Fields named log_* are base-2
logarithms; the table shows the number as well. Needs the configuration
scope.",
        after_help = "Examples:\n  fwctl mlx5 caps 0000:03:00.0\n  fwctl mlx5 caps fwctl1 --max --json"
    )]
    Caps {
        #[command(flatten)]
        dev: DevArg,
        /// Show the most the device supports instead of the current values
        #[arg(long)]
        max: bool,
    },

    /// Read a register (ACCESS_REG)
    #[command(
        long_about = "\
Read a register with the firmware command ACCESS_REG (opcode 0x805, op_mod 1:
read). REGISTER is a register id (0x9020) or one of the names this tool
knows. MGIR (Management General Information) is decoded: device id,
hardware revision, firmware version and date, PSID; any other register is
shown as a hex dump. A register with index fields (a port number, a sensor)
takes them from --data. Reading a register needs the debug_read_only scope.

Known registers: MGIR, PAOS, PTYS, PMTU, PMLP, PPCNT, PDDR, MTCAP, MTMP,
MFRL, MRTC, MPEIN, MPCNT, MCQS, MCAM.",
        after_help = "\
Examples:
  fwctl mlx5 reg 0000:03:00.0 MGIR
  fwctl mlx5 reg fwctl1 MTMP --data 00000000   # sensor 0
  fwctl mlx5 reg fwctl1 0x9020 --json"
    )]
    Reg {
        #[command(flatten)]
        dev: DevArg,
        /// The register: a name (MGIR, ...) or an id (0x9020)
        #[arg(value_name = "REGISTER")]
        register: String,
        /// Length of the register in bytes (known registers: their own; else 256)
        #[arg(long, value_name = "N", value_parser = parse_number)]
        len: Option<usize>,
        /// The first bytes of the register data sent, in hex: its index fields
        #[arg(long, value_name = "HEX")]
        data: Option<String>,
        /// The command's 32-bit argument field
        #[arg(long, value_name = "N", default_value = "0", value_parser = parse_u32)]
        argument: u32,
    },
}
