//! Field layouts of nainter, kdrinter and hh: each field's position in its
//! `MechInfo` order, and hh's rate table's range. The scalar mechanisms
//! (`channels`, `hh`) and their lane kernels (`channel_lanes`) both read them
//! here, so the mechanisms may call the kernels without the kernels importing
//! the mechanisms' files back.

// nainter.
pub(crate) const N_GNABAR: usize = 0;
pub(crate) const N_MV05: usize = 1;
pub(crate) const N_HV05: usize = 2;
pub(crate) const N_MTAU_INV: usize = 3;
pub(crate) const N_HTAU_INV: usize = 4;
pub(crate) const N_MINF: usize = 5;
pub(crate) const N_HINF: usize = 6;
pub(crate) const N_MTAU: usize = 7;
pub(crate) const N_HTAU: usize = 8;
pub(crate) const N_GNA: usize = 9;
pub(crate) const N_M: usize = 10;
pub(crate) const N_H: usize = 11;

// kdrinter.
pub(crate) const K_GKDRBAR: usize = 0;
pub(crate) const K_V05: usize = 1;
pub(crate) const K_TAU_INV: usize = 2;
pub(crate) const K_INF: usize = 3;
pub(crate) const K_TAU: usize = 4;
pub(crate) const K_GKDR: usize = 5;
pub(crate) const K_N: usize = 6;

/// hh's fields and rate table.
pub(crate) mod hh {
    pub(crate) const GNABAR: usize = 0;
    pub(crate) const GKBAR: usize = 1;
    pub(crate) const GL: usize = 2;
    pub(crate) const EL: usize = 3;
    pub(crate) const GNA: usize = 4;
    pub(crate) const GK: usize = 5;
    pub(crate) const IL: usize = 6;
    pub(crate) const MINF: usize = 7;
    pub(crate) const HINF: usize = 8;
    pub(crate) const NINF: usize = 9;
    pub(crate) const MTAU: usize = 10;
    pub(crate) const HTAU: usize = 11;
    pub(crate) const NTAU: usize = 12;
    pub(crate) const M: usize = 13;
    pub(crate) const H: usize = 14;
    pub(crate) const N: usize = 15;

    pub(crate) const TMIN: f64 = -100.0;
    pub(crate) const TMAX: f64 = 100.0;
    pub(crate) const NTAB: usize = 200;
}
