//! # sonata-config
//!
//! Reading SONATA/BMTK network descriptions, with no simulation code:
//!
//! * `simulation_config.json` / `circuit_config.json` with manifest substitution
//!   (`$VAR`, `${VAR}`, `${configdir}`), the `network` include, `components`
//!   folders, `node_sets_file`, `run` and `conditions`;
//! * `node_types.csv` / `edge_types.csv` and the nodes/edges HDF5 populations
//!   (through a pure-Rust HDF5 reader), including `dynamics_params` and BMTK
//!   gap-junction files;
//! * deriving connection types the way bmtool's SynapseTuner does (one
//!   representative edge per edge type), without its bugs.
//!
//! This crate is filled by the sonata-config issue; today it holds only this
//! description.
#![deny(missing_docs)]
