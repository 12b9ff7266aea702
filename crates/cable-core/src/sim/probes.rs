//! Recording: which variable a probe samples, by NEURON name at a location or
//! on a point process or artificial cell, the samples, the traces.

use super::faults::EXP_MASK;
use super::Simulation;
use crate::error::SimError;
use crate::ids::{ArtId, PointId};
use crate::ions::{parse_ion_var, IonVar};

/// What a recorded trace samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ProbeTarget {
    Time,
    Node(usize),
    Field {
        ti: usize,
        f: usize,
        inst: usize,
    },
    Ion {
        ion: usize,
        what: IonVar,
        node: usize,
    },
}

/// A recorded trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeId(pub usize);

impl Simulation {
    /// Record time.
    pub fn record_time(&mut self) -> ProbeId {
        self.add_target(ProbeTarget::Time)
    }

    /// Record a variable of a point process (`i`, `g`, `record_Pr`, ...).
    pub fn record_point(&mut self, p: PointId, var: &str) -> Result<ProbeId, SimError> {
        let (ti, i) = self.loc_point(p)?;
        let f = self.field_of(ti, var)?;
        Ok(self.add_target(ProbeTarget::Field {
            ti,
            f,
            inst: i as usize,
        }))
    }

    /// Record a variable of an artificial cell.
    pub fn record_artificial(&mut self, a: ArtId, var: &str) -> Result<ProbeId, SimError> {
        let (ti, i) = self.loc_art(a)?;
        let f = self.field_of(ti, var)?;
        Ok(self.add_target(ProbeTarget::Field {
            ti,
            f,
            inst: i as usize,
        }))
    }

    /// Record a range variable at `(cell, section, x)` by its NEURON name: `v`,
    /// `<var>_<mechanism>` (`m_hh`, `i_pas`), or an ion variable (`ina`, `ena`,
    /// `cai`, `cao`).
    pub fn record(
        &mut self,
        cell: usize,
        section: &str,
        x: f64,
        var: &str,
    ) -> Result<ProbeId, SimError> {
        let t = self.resolve(cell, section, x, var)?;
        Ok(self.add_target(t))
    }

    /// The value now of a range variable (see [`Simulation::record`]).
    pub fn value(&self, cell: usize, section: &str, x: f64, var: &str) -> Result<f64, SimError> {
        let t = self.resolve(cell, section, x, var)?;
        Ok(self.sample(t))
    }

    fn resolve(
        &self,
        cell: usize,
        section: &str,
        x: f64,
        var: &str,
    ) -> Result<ProbeTarget, SimError> {
        let place = format!("{section}({x})");
        let c = self
            .cells
            .get(cell)
            .ok_or_else(|| SimError::BadHandle(format!("cell {cell}")))?;
        let si = c
            .section_index(section)
            .ok_or_else(|| SimError::UnknownSection {
                cell: c.name.clone(),
                section: section.to_string(),
                known: c.section_names(),
            })?;
        if !(0.0..=1.0).contains(&x) {
            return Err(SimError::BadLocation {
                section: section.to_string(),
                x,
            });
        }
        let sn = self.disc.cells[cell].sections[si];
        let node = sn.node_exact(x);
        if var == "v" {
            return Ok(ProbeTarget::Node(node));
        }
        let membrane = x > 0.0 && x < 1.0;
        if let Some((ion, what)) = parse_ion_var(var, self.ions.iter().map(|s| s.name.as_str())) {
            let k = self.ions.iter().position(|s| s.name == ion).unwrap();
            return Ok(ProbeTarget::Ion { ion: k, what, node });
        }
        // <field>_<mech>: the mechanism must be inserted in this section.
        for m in &c.sections[si].mechanisms {
            let ty = match self.mech_index.get(&m.name) {
                Some(&ti) => ti,
                None => continue,
            };
            let suffix = format!("_{}", self.types[ty].ty.info.name);
            if let Some(field) = var.strip_suffix(&suffix) {
                if !membrane {
                    return Err(SimError::BadProbe {
                        var: var.to_string(),
                        place,
                        reason: "section ends have no membrane; use 0 < x < 1".into(),
                    });
                }
                let f = self.field_of(ty, field).map_err(|e| SimError::BadProbe {
                    var: var.to_string(),
                    place: place.clone(),
                    reason: e.to_string(),
                })?;
                let inst = self.types[ty]
                    .nodes
                    .iter()
                    .position(|&nd| nd as usize == node)
                    .expect("density instance at every membrane node");
                return Ok(ProbeTarget::Field { ti: ty, f, inst });
            }
        }
        let mechs: Vec<&str> = c.sections[si]
            .mechanisms
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        Err(SimError::BadProbe {
            var: var.to_string(),
            place,
            reason: format!(
                "expected `v`, an ion variable ({}) or <variable>_<mechanism> for a mechanism in this section ({})",
                self.ions
                    .iter()
                    .map(|s| format!("e{0}, i{0}, {0}i, {0}o", s.name))
                    .collect::<Vec<_>>()
                    .join("; "),
                if mechs.is_empty() { "none".to_string() } else { mechs.join(", ") }
            ),
        })
    }

    fn add_target(&mut self, p: ProbeTarget) -> ProbeId {
        self.probes.push(p);
        self.traces.push(Vec::new());
        ProbeId(self.probes.len() - 1)
    }

    pub(super) fn sample(&self, p: ProbeTarget) -> f64 {
        match p {
            ProbeTarget::Time => self.t,
            ProbeTarget::Node(k) => self.v[k],
            ProbeTarget::Field { ti, f, inst } => self.types[ti].get(f, inst),
            ProbeTarget::Ion { ion, what, node } => self.ions[ion].get(what, node),
        }
    }

    /// Record one sample of every probe; a non-finite sample stops the run
    /// with an error naming what produced it (nothing is recorded then).
    #[inline]
    pub(super) fn record_all(&mut self) -> Result<(), SimError> {
        if self.probes.is_empty() {
            return Ok(());
        }
        let mut nonfinite = 0u64;
        for (k, &p) in self.probes.iter().enumerate() {
            let x = self.sample(p);
            nonfinite |= u64::from(x.to_bits() & EXP_MASK == EXP_MASK);
            self.traces[k].push(x);
        }
        if nonfinite != 0 {
            return Err(self.nonfinite_record());
        }
        Ok(())
    }

    /// A recorded trace (one sample at t = 0, then one per step).
    pub fn trace(&self, p: ProbeId) -> &[f64] {
        &self.traces[p.0]
    }

    /// Move a recorded trace out of the simulation (it is left empty until the
    /// next initialisation records again).
    pub fn take_trace(&mut self, p: ProbeId) -> Vec<f64> {
        std::mem::take(&mut self.traces[p.0])
    }

    /// The error for a non-finite value about to be recorded by probe `p`.
    /// After a non-finite sample was recorded: drop this step's samples and
    /// name the first non-finite one.
    #[cold]
    #[inline(never)]
    fn nonfinite_record(&mut self) -> SimError {
        let (k, x) = self
            .probes
            .iter()
            .map(|&p| self.sample(p))
            .enumerate()
            .find(|(_, x)| !x.is_finite())
            .unwrap_or((0, f64::NAN));
        for tr in self.traces.iter_mut() {
            tr.pop();
        }
        self.nonfinite_sample(self.probes[k], x)
    }

    pub(super) fn nonfinite_sample(&self, p: ProbeTarget, value: f64) -> SimError {
        match p {
            ProbeTarget::Node(_) | ProbeTarget::Time => self.nonfinite_voltage(),
            ProbeTarget::Field { ti, f, inst } => {
                let ts = &self.types[ti];
                let place = match ts.nodes.get(inst) {
                    Some(&nd) if !ts.is_artificial() => self.node_place(nd as usize),
                    _ => format!("instance {inst}"),
                };
                SimError::NonFinite {
                    mech: Some(ts.ty.info.name.clone()),
                    variable: ts.ty.info.fields[f].name.clone(),
                    value,
                    place,
                    t: self.t,
                }
            }
            ProbeTarget::Ion { ion, what, node } => SimError::NonFinite {
                mech: None,
                variable: format!("{:?} of ion {}", what, self.ions[ion].name),
                value,
                place: self.node_place(node),
                t: self.t,
            },
        }
    }
}
