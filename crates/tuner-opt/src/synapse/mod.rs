//! [`SynapseTuner`]: bmtool's SynapseTuner on cable-core.
//!
//! One post-synaptic cell, one synapse at `(sec_id, sec_x)` with the
//! connection's `spec_syn_param`, driven through a connection with the general
//! settings' threshold, delay and weight. Protocols: a single event at `tstart`;
//! the 8 + 4 train; continuous input; the frequency response (parallel).
//!
//! Two conventions ([`Convention`]):
//!
//! | | `Default` | `Bmtool` |
//! |---|---|---|
//! | voltage clamp | a VClamp at soma(0.5) only in voltage-clamp mode | always there (bmtool leaves it on in current mode too) |
//! | 8 + 4 train | all 12 pulses through one connection (a VecStim playing the times two NetStims would produce) | two NetStims, two connections: per-connection STP state restarts at pulse 9 |
//! | analysis | `stp_analysis` `Default` | `stp_analysis` `Bmtool` (bmtool's arithmetic, quirks included) |
//!
//! Which current a protocol is measured on ([`Measure`]): by default what
//! bmtool measures — under voltage clamp the clamp (electrode) current, else
//! the synapse's — with bmtool's defects fixed in the default convention (the
//! clamp current's own baseline, the holding current just before the first
//! pulse, instead of bmtool's mix of the clamp's baseline and the synaptic
//! current); [`SynapseTuner::set_measure`] chooses explicitly.
//!
//! Where a run starts: single events from `finitialize(v_init)` (bmtool's
//! `h.run()`); trains and continuous input from `finitialize(v_init)` in the
//! default convention and from `finitialize(+70 mV)` under `Bmtool`, as
//! bmtool 0.8.7's `_simulate_model` does (on cells with slow currents the
//! start is still visible at `tstart`).
//!
//! Every protocol's cost is computed before it runs and refused beyond the
//! tuner's [`Budget`](crate::Budget); a set [`Cancel`](crate::Cancel) flag
//! stops its simulations.

mod checkpoint;
mod lanes;
mod memo;
mod prefix;
mod results;
mod runs;
mod serial;
mod stimulus;

pub use checkpoint::TrainStart;
pub use lanes::TRAIN_LANES;
pub use results::{
    ContinuousResult, FreqResponse, SingleEventResult, TableRow, Traces, TrainResult,
    BMTOOL_FREQUENCIES,
};
pub use runs::FREQ_LANES;
pub(crate) use serial::{random_among, serial_notice};
pub use stimulus::train_times;

use crate::settings::{Connection, TunerSettings};
use crate::{Budget, Cancel, TunerError};
use cable_core::CellSpec;
use mech_api::{FieldKind, Kind, Registry};
use std::collections::HashMap;
pub use stp_analysis::Convention;

/// Which current the responses are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The synapse's current (`current_name`, default `i`).
    Synapse,
    /// The voltage clamp's (electrode) current: what a recording gives.
    Clamp,
}

impl std::str::FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Measure, String> {
        match s {
            "synapse" => Ok(Measure::Synapse),
            "clamp" => Ok(Measure::Clamp),
            _ => Err(format!("unknown measure `{s}`; expected synapse or clamp")),
        }
    }
}

/// bmtool's SynapseTuner.
#[derive(Debug, Clone)]
pub struct SynapseTuner {
    reg: Registry,
    settings: TunerSettings,
    current: usize,
    cells: HashMap<String, CellSpec>,
    convention: Convention,
    vclamp: bool,
    extra: Vec<String>,
    warnings: Vec<String>,
    /// The synapse variable that is its current (bmtool's `current_name`).
    current_name: String,
    /// Which current is measured (`None`: the convention's choice).
    measure: Option<Measure>,
    budget: Budget,
    cancel: Option<Cancel>,
    /// Starts saved by earlier runs (`memo.rs`), shared by clones.
    starts: std::sync::Arc<memo::StartMemo>,
}

impl SynapseTuner {
    /// A tuner over `settings`, on connection `connection` (default: the first),
    /// with mechanisms from `reg`. Every post cell named by a connection is loaded
    /// and checked now.
    pub fn new(
        reg: Registry,
        settings: TunerSettings,
        connection: Option<&str>,
        convention: Convention,
    ) -> Result<SynapseTuner, TunerError> {
        let current = match connection {
            Some(n) => {
                settings.connection(n)?;
                settings
                    .connections
                    .iter()
                    .position(|c| c.name == n)
                    .unwrap()
            }
            None => 0,
        };
        let mut t = SynapseTuner {
            vclamp: settings.general.vclamp,
            current_name: settings
                .current_name
                .clone()
                .unwrap_or_else(|| "i".to_string()),
            measure: None,
            budget: Budget::default(),
            cancel: None,
            reg,
            settings,
            current,
            cells: HashMap::new(),
            convention,
            extra: Vec::new(),
            warnings: Vec::new(),
            starts: Default::default(),
        };
        t.load_cell()?;
        Ok(t)
    }

    fn load_cell(&mut self) -> Result<(), TunerError> {
        let name = self.connection().spec_settings.post_cell.clone();
        if !self.cells.contains_key(&name) {
            let allen = self.settings.allen_cells.iter().find(|(k, _)| *k == name);
            let cell = match allen {
                Some((_, a)) => a.build(&name, &self.reg)?.cell,
                None => crate::load_cell_file(self.settings.cell_path(&name)?, &name, &self.reg)?,
            };
            cell.check_mechanisms(&self.reg)?;
            self.cells.insert(name, cell);
        }
        self.check_connection()
    }

    /// Check the current connection: section index, mechanism, parameters.
    fn check_connection(&mut self) -> Result<(), TunerError> {
        let conn = self.connection().clone();
        let cell = &self.cells[&conn.spec_settings.post_cell];
        if conn.spec_settings.sec_id >= cell.sections.len() {
            return Err(TunerError::SectionIndex {
                connection: conn.name.clone(),
                sec_id: conn.spec_settings.sec_id,
                cell: cell.name.clone(),
                sections: cell.section_names(),
            });
        }
        if let Some(reason) = self.reg.unavailable(&conn.spec_settings.level_of_detail) {
            return Err(TunerError::UnavailableMechanism {
                connection: conn.name.clone(),
                mechanism: conn.spec_settings.level_of_detail.clone(),
                reason: reason.to_string(),
            });
        }
        let ty = self
            .reg
            .get(&conn.spec_settings.level_of_detail)
            .ok_or_else(|| TunerError::UnknownMechanism {
                connection: conn.name.clone(),
                mechanism: conn.spec_settings.level_of_detail.clone(),
                known: self
                    .reg
                    .types()
                    .iter()
                    .filter(|t| t.info.kind == Kind::Point && t.info.has_net_receive())
                    .map(|t| t.info.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if ty.info.kind != Kind::Point || !ty.info.has_net_receive() {
            return Err(TunerError::NotASynapse {
                connection: conn.name.clone(),
                mechanism: ty.info.name.clone(),
            });
        }
        self.warnings
            .retain(|w| !w.starts_with(&format!("{}: ", conn.name)));
        for (k, _) in conn.numeric_params() {
            let ok = ty
                .info
                .field_index(&k)
                .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter);
            if !ok {
                // bmtool prints a warning and skips such keys.
                self.warnings.push(format!(
                    "{}: `{k}` is not a parameter of {} and is ignored",
                    conn.name, ty.info.name
                ));
            }
        }
        for (k, v) in &conn.spec_syn_param {
            if v.is_number() || k == "level_of_detail" {
                continue;
            }
            let is_param = ty
                .info
                .field_index(k)
                .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter);
            if is_param {
                return Err(TunerError::NonNumericParameter {
                    connection: conn.name.clone(),
                    key: k.clone(),
                    value: v.to_string(),
                    mechanism: ty.info.name.clone(),
                });
            }
            self.warnings.push(format!(
                "{}: spec_syn_param `{k}` = {v} is not a number and is ignored",
                conn.name
            ));
        }
        let current_ok = ty
            .info
            .field_index(&self.current_name)
            .is_some_and(|f| ty.info.fields[f].kind != FieldKind::Parameter);
        if !current_ok {
            return Err(TunerError::UnknownVariable {
                mechanism: ty.info.name.clone(),
                name: format!("{} (current_name)", self.current_name),
                known: ty
                    .info
                    .fields
                    .iter()
                    .filter(|f| f.kind != FieldKind::Parameter)
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        for v in &self.extra {
            if ty.info.field_index(v).is_none() {
                return Err(TunerError::UnknownVariable {
                    mechanism: ty.info.name.clone(),
                    name: v.clone(),
                    known: ty
                        .info
                        .fields
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }

    /// The current connection.
    pub fn connection(&self) -> &Connection {
        &self.settings.connections[self.current]
    }

    /// The current connection's post cell, as the tuner simulates it (read
    /// from its cell file, or built from an Allen/BMTK node's files).
    pub fn cell(&self) -> &CellSpec {
        &self.cells[&self.connection().spec_settings.post_cell]
    }

    /// The mechanisms it builds with.
    pub fn registry(&self) -> &Registry {
        &self.reg
    }

    /// The settings (with any overrides applied).
    pub fn settings(&self) -> &TunerSettings {
        &self.settings
    }

    /// The convention in use.
    pub fn convention(&self) -> Convention {
        self.convention
    }

    /// Warnings collected while checking connections (ignored parameters).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Switch to another connection.
    pub fn switch_connection(&mut self, name: &str) -> Result<(), TunerError> {
        self.settings.connection(name)?;
        let previous = self.current;
        self.current = self
            .settings
            .connections
            .iter()
            .position(|c| c.name == name)
            .unwrap();
        if let Err(e) = self.load_cell() {
            self.current = previous;
            return Err(e);
        }
        Ok(())
    }

    /// The work budget every protocol is checked against (default
    /// [`Budget::DEFAULT`]).
    pub fn set_budget(&mut self, b: Budget) {
        self.budget = b;
    }

    /// The work budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Stop every simulation of this tuner (and its clones) once `flag` is set.
    pub fn set_cancel(&mut self, flag: Option<Cancel>) {
        self.cancel = flag;
    }

    /// The cancel flag, when there is one.
    pub fn cancel_flag(&self) -> Option<&Cancel> {
        self.cancel.as_ref()
    }

    /// Which synapse variable is its current (bmtool's `current_name`;
    /// default the settings' `current_name`, else `i`).
    pub fn set_current_name(&mut self, name: &str) -> Result<(), TunerError> {
        let old = std::mem::replace(&mut self.current_name, name.to_string());
        if let Err(e) = self.check_connection() {
            self.current_name = old;
            return Err(e);
        }
        Ok(())
    }

    /// The synapse variable recorded as its current.
    pub fn current_name(&self) -> &str {
        &self.current_name
    }

    /// Measure the responses on this current (`None`: the convention's
    /// choice, the clamp's under voltage clamp, else the synapse's).
    pub fn set_measure(&mut self, m: Option<Measure>) {
        self.measure = m;
    }

    /// The explicit choice of measured current, if any.
    pub fn measure(&self) -> Option<Measure> {
        self.measure
    }

    /// Voltage-clamp mode on or off (default: `general_settings.vclamp`).
    pub fn set_vclamp(&mut self, on: bool) {
        self.vclamp = on;
    }

    /// Whether voltage-clamp mode is on.
    pub fn vclamp(&self) -> bool {
        self.vclamp
    }

    /// Set a synaptic parameter of the current connection by name.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), TunerError> {
        let mech = self.connection().spec_settings.level_of_detail.clone();
        let ty = self.synapse_type();
        let ok = ty
            .info
            .field_index(name)
            .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter);
        if !ok {
            return Err(TunerError::UnknownParameter {
                mechanism: mech,
                name: name.to_string(),
                known: ty.info.parameter_names().join(", "),
            });
        }
        if !value.is_finite() {
            return Err(TunerError::BadValue {
                what: format!("{mech}.{name}"),
                value,
            });
        }
        self.settings.connections[self.current].set_param(name, value);
        Ok(())
    }

    /// The current value of a synaptic parameter (given, or the mechanism's default).
    pub fn param(&self, name: &str) -> Option<f64> {
        if let Some((_, v)) = self
            .connection()
            .numeric_params()
            .into_iter()
            .find(|(k, _)| k == name)
        {
            return Some(v);
        }
        let ty = self.synapse_type();
        ty.info.field_index(name).map(|f| ty.info.fields[f].default)
    }

    /// The current connection's synapse type (checked when it was loaded).
    fn synapse_type(&self) -> &mech_api::MechType {
        self.reg
            .get(&self.connection().spec_settings.level_of_detail)
            .expect("checked when the connection was loaded")
    }

    /// Record extra synapse variables (`record_Pr`, `record_use`, ...).
    pub fn set_extra_records(&mut self, vars: &[String]) -> Result<(), TunerError> {
        let old = std::mem::replace(&mut self.extra, vars.to_vec());
        if let Err(e) = self.check_connection() {
            self.extra = old;
            return Err(e);
        }
        Ok(())
    }

    fn synapse_params(&self) -> Vec<(String, f64)> {
        let ty = self.synapse_type();
        self.connection()
            .numeric_params()
            .into_iter()
            .filter(|(k, _)| {
                ty.info
                    .field_index(k)
                    .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter)
            })
            .collect()
    }
}
