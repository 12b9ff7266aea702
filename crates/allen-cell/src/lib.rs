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
//! * `mech-api` (host) — the registry [`ion_table`] reads each mechanism's `USEION` from.
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
mod pipeline;
pub mod setters;
pub mod sonata;
pub mod swc;

pub use cable_core::cell::CellSpec;
pub use dynamics::Dynamics;
pub use error::Error;
pub use pipeline::{build, from_files, AllenCell, Options, Processing};
pub use setters::{ion_table, IonTable};
pub use sonata::{from_sonata_node, is_allen_node, SonataComponents, SonataNode};
pub use swc::Swc;
