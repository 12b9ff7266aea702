//! Connection types derived as bmtool 0.8.7's
//! `SynapseTuner._build_conn_type_settings_from_config` derives them.
//!
//! bmtool loads every edges file into a pandas frame (H5 core columns, then the
//! group columns, then the `edge_types.csv` columns, an H5 value winning unless
//! it is missing), merges the source and target node tables into it, and walks
//! the edge types in order of first appearance, taking the first edge of each
//! type as its representative. This module computes the same fields while
//! reading only `edge_type_id` in full and, for each representative edge, its
//! own elements: see the crate docs for the rules and the deliberate differences.

use crate::config::{Config, EdgesEntry};
use crate::conn_source::{ConnSource, SynParams, TargetNode, CELL_COLUMNS};
use crate::error::{read_text, Error, ErrorDetail};
use crate::gap_types::{gap_name, is_gap_junction, template_cell, DerivedGap, GapType};
use crate::h5::ColumnType;
use crate::populations::{EdgePopulation, EdgesFile, NodePopulation, NodesFile};
use crate::types_csv::TypesTable;
use crate::value::Value;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// `edge_type_id` is scanned in slices of this many elements (512 KiB as i64).
const EDGE_TYPE_CHUNK: u64 = 1 << 16;

/// bmtool's `spec_settings` of a connection type as derived, before any
/// validation (`tuner_opt::SpecSettings` is the validated form a tuner uses).
/// Serialises with bmtool's keys, in bmtool's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawSpecSettings {
    /// The target cell's template: its node type's `model_template` with `hoc:` removed.
    pub post_cell: String,
    /// Voltage-clamp level, always -70.0 (mV).
    pub vclamp_amp: f64,
    /// Position on the section: `afferent_section_pos`, else 0.5.
    pub sec_x: f64,
    /// Section index: `afferent_section_id`, else 0.
    pub sec_id: i64,
    /// The synapse model: the dynamics file's `level_of_detail`, else the edge's
    /// `model_template` (else `"exp2syn"` when there is no such column;
    /// [`Value::Null`] when the column is there but NULL for this edge).
    pub level_of_detail: Value,
    /// The edge type's `dynamics_params` file name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamics_params_file: Option<String>,
}

/// One connection type: bmtool's `conn_type_settings[name]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnType {
    /// Cell and synapse placement settings.
    pub spec_settings: RawSpecSettings,
    /// Synapse parameters.
    pub spec_syn_param: SynParams,
}

/// The `synaptune connections` summary of a connection type (bmtool's
/// `list_connections_from_config` entry).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnSummary {
    /// `spec_settings.post_cell`.
    pub post_cell: String,
    /// `spec_settings.level_of_detail`.
    pub synapse_type: Value,
    /// The names in `spec_syn_param`, in order.
    pub parameters: Vec<String>,
}

impl ConnType {
    /// This type's summary.
    pub fn summary(&self) -> ConnSummary {
        ConnSummary {
            post_cell: self.spec_settings.post_cell.clone(),
            synapse_type: self.spec_settings.level_of_detail.clone(),
            parameters: self.spec_syn_param.names(),
        }
    }
}

/// A network that yields no connection types, and why (bmtool prints a warning).
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedNetwork {
    /// The network.
    pub network: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The full result of a derivation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derivation {
    /// The connection types, in bmtool's dict order.
    pub types: Vec<(String, ConnType)>,
    /// Where each entry of `types` came from (same order).
    pub sources: Vec<ConnSource>,
    /// Networks skipped because bmtool's rules find no node population for
    /// their source or target, or because they have no edges.
    pub skipped: Vec<SkippedNetwork>,
    /// The gap-junction types, as bmtool's gap tuner derives them (see
    /// [`gap_junction_types`]), in its dict order.
    pub gaps: Vec<DerivedGap>,
}

/// The network names, as bmtool lists them (`SynapseTuner.available_networks`).
pub fn networks(config: &Config) -> Vec<String> {
    config.networks().to_vec()
}

/// Connection types of `network` (all networks when `None`), named and ordered
/// as bmtool's `_build_conn_type_settings_from_config(config, network=...)`
/// returns them.
pub fn connection_types(
    config: &Config,
    network: Option<&str>,
) -> Result<Vec<(String, ConnType)>, Error> {
    derive_connection_types(config, network).map(|d| d.types)
}

/// [`connection_types`] with where each type came from and which networks were skipped.
pub fn derive_connection_types(
    config: &Config,
    network: Option<&str>,
) -> Result<Derivation, Error> {
    let selected: Vec<String> = match network {
        Some(n) => {
            if !config.networks().iter().any(|x| x == n) {
                return Err(ErrorDetail::UnknownNetwork {
                    path: config.path().to_path_buf(),
                    name: n.to_string(),
                    available: config.networks().to_vec(),
                }
                .into());
            }
            vec![n.to_string()]
        }
        None => config.networks().to_vec(),
    };
    let mut ctx = Context::new(config);
    let mut out = Derivation::default();
    for net in selected {
        let Some(entry) = config.edges_entry(&net) else {
            continue;
        };
        ctx.network(&net, entry, &mut out)?;
    }
    Ok(out)
}

/// The gap-junction connection types of every network, named and ordered as
/// bmtool's `GapJunctionTuner(config=...)` builds its `conn_type_settings`.
pub fn gap_junction_types(config: &Config) -> Result<Vec<DerivedGap>, Error> {
    derive_connection_types(config, None).map(|d| d.gaps)
}

/// JSON text of [`networks`]: `["net1", ...]`.
pub fn networks_json(config: &Config) -> String {
    serde_json::to_string_pretty(config.networks()).unwrap_or_else(|_| "[]".to_string())
}

/// Serialises `(name, T)` pairs as one JSON object, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `{name: {"post_cell", "synapse_type", "parameters"}}` (`synaptune connections`).
pub fn connections_summary(types: &[(String, ConnType)]) -> Ordered<ConnSummary> {
    Ordered(
        types
            .iter()
            .map(|(n, t)| (n.clone(), t.summary()))
            .collect(),
    )
}

/// `{name: {"spec_settings", "spec_syn_param"}}` (`synaptune connections --full`).
pub fn connections_full(types: &[(String, ConnType)]) -> Ordered<ConnType> {
    Ordered(types.to_vec())
}

/// Pretty JSON text of [`connections_summary`] (`full == false`) or [`connections_full`].
pub fn connections_json(types: &[(String, ConnType)], full: bool) -> String {
    let text = if full {
        serde_json::to_string_pretty(&connections_full(types))
    } else {
        serde_json::to_string_pretty(&connections_summary(types))
    };
    // Serialising these types cannot fail: string keys, finite or null numbers.
    text.unwrap_or_else(|_| "{}".to_string())
}

// ------------------------------------------------------------------ derivation

/// Where a merged edge cell came from (for errors).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    Csv,
    H5,
}

struct LoadedNodes {
    pop: NodePopulation,
    types: Arc<TypesTable>,
    /// Column names present in some group (1-D).
    group_columns: HashSet<String>,
}

struct Context<'c> {
    config: &'c Config,
    /// Node populations in bmtool's dict order; value = index of the nodes entry.
    node_order: Vec<String>,
    node_entry: HashMap<String, usize>,
    loaded: HashMap<String, LoadedNodes>,
    node_types: HashMap<PathBuf, Arc<TypesTable>>,
    dynamics: HashMap<String, Vec<(String, Value)>>,
}

impl<'c> Context<'c> {
    fn new(config: &'c Config) -> Self {
        let mut node_order = Vec::new();
        let mut node_entry = HashMap::new();
        for (i, e) in config.nodes().iter().enumerate() {
            for p in &e.populations {
                if !node_entry.contains_key(p) {
                    node_order.push(p.clone());
                }
                node_entry.insert(p.clone(), i);
            }
        }
        Context {
            config,
            node_order,
            node_entry,
            loaded: HashMap::new(),
            node_types: HashMap::new(),
            dynamics: HashMap::new(),
        }
    }

    fn nodes(&mut self, name: &str) -> Result<&LoadedNodes, Error> {
        if !self.loaded.contains_key(name) {
            let idx = self.node_entry[name];
            let entry = &self.config.nodes()[idx];
            let types = match self.node_types.get(&entry.node_types_file) {
                Some(t) => Arc::clone(t),
                None => {
                    let t = Arc::new(TypesTable::load(&entry.node_types_file, "node_type_id")?);
                    self.node_types
                        .insert(entry.node_types_file.clone(), Arc::clone(&t));
                    t
                }
            };
            let pop = NodesFile::open(&entry.nodes_file)?.population(name)?;
            for (row, nt) in pop.node_type_ids().iter().enumerate() {
                if types.row(*nt).is_none() {
                    return Err(ErrorDetail::UnknownNodeType {
                        path: entry.nodes_file.clone(),
                        population: name.to_string(),
                        node_id: pop.node_ids()[row],
                        node_type_id: *nt,
                        types_file: entry.node_types_file.clone(),
                    }
                    .into());
                }
            }
            let group_columns = pop
                .groups()
                .iter()
                .flat_map(|g| g.columns.iter())
                .filter(|c| c.one_dimensional)
                .map(|c| c.name.clone())
                .collect();
            self.loaded.insert(
                name.to_string(),
                LoadedNodes {
                    pop,
                    types,
                    group_columns,
                },
            );
        }
        Ok(&self.loaded[name])
    }

    /// The dynamics params of `file` (cached), as bmtool's
    /// `_load_synaptic_params_from_config` reads them.
    fn dynamics(
        &mut self,
        file: &str,
        net: &str,
        edge_type_id: i64,
    ) -> Result<Vec<(String, Value)>, Error> {
        if let Some(p) = self.dynamics.get(file) {
            return Ok(p.clone());
        }
        let Some(dir) = &self.config.components().synaptic_models_dir else {
            return Err(ErrorDetail::DynamicsParamsNotFound {
                path: self.config.path().to_path_buf(),
                file: file.to_string(),
                edge_type_id,
                network: net.to_string(),
                reason: "the configuration has no components.synaptic_models_dir".to_string(),
            }
            .into());
        };
        let path = dir.join(file);
        let text = match read_text(&path, None) {
            Ok(t) => t,
            Err(e) if e.kind() == crate::ErrorKind::FileNotFound => {
                let path = e.path().to_path_buf();
                return Err(ErrorDetail::DynamicsParamsNotFound {
                    path,
                    file: file.to_string(),
                    edge_type_id,
                    network: net.to_string(),
                    reason: "no such file in components.synaptic_models_dir".to_string(),
                }
                .into());
            }
            Err(e) => return Err(e),
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            ErrorDetail::DynamicsParams {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
                message: format!("not valid JSON: {e}"),
            }
            .boxed()
        })?;
        let Value::Object(params) = value else {
            return Err(ErrorDetail::DynamicsParams {
                path,
                line: 0,
                column: 0,
                message: format!(
                    "expected a JSON object of parameters, found {}",
                    value.describe()
                ),
            }
            .into());
        };
        self.dynamics.insert(file.to_string(), params.clone());
        Ok(params)
    }

    fn network(
        &mut self,
        net: &str,
        entry: &EdgesEntry,
        out: &mut Derivation,
    ) -> Result<(), Error> {
        let file = EdgesFile::open(&entry.edges_file)?;
        let types = TypesTable::load(&entry.edge_types_file, "edge_type_id")?;
        let pops: Vec<EdgePopulation> = file
            .populations()
            .iter()
            .map(|p| file.population(p))
            .collect::<Result<_, _>>()?;
        let reps = representatives(entry, &types, &pops)?;
        if reps.is_empty() {
            out.skipped.push(SkippedNetwork {
                network: net.to_string(),
                reason: "it has no edges".to_string(),
            });
            return Ok(());
        }

        // Source and target node populations, by bmtool's three rules.
        let (src, tgt) = self.endpoints(net, &pops[reps[0].1]);
        let (Some(src), Some(tgt)) = (src, tgt) else {
            out.skipped.push(SkippedNetwork {
                network: net.to_string(),
                reason: "no node population matches its source and target (bmtool: \"Could not find node data for edge dataset\")".to_string(),
            });
            return Ok(());
        };

        let layout = FrameLayout::new(&pops);
        let mut result: Vec<(String, ConnType)> = std::mem::take(&mut out.types);
        let mut sources = std::mem::take(&mut out.sources);
        for (type_id, p, row, csv_row) in reps {
            let pop = &pops[p];
            let edge = pop.edge(row)?;
            let info = layout.record(p, &edge, &types, csv_row);
            let src_node = self.node_row(&src, &edge, pop, entry, "source")?;
            let tgt_node = self.node_row(&tgt, &edge, pop, entry, "target")?;
            let source_pop = self.node_value(&src, src_node, "pop_name")?;
            let target_pop = self.node_value(&tgt, tgt_node, "pop_name")?;
            let target_template = self.node_value(&tgt, tgt_node, "model_template")?;
            if is_gap_junction(info.get("is_gap_junction").map(|(v, _)| v)) {
                let source_template = self.node_value(&src, src_node, "model_template")?;
                let source = self.conn_source(net, type_id, pop.name(), row, &tgt, tgt_node)?;
                let ends = [source_pop, target_pop, source_template, target_template];
                self.gap(net, type_id, &info, ends, source, &mut out.gaps)?;
                continue;
            }
            if let Some((name, ct)) = self.conn_type(
                net,
                entry,
                type_id,
                &info,
                source_pop,
                target_pop,
                target_template,
                &result,
            )? {
                let source = self.conn_source(net, type_id, pop.name(), row, &tgt, tgt_node)?;
                match result.iter().position(|(n, _)| *n == name) {
                    Some(i) => {
                        result[i].1 = ct;
                        sources[i] = source;
                    }
                    None => {
                        result.push((name, ct));
                        sources.push(source);
                    }
                }
            }
        }
        out.types = result;
        out.sources = sources;
        Ok(())
    }

    /// Where a type came from: its network, edge type, representative edge
    /// and that edge's target node.
    fn conn_source(
        &mut self,
        net: &str,
        edge_type_id: i64,
        population: &str,
        edge: u64,
        tgt: &str,
        tgt_node: usize,
    ) -> Result<ConnSource, Error> {
        Ok(ConnSource {
            network: net.to_string(),
            edge_type_id,
            population: population.to_string(),
            edge,
            target: self.target_node(tgt, tgt_node)?,
        })
    }

    /// bmtool's choice of source and target node populations for a network.
    fn endpoints(&self, net: &str, first_pop: &EdgePopulation) -> (Option<String>, Option<String>) {
        let known = |n: &str| self.node_entry.contains_key(n);
        let (mut src, mut tgt) = (None, None);
        // 1. "<src>_to_<tgt>"
        let parts: Vec<&str> = net.split("_to_").collect();
        if parts.len() == 2 {
            if known(parts[0]) {
                src = Some(parts[0].to_string());
            }
            if known(parts[1]) {
                tgt = Some(parts[1].to_string());
            }
        }
        // 2. the node_population attributes of the first edge's population
        if src.is_none() || tgt.is_none() {
            let s = first_pop.source_population().unwrap_or("");
            let t = first_pop.target_population().unwrap_or("");
            if known(s) {
                src = Some(s.to_string());
            }
            if known(t) {
                tgt = Some(t.to_string());
            }
        }
        // 3. a population whose name starts or ends the network's name
        if src.is_none() || tgt.is_none() {
            for p in &self.node_order {
                let matches = net.starts_with(p.as_str()) || net.ends_with(p.as_str());
                if src.is_none() && matches {
                    src = Some(p.clone());
                } else if tgt.is_none() && matches {
                    tgt = Some(p.clone());
                }
            }
        }
        (src, tgt)
    }

    fn node_row(
        &mut self,
        nodes_name: &str,
        edge: &crate::populations::Edge,
        pop: &EdgePopulation,
        entry: &EdgesEntry,
        end: &'static str,
    ) -> Result<usize, Error> {
        let id = if end == "source" {
            edge.source_node_id
        } else {
            edge.target_node_id
        };
        let nodes = self.nodes(nodes_name)?;
        nodes.pop.row_of(id).ok_or_else(|| {
            ErrorDetail::UnknownNode {
                path: entry.edges_file.clone(),
                population: pop.name().to_string(),
                edge: edge.row,
                end,
                node_id: id,
                node_population: nodes_name.to_string(),
                nodes_file: nodes.pop.path().to_path_buf(),
            }
            .into()
        })
    }

    /// A node-table cell as bmtool's merged node frame has it: the node's group
    /// value, else its node type's CSV value, else missing when some group has
    /// the column; `None` when the frame has no such column.
    fn node_value(
        &mut self,
        nodes_name: &str,
        row: usize,
        column: &str,
    ) -> Result<Option<Value>, Error> {
        let nodes = self.nodes(nodes_name)?;
        if let Some(v) = nodes.pop.attribute(row, column)? {
            return Ok(Some(v));
        }
        let nt = nodes.pop.node_type_ids()[row];
        if let Some(v) = nodes.types.get(nt, column) {
            return Ok(Some(v.clone()));
        }
        if nodes.group_columns.contains(column) {
            return Ok(Some(Value::Null));
        }
        Ok(None)
    }

    /// The cell columns of a target node ([`TargetNode`]).
    fn target_node(&mut self, nodes_name: &str, row: usize) -> Result<TargetNode, Error> {
        let entry = &self.config.nodes()[self.node_entry[nodes_name]];
        let (nodes_file, node_types_file) =
            (entry.nodes_file.clone(), entry.node_types_file.clone());
        let nodes = self.nodes(nodes_name)?;
        let node_type_id = nodes.pop.node_type_ids()[row];
        let node_id = nodes.pop.node_ids()[row];
        let mut columns = Vec::new();
        for c in CELL_COLUMNS {
            if let Some(v) = nodes.pop.attribute(row, c)? {
                columns.push((c.to_string(), v, true));
            } else if let Some(v) = nodes.types.get(node_type_id, c) {
                columns.push((c.to_string(), v.clone(), false));
            }
        }
        Ok(TargetNode {
            population: nodes_name.to_string(),
            node_id,
            node_type_id,
            nodes_file,
            node_types_file,
            columns,
        })
    }

    /// A gap-junction edge type (`ends`: source and target `pop_name`, source
    /// and target `model_template`), recorded as bmtool's gap tuner does: only
    /// between cells of one template; a later type of the same name replaces it.
    fn gap(
        &mut self,
        net: &str,
        type_id: i64,
        info: &EdgeInfo,
        ends: [Option<Value>; 4],
        source: ConnSource,
        gaps: &mut Vec<DerivedGap>,
    ) -> Result<(), Error> {
        let [source_pop, target_pop, source_template, target_template] = ends;
        let cell = template_cell(source_template.as_ref()).unwrap_or_default();
        if cell != template_cell(target_template.as_ref()).unwrap_or_default() {
            return Ok(());
        }
        let mut params = SynParams::default();
        let mut dynamics_params_file = None;
        if let Some((v, _)) = info.get("dynamics_params") {
            let f = v.pandas_str().trim().to_string();
            if !v.is_missing() && !f.is_empty() && f.to_uppercase() != "NULL" {
                for (k, v) in self.dynamics(&f, net, type_id)? {
                    params.insert(k, v);
                }
                dynamics_params_file = Some(f);
            }
        }
        let name = gap_name(source_pop.as_ref(), target_pop.as_ref(), type_id);
        let gap = GapType {
            cell,
            sec_id: 0,
            sec_x: 0.5,
            iclamp_amp: -0.01,
            spec_syn_param: params,
            dynamics_params_file,
        };
        let d = DerivedGap { name, gap, source };
        match gaps.iter().position(|g| g.name == d.name) {
            Some(i) => gaps[i] = d,
            None => gaps.push(d),
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn conn_type(
        &mut self,
        net: &str,
        entry: &EdgesEntry,
        type_id: i64,
        info: &EdgeInfo,
        source_pop: Option<Value>,
        target_pop: Option<Value>,
        target_template: Option<Value>,
        so_far: &[(String, ConnType)],
    ) -> Result<Option<(String, ConnType)>, Error> {
        // Gap junctions are not synapses.
        if let Some((v, _)) = info.get("is_gap_junction") {
            if !v.is_missing() && v.pandas_truthy() {
                return Ok(None);
            }
        }
        let source_pop = source_pop.unwrap_or(Value::Str(String::new()));
        let target_pop = target_pop.unwrap_or(Value::Str(String::new()));
        let post_cell = match target_template {
            Some(Value::Str(s)) if s.starts_with("hoc:") => s.replace("hoc:", ""),
            Some(Value::Str(s)) => s,
            // bmtool fails here (`.startswith` of NaN); an empty name is kept instead.
            None | Some(Value::Null) => String::new(),
            Some(other) => other.pandas_str(),
        };
        let mut name = if source_pop.pandas_truthy() && target_pop.pandas_truthy() {
            format!("{}2{}", source_pop.pandas_str(), target_pop.pandas_str())
        } else {
            format!("{net}_type_{type_id}")
        };
        let model_template = match info.get("model_template") {
            None => Value::Str("exp2syn".to_string()),
            Some((v, _)) => v.clone(),
        };
        let mut settings = RawSpecSettings {
            post_cell,
            vclamp_amp: -70.0,
            sec_x: 0.5,
            sec_id: 0,
            level_of_detail: model_template,
            dynamics_params_file: None,
        };
        let mut params = SynParams::default();

        let dynamics_file = match info.get("dynamics_params") {
            Some((v, _)) if !v.is_missing() => Some(v.pandas_str().trim().to_string()),
            _ => None,
        };
        let mut syn_params: Vec<(String, Value)> = Vec::new();
        if let Some(f) = &dynamics_file {
            if !f.is_empty() && f.to_uppercase() != "NULL" {
                settings.dynamics_params_file = Some(f.clone());
                syn_params = self.dynamics(f, net, type_id)?;
            }
            if !f.is_empty() {
                let mut base = python_splitext(python_basename(f)).to_string();
                if so_far.iter().any(|(n, _)| *n == base) {
                    base = format!("{base}_type_{type_id}");
                }
                name = base;
            }
        }
        for (k, v) in &syn_params {
            if k == "level_of_detail" {
                settings.level_of_detail = v.clone();
            } else {
                params.insert(k.clone(), v.clone());
            }
        }
        // bmtool's `for ... else`: the group's dynamics_params/* columns always follow.
        for (col, v, _) in &info.cols {
            if let Some(p) = col.strip_prefix("dynamics_params/") {
                if !v.is_missing() {
                    params.insert(p.to_string(), v.clone());
                }
            }
        }
        let file_of = |o: Origin| match o {
            Origin::Csv => entry.edge_types_file.clone(),
            Origin::H5 => entry.edges_file.clone(),
        };
        let bad = |col: &str, o: Origin, expected: &str, v: &Value| {
            ErrorDetail::InvalidValue {
                path: file_of(o),
                network: net.to_string(),
                edge_type_id: type_id,
                column: col.to_string(),
                expected: expected.to_string(),
                found: v.describe(),
            }
            .boxed()
        };
        if let Some((v, o)) = info.get("syn_weight").filter(|(v, _)| !v.is_missing()) {
            let w = python_float(v).ok_or_else(|| bad("syn_weight", o, "a number", v))?;
            params.insert("initW", Value::Float(w));
        }
        if let Some((v, o)) = info
            .get("afferent_section_id")
            .filter(|(v, _)| !v.is_missing())
        {
            settings.sec_id =
                python_int(v).ok_or_else(|| bad("afferent_section_id", o, "an integer", v))?;
        }
        if let Some((v, o)) = info
            .get("afferent_section_pos")
            .filter(|(v, _)| !v.is_missing())
        {
            settings.sec_x =
                python_float(v).ok_or_else(|| bad("afferent_section_pos", o, "a number", v))?;
        }
        Ok(Some((
            name,
            ConnType {
                spec_settings: settings,
                spec_syn_param: params,
            },
        )))
    }
}

/// Representative edges: the first edge of each type over the populations'
/// rows in order, as (edge type, population, row, row of the types CSV).
fn representatives(
    entry: &EdgesEntry,
    types: &TypesTable,
    pops: &[EdgePopulation],
) -> Result<Vec<(i64, usize, u64, usize)>, Error> {
    let pop_col = types.column_index("population");
    let mut reps: Vec<(i64, usize, u64, usize)> = Vec::new(); // (type, pop, row, csv row)
    let mut seen: HashSet<(i64, usize)> = HashSet::new();
    let mut seen_type: HashSet<i64> = HashSet::new();
    for (p, pop) in pops.iter().enumerate() {
        let mut last = None;
        pop.for_each_edge_type_id_chunk(EDGE_TYPE_CHUNK, |first, ids| {
            for (i, id) in ids.iter().enumerate() {
                if last == Some(*id) {
                    continue;
                }
                last = Some(*id);
                if !seen.insert((*id, p)) {
                    continue;
                }
                let row = first + i as u64;
                let csv_row = csv_row_for(types, pop_col, *id, pop.name()).ok_or_else(|| {
                    ErrorDetail::UnknownEdgeType {
                        path: entry.edges_file.clone(),
                        population: pop.name().to_string(),
                        edge: row,
                        edge_type_id: *id,
                        types_file: entry.edge_types_file.clone(),
                    }
                    .boxed()
                })?;
                if seen_type.insert(*id) {
                    reps.push((*id, p, row, csv_row));
                }
            }
            Ok(())
        })?;
    }
    Ok(reps)
}

/// The row of `types` bmtool's merge picks for type `id` of population `pop`.
fn csv_row_for(types: &TypesTable, pop_col: Option<usize>, id: i64, pop: &str) -> Option<usize> {
    match pop_col {
        None => types.rows().iter().position(|r| r.id == id),
        Some(c) => types
            .rows()
            .iter()
            .position(|r| r.id == id && r.values[c] == Value::Str(pop.to_string())),
    }
}

/// The merged edge row of a representative edge: (column, value, origin).
struct EdgeInfo {
    cols: Vec<(String, Value, Origin)>,
}

impl EdgeInfo {
    fn get(&self, name: &str) -> Option<(&Value, Origin)> {
        self.cols
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, o)| (v, *o))
    }
}

/// The H5 group columns of bmtool's edge frame: their union over the file's
/// populations in order, and for each population the value an edge gets when
/// its own group lacks the column.
struct FrameLayout {
    /// (column, per-population fill: None = population lacks the column).
    columns: Vec<(String, Vec<Option<Value>>)>,
}

impl FrameLayout {
    fn new(pops: &[EdgePopulation]) -> Self {
        let mut columns: Vec<(String, Vec<Option<Value>>)> = Vec::new();
        for (p, pop) in pops.iter().enumerate() {
            for g in pop.groups() {
                for c in &g.columns {
                    let i = match columns.iter().position(|(n, _)| *n == c.name) {
                        Some(i) => i,
                        None => {
                            columns.push((c.name.clone(), vec![None; pops.len()]));
                            columns.len() - 1
                        }
                    };
                    if columns[i].1[p].is_none() {
                        // bmtool fills edges of other groups with '' for fixed-length
                        // string columns and NaN otherwise (dynamics_params/* always NaN).
                        let fill = if c.column_type == ColumnType::FixedString
                            && !c.name.starts_with("dynamics_params/")
                        {
                            Value::Str(String::new())
                        } else {
                            Value::Null
                        };
                        columns[i].1[p] = Some(fill);
                    }
                }
            }
        }
        FrameLayout { columns }
    }

    fn record(
        &self,
        p: usize,
        edge: &crate::populations::Edge,
        types: &TypesTable,
        csv_row: usize,
    ) -> EdgeInfo {
        let mut cols: Vec<(String, Value, Origin)> = Vec::with_capacity(self.columns.len());
        for (name, fills) in &self.columns {
            let v = match &fills[p] {
                None => Value::Null,
                Some(fill) => edge
                    .attributes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| fill.clone()),
            };
            cols.push((name.clone(), v, Origin::H5));
        }
        let row = &types.rows()[csv_row];
        for (c, col) in types.columns().iter().enumerate() {
            if col == "edge_type_id" || col == "population" {
                continue;
            }
            let csv_value = &row.values[c];
            match cols.iter_mut().find(|(n, _, _)| n == col) {
                Some(cell) => {
                    if cell.1.is_missing() {
                        cell.1 = csv_value.clone();
                        cell.2 = Origin::Csv;
                    }
                }
                None => cols.push((col.clone(), csv_value.clone(), Origin::Csv)),
            }
        }
        EdgeInfo { cols }
    }
}

/// Python's numeric-literal underscores: allowed only between two digits.
fn strip_python_underscores(t: &str) -> Option<String> {
    if !t.contains('_') {
        return Some(t.to_string());
    }
    let b = t.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'_' {
            let ok =
                i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
            if !ok {
                return None;
            }
        }
    }
    Some(t.replace('_', ""))
}

/// Python's `float(x)` of a table cell.
fn python_float(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        // Rust's parser takes what Python's does ("1e3", ".5", "inf", "nan"), bar underscores.
        Value::Str(s) => strip_python_underscores(s.trim())?.parse::<f64>().ok(),
        _ => None,
    }
}

/// Python's `int(x)` of a table cell (floats truncate toward zero).
fn python_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() && f.trunc().abs() < 9.2e18 => Some(f.trunc() as i64),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Str(s) => strip_python_underscores(s.trim())?.parse::<i64>().ok(),
        _ => None,
    }
}

/// `os.path.basename` (POSIX).
fn python_basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// `os.path.splitext(...)[0]` of a base name: leading dots do not start an extension.
fn python_splitext(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if name[..dot].chars().any(|c| c != '.') => &name[..dot],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitext_and_basename_follow_python() {
        // os.path.splitext(os.path.basename(x))[0] in CPython 3.11
        let cases = [
            ("PN2PV.json", "PN2PV"),
            ("dir/sub/AMPA.json", "AMPA"),
            (".json", ".json"),
            ("..json", "..json"),
            ("a.b.json", "a.b"),
            ("noext", "noext"),
            ("dir/", ""),
            ("x.", "x"),
        ];
        for (p, want) in cases {
            assert_eq!(python_splitext(python_basename(p)), want, "{p}");
        }
    }

    #[test]
    fn python_number_conversions() {
        assert_eq!(python_float(&Value::Str(" 1.5 ".into())), Some(1.5));
        assert_eq!(python_float(&Value::Str("abc".into())), None);
        assert_eq!(python_float(&Value::Str("1_000.5".into())), Some(1000.5));
        assert_eq!(python_float(&Value::Str("1__0".into())), None);
        assert_eq!(python_float(&Value::Str("inf".into())), Some(f64::INFINITY));
        assert_eq!(python_float(&Value::Bool(true)), Some(1.0));
        assert_eq!(python_int(&Value::Float(2.9)), Some(2));
        assert_eq!(python_int(&Value::Float(-2.9)), Some(-2));
        assert_eq!(python_int(&Value::Str("3.5".into())), None);
        assert_eq!(python_int(&Value::Float(f64::INFINITY)), None);
    }
}
