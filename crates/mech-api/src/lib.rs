//! # mech-api
//!
//! The mechanism layer of synaptune: what a membrane mechanism, point process or
//! artificial cell is, and how a catalogue of them crosses a shared-library
//! boundary.
//!
//! * [`abi`] — the versioned C ABI (`ABI.md` documents it): a handshake static,
//!   a table of descriptors, and entry points that act on **all instances of a
//!   type at once** over host-owned struct-of-arrays storage.
//! * [`Mechanism`], [`Pack`], [`MechInfo`] — the Rust author's side; the
//!   [`export_catalogue!`] macro turns trait impls into a catalogue, with panics
//!   caught at the boundary.
//! * [`Catalogue`], [`Registry`], [`load_path`] — the host's side: validated views
//!   of catalogues (linked in or loaded with `libloading`), and lookup by name.
//!   They need the default feature `host`; a plugin catalogue depends on this crate
//!   with `default-features = false` and then has no dependencies at all.
//! * [`math`] — `exp` as the C library computes it, bit for bit, inline (NEURON's
//!   mechanisms call libm; so must ours, in effect).
//! * [`cnexp`] — nocmodl's `cnexp` state update, bit for bit, without the
//!   costly multiplication of a decayed state stuck at a subnormal value.
//! * [`sources`] — the plugin side's files as text, which `synaptune nmodl` writes
//!   next to the catalogue crates it generates.
//!
//! This crate knows nothing of cells or solvers; `cable-core` drives it.
//!
//! ## Example
//!
//! ```
//! use mech_api::{Mechanism, MechInfo, Pack};
//!
//! /// A leak: i = g (v - e).
//! struct Leak;
//! const G: usize = 0;
//! const E: usize = 1;
//! impl Mechanism for Leak {
//!     fn info() -> MechInfo {
//!         MechInfo::density("myleak").param("g", "S/cm2", 1e-4).param("e", "mV", -70.0)
//!     }
//!     fn current(p: &mut Pack) {
//!         for i in 0..p.n() {
//!             let (g, e, v) = (p.get(G, i), p.get(E, i), p.v(i));
//!             p.density_current(i, g * (v + mech_api::DV - e), g * (v - e));
//!         }
//!     }
//! }
//! let cat = mech_api::export::build_catalogue("demo", "0", vec![mech_api::export::entry::<Leak>()]);
//! let cat = mech_api::Catalogue::from_static(cat.get()).unwrap();
//! assert_eq!(cat.mechs[0].info.parameter_names(), ["g", "e"]);
//! ```
#![deny(missing_docs)]

// The modules not behind `host` are the plugin side: `sources::PLUGIN_SOURCES` lists
// their files (a test there fails when one is missing), and `synaptune nmodl` writes
// them next to the catalogues it generates to build them offline.
pub mod abi;
#[cfg(feature = "host")]
mod catalogue;
pub mod cnexp;
#[cfg(feature = "host")]
mod error;
mod exp_lanes;
pub mod export;
mod info;
#[cfg(feature = "host")]
mod loader;
pub mod math;
mod pack;
pub mod sources;

#[cfg(feature = "host")]
pub use catalogue::{Catalogue, MechType, Origin, Registry};
#[cfg(feature = "host")]
pub use error::{DescriptorError, LoadError};
pub use export::Mechanism;
pub use info::{FieldInfo, FieldKind, IonUse, Kind, MechInfo};
#[cfg(feature = "host")]
pub use loader::{check_header, is_library_file, load_library, load_path};
pub use pack::{Pack, DV};
