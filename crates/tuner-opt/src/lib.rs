//! # tuner-opt
//!
//! The tuners and optimisers built on `cable-core`: `SynapseTuner` (one post cell,
//! one synapse driven through a connection; single event, 8 + 4 train,
//! continuous input, frequency response), `GapJunctionTuner` (two coupled cells,
//! coupling coefficient, sweeps), `SynapseOptimizer` and `GapJunctionOptimizer`
//! (bounded fits of synaptic parameters and gap conductance, on argmin).
//!
//! This crate is filled by the synapse-tuner and optimizer issues; today it holds
//! only this description.
#![deny(missing_docs)]
