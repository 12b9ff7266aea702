//! Per-node ion storage, and NEURON's ion styles: when a mechanism reads or
//! writes a concentration, the reversal potential is computed from the
//! concentrations with the Nernst equation (NEURON 9's `eion.cpp`: `nrn_promote`,
//! `ion_init`, `ion_cur`, `nrn_wrote_conc`, with the 2018 CODATA constants).

/// NEURON's default values for an ion species: (reversal potential mV, inner mM,
/// outer mM, valence). `ca`'s reversal potential is NEURON's
/// `12.5 * log(cao/cai)` at the default concentrations.
pub fn ion_defaults(name: &str) -> (f64, f64, f64, i32) {
    match name {
        "na" => (50.0, 10.0, 140.0, 1),
        "k" => (-77.0, 54.4, 2.5, 1),
        "ca" => (12.5 * (2.0f64 / 5e-5).ln(), 5e-5, 2.0, 2),
        _ => (0.0, 1.0, 1.0, 1),
    }
}

/// Faraday's constant (C/mol), as NEURON 9 computes it (`e × N_A`).
const FARADAY: f64 = 1.602176634e-19 * 6.02214076e+23;
/// The gas constant (J/(K·mol)), as NEURON 9 computes it (`k × N_A`).
const GASCONSTANT: f64 = 1.380649e-23 * 6.02214076e+23;

/// NEURON's `nrn_nernst(ci, co, z)` at `celsius` (mV).
pub fn nernst(ci: f64, co: f64, z: f64, celsius: f64) -> f64 {
    if z == 0.0 {
        return 0.0;
    }
    if ci <= 0.0 {
        1e6
    } else if co <= 0.0 {
        -1e6
    } else {
        let ktf = 1000. * GASCONSTANT * (celsius + 273.15) / FARADAY;
        ktf / z * (co / ci).ln()
    }
}

/// Ion-style bits (NEURON's `iontype`): initialize concentrations.
pub(crate) const STYLE_CINIT: u32 = 0o4;
/// Compute the reversal potential at initialization.
pub(crate) const STYLE_EINIT: u32 = 0o40;
/// Compute the reversal potential at every step (concentrations are states).
pub(crate) const STYLE_EADVANCE: u32 = 0o100;

/// NEURON's `nrn_promote`: a mechanism at a node uses the ion with `conc` (0
/// unused, 1 read, 3 written concentrations) and `rev` (0 unused, 1 read, 3
/// written reversal potential).
pub(crate) fn promote(it: &mut u32, conc: u32, rev: u32) {
    let mut oldconc = *it & 0o3;
    let mut oldrev = (*it & 0o30) >> 3;
    if oldconc < conc {
        oldconc = conc;
    }
    if oldrev < rev {
        oldrev = rev;
    }
    if oldconc > 0 && oldrev < 2 {
        oldrev = 2;
    }
    *it &= !0o177;
    *it += oldconc + 0o10 * oldrev;
    if oldconc == 3 {
        *it += STYLE_CINIT;
        if oldrev == 2 {
            *it += STYLE_EADVANCE;
        }
    }
    if oldconc > 0 && oldrev == 2 {
        *it += STYLE_EINIT;
    }
}

/// `(conc, rev)` of [`promote`] for mechanism-api ion flags.
pub(crate) fn style_use(flags: u32) -> (u32, u32) {
    use mech_api::abi::*;
    let mut conc = 0;
    let mut rev = 0;
    if flags & (ION_READ_CI | ION_READ_CO) != 0 {
        conc = 1;
    }
    if flags & ION_READ_E != 0 {
        rev = 1;
    }
    if flags & (ION_WRITE_CI | ION_WRITE_CO) != 0 {
        conc = 3;
    }
    if flags & ION_WRITE_E != 0 {
        rev = 3;
    }
    (conc, rev)
}

/// Which ion variable a probe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IonVar {
    /// `e<ion>`.
    E,
    /// `i<ion>`.
    I,
    /// `<ion>i`.
    Ci,
    /// `<ion>o`.
    Co,
}

/// One ion species over all nodes.
#[derive(Debug, Clone)]
pub(crate) struct IonStore {
    pub name: String,
    pub e: Vec<f64>,
    pub i: Vec<f64>,
    pub didv: Vec<f64>,
    pub ci: Vec<f64>,
    pub co: Vec<f64>,
    /// Values at build time, restored at every initialisation.
    pub e0: Vec<f64>,
    pub ci0: Vec<f64>,
    pub co0: Vec<f64>,
    /// NEURON's ion style per node (0: the reversal potential is a parameter).
    pub style: Vec<u32>,
    /// Charge number.
    pub charge: f64,
    /// Whether any node's style recomputes `e` every step (set by `reset`,
    /// which follows every change of `style`).
    eadvance: bool,
}

impl IonStore {
    pub fn new(name: &str, n: usize, valence: i32) -> IonStore {
        let (e, ci, co, z) = ion_defaults(name);
        let charge = if matches!(name, "na" | "k" | "ca") {
            z as f64
        } else {
            valence as f64
        };
        IonStore {
            name: name.to_string(),
            e: vec![e; n],
            i: vec![0.0; n],
            didv: vec![0.0; n],
            ci: vec![ci; n],
            co: vec![co; n],
            e0: vec![e; n],
            ci0: vec![ci; n],
            co0: vec![co; n],
            style: vec![0; n],
            charge,
            eadvance: false,
        }
    }

    /// NEURON's `ion_init` after [`IonStore::reset`]: reversal potentials of
    /// nodes whose concentrations are used are computed from them.
    pub fn ion_init(&mut self, celsius: f64) {
        for k in 0..self.e.len() {
            if self.style[k] & STYLE_EINIT != 0 {
                self.e[k] = nernst(self.ci[k], self.co[k], self.charge, celsius);
            }
        }
    }

    /// NEURON's `ion_cur`, at the start of every matrix assembly: currents and
    /// their derivatives are zeroed, and reversal potentials of nodes whose
    /// concentrations are states are recomputed.
    pub fn ion_cur(&mut self, celsius: f64) {
        self.i.iter_mut().for_each(|x| *x = 0.0);
        self.didv.iter_mut().for_each(|x| *x = 0.0);
        if self.eadvance {
            for k in 0..self.e.len() {
                if self.style[k] & STYLE_EADVANCE != 0 {
                    self.e[k] = nernst(self.ci[k], self.co[k], self.charge, celsius);
                }
            }
        }
    }

    /// NEURON's `nrn_wrote_conc`: after a mechanism's INITIAL wrote a
    /// concentration at `node`.
    pub fn wrote_conc(&mut self, node: usize, celsius: f64) {
        if self.style[node] & STYLE_EINIT != 0 {
            self.e[node] = nernst(self.ci[node], self.co[node], self.charge, celsius);
        }
    }

    pub fn reset(&mut self) {
        self.eadvance = self.style.iter().any(|s| s & STYLE_EADVANCE != 0);
        self.e.copy_from_slice(&self.e0);
        self.ci.copy_from_slice(&self.ci0);
        self.co.copy_from_slice(&self.co0);
        self.i.iter_mut().for_each(|x| *x = 0.0);
        self.didv.iter_mut().for_each(|x| *x = 0.0);
    }

    pub fn get(&self, what: IonVar, node: usize) -> f64 {
        match what {
            IonVar::E => self.e[node],
            IonVar::I => self.i[node],
            IonVar::Ci => self.ci[node],
            IonVar::Co => self.co[node],
        }
    }
}

/// Split a NEURON ion variable name (`ena`, `ina`, `nai`, `nao`) into ion and kind,
/// for the ions in `known`.
pub fn parse_ion_var<'a>(
    var: &str,
    known: impl Iterator<Item = &'a str>,
) -> Option<(String, IonVar)> {
    for ion in known {
        if var == format!("e{ion}") {
            return Some((ion.to_string(), IonVar::E));
        }
        if var == format!("i{ion}") {
            return Some((ion.to_string(), IonVar::I));
        }
        if var == format!("{ion}i") {
            return Some((ion.to_string(), IonVar::Ci));
        }
        if var == format!("{ion}o") {
            return Some((ion.to_string(), IonVar::Co));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promote_follows_neuron() {
        // A channel reading ena only: e is a parameter (no init, no advance).
        let mut s = 0;
        promote(&mut s, 0, 1);
        assert_eq!(s & (STYLE_EINIT | STYLE_EADVANCE | STYLE_CINIT), 0);
        // Reading cai: e is computed at initialization.
        let mut s = 0;
        promote(&mut s, 1, 0);
        assert_eq!(
            s & (STYLE_EINIT | STYLE_EADVANCE | STYLE_CINIT),
            STYLE_EINIT
        );
        // A pool writing cai, then a channel reading eca: every step.
        let mut s = 0;
        promote(&mut s, 3, 0);
        promote(&mut s, 0, 1);
        assert_eq!(
            s & (STYLE_EINIT | STYLE_EADVANCE | STYLE_CINIT),
            STYLE_EINIT | STYLE_EADVANCE | STYLE_CINIT
        );
        // Order does not matter.
        let mut t = 0;
        promote(&mut t, 0, 1);
        promote(&mut t, 3, 0);
        assert_eq!(s, t);
    }

    #[test]
    fn nernst_matches_neuron() {
        // NEURON 9.0.2: h.nernst(5e-5, 2, 2) at celsius 6.3 and 37 (2018 CODATA).
        assert_eq!(nernst(5e-5, 2.0, 2.0, 6.3), 127.58951061761749);
        assert_eq!(nernst(5e-5, 2.0, 2.0, 37.0), 141.6063221257973);
        assert_eq!(nernst(0.0, 2.0, 2.0, 6.3), 1e6);
    }
}
