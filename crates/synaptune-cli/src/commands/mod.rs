//! Command implementations.

mod simulate;

use crate::cli::{Cli, Command};
use anyhow::Result;

/// Dispatch a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Demo(a) => {
            let _ = a;
            eprintln!("synaptune demo: not yet: the synapse tuner lands with a later release; `synaptune simulate` works today");
            Ok(())
        }
    }
}
