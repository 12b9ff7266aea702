//! # cable-core
//!
//! The simulation core of synaptune: NEURON's numerics, reproduced operation by
//! operation so that traces match NEURON 9.0.2 bit for bit.
//!
//! The modules, bottom-up:
//!
//! * `error` — [`CellError`] (naming the file, the section and the field) and
//!   [`SimError`].
//! * `ids` — the handles of a model's parts ([`CellId`], [`PointId`],
//!   [`ArtId`], [`SourceId`], [`ConnId`], [`CouplingId`]).
//! * `ions` — per-node ion storage and NEURON's ion styles (Nernst).
//! * [`solver`] — the tree matrix and the [`Solver`] trait; [`Hines`]
//!   elimination; `lu` ([`SparseLu`], faer) and, with feature `nalgebra`,
//!   `cholesky` (`SparseCholesky`) for systems that are not trees.
//! * [`cell`] — the `synaptune-cell/1` JSON description: reading, validation,
//!   the check against a mechanism registry, writing.
//! * [`geometry`] — NEURON's discretisation: segment centres plus zero-area end
//!   nodes, areas and axial resistances from cylinders or float32 3-D points,
//!   Hines (parent-first) node numbering.
//! * `sim` — the [`Simulation`]: mechanism storage, events, `finitialize`,
//!   `fadvance` (backward Euler or Crank–Nicolson), `continuerun`, skipping of
//!   provably stationary work, recording, and checkpoints
//!   ([`Simulation::save_state`] / [`Simulation::restore_state`]: continue a
//!   run in another simulation of the same model, bit for bit).
//! * `model` — the [`ModelBuilder`]: cells, mechanisms (through `mech-api`),
//!   point processes, artificial cells, connections, gap-junction transfers
//!   and couplings, built into a [`Simulation`].
//!
//! Experiment formats (current-clamp protocols, JSON scenarios) are built
//! above this crate, in `cable-scenario`.
//!
//! Mechanisms are known only through [`mech_api`]: this crate calls their entry
//! points once per type per step over host-owned struct-of-arrays storage.
//!
//! ## Example
//!
//! ```
//! use cable_core::{CellSpec, ModelBuilder, Loc, SimOptions};
//! let cell = CellSpec::from_json_str(r#"{"format": "synaptune-cell/1", "sections": [
//!     {"name": "soma", "L": 20, "diam": 20, "mechanisms": {"hh": {}}}]}"#, "<doc>")?;
//! let reg = standard_mechanisms::registry();
//! let mut b = ModelBuilder::new(&reg);
//! let c = b.add_cell(&cell)?;
//! b.add_point("IClamp", Loc::new(c, "soma", 0.5), &[("del", 1.0), ("dur", 2.0), ("amp", 0.3)])?;
//! let mut sim = b.build(SimOptions { celsius: 6.3, ..SimOptions::default() })?;
//! let v = sim.record(0, "soma", 0.5, "v")?;
//! sim.run(5.0, -65.0)?;
//! assert_eq!(sim.trace(v).len(), 201);
//! assert!(sim.trace(v).iter().any(|&x| x > 0.0)); // it spikes
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod cell;
#[cfg(feature = "nalgebra")]
mod cholesky;
mod error;
pub mod geometry;
mod ids;
mod ions;
mod lu;
mod model;
mod sim;
pub mod solver;

pub use cell::{CellSpec, Geometry, SectionSpec};
#[cfg(feature = "nalgebra")]
pub use cholesky::SparseCholesky;
pub use error::{CellError, CellErrorKind, SimError};
pub use ids::{ArtId, CellId, ConnId, CouplingId, PointId, SourceId};
pub use ions::{ion_defaults, IonVar};
pub use lu::SparseLu;
pub use model::{Loc, ModelBuilder, Target};
pub use sim::{ProbeId, SimOptions, SimState, Simulation, SolverFactory};
pub use solver::{Hines, Solver, TreeMatrix};
