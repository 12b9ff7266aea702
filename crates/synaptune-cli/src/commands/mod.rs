//! Command implementations: one file per command or family of commands, each
//! taking its arguments from [`crate::cli`].

mod demo;
mod fit;
mod gap;
mod mechanisms;
mod network;
mod nmodl;
mod scenario;
mod serve;
mod simulate;
mod tune;

use crate::cli::{Cli, Command};
pub use crate::model::registry;
use anyhow::Result;

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
        Command::Gap(a) => gap::gap(a),
        Command::GapOptimize(a) => gap::gap_optimize(a),
        Command::GapSweep(a) => gap::gap_sweep(a),
        Command::Serve(a) => serve::run(a),
        Command::Nmodl(a) => nmodl::run(a),
    }
}
