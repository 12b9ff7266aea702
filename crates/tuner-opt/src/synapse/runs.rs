//! The protocols: single event, 8 + 4 train, continuous input, frequency
//! response, the per-connection table.

use super::stimulus::Stim;
use super::{
    ContinuousResult, FreqResponse, SingleEventResult, SynapseTuner, TableRow, Traces, TrainResult,
};
use crate::{TunerError, Work};
use rayon::prelude::*;
use stp_analysis::Convention;

/// At most this many trains share one simulation in
/// [`SynapseTuner::freq_response`]: over bmtool's 16 frequencies on two
/// threads, one train per simulation 256 ms, pairs 217 ms, up to three or
/// four 218–222 ms (`cargo bench --bench compare_neuron`).
pub const FREQ_LANES: usize = 2;

impl SynapseTuner {
    /// Traces one run records: time, soma voltage, the clamp's current when
    /// there is a clamp, the synapse's current, the extra variables.
    fn n_traces(&self) -> usize {
        3 + usize::from(self.has_clamp()) + self.extra.len()
    }

    /// The cost of `count` runs of `stim`.
    pub(super) fn run_work(&self, stim: Stim, count: f64) -> Work {
        let what = match stim {
            Stim::Single => "a single event".to_string(),
            Stim::Train { freq, delay } => {
                format!("an 8 + 4 train at {freq} Hz with a {delay} ms recovery delay")
            }
            Stim::Continuous { freq, duration } => {
                format!("continuous input at {freq} Hz for {duration} ms")
            }
        };
        let mut w = Work::new(what);
        let dt = self.settings.general.dt;
        w.add_runs(count, self.tstop(stim), dt, self.n_traces());
        w
    }

    /// The cost of the single event, the 8 + 4 train or both, `count` times
    /// (an optimisation's evaluations).
    pub fn evaluation_work(
        &self,
        single_event: bool,
        train: Option<(f64, f64)>,
        count: f64,
    ) -> Work {
        let mut w = Work::new("");
        if single_event {
            w.add(&self.run_work(Stim::Single, 1.0), count);
        }
        if let Some((freq, delay)) = train {
            w.add(&self.run_work(Stim::Train { freq, delay }, 1.0), count);
        }
        w
    }

    /// Refuse `w` beyond the budget; refuse measuring a clamp that is not there.
    pub fn check_work(&self, w: &Work) -> Result<(), TunerError> {
        if self.measure == Some(super::Measure::Clamp) && !self.has_clamp() {
            return Err(TunerError::Measure(
                "--measure clamp: there is no voltage clamp in current mode (give --vclamp, or general_settings.vclamp: true, or measure the synapse)".into(),
            ));
        }
        self.budget.check(w)
    }

    /// A single event at `tstart` (bmtool's `SingleEvent`).
    pub fn single_event(&self) -> Result<SingleEventResult, TunerError> {
        self.check_work(&self.run_work(Stim::Single, 1.0))?;
        let traces = self.run(Stim::Single)?;
        let g = &self.settings.general;
        let event_time = *traces.spikes.first().ok_or(TunerError::NoEvent)?;
        let opts = stp_analysis::EventOptions {
            dt: g.dt,
            event_time,
            tstart: g.tstart,
            tdur: g.tdur,
            rise_interval: g.rise_interval,
            convention: self.convention,
        };
        let kinetics =
            stp_analysis::single_event(&traces.t, traces.measured(), &traces.i_syn, &opts)?;
        Ok(SingleEventResult { kinetics, traces })
    }

    /// Per-pulse amplitudes (pA) of a pulse protocol's traces.
    fn amplitudes(&self, traces: &Traces) -> Result<Vec<f64>, TunerError> {
        let g = &self.settings.general;
        let opts = stp_analysis::TrainOptions {
            dt: g.dt,
            delay: g.delay,
            tstop: traces.tstop,
            convention: self.convention,
        };
        // bmtool measures the synaptic current with the baseline and sign of
        // the measured trace (the clamp's under voltage clamp); otherwise the
        // measured trace with its own baseline: the holding current just
        // before the first pulse under voltage clamp.
        let bmtool_mix = self.convention == Convention::Bmtool && self.measure.is_none();
        let on = if bmtool_mix {
            &traces.i_syn
        } else {
            traces.measured()
        };
        Ok(stp_analysis::pulse_amplitudes(
            &traces.t,
            traces.measured(),
            on,
            &traces.spikes,
            &opts,
        )?)
    }

    /// The 8 + 4 train at `freq` Hz with `delay` ms between pulses 8 and 9.
    pub fn train(&self, freq: f64, delay: f64) -> Result<TrainResult, TunerError> {
        check_train(freq, delay)?;
        let stim = Stim::Train { freq, delay };
        self.check_work(&self.run_work(stim, 1.0))?;
        let traces = self.run(stim)?;
        self.train_result(freq, delay, traces)
    }

    /// Amplitudes and STP metrics of a train's traces.
    pub(super) fn train_result(
        &self,
        freq: f64,
        delay: f64,
        traces: Traces,
    ) -> Result<TrainResult, TunerError> {
        let amplitudes_pa = self.amplitudes(&traces)?;
        let metrics = stp_analysis::stp_metrics(&amplitudes_pa)?;
        Ok(TrainResult {
            freq,
            delay,
            amplitudes_pa,
            metrics,
            traces,
        })
    }

    /// Pulses at `freq` Hz for `duration` ms (bmtool's continuous input mode).
    pub fn continuous(&self, freq: f64, duration: f64) -> Result<ContinuousResult, TunerError> {
        check_freq(freq)?;
        if !(duration > 0.0 && duration.is_finite()) {
            return Err(TunerError::BadValue {
                what: "duration (ms)".into(),
                value: duration,
            });
        }
        let stim = Stim::Continuous { freq, duration };
        self.check_work(&self.run_work(stim, 1.0))?;
        let traces = self.run(stim)?;
        let amplitudes_pa = self.amplitudes(&traces)?;
        Ok(ContinuousResult {
            freq,
            duration,
            metrics: stp_analysis::stp_metrics(&amplitudes_pa),
            amplitudes_pa,
            traces,
        })
    }

    /// The train metrics over a list of frequencies, run in parallel;
    /// `progress` is called once per finished frequency.
    pub fn freq_response(
        &self,
        freqs: &[f64],
        delay: f64,
        progress: &(dyn Fn() + Sync),
    ) -> Result<FreqResponse, TunerError> {
        if freqs.is_empty() {
            return Err(TunerError::BadValue {
                what: "number of frequencies".into(),
                value: 0.0,
            });
        }
        let mut work = Work::new(format!(
            "a frequency response over {} frequencies ({} Hz lowest) with a {delay} ms recovery delay",
            freqs.len(),
            freqs.iter().copied().fold(f64::INFINITY, f64::min)
        ));
        for &f in freqs {
            check_freq(f)?;
            work.add(&self.run_work(Stim::Train { freq: f, delay }, 1.0), 1.0);
        }
        check_train(freqs[0], delay)?;
        self.check_work(&work)?;
        // Trains of similar length in pairs (two lanes per simulation: about
        // two thirds of the time of the two alone), longest first, each group
        // taken by the next free thread (greedy list scheduling): the 1 Hz
        // train alone is a third of the work, and rayon's halving of the list
        // would pair it with the next longest.
        let protocols: Vec<(f64, f64)> = freqs.iter().map(|&f| (f, delay)).collect();
        // For a model that draws random numbers, one train after another
        // (`serial.rs`): each group is one train, taken in order by one worker.
        let serial = self.draws_random();
        let groups = if serial {
            (0..protocols.len()).map(|i| vec![i]).collect()
        } else {
            self.lane_groups(&protocols, FREQ_LANES)
        };
        // The stretch before the first event, run once for all the trains.
        let prefix = self.train_prefix(&protocols);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(Vec::with_capacity(freqs.len()));
        let workers = if serial {
            1
        } else {
            rayon::current_num_threads().clamp(1, groups.len())
        };
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(g) = groups.get(k) else { break };
                    for (i, r) in self.group_trains(&protocols, g, prefix.as_ref()) {
                        progress();
                        crate::lock(&done).push((i, r.map(|r| r.metrics)));
                    }
                });
            }
        });
        let mut results = done.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|(i, _)| *i);
        let mut out = FreqResponse {
            frequencies: freqs.to_vec(),
            delay,
            ppr: Vec::new(),
            induction: Vec::new(),
            recovery: Vec::new(),
            simple_ppr: Vec::new(),
            stp_initial_p90: Vec::new(),
            induction_p90: Vec::new(),
            recovery_p90: Vec::new(),
        };
        for (_, r) in results {
            let m = r?;
            out.ppr.push(m.ppr);
            out.induction.push(m.induction);
            out.recovery.push(m.recovery);
            out.simple_ppr.push(m.simple_ppr);
            out.stp_initial_p90.push(m.stp_initial_p90);
            out.induction_p90.push(m.induction_p90);
            out.recovery_p90.push(m.recovery_p90);
        }
        Ok(out)
    }

    /// One row per connection: kinetics of the single event and the train
    /// metrics at `freq`/`delay` (bmtool's `generate_synaptic_table`).
    pub fn table(&self, freq: f64, delay: f64) -> Vec<(String, TableRow)> {
        let names = self.settings.connection_names();
        let mut work = Work::new(format!(
            "a table of {} connections (a single event and a {freq} Hz train each)",
            names.len()
        ));
        work.add(
            &self.evaluation_work(true, Some((freq, delay)), 1.0),
            names.len() as f64,
        );
        let refused = || check_train(freq, delay).and_then(|_| self.check_work(&work));
        if refused().is_err() {
            // Every row gets the refusal (the error is not Clone: made anew).
            return names
                .into_iter()
                .map(|n| (n, refused().map(|_| unreachable!())))
                .collect();
        }
        let tuners: Vec<Result<SynapseTuner, TunerError>> = names
            .par_iter()
            .map(|n| {
                let mut t = self.clone();
                t.switch_connection(n).map(|_| t)
            })
            .collect();
        let row = |t: Result<SynapseTuner, TunerError>| {
            let t = t?;
            let k = t.single_event()?.kinetics;
            let m = t.train(freq, delay)?.metrics;
            Ok((k, m))
        };
        // Rows of models that draw random numbers go one after another, in
        // order, as bmtool's loop (`serial.rs`).
        let rows: Vec<_> = if tuners.iter().flatten().any(|t| t.draws_random()) {
            tuners.into_iter().map(row).collect()
        } else {
            tuners.into_par_iter().map(row).collect()
        };
        names.into_iter().zip(rows).collect()
    }
}

/// A train's frequency and recovery delay are usable.
pub(super) fn check_train(freq: f64, delay: f64) -> Result<(), TunerError> {
    check_freq(freq)?;
    if !(delay >= 0.0 && delay.is_finite()) {
        return Err(TunerError::BadValue {
            what: "train delay (ms)".into(),
            value: delay,
        });
    }
    Ok(())
}

/// A frequency is usable (0 < f ≤ 10 kHz).
fn check_freq(freq: f64) -> Result<(), TunerError> {
    if !(freq > 0.0 && freq.is_finite() && freq <= 10_000.0) {
        return Err(TunerError::BadValue {
            what: "frequency (Hz, 0 < f ≤ 10000)".into(),
            value: freq,
        });
    }
    Ok(())
}
