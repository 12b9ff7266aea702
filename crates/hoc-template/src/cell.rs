//! The instance a template built, as the reader's own model: the cell's
//! sections in `all` order with every range variable per segment, the
//! section lists and the connection order. `to_cell` turns it into a
//! `CellSpec`.

use crate::error::{Error, Result};
use crate::interp::{Interp, Object, Var};
use crate::section::Section;
use std::path::PathBuf;

/// A built template instance.
#[derive(Debug, Clone, PartialEq)]
pub struct HocCell {
    /// Template name.
    pub name: String,
    /// The file that defines it.
    pub file: PathBuf,
    /// Sections in the order of the template's public `all` list, then the
    /// instance's other sections in creation order (`parent` indexes this
    /// vector).
    pub sections: Vec<Section>,
    /// Public SectionLists other than `all`, by name (sorted), as indices
    /// into `sections`.
    pub section_lists: Vec<(String, Vec<usize>)>,
    /// Non-root sections in the order of their last `connect`.
    pub connection_order: Vec<usize>,
    /// Things ignored on the way.
    pub notes: Vec<String>,
    /// Mechanism GLOBALs the code assigned (`ehd_hd = -45`): (mechanism,
    /// global, value), carried into the `CellSpec`.
    pub globals: Vec<(String, String, f64)>,
    /// `celsius` when the code changed it from NEURON's 6.3 (°C).
    pub celsius: Option<f64>,
}

impl HocCell {
    /// Collect instance `id` of a finished interpreter.
    pub fn from_interp(it: &Interp, id: usize, file: PathBuf) -> Result<HocCell> {
        let inst = &it.instances[id];
        let err = |m: String| Error::Cell {
            file: file.clone(),
            message: m,
        };
        let mine: Vec<usize> = (0..it.secs.len())
            .filter(|&k| it.secs[k].alive && it.secs[k].owner == Some(id))
            .collect();
        let list_of = |name: &str| -> Option<Vec<usize>> {
            if !inst.publics.iter().any(|p| p == name) {
                return None;
            }
            match inst.vars.get(name) {
                Some(Var::Obj(v, dims)) if dims.is_empty() => {
                    match v[0].as_ref().map(|o| o.borrow().clone()) {
                        Some(Object::SectionList(l)) => {
                            Some(l.into_iter().filter(|&k| it.secs[k].alive).collect())
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        let mut order = list_of("all").unwrap_or_default();
        for &k in &order {
            if it.secs[k].owner != Some(id) {
                return Err(err(format!(
                    "`all` holds {}, which is not a section of the cell",
                    it.secname(k)
                )));
            }
        }
        for &k in &mine {
            if !order.contains(&k) {
                order.push(k);
            }
        }
        if order.is_empty() {
            return Err(err(format!("{} creates no sections", inst.template)));
        }
        let pos = |k: usize| order.iter().position(|&o| o == k);
        let mut sections = Vec::with_capacity(order.len());
        for &k in &order {
            let mut s = it.secs[k].clone();
            s.parent = match s.parent {
                None => None,
                Some((p, x)) => match pos(p) {
                    Some(q) => Some((q, x)),
                    None => {
                        return Err(err(format!(
                            "section {}: its parent {} is not part of the cell",
                            s.name,
                            it.secname(p)
                        )))
                    }
                },
            };
            sections.push(s);
        }
        let mut names: Vec<&String> = inst.publics.iter().filter(|p| *p != "all").collect();
        names.sort();
        names.dedup();
        let mut section_lists = Vec::new();
        for n in names {
            if let Some(l) = list_of(n) {
                let mut idx = Vec::new();
                for k in l {
                    match pos(k) {
                        Some(q) => idx.push(q),
                        None => {
                            return Err(err(format!(
                                "section list {n} holds {}, which is not part of the cell",
                                it.secname(k)
                            )))
                        }
                    }
                }
                section_lists.push((n.clone(), idx));
            }
        }
        let connection_order = it.connected.iter().filter_map(|&k| pos(k)).collect();
        Ok(HocCell {
            name: inst.template.clone(),
            file,
            sections,
            section_lists,
            connection_order,
            notes: it.notes.clone(),
            globals: it.mech_globals.clone(),
            celsius: it.celsius_set(),
        })
    }
}
