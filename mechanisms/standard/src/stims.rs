//! Spike sources: `NetStim` (NEURON's `netstim.mod`) and `VecStim` (NEURON's
//! `vecevent.mod`, which bmtool ships as `vecevent_coreneuron.mod`).

use mech_api::{MechInfo, Mechanism, Pack};

/// Regular or noisy spike train: `number` spikes every `interval` ms from `start`.
///
/// With `noise = 0` the spike times are NEURON's to the bit. With `noise > 0` the
/// intervals come from synaptune's own generator (SplitMix64 seeded by `seed`
/// and the instance index), not from NEURON's Random123 stream: statistics
/// match, individual spike times do not.
pub struct NetStim;

const INTERVAL: usize = 0;
const NUMBER: usize = 1;
const START: usize = 2;
const NOISE: usize = 3;
const SEED: usize = 4;
const EVENT: usize = 5;
const ON: usize = 6;
const ISPIKE: usize = 7;
const RNG_HI: usize = 8;
const RNG_LO: usize = 9;

fn rng_next(p: &mut Pack, k: usize) -> u64 {
    // SplitMix64; the state is kept as two exact 32-bit halves in f64 fields.
    let s = ((p.get(RNG_HI, k) as u64) << 32) | (p.get(RNG_LO, k) as u64);
    let s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    p.set(RNG_HI, k, (s >> 32) as f64);
    p.set(RNG_LO, k, (s & 0xFFFF_FFFF) as f64);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A unit-mean exponential deviate (`random_negexp`).
fn erand(p: &mut Pack, k: usize) -> f64 {
    // Uniform in (0, 1]: 53 random bits.
    let u = ((rng_next(p, k) >> 11) as f64 + 1.0) * (1.0 / 9_007_199_254_740_992.0);
    -u.ln()
}

fn invl(p: &mut Pack, k: usize, mean: f64) -> f64 {
    let mean = if mean <= 0.0 { 0.01 } else { mean };
    let noise = p.get(NOISE, k);
    if noise == 0.0 {
        mean
    } else {
        (1.0 - noise) * mean + noise * mean * erand(p, k)
    }
}

fn init_sequence(p: &mut Pack, k: usize) {
    if p.get(NUMBER, k) > 0.0 {
        p.set(ON, k, 1.0);
        p.set(EVENT, k, 0.0);
        p.set(ISPIKE, k, 0.0);
    }
}

fn next_invl(p: &mut Pack, k: usize) {
    if p.get(NUMBER, k) > 0.0 {
        let e = invl(p, k, p.get(INTERVAL, k));
        p.set(EVENT, k, e);
    }
    if p.get(ISPIKE, k) >= p.get(NUMBER, k) {
        p.set(ON, k, 0.0);
    }
}

impl Mechanism for NetStim {
    fn info() -> MechInfo {
        MechInfo::artificial("NetStim")
            .rank(17)
            .source("netstim.mod")
            .param("interval", "ms", 10.0)
            .limits(1e-9, 1e9)
            .param("number", "", 10.0)
            .limits(0.0, 1e9)
            .param("start", "ms", 50.0)
            .param("noise", "", 0.0)
            .limits(0.0, 1.0)
            .param("seed", "", 0.0)
            .assigned("event", "ms")
            .assigned("on", "")
            .assigned("ispike", "")
            .assigned("rng_hi", "")
            .assigned("rng_lo", "")
            .net_receive(&["w"])
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        let t = p.t();
        for k in 0..p.n() {
            // Seed the generator from `seed` and the instance index.
            let seed = (p.get(SEED, k).max(0.0) as u64) ^ ((k as u64) << 40);
            p.set(RNG_HI, k, (seed >> 32) as f64);
            p.set(RNG_LO, k, (seed & 0xFFFF_FFFF) as f64);
            p.set(ON, k, 0.0);
            p.set(ISPIKE, k, 0.0);
            let noise = p.get(NOISE, k);
            if noise < 0.0 {
                p.set(NOISE, k, 0.0);
            }
            if noise > 1.0 {
                p.set(NOISE, k, 1.0);
            }
            let (start, number) = (p.get(START, k), p.get(NUMBER, k));
            if start >= 0.0 && number > 0.0 {
                p.set(ON, k, 1.0);
                let interval = p.get(INTERVAL, k);
                let noise = p.get(NOISE, k);
                let mut event = start + invl(p, k, interval) - interval * (1.0 - noise);
                if event < 0.0 {
                    event = 0.0;
                }
                p.set(EVENT, k, event);
                p.net_send(k, t + event, 3.0);
            }
        }
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], flag: f64) {
        let t = p.t();
        if flag == 0.0 {
            if w[0] > 0.0 && p.get(ON, k) == 0.0 {
                init_sequence(p, k);
                next_invl(p, k);
                let e = p.get(EVENT, k) - p.get(INTERVAL, k) * (1.0 - p.get(NOISE, k));
                p.set(EVENT, k, e);
                p.net_send(k, t + e, 1.0);
            } else if w[0] < 0.0 {
                p.set(ON, k, 0.0);
            }
        }
        if flag == 3.0 && p.get(ON, k) == 1.0 {
            init_sequence(p, k);
            p.net_send(k, t + 0.0, 1.0);
        }
        if flag == 1.0 && p.get(ON, k) == 1.0 {
            p.set(ISPIKE, k, p.get(ISPIKE, k) + 1.0);
            p.net_event(k, t);
            next_invl(p, k);
            if p.get(ON, k) == 1.0 {
                let e = p.get(EVENT, k);
                p.net_send(k, t + e, 1.0);
            }
        }
    }
}

/// Spikes at the times of a vector (sorted, non-decreasing), given by the host
/// (`Simulation::set_artificial_vector`, NEURON's `VecStim.play`).
///
/// The mod file's `net_send(etime - t, 1)` becomes, in nocmodl's C, the event
/// time `t + etime - t` — evaluated as `(t + etime) - t`, which can differ from
/// `etime` by an ulp; that is what NEURON delivers, so that is what this does.
pub struct VecStim;

const INDEX: usize = 0;
const ETIME: usize = 1;

fn element(p: &mut Pack, k: usize) {
    let index = p.get(INDEX, k);
    if index < 0.0 {
        return;
    }
    let i = index as usize;
    let v = p.instance_vector(k);
    if i < v.len() {
        let e = v[i];
        p.set(ETIME, k, e);
        p.set(INDEX, k, (i + 1) as f64);
    } else {
        p.set(INDEX, k, -1.0);
    }
}

impl Mechanism for VecStim {
    fn info() -> MechInfo {
        MechInfo::artificial("VecStim")
            .source("vecevent.mod")
            .assigned("index", "")
            .assigned("etime", "ms")
            .net_receive(&["w"])
            .with_instance_vector()
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        let t = p.t();
        for k in 0..p.n() {
            p.set(INDEX, k, 0.0);
            element(p, k);
            if p.get(INDEX, k) > 0.0 {
                let e = p.get(ETIME, k);
                p.net_send(k, t + e - t, 1.0);
            }
        }
    }

    fn net_receive(p: &mut Pack, k: usize, _w: &mut [f64], flag: f64) {
        let t = p.t();
        if flag == 1.0 {
            p.net_event(k, t);
            element(p, k);
            if p.get(INDEX, k) > 0.0 {
                let e = p.get(ETIME, k);
                p.net_send(k, t + e - t, 1.0);
            }
        }
    }
}
