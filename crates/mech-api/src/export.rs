//! The author's side: the [`Mechanism`] trait, the `extern "C"` trampolines that
//! wrap it (catching panics), and [`export_catalogue!`](crate::export_catalogue).

use crate::abi::{self, PPack, RawCatalogue, RawField, RawIon, RawMech};
use crate::info::{FieldInfo, MechInfo};
use crate::pack::Pack;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A mechanism implemented in Rust. Every function acts on all instances of the
/// type at once; the defaults do nothing.
pub trait Mechanism: 'static {
    /// The description: name, kind, fields, ions, NET_RECEIVE arguments.
    fn info() -> MechInfo;
    /// INITIAL (after the host set every field to its default or given value).
    fn init(_p: &mut Pack) {}
    /// BREAKPOINT: add currents and conductances to the matrix, ionic currents to
    /// the ions. Runs at the step midpoint with the voltage at the step start.
    fn current(_p: &mut Pack) {}
    /// SOLVE blocks: advance states with the new voltage, at the step end.
    fn state(_p: &mut Pack) {}
    /// NET_RECEIVE for one event into instance `i`.
    fn net_receive(_p: &mut Pack, _i: usize, _w: &mut [f64], _flag: f64) {}
    /// NET_RECEIVE's INITIAL block for one connection into instance `i`.
    fn net_init(_p: &mut Pack, _i: usize, _w: &mut [f64]) {}
    /// How long [`current`](Mechanism::current) and [`state`](Mechanism::state)
    /// stay independent of `t` from `p.t()` on, for every instance: `Some(h)`
    /// promises that for any time in `[p.t(), h)` they compute, from the same
    /// fields, voltages and ions, what they compute at `p.t()`, and that they keep
    /// no state outside the fields, and that `current` contributes through
    /// `Pack`'s current helpers, once per instance (see
    /// [`RawMech::time_horizon`](crate::abi::RawMech::time_horizon)).
    /// Mechanisms that never read `t` there return `Some(f64::INFINITY)`.
    /// The default, `None`, is always safe: it stops the host from skipping
    /// stationary steps while this type is present.
    fn time_horizon(_p: &Pack) -> Option<f64> {
        None
    }
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Run `f` on a pack, turning a panic into [`abi::STATUS_ERROR`] plus a message
/// sent to the host. `name` is only called on the error path.
///
/// # Safety
/// `pp` must satisfy [`Pack::from_raw`]'s contract.
unsafe fn guard(pp: *mut PPack, name: fn() -> String, f: impl FnOnce(&mut Pack)) -> i32 {
    if pp.is_null() {
        return abi::STATUS_ERROR;
    }
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut p = Pack::from_raw(pp);
        f(&mut p)
    }));
    match r {
        Ok(()) => abi::STATUS_OK,
        Err(e) => {
            let msg = format!("mechanism `{}` panicked: {}", name(), panic_message(&*e));
            let _ = catch_unwind(AssertUnwindSafe(|| Pack::from_raw(pp).report_error(&msg)));
            abi::STATUS_ERROR
        }
    }
}

fn name_of<M: Mechanism>() -> String {
    M::info().name
}

unsafe extern "C" fn tr_init<M: Mechanism>(pp: *mut PPack) -> i32 {
    guard(pp, name_of::<M>, |p| M::init(p))
}

unsafe extern "C" fn tr_current<M: Mechanism>(pp: *mut PPack) -> i32 {
    guard(pp, name_of::<M>, |p| M::current(p))
}

unsafe extern "C" fn tr_state<M: Mechanism>(pp: *mut PPack) -> i32 {
    guard(pp, name_of::<M>, |p| M::state(p))
}

unsafe extern "C" fn tr_net_receive<M: Mechanism>(
    pp: *mut PPack,
    instance: u32,
    weights: *mut f64,
    flag: f64,
) -> i32 {
    guard(pp, name_of::<M>, |p| {
        assert!(!weights.is_null(), "NET_RECEIVE called without weights");
        let nw = p.n_weights();
        // SAFETY: the host passes the connection's vector of n_weights doubles.
        let w = std::slice::from_raw_parts_mut(weights, nw);
        p.set_weights(weights);
        M::net_receive(p, instance as usize, w, flag)
    })
}

unsafe extern "C" fn tr_net_init<M: Mechanism>(
    pp: *mut PPack,
    instance: u32,
    weights: *mut f64,
) -> i32 {
    guard(pp, name_of::<M>, |p| {
        assert!(
            !weights.is_null(),
            "NET_RECEIVE INITIAL called without weights"
        );
        let nw = p.n_weights();
        // SAFETY: as in tr_net_receive.
        let w = std::slice::from_raw_parts_mut(weights, nw);
        p.set_weights(weights);
        M::net_init(p, instance as usize, w)
    })
}

unsafe extern "C" fn tr_time_horizon<M: Mechanism>(pp: *mut PPack, horizon: *mut f64) -> i32 {
    if horizon.is_null() {
        return abi::STATUS_ERROR;
    }
    guard(pp, name_of::<M>, |p| {
        let h = M::time_horizon(p).unwrap_or(f64::NAN);
        // SAFETY: checked non-null; the host passes one writable double.
        *horizon = h;
    })
}

/// A mechanism ready to be put into a catalogue: its description and entry points.
pub struct Entry {
    info: MechInfo,
    init: abi::MechFn,
    current: abi::MechFn,
    state: abi::MechFn,
    net_receive: abi::NetReceiveFn,
    net_init: abi::NetInitFn,
    time_horizon: abi::HorizonFn,
}

/// The catalogue entry of mechanism `M`.
pub fn entry<M: Mechanism>() -> Entry {
    Entry {
        info: M::info(),
        init: tr_init::<M>,
        current: tr_current::<M>,
        state: tr_state::<M>,
        net_receive: tr_net_receive::<M>,
        net_init: tr_net_init::<M>,
        time_horizon: tr_time_horizon::<M>,
    }
}

/// A built catalogue, leaked for the life of the process (its pointers must stay
/// valid as long as anybody may call into it).
pub struct CatalogueHandle(&'static RawCatalogue);

// SAFETY: the catalogue is immutable after construction and only holds pointers to
// leaked, immutable data and to functions.
unsafe impl Send for CatalogueHandle {}
// SAFETY: as above.
unsafe impl Sync for CatalogueHandle {}

impl CatalogueHandle {
    /// The raw catalogue.
    pub fn get(&self) -> &'static RawCatalogue {
        self.0
    }
}

fn leak_str(s: &str) -> *const c_char {
    // Interior NULs cannot occur in names we accept; replace defensively.
    let c = CString::new(s.replace('\0', "?")).expect("no interior NUL");
    Box::leak(c.into_boxed_c_str()).as_ptr()
}

fn raw_fields(fields: &[FieldInfo]) -> (*const RawField, u32) {
    let v: Vec<RawField> = fields
        .iter()
        .map(|f| RawField {
            name: leak_str(&f.name),
            units: leak_str(&f.units),
            kind: f.kind.code()
                | if f.event_only {
                    abi::FIELD_EVENT_ONLY
                } else {
                    0
                },
            default: f.default,
            lower: f.lower,
            upper: f.upper,
        })
        .collect();
    let n = v.len() as u32;
    (Box::leak(v.into_boxed_slice()).as_ptr(), n)
}

/// Build a catalogue from entries. The result is leaked on purpose.
pub fn build_catalogue(name: &str, version: &str, entries: Vec<Entry>) -> CatalogueHandle {
    let mechs: Vec<RawMech> = entries
        .into_iter()
        .map(|e| {
            let info = &e.info;
            let (fields, n_fields) = raw_fields(&info.fields);
            let (globals, n_globals) = raw_fields(&info.globals);
            let ions: Vec<RawIon> = info
                .ions
                .iter()
                .map(|i| RawIon {
                    name: leak_str(&i.name),
                    valence: i.valence,
                    flags: i.flags,
                })
                .collect();
            let n_ions = ions.len() as u32;
            let wn: Vec<*const c_char> = info.weights.iter().map(|w| leak_str(w)).collect();
            let n_weights = wn.len() as u32;
            let has_nr = n_weights > 0;
            RawMech {
                name: leak_str(&info.name),
                kind: info.kind.code(),
                flags: (if info.electrode_current {
                    abi::MECH_ELECTRODE_CURRENT
                } else {
                    0
                }) | (if info.instance_vector {
                    abi::MECH_INSTANCE_VECTOR
                } else {
                    0
                }) | (if info.draws_random {
                    abi::MECH_DRAWS_RANDOM
                } else {
                    0
                }),
                builtin_rank: info.builtin_rank,
                source_file: leak_str(&info.source_file),
                n_fields,
                fields,
                n_globals,
                globals,
                n_ions,
                ions: Box::leak(ions.into_boxed_slice()).as_ptr(),
                n_weights,
                weight_names: Box::leak(wn.into_boxed_slice()).as_ptr(),
                scratch_len: info.scratch_len as u32,
                init: Some(e.init),
                current: Some(e.current),
                state: Some(e.state),
                net_receive: if has_nr { Some(e.net_receive) } else { None },
                net_init: if has_nr && info.has_net_init {
                    Some(e.net_init)
                } else {
                    None
                },
                time_horizon: Some(e.time_horizon),
            }
        })
        .collect();
    let n_mechs = mechs.len() as u32;
    let cat = RawCatalogue {
        name: leak_str(name),
        version: leak_str(version),
        n_mechs,
        mechs: Box::leak(mechs.into_boxed_slice()).as_ptr(),
    };
    CatalogueHandle(Box::leak(Box::new(cat)))
}

/// Export a catalogue of [`Mechanism`] types from a crate.
///
/// Generates `pub fn catalogue() -> &'static RawCatalogue` (for static linking) and,
/// for use as a plugin, the two C symbols the loader looks for: the handshake
/// static `synaptune_mech_abi` and the function `synaptune_mech_catalogue`.
/// Only one crate per final binary may invoke this macro.
///
/// ```text
/// mech_api::export_catalogue!("my-catalogue", "0.1.0", [MySynapse, MyChannel]);
/// ```
///
/// An optional fourth argument overrides the exported header (tests use it to
/// build deliberately incompatible plugins).
#[macro_export]
macro_rules! export_catalogue {
    ($name:expr, $version:expr, [$($m:ty),* $(,)?]) => {
        $crate::export_catalogue!($name, $version, [$($m),*], $crate::abi::AbiHeader::CURRENT);
    };
    ($name:expr, $version:expr, [$($m:ty),* $(,)?], $header:expr) => {
        /// This crate's mechanism catalogue (built once, then shared).
        pub fn catalogue() -> &'static $crate::abi::RawCatalogue {
            static CAT: ::std::sync::OnceLock<$crate::export::CatalogueHandle> =
                ::std::sync::OnceLock::new();
            CAT.get_or_init(|| {
                $crate::export::build_catalogue(
                    $name,
                    $version,
                    ::std::vec![$($crate::export::entry::<$m>()),*],
                )
            })
            .get()
        }

        /// ABI handshake read by the loader before any code of this library runs.
        #[allow(non_upper_case_globals)]
        #[no_mangle]
        pub static synaptune_mech_abi: $crate::abi::AbiHeader = $header;

        /// Plugin entry point: the catalogue (null if building it panicked).
        #[no_mangle]
        pub extern "C" fn synaptune_mech_catalogue() -> *const $crate::abi::RawCatalogue {
            match ::std::panic::catch_unwind(|| catalogue() as *const $crate::abi::RawCatalogue) {
                Ok(p) => p,
                Err(_) => ::std::ptr::null(),
            }
        }
    };
}
