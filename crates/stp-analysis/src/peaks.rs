//! Where each pulse of a train peaks on the synaptic current: the samples a
//! plot numbers its pulses at.

/// For each presynaptic event, the sample of `i_syn` farthest from its value
/// at the first window's start, within the event's window: from
/// `floor((event + delay)/dt)` to the next event's window start (the last to
/// the end of the trace). Times are relative to the first sample. Events whose
/// window holds no sample get `None`.
///
/// ```
/// let i = [0.0, 0.0, -1.0, -0.5, 0.0, -2.0, -1.0];
/// assert_eq!(stp_analysis::pulse_peaks(&i, &[0.0, 2.0], 1.0, 1.0), vec![Some(2), Some(5)]);
/// ```
pub fn pulse_peaks(i_syn: &[f64], event_times: &[f64], delay: f64, dt: f64) -> Vec<Option<usize>> {
    let n = i_syn.len();
    let mut bounds: Vec<usize> = event_times
        .iter()
        .map(|s| ((s + delay) / dt).floor().max(0.0) as usize)
        .collect();
    bounds.push(n);
    let base = bounds
        .first()
        .and_then(|&i| i_syn.get(i))
        .copied()
        .unwrap_or(0.0);
    bounds
        .windows(2)
        .map(|w| {
            let (lo, hi) = (w[0].min(n), w[1].min(n));
            (lo..hi).max_by(|&i, &j| (i_syn[i] - base).abs().total_cmp(&(i_syn[j] - base).abs()))
        })
        .collect()
}
