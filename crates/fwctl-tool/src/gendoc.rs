// SPDX-License-Identifier: GPL-2.0

//! `fwctl-gendoc DIR`: writes the man pages of `fwctl` (`fwctl.1` and one
//! page per subcommand, `fwctl-cxl-get.1`, ...) and its shell completions
//! (`fwctl.bash`, `_fwctl` for zsh, `fwctl.fish`) into DIR, all from the
//! clap definition the tool itself parses with.

#[allow(dead_code)]
mod cli;

use clap::CommandFactory;
use clap_complete::Shell;
use std::path::PathBuf;
use std::process::ExitCode;

fn generate(dir: &PathBuf) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cli::Cli::command();
    cmd.build();
    let mut written = Vec::new();
    let man = dir.join("man");
    std::fs::create_dir_all(&man)?;
    clap_mangen::generate_to(cmd.clone(), &man)?;
    for e in std::fs::read_dir(&man)? {
        written.push(e?.path());
    }
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
