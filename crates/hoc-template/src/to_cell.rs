//! The reader's model as the engine's `CellSpec` (the one place that maps
//! per-segment values to the cell format): a range variable is one number when
//! every segment holds the same value, else one value per segment.

use crate::cell::HocCell;
use crate::error::{Error, Result};
use cable_core::cell::{
    CellSpec, Geometry, IonSetting, MechInsert, ParentRef, RangeValue, SectionSpec,
};

/// The values of a section's segments as the cell format holds them.
fn range(v: &[f64]) -> RangeValue {
    RangeValue::PerSegment(v.to_vec())
        .uniform()
        .map_or_else(|| RangeValue::PerSegment(v.to_vec()), RangeValue::Uniform)
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
                    diam: range(&s.diam),
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
                    params.push((p.clone(), range(v)));
                }
                mechanisms.push(MechInsert {
                    name: m.name.clone(),
                    params,
                });
            }
            let mut ions = Vec::new();
            for i in &s.ions {
                let one = |v: &Option<Vec<f64>>| v.as_deref().map(range);
                let (e, ci, co) = (one(&i.e), one(&i.ci), one(&i.co));
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
                cm: range(&s.cm),
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
            globals: self.globals.clone(),
            celsius: self.celsius,
            source: self.file.clone(),
            sections,
        })
    }
}
