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
use crate::deferred::Deferred;
pub use crate::model::registry;
use anyhow::Result;

/// Dispatch a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Simulate(Deferred(a)) => simulate::run(a),
        Command::Mechanisms(Deferred(a)) => mechanisms::run(a),
        Command::Networks(Deferred(a)) => network::networks(a),
        Command::Connections(Deferred(a)) => network::connections(a),
        Command::Scenario(Deferred(a)) => scenario::run(a),
        Command::Demo(Deferred(a)) => demo::run(a),
        Command::SingleEvent(Deferred(a)) => tune::single_event(a),
        Command::Train(Deferred(a)) => tune::train(a),
        Command::Continuous(Deferred(a)) => tune::continuous(a),
        Command::FreqResponse(Deferred(a)) => tune::freq_response(a),
        Command::Table(Deferred(a)) => tune::table(a),
        Command::Optimize(Deferred(a)) => fit::optimize(a),
        Command::Gap(Deferred(a)) => gap::gap(a),
        Command::GapOptimize(Deferred(a)) => gap::gap_optimize(a),
        Command::GapSweep(Deferred(a)) => gap::gap_sweep(a),
        Command::Serve(Deferred(a)) => serve::run(a),
        Command::Nmodl(Deferred(a)) => nmodl::run(a),
    }
}
