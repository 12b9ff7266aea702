//! Command-line definitions (parsed without I/O; commands resolve them).
//!
//! The doc comments below are clap's `--help` text, read in a terminal, where
//! `<cell>` and `<var>` are placeholders, not HTML.
#![allow(rustdoc::invalid_html_tags)]

use crate::deferred::Deferred;
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
    /// Load a mechanism catalogue: a shared library, a folder of them, or a
    /// folder of NEURON .mod files (compiled on first use, cached by content in
    /// $SYNAPTUNE_CACHE_DIR or ~/.cache/synaptune); repeatable. A loaded
    /// mechanism with a built-in's name replaces it.
    #[arg(long = "mechanisms", value_name = "PATH", global = true)]
    pub mechanisms: Vec<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one cell with current clamps and write the recorded traces as CSV.
    Simulate(Deferred<SimulateArgs>),
    /// Run a scenario file: cells, point processes, stimulators, connections,
    /// gap-junction transfers and recordings described in JSON.
    Scenario(Deferred<ScenarioArgs>),
    /// List the networks (edge populations) of a SONATA/BMTK config.
    Networks(Deferred<NetworksArgs>),
    /// List the connection types of a config (or of a settings file).
    Connections(Deferred<ConnectionsArgs>),
    /// List the mechanisms available (built in and loaded with --mechanisms).
    Mechanisms(Deferred<MechanismsArgs>),
    /// Run the shipped example end to end.
    Demo(Deferred<DemoArgs>),
    /// A single synaptic event at tstart: kinetics (bmtool's SingleEvent).
    SingleEvent(Deferred<SingleEventArgs>),
    /// The 8 + 4 train: per-pulse amplitudes and STP metrics.
    Train(Deferred<TrainArgs>),
    /// Pulses at a frequency for a duration: per-pulse amplitudes.
    Continuous(Deferred<ContinuousArgs>),
    /// The train metrics over a list of frequencies (run in parallel).
    FreqResponse(Deferred<FreqResponseArgs>),
    /// One row per connection: kinetics and STP metrics.
    Table(Deferred<TableArgs>),
    /// Fit synaptic parameters to target metrics.
    Optimize(Deferred<OptimizeArgs>),
    /// Coupling coefficient of a gap-junction pair at one conductance.
    Gap(Deferred<GapArgs>),
    /// Find the gap conductance that gives a target coupling coefficient.
    GapOptimize(Deferred<GapOptimizeArgs>),
    /// Coupling coefficients over a range of conductances (in parallel).
    GapSweep(Deferred<GapSweepArgs>),
    /// The interactive tuner in the browser: a local web page on 127.0.0.1.
    Serve(Deferred<ServeArgs>),
    /// Compile a folder of NMODL .mod files into a mechanism catalogue.
    Nmodl(Deferred<NmodlArgs>),
}

/// `synaptune optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Target metric, METRIC=VALUE (induction, ppr, recovery, simple_ppr,
    /// max_amplitude, *_p90, rise_time, decay_time, latency, half_width, amp, ...);
    /// repeatable.
    #[arg(long = "target", value_name = "METRIC=VALUE", required = true)]
    pub targets: Vec<String>,
    /// Parameter to fit with its bounds, NAME=LO:HI; repeatable.
    #[arg(long = "bound", value_name = "NAME=LO:HI", required = true)]
    pub bounds: Vec<String>,
    /// Weight of a metric in the cost, METRIC=W (default 1); repeatable.
    #[arg(long = "weight", value_name = "METRIC=W")]
    pub weights: Vec<String>,
    /// Also run the single event at every evaluation (for kinetics targets).
    #[arg(long)]
    pub single_event: bool,
    /// Do not run the train (only single-event metrics).
    #[arg(long)]
    pub no_train: bool,
    /// Train frequency (Hz).
    #[arg(long, default_value_t = 50.0)]
    pub freq: f64,
    /// Train recovery delay (ms).
    #[arg(long, default_value_t = 250.0, allow_hyphen_values = true)]
    pub delay: f64,
    /// Method: lm (Levenberg–Marquardt), gradient (projected BFGS, SLSQP's role),
    /// nelder-mead, pso (particle swarm with multi-start).
    #[arg(long, default_value = "lm")]
    pub method: String,
    /// Start point: middle of the bounds, or random (with --seed).
    #[arg(long, default_value = "middle", value_parser = ["middle", "random"])]
    pub init: String,
    /// Seed for random starts and swarms.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Independent starts of the particle swarm.
    #[arg(long, default_value_t = 3)]
    pub starts: usize,
    /// Simulation budget.
    #[arg(long, default_value_t = 500)]
    pub max_evaluations: usize,
    /// Trains per simulation (lanes, 1 to 8) when a round has more
    /// evaluations than threads, as the swarm's do; the same numbers, only
    /// the time differs (1: one simulation each).
    #[arg(long, default_value_t = tuner_opt::FIT_LANES)]
    pub lanes: usize,
    /// Write a plot (.svg/.png): cost per evaluation and the final train.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// The work budget (see `tuner_opt::Budget`).
#[derive(Debug, Args, Clone, Default)]
pub struct BudgetArgs {
    /// Refuse a protocol that needs more simulation steps than this, summed
    /// over its runs (default 1e9; `synaptune serve`: 2e7 per request).
    #[arg(long, value_name = "N")]
    pub max_steps: Option<f64>,
    /// Refuse a run that would record more traces than this many MiB
    /// (default 2048; `synaptune serve`: 256 per request).
    #[arg(long, value_name = "MiB")]
    pub max_memory: Option<f64>,
}

/// The gap-junction model.
#[derive(Debug, Args, Clone)]
pub struct GapModelArgs {
    /// Gap-junction settings (bmtool's gap tuner dictionaries).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "config",
        conflicts_with = "config"
    )]
    pub settings: Option<PathBuf>,
    /// A SONATA/BMTK config: its gap-junction edge types between cells of one
    /// template, as bmtool's GapJunctionTuner(config=...) derives them; its
    /// components.mechanisms_dir is loaded as if given with --mechanisms.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With --config: folder of <cell>.json cell files (default: the templates dir).
    #[arg(long, value_name = "DIR", requires = "config")]
    pub cells: Option<PathBuf>,

    /// Connection type (default: the first).
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,
    /// Couple the cells implicitly (one matrix, sparse LU) instead of NEURON's
    /// one-step-lagged transfer.
    #[arg(long)]
    pub implicit: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// `synaptune gap`.
#[derive(Debug, Args)]
pub struct GapArgs {
    #[command(flatten)]
    pub model: GapModelArgs,
    /// Gap conductance g (µS).
    #[arg(
        long,
        value_name = "G",
        required_unless_present = "resistance",
        conflicts_with = "resistance",
        allow_hyphen_values = true
    )]
    pub g: Option<f64>,
    /// bmtool's name for the same value (it is the conductance g in µS).
    #[arg(long, value_name = "G")]
    pub resistance: Option<f64>,
    /// Write the two soma voltages as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub traces: Option<PathBuf>,
    /// Plot the two soma voltages (.svg/.png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune gap-optimize`.
#[derive(Debug, Args)]
pub struct GapOptimizeArgs {
    #[command(flatten)]
    pub model: GapModelArgs,
    /// The coupling coefficient to reach.
    #[arg(long, value_name = "CC", allow_hyphen_values = true)]
    pub target_cc: f64,
    /// Conductance bounds LO:HI (µS).
    #[arg(long, value_name = "LO:HI", default_value = "1e-4:1e-2")]
    pub bounds: String,
    /// Plot the search and the final traces (.svg/.png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune gap-sweep`.
#[derive(Debug, Args)]
pub struct GapSweepArgs {
    #[command(flatten)]
    pub model: GapModelArgs,
    /// Conductance range LO:HI (µS).
    #[arg(long = "g", value_name = "LO:HI")]
    pub range: String,
    /// Number of conductances.
    #[arg(long, default_value_t = 20)]
    pub n: usize,
    /// Space them logarithmically.
    #[arg(long)]
    pub log: bool,
    /// Plot coupling against conductance (.svg/.png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// Which arithmetic the tuner commands use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Compat {
    /// synaptune's definitions (docs/cli.md).
    #[default]
    Default,
    /// bmtool 0.8's numbers, quirks included.
    Bmtool,
}

/// The model a tuner command works on.
#[derive(Debug, Args, Clone)]
pub struct ModelArgs {
    /// Tuner settings (JSON mirroring bmtool's general_settings and conn_type_settings).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "config",
        conflicts_with = "config"
    )]
    pub settings: Option<PathBuf>,
    /// A SONATA/BMTK simulation or circuit config to derive connection types from.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With --config: the edge population (network) to use.
    #[arg(long, value_name = "NAME")]
    pub network: Option<String>,
    /// With --config: folder of <post_cell>.json cell files (default: the templates dir).
    #[arg(long, value_name = "DIR")]
    pub cells: Option<PathBuf>,
    /// NEURON hoc templates (bmtool's templates_dir): a .hoc file or a folder
    /// of them, read for every post cell that has no cell file.
    #[arg(long, value_name = "PATH")]
    pub templates: Option<PathBuf>,
    /// Connection type (default: the first).
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,
    /// Override a synaptic parameter, NAME=VALUE; repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// A folder of <connection>.json files updating spec_syn_param (bmtool's json_folder_path).
    #[arg(long, value_name = "DIR")]
    pub json_folder: Option<PathBuf>,
    /// Conventions: synaptune's definitions, or bmtool 0.8's numbers.
    #[arg(long, value_enum, default_value_t = Compat::Default)]
    pub compat: Compat,
    /// Voltage-clamp mode (overrides general_settings.vclamp).
    #[arg(long, conflicts_with = "no_vclamp")]
    pub vclamp: bool,
    /// Current mode (overrides general_settings.vclamp).
    #[arg(long)]
    pub no_vclamp: bool,
    /// Extra synapse variable to record (record_Pr, record_use, ...); repeatable.
    #[arg(long = "record", value_name = "VAR")]
    pub record: Vec<String>,
    /// Which synapse variable is its current (bmtool's current_name; default
    /// the settings' current_name, else i).
    #[arg(long, value_name = "VAR")]
    pub current_name: Option<String>,
    /// Measure the responses on the synapse's current or on the voltage
    /// clamp's (default: the clamp's under voltage clamp, else the synapse's).
    #[arg(long, value_enum)]
    pub measure: Option<MeasureArg>,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// `--measure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MeasureArg {
    /// The synapse's current.
    Synapse,
    /// The voltage clamp's (electrode) current.
    Clamp,
}

/// Where traces and plots go.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Write the recorded traces as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub traces: Option<PathBuf>,
    /// Write a plot (.svg or .png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// `synaptune single-event`.
#[derive(Debug, Args)]
pub struct SingleEventArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Stimulus frequency (Hz).
    #[arg(long, default_value_t = 50.0, allow_hyphen_values = true)]
    pub freq: f64,
    /// Recovery delay between pulses 8 and 9 (ms).
    #[arg(long, default_value_t = 250.0, allow_hyphen_values = true)]
    pub delay: f64,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune continuous`.
#[derive(Debug, Args)]
pub struct ContinuousArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Stimulus frequency (Hz).
    #[arg(long, default_value_t = 50.0, allow_hyphen_values = true)]
    pub freq: f64,
    /// Stimulation duration (ms).
    #[arg(long, default_value_t = 300.0, allow_hyphen_values = true)]
    pub duration: f64,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune freq-response`.
#[derive(Debug, Args)]
pub struct FreqResponseArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Frequencies (Hz), comma separated (default: bmtool's 16).
    #[arg(long, value_delimiter = ',', value_name = "F1,F2,...")]
    pub freqs: Vec<f64>,
    /// Recovery delay between pulses 8 and 9 (ms).
    #[arg(long, default_value_t = 250.0, allow_hyphen_values = true)]
    pub delay: f64,
    /// Write the three-panel plot (.svg or .png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune table`.
#[derive(Debug, Args)]
pub struct TableArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Train frequency (Hz).
    #[arg(long, default_value_t = 50.0)]
    pub freq: f64,
    /// Recovery delay (ms).
    #[arg(long, default_value_t = 250.0, allow_hyphen_values = true)]
    pub delay: f64,
    /// Also write the table as CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune scenario`.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario (JSON; format in `cable_scenario::scenario`).
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

/// `synaptune networks`.
#[derive(Debug, Args)]
pub struct NetworksArgs {
    /// The SONATA/BMTK simulation or circuit config.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    #[command(flatten)]
    pub common: Common,
}

/// `synaptune connections`.
#[derive(Debug, Args)]
pub struct ConnectionsArgs {
    /// A SONATA/BMTK simulation or circuit config.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "settings",
        conflicts_with = "settings"
    )]
    pub config: Option<PathBuf>,
    /// With --config: one network (edge population) only.
    #[arg(long, value_name = "NAME")]
    pub network: Option<String>,
    /// A tuner settings file instead of a config.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Print every connection's spec_settings and spec_syn_param.
    #[arg(long)]
    pub full: bool,
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

/// `synaptune nmodl`.
#[derive(Debug, Args)]
pub struct NmodlArgs {
    /// Folder of .mod files (every *.mod in it is translated).
    #[arg(value_name = "MODDIR")]
    pub moddir: PathBuf,
    /// Where the catalogue library is written (with the generated crate in
    /// OUTDIR/build and cargo's output in OUTDIR/target, kept for fast rebuilds).
    #[arg(long, value_name = "OUTDIR")]
    pub out: PathBuf,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `synaptune serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Gap-junction settings for the page's gap-junction tab (default: `gap.json`
    /// beside --settings when there is one, else the model's post cells coupled at
    /// section 0 with bmtool's gap-tuner defaults).
    #[arg(long, value_name = "FILE")]
    pub gap: Option<PathBuf>,
    /// Port on 127.0.0.1 (0: any free port). Nothing listens on other interfaces.
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    #[command(flatten)]
    pub common: Common,
}
