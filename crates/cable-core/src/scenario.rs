//! Scenarios: a JSON description of a small simulation — cells, point processes,
//! artificial cells, connections, gap-junction transfers, recordings and run
//! settings — that can be built both here and in NEURON (see
//! `tools/neuron-ref/gen_scenario_fixtures.py`). The parity fixtures use it.
//!
//! ```json
//! {
//!   "cells": ["cells/ball_stick.json"],
//!   "tstop": 40, "dt": 0.025, "celsius": 20, "v_init": -65, "secondorder": [0, 2],
//!   "globals": {"usetable_hh": 0},
//!   "points": [{"name": "syn", "mech": "Exp2Syn", "cell": 0, "loc": "dend[0]:0.8",
//!               "params": {"tau1": 0.5, "tau2": 3}}],
//!   "artificial": [{"name": "ns", "mech": "NetStim", "params": {"start": 5, "interval": 7}},
//!                  {"name": "vs", "mech": "VecStim", "vector": [2.0, 3.5]}],
//!   "connections": [{"source": "ns", "target": "syn", "delay": 1.3, "weights": [0.004]},
//!                   {"source": {"cell": 0, "loc": "soma[0]:0.5", "threshold": -20},
//!                    "target": null, "delay": 1}],
//!   "transfers": [{"source": {"cell": 0, "loc": "dend[0]:0.5"}, "target": "g1", "var": "vgap"}],
//!   "records": ["0:soma[0]:0.5:v", "syn.i", "syn.g"],
//!   "spikes": ["ns", {"cell": 0, "loc": "soma[0]:0.5", "threshold": -20}]
//! }
//! ```
//!
//! Records are `CELL:SEC:X:VAR` for range variables and `NAME.VAR` for variables
//! of named point processes and artificial cells. `spikes` lists sources whose
//! spike times are recorded (NEURON's `NetCon.record`).

use crate::cell::CellSpec;
use crate::error::SimError;
use crate::ids::{ArtId, CellId, PointId, SourceId};
use crate::model::{Loc, ModelBuilder, Target};
use crate::protocol::split_global;
use crate::sim::{ProbeId, SimOptions, Simulation};
use mech_api::Registry;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An error reading or building a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read or parsed.
    #[error("{file}: {message}")]
    Format {
        /// The scenario file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Building or running failed.
    #[error("{file}: {source}")]
    Sim {
        /// The scenario file.
        file: PathBuf,
        /// The cause.
        source: Box<SimError>,
    },
}

/// Results of one run of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Column names: `t`, then the records as written in the scenario.
    pub names: Vec<String>,
    /// Columns.
    pub columns: Vec<Vec<f64>>,
    /// Spike times per entry of `spikes`, in order.
    pub spikes: Vec<Vec<f64>>,
}

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    file: PathBuf,
    v: Value,
    cells: Vec<CellSpec>,
    /// The `secondorder` values to run.
    pub secondorders: Vec<i32>,
}

fn fmt_err(file: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Format {
        file: file.to_path_buf(),
        message: message.into(),
    }
}

fn parse_loc(file: &Path, s: &str) -> Result<(String, f64), ScenarioError> {
    let (sec, x) = s
        .rsplit_once(':')
        .ok_or_else(|| fmt_err(file, format!("location `{s}`: expected SEC:X")))?;
    let x: f64 = x
        .parse()
        .map_err(|_| fmt_err(file, format!("location `{s}`: `{x}` is not a number")))?;
    Ok((sec.to_string(), x))
}

fn params(file: &Path, v: &Value) -> Result<Vec<(String, f64)>, ScenarioError> {
    let mut out = Vec::new();
    if let Some(o) = v.get("params") {
        let o = o
            .as_object()
            .ok_or_else(|| fmt_err(file, "`params` must be an object of numbers"))?;
        for (k, x) in o {
            let x = x
                .as_f64()
                .ok_or_else(|| fmt_err(file, format!("parameter `{k}` must be a number")))?;
            out.push((k.clone(), x));
        }
    }
    Ok(out)
}

enum Named {
    Point(PointId),
    Art(ArtId),
}

impl Scenario {
    /// Read a scenario file and the cells it names.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let file = path.as_ref();
        let text = std::fs::read_to_string(file)
            .map_err(|e| fmt_err(file, format!("cannot read: {e}")))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| fmt_err(file, e.to_string()))?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut cells = Vec::new();
        for c in v
            .get("cells")
            .and_then(Value::as_array)
            .ok_or_else(|| fmt_err(file, "`cells` must be an array of cell file paths"))?
        {
            let p = c
                .as_str()
                .ok_or_else(|| fmt_err(file, "`cells` entries must be paths"))?;
            cells.push(
                CellSpec::from_file(dir.join(p)).map_err(|e| ScenarioError::Sim {
                    file: file.to_path_buf(),
                    source: Box::new(e.into()),
                })?,
            );
        }
        let secondorders = match v.get("secondorder") {
            None => vec![0],
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_i64().map(|i| i as i32))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| fmt_err(file, "`secondorder` must be integers"))?,
            Some(x) => vec![x
                .as_i64()
                .ok_or_else(|| fmt_err(file, "`secondorder` must be an integer"))?
                as i32],
        };
        Ok(Scenario {
            file: file.to_path_buf(),
            v,
            cells,
            secondorders,
        })
    }

    fn num(&self, key: &str, default: f64) -> Result<f64, ScenarioError> {
        match self.v.get(key) {
            None => Ok(default),
            Some(x) => x
                .as_f64()
                .ok_or_else(|| fmt_err(&self.file, format!("`{key}` must be a number"))),
        }
    }

    fn sim_err(&self, e: SimError) -> ScenarioError {
        ScenarioError::Sim {
            file: self.file.clone(),
            source: Box::new(e),
        }
    }

    /// Build and run the scenario with one `secondorder`.
    pub fn run(&self, reg: &Registry, secondorder: i32) -> Result<Outcome, ScenarioError> {
        let (mut sim, probes, spike_sources) = self.build(reg, secondorder)?;
        let tstop = self.num("tstop", 5.0)?;
        let v_init = self.num("v_init", -65.0)?;
        sim.run(tstop, v_init).map_err(|e| self.sim_err(e))?;
        let mut names = vec!["t".to_string()];
        if let Some(r) = self.v.get("records").and_then(Value::as_array) {
            names.extend(r.iter().filter_map(|x| x.as_str().map(str::to_string)));
        }
        let columns = probes.iter().map(|&p| sim.trace(p).to_vec()).collect();
        let spikes = spike_sources
            .iter()
            .map(|&s| sim.spikes(s).map(|x| x.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sim_err(e))?;
        Ok(Outcome {
            names,
            columns,
            spikes,
        })
    }

    /// Build the simulation; returns it with the record probes (time first) and
    /// the spike sources.
    pub fn build(
        &self,
        reg: &Registry,
        secondorder: i32,
    ) -> Result<(Simulation, Vec<ProbeId>, Vec<SourceId>), ScenarioError> {
        let f = &self.file;
        let se = |e: SimError| self.sim_err(e);
        let mut b = ModelBuilder::new(reg);
        let mut cell_ids = Vec::new();
        for c in &self.cells {
            cell_ids.push(b.add_cell(c).map_err(se)?);
        }
        let cell = |x: &Value| -> Result<CellId, ScenarioError> {
            let k = x.as_u64().unwrap_or(0) as usize;
            cell_ids
                .get(k)
                .copied()
                .ok_or_else(|| fmt_err(f, format!("cell index {k} out of range")))
        };
        let mut named: HashMap<String, Named> = HashMap::new();
        for p in self
            .v
            .get("points")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = p["name"]
                .as_str()
                .ok_or_else(|| fmt_err(f, "point without `name`"))?;
            let mech = p["mech"]
                .as_str()
                .ok_or_else(|| fmt_err(f, format!("point `{name}` without `mech`")))?;
            let (sec, x) = parse_loc(f, p["loc"].as_str().unwrap_or(""))?;
            let ps = params(f, p)?;
            let refs: Vec<(&str, f64)> = ps.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let id = b
                .add_point(mech, Loc::new(cell(&p["cell"])?, &sec, x), &refs)
                .map_err(se)?;
            named.insert(name.to_string(), Named::Point(id));
        }
        let mut vectors = Vec::new();
        for a in self
            .v
            .get("artificial")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = a["name"]
                .as_str()
                .ok_or_else(|| fmt_err(f, "artificial cell without `name`"))?;
            let mech = a["mech"]
                .as_str()
                .ok_or_else(|| fmt_err(f, format!("`{name}` without `mech`")))?;
            let ps = params(f, a)?;
            let refs: Vec<(&str, f64)> = ps.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let id = b.add_artificial(mech, &refs).map_err(se)?;
            if let Some(vec) = a.get("vector").and_then(Value::as_array) {
                let xs = vec
                    .iter()
                    .map(Value::as_f64)
                    .collect::<Option<Vec<f64>>>()
                    .ok_or_else(|| fmt_err(f, format!("`{name}.vector` must be numbers")))?;
                vectors.push((id, xs));
            }
            named.insert(name.to_string(), Named::Art(id));
        }
        let source = |b: &mut ModelBuilder, s: &Value| -> Result<SourceId, ScenarioError> {
            match s {
                Value::String(n) => match named.get(n.as_str()) {
                    Some(Named::Art(a)) => b.artificial_source(*a).map_err(se),
                    Some(Named::Point(p)) => b.point_source(*p).map_err(se),
                    None => Err(fmt_err(f, format!("unknown source `{n}`"))),
                },
                Value::Object(o) => {
                    let (sec, x) =
                        parse_loc(f, o.get("loc").and_then(Value::as_str).unwrap_or(""))?;
                    let th = o.get("threshold").and_then(Value::as_f64).unwrap_or(10.0);
                    let c = cell(o.get("cell").unwrap_or(&Value::Null))?;
                    b.voltage_source(Loc::new(c, &sec, x), th).map_err(se)
                }
                _ => Err(fmt_err(f, "a source is a name or {cell, loc, threshold}")),
            }
        };
        for c in self
            .v
            .get("connections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let src = source(&mut b, &c["source"])?;
            let target = match &c["target"] {
                Value::Null => Target::None,
                Value::String(n) => match named.get(n.as_str()) {
                    Some(Named::Point(p)) => Target::Point(*p),
                    Some(Named::Art(a)) => Target::Artificial(*a),
                    None => return Err(fmt_err(f, format!("unknown target `{n}`"))),
                },
                _ => return Err(fmt_err(f, "a target is a name or null")),
            };
            let delay = c.get("delay").and_then(Value::as_f64).unwrap_or(1.0);
            let weights: Vec<f64> = c
                .get("weights")
                .and_then(Value::as_array)
                .map(|w| w.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            b.connect(src, target, delay, &weights).map_err(se)?;
        }
        for t in self
            .v
            .get("transfers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = &t["source"];
            let (sec, x) = parse_loc(f, s["loc"].as_str().unwrap_or(""))?;
            let c = cell(&s["cell"])?;
            let target = match t["target"].as_str().and_then(|n| named.get(n)) {
                Some(Named::Point(p)) => *p,
                _ => return Err(fmt_err(f, "a transfer target must name a point process")),
            };
            let var = t["var"].as_str().unwrap_or("vgap");
            b.transfer(Loc::new(c, &sec, x), target, var).map_err(se)?;
        }
        let mut spike_sources = Vec::new();
        for s in self
            .v
            .get("spikes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            spike_sources.push(source(&mut b, s)?);
        }
        if let Some(g) = self.v.get("globals").and_then(Value::as_object) {
            for (k, x) in g {
                let (mech, name) = split_global(reg, k)
                    .ok_or_else(|| fmt_err(f, format!("unknown global `{k}`")))?;
                b.set_global(&mech, &name, x.as_f64().unwrap_or(0.0))
                    .map_err(se)?;
            }
        }
        let mut sim = b
            .build(SimOptions {
                dt: self.num("dt", 0.025)?,
                celsius: self.num("celsius", 6.3)?,
                secondorder,
                ..SimOptions::default()
            })
            .map_err(se)?;
        for (id, xs) in vectors {
            sim.set_artificial_vector(id, xs).map_err(se)?;
        }
        for &s in &spike_sources {
            sim.record_spikes(s).map_err(se)?;
        }
        let mut probes = vec![sim.record_time()];
        for r in self
            .v
            .get("records")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r
                .as_str()
                .ok_or_else(|| fmt_err(f, "records are strings"))?;
            let p = if let Some((obj, var)) = r.split_once('.').filter(|_| !r.contains(':')) {
                match named.get(obj) {
                    Some(Named::Point(p)) => sim.record_point(*p, var),
                    Some(Named::Art(a)) => sim.record_artificial(*a, var),
                    None => return Err(fmt_err(f, format!("record `{r}`: unknown `{obj}`"))),
                }
            } else {
                let parts: Vec<&str> = r.splitn(4, ':').collect();
                if parts.len() != 4 {
                    return Err(fmt_err(
                        f,
                        format!("record `{r}`: expected CELL:SEC:X:VAR or NAME.VAR"),
                    ));
                }
                let c: usize = parts[0]
                    .parse()
                    .map_err(|_| fmt_err(f, format!("record `{r}`: bad cell index")))?;
                let x: f64 = parts[2]
                    .parse()
                    .map_err(|_| fmt_err(f, format!("record `{r}`: bad x")))?;
                sim.record(c, parts[1], x, parts[3])
            }
            .map_err(se)?;
            probes.push(p);
        }
        Ok((sim, probes, spike_sources))
    }
}
