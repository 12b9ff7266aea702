//! Host-owned storage of the mechanism types (struct of arrays, one
//! [`TypeStore`] per type), name lookups into it, and the packs that describe
//! it to a mechanism call.

use super::Simulation;
use crate::error::SimError;
use crate::ions::IonStore;
use mech_api::abi::{IonState, PPack};
use mech_api::{FieldKind, Kind, MechInfo, MechType};
use std::sync::Arc;

/// Host-owned storage of one mechanism type.
pub(crate) struct TypeStore {
    pub ty: Arc<MechType>,
    pub n: usize,
    pub nodes: Vec<u32>,
    pub data: Vec<f64>,
    /// Values given at build time (restored at every initialisation).
    pub data0: Vec<f64>,
    pub(super) field_ptrs: Vec<*mut f64>,
    pub globals: Vec<f64>,
    pub scratch: Vec<f64>,
    pub ion_slots: Vec<usize>,
    pub(super) ion_states: Vec<IonState>,
    pub vecs: Vec<Vec<f64>>,
    pub(super) vec_ptrs: Vec<*const f64>,
    pub(super) vec_lens: Vec<u32>,
}

impl TypeStore {
    /// Whether this is an artificial cell's type (instances without a node).
    pub fn is_artificial(&self) -> bool {
        self.ty.info.kind == Kind::Artificial
    }

    pub fn new(
        ty: Arc<MechType>,
        n: usize,
        nodes: Vec<u32>,
        data: Vec<f64>,
        globals: Vec<f64>,
        ion_slots: Vec<usize>,
    ) -> TypeStore {
        let scratch = vec![0.0; ty.info.scratch_len];
        let mut t = TypeStore {
            ty,
            n,
            nodes,
            data0: data.clone(),
            data,
            field_ptrs: Vec::new(),
            globals,
            scratch,
            ion_slots,
            ion_states: Vec::new(),
            vecs: vec![Vec::new(); n],
            vec_ptrs: vec![std::ptr::null(); n],
            vec_lens: vec![0; n],
        };
        t.refresh_ptrs();
        t
    }

    pub(super) fn refresh_ptrs(&mut self) {
        let n = self.n;
        let base = self.data.as_mut_ptr();
        self.field_ptrs = (0..self.ty.info.fields.len())
            // SAFETY: f * n + 0 is within (or one past the end of) `data`.
            .map(|f| unsafe { base.add(f * n) })
            .collect();
        for i in 0..n {
            self.vec_ptrs[i] = self.vecs[i].as_ptr();
            self.vec_lens[i] = self.vecs[i].len() as u32;
        }
    }

    pub(super) fn bind_ions(&mut self, ions: &mut [IonStore]) {
        self.ion_states = self
            .ion_slots
            .iter()
            .map(|&k| IonState {
                e: ions[k].e.as_mut_ptr(),
                i: ions[k].i.as_mut_ptr(),
                didv: ions[k].didv.as_mut_ptr(),
                ci: ions[k].ci.as_mut_ptr(),
                co: ions[k].co.as_mut_ptr(),
            })
            .collect();
    }

    pub fn get(&self, f: usize, i: usize) -> f64 {
        self.data[f * self.n + i]
    }

    pub fn set(&mut self, f: usize, i: usize, x: f64) {
        self.data[f * self.n + i] = x;
    }
}

/// The field index of parameter `name` of a mechanism type.
pub(crate) fn param_index(ty: &MechType, name: &str) -> Result<usize, SimError> {
    ty.info
        .field_index(name)
        .filter(|&k| ty.info.fields[k].kind == FieldKind::Parameter)
        .ok_or_else(|| SimError::UnknownField {
            mech: ty.info.name.clone(),
            what: "parameter",
            name: name.to_string(),
            known: ty.info.parameter_names().join(", "),
        })
}

/// The field index of variable `name` (any field) of a mechanism type.
pub(crate) fn variable_index(info: &MechInfo, name: &str) -> Result<usize, SimError> {
    info.field_index(name)
        .ok_or_else(|| SimError::UnknownField {
            mech: info.name.clone(),
            what: "variable",
            name: name.to_string(),
            known: info
                .fields
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The index of global `name` of mechanism type `mech`.
pub(crate) fn global_index(info: &MechInfo, mech: &str, name: &str) -> Result<usize, SimError> {
    info.global_index(name)
        .ok_or_else(|| SimError::UnknownField {
            mech: mech.to_string(),
            what: "global",
            name: name.to_string(),
            known: info
                .globals
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl Simulation {
    pub(super) fn field_of(&self, ti: usize, name: &str) -> Result<usize, SimError> {
        variable_index(&self.types[ti].ty.info, name)
    }

    pub(super) fn ppack(&mut self, ti: usize, t: f64) -> PPack {
        let ts = &mut self.types[ti];
        PPack {
            n: ts.n as u32,
            n_nodes: self.v.len() as u32,
            n_fields: ts.ty.info.fields.len() as u32,
            n_globals: ts.globals.len() as u32,
            n_ions: ts.ion_states.len() as u32,
            scratch_len: ts.scratch.len() as u32,
            n_weights: ts.ty.info.weights.len() as u32,
            node_index: if ts.nodes.is_empty() {
                std::ptr::null()
            } else {
                ts.nodes.as_ptr()
            },
            v: self.v.as_ptr(),
            rhs: self.rhs.as_mut_ptr(),
            d: self.d.as_mut_ptr(),
            area: self.disc.area.as_ptr(),
            t,
            dt: self.opts.dt,
            celsius: self.opts.celsius,
            secondorder: self.opts.secondorder,
            fields: ts.field_ptrs.as_ptr(),
            globals: ts.globals.as_mut_ptr(),
            scratch: ts.scratch.as_mut_ptr(),
            ions: ts.ion_states.as_ptr(),
            host: &*self.host.api,
            inst_vec: if ts.ty.info.instance_vector {
                ts.vec_ptrs.as_ptr()
            } else {
                std::ptr::null()
            },
            inst_vec_len: if ts.ty.info.instance_vector {
                ts.vec_lens.as_ptr()
            } else {
                std::ptr::null()
            },
        }
    }

    /// Rebuild the per-step packs if anything they point to or carry changed.
    #[inline]
    pub(super) fn refresh_packs(&mut self) {
        if self.packs_stale {
            self.rebuild_packs();
        }
    }

    /// Rebuild the stepped types' packs (a pointer, `dt` or `celsius` changed).
    #[cold]
    #[inline(never)]
    fn rebuild_packs(&mut self) {
        self.stepped = (0..self.types.len())
            .filter(|&ti| self.types[ti].n > 0 && !self.types[ti].is_artificial())
            .collect();
        self.packs = (0..self.stepped.len())
            .map(|k| self.ppack(self.stepped[k], self.t))
            .collect();
        self.packs_stale = false;
        self.setup_freeze();
    }
}
