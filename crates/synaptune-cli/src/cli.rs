//! Command-line definitions (parsed without I/O; commands resolve them).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Tune synapses and gap junctions of biophysical neuron models with NEURON's numbers.
#[derive(Debug, Parser)]
#[command(name = "synaptune", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// Print a machine-readable JSON result on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Load a plugin mechanism catalogue (a shared library, or a folder of them);
    /// repeatable. A loaded mechanism with a built-in's name replaces it.
    #[arg(long = "mechanisms", value_name = "PATH", global = true)]
    pub mechanisms: Vec<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one cell with current clamps and write the recorded traces as CSV.
    Simulate(SimulateArgs),
    /// Run a scenario file: cells, point processes, stimulators, connections,
    /// gap-junction transfers and recordings described in JSON.
    Scenario(ScenarioArgs),
    /// List the mechanisms available (built in and loaded with --mechanisms).
    Mechanisms(MechanismsArgs),
    /// Run the shipped example end to end.
    Demo(DemoArgs),
}

/// `synaptune scenario`.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario (JSON; format in `cable_core::scenario`).
    #[arg(value_name = "SCENARIO.json")]
    pub file: PathBuf,
    /// Integration method (default: the first `secondorder` of the file).
    #[arg(long, value_parser = clap::value_parser!(i32).range(0..=2))]
    pub secondorder: Option<i32>,
    /// Write the traces here (default: standard output, unless --json).
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune mechanisms`.
#[derive(Debug, Args)]
pub struct MechanismsArgs {
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Cell description (synaptune-cell/1 JSON).
    #[arg(long, value_name = "CELL.json")]
    pub cell: PathBuf,
    /// Current clamp SEC:X:DELAY:DUR:AMP (ms, ms, nA); repeatable.
    #[arg(long, value_name = "SEC:X:DELAY:DUR:AMP")]
    pub iclamp: Vec<String>,
    /// Variable to record, SEC:X:VAR (v, <var>_<mech> such as m_hh, ina, ena);
    /// repeatable. Default: the soma voltage.
    #[arg(long, value_name = "SEC:X:VAR")]
    pub record: Vec<String>,
    /// Stop time (ms).
    #[arg(long, default_value_t = 5.0)]
    pub tstop: f64,
    /// Time step (ms).
    #[arg(long, default_value_t = 0.025)]
    pub dt: f64,
    /// Initial voltage of every node (mV).
    #[arg(long, default_value_t = -65.0, allow_hyphen_values = true)]
    pub v_init: f64,
    /// Temperature (°C); NEURON's default is 6.3.
    #[arg(long, default_value_t = 6.3, allow_hyphen_values = true)]
    pub celsius: f64,
    /// Integration method: 0 backward Euler (NEURON's default), 2 Crank–Nicolson.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i32).range(0..=2))]
    pub secondorder: i32,
    /// Mechanism global as NEURON names it, NAME=VALUE (e.g. usetable_hh=0); repeatable.
    #[arg(long = "global", value_name = "NAME=VALUE")]
    pub globals: Vec<String>,
    /// Write the traces here (default: standard output, unless --json).
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "synaptune-demo")]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: Common,
}
