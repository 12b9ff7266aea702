//! What the synapse tuner's protocols return: traces and results.

use crate::TunerError;
use serde::Serialize;
use stp_analysis::{Kinetics, StpMetrics};

/// bmtool's frequencies for the frequency response (Hz).
pub const BMTOOL_FREQUENCIES: [f64; 16] = [
    1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 35.0, 50.0, 100.0, 200.0,
];

/// Recorded traces of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Traces {
    /// Time (ms).
    pub t: Vec<f64>,
    /// Soma voltage at 0.5 (mV).
    pub soma_v: Vec<f64>,
    /// The clamp current (nA, positive inward), when a clamp is present.
    pub i_clamp: Option<Vec<f64>>,
    /// The synapse's current `i` (nA, positive outward).
    pub i_syn: Vec<f64>,
    /// Extra synapse variables, as asked for.
    pub extras: Vec<(String, Vec<f64>)>,
    /// Presynaptic spike times (source side, without the delay).
    pub spikes: Vec<f64>,
    /// The stop time of the run.
    pub tstop: f64,
    /// Whether the analysed current is the clamp's.
    pub clamp_measured: bool,
}

impl Traces {
    /// The analysed ("measured") current: the clamp's in voltage-clamp mode, else
    /// the synapse's.
    pub fn measured(&self) -> &[f64] {
        match (&self.i_clamp, self.clamp_measured) {
            (Some(c), true) => c,
            _ => &self.i_syn,
        }
    }

    /// Columns for CSV output: names and values.
    pub fn columns(&self) -> (Vec<String>, Vec<&[f64]>) {
        let mut names = vec!["t".to_string(), "soma_v".into()];
        let mut cols: Vec<&[f64]> = vec![&self.t, &self.soma_v];
        if let Some(c) = &self.i_clamp {
            names.push("i_clamp".into());
            cols.push(c);
        }
        names.push("i_syn".into());
        cols.push(&self.i_syn);
        for (n, v) in &self.extras {
            names.push(n.clone());
            cols.push(v);
        }
        (names, cols)
    }
}

/// Result of a single event.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleEventResult {
    /// The kinetics.
    pub kinetics: Kinetics,
    /// The traces.
    pub traces: Traces,
}

/// Result of an 8 + 4 train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainResult {
    /// Stimulus frequency (Hz).
    pub freq: f64,
    /// Recovery delay between pulses 8 and 9 (ms).
    pub delay: f64,
    /// Per-pulse amplitudes (pA).
    pub amplitudes_pa: Vec<f64>,
    /// STP metrics.
    pub metrics: StpMetrics,
    /// The traces.
    pub traces: Traces,
}

/// Result of continuous input.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousResult {
    /// Stimulus frequency (Hz).
    pub freq: f64,
    /// Stimulation duration (ms).
    pub duration: f64,
    /// Per-pulse amplitudes (pA).
    pub amplitudes_pa: Vec<f64>,
    /// The train metrics of these amplitudes (bmtool's `update_ui` computes
    /// them on continuous input too); an error when there are fewer than 12.
    pub metrics: Result<StpMetrics, stp_analysis::AnalysisError>,
    /// The traces.
    pub traces: Traces,
}

/// The frequency response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreqResponse {
    /// Frequencies (Hz).
    pub frequencies: Vec<f64>,
    /// Recovery delay (ms).
    pub delay: f64,
    /// a2/a1 per frequency.
    pub ppr: Vec<f64>,
    /// Induction per frequency.
    pub induction: Vec<f64>,
    /// Recovery per frequency.
    pub recovery: Vec<f64>,
    /// a2/a1 per frequency (bmtool 0.8's name).
    pub simple_ppr: Vec<f64>,
    /// (a2 − a1)/p90 per frequency (bmtool 0.8's `ppr`).
    pub stp_initial_p90: Vec<f64>,
    /// bmtool 0.8's induction per frequency.
    pub induction_p90: Vec<f64>,
    /// bmtool 0.8's recovery per frequency.
    pub recovery_p90: Vec<f64>,
}

/// One row of [`SynapseTuner::table`](crate::SynapseTuner::table): the kinetics and the train metrics.
pub type TableRow = Result<(Kinetics, StpMetrics), TunerError>;
