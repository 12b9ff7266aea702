//! The gap-junction tuner's settings (bmtool's `GapJunctionTuner` arguments),
//! from a file or derived from a synapse model.

use super::context::Ctx;
use super::{SettingsError, SettingsErrorKind as K, TunerSettings};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// General settings of the gap-junction tuner (bmtool's defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct GapGeneral {
    /// Onset of the current step (ms).
    pub tstart: f64,
    /// Duration of the step (ms).
    pub tdur: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// Step amplitude (nA), used when a connection gives none.
    pub iclamp_amp: f64,
    /// Initial voltage (mV); bmtool's `finitialize(-70)`.
    pub v_init: f64,
}

impl Default for GapGeneral {
    fn default() -> Self {
        GapGeneral {
            tstart: 500.0,
            tdur: 500.0,
            dt: 0.025,
            celsius: 20.0,
            iclamp_amp: -0.01,
            v_init: -70.0,
        }
    }
}

/// One gap-junction connection type (bmtool's keys).
#[derive(Debug, Clone, PartialEq)]
pub struct GapConnection {
    /// Its name.
    pub name: String,
    /// The cell (both copies).
    pub cell: String,
    /// Step amplitude for this connection (nA); bmtool 0.8.7 reads only the
    /// general setting, synaptune uses this when given.
    pub iclamp_amp: Option<f64>,
    /// Position on the section.
    pub sec_x: f64,
    /// Section index in the cell's `all` list.
    pub sec_id: usize,
    /// Mechanism (`gap` and `Gap` both mean the `Gap` mechanism).
    pub level_of_detail: String,
}

/// A gap-junction settings file.
#[derive(Debug, Clone, PartialEq)]
pub struct GapSettings {
    /// General settings.
    pub general: GapGeneral,
    /// Connection types in file order.
    pub connections: Vec<GapConnection>,
    /// Cell files by name.
    pub cells: Vec<(String, PathBuf)>,
    /// Mechanism catalogues or `.mod` folders the cells need, besides the
    /// standard catalogue (a SONATA config's `components.mechanisms_dir`).
    pub mechanisms: Vec<PathBuf>,
    /// The file.
    pub source: PathBuf,
}

impl GapSettings {
    /// Read a gap-junction settings file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<GapSettings, SettingsError> {
        let path = path.as_ref();
        let v = Ctx::new(path).read_json()?;
        GapSettings::from_value(&v, path, path.parent().unwrap_or(Path::new(".")))
    }

    /// Build from JSON; relative paths resolve against `base`.
    pub fn from_value(v: &Value, file: &Path, base: &Path) -> Result<GapSettings, SettingsError> {
        let cx = Ctx::new(file);
        let o = cx.object("(top level)", v, "expected a JSON object")?;
        let general = gap_general(&cx, o.get("general_settings"))?;
        let ct = o
            .get("conn_type_settings")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| cx.err("conn_type_settings", K::Missing, "missing or empty"))?;
        let connections = ct
            .iter()
            .map(|(name, c)| gap_connection(&cx, name, c))
            .collect::<Result<Vec<_>, _>>()?;
        let cells = match o.get("cells") {
            Some(c) => cx.paths("cells", c, base, "expected {cell name: path}")?,
            None => Vec::new(),
        };
        Ok(GapSettings {
            general,
            connections,
            cells,
            mechanisms: Vec::new(),
            source: file.to_path_buf(),
        })
    }

    /// As a gap-junction settings file says it (`general_settings`,
    /// `conn_type_settings`, `cells` with absolute paths); `mechanisms` are
    /// not part of the file.
    pub fn to_json(&self) -> Value {
        let g = &self.general;
        let mut conns = Map::new();
        for c in &self.connections {
            let mut o = Map::new();
            o.insert("cell".into(), Value::from(c.cell.clone()));
            if let Some(a) = c.iclamp_amp {
                o.insert("iclamp_amp".into(), Value::from(a));
            }
            o.insert("sec_x".into(), Value::from(c.sec_x));
            o.insert("sec_id".into(), Value::from(c.sec_id));
            o.insert(
                "level_of_detail".into(),
                Value::from(c.level_of_detail.clone()),
            );
            conns.insert(c.name.clone(), Value::Object(o));
        }
        let cells: Map<String, Value> = self
            .cells
            .iter()
            .map(|(k, p)| {
                let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
                (k.clone(), Value::from(p.display().to_string()))
            })
            .collect();
        serde_json::json!({
            "general_settings": {"tstart": g.tstart, "tdur": g.tdur, "dt": g.dt,
                "celsius": g.celsius, "iclamp_amp": g.iclamp_amp, "v_init": g.v_init},
            "conn_type_settings": conns,
            "cells": cells,
        })
    }

    /// A gap model for a synapse model that has none (what `synaptune serve`
    /// offers): each post cell with a cell file coupled to a copy of itself at
    /// section 0, bmtool's gap-tuner defaults with the model's `dt` and
    /// `celsius`. `None` when no post cell has a cell file.
    pub fn derived_from(s: &TunerSettings) -> Option<GapSettings> {
        let mut connections = Vec::new();
        let mut cells: Vec<(String, PathBuf)> = Vec::new();
        for c in &s.connections {
            let cell = &c.spec_settings.post_cell;
            if cells.iter().any(|(k, _)| k == cell) {
                continue;
            }
            let Ok(path) = s.cell_path(cell) else {
                continue;
            };
            cells.push((cell.clone(), path.to_path_buf()));
            connections.push(GapConnection {
                name: format!("{cell}_gap"),
                cell: cell.clone(),
                iclamp_amp: None,
                sec_x: 0.5,
                sec_id: 0,
                level_of_detail: "Gap".into(),
            });
        }
        (!connections.is_empty()).then(|| GapSettings {
            general: GapGeneral {
                dt: s.general.dt,
                celsius: s.general.celsius,
                ..GapGeneral::default()
            },
            connections,
            cells,
            mechanisms: s.mechanisms.clone(),
            source: PathBuf::from("(derived from the synapse model)"),
        })
    }
}

/// `general_settings` of a gap-junction file.
fn gap_general(cx: &Ctx, v: Option<&Value>) -> Result<GapGeneral, SettingsError> {
    let mut g = GapGeneral::default();
    if let Some(gs) = v {
        for (k, x) in cx.object("general_settings", gs, "expected an object")? {
            let f = format!("general_settings.{k}");
            let slot = match k.as_str() {
                "tstart" => &mut g.tstart,
                "tdur" => &mut g.tdur,
                "dt" => &mut g.dt,
                "celsius" => &mut g.celsius,
                "iclamp_amp" => &mut g.iclamp_amp,
                "v_init" => &mut g.v_init,
                "vclamp" => continue,
                _ => {
                    return Err(cx.err(
                        &f,
                        K::UnknownField,
                        "expected tstart, tdur, dt, celsius, iclamp_amp, v_init",
                    ))
                }
            };
            *slot = cx.num(&f, x)?;
        }
    }
    if g.dt <= 0.0 || g.tdur <= 0.0 || g.tstart < 0.0 {
        return Err(cx.err(
            "general_settings",
            K::BadValue,
            "dt and tdur must be > 0, tstart ≥ 0",
        ));
    }
    Ok(g)
}

/// One connection of a gap-junction file.
fn gap_connection(cx: &Ctx, name: &str, c: &Value) -> Result<GapConnection, SettingsError> {
    let f = |k: &str| format!("conn_type_settings.{name}.{k}");
    let c: &Map<String, Value> = cx.object(&f(""), c, "expected an object")?;
    let sec_x = cx.opt_num(&f("sec_x"), c.get("sec_x"))?.unwrap_or(0.5);
    let sec_id = cx.opt_num(&f("sec_id"), c.get("sec_id"))?.unwrap_or(0.0);
    Ok(GapConnection {
        name: name.to_string(),
        cell: cx.string(&f("cell"), c.get("cell"), "the cell's name")?,
        iclamp_amp: cx.opt_num(&f("iclamp_amp"), c.get("iclamp_amp"))?,
        sec_x: cx.position(&f("sec_x"), sec_x)?,
        sec_id: cx.section_index(&f("sec_id"), sec_id)?,
        level_of_detail: c
            .get("level_of_detail")
            .and_then(Value::as_str)
            .unwrap_or("Gap")
            .to_string(),
    })
}
