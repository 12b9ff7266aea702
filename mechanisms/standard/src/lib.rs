//! # standard-mechanisms
//!
//! The standard mechanism catalogue of synaptune, ported from NEURON's built-in mod
//! files and from bmtool's example mod files, expression by expression so that the
//! floating-point results equal NEURON's. The crate is both an `rlib` (linked
//! statically into the `synaptune` binary) and a `cdylib` (loadable with
//! `--mechanisms`, which is how tests show both paths give identical traces).
//!
//! | mechanism | kind | from |
//! |---|---|---|
//! | `pas` | density | NEURON `passive.mod` |
//! | `hh` | density | NEURON `hh.mod` (with its rate TABLE, `usetable` global) |
//! | `IClamp` | point process, electrode | NEURON `stim.mod` |
#![deny(missing_docs)]

mod hh;
mod iclamp;
mod pas;

pub use hh::Hh;
pub use iclamp::IClamp;
pub use pas::Pas;

mech_api::export_catalogue!("standard", env!("CARGO_PKG_VERSION"), [Pas, IClamp, Hh]);

/// The standard catalogue as a validated [`mech_api::Catalogue`].
pub fn standard() -> mech_api::Catalogue {
    mech_api::Catalogue::from_static(catalogue()).expect("the standard catalogue is valid")
}

/// A registry holding the standard catalogue.
pub fn registry() -> mech_api::Registry {
    let mut r = mech_api::Registry::new();
    r.add(&standard());
    r
}
