//! What the server holds: the mechanism registry, each network's settings with
//! the current parameter values (the server is the tuner object bmtool's widgets
//! drive), the tuners loaded so far, and the gap-junction model.
//!
//! Locks are held only to read or update values and to load a connection; no
//! simulation runs under a lock (a request clones its tuner and lets go).

use crate::error::{ApiError, LoadError};
use crate::request::{RunSpec, Ticket};
use mech_api::{FieldKind, MechType, Registry};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tuner_opt::{
    Budget, Cancel, Convention, GapCoupling, GapJunctionTuner, GapSettings, Measure, ModelSource,
    Notice, NoticeLevel, SynapseTuner, TunerSettings, TunerSpec,
};

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

impl Net {
    fn new(settings: TunerSettings, tuners: HashMap<String, SynapseTuner>) -> Net {
        Net {
            default_connection: settings.connections[0].name.clone(),
            original: settings.clone(),
            settings,
            tuners,
        }
    }
}

/// The gap-junction model.
pub struct Gap {
    /// Its settings.
    pub settings: GapSettings,
    /// Where they came from (shown on the page).
    pub origin: String,
    tuners: Mutex<HashMap<(String, bool), Arc<GapJunctionTuner>>>,
}

impl Gap {
    fn new(settings: GapSettings, origin: String) -> Gap {
        Gap {
            settings,
            origin,
            tuners: Mutex::new(HashMap::new()),
        }
    }
}

/// Everything the handlers share: the interactive tuner's state.
pub struct App {
    /// Mechanisms (built-in, `--mechanisms`, the settings' `mechanisms`).
    pub reg: Registry,
    /// Which arithmetic.
    pub convention: Convention,
    /// Where the model comes from.
    pub source: ModelSource,
    /// Networks of a config (empty for a settings file).
    pub networks: Vec<String>,
    /// The network opened first ("" for a settings file).
    pub default_network: String,
    /// The variables asked to be recorded, when given.
    pub record: Option<Vec<String>>,
    /// The parameter folder, applied to every network.
    pub json_folder: Option<std::path::PathBuf>,
    /// The gap-junction tab's model.
    pub gap: Option<Gap>,
    nets: Mutex<HashMap<String, Net>>,
    vclamp: Mutex<bool>,
    /// At most this many simulations run at once (one per core).
    pub slots: tokio::sync::Semaphore,
    /// Requests running or waiting for a slot, bounded.
    pub admission: Admission,
    /// The latest request of each page lane.
    pub lanes: Lanes,
    /// The work one request may ask for.
    pub budget: Budget,
    /// `current_name` and `measure` as the server was started with.
    pub current_name: Option<String>,
    /// See [`Measure`].
    pub measure: Option<Measure>,
}

/// How many requests may wait for a simulation slot beyond the running ones.
pub const QUEUE: usize = 16;

/// Requests admitted (running or waiting for a slot), at most `limit`.
pub struct Admission {
    count: AtomicUsize,
    limit: usize,
}

/// One admitted request; leaves on drop.
pub struct Admitted<'a>(&'a AtomicUsize);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Admission {
    fn new(limit: usize) -> Admission {
        Admission {
            count: AtomicUsize::new(0),
            limit,
        }
    }

    /// Admit a request, or 429 when `limit` are already in.
    pub fn enter(&self) -> Result<Admitted<'_>, ApiError> {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        if n >= self.limit {
            self.count.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::busy(n));
        }
        Ok(Admitted(&self.count))
    }
}

/// The latest request of each lane and its cancel flag: a newer request
/// cancels the older one; an older one arriving late is refused (409).
#[derive(Default)]
pub struct Lanes(Mutex<HashMap<String, (u64, Cancel)>>);

/// Most lanes remembered (beyond it the finished ones are forgotten first).
const MAX_LANES: usize = 4096;

/// A request registered in its lane; leaves it on drop.
pub struct InLane<'a> {
    lanes: &'a Lanes,
    ticket: Ticket,
}

impl Drop for InLane<'_> {
    fn drop(&mut self) {
        let mut m = lock(&self.lanes.0);
        if m.get(&self.ticket.client)
            .is_some_and(|(s, _)| *s == self.ticket.seq)
        {
            m.remove(&self.ticket.client);
        }
    }
}

impl Lanes {
    /// Register `t` with its flag, cancelling an older request of the lane.
    pub fn enter(&self, t: Ticket, cancel: &Cancel) -> Result<InLane<'_>, ApiError> {
        let mut m = lock(&self.0);
        if let Some((seq, old)) = m.get(&t.client) {
            if *seq > t.seq {
                return Err(ApiError::superseded());
            }
            old.store(true, Ordering::Relaxed);
        }
        if m.len() >= MAX_LANES {
            m.clear();
        }
        m.insert(t.client.clone(), (t.seq, cancel.clone()));
        Ok(InLane {
            lanes: self,
            ticket: t,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Largest magnitude accepted for a parameter (beyond it a request is refused).
pub const PARAM_LIMIT: f64 = 1e9;

/// What a prepared run reports back.
pub struct Prepared {
    /// The tuner, on the connection, with every value applied.
    pub tuner: SynapseTuner,
    /// The network ("" for a settings file).
    pub network: String,
    /// The parameters now in force (numeric synaptic parameters).
    pub params: Vec<(String, f64)>,
}

/// The network a config opens with: the one asked for, else the first (as
/// bmtool's Tk GUI); "" for a settings file.
fn first_network(source: &ModelSource, networks: &[String]) -> Result<String, LoadError> {
    let ModelSource::Sonata {
        config, network, ..
    } = source
    else {
        return Ok(String::new());
    };
    match network {
        Some(n) if networks.contains(n) => Ok(n.clone()),
        Some(n) => Err(LoadError::NoNetwork {
            config: config.clone(),
            network: n.clone(),
            networks: networks.join(", "),
        }),
        None => networks
            .first()
            .cloned()
            .ok_or_else(|| LoadError::NoNetworks {
                config: config.clone(),
            }),
    }
}

impl App {
    /// Load the model as the tuner commands do (same checks, same overrides)
    /// and the gap-junction model; the notices are the user's to see.
    pub fn load(spec: &TunerSpec, gap: Option<&Path>) -> Result<(App, Vec<Notice>), LoadError> {
        let networks = spec.source.networks()?;
        let default_network = first_network(&spec.source, &networks)?;
        let mut first = spec.clone();
        if !default_network.is_empty() {
            first.source = spec.source.with_network(&default_network);
        }
        let built = first.build()?;
        let mut notices = built.notices;
        let t0 = built.tuner;
        let gap = load_gap(gap, &spec.source, t0.settings(), &mut notices)?;
        let vclamp = t0.vclamp();
        let name = t0.connection().name.clone();
        let settings = t0.settings().clone();
        let reg = t0.registry().clone();
        let mut net = Net::new(settings, HashMap::from([(name.clone(), t0)]));
        net.default_connection = name;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let app = App {
            reg,
            convention: spec.convention,
            source: spec.source.clone(),
            networks,
            nets: Mutex::new(HashMap::from([(default_network.clone(), net)])),
            default_network,
            record: (!spec.record.is_empty()).then(|| spec.record.clone()),
            json_folder: spec.json_folder.clone(),
            gap,
            vclamp: Mutex::new(vclamp),
            slots: tokio::sync::Semaphore::new(cores),
            admission: Admission::new(cores + QUEUE),
            lanes: Lanes::default(),
            budget: spec.budget,
            current_name: spec.current_name.clone(),
            measure: spec.measure,
        };
        Ok((app, notices))
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
        if !matches!(self.source, ModelSource::Sonata { .. }) {
            return Err(ApiError::not_found(format!("no network `{network}`")));
        }
        let unusable = |e: String| ApiError::unprocessable(format!("network `{network}`: {e}"));
        let mut settings = self
            .source
            .with_network(network)
            .load()
            .map_err(|e| unusable(error_chain(&e)))?;
        if let Some(dir) = &self.json_folder {
            settings
                .apply_json_folder(dir)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        }
        Ok(Net::new(settings, HashMap::new()))
    }

    /// The mechanism of a level_of_detail.
    pub fn mechanism(&self, name: &str) -> Option<&Arc<MechType>> {
        self.reg.get(name)
    }

    /// The voltage-clamp mode last asked for (the settings export writes it).
    pub fn vclamp(&self) -> bool {
        *lock(&self.vclamp)
    }

    /// Default extra variables of a synapse: the ones asked for (those it has),
    /// else its `record_*` variables (what `synaptune demo` records).
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
            let idx = connection_index(net, &network, &name)?;
            let mech = self.apply(net, idx, spec)?;
            let mut t = self.tuner(net, &name)?;
            let params: Vec<(String, f64)> = net.settings.connections[idx]
                .numeric_params()
                .into_iter()
                .filter(|(k, _)| is_parameter(mech, k))
                .collect();
            for (k, v) in &params {
                t.set_param(k, *v).map_err(ApiError::from_tuner)?;
            }
            t.set_vclamp(self.set_vclamp(spec.vclamp));
            if spec.measure.is_some() {
                t.set_measure(spec.measure);
            }
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

    /// Check a request's values for connection `idx`, then store them; its
    /// synapse mechanism.
    fn apply(&self, net: &mut Net, idx: usize, spec: &RunSpec) -> Result<&Arc<MechType>, ApiError> {
        let c = &net.settings.connections[idx];
        let lod = &c.spec_settings.level_of_detail;
        let mech = self.reg.get(lod).ok_or_else(|| {
            ApiError::unprocessable(format!(
                "connection `{}`: unknown synapse mechanism `{lod}` (level_of_detail)",
                c.name
            ))
        })?;
        // Validate everything before changing anything.
        for (k, v) in &spec.params {
            check_param(mech, k, *v)?;
        }
        let c = &mut net.settings.connections[idx];
        for (k, v) in &spec.params {
            c.set_param(k, *v);
        }
        if let Some(a) = spec.vclamp_amp {
            c.spec_settings.vclamp_amp = a;
        }
        Ok(mech)
    }

    /// The connection's tuner, rebuilt when its holding potential changed.
    fn tuner(&self, net: &mut Net, name: &str) -> Result<SynapseTuner, ApiError> {
        let amp = net
            .settings
            .connection(name)
            .map_or(f64::NAN, |c| c.spec_settings.vclamp_amp);
        let stale = net
            .tuners
            .get(name)
            .is_none_or(|t| t.connection().spec_settings.vclamp_amp != amp);
        if stale {
            let t = SynapseTuner::new(
                self.reg.clone(),
                net.settings.clone(),
                Some(name),
                self.convention,
            )
            .map_err(ApiError::from_tuner)?;
            let mut t = t;
            t.set_budget(self.budget);
            t.set_measure(self.measure);
            if let Some(n) = &self.current_name {
                t.set_current_name(n).map_err(ApiError::from_tuner)?;
            }
            net.tuners.insert(name.to_string(), t);
        }
        Ok(net.tuners[name].clone())
    }

    /// Remember the clamp mode a request asks for; the mode now in force.
    fn set_vclamp(&self, asked: Option<bool>) -> bool {
        let mut last = lock(&self.vclamp);
        if let Some(v) = asked {
            *last = v;
        }
        *last
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
        let coupling = if implicit {
            GapCoupling::Implicit
        } else {
            GapCoupling::Neuron
        };
        let t = GapJunctionTuner::new(
            self.reg.clone(),
            gap.settings.clone(),
            Some(&name),
            coupling,
        )
        .map_err(ApiError::from_tuner)?;
        let mut t = t;
        t.set_budget(self.budget);
        let t = Arc::new(t);
        tuners.insert((name, implicit), t.clone());
        Ok(t)
    }
}

/// An error and its causes on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(&format!(": {c}"));
        cause = c.source();
    }
    s
}

/// The index of connection `name` of a network.
fn connection_index(net: &Net, network: &str, name: &str) -> Result<usize, ApiError> {
    net.settings
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
        })
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

/// The gap-junction model: the file given, else `gap.json` beside the
/// settings file, else the post cells coupled at section 0 (bmtool's
/// gap-tuner defaults).
fn load_gap(
    explicit: Option<&Path>,
    source: &ModelSource,
    settings: &TunerSettings,
    notices: &mut Vec<Notice>,
) -> Result<Option<Gap>, LoadError> {
    if let Some(p) = explicit {
        let s = GapSettings::from_file(p)?;
        return Ok(Some(Gap::new(s, p.display().to_string())));
    }
    if let ModelSource::Settings(s) = source {
        let beside = s.parent().unwrap_or(Path::new(".")).join("gap.json");
        if beside.is_file() {
            match GapSettings::from_file(&beside) {
                Ok(g) => return Ok(Some(Gap::new(g, beside.display().to_string()))),
                Err(e) => notices.push(Notice {
                    level: NoticeLevel::Warning,
                    text: format!(
                        "not using {} for the gap-junction tab: {e}",
                        beside.display()
                    ),
                }),
            }
        }
    }
    let origin = "derived: each post cell coupled at section 0, bmtool's defaults";
    Ok(GapSettings::derived_from(settings).map(|s| Gap::new(s, origin.into())))
}
