//! Nodes and edges HDF5 files (SONATA), and BMTK gap-junction files.
//!
//! A population is read lazily: opening one reads only its metadata (names,
//! shapes, types and the `node_population` attributes); columns are read when
//! asked for, and single edges or nodes are read element by element.

use crate::error::Error;
use crate::h5::{column_type, ColumnType, H5File};
use crate::value::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One column of a node or edge group: a dataset of the group, or of its
/// `dynamics_params` subgroup (then named `dynamics_params/<name>`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupColumn {
    /// The column name (`syn_weight`, `dynamics_params/tau1`).
    pub name: String,
    /// What it holds.
    pub column_type: ColumnType,
    /// Its number of elements (first dimension).
    pub len: u64,
    /// Whether it is one-dimensional (only those are read as columns).
    pub one_dimensional: bool,
}

/// A node or edge group (`/nodes/<pop>/<id>`, `/edges/<pop>/<id>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The group id (its name, an integer).
    pub id: i64,
    /// Its columns, in h5py's order (by name, `dynamics_params/*` where the
    /// `dynamics_params` subgroup sorts).
    pub columns: Vec<GroupColumn>,
}

impl Group {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&GroupColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Lists the groups of a population (members whose name is an integer).
fn read_groups(h5: &H5File, pop_path: &str) -> Result<Vec<Group>, Error> {
    let (subgroups, _) = h5.members(pop_path)?;
    let mut groups = Vec::new();
    for name in subgroups {
        let Ok(id) = name.parse::<i64>() else {
            continue; // `indices` and anything else that is not a group id
        };
        let gpath = format!("{pop_path}/{name}");
        let (sub, datasets) = h5.members(&gpath)?;
        let mut names: Vec<(String, bool)> = datasets.into_iter().map(|d| (d, false)).collect();
        if sub.iter().any(|s| s == "dynamics_params") {
            names.push(("dynamics_params".to_string(), true));
        }
        names.sort();
        let mut columns = Vec::new();
        for (n, is_dp) in names {
            let mut push = |name: String, dpath: String| -> Result<(), Error> {
                let ds = h5.dataset(&dpath)?;
                let shape = ds.shape();
                columns.push(GroupColumn {
                    name,
                    column_type: column_type(ds.dtype()),
                    len: shape.first().copied().unwrap_or(1),
                    one_dimensional: shape.len() == 1,
                });
                Ok(())
            };
            if is_dp {
                let dp_path = format!("{gpath}/dynamics_params");
                let (_, params) = h5.members(&dp_path)?;
                for p in params {
                    push(format!("dynamics_params/{p}"), format!("{dp_path}/{p}"))?;
                }
            } else {
                push(n.clone(), format!("{gpath}/{n}"))?;
            }
        }
        groups.push(Group { id, columns });
    }
    groups.sort_by_key(|g| g.id.to_string());
    Ok(groups)
}

fn column_path(pop_path: &str, group: i64, column: &str) -> String {
    format!("{pop_path}/{group}/{column}")
}

/// Reads element `index` of a group column, checking the index.
fn group_value(
    h5: &H5File,
    pop_path: &str,
    group: &Group,
    column: &GroupColumn,
    index: u64,
) -> Result<Value, Error> {
    let dpath = column_path(pop_path, group.id, &column.name);
    if !column.one_dimensional {
        return Err(h5.err(&dpath, "expected a one-dimensional dataset"));
    }
    if index >= column.len {
        return Err(h5.err(
            &dpath,
            format!(
                "group index {index} is outside the column's {} elements",
                column.len
            ),
        ));
    }
    let ds = h5.dataset(&dpath)?;
    h5.read_value_at(&ds, &dpath, index)
}

/// A SONATA nodes file.
pub struct NodesFile {
    h5: Arc<H5File>,
    populations: Vec<String>,
}

impl std::fmt::Debug for NodesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodesFile")
            .field("path", &self.h5.path())
            .field("populations", &self.populations)
            .finish()
    }
}

impl NodesFile {
    /// Opens a nodes HDF5 file and lists its populations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let h5 = H5File::open(path.as_ref(), None)?;
        let (populations, _) = h5.members("/nodes")?;
        Ok(NodesFile {
            h5: Arc::new(h5),
            populations,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.h5.path()
    }

    /// Population names, sorted.
    pub fn populations(&self) -> &[String] {
        &self.populations
    }

    /// Reads population `name`: its ids, type ids, group ids and indices, and
    /// the names and types of its group columns.
    pub fn population(&self, name: &str) -> Result<NodePopulation, Error> {
        let h5 = &self.h5;
        let pop_path = format!("/nodes/{name}");
        h5.group(&pop_path)?;
        let read = |ds_name: &str| -> Result<Vec<i64>, Error> {
            let p = format!("{pop_path}/{ds_name}");
            let ds = h5.dataset(&p)?;
            h5.read_ints(&ds, &p)
        };
        let (_, datasets) = h5.members(&pop_path)?;
        let has = |d: &str| datasets.iter().any(|x| x == d);
        let node_type_ids = read("node_type_id")?;
        let n = node_type_ids.len();
        let check_len = |what: &str, len: usize| {
            if len != n {
                Err(h5.err(
                    &format!("{pop_path}/{what}"),
                    format!("has {len} elements but node_type_id has {n}"),
                ))
            } else {
                Ok(())
            }
        };
        // SONATA lets node_id be implicit (the row); bmtool needs it, and uses it when present.
        let node_ids: Vec<u64> = if has("node_id") {
            let ids = read("node_id")?;
            check_len("node_id", ids.len())?;
            ids.into_iter()
                .map(|v| {
                    u64::try_from(v).map_err(|_| {
                        h5.err(
                            &format!("{pop_path}/node_id"),
                            format!("negative node id {v}"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?
        } else {
            (0..n as u64).collect()
        };
        let groups = read_groups(h5, &pop_path)?;
        let (group_ids, group_indices) = if has("node_group_id") && has("node_group_index") {
            let g = read("node_group_id")?;
            let i = read("node_group_index")?;
            check_len("node_group_id", g.len())?;
            check_len("node_group_index", i.len())?;
            (Some(g), Some(i))
        } else if groups.is_empty() {
            (None, None)
        } else {
            return Err(h5.err(
                &pop_path,
                "has node groups but no node_group_id/node_group_index datasets",
            ));
        };
        Ok(NodePopulation {
            h5: Arc::clone(h5),
            name: name.to_string(),
            pop_path,
            node_ids,
            node_type_ids,
            group_ids,
            group_indices,
            groups,
            by_id: std::sync::OnceLock::new(),
        })
    }
}

/// One node population.
pub struct NodePopulation {
    h5: Arc<H5File>,
    name: String,
    pop_path: String,
    node_ids: Vec<u64>,
    node_type_ids: Vec<i64>,
    group_ids: Option<Vec<i64>>,
    group_indices: Option<Vec<i64>>,
    groups: Vec<Group>,
    by_id: std::sync::OnceLock<HashMap<u64, usize>>,
}

impl std::fmt::Debug for NodePopulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodePopulation")
            .field("path", &self.h5.path())
            .field("name", &self.name)
            .field("len", &self.node_ids.len())
            .field("groups", &self.groups)
            .finish()
    }
}

impl NodePopulation {
    /// The population's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The nodes file.
    pub fn path(&self) -> &Path {
        self.h5.path()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.node_ids.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.node_ids.is_empty()
    }

    /// `node_id` of every row (the row number when the file has no `node_id`).
    pub fn node_ids(&self) -> &[u64] {
        &self.node_ids
    }

    /// `node_type_id` of every row.
    pub fn node_type_ids(&self) -> &[i64] {
        &self.node_type_ids
    }

    /// The node groups, by name.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The row of the first node whose id is `node_id`.
    pub fn row_of(&self, node_id: u64) -> Option<usize> {
        self.by_id
            .get_or_init(|| {
                let mut m = HashMap::with_capacity(self.node_ids.len());
                for (row, id) in self.node_ids.iter().enumerate() {
                    m.entry(*id).or_insert(row);
                }
                m
            })
            .get(&node_id)
            .copied()
    }

    /// The whole column `column` of group `group`.
    pub fn group_column(&self, group: i64, column: &str) -> Result<Vec<Value>, Error> {
        let p = column_path(&self.pop_path, group, column);
        let ds = self.h5.dataset(&p)?;
        self.h5.read_values(&ds, &p, None)
    }

    /// The group and index in it of row `row` (None when the population has no groups).
    pub fn group_of(&self, row: usize) -> Option<(i64, i64)> {
        let g = self.group_ids.as_ref()?.get(row)?;
        let i = self.group_indices.as_ref()?.get(row)?;
        Some((*g, *i))
    }

    /// The group attributes of row `row`, in column order (`positions` and other
    /// multi-dimensional columns are left out).
    pub fn attributes(&self, row: usize) -> Result<Vec<(String, Value)>, Error> {
        let Some((gid, gidx)) = self.group_of(row) else {
            return Ok(Vec::new());
        };
        let group = self.groups.iter().find(|g| g.id == gid).ok_or_else(|| {
            self.h5.err(
                &format!("{}/node_group_id", self.pop_path),
                format!("node row {row} is in group {gid}, which the population does not have"),
            )
        })?;
        let index = u64::try_from(gidx).map_err(|_| {
            self.h5.err(
                &format!("{}/node_group_index", self.pop_path),
                format!("negative index {gidx}"),
            )
        })?;
        let mut out = Vec::new();
        for c in group.columns.iter().filter(|c| c.one_dimensional) {
            out.push((
                c.name.clone(),
                group_value(&self.h5, &self.pop_path, group, c, index)?,
            ));
        }
        Ok(out)
    }

    /// The group attribute `column` of row `row`: `Ok(None)` when the node's
    /// group has no such column.
    pub fn attribute(&self, row: usize, column: &str) -> Result<Option<Value>, Error> {
        let Some((gid, gidx)) = self.group_of(row) else {
            return Ok(None);
        };
        let Some(group) = self.groups.iter().find(|g| g.id == gid) else {
            return Err(self.h5.err(
                &format!("{}/node_group_id", self.pop_path),
                format!("node row {row} is in group {gid}, which the population does not have"),
            ));
        };
        let Some(c) = group.column(column).filter(|c| c.one_dimensional) else {
            return Ok(None);
        };
        let index = u64::try_from(gidx).map_err(|_| {
            self.h5.err(
                &format!("{}/node_group_index", self.pop_path),
                format!("negative index {gidx}"),
            )
        })?;
        group_value(&self.h5, &self.pop_path, group, c, index).map(Some)
    }
}

/// A SONATA edges file.
pub struct EdgesFile {
    h5: Arc<H5File>,
    populations: Vec<String>,
}

impl std::fmt::Debug for EdgesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgesFile")
            .field("path", &self.h5.path())
            .field("populations", &self.populations)
            .finish()
    }
}

impl EdgesFile {
    /// Opens an edges HDF5 file and lists its populations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let h5 = H5File::open(path.as_ref(), None)?;
        let (populations, _) = h5.members("/edges")?;
        Ok(EdgesFile {
            h5: Arc::new(h5),
            populations,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.h5.path()
    }

    /// Population names, sorted.
    pub fn populations(&self) -> &[String] {
        &self.populations
    }

    /// Opens population `name`: checks its required datasets and lists its groups.
    /// No edge data is read.
    pub fn population(&self, name: &str) -> Result<EdgePopulation, Error> {
        let h5 = &self.h5;
        let pop_path = format!("/edges/{name}");
        h5.group(&pop_path)?;
        let mut len = None;
        for d in [
            "edge_type_id",
            "source_node_id",
            "target_node_id",
            "edge_group_id",
            "edge_group_index",
        ] {
            let p = format!("{pop_path}/{d}");
            let ds = h5.dataset(&p)?;
            let n = h5.len_1d(&ds, &p)?;
            match len {
                None => len = Some(n),
                Some(m) if m != n => {
                    return Err(h5.err(&p, format!("has {n} elements but edge_type_id has {m}")))
                }
                Some(_) => {}
            }
        }
        let attr = |d: &str| -> Result<Option<String>, Error> {
            let p = format!("{pop_path}/{d}");
            let ds = h5.dataset(&p)?;
            h5.string_attr(&ds, &p, "node_population")
        };
        Ok(EdgePopulation {
            h5: Arc::clone(h5),
            name: name.to_string(),
            len: len.unwrap_or(0),
            source_population: attr("source_node_id")?,
            target_population: attr("target_node_id")?,
            groups: read_groups(h5, &pop_path)?,
            pop_path,
        })
    }
}

/// One edge population.
pub struct EdgePopulation {
    h5: Arc<H5File>,
    name: String,
    pop_path: String,
    len: u64,
    source_population: Option<String>,
    target_population: Option<String>,
    groups: Vec<Group>,
}

impl std::fmt::Debug for EdgePopulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgePopulation")
            .field("path", &self.h5.path())
            .field("name", &self.name)
            .field("len", &self.len)
            .field("groups", &self.groups)
            .finish()
    }
}

/// One edge as stored: its core columns and its group's attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The row in the population.
    pub row: u64,
    /// `edge_type_id`.
    pub edge_type_id: i64,
    /// `source_node_id`.
    pub source_node_id: u64,
    /// `target_node_id`.
    pub target_node_id: u64,
    /// `edge_group_id`.
    pub edge_group_id: i64,
    /// `edge_group_index`.
    pub edge_group_index: u64,
    /// The group's columns at this edge (`dynamics_params/*` included), in column order.
    pub attributes: Vec<(String, Value)>,
}

impl EdgePopulation {
    /// The population's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The edges file.
    pub fn path(&self) -> &Path {
        self.h5.path()
    }

    /// Number of edges.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `node_population` attribute of `source_node_id`.
    pub fn source_population(&self) -> Option<&str> {
        self.source_population.as_deref()
    }

    /// The `node_population` attribute of `target_node_id`.
    pub fn target_population(&self) -> Option<&str> {
        self.target_population.as_deref()
    }

    /// The edge groups, by name.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The whole `edge_type_id` column.
    pub fn edge_type_ids(&self) -> Result<Vec<i64>, Error> {
        let p = format!("{}/edge_type_id", self.pop_path);
        let ds = self.h5.dataset(&p)?;
        self.h5.read_ints(&ds, &p)
    }

    /// Reads `edge_type_id` in slices of at most `chunk` elements, calling
    /// `f(first_row, ids)` for each: memory stays at one slice however many
    /// edges there are.
    pub fn for_each_edge_type_id_chunk(
        &self,
        chunk: u64,
        mut f: impl FnMut(u64, &[i64]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let p = format!("{}/edge_type_id", self.pop_path);
        let ds = self.h5.dataset(&p)?;
        let chunk = chunk.max(1);
        let mut start = 0;
        while start < self.len {
            let end = (start + chunk).min(self.len);
            let ids = self.h5.read_ints_range(&ds, &p, Some((start, end)))?;
            f(start, &ids)?;
            start = end;
        }
        Ok(())
    }

    /// The whole column `column` of group `group`.
    pub fn group_column(&self, group: i64, column: &str) -> Result<Vec<Value>, Error> {
        let p = column_path(&self.pop_path, group, column);
        let ds = self.h5.dataset(&p)?;
        self.h5.read_values(&ds, &p, None)
    }

    fn core_int(&self, name: &str, row: u64) -> Result<i64, Error> {
        let p = format!("{}/{name}", self.pop_path);
        let ds = self.h5.dataset(&p)?;
        self.h5.read_int_at(&ds, &p, row)
    }

    /// Edge `row`, read element by element.
    pub fn edge(&self, row: u64) -> Result<Edge, Error> {
        if row >= self.len {
            return Err(self.h5.err(
                &self.pop_path,
                format!("edge {row} is outside the population's {} edges", self.len),
            ));
        }
        let non_negative = |name: &str, v: i64| {
            u64::try_from(v).map_err(|_| {
                self.h5.err(
                    &format!("{}/{name}", self.pop_path),
                    format!("negative value {v} at edge {row}"),
                )
            })
        };
        let edge_type_id = self.core_int("edge_type_id", row)?;
        let source_node_id = non_negative("source_node_id", self.core_int("source_node_id", row)?)?;
        let target_node_id = non_negative("target_node_id", self.core_int("target_node_id", row)?)?;
        let edge_group_id = self.core_int("edge_group_id", row)?;
        let edge_group_index =
            non_negative("edge_group_index", self.core_int("edge_group_index", row)?)?;
        let mut attributes = Vec::new();
        if let Some(group) = self.groups.iter().find(|g| g.id == edge_group_id) {
            for c in &group.columns {
                attributes.push((
                    c.name.clone(),
                    group_value(&self.h5, &self.pop_path, group, c, edge_group_index)?,
                ));
            }
        } else if !self.groups.is_empty() {
            return Err(self.h5.err(
                &format!("{}/edge_group_id", self.pop_path),
                format!(
                    "edge {row} is in group {edge_group_id}, which the population does not have"
                ),
            ));
        }
        Ok(Edge {
            row,
            edge_type_id,
            source_node_id,
            target_node_id,
            edge_group_id,
            edge_group_index,
            attributes,
        })
    }
}

/// A BMTK gap-junction file (`<network>_gap_juncs.h5`): four parallel columns.
#[derive(Debug, Clone, PartialEq)]
pub struct GapJunctions {
    /// `source_ids`: the node on one side of each junction.
    pub source_ids: Vec<i64>,
    /// `target_ids`: the node on the other side.
    pub target_ids: Vec<i64>,
    /// `src_gap_ids`: the junction's id on the source side.
    pub src_gap_ids: Vec<i64>,
    /// `trg_gap_ids`: the junction's id on the target side.
    pub trg_gap_ids: Vec<i64>,
}

impl GapJunctions {
    /// Reads a gap-junction file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let h5 = H5File::open(path.as_ref(), None)?;
        let read = |name: &str| -> Result<Vec<i64>, Error> {
            let p = format!("/{name}");
            let ds = h5.dataset(&p)?;
            h5.read_ints(&ds, &p)
        };
        let g = GapJunctions {
            source_ids: read("source_ids")?,
            target_ids: read("target_ids")?,
            src_gap_ids: read("src_gap_ids")?,
            trg_gap_ids: read("trg_gap_ids")?,
        };
        let n = g.source_ids.len();
        for (name, len) in [
            ("target_ids", g.target_ids.len()),
            ("src_gap_ids", g.src_gap_ids.len()),
            ("trg_gap_ids", g.trg_gap_ids.len()),
        ] {
            if len != n {
                return Err(h5.err(
                    &format!("/{name}"),
                    format!("has {len} elements but source_ids has {n}"),
                ));
            }
        }
        Ok(g)
    }

    /// Number of junctions.
    pub fn len(&self) -> usize {
        self.source_ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.source_ids.is_empty()
    }
}
