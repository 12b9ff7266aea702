//! Changing a built simulation: temperature, time step, coupling
//! conductances, parameters and globals of mechanisms, event-time vectors;
//! reading point-process and artificial-cell variables.

use super::storage::{global_index, param_index};
use super::Simulation;
use crate::error::SimError;
use crate::ids::{ArtId, CouplingId, PointId};

impl Simulation {
    /// Write the couplings' constant matrix coefficients.
    pub(super) fn refresh_couplings(&mut self) {
        // The remembered solve belongs to the old matrix (d, which also holds
        // the conductance, would differ anyway: this only keeps it obvious).
        self.memo.forget();
        for (k, &(i, j, g)) in self.couplings.iter().enumerate() {
            self.matrix.extra[2 * k] = (i, j, -(g * 1e2 / self.disc.area[i]));
            self.matrix.extra[2 * k + 1] = (j, i, -(g * 1e2 / self.disc.area[j]));
        }
    }

    /// Change an implicit coupling's conductance (µS).
    pub fn set_coupling(&mut self, c: CouplingId, g: f64) -> Result<(), SimError> {
        if !(g >= 0.0 && g.is_finite()) {
            return Err(SimError::BadSetting {
                what: "coupling conductance (µS)".into(),
                expected: "a finite number ≥ 0".into(),
                value: g,
            });
        }
        self.couplings
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("coupling {}", c.0)))?
            .2 = g;
        self.refresh_couplings();
        Ok(())
    }

    /// Set the temperature (takes effect at the next step; tables rebuild).
    pub fn set_celsius(&mut self, celsius: f64) -> Result<(), SimError> {
        let mut o = self.opts.clone();
        o.celsius = celsius;
        o.check()?;
        self.opts = o;
        self.packs_stale = true;
        Ok(())
    }

    /// Change the time step (takes effect at the next step).
    pub fn set_dt(&mut self, dt: f64) -> Result<(), SimError> {
        let mut o = self.opts.clone();
        o.dt = dt;
        o.check()?;
        self.opts = o;
        self.packs_stale = true;
        Ok(())
    }

    pub(super) fn loc_point(&self, p: PointId) -> Result<(usize, u32), SimError> {
        self.point_loc
            .get(p.0)
            .copied()
            .ok_or_else(|| SimError::BadHandle(format!("point process {}", p.0)))
    }

    pub(super) fn loc_art(&self, a: ArtId) -> Result<(usize, u32), SimError> {
        self.art_loc
            .get(a.0)
            .copied()
            .ok_or_else(|| SimError::BadHandle(format!("artificial cell {}", a.0)))
    }

    fn set_field_at(
        &mut self,
        ti: usize,
        inst: u32,
        name: &str,
        value: f64,
    ) -> Result<(), SimError> {
        let info = &self.types[ti].ty.info;
        let f = param_index(&self.types[ti].ty, name)?;
        if !value.is_finite() {
            return Err(SimError::BadSetting {
                what: format!("{}.{}", info.name, name),
                expected: "a finite number".into(),
                value,
            });
        }
        let ts = &mut self.types[ti];
        let n = ts.n;
        ts.data0[f * n + inst as usize] = value;
        ts.data[f * n + inst as usize] = value;
        self.thaw_all();
        Ok(())
    }

    /// Set a parameter of a point process (kept across initialisations).
    pub fn set_point_param(&mut self, p: PointId, name: &str, value: f64) -> Result<(), SimError> {
        let (ti, i) = self.loc_point(p)?;
        self.set_field_at(ti, i, name, value)
    }

    /// Set a parameter of an artificial cell (kept across initialisations).
    pub fn set_artificial_param(
        &mut self,
        a: ArtId,
        name: &str,
        value: f64,
    ) -> Result<(), SimError> {
        let (ti, i) = self.loc_art(a)?;
        self.set_field_at(ti, i, name, value)
    }

    /// Read any variable of a point process.
    pub fn point_value(&self, p: PointId, name: &str) -> Result<f64, SimError> {
        let (ti, i) = self.loc_point(p)?;
        let f = self.field_of(ti, name)?;
        Ok(self.types[ti].get(f, i as usize))
    }

    /// Read any variable of an artificial cell.
    pub fn artificial_value(&self, a: ArtId, name: &str) -> Result<f64, SimError> {
        let (ti, i) = self.loc_art(a)?;
        let f = self.field_of(ti, name)?;
        Ok(self.types[ti].get(f, i as usize))
    }

    /// Give an artificial cell its event-time vector (VecStim's `play`).
    pub fn set_artificial_vector(&mut self, a: ArtId, v: Vec<f64>) -> Result<(), SimError> {
        let (ti, i) = self.loc_art(a)?;
        if !self.types[ti].ty.info.instance_vector {
            return Err(SimError::WrongKind {
                mech: self.types[ti].ty.info.name.clone(),
                found: "mechanism without an instance vector",
                expected: "mechanism that plays a vector (VecStim)",
            });
        }
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(SimError::BadSetting {
                what: "event time".into(),
                expected: "finite numbers".into(),
                value: *bad,
            });
        }
        let ts = &mut self.types[ti];
        ts.vecs[i as usize] = v;
        ts.refresh_ptrs();
        self.packs_stale = true;
        Ok(())
    }

    /// Set a global of a mechanism type present in the simulation.
    pub fn set_global(&mut self, mech: &str, name: &str, value: f64) -> Result<(), SimError> {
        let ti = *self
            .mech_index
            .get(mech)
            .ok_or_else(|| SimError::UnknownMechanism {
                name: mech.to_string(),
                known: self.type_order().join(", "),
            })?;
        let k = global_index(&self.types[ti].ty.info, mech, name)?;
        self.types[ti].globals[k] = value;
        self.thaw_all();
        Ok(())
    }
}
