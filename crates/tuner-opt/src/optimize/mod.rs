//! Fitting, in argmin's shape: a [`Problem`] (what a point costs, by
//! simulation), solvers as plain structs of settings with a `run`, and one
//! [`Evaluator`] between them that caches every simulation, runs batches in
//! parallel and keeps the history.
//!
//! | problem | solvers |
//! |---|---|
//! | [`SynapseOptimizer`] — synaptic parameters to target metrics | [`LevenbergMarquardt`], [`ProjectedBfgs`], [`NelderMeadSolver`], [`ParticleSwarmSolver`] (then Levenberg–Marquardt) |
//! | [`GapJunctionOptimizer`] — a conductance to a coupling coefficient | [`LogSecant`], then [`BrentRoot1d`] where it cannot decide |

mod bfgs;
mod brent;
mod dense;
mod evaluator;
mod fd;
mod gap;
mod lm;
mod log_secant;
mod problem;
mod swarm;
mod synapse;

pub use bfgs::ProjectedBfgs;
pub use brent::BrentRoot1d;
pub use evaluator::{Evaluator, Record};
pub use gap::{GapEvaluation, GapJunctionOptimizer, GapOptimization};
pub use lm::LevenbergMarquardt;
pub use log_secant::LogSecant;
pub use problem::Problem;
pub use swarm::{NelderMeadSolver, ParticleSwarmSolver};
pub use synapse::{
    Bound, CostFn, Evaluation, Init, Method, Metrics, OptimizationResult, OptimizeOptions,
    SynapseOptimizer, EVENT_METRICS, FIT_LANES, TRAIN_METRICS,
};
