//! # synaptune
//!
//! The command-line program. Every command takes `--json` (a machine-readable
//! result on stdout, nothing else on stdout; human-readable text goes to stderr)
//! and exits non-zero with a one-paragraph error on bad input. The contract is
//! `docs/cli.md` of the steering repository.

mod cli;
mod commands;
mod model;
mod output;
mod parse;
mod plot;
mod plots;
mod progress;
mod report;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One paragraph: the chain of causes joined on one line.
            let mut msg = format!("synaptune: error: {e}");
            for cause in e.chain().skip(1) {
                msg.push_str(&format!(": {cause}"));
            }
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

/// A closed stdout (`synaptune ... | head`) is not an error worth reporting.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
