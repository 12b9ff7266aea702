//! The reader's model as the engine's `CellSpec` (the one place that maps
//! per-segment values to the cell format): a value that differs between the
//! segments of a section is [`Error::PerSegmentValues`] for now.

use crate::cell::HocCell;
use crate::error::{Error, Result};
use cable_core::cell::{CellSpec, Geometry, IonSetting, MechInsert, ParentRef, SectionSpec};

fn uniform(cell: &HocCell, section: &str, variable: &str, v: &[f64]) -> Result<f64> {
    if v.iter().any(|x| x.to_bits() != v[0].to_bits()) {
        return Err(Error::PerSegmentValues {
            file: cell.file.clone(),
            section: section.to_string(),
            variable: variable.to_string(),
        });
    }
    Ok(v[0])
}

impl HocCell {
    /// The `CellSpec` of this cell.
    pub fn to_cell_spec(&self) -> Result<CellSpec> {
        let mut sections = Vec::with_capacity(self.sections.len());
        for s in &self.sections {
            let n = &s.name;
            if s.orientation != 0.0 {
                return Err(Error::Cell {
                    file: self.file.clone(),
                    message: format!(
                        "section {n} is connected by its 1 end; synaptune-cell/1 attaches the 0 end of every child"
                    ),
                });
            }
            let geometry = if s.pt3d.is_empty() {
                Geometry::Cylinder {
                    l: s.length,
                    diam: uniform(self, n, "diam", &s.diam)?,
                }
            } else {
                if s.pt3d.len() < 2 {
                    return Err(Error::Cell {
                        file: self.file.clone(),
                        message: format!("section {n}: a single 3-D point; need at least two"),
                    });
                }
                Geometry::PointsArcs {
                    points: s.pt3d.clone(),
                    arcs: s.arcs.clone(),
                }
            };
            let mut mechanisms = Vec::new();
            for m in &s.mechs {
                let mut params = Vec::new();
                for (p, v) in &m.params {
                    params.push((p.clone(), uniform(self, n, &format!("{p}_{}", m.name), v)?));
                }
                mechanisms.push(MechInsert {
                    name: m.name.clone(),
                    params,
                });
            }
            let mut ions = Vec::new();
            for i in &s.ions {
                let one = |v: &Option<Vec<f64>>, var: String| -> Result<Option<f64>> {
                    v.as_ref().map(|v| uniform(self, n, &var, v)).transpose()
                };
                let e = one(&i.e, format!("e{}", i.name))?;
                let ci = one(&i.ci, format!("{}i", i.name))?;
                let co = one(&i.co, format!("{}o", i.name))?;
                if e.is_some() || ci.is_some() || co.is_some() {
                    ions.push(IonSetting {
                        ion: i.name.clone(),
                        e,
                        ci,
                        co,
                    });
                }
            }
            sections.push(SectionSpec {
                name: n.clone(),
                parent: s.parent.map(|(p, x)| ParentRef { section: p, x }),
                geometry,
                nseg: s.nseg,
                cm: uniform(self, n, "cm", &s.cm)?,
                ra: s.ra,
                mechanisms,
                ions,
            });
        }
        let roots: Vec<&str> = sections
            .iter()
            .filter(|s| s.parent.is_none())
            .map(|s| s.name.as_str())
            .collect();
        if roots.len() != 1 {
            return Err(Error::Cell {
                file: self.file.clone(),
                message: format!(
                    "the cell must be one tree with one root; roots: {}",
                    roots.join(", ")
                ),
            });
        }
        let names = |l: &[usize]| l.iter().map(|&k| sections[k].name.clone()).collect();
        let section_lists = self
            .section_lists
            .iter()
            .map(|(n, l)| (n.clone(), names(l)))
            .collect();
        Ok(CellSpec {
            name: self.name.clone(),
            section_lists,
            connection_order: Some(self.connection_order.clone()),
            source: self.file.clone(),
            sections,
        })
    }
}
