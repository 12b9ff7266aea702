//! `simulation_config.json` / `circuit_config.json` loading.

use crate::error::{read_text, Error, ErrorDetail};
use crate::h5::H5File;
use crate::manifest::{first_unresolved, json_kind, Manifest};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// The `run` section (numbers; `None` when absent).
///
/// BMTK's defaults for absent values are `dt` 0.1, `tstart` 0, `dL` 20,
/// `spike_threshold` -15 and `nsteps_block` 0 (see the `*_or_default` methods);
/// `tstop` has none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// `run.tstart` (ms).
    pub tstart: Option<f64>,
    /// `run.tstop` (ms).
    pub tstop: Option<f64>,
    /// `run.dt` (ms).
    pub dt: Option<f64>,
    /// `run.dL` (µm), the maximum segment length.
    pub dl: Option<f64>,
    /// `run.spike_threshold` (mV).
    pub spike_threshold: Option<f64>,
    /// `run.nsteps_block`.
    pub nsteps_block: Option<u64>,
}

impl Run {
    /// `dt`, or BMTK's default 0.1 ms.
    pub fn dt_or_default(&self) -> f64 {
        self.dt.unwrap_or(0.1)
    }
    /// `tstart`, or BMTK's default 0 ms.
    pub fn tstart_or_default(&self) -> f64 {
        self.tstart.unwrap_or(0.0)
    }
    /// `spike_threshold`, or BMTK's default -15 mV.
    pub fn spike_threshold_or_default(&self) -> f64 {
        self.spike_threshold.unwrap_or(-15.0)
    }
}

/// The `conditions` section (`None` when absent; BMTK has no defaults for them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// `conditions.celsius` (°C).
    pub celsius: Option<f64>,
    /// `conditions.v_init` (mV).
    pub v_init: Option<f64>,
}

/// The `components` section: folders, as absolute paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Components {
    /// `templates_dir`: hoc/Python cell templates.
    pub templates_dir: Option<PathBuf>,
    /// `synaptic_models_dir`: dynamics-params JSON files of edge types.
    pub synaptic_models_dir: Option<PathBuf>,
    /// `mechanisms_dir`: NMODL mechanisms.
    pub mechanisms_dir: Option<PathBuf>,
    /// `morphologies_dir`: SWC/ASC morphologies.
    pub morphologies_dir: Option<PathBuf>,
    /// `biophysical_neuron_models_dir`: dynamics-params JSON files of node types.
    pub biophysical_neuron_models_dir: Option<PathBuf>,
    /// `point_neuron_models_dir`.
    pub point_neuron_models_dir: Option<PathBuf>,
    /// Every entry of the section (the ones above included), by name.
    pub all: BTreeMap<String, PathBuf>,
}

/// One `networks.nodes` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NodesEntry {
    /// The nodes HDF5 file.
    pub nodes_file: PathBuf,
    /// Its `node_types.csv`.
    pub node_types_file: PathBuf,
    /// The populations under `/nodes`, by name.
    pub populations: Vec<String>,
}

/// One `networks.edges` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgesEntry {
    /// The edges HDF5 file.
    pub edges_file: PathBuf,
    /// Its `edge_types.csv`.
    pub edge_types_file: PathBuf,
    /// The populations under `/edges`, by name (never empty).
    pub populations: Vec<String>,
}

impl EdgesEntry {
    /// The network (bmtool's "edge dataset") this file is: its first population.
    pub fn network(&self) -> &str {
        self.populations.first().map(String::as_str).unwrap_or("")
    }
}

/// One `networks.gap_juncs` entry (BMTK's `<net>_gap_juncs.h5`).
#[derive(Debug, Clone, PartialEq)]
pub struct GapJuncsEntry {
    /// The gap-junction HDF5 file (read it with [`crate::GapJunctions::load`]).
    pub gap_juncs_file: PathBuf,
}

/// A loaded SONATA/BMTK configuration: a simulation config with the circuit
/// config it includes, or a circuit config alone.
///
/// Loading reads every JSON file involved (the given one, its `network` and
/// `simulation` includes, the `node_sets_file`) and lists the populations of
/// every nodes and edges HDF5 file; node, edge and dynamics data are read only
/// by [`crate::connection_types`] and the population readers.
#[derive(Debug, Clone)]
pub struct Config {
    path: PathBuf,
    files: Vec<PathBuf>,
    raw: Map<String, Json>,
    run: Run,
    conditions: Conditions,
    components: Components,
    target_simulator: Option<String>,
    node_sets_file: Option<PathBuf>,
    node_sets: Option<Map<String, Json>>,
    nodes: Vec<NodesEntry>,
    edges: Vec<EdgesEntry>,
    gap_juncs: Vec<GapJuncsEntry>,
    networks: Vec<String>,
}

/// The merged JSON of one file and its includes, with the file each top-level
/// key (and each `components` entry) came from.
struct Layer {
    map: Map<String, Json>,
    origin: HashMap<String, PathBuf>,
    component_origin: HashMap<String, PathBuf>,
}

impl Config {
    /// Loads a simulation or circuit configuration.
    ///
    /// Manifest variables are substituted in every string; the paths this crate
    /// uses (`network`/`simulation` includes, `components`, `networks` files,
    /// `node_sets_file`) must resolve (a variable that never does is
    /// [`ErrorKind::UnresolvedVariable`](crate::ErrorKind::UnresolvedVariable)) and, when relative, are taken relative to
    /// the file that declares them. Top-level sections of an included file
    /// replace the including file's (as BMTK does), except `components`, whose
    /// entries are merged (the included file's win).
    pub fn load(path: impl AsRef<Path>) -> Result<Config, Error> {
        let path = path.as_ref();
        let abs = std::path::absolute(path).map_err(|e| Error::io(path, e, None))?;
        let abs = normalize(&abs);
        let text = read_text(&abs, None)?;
        Self::parse(&text, &abs)
    }

    /// Loads a configuration whose text is `text`, as if read from `path`:
    /// `${configdir}`, relative paths and includes are taken relative to `path`,
    /// and everything else it names is read from disk.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Config, Error> {
        let path = path.as_ref();
        let abs = std::path::absolute(path).map_err(|e| Error::io(path, e, None))?;
        let abs = normalize(&abs);
        let mut files = Vec::new();
        let mut stack = Vec::new();
        let layer = load_layer(&abs, Some(text), &mut stack, &mut files)?;
        Self::from_layer(abs, files, layer)
    }

    fn from_layer(path: PathBuf, mut files: Vec<PathBuf>, layer: Layer) -> Result<Config, Error> {
        let origin = |key: &str| {
            layer
                .origin
                .get(key)
                .cloned()
                .unwrap_or_else(|| path.clone())
        };
        let map = &layer.map;
        let run = run_section(map, &origin("run"))?;
        let cond_sec = section(map, "conditions", &origin("conditions"))?;
        let conditions = Conditions {
            celsius: number(cond_sec, "conditions", "celsius", &origin("conditions"))?,
            v_init: number(cond_sec, "conditions", "v_init", &origin("conditions"))?,
        };
        let components = components(map);
        let target_simulator = match map.get("target_simulator") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(Error::field(
                    &origin("target_simulator"),
                    "target_simulator",
                    "a string",
                    json_kind(other),
                ))
            }
        };
        let node_sets_file = match map.get("node_sets_file") {
            Some(Json::String(s)) => Some(PathBuf::from(s)),
            _ => None,
        };
        let node_sets = node_sets(map, &node_sets_file, &origin, &mut files)?;
        let NetworkEntries {
            nodes,
            edges,
            gap_juncs,
        } = match map.get("networks") {
            Some(Json::Object(nets)) => network_entries(nets, &origin("networks"))?,
            _ => NetworkEntries::default(),
        };
        let mut networks: Vec<String> = Vec::new();
        for e in &edges {
            let n = e.network().to_string();
            if !networks.contains(&n) {
                networks.push(n);
            }
        }
        Ok(Config {
            path,
            files,
            raw: layer.map,
            run,
            conditions,
            components,
            target_simulator,
            node_sets_file,
            node_sets,
            nodes,
            edges,
            gap_juncs,
            networks,
        })
    }

    /// The (absolute) path of the file that was loaded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every JSON file read: the loaded one, its includes, the node-sets file.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The merged configuration with variables substituted and the paths this
    /// crate reads made absolute; every other value as written.
    pub fn raw(&self) -> &Map<String, Json> {
        &self.raw
    }

    /// The `run` section.
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// The `conditions` section.
    pub fn conditions(&self) -> &Conditions {
        &self.conditions
    }

    /// The `components` section.
    pub fn components(&self) -> &Components {
        &self.components
    }

    /// `target_simulator`, if given.
    pub fn target_simulator(&self) -> Option<&str> {
        self.target_simulator.as_deref()
    }

    /// The `node_sets_file`, if given.
    pub fn node_sets_file(&self) -> Option<&Path> {
        self.node_sets_file.as_deref()
    }

    /// The node sets: the `node_sets` section, else the `node_sets_file`'s content.
    pub fn node_sets(&self) -> Option<&Map<String, Json>> {
        self.node_sets.as_ref()
    }

    /// `networks.nodes`, in file order.
    pub fn nodes(&self) -> &[NodesEntry] {
        &self.nodes
    }

    /// `networks.edges`, in file order.
    pub fn edges(&self) -> &[EdgesEntry] {
        &self.edges
    }

    /// `networks.gap_juncs`, in file order.
    pub fn gap_juncs(&self) -> &[GapJuncsEntry] {
        &self.gap_juncs
    }

    /// The network names, as bmtool lists them: the first edge population of
    /// each edges file, in configuration order, each name once.
    pub fn networks(&self) -> &[String] {
        &self.networks
    }

    /// The edges entry bmtool uses for `network`: the last file whose first
    /// population has that name.
    pub fn edges_entry(&self, network: &str) -> Option<&EdgesEntry> {
        self.edges.iter().rev().find(|e| e.network() == network)
    }
}

fn parse_json(text: &str, path: &Path) -> Result<Json, Error> {
    serde_json::from_str(text).map_err(|e| {
        ErrorDetail::Json {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
        .into()
    })
}

fn load_layer(
    path: &Path,
    text: Option<&str>,
    stack: &mut Vec<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Result<Layer, Error> {
    let owned;
    let text = match text {
        Some(t) => t,
        None => {
            owned = read_text(path, None)?;
            &owned
        }
    };
    files.push(path.to_path_buf());
    let mut map = match parse_json(text, path)? {
        Json::Object(o) => o,
        other => {
            return Err(Error::field(
                path,
                "(whole file)",
                "a JSON object",
                json_kind(&other),
            ))
        }
    };
    let manifest = Manifest::build(map.get("manifest"), path)?;
    for (k, v) in map.iter_mut() {
        if k != "manifest" {
            substitute_tree(v, &manifest);
        }
    }
    resolve_paths(&mut map, path)?;

    let mut layer = Layer {
        origin: map
            .keys()
            .map(|k| (k.clone(), path.to_path_buf()))
            .collect(),
        component_origin: match map.get("components") {
            Some(Json::Object(c)) => c.keys().map(|k| (k.clone(), path.to_path_buf())).collect(),
            _ => HashMap::new(),
        },
        map,
    };

    stack.push(canonical(path));
    for key in ["network", "simulation"] {
        let Some(Json::String(child)) = layer.map.get(key) else {
            continue;
        };
        let child = PathBuf::from(child);
        if stack.contains(&canonical(&child)) {
            return Err(ErrorDetail::IncludeCycle {
                path: path.to_path_buf(),
                field: key.to_string(),
                target: child,
            }
            .into());
        }
        let sub = load_layer(&child, None, stack, files).map_err(|e| match e.into_detail() {
            ErrorDetail::NotFound {
                path: p,
                context: None,
            } => ErrorDetail::NotFound {
                path: p,
                context: Some(format!("`{key}` of {}", path.display())),
            }
            .into(),
            other => Error::from(other),
        })?;
        for (k, v) in sub.map {
            match (k.as_str(), layer.map.get_mut(&k), v) {
                ("components", Some(Json::Object(mine)), Json::Object(theirs)) => {
                    for (ck, cv) in theirs {
                        if let Some(o) = sub.component_origin.get(&ck) {
                            layer.component_origin.insert(ck.clone(), o.clone());
                        }
                        mine.insert(ck, cv);
                    }
                }
                (_, _, v) => {
                    if let Some(o) = sub.origin.get(&k) {
                        layer.origin.insert(k.clone(), o.clone());
                    }
                    if k == "components" {
                        layer.component_origin = sub.component_origin.clone();
                    }
                    layer.map.insert(k, v);
                }
            }
        }
    }
    stack.pop();
    Ok(layer)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn substitute_tree(v: &mut Json, manifest: &Manifest) {
    match v {
        Json::String(s) if s.contains('$') => *s = manifest.substitute(s),
        Json::Array(items) => items.iter_mut().for_each(|i| substitute_tree(i, manifest)),
        Json::Object(o) => {
            for (k, val) in o.iter_mut() {
                if k != "manifest" {
                    substitute_tree(val, manifest);
                }
            }
        }
        _ => {}
    }
}

/// Lexically removes `.` components (keeps `..`: the file system decides those).
fn normalize(p: &Path) -> PathBuf {
    p.components().filter(|c| *c != Component::CurDir).collect()
}

/// Checks a path-valued string and makes it absolute relative to `dir`.
fn resolve_one(s: &str, field: &str, file: &Path) -> Result<String, Error> {
    if let Some(var) = first_unresolved(s) {
        return Err(ErrorDetail::UnresolvedVariable {
            path: file.to_path_buf(),
            field: field.to_string(),
            variable: var,
            reason: "is never defined (not in this file's manifest nor a built-in variable)"
                .to_string(),
        }
        .into());
    }
    if s.is_empty() {
        return Err(Error::field(file, field, "a path", "an empty string"));
    }
    let p = Path::new(s);
    let dir = file.parent().unwrap_or(Path::new("/"));
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    };
    Ok(normalize(&full).to_string_lossy().into_owned())
}

/// Resolves the path-valued fields of one file's JSON in place.
fn resolve_paths(map: &mut Map<String, Json>, file: &Path) -> Result<(), Error> {
    for key in ["network", "simulation", "node_sets_file"] {
        match map.get_mut(key) {
            Some(Json::String(s)) => *s = resolve_one(s, key, file)?,
            Some(Json::Null) | None => {}
            Some(other) if key == "node_sets_file" => {
                return Err(Error::field(file, key, "a path string", json_kind(other)))
            }
            Some(_) => {} // BMTK only follows string includes
        }
    }
    match map.get_mut("components") {
        None | Some(Json::Null) => {}
        Some(Json::Object(c)) => {
            for (k, v) in c.iter_mut() {
                let field = format!("components.{k}");
                match v {
                    Json::String(s) => *s = resolve_one(s, &field, file)?,
                    other => {
                        return Err(Error::field(
                            file,
                            &field,
                            "a folder path string",
                            json_kind(other),
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(Error::field(
                file,
                "components",
                "an object",
                json_kind(other),
            ))
        }
    }
    match map.get_mut("networks") {
        None | Some(Json::Null) => {}
        Some(Json::Object(nets)) => {
            for (list, keys) in [
                ("nodes", &["nodes_file", "node_types_file"][..]),
                ("edges", &["edges_file", "edge_types_file"][..]),
                ("gap_juncs", &["gap_juncs_file"][..]),
            ] {
                match nets.get_mut(list) {
                    None | Some(Json::Null) => {}
                    Some(Json::Array(items)) => {
                        for (i, item) in items.iter_mut().enumerate() {
                            let Json::Object(o) = item else {
                                return Err(Error::field(
                                    file,
                                    format!("networks.{list}[{i}]"),
                                    "an object naming its files",
                                    json_kind(item),
                                ));
                            };
                            for k in keys {
                                let field = format!("networks.{list}[{i}].{k}");
                                match o.get_mut(*k) {
                                    None => {}
                                    Some(Json::String(s)) => *s = resolve_one(s, &field, file)?,
                                    Some(other) => {
                                        return Err(Error::field(
                                            file,
                                            &field,
                                            "a file path string",
                                            json_kind(other),
                                        ))
                                    }
                                }
                            }
                        }
                    }
                    Some(other) => {
                        return Err(Error::field(
                            file,
                            format!("networks.{list}"),
                            "an array",
                            json_kind(other),
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(Error::field(
                file,
                "networks",
                "an object",
                json_kind(other),
            ))
        }
    }
    Ok(())
}

fn section<'a>(
    map: &'a Map<String, Json>,
    key: &str,
    file: &Path,
) -> Result<Option<&'a Map<String, Json>>, Error> {
    match map.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(o)) => Ok(Some(o)),
        Some(other) => Err(Error::field(file, key, "an object", json_kind(other))),
    }
}

fn number(
    sec: Option<&Map<String, Json>>,
    sec_name: &str,
    key: &str,
    file: &Path,
) -> Result<Option<f64>, Error> {
    let field = format!("{sec_name}.{key}");
    match sec.and_then(|s| s.get(key)) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| Error::field(file, &field, "a number", format!("the number {n}"))),
        // A manifest variable substitutes strings: accept "0.025".
        Some(Json::String(s)) => {
            if let Some(var) = first_unresolved(s) {
                return Err(ErrorDetail::UnresolvedVariable {
                    path: file.to_path_buf(),
                    field,
                    variable: var,
                    reason: "is never defined".to_string(),
                }
                .into());
            }
            s.trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| Error::field(file, &field, "a number", format!("the string {s:?}")))
        }
        Some(other) => Err(Error::field(file, &field, "a number", json_kind(other))),
    }
}

fn array_of<'a>(nets: &'a Map<String, Json>, key: &str) -> &'a [Json] {
    match nets.get(key) {
        Some(Json::Array(a)) => a,
        _ => &[],
    }
}

fn required_path(entry: &Json, key: &str, field: &str, file: &Path) -> Result<PathBuf, Error> {
    match entry.get(key) {
        Some(Json::String(s)) => Ok(PathBuf::from(s)),
        Some(other) => Err(Error::field(
            file,
            field,
            "a file path string",
            json_kind(other),
        )),
        None => Err(Error::field(
            file,
            field,
            "a file path string",
            "nothing (the key is missing)",
        )),
    }
}

/// The `run` section (`origin`: the file that declared it).
fn run_section(map: &Map<String, Json>, origin: &Path) -> Result<Run, Error> {
    let run_sec = section(map, "run", origin)?;
    Ok(Run {
        tstart: number(run_sec, "run", "tstart", origin)?,
        tstop: number(run_sec, "run", "tstop", origin)?,
        dt: number(run_sec, "run", "dt", origin)?,
        dl: number(run_sec, "run", "dL", origin)?,
        spike_threshold: number(run_sec, "run", "spike_threshold", origin)?,
        nsteps_block: match number(run_sec, "run", "nsteps_block", origin)? {
            None => None,
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64 => Some(v as u64),
            Some(v) => {
                return Err(Error::field(
                    origin,
                    "run.nsteps_block",
                    "a non-negative integer",
                    format!("the number {v}"),
                ))
            }
        },
    })
}

/// The `components` folders (strings were checked and made absolute when
/// their file was read).
fn components(map: &Map<String, Json>) -> Components {
    let mut components = Components::default();
    if let Some(Json::Object(c)) = map.get("components") {
        for (k, v) in c {
            if let Json::String(s) = v {
                components.all.insert(k.clone(), PathBuf::from(s));
            }
        }
    }
    let get = |k: &str| components.all.get(k).cloned();
    components.templates_dir = get("templates_dir");
    components.synaptic_models_dir = get("synaptic_models_dir");
    components.mechanisms_dir = get("mechanisms_dir");
    components.morphologies_dir = get("morphologies_dir");
    components.biophysical_neuron_models_dir = get("biophysical_neuron_models_dir");
    components.point_neuron_models_dir = get("point_neuron_models_dir");
    components
}

/// `node_sets`, inline or read from `node_sets_file` (which joins `files`).
fn node_sets(
    map: &Map<String, Json>,
    node_sets_file: &Option<PathBuf>,
    origin: &dyn Fn(&str) -> PathBuf,
    files: &mut Vec<PathBuf>,
) -> Result<Option<Map<String, Json>>, Error> {
    match map.get("node_sets") {
        Some(Json::Object(o)) => Ok(Some(o.clone())),
        Some(other) => Err(Error::field(
            &origin("node_sets"),
            "node_sets",
            "an object of node sets",
            json_kind(other),
        )),
        None => {
            let Some(f) = node_sets_file else {
                return Ok(None);
            };
            let ctx = format!("node_sets_file of {}", origin("node_sets_file").display());
            let text = read_text(f, Some(ctx))?;
            files.push(f.clone());
            match parse_json(&text, f)? {
                Json::Object(o) => Ok(Some(o)),
                other => Err(Error::field(
                    f,
                    "(whole file)",
                    "an object of node sets",
                    json_kind(&other),
                )),
            }
        }
    }
}

/// The entries of `networks`.
#[derive(Default)]
struct NetworkEntries {
    nodes: Vec<NodesEntry>,
    edges: Vec<EdgesEntry>,
    gap_juncs: Vec<GapJuncsEntry>,
}

/// The nodes, edges and gap-junction entries of `networks`, each file opened
/// to list its populations.
fn network_entries(nets: &Map<String, Json>, origin: &Path) -> Result<NetworkEntries, Error> {
    let mut nodes = Vec::new();
    for (i, e) in array_of(nets, "nodes").iter().enumerate() {
        let field = |k: &str| format!("networks.nodes[{i}].{k}");
        let nodes_file = required_path(e, "nodes_file", &field("nodes_file"), origin)?;
        let node_types_file =
            required_path(e, "node_types_file", &field("node_types_file"), origin)?;
        let ctx = format!("{} of {}", field("nodes_file"), origin.display());
        let h5 = H5File::open(&nodes_file, Some(ctx))?;
        let (populations, _) = h5.members("/nodes")?;
        nodes.push(NodesEntry {
            nodes_file,
            node_types_file,
            populations,
        });
    }
    let mut edges = Vec::new();
    for (i, e) in array_of(nets, "edges").iter().enumerate() {
        let field = |k: &str| format!("networks.edges[{i}].{k}");
        let edges_file = required_path(e, "edges_file", &field("edges_file"), origin)?;
        let edge_types_file =
            required_path(e, "edge_types_file", &field("edge_types_file"), origin)?;
        let ctx = format!("{} of {}", field("edges_file"), origin.display());
        let h5 = H5File::open(&edges_file, Some(ctx))?;
        let (populations, _) = h5.members("/edges")?;
        if populations.is_empty() {
            return Err(h5.err("/edges", "holds no edge population"));
        }
        edges.push(EdgesEntry {
            edges_file,
            edge_types_file,
            populations,
        });
    }
    let mut gap_juncs = Vec::new();
    for (i, e) in array_of(nets, "gap_juncs").iter().enumerate() {
        let field = format!("networks.gap_juncs[{i}].gap_juncs_file");
        gap_juncs.push(GapJuncsEntry {
            gap_juncs_file: required_path(e, "gap_juncs_file", &field, origin)?,
        });
    }
    Ok(NetworkEntries {
        nodes,
        edges,
        gap_juncs,
    })
}
