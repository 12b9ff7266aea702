//! What the server holds: the mechanism registry, each network's settings with
//! the current parameter values (the server is the tuner object bmtool's widgets
//! drive), the tuners loaded so far, and the gap-junction model.
//!
//! Locks are held only to read or update values and to load a connection; no
//! simulation runs under a lock (a request clones its tuner and lets go).

use super::error::ApiError;
use crate::cli::{Common, Compat, ModelArgs};
use crate::commands::tune;
use anyhow::Context;
use mech_api::{FieldKind, MechType, Registry};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tuner_opt::{
    Convention, GapCoupling, GapJunctionTuner, GapSettings, SynapseTuner, TunerSettings,
};

/// bmtool's input-frequency choices (Hz), `InteractiveTuner` and `launch_tk_gui`.
pub const FREQS: [f64; 16] = tuner_opt::BMTOOL_FREQUENCIES;
/// bmtool's recovery-delay choices (ms).
pub const DELAYS: [f64; 6] = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0];
/// bmtool's continuous-input duration choices (ms).
pub const DURATIONS: [f64; 7] = [100.0, 300.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0];
/// bmtool's initial frequency, delay and duration.
pub const FREQ0: f64 = 50.0;
/// Initial recovery delay (ms).
pub const DELAY0: f64 = 250.0;
/// Initial duration (ms).
pub const DURATION0: f64 = 300.0;
/// bmtool's gap slider: `FloatLogSlider(value=1e-3, base=10, min=-6, max=0, step=0.1)`.
pub const GAP_LOG10_MIN: f64 = -6.0;
/// Upper end of the gap slider (log10 µS).
pub const GAP_LOG10_MAX: f64 = 0.0;
/// Step of the gap slider (decades).
pub const GAP_LOG10_STEP: f64 = 0.1;
/// Initial conductance (µS).
pub const GAP_G0: f64 = 1e-3;

/// Where the connections come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A tuner settings file.
    Settings(PathBuf),
    /// A SONATA/BMTK config (one settings per network, derived on demand).
    Config {
        config: PathBuf,
        cells: Option<PathBuf>,
    },
}

/// One network's connections.
pub struct Net {
    /// Current values (parameters, holding potentials).
    pub settings: TunerSettings,
    /// As loaded (slider ranges and "reset" use these).
    pub original: TunerSettings,
    /// The connection selected when the network is opened.
    pub default_connection: String,
    tuners: HashMap<String, SynapseTuner>,
}

/// The gap-junction model.
pub struct Gap {
    /// Its settings.
    pub settings: GapSettings,
    /// Where they came from (shown on the page).
    pub origin: String,
    tuners: Mutex<HashMap<(String, bool), Arc<GapJunctionTuner>>>,
}

/// Everything the handlers share.
pub struct Shared {
    /// Mechanisms (built-in, `--mechanisms`, the settings' `mechanisms`).
    pub reg: Registry,
    /// Which arithmetic.
    pub convention: Convention,
    /// Where the model comes from.
    pub source: Source,
    /// Networks of a config (empty for a settings file).
    pub networks: Vec<String>,
    /// The network opened first ("" for a settings file).
    pub default_network: String,
    /// `--record`, when given.
    pub record: Option<Vec<String>>,
    /// `--json-folder`, applied to every network.
    pub json_folder: Option<PathBuf>,
    /// The gap-junction tab's model.
    pub gap: Option<Gap>,
    nets: Mutex<HashMap<String, Net>>,
    vclamp: Mutex<bool>,
    /// At most this many simulations run at once (one per core).
    pub slots: tokio::sync::Semaphore,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registry like the tuner's, built without repeating its notices.
fn registry(common: &Common, settings: &TunerSettings) -> anyhow::Result<Registry> {
    let mut reg = standard_mechanisms::registry();
    for p in common.mechanisms.iter().chain(&settings.mechanisms) {
        for cat in mech_api::load_path(p)
            .with_context(|| format!("loading mechanisms from {}", p.display()))?
        {
            let _ = reg.add(&cat);
        }
    }
    Ok(reg)
}

/// A slider as bmtool's `InteractiveTuner` makes it from the value the connection
/// starts with: 0…20·v in steps of v/5, 0…1000 in steps of 1 when v is 0; for a
/// negative v (ipywidgets refuses min > max) `launch_tk_gui`'s −20|v|…20|v|.
pub fn slider(v: f64) -> (f64, f64, f64) {
    if v == 0.0 {
        (0.0, 1000.0, 1.0)
    } else if v > 0.0 {
        (0.0, 20.0 * v, v / 5.0)
    } else {
        (-20.0 * v.abs(), 20.0 * v.abs(), v.abs() / 5.0)
    }
}

/// Largest magnitude accepted for a parameter (beyond it a request is refused).
pub const PARAM_LIMIT: f64 = 1e9;

/// A request's model: which connection, with what.
#[derive(Debug, Default, Clone)]
pub struct RunSpec {
    /// Network (configs with several).
    pub network: Option<String>,
    /// Connection (default: the network's first).
    pub connection: Option<String>,
    /// Parameter values to set (they persist).
    pub params: Vec<(String, f64)>,
    /// Voltage-clamp mode.
    pub vclamp: Option<bool>,
    /// Holding potential (mV; persists for the connection).
    pub vclamp_amp: Option<f64>,
    /// Extra synapse variables to record.
    pub record: Option<Vec<String>>,
}

/// What a prepared run reports back.
pub struct Prepared {
    /// The tuner, on the connection, with every value applied.
    pub tuner: SynapseTuner,
    /// The network ("" for a settings file).
    pub network: String,
    /// The parameters now in force (numeric synaptic parameters).
    pub params: Vec<(String, f64)>,
}

impl Shared {
    /// Load the model given on the command line (fails as the tuner commands do).
    pub fn load(m: &ModelArgs, common: &Common, gap: Option<&Path>) -> anyhow::Result<Shared> {
        let (source, networks, default_network) = match (&m.settings, &m.config) {
            (Some(s), _) => (Source::Settings(s.clone()), Vec::new(), String::new()),
            (None, Some(c)) => {
                let cfg = sonata_config::Config::load(c)?;
                let nets = sonata_config::networks(&cfg);
                let first = match &m.network {
                    Some(n) => {
                        if !nets.contains(n) {
                            anyhow::bail!(
                                "{}: no network `{n}`; networks: {}",
                                c.display(),
                                nets.join(", ")
                            );
                        }
                        n.clone()
                    }
                    // launch_tk_gui opens the first network.
                    None => nets.first().cloned().with_context(|| {
                        format!("{}: no networks (edge populations)", c.display())
                    })?,
                };
                (
                    Source::Config {
                        config: c.clone(),
                        cells: m.cells.clone(),
                    },
                    nets,
                    first,
                )
            }
            (None, None) => anyhow::bail!("give a model: --settings FILE or --config FILE"),
        };
        let mut margs = m.clone();
        if !default_network.is_empty() {
            margs.network = Some(default_network.clone());
        }
        // The tuner commands' checks and overrides (--set, --json-folder, --vclamp, --record).
        let t0 = tune::tuner(&margs, common)?;
        let reg = registry(common, t0.settings())?;
        let settings = t0.settings().clone();
        let gap = load_gap(gap, &source, &settings)?;
        let convention = match m.compat {
            Compat::Default => Convention::Default,
            Compat::Bmtool => Convention::Bmtool,
        };
        let mut tuners = HashMap::new();
        let first = t0.connection().name.clone();
        let vclamp = t0.vclamp();
        tuners.insert(first.clone(), t0);
        let net = Net {
            original: settings.clone(),
            settings,
            default_connection: first,
            tuners,
        };
        let mut nets = HashMap::new();
        nets.insert(default_network.clone(), net);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Shared {
            reg,
            convention,
            source,
            networks,
            default_network,
            record: (!m.record.is_empty()).then(|| m.record.clone()),
            json_folder: m.json_folder.clone(),
            gap,
            nets: Mutex::new(nets),
            vclamp: Mutex::new(vclamp),
            slots: tokio::sync::Semaphore::new(cores),
        })
    }

    /// The network a request names (or the default one).
    pub fn network_name(&self, n: Option<&str>) -> Result<String, ApiError> {
        match n {
            None | Some("") => Ok(self.default_network.clone()),
            Some(n) if self.networks.iter().any(|x| x == n) => Ok(n.to_string()),
            Some(n) => Err(ApiError::not_found(if self.networks.is_empty() {
                format!("no network `{n}`: the model is a settings file (no networks)")
            } else {
                format!("no network `{n}`; networks: {}", self.networks.join(", "))
            })),
        }
    }

    /// Run `f` on a network, loading it first if needed.
    pub fn with_net<R>(
        &self,
        network: &str,
        f: impl FnOnce(&mut Net) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut nets = lock(&self.nets);
        if !nets.contains_key(network) {
            let net = self.load_net(network)?;
            nets.insert(network.to_string(), net);
        }
        f(nets.get_mut(network).expect("inserted"))
    }

    fn load_net(&self, network: &str) -> Result<Net, ApiError> {
        let Source::Config { config, cells } = &self.source else {
            return Err(ApiError::not_found(format!("no network `{network}`")));
        };
        let mut settings =
            crate::commands::sonata_settings(config, Some(network), cells.as_deref())
                .map_err(|e| ApiError::unprocessable(format!("network `{network}`: {e:#}")))?;
        if let Some(dir) = &self.json_folder {
            settings
                .apply_json_folder(dir)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        }
        Ok(Net {
            default_connection: settings.connections[0].name.clone(),
            original: settings.clone(),
            settings,
            tuners: HashMap::new(),
        })
    }

    /// The mechanism of a level_of_detail.
    pub fn mechanism(&self, name: &str) -> Option<&Arc<MechType>> {
        self.reg.get(name)
    }

    /// The voltage-clamp mode last asked for (the settings export writes it).
    pub fn vclamp(&self) -> bool {
        *lock(&self.vclamp)
    }

    /// Default extra variables of a synapse: `--record` (those it has), else its
    /// `record_*` variables (what `synaptune demo` records).
    pub fn default_record(&self, mech: Option<&MechType>) -> Vec<String> {
        let Some(mech) = mech else {
            return Vec::new();
        };
        let has = |n: &str| mech.info.field_index(n).is_some();
        match &self.record {
            Some(r) => r.iter().filter(|n| has(n)).cloned().collect(),
            None => mech
                .info
                .fields
                .iter()
                .filter(|f| f.kind != FieldKind::Parameter && f.name.starts_with("record_"))
                .map(|f| f.name.clone())
                .collect(),
        }
    }

    /// Apply a request's values and hand back a tuner ready to simulate.
    pub fn prepare(&self, spec: &RunSpec) -> Result<Prepared, ApiError> {
        let network = self.network_name(spec.network.as_deref())?;
        self.with_net(&network, |net| {
            let name = spec
                .connection
                .clone()
                .unwrap_or_else(|| net.default_connection.clone());
            let idx = net
                .settings
                .connections
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no connection `{name}`{}; connections: {}",
                        if network.is_empty() {
                            String::new()
                        } else {
                            format!(" in network `{network}`")
                        },
                        net.settings.connection_names().join(", ")
                    ))
                })?;
            let lod = net.settings.connections[idx]
                .spec_settings
                .level_of_detail
                .clone();
            let mech = self.reg.get(&lod).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "connection `{name}`: unknown synapse mechanism `{lod}` (level_of_detail)"
                ))
            })?;
            // Validate everything before changing anything.
            for (k, v) in &spec.params {
                check_param(mech, k, *v)?;
            }
            for (k, v) in &spec.params {
                net.settings.connections[idx].set_param(k, *v);
            }
            if let Some(a) = spec.vclamp_amp {
                net.settings.connections[idx].spec_settings.vclamp_amp = a;
            }
            let amp = net.settings.connections[idx].spec_settings.vclamp_amp;
            let stale = net
                .tuners
                .get(&name)
                .is_none_or(|t| t.connection().spec_settings.vclamp_amp != amp);
            if stale {
                let t = SynapseTuner::new(
                    self.reg.clone(),
                    net.settings.clone(),
                    Some(&name),
                    self.convention,
                )
                .map_err(ApiError::from_tuner)?;
                net.tuners.insert(name.clone(), t);
            }
            let mut t = net.tuners[&name].clone();
            let params: Vec<(String, f64)> = net.settings.connections[idx]
                .numeric_params()
                .into_iter()
                .filter(|(k, _)| is_parameter(mech, k))
                .collect();
            for (k, v) in &params {
                t.set_param(k, *v).map_err(ApiError::from_tuner)?;
            }
            let vclamp = {
                let mut last = lock(&self.vclamp);
                if let Some(v) = spec.vclamp {
                    *last = v;
                }
                *last
            };
            t.set_vclamp(vclamp);
            let record = match &spec.record {
                Some(r) => r.clone(),
                None => self.default_record(Some(mech)),
            };
            t.set_extra_records(&record).map_err(ApiError::from_tuner)?;
            Ok(Prepared {
                tuner: t,
                network: network.clone(),
                params,
            })
        })
    }

    /// Gap junctions: a tuner for a connection and coupling.
    pub fn gap_tuner(
        &self,
        connection: Option<&str>,
        implicit: bool,
    ) -> Result<Arc<GapJunctionTuner>, ApiError> {
        let gap = self
            .gap
            .as_ref()
            .ok_or_else(|| ApiError::not_found("no gap-junction model (give --gap FILE)"))?;
        let name = match connection {
            Some(n) => n.to_string(),
            None => gap.settings.connections[0].name.clone(),
        };
        if !gap.settings.connections.iter().any(|c| c.name == name) {
            return Err(ApiError::not_found(format!(
                "no gap-junction connection `{name}`; connections: {}",
                gap.settings
                    .connections
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut tuners = lock(&gap.tuners);
        if let Some(t) = tuners.get(&(name.clone(), implicit)) {
            return Ok(t.clone());
        }
        let t = Arc::new(
            GapJunctionTuner::new(
                self.reg.clone(),
                gap.settings.clone(),
                Some(&name),
                if implicit {
                    GapCoupling::Implicit
                } else {
                    GapCoupling::Neuron
                },
            )
            .map_err(ApiError::from_tuner)?,
        );
        tuners.insert((name, implicit), t.clone());
        Ok(t)
    }
}

/// Whether `name` is a settable parameter of the mechanism.
pub fn is_parameter(mech: &MechType, name: &str) -> bool {
    mech.info
        .field_index(name)
        .is_some_and(|f| mech.info.fields[f].kind == FieldKind::Parameter)
}

fn check_param(mech: &MechType, k: &str, v: f64) -> Result<(), ApiError> {
    if !is_parameter(mech, k) {
        return Err(ApiError::unprocessable(format!(
            "synapse `{}` has no parameter `{k}`; its parameters: {}",
            mech.info.name,
            mech.info.parameter_names().join(", ")
        )));
    }
    let f = &mech.info.fields[mech.info.field_index(k).expect("checked")];
    if !(v.is_finite() && v.abs() <= PARAM_LIMIT) {
        return Err(ApiError::unprocessable(format!(
            "parameter `{k}`: {v} is out of range (finite, |value| ≤ {PARAM_LIMIT:e})"
        )));
    }
    if v < f.lower || v > f.upper {
        return Err(ApiError::unprocessable(format!(
            "parameter `{k}`: {v} is outside the mechanism's limits [{}, {}]",
            f.lower, f.upper
        )));
    }
    Ok(())
}

/// The gap-junction model: `--gap`, else `gap.json` beside the settings file,
/// else the post cells coupled at section 0 (bmtool's gap-tuner defaults).
fn load_gap(
    explicit: Option<&Path>,
    source: &Source,
    settings: &TunerSettings,
) -> anyhow::Result<Option<Gap>> {
    let found = |p: &Path, origin: String| -> anyhow::Result<Option<Gap>> {
        Ok(Some(Gap {
            settings: GapSettings::from_file(p)?,
            origin,
            tuners: Mutex::new(HashMap::new()),
        }))
    };
    if let Some(p) = explicit {
        return found(p, p.display().to_string());
    }
    if let Source::Settings(s) = source {
        let beside = s.parent().unwrap_or(Path::new(".")).join("gap.json");
        if beside.is_file() {
            match found(&beside, beside.display().to_string()) {
                Ok(g) => return Ok(g),
                Err(e) => eprintln!(
                    "synaptune: warning: not using {} for the gap-junction tab: {e:#}",
                    beside.display()
                ),
            }
        }
    }
    let mut conns = serde_json::Map::new();
    let mut cells = serde_json::Map::new();
    for c in &settings.connections {
        let cell = &c.spec_settings.post_cell;
        if cells.contains_key(cell) {
            continue;
        }
        let Ok(path) = settings.cell_path(cell) else {
            continue;
        };
        cells.insert(cell.clone(), json!(path.display().to_string()));
        conns.insert(
            format!("{cell}_gap"),
            json!({"cell": cell, "sec_id": 0, "sec_x": 0.5, "level_of_detail": "Gap"}),
        );
    }
    if conns.is_empty() {
        return Ok(None);
    }
    let g = &settings.general;
    let v = json!({
        "general_settings": {"dt": g.dt, "celsius": g.celsius},
        "conn_type_settings": conns,
        "cells": cells,
    });
    let s = GapSettings::from_value(
        &v,
        Path::new("(derived from the synapse model)"),
        Path::new(""),
    )?;
    Ok(Some(Gap {
        settings: s,
        origin: "derived: each post cell coupled at section 0, bmtool's defaults".into(),
        tuners: Mutex::new(HashMap::new()),
    }))
}

/// The model as the page needs it, for one network.
pub fn model_json(shared: &Shared, network: &str, net: &Net) -> Value {
    let g = &net.settings.general;
    let mut conns: Vec<Value> = net
        .settings
        .connections
        .iter()
        .zip(&net.original.connections)
        .map(|(c, o)| {
            let mech = shared.mechanism(&c.spec_settings.level_of_detail);
            let mut params = Vec::new();
            let mut ignored = Vec::new();
            for (k, v) in c.numeric_params() {
                match mech {
                    Some(m) if is_parameter(m, &k) => {
                        let initial = o
                            .numeric_params()
                            .into_iter()
                            .find(|(n, _)| *n == k)
                            .map_or(v, |(_, x)| x);
                        let (min, max, step) = slider(initial);
                        let f = &m.info.fields[m.info.field_index(&k).expect("checked")];
                        params.push(json!({
                            "name": k, "units": f.units, "value": v, "initial": initial,
                            "min": min, "max": max, "step": step,
                        }));
                    }
                    _ => ignored.push(k),
                }
            }
            let variables: Vec<String> = mech
                .map(|m| {
                    m.info
                        .fields
                        .iter()
                        .filter(|f| f.kind != FieldKind::Parameter)
                        .map(|f| f.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "name": c.name,
                "mechanism": c.spec_settings.level_of_detail,
                "known_mechanism": mech.is_some(),
                "post_cell": c.spec_settings.post_cell,
                "sec_id": c.spec_settings.sec_id,
                "sec_x": c.spec_settings.sec_x,
                "vclamp_amp": c.spec_settings.vclamp_amp,
                "vclamp_amp_initial": o.spec_settings.vclamp_amp,
                "params": params,
                "ignored": ignored,
                "variables": variables,
                "record": shared.default_record(mech.map(|m| m.as_ref())),
            })
        })
        .collect();
    // bmtool's dropdowns list connections sorted by name.
    conns.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let source = match &shared.source {
        Source::Settings(p) => p.display().to_string(),
        Source::Config { config, .. } => config.display().to_string(),
    };
    json!({
        "source": source,
        "convention": match shared.convention { Convention::Bmtool => "bmtool", _ => "default" },
        "networks": shared.networks,
        "network": if network.is_empty() { Value::Null } else { json!(network) },
        "connections": conns,
        "default_connection": net.default_connection,
        "vclamp": shared.vclamp(),
        "general": {
            "tstart": g.tstart, "tdur": g.tdur, "dt": g.dt, "celsius": g.celsius,
            "v_init": g.v_init, "delay": g.delay, "weight": g.weight,
            "threshold": g.threshold, "rise_interval": [g.rise_interval.0, g.rise_interval.1],
            "vclamp": g.vclamp,
        },
        "choices": {
            "freqs": FREQS, "freq": FREQ0,
            "delays": DELAYS, "delay": DELAY0,
            "durations": DURATIONS, "duration": DURATION0,
        },
        "limits": limits_json(),
        "gap": shared.gap.as_ref().map(|g| json!({
            "origin": g.origin,
            "connections": g.settings.connections.iter().map(|c| json!({
                "name": c.name, "cell": c.cell, "sec_id": c.sec_id, "sec_x": c.sec_x,
                "iclamp_amp": c.iclamp_amp.unwrap_or(g.settings.general.iclamp_amp),
            })).collect::<Vec<_>>(),
            "general": {
                "tstart": g.settings.general.tstart, "tdur": g.settings.general.tdur,
                "dt": g.settings.general.dt, "v_init": g.settings.general.v_init,
            },
            "slider": {"log10_min": GAP_LOG10_MIN, "log10_max": GAP_LOG10_MAX,
                       "log10_step": GAP_LOG10_STEP, "g": GAP_G0},
        })),
    })
}

/// Limits of the request values.
pub mod limits {
    /// Highest input frequency (Hz).
    pub const FREQ_MAX: f64 = 1000.0;
    /// Longest recovery delay (ms).
    pub const DELAY_MAX: f64 = 20_000.0;
    /// Longest continuous-input duration (ms).
    pub const DURATION_MAX: f64 = 20_000.0;
    /// Holding potentials (mV).
    pub const VCLAMP_AMP: (f64, f64) = (-200.0, 200.0);
    /// Largest gap conductance (µS).
    pub const G_MAX: f64 = 100.0;
    /// Most frequencies in one frequency response.
    pub const FREQS_MAX: usize = 64;
}

fn limits_json() -> Value {
    use limits::*;
    json!({
        "freq": [0.0, FREQ_MAX], "delay": [0.0, DELAY_MAX], "duration": [0.0, DURATION_MAX],
        "vclamp_amp": [VCLAMP_AMP.0, VCLAMP_AMP.1], "g": [0.0, G_MAX], "freqs": FREQS_MAX,
        "param_abs": PARAM_LIMIT,
    })
}

/// The current settings of a network as a settings file (paths made absolute).
pub fn settings_file_json(shared: &Shared, net: &Net) -> Value {
    let s = &net.settings;
    let g = &s.general;
    let mut conns = serde_json::Map::new();
    for c in &s.connections {
        conns.insert(c.name.clone(), c.to_json());
    }
    let abs = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    let mut cells = serde_json::Map::new();
    for (k, p) in &s.cells {
        cells.insert(k.clone(), json!(abs(p)));
    }
    let mut out = json!({
        "comment": format!("exported by synaptune serve from {}", s.source.display()),
        "general_settings": {
            "vclamp": shared.vclamp(),
            "rise_interval": [g.rise_interval.0, g.rise_interval.1],
            "tstart": g.tstart, "tdur": g.tdur, "threshold": g.threshold,
            "delay": g.delay, "weight": g.weight, "dt": g.dt,
            "celsius": g.celsius, "v_init": g.v_init,
        },
        "conn_type_settings": conns,
        "cells": cells,
    });
    if !s.mechanisms.is_empty() {
        out["mechanisms"] = json!(s.mechanisms.iter().map(|p| abs(p)).collect::<Vec<_>>());
    }
    out
}

/// A connection's current parameters as a BMTK dynamics_params file
/// (`level_of_detail` and `spec_syn_param`); also a `--json-folder` file.
pub fn dynamics_json(net: &Net, connection: &str) -> Result<(String, Value), ApiError> {
    let c = net
        .settings
        .connections
        .iter()
        .find(|c| c.name == connection)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no connection `{connection}`; connections: {}",
                net.settings.connection_names().join(", ")
            ))
        })?;
    let mut m = serde_json::Map::new();
    m.insert(
        "level_of_detail".into(),
        json!(c.spec_settings.level_of_detail),
    );
    for (k, v) in &c.spec_syn_param {
        if k != "level_of_detail" {
            m.insert(k.clone(), v.clone());
        }
    }
    let file = c
        .spec_settings
        .extra
        .get("dynamics_params_file")
        .and_then(Value::as_str)
        .and_then(|f| Path::new(f).file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}.json", c.name));
    Ok((file, Value::Object(m)))
}
