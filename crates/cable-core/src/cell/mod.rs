//! The `synaptune-cell/1` cell description: reading, validating, writing.
//!
//! A cell is what a NEURON hoc template builds: sections in creation order, their
//! topology and geometry (`L`/`diam` cylinders or 3-D `points`), and the mechanisms
//! inserted in each. See `docs/cell-format.md` in the steering repository.
//!
//! The description's types and lookups are here; reading is in `read`
//! (the document: format, name, section names, topology, section lists) and
//! `section` (one section's fields), the check against a mechanism registry in
//! `check`, writing in `write`.

use crate::error::{CellError, CellErrorKind};
use serde_json::Value;
use std::path::{Path, PathBuf};

mod check;
mod range;
mod read;
mod section;
mod write;

pub use range::RangeValue;

/// The format tag this version reads and writes.
pub const FORMAT: &str = "synaptune-cell/1";

/// Where a child section's 0 end attaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParentRef {
    /// Index of the parent section in [`CellSpec::sections`].
    pub section: usize,
    /// Position on the parent (NEURON's `connect child(0), parent(x)`).
    pub x: f64,
}

/// Section geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// A cylinder of length `l` and diameter `diam` (µm); a diameter given
    /// per segment makes each segment its own cylinder, as NEURON's `diam`
    /// range variable does without 3-D points.
    Cylinder {
        /// Length (µm).
        l: f64,
        /// Diameter (µm).
        diam: RangeValue,
    },
    /// 3-D points `[x, y, z, diam]` (µm); stored by NEURON as float32. The arc
    /// length of each point is computed from the points, as `pt3dadd` does.
    Points(Vec<[f64; 4]>),
    /// 3-D points with the arc length NEURON stores for each (`arc3d(i)`, µm):
    /// NEURON keeps arc lengths beside the points, and some operations set them
    /// without moving the points — `define_shape()` sets the last one to the
    /// section's `L` rather than to the length of its float32 points. Areas and
    /// axial resistances follow the arcs.
    PointsArcs {
        /// The points `[x, y, z, diam]` (µm; float32 as NEURON stores them).
        points: Vec<[f64; 4]>,
        /// Arc length at each point (µm): `arcs[0] = 0`, non-decreasing.
        arcs: Vec<f64>,
    },
}

/// A mechanism inserted into a section, with the parameters given for it.
#[derive(Debug, Clone, PartialEq)]
pub struct MechInsert {
    /// Mechanism name.
    pub name: String,
    /// Parameter values that differ from the defaults (per section or per segment).
    pub params: Vec<(String, RangeValue)>,
}

/// Ion settings of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct IonSetting {
    /// Ion name (`na`, `k`, `ca`, ...).
    pub ion: String,
    /// Reversal potential (mV).
    pub e: Option<RangeValue>,
    /// Inner concentration (mM).
    pub ci: Option<RangeValue>,
    /// Outer concentration (mM).
    pub co: Option<RangeValue>,
}

/// One section.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    /// Name (`soma[0]`).
    pub name: String,
    /// Parent, or `None` for the root.
    pub parent: Option<ParentRef>,
    /// Geometry.
    pub geometry: Geometry,
    /// Number of segments.
    pub nseg: usize,
    /// Specific capacitance (µF/cm²).
    pub cm: RangeValue,
    /// Axial resistivity (Ω·cm).
    pub ra: f64,
    /// Inserted mechanisms.
    pub mechanisms: Vec<MechInsert>,
    /// Ion settings.
    pub ions: Vec<IonSetting>,
}

/// A whole cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellSpec {
    /// Cell (template) name.
    pub name: String,
    /// Sections in creation order (NEURON's `all` list).
    pub sections: Vec<SectionSpec>,
    /// Named section lists (`somatic`, `basal`, ...).
    pub section_lists: Vec<(String, Vec<String>)>,
    /// The order the non-root sections were connected to their parents, as
    /// indices into [`CellSpec::sections`] (`None`: section order). NEURON lists
    /// the children attached at the same x of a parent latest-connected first,
    /// and that order numbers the nodes.
    pub connection_order: Option<Vec<usize>>,
    /// Mechanism GLOBALs the template sets (`ehd_hd = -45` in a template is
    /// part of the model NEURON runs): (mechanism, global, value), applied
    /// when the cell is added to a model (a later value of the same global wins,
    /// as in NEURON).
    pub globals: Vec<(String, String, f64)>,
    /// The temperature the template sets (`celsius = 31` in its `init()`, °C):
    /// NEURON's `celsius` is one per process, so building such a cell sets the
    /// temperature of the run that follows (bmtool's tuners included), and
    /// the tuners use it over their general setting.
    pub celsius: Option<f64>,
    /// Where it was read from (for messages).
    pub source: PathBuf,
}

/// The context of a cell's errors: the file, for messages.
struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(
        &self,
        section: Option<&str>,
        field: Option<&str>,
        kind: CellErrorKind,
        message: impl Into<String>,
    ) -> CellError {
        CellError {
            file: self.file.to_path_buf(),
            section: section.map(str::to_string),
            field: field.map(str::to_string),
            kind,
            message: message.into(),
        }
    }

    fn number(&self, sec: &str, field: &str, v: &Value) -> Result<f64, CellError> {
        let x = v.as_f64().ok_or_else(|| {
            self.err(
                Some(sec),
                Some(field),
                CellErrorKind::BadType,
                format!("expected a number, found {v}"),
            )
        })?;
        if !x.is_finite() {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::NonFinite,
                format!("expected a finite number, found {x}"),
            ));
        }
        Ok(x)
    }

    fn positive(&self, sec: &str, field: &str, v: &Value) -> Result<f64, CellError> {
        let x = self.number(sec, field, v)?;
        if x <= 0.0 {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::NonPositive,
                format!("must be > 0, found {x}"),
            ));
        }
        Ok(x)
    }
}

impl CellSpec {
    /// Index of a section by name; `soma` also finds `soma[0]`.
    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.name == name)
            .or_else(|| {
                if name.contains('[') {
                    None
                } else {
                    let alt = format!("{name}[0]");
                    self.sections.iter().position(|s| s.name == alt)
                }
            })
    }

    /// Index of the soma: `soma[0]` or `soma`, else the root section.
    pub fn soma_index(&self) -> usize {
        self.section_index("soma[0]")
            .or_else(|| self.section_index("soma"))
            .unwrap_or_else(|| {
                self.sections
                    .iter()
                    .position(|s| s.parent.is_none())
                    .unwrap_or(0)
            })
    }

    /// The names of all sections, comma separated (for messages).
    pub fn section_names(&self) -> String {
        self.sections
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
