//! # cable-scenario
//!
//! Experiment formats over the engine ([`cable_core`]): what to attach to
//! cells, what to record and how long to run, read from a command line or a
//! file, then built and run. The engine itself knows no protocol.
//!
//! * [`protocol`] — the simple current-clamp protocol of `synaptune simulate`:
//!   one cell, `IClamp`s given as `SEC:X:DEL:DUR:AMP`, recordings as
//!   `SEC:X:VAR`, run settings and NEURON-named globals;
//! * [`scenario`] — a JSON description of a small network (cells, point
//!   processes, artificial cells, connections, gap-junction transfers,
//!   recordings, spike records) that NEURON can build too; the parity
//!   fixtures use it.
//!
//! ## Example
//!
//! ```
//! use cable_core::CellSpec;
//! use cable_scenario::protocol::{self, IClampSpec, Protocol, RecordSpec};
//! let cell = CellSpec::from_json_str(r#"{"format": "synaptune-cell/1", "sections": [
//!     {"name": "soma", "L": 20, "diam": 20, "mechanisms": {"hh": {}}}]}"#, "<doc>")?;
//! let p = Protocol {
//!     iclamps: vec!["soma:0.5:1:2:0.3".parse::<IClampSpec>()?],
//!     records: vec!["soma:0.5:v".parse::<RecordSpec>()?],
//!     tstop: 5.0,
//!     ..Protocol::default()
//! };
//! let traces = protocol::run(&standard_mechanisms::registry(), &cell, &p)?;
//! assert_eq!(traces.names, ["t", "soma:0.5:v"]);
//! assert!(traces.columns[1].iter().any(|&v| v > 0.0)); // it spikes
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Dependencies
//!
//! * `cable-core` — the engine the protocols and scenarios build and run;
//! * `mech-api` — the registry that resolves mechanism and global names;
//! * `serde_json` — scenarios are JSON, read through `Value` so that errors
//!   can name the entry;
//! * `thiserror` — the typed errors ([`protocol::SpecError`],
//!   [`scenario::ScenarioError`]).
#![deny(missing_docs)]

pub mod protocol;
pub mod scenario;
