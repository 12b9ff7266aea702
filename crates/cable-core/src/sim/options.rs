//! Integration settings.

use crate::error::SimError;
use crate::solver::Solver;
use std::sync::Arc;

/// A factory of solvers (a simulation owns its own solver instance).
pub type SolverFactory = Arc<dyn Fn() -> Box<dyn Solver> + Send + Sync>;

/// Integration settings.
#[derive(Clone)]
pub struct SimOptions {
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C). NEURON's default is 6.3; bmtool sets 20.
    pub celsius: f64,
    /// 0: backward Euler (NEURON's default); 2: Crank–Nicolson with ionic
    /// currents corrected to the step midpoint (1 is accepted: same voltages).
    pub secondorder: i32,
    /// The linear solver; `None` is Hines elimination.
    pub solver: Option<SolverFactory>,
    /// Skip work that provably changes nothing (on by default; the results are
    /// bit-identical either way). When a step leaves every voltage, mechanism
    /// field and ion variable bitwise unchanged and delivers no event, the next
    /// steps would repeat it exactly until an event is due or a mechanism's
    /// behaviour in `t` changes (its time horizon, ABI 1.1); `continuerun`
    /// then advances `t` and fills the records without computing them. And
    /// when only some mechanism types are settled (a cell at rest while a
    /// synapse still decays), those types are not called: their recorded
    /// contributions to the matrix are added instead, until a voltage at one
    /// of their nodes moves, an event reaches them or their horizon comes.
    /// And a step whose assembled system is bitwise the last solved one
    /// reuses that solve's result.
    pub skip_stationary: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            dt: 0.025,
            celsius: 6.3,
            secondorder: 0,
            solver: None,
            skip_stationary: true,
        }
    }
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("dt", &self.dt)
            .field("celsius", &self.celsius)
            .field("secondorder", &self.secondorder)
            .field("solver", &self.solver.as_ref().map(|s| s().name()))
            .field("skip_stationary", &self.skip_stationary)
            .finish()
    }
}

impl SimOptions {
    pub(crate) fn check(&self) -> Result<(), SimError> {
        if !(self.dt > 0.0 && self.dt.is_finite()) {
            return Err(SimError::BadSetting {
                what: "dt".into(),
                expected: "a finite number > 0 ms".into(),
                value: self.dt,
            });
        }
        if !self.celsius.is_finite() {
            return Err(SimError::BadSetting {
                what: "celsius".into(),
                expected: "a finite temperature".into(),
                value: self.celsius,
            });
        }
        if !(0..=2).contains(&self.secondorder) {
            return Err(SimError::BadSetting {
                what: "secondorder".into(),
                expected: "0, 1 or 2".into(),
                value: self.secondorder as f64,
            });
        }
        Ok(())
    }
}
