//! The density mechanisms a template may insert: each one's `PARAMETER`s with
//! their defaults and the ions it uses. Built from the tuner's
//! [`mech_api::Registry`] (built-in catalogues and mechanisms compiled from the
//! user's `.mod` folder), so `gnabar_hh` splits into mechanism `hh`,
//! parameter `gnabar` exactly where NEURON would find that range variable.

use mech_api::{FieldKind, Kind, Registry};

/// One density mechanism.
#[derive(Debug, Clone, PartialEq)]
pub struct MechDesc {
    /// Name (`hh`).
    pub name: String,
    /// `PARAMETER`s (without suffix) and their defaults.
    pub params: Vec<(String, f64)>,
    /// Ions it uses (`na`, `k`).
    pub ions: Vec<String>,
    /// `GLOBAL`s (without suffix) and their defaults: one value per process
    /// in NEURON, so a template's `ehd_hd = -45` changes the model.
    pub globals: Vec<(String, f64)>,
}

/// Every density mechanism known, and the names of point processes and
/// artificial cells (which a template may create but which are not part of
/// the cell).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MechTable {
    /// Density mechanisms.
    pub mechs: Vec<MechDesc>,
    /// Point processes and artificial cells (`Exp2Syn`, `NetStim`).
    pub points: Vec<String>,
}

impl MechTable {
    /// The table of a registry.
    pub fn from_registry(reg: &Registry) -> MechTable {
        let mut t = MechTable::default();
        for ty in reg.types() {
            let info = &ty.info;
            if info.kind != Kind::Density {
                t.points.push(info.name.clone());
                continue;
            }
            t.mechs.push(MechDesc {
                name: info.name.clone(),
                params: info
                    .fields
                    .iter()
                    .filter(|f| f.kind == FieldKind::Parameter)
                    .map(|f| (f.name.clone(), f.default))
                    .collect(),
                ions: info.ions.iter().map(|i| i.name.clone()).collect(),
                globals: info
                    .globals
                    .iter()
                    .map(|g| (g.name.clone(), g.default))
                    .collect(),
            });
        }
        t
    }

    /// A density mechanism by name.
    pub fn get(&self, name: &str) -> Option<&MechDesc> {
        self.mechs.iter().find(|m| m.name == name)
    }

    /// Split a range variable `param_mech` of a known mechanism into
    /// (mechanism, parameter). Names of `ASSIGNED`/`STATE` variables are not
    /// parameters and give `None`.
    pub fn split(&self, name: &str) -> Option<(&MechDesc, usize)> {
        self.mechs.iter().find_map(|m| {
            let p = name.strip_suffix(m.name.as_str())?.strip_suffix('_')?;
            m.params.iter().position(|(q, _)| q == p).map(|k| (m, k))
        })
    }

    /// Split a mechanism GLOBAL `name_mech` into (mechanism, global, default).
    pub fn split_global(&self, name: &str) -> Option<(&str, &str, f64)> {
        self.mechs.iter().find_map(|m| {
            let g = name.strip_suffix(m.name.as_str())?.strip_suffix('_')?;
            m.globals
                .iter()
                .find(|(q, _)| q == g)
                .map(|(q, d)| (m.name.as_str(), q.as_str(), *d))
        })
    }

    /// Whether `name` ends in `_mech` of a known density mechanism (a range
    /// variable even if not a parameter).
    pub fn is_mech_variable(&self, name: &str) -> Option<&str> {
        self.mechs.iter().find_map(|m| {
            name.strip_suffix(m.name.as_str())
                .and_then(|p| p.strip_suffix('_'))
                .filter(|p| !p.is_empty())
                .map(|_| m.name.as_str())
        })
    }

    /// Whether any mechanism uses ion `ion`.
    pub fn has_ion(&self, ion: &str) -> bool {
        self.mechs.iter().any(|m| m.ions.iter().any(|i| i == ion))
    }
}
