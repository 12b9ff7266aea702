//! Command implementations.

mod mechanisms;
mod scenario;
mod simulate;

use crate::cli::{Cli, Command, Common};
use anyhow::{Context, Result};
use mech_api::Registry;

/// Dispatch a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Mechanisms(a) => mechanisms::run(a),
        Command::Scenario(a) => scenario::run(a),
        Command::Demo(a) => {
            let _ = a;
            eprintln!("synaptune demo: not yet: the synapse tuner lands with a later release; `synaptune simulate` works today");
            Ok(())
        }
    }
}

/// The standard catalogue plus every `--mechanisms` library, in order; replaced
/// built-ins are reported on stderr.
pub fn registry(common: &Common) -> Result<Registry> {
    let mut reg = standard_mechanisms::registry();
    for path in &common.mechanisms {
        let cats = mech_api::load_path(path)
            .with_context(|| format!("loading mechanisms from {}", path.display()))?;
        for cat in &cats {
            for notice in reg.add(cat) {
                eprintln!("synaptune: notice: {notice}");
            }
        }
    }
    Ok(reg)
}
