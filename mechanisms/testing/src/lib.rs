//! # testing-mechanisms
//!
//! Plugin catalogues that misbehave on purpose, for the loader and engine tests
//! in `tests/plugins.rs`. Built without features it is a valid catalogue
//! (`testing`) whose mechanism `Boom` panics on request and whose density
//! mechanism `nan_after` puts NaN into its current (the logarithm of −1, as a
//! mod file's `log(x)` of a negative `x` would) from `t = at` on; each feature
//! builds a broken variant instead:
//!
//! | feature | what is wrong |
//! |---|---|
//! | `bad-magic` | the handshake's magic bytes |
//! | `abi-major-next` | ABI major + 1 |
//! | `abi-minor-next` | ABI minor + 1 (newer than the host) |
//! | `bad-layout` | right version, wrong `PPack` size |
//! | `bad-descriptor` | a mechanism declaring the same field twice |
//! | `no-header` | no handshake symbol at all |
//! | `abi-1-0` | nothing: a valid catalogue laid out for ABI 1.0 (shorter `RawMech`, no time horizon) with the mechanism `legacy_pas` |
//! | `bad-status` | a catalogue `sulky` whose point process `Sulky` returns status 7 from its current function at `t ≥ at` without reporting an error (a C plugin's bug) |
//!
//! In the variants with a bad handshake the catalogue function aborts the
//! process: a loader that called it before checking the handshake would kill
//! the test run.
#![deny(missing_docs)]

use mech_api::{MechInfo, Mechanism, Pack};

/// A point process that panics in its current function once `t ≥ explode_at`,
/// and in NET_RECEIVE when the weight is negative.
pub struct Boom;

const EXPLODE_AT: usize = 0;
const I: usize = 1;

impl Mechanism for Boom {
    fn info() -> MechInfo {
        MechInfo::point("Boom")
            .source("boom.mod")
            .param("explode_at", "ms", 1e9)
            .assigned("i", "nA")
            .net_receive(&["weight"])
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            if p.t() >= p.get(EXPLODE_AT, k) {
                panic!("Boom went off at t = {}", p.t());
            }
            p.set(I, k, 0.0);
        }
    }

    fn net_receive(_p: &mut Pack, _k: usize, w: &mut [f64], _flag: f64) {
        if w[0] < 0.0 {
            panic!("negative weight {}", w[0]);
        }
    }
}

/// A density mechanism whose current becomes NaN once `t ≥ at` (a leak
/// `g·(v − e)` before).
pub struct NanAfter;

impl Mechanism for NanAfter {
    fn info() -> MechInfo {
        MechInfo::density("nan_after")
            .source("nan_after.mod")
            .param("at", "ms", 1e9)
            .param("g", "S/cm2", 1e-5)
            .param("e", "mV", -65.0)
            .assigned("i", "mA/cm2")
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (at, g, e, v) = (p.get(0, k), p.get(1, k), p.get(2, k), p.v(k));
            // log(−1) is NaN, as in a mod file computing log of a negative number.
            let bad = if p.t() >= at { (-1.0f64).ln() } else { 0.0 };
            let i = g * (v - e) + bad;
            p.set(3, k, i);
            p.density_current(k, g * ((v + mech_api::DV) - e) + bad, i);
        }
    }
}

#[cfg(not(any(
    feature = "bad-magic",
    feature = "abi-major-next",
    feature = "abi-minor-next",
    feature = "bad-layout",
    feature = "bad-descriptor",
    feature = "no-header",
    feature = "abi-1-0",
    feature = "bad-status"
)))]
mech_api::export_catalogue!("testing", "0", [Boom, NanAfter]);

#[cfg(any(
    feature = "bad-magic",
    feature = "abi-major-next",
    feature = "abi-minor-next",
    feature = "bad-layout"
))]
mod broken_header {
    use mech_api::abi::AbiHeader;

    const fn header() -> AbiHeader {
        #[allow(unused_mut)]
        let mut h = AbiHeader::CURRENT;
        #[cfg(feature = "bad-magic")]
        {
            h.magic = *b"NOTMECH\0";
        }
        #[cfg(feature = "abi-major-next")]
        {
            h.major += 1;
        }
        #[cfg(feature = "abi-minor-next")]
        {
            h.minor += 1;
        }
        #[cfg(feature = "bad-layout")]
        {
            h.size_ppack += 8;
        }
        h
    }

    /// The (broken) handshake.
    #[allow(non_upper_case_globals)]
    #[no_mangle]
    pub static synaptune_mech_abi: AbiHeader = header();

    /// Must never be called: the handshake is wrong.
    #[no_mangle]
    pub extern "C" fn synaptune_mech_catalogue() -> *const mech_api::abi::RawCatalogue {
        std::process::abort()
    }
}

#[cfg(feature = "bad-descriptor")]
mod broken_descriptor {
    use mech_api::abi::{AbiHeader, RawCatalogue};
    use mech_api::export::{build_catalogue, entry, CatalogueHandle};
    use mech_api::{MechInfo, Mechanism};
    use std::sync::OnceLock;

    struct Twice;
    impl Mechanism for Twice {
        fn info() -> MechInfo {
            MechInfo::density("twice")
                .param("g", "S/cm2", 1.0)
                .param("g", "S/cm2", 2.0)
        }
    }

    /// A valid handshake.
    #[allow(non_upper_case_globals)]
    #[no_mangle]
    pub static synaptune_mech_abi: AbiHeader = AbiHeader::CURRENT;

    /// A catalogue with an invalid descriptor.
    #[no_mangle]
    pub extern "C" fn synaptune_mech_catalogue() -> *const RawCatalogue {
        static C: OnceLock<CatalogueHandle> = OnceLock::new();
        C.get_or_init(|| build_catalogue("broken", "0", vec![entry::<Twice>()]))
            .get()
    }
}

#[cfg(feature = "no-header")]
/// Something exported, but no catalogue.
#[no_mangle]
pub extern "C" fn not_a_catalogue() -> i32 {
    42
}

#[cfg(feature = "abi-1-0")]
mod abi_1_0 {
    //! A catalogue as a plugin built against ABI 1.0 exports it: minor 0, and
    //! `RawMech` without the `time_horizon` appended in 1.1.
    use mech_api::abi::{self, AbiHeader, RawCatalogue, RawMech};
    use mech_api::export::{build_catalogue, entry};
    use mech_api::{MechInfo, Mechanism, Pack, DV};
    use std::ffi::c_char;
    use std::sync::OnceLock;

    /// NEURON's `pas` under another name, with the same arithmetic.
    struct LegacyPas;
    impl Mechanism for LegacyPas {
        fn info() -> MechInfo {
            MechInfo::density("legacy_pas")
                .source("legacy_pas.mod")
                .param("g", "S/cm2", 0.001)
                .param("e", "mV", -70.0)
                .assigned("i", "mA/cm2")
        }
        fn time_horizon(_p: &Pack) -> Option<f64> {
            // Not exported: a 1.0 descriptor has no room for it.
            Some(f64::INFINITY)
        }
        fn current(p: &mut Pack) {
            for k in 0..p.n() {
                let (g, e, v) = (p.get(0, k), p.get(1, k), p.v(k));
                let hi = 0.0 + g * ((v + DV) - e);
                let i = g * (v - e);
                p.set(2, k, i);
                p.density_current(k, hi, 0.0 + i);
            }
        }
    }

    /// `RawMech` as ABI 1.0 laid it out.
    #[repr(C)]
    struct RawMech10 {
        name: *const c_char,
        kind: u32,
        flags: u32,
        builtin_rank: i32,
        source_file: *const c_char,
        n_fields: u32,
        fields: *const abi::RawField,
        n_globals: u32,
        globals: *const abi::RawField,
        n_ions: u32,
        ions: *const abi::RawIon,
        n_weights: u32,
        weight_names: *const *const c_char,
        scratch_len: u32,
        init: Option<abi::MechFn>,
        current: Option<abi::MechFn>,
        state: Option<abi::MechFn>,
        net_receive: Option<abi::NetReceiveFn>,
        net_init: Option<abi::NetInitFn>,
    }

    const _: () = assert!(std::mem::size_of::<RawMech10>() as u32 == abi::RAW_MECH_SIZE_1_0);

    struct Leaked(RawCatalogue);
    // SAFETY: immutable after construction; points to leaked data and functions.
    unsafe impl Send for Leaked {}
    // SAFETY: as above.
    unsafe impl Sync for Leaked {}

    /// The 1.0 handshake.
    #[allow(non_upper_case_globals)]
    #[no_mangle]
    pub static synaptune_mech_abi: AbiHeader = AbiHeader {
        minor: 0,
        size_mech: std::mem::size_of::<RawMech10>() as u32,
        ..AbiHeader::CURRENT
    };

    /// The catalogue, with 1.0 descriptors.
    #[no_mangle]
    pub extern "C" fn synaptune_mech_catalogue() -> *const RawCatalogue {
        static C: OnceLock<Leaked> = OnceLock::new();
        &C.get_or_init(|| {
            let cat = build_catalogue("legacy", "0", vec![entry::<LegacyPas>()]).get();
            // SAFETY: build_catalogue returns n_mechs valid descriptors.
            let mechs = unsafe { std::slice::from_raw_parts(cat.mechs, cat.n_mechs as usize) };
            let old: Vec<RawMech10> = mechs
                .iter()
                .map(|m: &RawMech| RawMech10 {
                    name: m.name,
                    kind: m.kind,
                    flags: m.flags,
                    builtin_rank: m.builtin_rank,
                    source_file: m.source_file,
                    n_fields: m.n_fields,
                    fields: m.fields,
                    n_globals: m.n_globals,
                    globals: m.globals,
                    n_ions: m.n_ions,
                    ions: m.ions,
                    n_weights: m.n_weights,
                    weight_names: m.weight_names,
                    scratch_len: m.scratch_len,
                    init: m.init,
                    current: m.current,
                    state: m.state,
                    net_receive: m.net_receive,
                    net_init: m.net_init,
                })
                .collect();
            let n_mechs = old.len() as u32;
            Leaked(RawCatalogue {
                name: cat.name,
                version: cat.version,
                n_mechs,
                mechs: Box::leak(old.into_boxed_slice()).as_ptr() as *const RawMech,
            })
        })
        .0
    }
}

#[cfg(feature = "bad-status")]
mod bad_status {
    //! A catalogue whose current function returns a status that is neither
    //! `STATUS_OK` nor `STATUS_ERROR`, without calling `report_error`.
    use mech_api::abi::{AbiHeader, PPack, RawCatalogue, RawMech, STATUS_OK};
    use mech_api::export::{build_catalogue, entry};
    use mech_api::{MechInfo, Mechanism};
    use std::sync::OnceLock;

    /// A point process with a parameter `at` (ms).
    struct Sulky;
    impl Mechanism for Sulky {
        fn info() -> MechInfo {
            MechInfo::point("Sulky")
                .source("sulky.mod")
                .param("at", "ms", 1e9)
                .assigned("i", "nA")
        }
    }

    /// Status 7 once `t ≥ at` of instance 0.
    unsafe extern "C" fn sulky_current(pp: *mut PPack) -> i32 {
        // SAFETY: the host passes a valid pack; field 0 (`at`) has n values.
        let p = &*pp;
        if p.n > 0 && p.t >= **p.fields {
            7
        } else {
            STATUS_OK
        }
    }

    struct Leaked(RawCatalogue);
    // SAFETY: immutable after construction; points to leaked data and functions.
    unsafe impl Send for Leaked {}
    // SAFETY: as above.
    unsafe impl Sync for Leaked {}

    /// A valid handshake.
    #[allow(non_upper_case_globals)]
    #[no_mangle]
    pub static synaptune_mech_abi: AbiHeader = AbiHeader::CURRENT;

    /// The catalogue, with `Sulky`'s current function replaced.
    #[no_mangle]
    pub extern "C" fn synaptune_mech_catalogue() -> *const RawCatalogue {
        static C: OnceLock<Leaked> = OnceLock::new();
        &C.get_or_init(|| {
            let cat = build_catalogue("sulky", "0", vec![entry::<Sulky>()]).get();
            // SAFETY: build_catalogue returns one valid descriptor that lives
            // for the program; a bitwise copy of it (plain pointers, no Drop)
            // with another current function is a descriptor too.
            let mut m: RawMech = unsafe { std::ptr::read(cat.mechs) };
            m.current = Some(sulky_current);
            Leaked(RawCatalogue {
                name: cat.name,
                version: cat.version,
                n_mechs: 1,
                mechs: Box::leak(Box::new(m)) as *const RawMech,
            })
        })
        .0
    }
}
