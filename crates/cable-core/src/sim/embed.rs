//! Restoring a state saved from a smaller model: each cell of this model takes
//! the state of one cell of the saved model (several cells may take the same
//! one). The gap-junction tuner uses it for the stretch before its current
//! step, where the two cells of a pair are the same cell, bit for bit.

use super::probes::ProbeTarget;
use super::state::{mismatch, SimState};
use super::Simulation;
use crate::error::SimError;
use crate::geometry::CellNodes;
use std::collections::HashMap;

impl Simulation {
    /// Continue from a state saved in a model with other cells:
    /// `cell_of[c]` names the saved model's cell whose state cell `c` of this
    /// model takes (each a copy of the same [`crate::CellSpec`]'s layout).
    ///
    /// Every node takes the voltage and ion variables of its counterpart;
    /// every mechanism instance takes the fields of the saved instance of its
    /// type at the counterpart node with the same rank among that type's
    /// instances at that node (an instance without one is an error; saved
    /// instances without a counterpart are left out). Globals and caches,
    /// time and step count come from the saved state, and each recorded
    /// trace from the saved trace of its counterpart (the same variable at
    /// the counterpart node or instance). Neither model may have event
    /// sources, connections or queued events.
    ///
    /// The continuation is the run of this model from the start whenever,
    /// up to the saved time, each of its cells computed what its counterpart
    /// did, bit for bit: the caller's promise (see `tuner-opt`'s gap
    /// junction tuner, whose test compares both).
    pub fn restore_embedded(&mut self, s: SimState, cell_of: &[usize]) -> Result<(), SimError> {
        let node_of = self.node_map(&s, cell_of)?;
        self.check_embeddable(&s)?;
        let inst_of = self.instance_maps(&s, &node_of)?;
        let (queue_seq, skipped) = (s.queue_seq, s.skipped);
        self.take_cells(s, &node_of, &inst_of)?;
        self.queue = Default::default();
        self.queue.set_seq(queue_seq);
        self.resume(skipped);
        Ok(())
    }

    /// The cell-borne part of an embedding: time and step count, each node's
    /// voltage and ion variables, each non-artificial instance's fields, the
    /// globals and caches of the non-artificial types, the recorded traces.
    pub(super) fn take_cells(
        &mut self,
        s: SimState,
        node_of: &[usize],
        inst_of: &[Option<Vec<usize>>],
    ) -> Result<(), SimError> {
        let order = self.trace_sources(&s, node_of, inst_of)?;
        self.t = s.t;
        self.steps = s.steps;
        for (n, &m) in node_of.iter().enumerate() {
            self.v[n] = s.v[m];
        }
        for ((ts, st), map) in self.types.iter_mut().zip(&s.types).zip(inst_of) {
            let Some(map) = map else { continue };
            let nf = ts.ty.info.fields.len();
            for f in 0..nf {
                for (j, &k) in map.iter().enumerate() {
                    ts.data[f * ts.n + j] = st.data[f * st.n + k];
                }
            }
            ts.globals.copy_from_slice(&st.globals);
            ts.scratch.copy_from_slice(&st.scratch);
        }
        for (ion, a) in self.ions.iter_mut().zip(&s.ions) {
            let arrays = [
                &mut ion.e,
                &mut ion.i,
                &mut ion.didv,
                &mut ion.ci,
                &mut ion.co,
            ];
            for (to, from) in arrays.into_iter().zip(a) {
                for (n, &m) in node_of.iter().enumerate() {
                    to[n] = from[m];
                }
            }
        }
        self.traces = moved_traces(s.traces, &order);
        Ok(())
    }

    /// For each node of this model, its counterpart in the saved model.
    pub(super) fn node_map(&self, s: &SimState, cell_of: &[usize]) -> Result<Vec<usize>, SimError> {
        let cells = &self.disc.cells;
        if cell_of.len() != cells.len() {
            return Err(mismatch(format!(
                "{} cells mapped, the simulation has {}",
                cell_of.len(),
                cells.len()
            )));
        }
        let mut node_of = vec![usize::MAX; self.v.len()];
        for (c, &h) in cells.iter().zip(cell_of) {
            let saved = s
                .cells
                .get(h)
                .ok_or_else(|| mismatch(format!("the saved model has no cell {h}")))?;
            for (n, m) in cell_node_pairs(c, saved)? {
                if node_of[n] != usize::MAX && node_of[n] != m {
                    return Err(mismatch(format!("node {n} has two counterparts")));
                }
                node_of[n] = m;
            }
        }
        if node_of.iter().any(|&m| m >= s.v.len()) {
            return Err(mismatch("a node has no counterpart in the saved model"));
        }
        Ok(node_of)
    }

    /// What the embedding does not carry: event sources, connections and
    /// queued events, and types other than the saved model's.
    fn check_embeddable(&self, s: &SimState) -> Result<(), SimError> {
        if !(self.presyns.is_empty()
            && self.conns.is_empty()
            && s.presyns.is_empty()
            && s.weights.is_empty()
            && s.events.is_empty())
        {
            return Err(mismatch(
                "a state with event sources, connections or queued events cannot be embedded",
            ));
        }
        if self.types.iter().any(|ts| ts.is_artificial() && ts.n > 0) {
            return Err(mismatch("a model with artificial cells cannot be embedded"));
        }
        self.check_same_types(s)
    }

    /// The same mechanism types (names, globals, caches) and ions.
    pub(super) fn check_same_types(&self, s: &SimState) -> Result<(), SimError> {
        if s.types.len() != self.types.len()
            || s.types.iter().zip(&self.types).any(|(st, ts)| {
                st.name != ts.ty.info.name
                    || st.globals.len() != ts.globals.len()
                    || st.scratch.len() != ts.scratch.len()
            })
        {
            return Err(mismatch("the mechanism types differ"));
        }
        if s.ions.len() != self.ions.len() {
            return Err(mismatch("the ions differ"));
        }
        Ok(())
    }

    /// Per type, the saved instance each instance takes its fields from
    /// (`None` for artificial cells, which have no node).
    pub(super) fn instance_maps(
        &self,
        s: &SimState,
        node_of: &[usize],
    ) -> Result<Vec<Option<Vec<usize>>>, SimError> {
        self.types
            .iter()
            .zip(&s.types)
            .map(|(ts, st)| {
                if ts.is_artificial() {
                    return Ok(None);
                }
                let saved_at = instances_by_node(&st.nodes);
                // Instances of this model seen so far at each node: the rank.
                let mut seen: HashMap<u32, usize> = HashMap::new();
                (0..ts.n)
                    .map(|j| {
                        let node = ts.nodes[j];
                        let rank = *seen.entry(node).and_modify(|r| *r += 1).or_insert(0);
                        let want = node_of.get(node as usize).map(|&m| m as u32);
                        want.and_then(|m| saved_at.get(&m)?.get(rank).copied())
                            .ok_or_else(|| {
                                mismatch(format!(
                                    "instance {j} of {} has no counterpart in the saved model",
                                    ts.ty.info.name
                                ))
                            })
                    })
                    .collect::<Result<Vec<usize>, SimError>>()
                    .map(Some)
            })
            .collect()
    }

    /// For each recorded trace, the saved trace of the same variable at the
    /// counterpart node or instance.
    fn trace_sources(
        &self,
        s: &SimState,
        node_of: &[usize],
        inst_of: &[Option<Vec<usize>>],
    ) -> Result<Vec<usize>, SimError> {
        self.probes
            .iter()
            .map(|p| {
                let want = match *p {
                    ProbeTarget::Time => ProbeTarget::Time,
                    ProbeTarget::Node(n) => ProbeTarget::Node(node_of[n]),
                    ProbeTarget::Field { ti, f, inst } => match &inst_of[ti] {
                        Some(map) => ProbeTarget::Field {
                            ti,
                            f,
                            inst: map[inst],
                        },
                        None => {
                            return Err(mismatch(
                                "a recorded variable of an artificial cell cannot be restored",
                            ))
                        }
                    },
                    ProbeTarget::Ion { ion, what, node } => ProbeTarget::Ion {
                        ion,
                        what,
                        node: node_of[node],
                    },
                };
                s.probes.iter().position(|q| *q == want).ok_or_else(|| {
                    mismatch("a recorded variable is not recorded in the saved state")
                })
            })
            .collect()
    }
}

/// Per node, the indices of the instances at it, in order (one pass: a
/// model of many instances is matched in linear time).
fn instances_by_node(nodes: &[u32]) -> HashMap<u32, Vec<usize>> {
    let mut at: HashMap<u32, Vec<usize>> = HashMap::new();
    for (k, &n) in nodes.iter().enumerate() {
        at.entry(n).or_default().push(k);
    }
    at
}

/// The traces `order` names from `saved`: each saved trace moved to its
/// first use and copied to the others.
fn moved_traces(saved: Vec<Vec<f64>>, order: &[usize]) -> Vec<Vec<f64>> {
    let mut saved: Vec<Option<Vec<f64>>> = saved.into_iter().map(Some).collect();
    let mut first: Vec<Option<usize>> = vec![None; saved.len()];
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(order.len());
    for (i, &k) in order.iter().enumerate() {
        let tr = match first[k] {
            Some(j) => out[j].clone(),
            None => {
                first[k] = Some(i);
                saved[k].take().unwrap_or_default()
            }
        };
        out.push(tr);
    }
    out
}

/// The nodes of cell `c` paired with those of `saved`, a cell of the same
/// layout (same sections, same numbers of segments).
fn cell_node_pairs(c: &CellNodes, saved: &CellNodes) -> Result<Vec<(usize, usize)>, SimError> {
    let same = c.sections.len() == saved.sections.len()
        && c.sections
            .iter()
            .zip(&saved.sections)
            .all(|(a, b)| a.nseg == b.nseg);
    if !same {
        return Err(mismatch(
            "a cell and its counterpart have different layouts",
        ));
    }
    let mut pairs = vec![(c.root, saved.root)];
    for (a, b) in c.sections.iter().zip(&saved.sections) {
        pairs.push((a.parentnode, b.parentnode));
        pairs.extend((0..=a.nseg).map(|j| (a.first + j, b.first + j)));
    }
    Ok(pairs)
}
