//! The simulation: a built model's state and NEURON's fixed-step integration.
//!
//! One step from tₙ to tₙ₊₁ (NEURON 9, `secondorder` 0 or 2):
//!
//! 1. threshold detection; deliver events with te ≤ tₙ + dt/2;
//! 2. t += dt/2; assemble the matrix (mechanism currents with the numerical
//!    conductance, axial terms, capacitance); solve for Δv (Hines);
//! 3. Crank–Nicolson only: ionic currents += di/dv·Δv; v += Δv (BE) or 2Δv (CN);
//! 4. t += dt/2; gap-junction transfers; mechanism state updates with the new v;
//! 5. record; deliver events with te ≤ tₙ₊₁.
//!
//! The [`Simulation`] is defined here with its plain accessors; its work is
//! spread over one file per concern:
//!
//! * `options` — [`SimOptions`]: dt, temperature, method, solver, skipping;
//! * `storage` — per-type mechanism storage ([`TypeStore`]) and the packs a
//!   mechanism call receives;
//! * `host` — the callbacks mechanisms call (`net_send`, `net_event`, errors)
//!   and the outbox they fill;
//! * `queue` — the event queue;
//! * `events` — sources, connections, threshold detection, event delivery;
//! * `params` — changing parameters of a built simulation;
//! * `init` — `finitialize`;
//! * `stepping` — `fadvance` (matrix, solve, voltage and state update),
//!   `continuerun`;
//! * `skipping` — stationary steps skipped and settled types frozen
//!   ([`SimOptions::skip_stationary`]);
//! * `solve_memo` — the last solve reused while the system repeats bitwise;
//! * `probes` — recording and reading variables;
//! * `faults` — non-finite values named, cancellation;
//! * `state` — checkpoints ([`SimState`]);
//! * `embed` — a checkpoint of a smaller model restored cell by cell;
//! * `graft` — such a checkpoint taken by the cells of a model whose
//!   stimulators differ.

use crate::cell::CellSpec;
use crate::geometry::Discretization;
use crate::ions::IonStore;
use crate::solver::{Solver, TreeMatrix};
use mech_api::abi::PPack;
use std::collections::HashMap;

mod embed;
mod events;
mod faults;
mod graft;
mod host;
mod init;
mod options;
mod params;
mod probes;
mod queue;
mod skipping;
mod solve_memo;
mod state;
mod stepping;
mod storage;

pub(crate) use events::{Conn, PreSyn, SourceKind};
pub(crate) use host::Host;
pub use options::{SimOptions, SolverFactory};
pub use probes::ProbeId;
pub use state::SimState;
pub(crate) use stepping::Transfer;
pub(crate) use storage::{global_index, param_index, variable_index, TypeStore};

use probes::ProbeTarget;
use queue::Queue;
use skipping::{Freeze, Quiet};
use solve_memo::SolveMemo;

/// A running simulation of one or more cells.
pub struct Simulation {
    opts: SimOptions,
    t: f64,
    cells: Vec<CellSpec>,
    disc: Discretization,
    matrix: TreeMatrix,
    solver: Box<dyn Solver>,
    v: Vec<f64>,
    rhs: Vec<f64>,
    d: Vec<f64>,
    cap_nodes: Vec<usize>,
    cap_cm: Vec<f64>,
    types: Vec<TypeStore>,
    mech_index: HashMap<String, usize>,
    ions: Vec<IonStore>,
    queue: Queue,
    presyns: Vec<PreSyn>,
    /// Source index per (type, instance) of emitting mechanisms.
    mech_source: Vec<Vec<Option<usize>>>,
    conns: Vec<Conn>,
    transfers: Vec<Transfer>,
    point_loc: Vec<(usize, u32)>,
    art_loc: Vec<(usize, u32)>,
    probes: Vec<ProbeTarget>,
    traces: Vec<Vec<f64>>,
    host: Host,
    /// Weights handed to NET_RECEIVE for self events sent outside NET_RECEIVE.
    spare_weights: Vec<f64>,
    /// Implicit couplings (node, node, µS).
    couplings: Vec<(usize, usize, f64)>,
    initialized: bool,
    steps: u64,
    quiet: Quiet,
    /// The types called every step (membrane mechanisms with instances), with
    /// their packs built once: per step only `t` changes.
    stepped: Vec<usize>,
    packs: Vec<PPack>,
    /// The packs must be rebuilt (a pointer, `dt` or `celsius` changed).
    packs_stale: bool,
    freeze: Freeze,
    /// The last solve, reused while the system repeats bitwise.
    memo: SolveMemo,
    /// Set by another thread to stop `continuerun` ([`Simulation::set_cancel`]).
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

// SAFETY: every raw pointer inside a Simulation (field pointers, ion pointers,
// the host context, event weight pointers) points into heap storage owned by the
// same Simulation; moving it to another thread moves that storage with it, and
// no pointer is shared with any other object.
unsafe impl Send for Simulation {}

impl Simulation {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        opts: SimOptions,
        cells: Vec<CellSpec>,
        disc: Discretization,
        matrix: TreeMatrix,
        solver: Box<dyn Solver>,
        mut types: Vec<TypeStore>,
        mech_index: HashMap<String, usize>,
        mut ions: Vec<IonStore>,
        presyns: Vec<PreSyn>,
        conns: Vec<Conn>,
        transfers: Vec<Transfer>,
        point_loc: Vec<(usize, u32)>,
        art_loc: Vec<(usize, u32)>,
        couplings: Vec<(usize, usize, f64)>,
        host: Host,
    ) -> Simulation {
        let n = disc.len();
        // The step indexes parents without bounds checks on this invariant
        // (the builder numbers nodes parent-first).
        assert!(
            matrix.check().is_ok() && matrix.len() == n,
            "tree matrix not numbered parent-first"
        );
        for t in types.iter_mut() {
            t.bind_ions(&mut ions);
        }
        let mut cap_nodes = Vec::new();
        let mut cap_cm = Vec::new();
        for (i, c) in disc.cm.iter().enumerate() {
            if let Some(cm) = c {
                cap_nodes.push(i);
                cap_cm.push(*cm);
            }
        }
        let max_weights = types
            .iter()
            .map(|t| t.ty.info.weights.len())
            .max()
            .unwrap_or(1);
        let mut mech_source: Vec<Vec<Option<usize>>> =
            types.iter().map(|t| vec![None; t.n]).collect();
        for (k, p) in presyns.iter().enumerate() {
            if let SourceKind::Mech { ti, inst } = p.kind {
                mech_source[ti][inst as usize] = Some(k);
            }
        }
        let mut sim = Simulation {
            opts,
            t: 0.0,
            cells,
            disc,
            matrix,
            solver,
            v: vec![-65.0; n],
            rhs: vec![0.0; n],
            d: vec![0.0; n],
            cap_nodes,
            cap_cm,
            types,
            mech_index,
            ions,
            queue: Queue::default(),
            presyns,
            mech_source,
            conns,
            transfers,
            point_loc,
            art_loc,
            probes: Vec::new(),
            traces: Vec::new(),
            spare_weights: vec![0.0; max_weights.max(1)],
            couplings,
            host,
            initialized: false,
            steps: 0,
            quiet: Quiet::default(),
            stepped: Vec::new(),
            packs: Vec::new(),
            packs_stale: true,
            freeze: Freeze::default(),
            memo: SolveMemo::default(),
            cancel: None,
        };
        sim.refresh_couplings();
        sim
    }

    /// Current time (ms).
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Time step (ms).
    pub fn dt(&self) -> f64 {
        self.opts.dt
    }

    /// The integration settings.
    pub fn options(&self) -> &SimOptions {
        &self.opts
    }

    /// Number of steps taken since the last initialisation (skipped ones
    /// included).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Node voltages (mV).
    pub fn voltages(&self) -> &[f64] {
        &self.v
    }

    /// The discretisation (node areas, axial resistances, node numbers).
    pub fn discretization(&self) -> &Discretization {
        &self.disc
    }

    /// The cells, in the order they were added.
    pub fn cells(&self) -> &[CellSpec] {
        &self.cells
    }

    /// The tree matrix (constant part).
    pub fn matrix(&self) -> &TreeMatrix {
        &self.matrix
    }

    /// The diagonal and right-hand side as last assembled.
    pub fn last_system(&self) -> (&[f64], &[f64]) {
        (&self.d, &self.rhs)
    }

    /// Names of the mechanism types, in evaluation order.
    pub fn type_order(&self) -> Vec<String> {
        self.types.iter().map(|t| t.ty.info.name.clone()).collect()
    }

    /// The name of the solver in use.
    pub fn solver_name(&self) -> &'static str {
        self.solver.name()
    }
}
