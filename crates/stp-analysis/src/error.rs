//! The error type of every analysis function.

/// What went wrong in an analysis. Every public function returns this instead of
/// panicking; the message names the input and the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// A trace or list that must hold data is empty.
    #[error("{what} is empty")]
    Empty {
        /// Which input (`"t"`, `"i_measured"`, `"event_times"`, ...).
        what: &'static str,
    },
    /// Two traces that must be sampled together have different lengths.
    #[error("{what} has {got} samples but t has {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length of the time vector.
        expected: usize,
    },
    /// A sample is NaN or infinite.
    #[error("{what}[{index}] is not finite ({value})")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Index of the first bad sample.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// An option is out of its domain.
    #[error("{name} = {value} is invalid: {reason}")]
    InvalidOption {
        /// The option (`"dt"`, `"rise_interval"`, ...).
        name: &'static str,
        /// The value given.
        value: f64,
        /// What the option must satisfy.
        reason: &'static str,
    },
    /// The time vector is not the fixed-step grid `t[0] + k·dt`.
    #[error(
        "t is not sampled every dt = {dt} ms: t[{index}] = {value} ms, expected {expected} ms"
    )]
    TimeGrid {
        /// The time step given in the options.
        dt: f64,
        /// The first sample off the grid.
        index: usize,
        /// Its time.
        value: f64,
        /// `t[0] + index·dt`.
        expected: f64,
    },
    /// A time falls outside the recorded trace.
    #[error("{what} = {time} ms is outside the trace [{first}, {last}] ms")]
    OutOfRange {
        /// Which time (`"event_time"`, `"t_start"`, ...).
        what: &'static str,
        /// The time.
        time: f64,
        /// First sample time.
        first: f64,
        /// Last sample time.
        last: f64,
    },
    /// The trace holds no synaptic response where one is expected.
    #[error("no response: {reason}")]
    NoResponse {
        /// Why (flat trace, no local maximum, ...).
        reason: &'static str,
    },
    /// The exponential decay fit failed.
    #[error("exponential fit did not converge after {evaluations} evaluations: {reason}")]
    FitDidNotConverge {
        /// Why it stopped.
        reason: &'static str,
        /// Function evaluations spent (the budget is scipy's 600).
        evaluations: usize,
    },
    /// `stp_metrics` needs the 8 + 4 train.
    #[error("need at least 12 pulse amplitudes (8 + 4 train), got {got}")]
    TooFewAmplitudes {
        /// How many were given.
        got: usize,
    },
    /// A pulse window other than the last holds no sample (bmtool raises here too).
    #[error("pulse window {index} ([{start_ms}, {end_ms}) ms) holds no sample of the trace")]
    EmptyWindow {
        /// 0-based pulse index.
        index: usize,
        /// Window start (event + delay).
        start_ms: f64,
        /// Window end (next event + delay, or tstop + delay).
        end_ms: f64,
    },
    /// A metric's denominator is zero.
    #[error("{what} is zero, so {metric} is undefined")]
    ZeroDenominator {
        /// The zero quantity (`"a1"`, `"max amplitude"`, `"90th percentile"`, `"v1 change"`).
        what: &'static str,
        /// The metric that needs it.
        metric: &'static str,
    },
}
