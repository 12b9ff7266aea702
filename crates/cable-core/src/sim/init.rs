//! NEURON's `finitialize`.

use super::Simulation;
use crate::error::SimError;

impl Simulation {
    /// NEURON's `finitialize(v_init)`: t = 0, every node's v = `v_init`, INITIAL
    /// blocks, NET_RECEIVE INITIAL blocks, events at t ≤ 0, one matrix assembly so
    /// assigned variables are consistent, and the t = 0 sample of every trace.
    pub fn finitialize(&mut self, v_init: f64) -> Result<(), SimError> {
        if !v_init.is_finite() {
            return Err(SimError::BadSetting {
                what: "v_init".into(),
                expected: "a finite voltage".into(),
                value: v_init,
            });
        }
        self.v.iter_mut().for_each(|x| *x = v_init);
        self.init_common()
    }

    /// `finitialize()` without an argument: keep the current voltages.
    pub fn finitialize_keep_v(&mut self) -> Result<(), SimError> {
        self.init_common()
    }

    fn init_common(&mut self) -> Result<(), SimError> {
        self.t = 0.0;
        self.steps = 0;
        self.quiet.valid = false;
        self.quiet.stationary = false;
        self.quiet.skipped = 0;
        self.thaw_all();
        self.freeze.replayed = 0;
        self.memo.reset();
        self.queue.clear();
        let celsius = self.opts.celsius;
        for ion in self.ions.iter_mut() {
            ion.reset();
            ion.ion_init(celsius);
        }
        for ts in self.types.iter_mut() {
            ts.data.copy_from_slice(&ts.data0);
        }
        self.transfer();
        for ti in 0..self.types.len() {
            if !self.types[ti].is_artificial() && self.types[ti].n > 0 {
                self.call_init(ti)?;
                self.wrote_conc(ti);
            }
        }
        for ti in 0..self.types.len() {
            if self.types[ti].is_artificial() && self.types[ti].n > 0 {
                self.call_init(ti)?;
            }
        }
        for p in self.presyns.iter_mut() {
            p.flag = false;
            p.spikes.clear();
        }
        for c in 0..self.conns.len() {
            let w0 = self.conns[c].weight0;
            self.conns[c].weights[0] = w0;
            let target = self.conns[c].target;
            match target {
                Some((ti, inst)) if self.types[ti].ty.has_net_init() => {
                    let w = self.conns[c].weights.as_mut_ptr();
                    let mut pp = self.ppack(ti, self.t);
                    // SAFETY: as in `deliver`.
                    let st = unsafe { self.types[ti].ty.call_net_init(&mut pp, inst, w) };
                    self.status(ti, st, "NET_RECEIVE INITIAL")?;
                    self.drain_outbox(ti)?;
                }
                _ => {
                    for w in self.conns[c].weights.iter_mut().skip(1) {
                        *w = 0.0;
                    }
                }
            }
        }
        self.deliver(self.t)?;
        self.setup_tree_matrix()?;
        for tr in self.traces.iter_mut() {
            tr.clear();
        }
        self.record_all()?;
        self.deliver(self.t)?;
        self.initialized = true;
        Ok(())
    }

    fn call_init(&mut self, ti: usize) -> Result<(), SimError> {
        let mut pp = self.ppack(ti, self.t);
        // SAFETY: pp describes storage owned by self, valid during the call.
        let st = unsafe { self.types[ti].ty.call_init(&mut pp) };
        self.status(ti, st, "INITIAL")?;
        self.drain_outbox(ti)
    }

    /// NEURON's `nrn_wrote_conc` after the INITIAL of a type that writes
    /// concentrations: reversal potentials follow the new concentrations.
    fn wrote_conc(&mut self, ti: usize) {
        use mech_api::abi::{ION_WRITE_CI, ION_WRITE_CO};
        let celsius = self.opts.celsius;
        let ts = &self.types[ti];
        for (slot, iu) in ts.ty.info.ions.iter().enumerate() {
            if iu.flags & (ION_WRITE_CI | ION_WRITE_CO) == 0 {
                continue;
            }
            let ion = &mut self.ions[ts.ion_slots[slot]];
            for &node in &ts.nodes {
                ion.wrote_conc(node as usize, celsius);
            }
        }
    }
}
