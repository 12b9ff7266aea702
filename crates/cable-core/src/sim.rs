//! The simulation: state, NEURON's `finitialize` and fixed-step `fadvance`,
//! event delivery and recording.
//!
//! One step from tₙ to tₙ₊₁ (NEURON 9, `secondorder` 0 or 2):
//!
//! 1. threshold detection; deliver events with te ≤ tₙ + dt/2;
//! 2. t += dt/2; assemble the matrix (mechanism currents with the numerical
//!    conductance, axial terms, capacitance); solve for Δv (Hines);
//! 3. Crank–Nicolson only: ionic currents += di/dv·Δv; v += Δv (BE) or 2Δv (CN);
//! 4. t += dt/2; gap-junction transfers; mechanism state updates with the new v;
//! 5. record; deliver events with te ≤ tₙ₊₁.

use crate::cell::CellSpec;
use crate::error::SimError;
use crate::events::{EventKind, Queue};
use crate::geometry::Discretization;
use crate::ids::{ArtId, ConnId, CouplingId, PointId, SourceId};
use crate::ions::{parse_ion_var, IonStore, IonVar};
use crate::solver::{Solver, TreeMatrix};
use mech_api::abi::{HostApi, IonState, PPack, STATUS_OK};
use mech_api::{FieldKind, Kind, MechType};
use std::collections::HashMap;

mod state;
pub use state::SimState;
use std::ffi::c_void;
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

/// Host-owned storage of one mechanism type.
pub(crate) struct TypeStore {
    pub ty: Arc<MechType>,
    pub n: usize,
    pub nodes: Vec<u32>,
    pub data: Vec<f64>,
    /// Values given at build time (restored at every initialisation).
    pub data0: Vec<f64>,
    field_ptrs: Vec<*mut f64>,
    pub globals: Vec<f64>,
    pub scratch: Vec<f64>,
    pub ion_slots: Vec<usize>,
    ion_states: Vec<IonState>,
    pub vecs: Vec<Vec<f64>>,
    vec_ptrs: Vec<*const f64>,
    vec_lens: Vec<u32>,
}

impl TypeStore {
    pub fn new(
        ty: Arc<MechType>,
        n: usize,
        nodes: Vec<u32>,
        data: Vec<f64>,
        globals: Vec<f64>,
        ion_slots: Vec<usize>,
    ) -> TypeStore {
        let scratch = vec![0.0; ty.info.scratch_len];
        let mut t = TypeStore {
            ty,
            n,
            nodes,
            data0: data.clone(),
            data,
            field_ptrs: Vec::new(),
            globals,
            scratch,
            ion_slots,
            ion_states: Vec::new(),
            vecs: vec![Vec::new(); n],
            vec_ptrs: vec![std::ptr::null(); n],
            vec_lens: vec![0; n],
        };
        t.refresh_ptrs();
        t
    }

    fn refresh_ptrs(&mut self) {
        let n = self.n;
        let base = self.data.as_mut_ptr();
        self.field_ptrs = (0..self.ty.info.fields.len())
            // SAFETY: f * n + 0 is within (or one past the end of) `data`.
            .map(|f| unsafe { base.add(f * n) })
            .collect();
        for i in 0..n {
            self.vec_ptrs[i] = self.vecs[i].as_ptr();
            self.vec_lens[i] = self.vecs[i].len() as u32;
        }
    }

    fn bind_ions(&mut self, ions: &mut [IonStore]) {
        self.ion_states = self
            .ion_slots
            .iter()
            .map(|&k| IonState {
                e: ions[k].e.as_mut_ptr(),
                i: ions[k].i.as_mut_ptr(),
                didv: ions[k].didv.as_mut_ptr(),
                ci: ions[k].ci.as_mut_ptr(),
                co: ions[k].co.as_mut_ptr(),
            })
            .collect();
    }

    pub fn get(&self, f: usize, i: usize) -> f64 {
        self.data[f * self.n + i]
    }

    pub fn set(&mut self, f: usize, i: usize, x: f64) {
        self.data[f * self.n + i] = x;
    }
}

/// The field index of parameter `name` of a mechanism type.
pub(crate) fn param_index(ty: &MechType, name: &str) -> Result<usize, SimError> {
    ty.info
        .field_index(name)
        .filter(|&k| ty.info.fields[k].kind == FieldKind::Parameter)
        .ok_or_else(|| SimError::UnknownField {
            mech: ty.info.name.clone(),
            what: "parameter",
            name: name.to_string(),
            known: ty.info.parameter_names().join(", "),
        })
}

/// What an event source is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SourceKind {
    Voltage { node: usize, threshold: f64 },
    Mech { ti: usize, inst: u32 },
}

/// NEURON's PreSyn.
#[derive(Debug, Clone)]
pub(crate) struct PreSyn {
    pub kind: SourceKind,
    pub conns: Vec<usize>,
    pub flag: bool,
    pub record: bool,
    pub spikes: Vec<f64>,
}

/// NEURON's NetCon.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    pub target: Option<(usize, u32)>,
    pub delay: f64,
    pub weights: Box<[f64]>,
    /// weight[0] as configured (kept across initialisations).
    pub weight0: f64,
    pub active: bool,
}

/// A `source_var` → `target_var` copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transfer {
    pub source_node: usize,
    pub ti: usize,
    pub field: usize,
    pub inst: u32,
}

/// Buffers the host callbacks fill during a mechanism call.
#[derive(Default)]
pub(crate) struct Outbox {
    sends: Vec<(u32, f64, f64, *mut f64)>,
    spikes: Vec<(u32, f64)>,
    error: Option<String>,
}

unsafe extern "C" fn host_net_send(
    ctx: *mut c_void,
    instance: u32,
    t_deliver: f64,
    flag: f64,
    weights: *mut f64,
) {
    // SAFETY: ctx is the Outbox of the simulation making the call.
    let ob = &mut *(ctx as *mut Outbox);
    ob.sends.push((instance, t_deliver, flag, weights));
}

unsafe extern "C" fn host_net_event(ctx: *mut c_void, instance: u32, t: f64) {
    // SAFETY: as above.
    let ob = &mut *(ctx as *mut Outbox);
    ob.spikes.push((instance, t));
}

unsafe extern "C" fn host_report_error(ctx: *mut c_void, msg: *const u8, len: usize) {
    // SAFETY: as above; msg/len describe a byte string owned by the caller.
    let ob = &mut *(ctx as *mut Outbox);
    let bytes = std::slice::from_raw_parts(msg, len);
    ob.error = Some(String::from_utf8_lossy(bytes).into_owned());
}

/// Host callback table plus the outbox it writes to.
pub(crate) struct Host {
    outbox: Box<Outbox>,
    api: Box<HostApi>,
}

impl Host {
    pub fn new() -> Host {
        let mut outbox = Box::<Outbox>::default();
        let api = Box::new(HostApi {
            ctx: &mut *outbox as *mut Outbox as *mut c_void,
            net_send: host_net_send,
            net_event: host_net_event,
            report_error: host_report_error,
        });
        Host { outbox, api }
    }
}

/// Bookkeeping of the stationary-step detection (see
/// [`SimOptions::skip_stationary`]).
#[derive(Default)]
struct Quiet {
    /// `snapshot` holds the state at the end of the last step.
    valid: bool,
    /// The last step reproduced `snapshot` exactly, without events.
    stationary: bool,
    /// Midpoint time of that step.
    midpoint: f64,
    /// Voltages, mechanism fields, ion variables and source flags, as bits.
    snapshot: Vec<u64>,
    /// Scratch for the comparison.
    now: Vec<u64>,
    /// Events delivered during the current step.
    delivered: u64,
    /// Steps skipped since the last initialisation.
    skipped: u64,
}

/// Mechanism types whose calls are replaced by their recorded effect (see
/// [`SimOptions::skip_stationary`]): a type whose fields did not change over a
/// step in which its nodes' voltages did not move either computes the same
/// contributions in the next step, so they are added without calling it, and
/// its state update (which would rewrite the same values) is skipped — until
/// a voltage at one of its nodes moves, an event reaches it, a transferred
/// value changes or its time horizon comes.
#[derive(Default)]
struct Freeze {
    /// Per stepped type: may be frozen at all (it has a time horizon, it does
    /// not read the summed ionic current, no mechanism writes the
    /// concentrations of its ions, and point processes sit on distinct nodes).
    eligible: Vec<bool>,
    frozen: Vec<bool>,
    horizon: Vec<f64>,
    /// Fields at the end of the last step, as bits, when `snap_ok`.
    snap: Vec<Vec<u64>>,
    snap_ok: Vec<bool>,
    contrib: Vec<Contrib>,
    /// Stepped index of each type (`usize::MAX` if not stepped).
    k_of: Vec<usize>,
    /// Per type: received an event during this step.
    hit: Vec<bool>,
    /// Per node: its voltage changed during this step.
    moved: Vec<bool>,
    any_frozen: bool,
    /// Per stepped type: the step count before which no snapshot is taken
    /// (after a failed comparison the next attempt waits, doubling `backoff`,
    /// so a type whose fields change every step costs little).
    next_try: Vec<u64>,
    backoff: Vec<u64>,
    /// Mechanism calls replaced since the last initialisation.
    replayed: u64,
}

/// What one call of a type's `current` adds, per instance (one term per array
/// at the instance's node, as the mechanism ABI requires).
#[derive(Default, Clone)]
struct Contrib {
    rhs: Vec<f64>,
    d: Vec<f64>,
    /// Per ion slot, per instance.
    ion_i: Vec<Vec<f64>>,
    ion_didv: Vec<Vec<f64>>,
}

/// What a recorded trace samples.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ProbeTarget {
    Time,
    Node(usize),
    Field {
        ti: usize,
        f: usize,
        inst: usize,
    },
    Ion {
        ion: usize,
        what: IonVar,
        node: usize,
    },
}

/// A recorded trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeId(pub usize);

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
        };
        sim.refresh_couplings();
        sim
    }

    /// Write the couplings' constant matrix coefficients.
    fn refresh_couplings(&mut self) {
        for (k, &(i, j, g)) in self.couplings.iter().enumerate() {
            self.matrix.extra[2 * k] = (i, j, -(g * 1e2 / self.disc.area[i]));
            self.matrix.extra[2 * k + 1] = (j, i, -(g * 1e2 / self.disc.area[j]));
        }
    }

    /// Change an implicit coupling's conductance (µS).
    pub fn set_coupling(&mut self, c: CouplingId, g: f64) -> Result<(), SimError> {
        if !(g >= 0.0 && g.is_finite()) {
            return Err(SimError::BadSetting {
                what: "coupling conductance (µS)".into(),
                expected: "a finite number ≥ 0".into(),
                value: g,
            });
        }
        self.couplings
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("coupling {}", c.0)))?
            .2 = g;
        self.refresh_couplings();
        Ok(())
    }

    // ------------------------------------------------------------------ access

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

    /// How many of [`Simulation::steps`] were skipped as stationary.
    pub fn skipped_steps(&self) -> u64 {
        self.quiet.skipped
    }

    /// How many mechanism calls (`current` or `state` of one type in one
    /// step) were replaced by their recorded effect since the last
    /// initialisation (see [`SimOptions::skip_stationary`]).
    pub fn replayed_calls(&self) -> u64 {
        self.freeze.replayed
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

    /// Set the temperature (takes effect at the next step; tables rebuild).
    pub fn set_celsius(&mut self, celsius: f64) -> Result<(), SimError> {
        let mut o = self.opts.clone();
        o.celsius = celsius;
        o.check()?;
        self.opts = o;
        self.packs_stale = true;
        Ok(())
    }

    /// Change the time step (takes effect at the next step).
    pub fn set_dt(&mut self, dt: f64) -> Result<(), SimError> {
        let mut o = self.opts.clone();
        o.dt = dt;
        o.check()?;
        self.opts = o;
        self.packs_stale = true;
        Ok(())
    }

    fn loc_point(&self, p: PointId) -> Result<(usize, u32), SimError> {
        self.point_loc
            .get(p.0)
            .copied()
            .ok_or_else(|| SimError::BadHandle(format!("point process {}", p.0)))
    }

    fn loc_art(&self, a: ArtId) -> Result<(usize, u32), SimError> {
        self.art_loc
            .get(a.0)
            .copied()
            .ok_or_else(|| SimError::BadHandle(format!("artificial cell {}", a.0)))
    }

    fn field_of(&self, ti: usize, name: &str) -> Result<usize, SimError> {
        let info = &self.types[ti].ty.info;
        info.field_index(name)
            .ok_or_else(|| SimError::UnknownField {
                mech: info.name.clone(),
                what: "variable",
                name: name.to_string(),
                known: info
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn set_field_at(
        &mut self,
        ti: usize,
        inst: u32,
        name: &str,
        value: f64,
    ) -> Result<(), SimError> {
        let info = &self.types[ti].ty.info;
        let f = param_index(&self.types[ti].ty, name)?;
        if !value.is_finite() {
            return Err(SimError::BadSetting {
                what: format!("{}.{}", info.name, name),
                expected: "a finite number".into(),
                value,
            });
        }
        let ts = &mut self.types[ti];
        let n = ts.n;
        ts.data0[f * n + inst as usize] = value;
        ts.data[f * n + inst as usize] = value;
        self.thaw_all();
        Ok(())
    }

    /// Set a parameter of a point process (kept across initialisations).
    pub fn set_point_param(&mut self, p: PointId, name: &str, value: f64) -> Result<(), SimError> {
        let (ti, i) = self.loc_point(p)?;
        self.set_field_at(ti, i, name, value)
    }

    /// Set a parameter of an artificial cell (kept across initialisations).
    pub fn set_artificial_param(
        &mut self,
        a: ArtId,
        name: &str,
        value: f64,
    ) -> Result<(), SimError> {
        let (ti, i) = self.loc_art(a)?;
        self.set_field_at(ti, i, name, value)
    }

    /// Read any variable of a point process.
    pub fn point_value(&self, p: PointId, name: &str) -> Result<f64, SimError> {
        let (ti, i) = self.loc_point(p)?;
        let f = self.field_of(ti, name)?;
        Ok(self.types[ti].get(f, i as usize))
    }

    /// Read any variable of an artificial cell.
    pub fn artificial_value(&self, a: ArtId, name: &str) -> Result<f64, SimError> {
        let (ti, i) = self.loc_art(a)?;
        let f = self.field_of(ti, name)?;
        Ok(self.types[ti].get(f, i as usize))
    }

    /// Give an artificial cell its event-time vector (VecStim's `play`).
    pub fn set_artificial_vector(&mut self, a: ArtId, v: Vec<f64>) -> Result<(), SimError> {
        let (ti, i) = self.loc_art(a)?;
        if !self.types[ti].ty.info.instance_vector {
            return Err(SimError::WrongKind {
                mech: self.types[ti].ty.info.name.clone(),
                found: "mechanism without an instance vector",
                expected: "mechanism that plays a vector (VecStim)",
            });
        }
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(SimError::BadSetting {
                what: "event time".into(),
                expected: "finite numbers".into(),
                value: *bad,
            });
        }
        let ts = &mut self.types[ti];
        ts.vecs[i as usize] = v;
        ts.refresh_ptrs();
        self.packs_stale = true;
        Ok(())
    }

    /// Set a global of a mechanism type present in the simulation.
    pub fn set_global(&mut self, mech: &str, name: &str, value: f64) -> Result<(), SimError> {
        let ti = *self
            .mech_index
            .get(mech)
            .ok_or_else(|| SimError::UnknownMechanism {
                name: mech.to_string(),
                known: self.type_order().join(", "),
            })?;
        let info = &self.types[ti].ty.info;
        let k = info
            .global_index(name)
            .ok_or_else(|| SimError::UnknownField {
                mech: mech.to_string(),
                what: "global",
                name: name.to_string(),
                known: info
                    .globals
                    .iter()
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        self.types[ti].globals[k] = value;
        self.thaw_all();
        Ok(())
    }

    /// Set weight `k` of a connection (weight 0 is kept across initialisations).
    pub fn set_weight(&mut self, c: ConnId, k: usize, value: f64) -> Result<(), SimError> {
        let conn = self
            .conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?;
        if k >= conn.weights.len() {
            return Err(SimError::BadHandle(format!(
                "weight {k} of a connection with {} weights",
                conn.weights.len()
            )));
        }
        conn.weights[k] = value;
        if k == 0 {
            conn.weight0 = value;
        }
        Ok(())
    }

    /// Set a connection's delay (ms).
    pub fn set_delay(&mut self, c: ConnId, delay: f64) -> Result<(), SimError> {
        if !(delay >= 0.0 && delay.is_finite()) {
            return Err(SimError::BadSetting {
                what: "connection delay".into(),
                expected: "a finite number ≥ 0 ms".into(),
                value: delay,
            });
        }
        self.conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .delay = delay;
        Ok(())
    }

    /// Switch a connection on or off (NEURON's `NetCon.active`).
    pub fn set_active(&mut self, c: ConnId, on: bool) -> Result<(), SimError> {
        self.conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .active = on;
        Ok(())
    }

    /// Read a connection's weight vector (its per-connection state included).
    pub fn weights(&self, c: ConnId) -> Result<&[f64], SimError> {
        Ok(&self
            .conns
            .get(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .weights)
    }

    /// Record the spike times a source sends (NEURON's `NetCon.record`); cleared
    /// at every initialisation.
    pub fn record_spikes(&mut self, s: SourceId) -> Result<(), SimError> {
        self.presyns
            .get_mut(s.0)
            .ok_or_else(|| SimError::BadHandle(format!("source {}", s.0)))?
            .record = true;
        Ok(())
    }

    /// The spike times a source sent since the last initialisation.
    pub fn spikes(&self, s: SourceId) -> Result<&[f64], SimError> {
        Ok(&self
            .presyns
            .get(s.0)
            .ok_or_else(|| SimError::BadHandle(format!("source {}", s.0)))?
            .spikes)
    }

    // --------------------------------------------------------------- recording

    fn add_target(&mut self, p: ProbeTarget) -> ProbeId {
        self.probes.push(p);
        self.traces.push(Vec::new());
        ProbeId(self.probes.len() - 1)
    }

    /// Record time.
    pub fn record_time(&mut self) -> ProbeId {
        self.add_target(ProbeTarget::Time)
    }

    /// Record a variable of a point process (`i`, `g`, `record_Pr`, ...).
    pub fn record_point(&mut self, p: PointId, var: &str) -> Result<ProbeId, SimError> {
        let (ti, i) = self.loc_point(p)?;
        let f = self.field_of(ti, var)?;
        Ok(self.add_target(ProbeTarget::Field {
            ti,
            f,
            inst: i as usize,
        }))
    }

    /// Record a variable of an artificial cell.
    pub fn record_artificial(&mut self, a: ArtId, var: &str) -> Result<ProbeId, SimError> {
        let (ti, i) = self.loc_art(a)?;
        let f = self.field_of(ti, var)?;
        Ok(self.add_target(ProbeTarget::Field {
            ti,
            f,
            inst: i as usize,
        }))
    }

    /// Record a range variable at `(cell, section, x)` by its NEURON name: `v`,
    /// `<var>_<mechanism>` (`m_hh`, `i_pas`), or an ion variable (`ina`, `ena`,
    /// `cai`, `cao`).
    pub fn record(
        &mut self,
        cell: usize,
        section: &str,
        x: f64,
        var: &str,
    ) -> Result<ProbeId, SimError> {
        let t = self.resolve(cell, section, x, var)?;
        Ok(self.add_target(t))
    }

    /// The value now of a range variable (see [`Simulation::record`]).
    pub fn value(&self, cell: usize, section: &str, x: f64, var: &str) -> Result<f64, SimError> {
        let t = self.resolve(cell, section, x, var)?;
        Ok(self.sample(t))
    }

    fn resolve(
        &self,
        cell: usize,
        section: &str,
        x: f64,
        var: &str,
    ) -> Result<ProbeTarget, SimError> {
        let place = format!("{section}({x})");
        let c = self
            .cells
            .get(cell)
            .ok_or_else(|| SimError::BadHandle(format!("cell {cell}")))?;
        let si = c
            .section_index(section)
            .ok_or_else(|| SimError::UnknownSection {
                cell: c.name.clone(),
                section: section.to_string(),
                known: c.section_names(),
            })?;
        if !(0.0..=1.0).contains(&x) {
            return Err(SimError::BadLocation {
                section: section.to_string(),
                x,
            });
        }
        let sn = self.disc.cells[cell].sections[si];
        let node = sn.node_exact(x);
        if var == "v" {
            return Ok(ProbeTarget::Node(node));
        }
        let membrane = x > 0.0 && x < 1.0;
        if let Some((ion, what)) = parse_ion_var(var, self.ions.iter().map(|s| s.name.as_str())) {
            let k = self.ions.iter().position(|s| s.name == ion).unwrap();
            return Ok(ProbeTarget::Ion { ion: k, what, node });
        }
        // <field>_<mech>: the mechanism must be inserted in this section.
        for m in &c.sections[si].mechanisms {
            let ty = match self.mech_index.get(&m.name) {
                Some(&ti) => ti,
                None => continue,
            };
            let suffix = format!("_{}", self.types[ty].ty.info.name);
            if let Some(field) = var.strip_suffix(&suffix) {
                if !membrane {
                    return Err(SimError::BadProbe {
                        var: var.to_string(),
                        place,
                        reason: "section ends have no membrane; use 0 < x < 1".into(),
                    });
                }
                let f = self.field_of(ty, field).map_err(|e| SimError::BadProbe {
                    var: var.to_string(),
                    place: place.clone(),
                    reason: e.to_string(),
                })?;
                let inst = self.types[ty]
                    .nodes
                    .iter()
                    .position(|&nd| nd as usize == node)
                    .expect("density instance at every membrane node");
                return Ok(ProbeTarget::Field { ti: ty, f, inst });
            }
        }
        let mechs: Vec<&str> = c.sections[si]
            .mechanisms
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        Err(SimError::BadProbe {
            var: var.to_string(),
            place,
            reason: format!(
                "expected `v`, an ion variable ({}) or <variable>_<mechanism> for a mechanism in this section ({})",
                self.ions
                    .iter()
                    .map(|s| format!("e{0}, i{0}, {0}i, {0}o", s.name))
                    .collect::<Vec<_>>()
                    .join("; "),
                if mechs.is_empty() { "none".to_string() } else { mechs.join(", ") }
            ),
        })
    }

    fn sample(&self, p: ProbeTarget) -> f64 {
        match p {
            ProbeTarget::Time => self.t,
            ProbeTarget::Node(k) => self.v[k],
            ProbeTarget::Field { ti, f, inst } => self.types[ti].get(f, inst),
            ProbeTarget::Ion { ion, what, node } => self.ions[ion].get(what, node),
        }
    }

    fn record_all(&mut self) {
        for (k, &p) in self.probes.iter().enumerate() {
            let x = self.sample(p);
            self.traces[k].push(x);
        }
    }

    /// A recorded trace (one sample at t = 0, then one per step).
    pub fn trace(&self, p: ProbeId) -> &[f64] {
        &self.traces[p.0]
    }

    /// Move a recorded trace out of the simulation (it is left empty until the
    /// next initialisation records again).
    pub fn take_trace(&mut self, p: ProbeId) -> Vec<f64> {
        std::mem::take(&mut self.traces[p.0])
    }

    // ------------------------------------------------------- mechanism calls

    fn ppack(&mut self, ti: usize, t: f64) -> PPack {
        let ts = &mut self.types[ti];
        PPack {
            n: ts.n as u32,
            n_nodes: self.v.len() as u32,
            n_fields: ts.ty.info.fields.len() as u32,
            n_globals: ts.globals.len() as u32,
            n_ions: ts.ion_states.len() as u32,
            scratch_len: ts.scratch.len() as u32,
            n_weights: ts.ty.info.weights.len() as u32,
            node_index: if ts.nodes.is_empty() {
                std::ptr::null()
            } else {
                ts.nodes.as_ptr()
            },
            v: self.v.as_ptr(),
            rhs: self.rhs.as_mut_ptr(),
            d: self.d.as_mut_ptr(),
            area: self.disc.area.as_ptr(),
            t,
            dt: self.opts.dt,
            celsius: self.opts.celsius,
            secondorder: self.opts.secondorder,
            fields: ts.field_ptrs.as_ptr(),
            globals: ts.globals.as_mut_ptr(),
            scratch: ts.scratch.as_mut_ptr(),
            ions: ts.ion_states.as_ptr(),
            host: &*self.host.api,
            inst_vec: if ts.ty.info.instance_vector {
                ts.vec_ptrs.as_ptr()
            } else {
                std::ptr::null()
            },
            inst_vec_len: if ts.ty.info.instance_vector {
                ts.vec_lens.as_ptr()
            } else {
                std::ptr::null()
            },
        }
    }

    /// Rebuild the per-step packs if anything they point to or carry changed.
    fn refresh_packs(&mut self) {
        if !self.packs_stale {
            return;
        }
        self.stepped = (0..self.types.len())
            .filter(|&ti| self.types[ti].n > 0 && self.types[ti].ty.info.kind != Kind::Artificial)
            .collect();
        self.packs = (0..self.stepped.len())
            .map(|k| self.ppack(self.stepped[k], self.t))
            .collect();
        self.packs_stale = false;
        self.setup_freeze();
    }

    /// Which stepped types may be frozen; nothing frozen yet.
    fn setup_freeze(&mut self) {
        use mech_api::abi::{ION_READ_I, ION_WRITE_CI, ION_WRITE_CO, ION_WRITE_E};
        let nk = self.stepped.len();
        let mut written = vec![false; self.ions.len()];
        for &ti in &self.stepped {
            let ts = &self.types[ti];
            for (slot, iu) in ts.ty.info.ions.iter().enumerate() {
                if iu.flags & (ION_WRITE_CI | ION_WRITE_CO | ION_WRITE_E) != 0 {
                    written[ts.ion_slots[slot]] = true;
                }
            }
        }
        let eligible =
            self.stepped
                .iter()
                .map(|&ti| {
                    let ts = &self.types[ti];
                    let info = &ts.ty.info;
                    let ions_ok = info.ions.iter().enumerate().all(|(slot, iu)| {
                        iu.flags & ION_READ_I == 0 && !written[ts.ion_slots[slot]]
                    });
                    let mut nodes = ts.nodes.clone();
                    nodes.sort_unstable();
                    nodes.dedup();
                    ts.ty.has_time_horizon() && ions_ok && nodes.len() == ts.nodes.len()
                })
                .collect();
        let mut k_of = vec![usize::MAX; self.types.len()];
        for (k, &ti) in self.stepped.iter().enumerate() {
            k_of[ti] = k;
        }
        self.freeze = Freeze {
            eligible,
            frozen: vec![false; nk],
            horizon: vec![f64::INFINITY; nk],
            snap: vec![Vec::new(); nk],
            snap_ok: vec![false; nk],
            contrib: vec![Contrib::default(); nk],
            k_of,
            hit: vec![false; self.types.len()],
            moved: vec![true; self.v.len()],
            any_frozen: false,
            next_try: vec![0; nk],
            backoff: vec![1; nk],
            replayed: self.freeze.replayed,
        };
    }

    /// Call every frozen type for real again.
    fn thaw_all(&mut self) {
        self.freeze.frozen.iter_mut().for_each(|f| *f = false);
        self.freeze.snap_ok.iter_mut().for_each(|f| *f = false);
        self.freeze.next_try.iter_mut().for_each(|f| *f = 0);
        self.freeze.backoff.iter_mut().for_each(|f| *f = 1);
        self.freeze.any_frozen = false;
    }

    fn thaw(&mut self, k: usize) {
        self.freeze.frozen[k] = false;
        self.freeze.snap_ok[k] = false;
    }

    /// Whether a voltage moved at one of stepped type `k`'s nodes this step.
    fn nodes_moved(&self, k: usize) -> bool {
        let ts = &self.types[self.stepped[k]];
        ts.nodes.iter().any(|&nd| self.freeze.moved[nd as usize])
    }

    /// Add a frozen type's recorded contributions, in the order its `current`
    /// would have added them.
    fn replay_current(&mut self, k: usize) {
        let ts = &self.types[self.stepped[k]];
        let c = &self.freeze.contrib[k];
        for (inst, &nd) in ts.nodes.iter().enumerate() {
            let nd = nd as usize;
            self.rhs[nd] += c.rhs[inst];
            self.d[nd] += c.d[inst];
        }
        for (slot, &ion) in ts.ion_slots.iter().enumerate() {
            let ion = &mut self.ions[ion];
            for (inst, &nd) in ts.nodes.iter().enumerate() {
                let nd = nd as usize;
                ion.i[nd] += c.ion_i[slot][inst];
                ion.didv[nd] += c.ion_didv[slot][inst];
            }
        }
    }

    /// Record what stepped type `k`'s `current` adds, by calling it once on
    /// zeroed matrix and ion-current arrays (it also rewrites its own assigned
    /// fields with the values they hold). Starting from zero, `0 − x` and
    /// `0 + x` give back each term exactly, and adding them later rounds as the
    /// original subtraction or addition did (the sums never hold −0).
    fn capture(&mut self, k: usize, t: f64) -> Result<(), SimError> {
        let ti = self.stepped[k];
        let nn = self.v.len();
        let mut rhs = vec![0.0; nn];
        let mut d = vec![0.0; nn];
        let nslots = self.types[ti].ion_states.len();
        let mut ion_i = vec![vec![0.0; nn]; nslots];
        let mut ion_didv = vec![vec![0.0; nn]; nslots];
        let states: Vec<IonState> = self.types[ti]
            .ion_states
            .iter()
            .enumerate()
            .map(|(slot, s)| IonState {
                i: ion_i[slot].as_mut_ptr(),
                didv: ion_didv[slot].as_mut_ptr(),
                ..*s
            })
            .collect();
        let mut pp = self.ppack(ti, t);
        pp.rhs = rhs.as_mut_ptr();
        pp.d = d.as_mut_ptr();
        pp.ions = states.as_ptr();
        // SAFETY: pp describes storage owned by self, except rhs, d and the
        // ionic currents, which point to the local arrays of n_nodes doubles.
        let st = unsafe { self.types[ti].ty.call_current(&mut pp) };
        if st != STATUS_OK {
            return self.status(ti, st, "BREAKPOINT");
        }
        let nodes: Vec<usize> = self.types[ti].nodes.iter().map(|&n| n as usize).collect();
        self.freeze.contrib[k] = Contrib {
            rhs: nodes.iter().map(|&n| rhs[n]).collect(),
            d: nodes.iter().map(|&n| d[n]).collect(),
            ion_i: ion_i
                .iter()
                .map(|a| nodes.iter().map(|&n| a[n]).collect())
                .collect(),
            ion_didv: ion_didv
                .iter()
                .map(|a| nodes.iter().map(|&n| a[n]).collect())
                .collect(),
        };
        Ok(())
    }

    /// After a step: freeze the eligible types that reproduced their fields
    /// over a step in which their nodes did not move and no event reached them.
    /// Returns whether every type that can be frozen is now frozen.
    fn detect_frozen(&mut self, midpoint: f64) -> Result<bool, SimError> {
        let dt = self.opts.dt;
        let mut next_end = self.t;
        next_end += 0.5 * dt;
        next_end += 0.5 * dt;
        let mut all = true;
        for k in 0..self.stepped.len() {
            if self.freeze.frozen[k] || !self.freeze.eligible[k] {
                continue;
            }
            all = false;
            let ti = self.stepped[k];
            if self.freeze.hit[ti] || self.nodes_moved(k) {
                self.freeze.snap_ok[k] = false;
                self.freeze.next_try[k] = 0;
                self.freeze.backoff[k] = 1;
                continue;
            }
            if !self.freeze.snap_ok[k] && self.steps < self.freeze.next_try[k] {
                continue;
            }
            let data = &self.types[ti].data;
            let same = self.freeze.snap_ok[k]
                && self.freeze.snap[k].len() == data.len()
                && self.freeze.snap[k]
                    .iter()
                    .zip(data)
                    .all(|(a, b)| *a == b.to_bits());
            if !same {
                if self.freeze.snap_ok[k] {
                    // Changed since the last step: try again later.
                    self.freeze.snap_ok[k] = false;
                    self.freeze.next_try[k] = self.steps + self.freeze.backoff[k];
                    self.freeze.backoff[k] = (self.freeze.backoff[k] * 2).min(64);
                } else {
                    let snap = &mut self.freeze.snap[k];
                    snap.clear();
                    snap.extend(data.iter().map(|x| x.to_bits()));
                    self.freeze.snap_ok[k] = true;
                }
                continue;
            }
            match self.type_horizon(ti, midpoint)? {
                None => self.freeze.eligible[k] = false,
                Some(h) if next_end < h => {
                    self.capture(k, midpoint)?;
                    self.freeze.horizon[k] = h;
                    self.freeze.frozen[k] = true;
                    self.freeze.any_frozen = true;
                }
                Some(_) => {}
            }
        }
        Ok(all)
    }

    /// Call `current` (BREAKPOINT) of every stepped type at time `t`.
    fn call_currents(&mut self, t: f64) -> Result<(), SimError> {
        self.call_stepped(t, true)
    }

    /// Call `state` of every stepped type at time `t` (frozen ones are skipped:
    /// they would rewrite the values they hold).
    fn call_states(&mut self, t: f64) -> Result<(), SimError> {
        self.call_stepped(t, false)
    }

    fn call_stepped(&mut self, t: f64, current: bool) -> Result<(), SimError> {
        for k in 0..self.stepped.len() {
            if self.freeze.any_frozen && self.freeze.frozen[k] {
                if current {
                    self.replay_current(k);
                }
                self.freeze.replayed += 1;
                continue;
            }
            let pp = &mut self.packs[k];
            pp.t = t;
            let ty = &self.types[self.stepped[k]].ty;
            // SAFETY: the pack describes storage owned by self (rebuilt whenever
            // a pointer in it may have changed).
            let st = unsafe {
                if current {
                    ty.call_current(pp)
                } else {
                    ty.call_state(pp)
                }
            };
            if st != STATUS_OK {
                let what = if current {
                    "BREAKPOINT"
                } else {
                    "state update"
                };
                return self.status(self.stepped[k], st, what);
            }
        }
        Ok(())
    }

    fn status(&mut self, ti: usize, st: i32, what: &str) -> Result<(), SimError> {
        if st == STATUS_OK {
            return Ok(());
        }
        let msg = self
            .host
            .outbox
            .error
            .take()
            .unwrap_or_else(|| format!("{what} failed with status {st}"));
        Err(SimError::Mechanism {
            mech: self.types[ti].ty.info.name.clone(),
            message: msg,
        })
    }

    /// Move what a mechanism call queued into the event queue.
    fn drain_outbox(&mut self, ti: usize) -> Result<(), SimError> {
        if self.host.outbox.sends.is_empty() && self.host.outbox.spikes.is_empty() {
            return Ok(());
        }
        let sends = std::mem::take(&mut self.host.outbox.sends);
        for (inst, te, flag, w) in &sends {
            if !te.is_finite() {
                return Err(SimError::Mechanism {
                    mech: self.types[ti].ty.info.name.clone(),
                    message: format!("net_send to a non-finite time {te}"),
                });
            }
            self.queue.push(
                *te,
                EventKind::SelfEvent {
                    ti,
                    inst: *inst,
                    flag: *flag,
                    weights: *w,
                },
            );
        }
        let mut sends = sends;
        sends.clear();
        self.host.outbox.sends = sends;
        let spikes = std::mem::take(&mut self.host.outbox.spikes);
        for (inst, ts) in &spikes {
            if let Some(ps) = self.mech_source[ti].get(*inst as usize).copied().flatten() {
                self.presyn_send(ps, *ts);
            }
        }
        let mut spikes = spikes;
        spikes.clear();
        self.host.outbox.spikes = spikes;
        Ok(())
    }

    fn presyn_send(&mut self, ps: usize, ts: f64) {
        let p = &mut self.presyns[ps];
        if p.record {
            p.spikes.push(ts);
        }
        for k in 0..self.presyns[ps].conns.len() {
            let c = self.presyns[ps].conns[k];
            let conn = &self.conns[c];
            if conn.active && conn.target.is_some() {
                let te = ts + conn.delay;
                self.queue.push(te, EventKind::NetCon(c));
            }
        }
    }

    fn call_init(&mut self, ti: usize) -> Result<(), SimError> {
        let mut pp = self.ppack(ti, self.t);
        // SAFETY: pp describes storage owned by self, valid during the call.
        let st = unsafe { self.types[ti].ty.call_init(&mut pp) };
        self.status(ti, st, "INITIAL")?;
        self.drain_outbox(ti)
    }

    /// NEURON's `nrn_wrote_conc` after the INITIAL of a type that writes
    /// concentrations: reversal potentials follow the new concentrations.
    fn wrote_conc(&mut self, ti: usize) {
        use mech_api::abi::{ION_WRITE_CI, ION_WRITE_CO};
        let celsius = self.opts.celsius;
        let ts = &self.types[ti];
        for (slot, iu) in ts.ty.info.ions.iter().enumerate() {
            if iu.flags & (ION_WRITE_CI | ION_WRITE_CO) == 0 {
                continue;
            }
            let ion = &mut self.ions[ts.ion_slots[slot]];
            for &node in &ts.nodes {
                ion.wrote_conc(node as usize, celsius);
            }
        }
    }

    fn deliver(&mut self, til: f64) -> Result<(), SimError> {
        while let Some(ev) = self.queue.pop_until(til) {
            let te = ev.t;
            let (ti, inst, w, flag) = match ev.kind {
                EventKind::NetCon(c) => {
                    let conn = &mut self.conns[c];
                    let (ti, inst) = match conn.target {
                        Some(x) => x,
                        None => continue,
                    };
                    (ti, inst, conn.weights.as_mut_ptr(), 0.0)
                }
                EventKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights,
                } => (ti, inst, weights, flag),
            };
            let mut pp = self.ppack(ti, te);
            // SAFETY: pp describes storage owned by self; `w` points to a
            // connection's weight vector (boxed, never reallocated) or is null
            // for self events sent outside NET_RECEIVE.
            let w = if w.is_null() {
                self.spare_weights.iter_mut().for_each(|x| *x = 0.0);
                self.spare_weights.as_mut_ptr()
            } else {
                w
            };
            self.quiet.delivered += 1;
            if let Some(h) = self.freeze.hit.get_mut(ti) {
                *h = true;
                let k = self.freeze.k_of[ti];
                if k != usize::MAX && self.freeze.frozen[k] {
                    self.thaw(k);
                }
            }
            let st = unsafe { self.types[ti].ty.call_net_receive(&mut pp, inst, w, flag) };
            self.status(ti, st, "NET_RECEIVE")?;
            self.drain_outbox(ti)?;
        }
        Ok(())
    }

    fn transfer(&mut self) {
        for j in 0..self.transfers.len() {
            let tr = self.transfers[j];
            let v = self.v[tr.source_node];
            if self.types[tr.ti].get(tr.field, tr.inst as usize).to_bits() != v.to_bits() {
                if let Some(&k) = self.freeze.k_of.get(tr.ti) {
                    if k != usize::MAX && self.freeze.frozen[k] {
                        self.thaw(k);
                    }
                }
            }
            self.types[tr.ti].set(tr.field, tr.inst as usize, v);
        }
    }

    fn setup_tree_matrix(&mut self) -> Result<(), SimError> {
        self.rhs.iter_mut().for_each(|x| *x = 0.0);
        self.d.iter_mut().for_each(|x| *x = 0.0);
        let celsius = self.opts.celsius;
        for ion in self.ions.iter_mut() {
            ion.ion_cur(celsius);
        }
        self.refresh_packs();
        self.call_currents(self.t)?;
        for &(i, j, g) in &self.couplings {
            let (fi, fj) = (g * 1e2 / self.disc.area[i], g * 1e2 / self.disc.area[j]);
            let dv = self.v[j] - self.v[i];
            self.rhs[i] += fi * dv;
            self.rhs[j] -= fj * dv;
            self.d[i] += fi;
            self.d[j] += fj;
        }
        let (a, b, par) = (&self.matrix.a, &self.matrix.b, &self.matrix.parent);
        let v = &self.v;
        let rhs = &mut self.rhs;
        for i in self.matrix.ncell..v.len() {
            let pi = par[i];
            let dv = v[pi] - v[i];
            rhs[i] -= b[i] * dv;
            rhs[pi] += a[i] * dv;
        }
        let cj = if self.opts.secondorder > 0 {
            2.0 / self.opts.dt
        } else {
            1.0 / self.opts.dt
        };
        let cfac = 0.001 * cj;
        let d = &mut self.d;
        for (k, &i) in self.cap_nodes.iter().enumerate() {
            d[i] += cfac * self.cap_cm[k];
        }
        for i in self.matrix.ncell..v.len() {
            d[i] -= b[i];
            d[par[i]] -= a[i];
        }
        Ok(())
    }

    /// NEURON's `finitialize(v_init)`: t = 0, every node's v = `v_init`, INITIAL
    /// blocks, NET_RECEIVE INITIAL blocks, events at t ≤ 0, one matrix assembly so
    /// assigned variables are consistent, and the t = 0 sample of every trace.
    pub fn finitialize(&mut self, v_init: f64) -> Result<(), SimError> {
        if !v_init.is_finite() {
            return Err(SimError::BadSetting {
                what: "v_init".into(),
                expected: "a finite voltage".into(),
                value: v_init,
            });
        }
        self.v.iter_mut().for_each(|x| *x = v_init);
        self.init_common()
    }

    /// `finitialize()` without an argument: keep the current voltages.
    pub fn finitialize_keep_v(&mut self) -> Result<(), SimError> {
        self.init_common()
    }

    fn init_common(&mut self) -> Result<(), SimError> {
        self.t = 0.0;
        self.steps = 0;
        self.quiet.valid = false;
        self.quiet.stationary = false;
        self.quiet.skipped = 0;
        self.thaw_all();
        self.freeze.replayed = 0;
        self.queue.clear();
        let celsius = self.opts.celsius;
        for ion in self.ions.iter_mut() {
            ion.reset();
            ion.ion_init(celsius);
        }
        for ts in self.types.iter_mut() {
            ts.data.copy_from_slice(&ts.data0);
        }
        self.transfer();
        for ti in 0..self.types.len() {
            if self.types[ti].ty.info.kind != Kind::Artificial && self.types[ti].n > 0 {
                self.call_init(ti)?;
                self.wrote_conc(ti);
            }
        }
        for ti in 0..self.types.len() {
            if self.types[ti].ty.info.kind == Kind::Artificial && self.types[ti].n > 0 {
                self.call_init(ti)?;
            }
        }
        for p in self.presyns.iter_mut() {
            p.flag = false;
            p.spikes.clear();
        }
        for c in 0..self.conns.len() {
            let w0 = self.conns[c].weight0;
            self.conns[c].weights[0] = w0;
            let target = self.conns[c].target;
            match target {
                Some((ti, inst)) if self.types[ti].ty.has_net_init() => {
                    let w = self.conns[c].weights.as_mut_ptr();
                    let mut pp = self.ppack(ti, self.t);
                    // SAFETY: as in `deliver`.
                    let st = unsafe { self.types[ti].ty.call_net_init(&mut pp, inst, w) };
                    self.status(ti, st, "NET_RECEIVE INITIAL")?;
                    self.drain_outbox(ti)?;
                }
                _ => {
                    for w in self.conns[c].weights.iter_mut().skip(1) {
                        *w = 0.0;
                    }
                }
            }
        }
        self.deliver(self.t)?;
        self.setup_tree_matrix()?;
        for tr in self.traces.iter_mut() {
            tr.clear();
        }
        self.record_all();
        self.deliver(self.t)?;
        self.initialized = true;
        Ok(())
    }

    fn check_thresholds(&mut self) {
        let t = self.t;
        for ps in 0..self.presyns.len() {
            if let SourceKind::Voltage { node, threshold } = self.presyns[ps].kind {
                let val = self.v[node] - threshold;
                if val > 0.0 {
                    if !self.presyns[ps].flag {
                        self.presyns[ps].flag = true;
                        self.presyn_send(ps, t + 1e-10);
                    }
                } else {
                    self.presyns[ps].flag = false;
                }
            }
        }
    }

    /// One fixed step (NEURON's `fadvance`).
    pub fn fadvance(&mut self) -> Result<(), SimError> {
        if !self.initialized {
            self.finitialize(-65.0)?;
        }
        let dt = self.opts.dt;
        self.quiet.delivered = 0;
        let freezing = self.opts.skip_stationary;
        if freezing {
            self.refresh_packs();
            self.freeze.hit.iter_mut().for_each(|h| *h = false);
        }
        self.check_thresholds();
        self.deliver(self.t + 0.5 * dt)?;
        if self.freeze.any_frozen {
            // A frozen type's behaviour in t is promised only up to its horizon.
            let mut end = self.t;
            end += 0.5 * dt;
            end += 0.5 * dt;
            for k in 0..self.stepped.len() {
                if self.freeze.frozen[k] && end >= self.freeze.horizon[k] {
                    self.thaw(k);
                }
            }
        }
        self.t += 0.5 * dt;
        let midpoint = self.t;
        self.setup_tree_matrix()?;
        self.solver.solve(&self.matrix, &mut self.d, &mut self.rhs);
        if self.opts.secondorder == 2 {
            for ion in self.ions.iter_mut() {
                for (k, x) in ion.i.iter_mut().enumerate() {
                    *x += ion.didv[k] * self.rhs[k];
                }
            }
        }
        // Whether any voltage changed, bitwise (-0 to +0 counts), per node.
        let mut moved = 0u64;
        let factor = if self.opts.secondorder > 0 { 2.0 } else { 1.0 };
        let track = freezing && self.freeze.moved.len() == self.v.len();
        for (i, (v, dv)) in self.v.iter_mut().zip(&self.rhs).enumerate() {
            let old = *v;
            if factor == 2.0 {
                *v += 2.0 * dv;
            } else {
                *v += dv;
            }
            let m = old.to_bits() ^ v.to_bits();
            moved |= m;
            if track {
                self.freeze.moved[i] = m != 0;
            }
        }
        self.t += 0.5 * dt;
        self.transfer();
        self.refresh_packs();
        if self.freeze.any_frozen {
            let mut any = false;
            for k in 0..self.stepped.len() {
                if self.freeze.frozen[k] {
                    if self.nodes_moved(k) {
                        self.thaw(k);
                    } else {
                        any = true;
                    }
                }
            }
            self.freeze.any_frozen = any;
        }
        self.call_states(self.t)?;
        self.steps += 1;
        self.record_all();
        self.deliver(self.t)?;
        if freezing {
            // Whole steps can repeat only once every type has settled; until
            // then the (costly) comparison of the whole state is not tried.
            let settled = !track || self.detect_frozen(midpoint)?;
            if settled || moved != 0 {
                self.check_stationary(moved == 0, midpoint);
            } else {
                self.quiet.stationary = false;
                self.quiet.valid = false;
            }
        }
        Ok(())
    }

    /// Write the state that the stationarity test compares into `out`.
    fn state_bits(&self, out: &mut Vec<u64>) {
        out.clear();
        out.extend(self.v.iter().map(|x| x.to_bits()));
        for ts in &self.types {
            if ts.ty.info.kind != Kind::Artificial {
                out.extend(ts.data.iter().map(|x| x.to_bits()));
            }
        }
        for ion in &self.ions {
            for a in [&ion.e, &ion.i, &ion.didv, &ion.ci, &ion.co] {
                out.extend(a.iter().map(|x| x.to_bits()));
            }
        }
        out.extend(self.presyns.iter().map(|p| p.flag as u64));
    }

    /// After a step: keep the snapshot of a step that left the voltages alone,
    /// and mark the simulation stationary when the next such step reproduces it
    /// exactly without delivering an event.
    fn check_stationary(&mut self, v_unchanged: bool, midpoint: f64) {
        self.quiet.stationary = false;
        if !v_unchanged || self.quiet.delivered > 0 {
            self.quiet.valid = false;
            return;
        }
        let mut now = std::mem::take(&mut self.quiet.now);
        self.state_bits(&mut now);
        if self.quiet.valid && now == self.quiet.snapshot {
            self.quiet.stationary = true;
            self.quiet.midpoint = midpoint;
        }
        std::mem::swap(&mut self.quiet.snapshot, &mut now);
        self.quiet.now = now;
        self.quiet.valid = true;
    }

    /// Type `ti`'s time horizon from `from` (`None`: it cannot tell).
    fn type_horizon(&mut self, ti: usize, from: f64) -> Result<Option<f64>, SimError> {
        let mut pp = self.ppack(ti, from);
        // SAFETY: pp describes storage owned by self.
        match unsafe { self.types[ti].ty.call_time_horizon(&mut pp) } {
            Ok(h) => Ok(h),
            Err(st) => self.status(ti, st, "time horizon").map(|_| None),
        }
    }

    /// The earliest time a mechanism's `current` or `state` may start to behave
    /// differently in `t` than at `from` (`None` if some type cannot tell).
    fn time_horizon(&mut self, from: f64) -> Result<Option<f64>, SimError> {
        let mut h = f64::INFINITY;
        for k in 0..self.stepped.len() {
            match self.type_horizon(self.stepped[k], from)? {
                Some(x) => h = h.min(x),
                None => return Ok(None),
            }
        }
        Ok(Some(h))
    }

    /// After a stationary step: advance over the steps that would repeat it,
    /// stopping before `ts` (continuerun's bound), before the next event and
    /// before the time horizon. Records get the steps' samples; `t` advances by
    /// the same additions a step makes.
    fn skip_stationary(&mut self, ts: f64) -> Result<(), SimError> {
        self.quiet.stationary = false;
        let Some(h) = self.time_horizon(self.quiet.midpoint)? else {
            return Ok(());
        };
        let next_event = self.queue.next_time().unwrap_or(f64::INFINITY);
        let dt = self.opts.dt;
        let mut samples = Vec::with_capacity(self.probes.len());
        for &p in &self.probes {
            samples.push(self.sample(p));
        }
        let mut t = self.t;
        let mut n = 0u64;
        while t < ts {
            let mut end = t;
            end += 0.5 * dt;
            end += 0.5 * dt;
            if !(end < h && end < next_event) {
                break;
            }
            t = end;
            n += 1;
            for (k, p) in self.probes.iter().enumerate() {
                let x = match p {
                    ProbeTarget::Time => t,
                    _ => samples[k],
                };
                self.traces[k].push(x);
            }
        }
        self.t = t;
        self.steps += n;
        self.quiet.skipped += n;
        Ok(())
    }

    /// NEURON's `continuerun(tstop)`: step while t < tstop − dt/2.
    pub fn continuerun(&mut self, tstop: f64) -> Result<(), SimError> {
        if !tstop.is_finite() {
            return Err(SimError::BadSetting {
                what: "tstop".into(),
                expected: "a finite time".into(),
                value: tstop,
            });
        }
        if !self.initialized {
            self.finitialize(-65.0)?;
        }
        let ts = tstop - self.opts.dt / 2.0;
        // One sample per step: reserve them all now (no reallocation on the way).
        let expected = ((ts - self.t) / self.opts.dt).ceil();
        if expected > 0.0 && expected < 1e9 {
            for tr in self.traces.iter_mut() {
                tr.reserve(expected as usize + 1);
            }
        }
        while self.t < ts {
            self.fadvance()?;
            if self.quiet.stationary {
                self.skip_stationary(ts)?;
            }
        }
        Ok(())
    }

    /// NEURON's `run()`: `finitialize(v_init)` then `continuerun(tstop)`.
    pub fn run(&mut self, tstop: f64, v_init: f64) -> Result<(), SimError> {
        self.finitialize(v_init)?;
        self.continuerun(tstop)
    }

    /// Number of events waiting.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Time of the next event, if any.
    pub fn next_event_time(&self) -> Option<f64> {
        self.queue.next_time()
    }
}
