//! Per-node ion storage.

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
}

impl IonStore {
    pub fn new(name: &str, n: usize) -> IonStore {
        let (e, ci, co, _) = ion_defaults(name);
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
        }
    }

    pub fn reset(&mut self) {
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
