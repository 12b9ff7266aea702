//! # synaptune
//!
//! The command-line program. Every command takes `--json` (a machine-readable
//! result on stdout, nothing else on stdout; human-readable text goes to stderr)
//! and exits non-zero with a one-paragraph error on bad input. The contract is
//! `docs/cli.md` of the steering repository.

mod cli;
mod commands;
mod deferred;
mod interrupt;
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
    interrupt::install();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if interrupt::interrupted() || is_cancelled(&e) => {
            eprintln!("synaptune: interrupted: stopped, no output written");
            ExitCode::from(130)
        }
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

/// A simulation stopped by the cancel flag.
fn is_cancelled(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<tuner_opt::TunerError>()
            .is_some_and(|t| t.is_cancelled())
            || c.downcast_ref::<cable_core::SimError>()
                .is_some_and(|s| matches!(s, cable_core::SimError::Cancelled { .. }))
    })
}
