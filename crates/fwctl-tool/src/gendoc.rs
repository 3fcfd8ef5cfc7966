// SPDX-License-Identifier: GPL-2.0 OR MIT

//! `fwctl-gendoc DIR`: writes the man pages of `fwctl` (`fwctl.1` and one
//! page per subcommand, `fwctl-cxl-get.1`, ...) and its shell completions
//! (`fwctl.bash`, `_fwctl` for zsh, `fwctl.fish`) into DIR, all from the
//! clap definition the tool itself parses with.

#[allow(dead_code)]
mod cli;

use clap::{Command, CommandFactory};
use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes the page of `cmd` and of each of its subcommands but `help`
/// (whose pages would only repeat the others).
fn man_pages(cmd: &Command, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands() {
        if sub.get_name() != "help" && !sub.is_hide_set() {
            man_pages(sub, dir, written)?;
        }
    }
    let source = format!("fwctl-rs {}", env!("CARGO_PKG_VERSION"));
    let man = clap_mangen::Man::new(cmd.clone())
        .source(source)
        .manual("fwctl-rs");
    written.push(man.generate_to(dir)?);
    Ok(())
}

fn generate(dir: &PathBuf) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cli::Cli::command();
    cmd.build();
    let mut written = Vec::new();
    let man = dir.join("man");
    std::fs::create_dir_all(&man)?;
    man_pages(&cmd, &man, &mut written)?;
    let comp = dir.join("completions");
    std::fs::create_dir_all(&comp)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        written.push(clap_complete::generate_to(shell, &mut cmd, "fwctl", &comp)?);
    }
    written.sort();
    Ok(written)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: fwctl-gendoc DIR   (writes DIR/man/*.1 and DIR/completions/*)");
        return ExitCode::from(2);
    };
    match generate(&PathBuf::from(dir)) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fwctl-gendoc: {e}");
            ExitCode::FAILURE
        }
    }
}
