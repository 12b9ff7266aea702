//! # testing-mechanisms
//!
//! Plugin catalogues that misbehave on purpose, for the loader and engine tests
//! in `tests/plugins.rs`. Built without features it is a valid catalogue
//! (`testing`) whose mechanism `Boom` panics on request; each feature builds a
//! broken variant instead:
//!
//! | feature | what is wrong |
//! |---|---|
//! | `bad-magic` | the handshake's magic bytes |
//! | `abi-major-next` | ABI major + 1 |
//! | `abi-minor-next` | ABI minor + 1 (newer than the host) |
//! | `bad-layout` | right version, wrong `PPack` size |
//! | `bad-descriptor` | a mechanism declaring the same field twice |
//! | `no-header` | no handshake symbol at all |
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

#[cfg(not(any(
    feature = "bad-magic",
    feature = "abi-major-next",
    feature = "abi-minor-next",
    feature = "bad-layout",
    feature = "bad-descriptor",
    feature = "no-header"
)))]
mech_api::export_catalogue!("testing", "0", [Boom]);

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
