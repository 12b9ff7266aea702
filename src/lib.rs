//! # synaptune
//!
//! Facade over the synaptune workspace: it re-exports the layered crates so that a
//! downstream tool can depend on one package, and it hosts the workspace-level
//! integration tests (`tests/`, NEURON parity) and criterion benches (`benches/`).
//!
//! | crate | what it holds |
//! |---|---|
//! | [`mech_api`] | the mechanism trait, the plugin C ABI, the catalogue loader |
//! | [`cable_core`] | cells, NEURON's discretisation, the tree matrix, fixed-step integration |
//! | [`cable_scenario`] | experiment formats: the current-clamp protocol and JSON scenarios |
//! | [`standard_mechanisms`] | pas, hh, IClamp and the rest of the standard catalogue |
//! | [`sonata_config`] | SONATA/BMTK configs and connection types (no simulation) |
//! | [`stp_analysis`] | metrics on traces (no simulation) |
//! | [`tuner_opt`] | synapse and gap-junction tuners, optimisers |
#![deny(missing_docs)]

pub use cable_core;
pub use cable_scenario;
pub use mech_api;
pub use sonata_config;
pub use standard_mechanisms;
pub use stp_analysis;
pub use tuner_opt;
