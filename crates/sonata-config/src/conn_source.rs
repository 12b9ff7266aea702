//! What a derived connection type carries besides its settings: its synapse
//! parameters (bmtool's `spec_syn_param`) and where it came from (the
//! representative edge and its target node). Shared by the synaptic and the
//! gap-junction derivations (`conn_types`, `gap_types`).

use crate::value::{insert_ordered, Value};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// bmtool's `spec_syn_param`: synapse parameters in insertion order (the
/// dynamics file's, then the edge group's `dynamics_params/*` columns, then
/// `initW`). Serialises as a JSON object in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SynParams(pub Vec<(String, Value)>);

impl SynParams {
    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Parameter names in order.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` as a Python dict does: in place if present, else at the end.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        insert_ordered(&mut self.0, name.into(), value);
    }
}

impl Serialize for SynParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Where the connection type stored under a name came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnSource {
    /// The network (edge dataset).
    pub network: String,
    /// The edge type.
    pub edge_type_id: i64,
    /// The edge population of the representative edge.
    pub population: String,
    /// The representative edge's row in that population.
    pub edge: u64,
    /// The representative edge's target node: what a simulator builds the
    /// post cell from.
    pub target: TargetNode,
}

/// The cell columns BMTK reads to build a node ([`TargetNode::columns`]).
pub const CELL_COLUMNS: [&str; 5] = [
    "model_type",
    "model_template",
    "morphology",
    "dynamics_params",
    "model_processing",
];

/// A node as BMTK builds its cell: its population, ids, and the columns of
/// [`CELL_COLUMNS`] as the merged node table has them (the node's own group
/// value, else its node type's CSV value).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetNode {
    /// The node population.
    pub population: String,
    /// The node's id.
    pub node_id: u64,
    /// The node's type.
    pub node_type_id: i64,
    /// The nodes file (HDF5).
    pub nodes_file: PathBuf,
    /// The node types file (CSV).
    pub node_types_file: PathBuf,
    /// The present columns of [`CELL_COLUMNS`], in that order, each with
    /// whether the node's own group gave it (`true`) rather than its node type.
    pub columns: Vec<(String, Value, bool)>,
}

impl TargetNode {
    /// The value of a column, when the node has it and it is not missing.
    pub fn get(&self, column: &str) -> Option<&Value> {
        self.columns
            .iter()
            .find(|(k, v, _)| k == column && !v.is_missing())
            .map(|(_, v, _)| v)
    }

    /// The text of a column: a string as it is, a number as Python prints it
    /// (`None` when absent or missing).
    pub fn text(&self, column: &str) -> Option<String> {
        self.get(column).map(Value::pandas_str)
    }

    /// Whether any cell column comes from the node's own group (then two nodes
    /// of one type may differ).
    pub fn per_node(&self) -> bool {
        self.columns.iter().any(|(_, _, own)| *own)
    }

    /// The file a column was read from (the nodes file for a group value, else
    /// the node types file).
    pub fn file_of(&self, column: &str) -> &Path {
        match self.columns.iter().find(|(k, _, _)| k == column) {
            Some((_, _, true)) => &self.nodes_file,
            _ => &self.node_types_file,
        }
    }
}
