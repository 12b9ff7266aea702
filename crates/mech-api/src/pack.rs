//! [`Pack`]: the safe face of a [`PPack`] that mechanism code is written against.

use crate::abi::{IonState, PPack};

/// NEURON's voltage increment for the numerical conductance, `g = (I(v+dv) − I(v))/dv`.
pub const DV: f64 = 0.001;

/// View of one mechanism type's data during one call.
///
/// Instances are indexed `0..n()`. Field and ion indices are the positions in the
/// mechanism's [`crate::MechInfo`]. Accessors check indices (a bad index panics,
/// which the export trampolines turn into an error at the ABI boundary).
///
/// The pack copies the counts and pointers every field and voltage access
/// reads (`Hot`) when it is made: the compiler then keeps them in registers
/// instead of reloading them from the descriptor after every store to a
/// field (which might, as far as it can tell, have changed them).
pub struct Pack<'a> {
    pp: &'a mut PPack,
    hot: Hot,
    weights: *mut f64,
}

/// The descriptor's values read on every access, copied out of it.
#[derive(Clone, Copy)]
struct Hot {
    n: usize,
    n_nodes: usize,
    n_fields: usize,
    node_index: *const u32,
    v: *const f64,
    fields: *const *mut f64,
}

impl<'a> Pack<'a> {
    /// Wrap a raw pack.
    ///
    /// # Safety
    /// `pp` must be valid, and every pointer in it must address arrays of the
    /// lengths its counts state, for the lifetime `'a`.
    pub unsafe fn from_raw(pp: *mut PPack) -> Pack<'a> {
        // SAFETY: the caller guarantees `pp` is valid; the descriptor holds only
        // counts and pointers and is not changed during a call.
        let pp = &mut *pp;
        let hot = Hot {
            n: pp.n as usize,
            n_nodes: pp.n_nodes as usize,
            n_fields: pp.n_fields as usize,
            node_index: pp.node_index,
            v: pp.v,
            fields: pp.fields,
        };
        Pack {
            pp,
            hot,
            weights: std::ptr::null_mut(),
        }
    }

    pub(crate) fn set_weights(&mut self, w: *mut f64) {
        self.weights = w;
    }

    /// Number of instances.
    #[inline]
    pub fn n(&self) -> usize {
        self.hot.n
    }

    /// Length of the NET_RECEIVE weight vector.
    #[inline]
    pub fn n_weights(&self) -> usize {
        self.pp.n_weights as usize
    }

    /// Current time (ms).
    #[inline]
    pub fn t(&self) -> f64 {
        self.pp.t
    }

    /// Time step (ms).
    #[inline]
    pub fn dt(&self) -> f64 {
        self.pp.dt
    }

    /// Temperature (°C).
    #[inline]
    pub fn celsius(&self) -> f64 {
        self.pp.celsius
    }

    /// NEURON's `secondorder` (0 or 2).
    #[inline]
    pub fn secondorder(&self) -> i32 {
        self.pp.secondorder
    }

    /// Node of instance `i`.
    #[inline]
    pub fn node(&self, i: usize) -> usize {
        assert!(i < self.hot.n && !self.hot.node_index.is_null());
        // SAFETY: bounds checked above; the host guarantees `n` entries.
        let k = unsafe { *self.hot.node_index.add(i) } as usize;
        assert!(k < self.hot.n_nodes);
        k
    }

    /// Membrane potential at instance `i`'s node.
    #[inline]
    pub fn v(&self, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: `node` checked k < n_nodes.
        unsafe { *self.hot.v.add(k) }
    }

    /// Area (µm²) of instance `i`'s node.
    #[inline]
    pub fn area(&self, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: as in `v`.
        unsafe { *self.pp.area.add(k) }
    }

    #[inline]
    fn field_ptr(&self, f: usize, i: usize) -> *mut f64 {
        assert!(f < self.hot.n_fields && i < self.hot.n);
        // SAFETY: `fields` has n_fields pointers, each to n doubles.
        unsafe { (*self.hot.fields.add(f)).add(i) }
    }

    /// Field `f` of instance `i`.
    #[inline]
    pub fn get(&self, f: usize, i: usize) -> f64 {
        // SAFETY: checked in field_ptr.
        unsafe { *self.field_ptr(f, i) }
    }

    /// Set field `f` of instance `i`.
    #[inline]
    pub fn set(&mut self, f: usize, i: usize, x: f64) {
        // SAFETY: checked in field_ptr.
        unsafe { *self.field_ptr(f, i) = x }
    }

    /// Field `f` of instances `i .. i + N` (lane-vectorised kernels).
    #[inline]
    pub fn get_lanes<const N: usize>(&self, f: usize, i: usize) -> [f64; N] {
        assert!(i + N <= self.hot.n);
        // SAFETY: field_ptr checks f and i; i + N − 1 < n is asserted above,
        // and a field's n doubles are contiguous.
        unsafe { std::ptr::read_unaligned(self.field_ptr(f, i) as *const [f64; N]) }
    }

    /// Set field `f` of instances `i .. i + N`.
    #[inline]
    pub fn set_lanes<const N: usize>(&mut self, f: usize, i: usize, x: [f64; N]) {
        assert!(i + N <= self.hot.n);
        // SAFETY: as in `get_lanes`.
        unsafe { std::ptr::write_unaligned(self.field_ptr(f, i) as *mut [f64; N], x) }
    }

    /// Field `f` of instances `i`, `i + 1` (two-lane kernels).
    #[inline]
    pub fn get2(&self, f: usize, i: usize) -> [f64; 2] {
        self.get_lanes(f, i)
    }

    /// Set field `f` of instances `i`, `i + 1`.
    #[inline]
    pub fn set2(&mut self, f: usize, i: usize, x: [f64; 2]) {
        self.set_lanes(f, i, x)
    }

    /// Field `f` of instances `i .. i + 4` (four-lane kernels).
    #[inline]
    pub fn get4(&self, f: usize, i: usize) -> [f64; 4] {
        self.get_lanes(f, i)
    }

    /// Set field `f` of instances `i .. i + 4`.
    #[inline]
    pub fn set4(&mut self, f: usize, i: usize, x: [f64; 4]) {
        self.set_lanes(f, i, x)
    }

    /// Membrane potentials at the nodes of instances `i .. i + 4`.
    #[inline]
    pub fn v4(&self, i: usize) -> [f64; 4] {
        [self.v(i), self.v(i + 1), self.v(i + 2), self.v(i + 3)]
    }

    /// The host-provided vector of instance `i` (empty when none).
    #[inline]
    pub fn instance_vector(&self, i: usize) -> &[f64] {
        assert!(i < self.hot.n);
        if self.pp.inst_vec.is_null() || self.pp.inst_vec_len.is_null() {
            return &[];
        }
        // SAFETY: the host provides n pointers and n lengths.
        unsafe {
            let p = *self.pp.inst_vec.add(i);
            let n = *self.pp.inst_vec_len.add(i) as usize;
            if p.is_null() || n == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(p, n)
            }
        }
    }

    /// Global `g`.
    #[inline]
    pub fn global(&self, g: usize) -> f64 {
        assert!(g < self.pp.n_globals as usize);
        // SAFETY: bounds checked.
        unsafe { *self.pp.globals.add(g) }
    }

    /// Set global `g` (NMODL code may assign a GLOBAL; the value persists, as the
    /// mechanism's global does in NEURON).
    #[inline]
    pub fn set_global(&mut self, g: usize, x: f64) {
        assert!(g < self.pp.n_globals as usize);
        // SAFETY: bounds checked; the host owns `n_globals` writable doubles.
        unsafe { *self.pp.globals.add(g) = x }
    }

    /// The private per-type storage.
    #[inline]
    pub fn scratch(&mut self) -> &mut [f64] {
        if self.pp.scratch_len == 0 {
            return &mut [];
        }
        // SAFETY: the host allocated scratch_len doubles.
        unsafe { std::slice::from_raw_parts_mut(self.pp.scratch, self.pp.scratch_len as usize) }
    }

    #[inline]
    fn ion(&self, slot: usize) -> IonState {
        assert!(slot < self.pp.n_ions as usize);
        // SAFETY: bounds checked.
        unsafe { *self.pp.ions.add(slot) }
    }

    /// Reversal potential of ion `slot` at instance `i`.
    #[inline]
    pub fn ion_e(&self, slot: usize, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).e.add(k) }
    }

    /// Inner concentration of ion `slot` at instance `i`.
    #[inline]
    pub fn ion_ci(&self, slot: usize, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).ci.add(k) }
    }

    /// Outer concentration of ion `slot` at instance `i`.
    #[inline]
    pub fn ion_co(&self, slot: usize, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).co.add(k) }
    }

    /// Total current of ion `slot` at instance `i`'s node.
    #[inline]
    pub fn ion_i(&self, slot: usize, i: usize) -> f64 {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).i.add(k) }
    }

    /// Set the inner concentration of ion `slot` at instance `i`.
    #[inline]
    pub fn set_ion_ci(&mut self, slot: usize, i: usize, x: f64) {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).ci.add(k) = x }
    }

    /// Set the outer concentration of ion `slot` at instance `i`.
    #[inline]
    pub fn set_ion_co(&mut self, slot: usize, i: usize, x: f64) {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).co.add(k) = x }
    }

    /// Set the reversal potential of ion `slot` at instance `i`.
    #[inline]
    pub fn set_ion_e(&mut self, slot: usize, i: usize, x: f64) {
        let k = self.node(i);
        // SAFETY: per-node array, k < n_nodes.
        unsafe { *self.ion(slot).e.add(k) = x }
    }

    /// Add a density mechanism's ionic current to ion `slot`, as nocmodl does:
    /// `di/dv += (ix(v+DV) − ix(v))/DV; i += ix(v)`.
    #[inline]
    pub fn add_ion_current(&mut self, slot: usize, i: usize, ix_plus: f64, ix: f64) {
        let k = self.node(i);
        let st = self.ion(slot);
        // SAFETY: per-node arrays, k < n_nodes.
        unsafe {
            *st.didv.add(k) += (ix_plus - ix) / DV;
            *st.i.add(k) += ix;
        }
    }

    /// Add a point process's ionic current (nA) to ion `slot`, converted to
    /// mA/cm² as nocmodl does: `di/dv += (ix(v+DV) − ix(v))/DV·1e2/area;
    /// i += ix(v)·1e2/area`.
    #[inline]
    pub fn add_point_ion_current(&mut self, slot: usize, i: usize, ix_plus: f64, ix: f64) {
        let k = self.node(i);
        let st = self.ion(slot);
        // SAFETY: per-node arrays, k < n_nodes.
        unsafe {
            let area = *self.pp.area.add(k);
            *st.didv.add(k) += (ix_plus - ix) / DV * 1.0e2 / area;
            *st.i.add(k) += ix * 1.0e2 / area;
        }
    }

    #[inline]
    fn rhs_d(&mut self, k: usize, rhs: f64, g: f64, electrode: bool) {
        // SAFETY: k < n_nodes (from `node`).
        unsafe {
            if electrode {
                *self.pp.rhs.add(k) += rhs;
                *self.pp.d.add(k) -= g;
            } else {
                *self.pp.rhs.add(k) -= rhs;
                *self.pp.d.add(k) += g;
            }
        }
    }

    /// Contribute a density mechanism's membrane current (mA/cm², outward
    /// positive), given its values at `v + DV` and at `v`.
    #[inline]
    pub fn density_current(&mut self, i: usize, cur_plus: f64, cur: f64) {
        let k = self.node(i);
        let g = (cur_plus - cur) / DV;
        self.rhs_d(k, cur, g, false);
    }

    /// Contribute a density mechanism's ELECTRODE_CURRENT (mA/cm², inward positive).
    #[inline]
    pub fn density_electrode_current(&mut self, i: usize, cur_plus: f64, cur: f64) {
        let k = self.node(i);
        let g = (cur_plus - cur) / DV;
        self.rhs_d(k, cur, g, true);
    }

    /// Contribute a point process's current (nA, outward positive), given its
    /// values at `v + DV` and at `v`; converted with NEURON's `1e2/area`.
    #[inline]
    pub fn point_current(&mut self, i: usize, cur_plus: f64, cur: f64) {
        let k = self.node(i);
        // SAFETY: k < n_nodes.
        let area = unsafe { *self.pp.area.add(k) };
        let mut g = (cur_plus - cur) / DV;
        g *= 1.0e2 / area;
        let rhs = cur * (1.0e2 / area);
        self.rhs_d(k, rhs, g, false);
    }

    /// Contribute a point process's ELECTRODE_CURRENT (nA, inward positive).
    #[inline]
    pub fn point_electrode_current(&mut self, i: usize, cur_plus: f64, cur: f64) {
        let k = self.node(i);
        // SAFETY: k < n_nodes.
        let area = unsafe { *self.pp.area.add(k) };
        let mut g = (cur_plus - cur) / DV;
        g *= 1.0e2 / area;
        let rhs = cur * (1.0e2 / area);
        self.rhs_d(k, rhs, g, true);
    }

    /// Queue a self event for instance `i` at absolute time `t_deliver` (NMODL's
    /// `net_send(t_deliver - t, flag)`); inside NET_RECEIVE the event carries the
    /// weights of the event being handled.
    pub fn net_send(&mut self, i: usize, t_deliver: f64, flag: f64) {
        assert!(i < self.n());
        // SAFETY: host pointer valid for the call.
        unsafe {
            let h = &*self.pp.host;
            (h.net_send)(h.ctx, i as u32, t_deliver, flag, self.weights);
        }
    }

    /// Move instance `i`'s latest self event with flag 1 to absolute time
    /// `t_new` (NMODL's `net_move(t_new)` in NET_RECEIVE; ABI 1.3).
    pub fn net_move(&mut self, i: usize, t_new: f64) {
        assert!(i < self.n());
        // SAFETY: host pointer valid for the call; a 1.3 host provides net_move.
        unsafe {
            let h = &*self.pp.host;
            (h.net_move)(h.ctx, i as u32, t_new);
        }
    }

    /// Emit a spike from instance `i` at time `t` (NMODL's `net_event(t)`).
    pub fn net_event(&mut self, i: usize, t: f64) {
        assert!(i < self.n());
        // SAFETY: host pointer valid for the call.
        unsafe {
            let h = &*self.pp.host;
            (h.net_event)(h.ctx, i as u32, t);
        }
    }

    pub(crate) fn report_error(&mut self, msg: &str) {
        if self.pp.host.is_null() {
            return;
        }
        // SAFETY: host pointer valid for the call.
        unsafe {
            let h = &*self.pp.host;
            (h.report_error)(h.ctx, msg.as_ptr(), msg.len());
        }
    }
}
