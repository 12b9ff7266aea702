//! Command implementations.

mod demo;
mod fit;
mod mechanisms;
mod network;
pub mod nmodl;
mod scenario;
pub mod serve;
mod simulate;
pub mod tune;

use crate::cli::{Cli, Command, Common};
use anyhow::{Context, Result};
use mech_api::Registry;

/// Dispatch a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Mechanisms(a) => mechanisms::run(a),
        Command::Networks(a) => network::networks(a),
        Command::Connections(a) => network::connections(a),
        Command::Scenario(a) => scenario::run(a),
        Command::Demo(a) => demo::run(a),
        Command::SingleEvent(a) => tune::single_event(a),
        Command::Train(a) => tune::train(a),
        Command::Continuous(a) => tune::continuous(a),
        Command::FreqResponse(a) => tune::freq_response(a),
        Command::Table(a) => tune::table(a),
        Command::Optimize(a) => fit::optimize(a),
        Command::Gap(a) => fit::gap(a),
        Command::GapOptimize(a) => fit::gap_optimize(a),
        Command::GapSweep(a) => fit::gap_sweep(a),
        Command::Serve(a) => serve::run(a),
        Command::Nmodl(a) => nmodl::run(a),
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

pub use network::sonata_settings;
