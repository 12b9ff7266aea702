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
//! | `Exp2Syn`, `ExpSyn` | point processes | NEURON `exp2syn.mod`, `expsyn.mod` (BMTK's `exp2syn` resolves to `Exp2Syn`) |
//! | `SEClamp`, `VClamp` | point processes, electrode | NEURON `svclmp.mod`, `vclmp.mod` |
//! | `NetStim` | artificial cell | NEURON `netstim.mod` (noise from synaptune's own seeded generator) |
//! | `VecStim` | artificial cell | NEURON's `vecevent.mod` |
//! | `Exp2Syn_STP` | point process | bmtool's `exp2syn_stp.mod` (STP state per synapse) |
//! | `GABA_A_STP`, `AMPA_NMDA_STP` | point processes | bmtool's mod files (STP state per connection) |
//! | `Gap` | point process, electrode | bmtool's `gap.mod` |
//! | `leak`, `nainter`, `kdrinter` | density | bmtool's FSI channels |
//!
//! Every expression follows the C that NEURON's `nocmodl` generates for the mod
//! file (operation order included), which is why traces are bit-identical.
#![deny(missing_docs)]

mod ampa_nmda_stp;
mod channel_lanes;
mod channels;
mod clamps;
mod cnexp;
mod exp2syn;
mod exp2syn_stp;
mod gaba_a_stp;
mod gap;
mod hh;
mod iclamp;
mod layout;
mod pas;
mod stims;

pub use ampa_nmda_stp::AmpaNmdaStp;
pub use channels::{KdrInter, Leak, NaInter};
pub use clamps::{simeq, simeq3, simeq3_many, SEClamp, VClamp};
pub use exp2syn::{Exp2Syn, ExpSyn};
pub use exp2syn_stp::Exp2SynStp;
pub use gaba_a_stp::GabaAStp;
pub use gap::Gap;
pub use hh::Hh;
pub use iclamp::IClamp;
pub use pas::Pas;
pub use stims::{NetStim, VecStim};

mech_api::export_catalogue!(
    "standard",
    env!("CARGO_PKG_VERSION"),
    [
        Pas,
        IClamp,
        ExpSyn,
        Exp2Syn,
        SEClamp,
        VClamp,
        Hh,
        NetStim,
        VecStim,
        Exp2SynStp,
        GabaAStp,
        AmpaNmdaStp,
        Gap,
        Leak,
        NaInter,
        KdrInter
    ]
);

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
