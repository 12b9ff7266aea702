//! # stp-analysis
//!
//! Pure functions on recorded traces, with no simulation code: single-event
//! kinetics (baseline, sign, latency, amplitude, rise time, decay τ by
//! exponential fit, half width, current integral), per-pulse amplitudes of the
//! 8 + 4 train, paired-pulse ratio, induction, recovery and their bmtool/Allen
//! variants, and the gap-junction coupling coefficient. Definitions and the two
//! conventions (default and `--compat bmtool`) are in `docs/cli.md`.
//!
//! This crate is filled by the synapse-tuner issue; today it holds only this
//! description.
#![deny(missing_docs)]
