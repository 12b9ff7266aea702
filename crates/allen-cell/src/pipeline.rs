//! The pipeline: an SWC through Import3d, the processing functions in order,
//! BMTK's `set_segment_dl`, and the result as a [`CellSpec`].

use crate::dynamics::Dynamics;
use crate::error::Error;
use crate::hoccell::{arcs_of, Geom, HSec, HocCell};
use crate::import3d;
use crate::setters::{self, IonTable};
use crate::swc::Swc;
use cable_core::cell::{CellSpec, Geometry, SectionSpec};
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
        .map(|s| {
            let geom = Geom::Pt3d {
                arcs: arcs_of(&s.points),
                points: s.points.clone(),
            };
            HSec::new(s.name.clone(), s.parent, geom, s.logical)
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
                Geom::Cylinder { l, diam } => Geometry::Cylinder {
                    l: *l,
                    diam: (*diam).into(),
                },
            };
            SectionSpec {
                name: s.name.clone(),
                parent: s.parent.map(|(p, x)| cable_core::cell::ParentRef {
                    section: index[p],
                    x,
                }),
                geometry,
                nseg: s.nseg,
                cm: s.cm.into(),
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
        globals: Vec::new(),
        celsius: None,
        source: source.to_path_buf(),
    }
}
