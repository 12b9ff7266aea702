//! The C ABI shared by the host and plugin catalogues (version 1.4).
//!
//! Everything here is `#[repr(C)]` and made of plain integers, doubles and raw
//! pointers, so a catalogue may be written in any language that can produce a
//! C-compatible shared library. `ABI.md` next to this crate's manifest documents the
//! layout and the rules for evolving it.
//!
//! Memory is owned by the host: per-instance fields are arrays of `n` doubles, one
//! array per field (struct of arrays), per-node arrays (voltage, matrix, ions) span
//! every node of the simulation. A mechanism function is called once per step for
//! all instances of its type.

use std::ffi::{c_char, c_void};

/// First eight bytes of [`AbiHeader`]: identifies a synaptune catalogue.
pub const ABI_MAGIC: [u8; 8] = *b"SYNMECH\0";
/// Incremented on any incompatible change; the host refuses other majors.
pub const ABI_VERSION_MAJOR: u32 = 1;
/// Incremented on compatible additions; the host accepts catalogues whose minor
/// is not newer than its own.
pub const ABI_VERSION_MINOR: u32 = 4;
/// Name of the exported `static AbiHeader` (data, not code: reading it runs nothing).
pub const HEADER_SYMBOL: &str = "synaptune_mech_abi";
/// Name of the exported `extern "C" fn() -> *const RawCatalogue`.
pub const CATALOGUE_SYMBOL: &str = "synaptune_mech_catalogue";

/// Status returned by every mechanism entry point: success.
pub const STATUS_OK: i32 = 0;
/// Status: the mechanism panicked (or failed); the message went to
/// [`HostApi::report_error`].
pub const STATUS_ERROR: i32 = 1;

/// Mechanism kind: a density mechanism (one instance per membrane node of a section).
pub const KIND_DENSITY: u32 = 0;
/// Mechanism kind: a point process attached to one node.
pub const KIND_POINT: u32 = 1;
/// Mechanism kind: an artificial cell (no node, events only).
pub const KIND_ARTIFICIAL: u32 = 2;

/// Mechanism flag: its current is an ELECTRODE_CURRENT (positive inward).
pub const MECH_ELECTRODE_CURRENT: u32 = 1;
/// Mechanism flag: the [`RawMech::state`] function must run even when no
/// state changes between steps (reserved; informational in 1.0).
pub const MECH_HAS_STATE: u32 = 2;

/// Mechanism flag: each instance has a vector of doubles set by the host
/// (VecStim's event times); see [`PPack::inst_vec`].
pub const MECH_INSTANCE_VECTOR: u32 = 4;

/// Mechanism flag (since 1.4): its code draws from (or reseeds) a random
/// stream that outlives a run — NEURON's `scop_random`, one per process —
/// so a run's numbers depend on every draw made before it, in any run. The
/// host then runs such a model's simulations one after another, each from
/// its start, as NEURON would (no shared or saved starts, no lanes).
/// Catalogues built for older minors never set it.
pub const MECH_DRAWS_RANDOM: u32 = 8;

/// Field kind: a parameter (settable, has a default).
pub const FIELD_PARAMETER: u32 = 0;
/// Field kind: a state variable.
pub const FIELD_STATE: u32 = 1;
/// Field kind: an assigned (computed) variable.
pub const FIELD_ASSIGNED: u32 = 2;
/// Flag OR-ed into a parameter's kind (ABI 1.2): only NET_RECEIVE reads it —
/// not INITIAL, NET_RECEIVE's INITIAL, `current`, `state` nor the time
/// horizon — so a run is the same, up to the first event the mechanism
/// receives, whatever its value. A host may then start runs that differ only
/// in such parameters from one saved state.
pub const FIELD_EVENT_ONLY: u32 = 0x100;

/// Ion use flag: reads the reversal potential `e<ion>`.
pub const ION_READ_E: u32 = 1;
/// Ion use flag: reads the inner concentration `<ion>i`.
pub const ION_READ_CI: u32 = 2;
/// Ion use flag: reads the outer concentration `<ion>o`.
pub const ION_READ_CO: u32 = 4;
/// Ion use flag: writes (adds to) the ionic current `i<ion>`.
pub const ION_WRITE_I: u32 = 8;
/// Ion use flag: writes the inner concentration.
pub const ION_WRITE_CI: u32 = 16;
/// Ion use flag: writes the outer concentration.
pub const ION_WRITE_CO: u32 = 32;
/// Ion use flag: writes the reversal potential.
pub const ION_WRITE_E: u32 = 64;
/// Ion use flag: reads the total ionic current.
pub const ION_READ_I: u32 = 128;

/// The handshake, exported as a static under [`HEADER_SYMBOL`]. The host checks it
/// before it calls any code of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiHeader {
    /// Must equal [`ABI_MAGIC`].
    pub magic: [u8; 8],
    /// ABI major version the catalogue was built against.
    pub major: u32,
    /// ABI minor version the catalogue was built against.
    pub minor: u32,
    /// `size_of::<AbiHeader>()` as the plugin saw it.
    pub size_header: u32,
    /// `size_of::<RawCatalogue>()`.
    pub size_catalogue: u32,
    /// `size_of::<RawMech>()`.
    pub size_mech: u32,
    /// `size_of::<RawField>()`.
    pub size_field: u32,
    /// `size_of::<RawIon>()`.
    pub size_ion: u32,
    /// `size_of::<PPack>()`.
    pub size_ppack: u32,
    /// `size_of::<IonState>()`.
    pub size_ion_state: u32,
    /// `size_of::<HostApi>()`.
    pub size_host: u32,
}

impl AbiHeader {
    /// The header of the ABI this crate implements.
    pub const CURRENT: AbiHeader = AbiHeader {
        magic: ABI_MAGIC,
        major: ABI_VERSION_MAJOR,
        minor: ABI_VERSION_MINOR,
        size_header: std::mem::size_of::<AbiHeader>() as u32,
        size_catalogue: std::mem::size_of::<RawCatalogue>() as u32,
        size_mech: std::mem::size_of::<RawMech>() as u32,
        size_field: std::mem::size_of::<RawField>() as u32,
        size_ion: std::mem::size_of::<RawIon>() as u32,
        size_ppack: std::mem::size_of::<PPack>() as u32,
        size_ion_state: std::mem::size_of::<IonState>() as u32,
        size_host: std::mem::size_of::<HostApi>() as u32,
    };
}

/// A catalogue: a named table of mechanisms. Returned by the [`CATALOGUE_SYMBOL`]
/// function; it and everything it points to must live as long as the library.
#[repr(C)]
pub struct RawCatalogue {
    /// Catalogue name (NUL-terminated UTF-8).
    pub name: *const c_char,
    /// Free-form version string of the catalogue.
    pub version: *const c_char,
    /// Number of entries in `mechs`.
    pub n_mechs: u32,
    /// The mechanisms.
    pub mechs: *const RawMech,
}

/// One per-instance field (or, in [`RawMech::globals`], one per-type global).
#[repr(C)]
pub struct RawField {
    /// Field name as NEURON spells it without the suffix (`gnabar`, `m`, `dur[0]`).
    pub name: *const c_char,
    /// Units, free text (`S/cm2`, `mV`, may be empty).
    pub units: *const c_char,
    /// [`FIELD_PARAMETER`], [`FIELD_STATE`] or [`FIELD_ASSIGNED`].
    pub kind: u32,
    /// Default value (for states and assigned: the value before INITIAL runs).
    pub default: f64,
    /// Lower limit of the valid range (`-inf` when none).
    pub lower: f64,
    /// Upper limit of the valid range (`+inf` when none).
    pub upper: f64,
}

/// An ion a mechanism uses.
#[repr(C)]
pub struct RawIon {
    /// Ion name (`na`, `k`, `ca`, ...).
    pub name: *const c_char,
    /// Charge number.
    pub valence: i32,
    /// Bitwise OR of the `ION_*` flags.
    pub flags: u32,
}

/// Entry point acting on all instances of one mechanism type.
pub type MechFn = unsafe extern "C" fn(pp: *mut PPack) -> i32;
/// NET_RECEIVE: one event into one instance; `weights` has [`RawMech::n_weights`]
/// doubles owned by the connection (the first is the weight, the rest is
/// per-connection state).
pub type NetReceiveFn =
    unsafe extern "C" fn(pp: *mut PPack, instance: u32, weights: *mut f64, flag: f64) -> i32;
/// NET_RECEIVE's INITIAL block, run once per connection at initialisation.
pub type NetInitFn = unsafe extern "C" fn(pp: *mut PPack, instance: u32, weights: *mut f64) -> i32;
/// The time horizon (ABI 1.1): writes to `*horizon` a time `h` such that the
/// type's `current` and `state` functions, given the same inputs, give the same
/// results for every [`PPack::t`] in `[pp.t, h)`. See [`RawMech::time_horizon`].
pub type HorizonFn = unsafe extern "C" fn(pp: *mut PPack, horizon: *mut f64) -> i32;

/// A mechanism descriptor.
#[repr(C)]
pub struct RawMech {
    /// Mechanism name (`hh`, `Exp2Syn`, ...).
    pub name: *const c_char,
    /// [`KIND_DENSITY`], [`KIND_POINT`] or [`KIND_ARTIFICIAL`].
    pub kind: u32,
    /// Bitwise OR of the `MECH_*` flags.
    pub flags: u32,
    /// NEURON's built-in type number (pas 4, IClamp 7, ..., hh 15), or -1 for a
    /// mechanism that NEURON would load from a mod file. Fixes the order in which
    /// mechanism types are evaluated, which fixes floating-point summation order.
    pub builtin_rank: i32,
    /// The mod file this mechanism comes from (`exp2syn_stp.mod`); user
    /// mechanisms are ordered by it, byte-wise, as `nrnivmodl` registers them.
    pub source_file: *const c_char,
    /// Number of per-instance fields.
    pub n_fields: u32,
    /// Per-instance fields, in storage order.
    pub fields: *const RawField,
    /// Number of per-type globals.
    pub n_globals: u32,
    /// Per-type globals (`usetable` ...), settable by the host.
    pub globals: *const RawField,
    /// Number of ions used.
    pub n_ions: u32,
    /// Ions used, in the order of [`PPack::ions`].
    pub ions: *const RawIon,
    /// Length of the NET_RECEIVE argument vector (0 without NET_RECEIVE).
    pub n_weights: u32,
    /// Names of the NET_RECEIVE arguments (`n_weights` entries).
    pub weight_names: *const *const c_char,
    /// Doubles of private per-type storage the host allocates (tables, caches).
    pub scratch_len: u32,
    /// INITIAL.
    pub init: Option<MechFn>,
    /// BREAKPOINT current: adds to `rhs`/`d` and to ionic currents.
    pub current: Option<MechFn>,
    /// State update (SOLVE blocks), after the voltage update.
    pub state: Option<MechFn>,
    /// NET_RECEIVE.
    pub net_receive: Option<NetReceiveFn>,
    /// NET_RECEIVE INITIAL.
    pub net_init: Option<NetInitFn>,
    /// Added in 1.1 (absent from 1.0 catalogues, read as `None`). Lets the host
    /// skip steps that would change nothing: when a whole simulation is bitwise
    /// stationary, the host asks every type how long its `current` and `state`
    /// stay independent of `t` and jumps ahead, filling the records, up to the
    /// earliest horizon or event. Writing `h` promises: (1) for every `t` in
    /// `[pp.t, h)` the two functions give, from the same fields, voltages, ions
    /// and globals, the same results as at `pp.t` (they read `t` only through
    /// comparisons that do not flip on that interval; `+inf` if they never read
    /// it); (2) they keep no state outside the per-instance fields and ions
    /// (nothing in `scratch` but caches, nothing random); (3) `current` adds at
    /// most one term per instance to each of `rhs`, `d` and each ion's `i` and
    /// `didv`, at the instance's own node (as `Pack`'s `density_current`,
    /// `point_current` and `add_ion_current` do) — so the host may also replay
    /// the recorded terms of a settled type instead of calling it. `None`, or a
    /// horizon that is NaN or not after `pp.t`, means "unknown": the host then
    /// never skips steps and always calls the type.
    pub time_horizon: Option<HorizonFn>,
}

/// `size_of::<RawMech>()` in ABI 1.0, before [`RawMech::time_horizon`] was
/// appended. The loader accepts it from catalogues built for minor 0.
pub const RAW_MECH_SIZE_1_0: u32 = std::mem::offset_of!(RawMech, time_horizon) as u32;

/// Per-node ion storage, one entry per ion of [`RawMech::ions`]. Each pointer
/// addresses an array of [`PPack::n_nodes`] doubles.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IonState {
    /// Reversal potential (mV).
    pub e: *mut f64,
    /// Total ionic current (mA/cm²), outward positive; summed over mechanisms.
    pub i: *mut f64,
    /// d i / d v, summed over mechanisms.
    pub didv: *mut f64,
    /// Inner concentration (mM).
    pub ci: *mut f64,
    /// Outer concentration (mM).
    pub co: *mut f64,
}

/// Callbacks into the host.
#[repr(C)]
pub struct HostApi {
    /// Opaque host context, passed back to every callback.
    pub ctx: *mut c_void,
    /// Queue a self event for `instance` at absolute time `t_deliver` with `flag`;
    /// `weights` is the vector of the event being handled (null outside NET_RECEIVE).
    pub net_send: unsafe extern "C" fn(
        ctx: *mut c_void,
        instance: u32,
        t_deliver: f64,
        flag: f64,
        weights: *mut f64,
    ),
    /// An artificial cell (or a point process) emits a spike at time `t`.
    pub net_event: unsafe extern "C" fn(ctx: *mut c_void, instance: u32, t: f64),
    /// Report an error message (UTF-8, not NUL-terminated) before returning
    /// [`STATUS_ERROR`].
    pub report_error: unsafe extern "C" fn(ctx: *mut c_void, msg: *const u8, len: usize),
    /// (1.3) NEURON's `net_move(t_new)`: move `instance`'s latest self event with
    /// flag 1 to absolute time `t_new` (only inside NET_RECEIVE). The host
    /// reports a missing event or a time before the current one as an error.
    pub net_move: unsafe extern "C" fn(ctx: *mut c_void, instance: u32, t_new: f64),
}

/// `size_of::<HostApi>()` before ABI 1.3 appended [`HostApi::net_move`]. The
/// loader accepts it from catalogues built for minors 0 to 2 (they never read
/// the new entry).
pub const HOST_API_SIZE_1_2: u32 = std::mem::offset_of!(HostApi, net_move) as u32;

/// Everything a mechanism function sees, for one mechanism type.
#[repr(C)]
pub struct PPack {
    /// Number of instances.
    pub n: u32,
    /// Number of nodes in the per-node arrays.
    pub n_nodes: u32,
    /// Number of per-instance fields (`fields` has this many pointers).
    pub n_fields: u32,
    /// Number of globals.
    pub n_globals: u32,
    /// Number of ions (`ions` has this many entries).
    pub n_ions: u32,
    /// Length of `scratch`.
    pub scratch_len: u32,
    /// Length of the weight vector passed to NET_RECEIVE.
    pub n_weights: u32,
    /// Node of each instance (`n` entries; null for artificial cells).
    pub node_index: *const u32,
    /// Membrane potential per node (mV).
    pub v: *const f64,
    /// Right-hand side of the tree matrix per node.
    pub rhs: *mut f64,
    /// Diagonal of the tree matrix per node.
    pub d: *mut f64,
    /// Area per node (µm²; 100 for zero-area nodes).
    pub area: *const f64,
    /// Current time (ms): the step midpoint during `current`, the step end during
    /// `state`, the event time during NET_RECEIVE.
    pub t: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// 0 backward Euler, 2 Crank–Nicolson.
    pub secondorder: i32,
    /// Per-instance field arrays (`n_fields` pointers to `n` doubles).
    pub fields: *const *mut f64,
    /// Per-type globals.
    pub globals: *mut f64,
    /// Per-type private storage.
    pub scratch: *mut f64,
    /// Ion storage.
    pub ions: *const IonState,
    /// Host callbacks.
    pub host: *const HostApi,
    /// Per-instance vectors (`n` pointers; null unless the mechanism has
    /// [`MECH_INSTANCE_VECTOR`]).
    pub inst_vec: *const *const f64,
    /// Lengths of the per-instance vectors (`n` entries, or null).
    pub inst_vec_len: *const u32,
}
