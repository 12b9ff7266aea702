//! # allen-cell
//!
//! Allen Cell Types / BMTK biophysical cells as `synaptune-cell/1`: the cells of
//! SONATA nodes with `model_type: biophysical` and `model_template:
//! ctdb:Biophys1.hoc`, which have no hoc template of their own — an SWC
//! morphology and a dynamics_params JSON (`passive`, `genome`, `conditions`)
//! processed by `model_processing` (`aibs_perisomatic`, `aibs_allactive`).
//!
//! The [`CellSpec`] is the cell BMTK 1.2.0 and NEURON 9.0.2 build, section for
//! section: BMTK's `Biophys1` template reads the SWC with NEURON's Import3d
//! ([`import3d`]: section splitting at branch points and type changes,
//! single-point, three-point and multi-point somata, names `soma[i]`,
//! `axon[i]`, `dend[i]`, `apic[i]`, connections, pt3d points through `%.8g` and
//! float32); the processing functions replace the axon by two 30 µm sections
//! laid out by `define_shape()` and set the biophysics ([`setters`]); BMTK's
//! `run.dL` sets `nseg = 1 + 2·int(L / 2dL)` ([`Options::dl`]). Sections are in
//! the order of the template's `all` list (BMTK's `sec_id`), and the cell keeps
//! the order Import3d connected them in (`connection_order`), which numbers
//! NEURON's nodes. Areas and axial resistances come out bit for bit NEURON's;
//! `tools/allen-ref/` checks that, and the parameters and voltage traces,
//! against BMTK + NEURON.
//!
//! The library reads files and returns values; it never simulates.
//!
//! ```no_run
//! use std::path::Path;
//! let cell = allen_cell::from_files(
//!     Path::new("Scnn1a_473845048_m.swc"),
//!     Some(Path::new("472363762_fit.json")),
//!     "aibs_perisomatic",
//!     &allen_cell::Options { dl: Some(20.0), ..Default::default() },
//! )
//! .unwrap();
//! println!("{} sections; mechanisms {:?}", cell.cell.sections.len(), cell.mechanisms);
//! ```
//!
//! ## Dependencies
//!
//! * `cable-core` — the [`CellSpec`] it produces, and the discretisation that
//!   gives `sec.diam` where BMTK reads it (the all-active axon stub).
//! * `serde_json` — the dynamics_params files.
//! * `thiserror` — the typed [`Error`].
//! * dev: `mech-api` (host) and `standard-mechanisms` — the tests simulate the
//!   test cells (`hh`, `pas`) to compare traces with NEURON's.
#![deny(missing_docs)]

mod cfmt;
pub mod dynamics;
pub mod error;
mod hoccell;
pub mod import3d;
pub mod setters;
pub mod sonata;
pub mod swc;

pub use cable_core::cell::CellSpec;
pub use dynamics::Dynamics;
pub use error::Error;
pub use setters::IonTable;
pub use sonata::{from_sonata_node, is_allen_node, SonataComponents, SonataNode};
pub use swc::Swc;

use cable_core::cell::{Geometry, SectionSpec};
use hoccell::{arcs_of, Geom, HSec, HocCell};
use std::path::Path;

/// A BMTK `model_processing` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// `aibs_perisomatic`: `fix_axon_peri` and `set_params_peri` (nothing
    /// without dynamics_params).
    AibsPerisomatic,
    /// `aibs_allactive`: `fix_axon_allactive` and `set_params_allactive`.
    AibsAllactive,
    /// `aibs_allactive_fullaxon` of BMTK's `bio_all_active_sweep` example:
    /// `set_params_allactive` with the reconstructed axon kept.
    AibsAllactiveFullAxon,
}

impl Processing {
    /// Its name in BMTK.
    pub fn name(&self) -> &'static str {
        match self {
            Processing::AibsPerisomatic => "aibs_perisomatic",
            Processing::AibsAllactive => "aibs_allactive",
            Processing::AibsAllactiveFullAxon => "aibs_allactive_fullaxon",
        }
    }

    /// A `model_processing` value: comma-separated names applied in order, as
    /// BMTK splits it (empty: none).
    pub fn parse_list(text: &str) -> Result<Vec<Processing>, Error> {
        let mut out = Vec::new();
        for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let unsupported = |why: &str| Error::Processing {
                name: name.to_string(),
                message: why.to_string(),
            };
            out.push(match name {
                "aibs_perisomatic" => Processing::AibsPerisomatic,
                "aibs_allactive" => Processing::AibsAllactive,
                "aibs_allactive_fullaxon" => Processing::AibsAllactiveFullAxon,
                "aibs_perisomatic_directed" | "aibs_allactive_directed" => {
                    return Err(unsupported(
                        "orients the axon stub by scikit-learn's PCA of the axon's points, which synaptune does not reproduce",
                    ))
                }
                "set_extracellular" | "extracellular" => {
                    return Err(unsupported(
                        "inserts NEURON's extracellular mechanism, which synaptune-cell/1 cannot describe",
                    ))
                }
                _ => {
                    return Err(unsupported(
                        "not a BMTK function synaptune knows (a function of your own Python code?); \
                         known: aibs_perisomatic, aibs_allactive, aibs_allactive_fullaxon",
                    ))
                }
            });
        }
        Ok(out)
    }
}

/// How to build the cell beyond what its files say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// BMTK's `run.dL` (µm): every section gets `nseg = 1 + 2·int(L / 2dL)`.
    /// `None` (no `dL` in the config) leaves Import3d's `nseg = 1`.
    pub dl: Option<f64>,
    /// The cell's name (default: the SWC file's stem).
    pub name: Option<String>,
    /// The ions each mechanism uses: with it, `ena`/`ek` are set only where the
    /// ion is present (`aibs_allactive`) and setting them where it is absent
    /// fails as in NEURON (`aibs_perisomatic`). Without it they are set as the
    /// file says (synaptune ignores an ion no mechanism of the section uses).
    pub ion_table: Option<IonTable>,
}

/// A cell built from Allen/BMTK files.
#[derive(Debug, Clone, PartialEq)]
pub struct AllenCell {
    /// The cell.
    pub cell: CellSpec,
    /// `conditions[0].celsius` of the dynamics_params file. The Allen fits
    /// were made at this temperature; BMTK itself runs at the simulation
    /// config's `conditions.celsius`.
    pub celsius: Option<f64>,
    /// `conditions[0].v_init` of the dynamics_params file (BMTK uses the
    /// simulation config's `conditions.v_init`).
    pub v_init: Option<f64>,
    /// The mechanisms the cell inserts (besides `pas`, these come from the
    /// Allen mod files: NaTs, Kv3_1, Ih, ...), in order of first insertion.
    pub mechanisms: Vec<String>,
    /// What NEURON or BMTK print while building (removed sections, skipped
    /// entries).
    pub notes: Vec<String>,
}

/// Build the cell from an SWC file, a dynamics_params file (or none) and a
/// `model_processing` value (`"aibs_perisomatic"`, `"aibs_allactive"`, a
/// comma-separated list, or `""`).
pub fn from_files(
    swc: &Path,
    dynamics_params: Option<&Path>,
    model_processing: &str,
    opts: &Options,
) -> Result<AllenCell, Error> {
    let processing = Processing::parse_list(model_processing)?;
    let swc = Swc::read(swc)?;
    let dynamics = dynamics_params.map(Dynamics::read).transpose()?;
    build(&swc, dynamics.as_ref(), &processing, opts)
}

/// Build the cell from parsed files.
pub fn build(
    swc: &Swc,
    dynamics: Option<&Dynamics>,
    processing: &[Processing],
    opts: &Options,
) -> Result<AllenCell, Error> {
    let i3d = import3d::import3d(swc);
    let mut notes = i3d.notes.clone();
    let mut cell = hoc_cell(&i3d);
    for p in processing {
        apply(*p, &mut cell, dynamics, opts, &mut notes)?;
    }
    if let Some(dl) = opts.dl {
        set_segment_dl(&mut cell, dl)?;
    }
    let name = opts.name.clone().unwrap_or_else(|| {
        swc.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Biophys1".into())
    });
    let spec = to_spec(&cell, name, &swc.file);
    let mut mechanisms: Vec<String> = Vec::new();
    for s in &spec.sections {
        for m in &s.mechanisms {
            if !mechanisms.contains(&m.name) {
                mechanisms.push(m.name.clone());
            }
        }
    }
    Ok(AllenCell {
        cell: spec,
        celsius: dynamics.and_then(Dynamics::celsius),
        v_init: dynamics.and_then(Dynamics::v_init),
        mechanisms,
        notes,
    })
}

/// One processing function.
fn apply(
    p: Processing,
    cell: &mut HocCell,
    dynamics: Option<&Dynamics>,
    opts: &Options,
    notes: &mut Vec<String>,
) -> Result<(), Error> {
    let Some(d) = dynamics else {
        if p == Processing::AibsPerisomatic {
            return Ok(()); // BMTK: `if dynamics_params is not None`
        }
        return Err(Error::Processing {
            name: p.name().into(),
            message: "needs a dynamics_params file".into(),
        });
    };
    let mut st = setters::Setter {
        d,
        ions: opts.ion_table.as_ref(),
        notes,
    };
    match p {
        Processing::AibsPerisomatic => {
            setters::fix_axon_peri(cell)?;
            setters::set_params_peri(cell, &mut st)
        }
        Processing::AibsAllactive => {
            setters::fix_axon_allactive(cell)?;
            setters::set_params_allactive(cell, &mut st)
        }
        Processing::AibsAllactiveFullAxon => setters::set_params_allactive(cell, &mut st),
    }
}

/// The template as Import3d leaves it.
fn hoc_cell(i3d: &import3d::Import3d) -> HocCell {
    let secs: Vec<HSec> = i3d
        .sections
        .iter()
        .map(|s| HSec {
            name: s.name.clone(),
            parent: s.parent,
            geom: Geom::Pt3d {
                arcs: arcs_of(&s.points),
                points: s.points.clone(),
            },
            logical: s.logical,
            nseg: 1,
            cm: 1.0,
            ra: 35.4,
            mechs: Vec::new(),
            ions: Vec::new(),
            alive: true,
        })
        .collect();
    let list = |kind: u8| -> Vec<usize> {
        (0..secs.len())
            .filter(|&k| i3d.sections[k].kind == kind)
            .collect()
    };
    let lists = vec![
        ("somatic".to_string(), list(1)),
        ("axonal".to_string(), list(2)),
        ("basal".to_string(), list(3)),
        ("apical".to_string(), list(4)),
    ];
    HocCell {
        all: (0..secs.len()).collect(),
        secs,
        lists,
        connected: i3d.connection_order.clone(),
    }
}

/// BMTK's `Morphology.set_segment_dl(dL)`.
fn set_segment_dl(cell: &mut HocCell, dl: f64) -> Result<(), Error> {
    if !(dl.is_finite() && dl > 0.0) {
        return Err(Error::Option {
            what: "dL".into(),
            message: format!("expected a segment length > 0 µm, found {dl}"),
        });
    }
    for k in cell.all.clone() {
        let s = &mut cell.secs[k];
        let n = 1.0 + 2.0 * (s.length() / (2.0 * dl)).trunc();
        if n > 32767.0 {
            return Err(Error::Option {
                what: "dL".into(),
                message: format!(
                    "{} (L = {} µm) would get nseg = {n}; NEURON allows at most 32767",
                    s.name,
                    s.length()
                ),
            });
        }
        s.nseg = n as usize;
    }
    Ok(())
}

/// The cell as `synaptune-cell/1`: sections in `all` order.
fn to_spec(cell: &HocCell, name: String, source: &Path) -> CellSpec {
    let mut index = vec![usize::MAX; cell.secs.len()];
    for (n, &k) in cell.all.iter().enumerate() {
        index[k] = n;
    }
    let sections = cell
        .all
        .iter()
        .map(|&k| {
            let s = &cell.secs[k];
            let geometry = match &s.geom {
                Geom::Pt3d { points, arcs } if *arcs == arcs_of(points) => {
                    Geometry::Points(points.clone())
                }
                Geom::Pt3d { points, arcs } => Geometry::PointsArcs {
                    points: points.clone(),
                    arcs: arcs.clone(),
                },
                Geom::Cylinder { l, diam } => Geometry::Cylinder { l: *l, diam: *diam },
            };
            SectionSpec {
                name: s.name.clone(),
                parent: s.parent.map(|(p, x)| cable_core::cell::ParentRef {
                    section: index[p],
                    x,
                }),
                geometry,
                nseg: s.nseg,
                cm: s.cm,
                ra: s.ra,
                mechanisms: s.mechs.clone(),
                ions: s.ions.clone(),
            }
        })
        .collect();
    CellSpec {
        name,
        sections,
        section_lists: cell
            .lists
            .iter()
            .map(|(n, l)| {
                (
                    n.clone(),
                    l.iter().map(|&k| cell.secs[k].name.clone()).collect(),
                )
            })
            .collect(),
        connection_order: Some(cell.connected.iter().map(|&k| index[k]).collect()),
        source: source.to_path_buf(),
    }
}
