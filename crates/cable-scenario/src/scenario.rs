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

use crate::protocol::split_global;
use cable_core::{
    ArtId, CellId, CellSpec, Loc, ModelBuilder, PointId, ProbeId, SimError, SimOptions, Simulation,
    SourceId, Target,
};
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

fn sim_err(file: &Path, e: SimError) -> ScenarioError {
    ScenarioError::Sim {
        file: file.to_path_buf(),
        source: Box::new(e),
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
            cells.push(CellSpec::from_file(dir.join(p)).map_err(|e| sim_err(file, e.into()))?);
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
        sim_err(&self.file, e)
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
        let se = |e: SimError| self.sim_err(e);
        let mut b = ModelBuilder::new(reg);
        let mut parts = Parts {
            file: &self.file,
            cells: Vec::new(),
            named: HashMap::new(),
        };
        for c in &self.cells {
            parts.cells.push(b.add_cell(c).map_err(se)?);
        }
        self.add_points(&mut b, &mut parts)?;
        let vectors = self.add_artificial(&mut b, &mut parts)?;
        self.add_connections(&mut b, &parts)?;
        self.add_transfers(&mut b, &parts)?;
        let mut spike_sources = Vec::new();
        for s in self.entries("spikes") {
            spike_sources.push(parts.source(&mut b, s)?);
        }
        self.set_globals(reg, &mut b)?;
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
        for r in self.entries("records") {
            probes.push(self.add_record(&mut sim, &parts, r)?);
        }
        Ok((sim, probes, spike_sources))
    }

    /// The entries of the array `key` (none when it is missing).
    fn entries(&self, key: &str) -> impl Iterator<Item = &Value> {
        self.v
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// `points`: named point processes on the cells.
    fn add_points(&self, b: &mut ModelBuilder, parts: &mut Parts) -> Result<(), ScenarioError> {
        let f = &self.file;
        for p in self.entries("points") {
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
                .add_point(mech, Loc::new(parts.cell(&p["cell"])?, &sec, x), &refs)
                .map_err(|e| self.sim_err(e))?;
            parts.named.insert(name.to_string(), Named::Point(id));
        }
        Ok(())
    }

    /// `artificial`: named artificial cells; returns the event-time vectors
    /// to give them once the simulation is built.
    fn add_artificial(
        &self,
        b: &mut ModelBuilder,
        parts: &mut Parts,
    ) -> Result<Vec<(ArtId, Vec<f64>)>, ScenarioError> {
        let f = &self.file;
        let mut vectors = Vec::new();
        for a in self.entries("artificial") {
            let name = a["name"]
                .as_str()
                .ok_or_else(|| fmt_err(f, "artificial cell without `name`"))?;
            let mech = a["mech"]
                .as_str()
                .ok_or_else(|| fmt_err(f, format!("`{name}` without `mech`")))?;
            let ps = params(f, a)?;
            let refs: Vec<(&str, f64)> = ps.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let id = b.add_artificial(mech, &refs).map_err(|e| self.sim_err(e))?;
            if let Some(vec) = a.get("vector").and_then(Value::as_array) {
                let xs = vec
                    .iter()
                    .map(Value::as_f64)
                    .collect::<Option<Vec<f64>>>()
                    .ok_or_else(|| fmt_err(f, format!("`{name}.vector` must be numbers")))?;
                vectors.push((id, xs));
            }
            parts.named.insert(name.to_string(), Named::Art(id));
        }
        Ok(vectors)
    }

    /// `connections`: a source, a named target (or null), a delay and weights.
    fn add_connections(&self, b: &mut ModelBuilder, parts: &Parts) -> Result<(), ScenarioError> {
        let f = &self.file;
        for c in self.entries("connections") {
            let src = parts.source(b, &c["source"])?;
            let target = match &c["target"] {
                Value::Null => Target::None,
                Value::String(n) => match parts.named.get(n.as_str()) {
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
            b.connect(src, target, delay, &weights)
                .map_err(|e| self.sim_err(e))?;
        }
        Ok(())
    }

    /// `transfers`: a voltage copied into a variable of a named point process.
    fn add_transfers(&self, b: &mut ModelBuilder, parts: &Parts) -> Result<(), ScenarioError> {
        let f = &self.file;
        for t in self.entries("transfers") {
            let s = &t["source"];
            let (sec, x) = parse_loc(f, s["loc"].as_str().unwrap_or(""))?;
            let c = parts.cell(&s["cell"])?;
            let target = match t["target"].as_str().and_then(|n| parts.named.get(n)) {
                Some(Named::Point(p)) => *p,
                _ => return Err(fmt_err(f, "a transfer target must name a point process")),
            };
            let var = t["var"].as_str().unwrap_or("vgap");
            b.transfer(Loc::new(c, &sec, x), target, var)
                .map_err(|e| self.sim_err(e))?;
        }
        Ok(())
    }

    /// `globals`: NEURON names (`usetable_hh`) with values.
    fn set_globals(&self, reg: &Registry, b: &mut ModelBuilder) -> Result<(), ScenarioError> {
        if let Some(g) = self.v.get("globals").and_then(Value::as_object) {
            for (k, x) in g {
                let (mech, name) = split_global(reg, k)
                    .ok_or_else(|| fmt_err(&self.file, format!("unknown global `{k}`")))?;
                b.set_global(&mech, &name, x.as_f64().unwrap_or(0.0))
                    .map_err(|e| self.sim_err(e))?;
            }
        }
        Ok(())
    }

    /// One entry of `records`: `NAME.VAR` or `CELL:SEC:X:VAR`.
    fn add_record(
        &self,
        sim: &mut Simulation,
        parts: &Parts,
        r: &Value,
    ) -> Result<ProbeId, ScenarioError> {
        let f = &self.file;
        let r = r
            .as_str()
            .ok_or_else(|| fmt_err(f, "records are strings"))?;
        let probe = if let Some((obj, var)) = r.split_once('.').filter(|_| !r.contains(':')) {
            match parts.named.get(obj) {
                Some(Named::Point(p)) => sim.record_point(*p, var),
                Some(Named::Art(a)) => sim.record_artificial(*a, var),
                None => return Err(fmt_err(f, format!("record `{r}`: unknown `{obj}`"))),
            }
        } else {
            let fields: Vec<&str> = r.splitn(4, ':').collect();
            if fields.len() != 4 {
                return Err(fmt_err(
                    f,
                    format!("record `{r}`: expected CELL:SEC:X:VAR or NAME.VAR"),
                ));
            }
            let c: usize = fields[0]
                .parse()
                .map_err(|_| fmt_err(f, format!("record `{r}`: bad cell index")))?;
            let x: f64 = fields[2]
                .parse()
                .map_err(|_| fmt_err(f, format!("record `{r}`: bad x")))?;
            sim.record(c, fields[1], x, fields[3])
        };
        probe.map_err(|e| self.sim_err(e))
    }
}

/// What a scenario has added so far, for the entries that refer to it.
struct Parts<'a> {
    file: &'a Path,
    cells: Vec<CellId>,
    named: HashMap<String, Named>,
}

impl Parts<'_> {
    /// A cell by its index in `cells`.
    fn cell(&self, x: &Value) -> Result<CellId, ScenarioError> {
        let k = x.as_u64().unwrap_or(0) as usize;
        self.cells
            .get(k)
            .copied()
            .ok_or_else(|| fmt_err(self.file, format!("cell index {k} out of range")))
    }

    /// A spike source: a named point process or artificial cell, or a voltage
    /// threshold `{cell, loc, threshold}`.
    fn source(&self, b: &mut ModelBuilder, s: &Value) -> Result<SourceId, ScenarioError> {
        let f = self.file;
        let se = |e: SimError| sim_err(f, e);
        match s {
            Value::String(n) => match self.named.get(n.as_str()) {
                Some(Named::Art(a)) => b.artificial_source(*a).map_err(se),
                Some(Named::Point(p)) => b.point_source(*p).map_err(se),
                None => Err(fmt_err(f, format!("unknown source `{n}`"))),
            },
            Value::Object(o) => {
                let (sec, x) = parse_loc(f, o.get("loc").and_then(Value::as_str).unwrap_or(""))?;
                let th = o.get("threshold").and_then(Value::as_f64).unwrap_or(10.0);
                let c = self.cell(o.get("cell").unwrap_or(&Value::Null))?;
                b.voltage_source(Loc::new(c, &sec, x), th).map_err(se)
            }
            _ => Err(fmt_err(f, "a source is a name or {cell, loc, threshold}")),
        }
    }
}
