//! Values of UNITS-block conversion factors such as `FARADAY = (faraday) (coulomb)`.
//!
//! nocmodl computes these with its units database (NEURON 9: the 2018 CODATA
//! constants). synaptune knows a table of the physical constants and SI units mod
//! files use for such factors; the value is the magnitude of the first unit
//! expression divided by that of the second, evaluated left to right the way the
//! units program multiplies its definitions (so `faraday` is `e × mole`). An
//! unknown unit name is an error with the file and line.

const E: f64 = 1.602176634e-19;
const MOLE: f64 = 6.02214076e+23;
const K: f64 = 1.380649e-23;

/// Magnitude (in SI base units) of a named unit without prefix.
fn base(name: &str) -> Option<f64> {
    Some(match name {
        "m" | "meter" | "metre" => 1.0,
        "kg" => 1.0,
        "g" | "gram" | "gm" => 1e-3,
        "sec" | "s" | "second" => 1.0,
        "min" | "minute" => 60.0,
        "coul" | "coulomb" | "coulombs" | "C" => 1.0,
        "K" | "kelvin" | "degC" | "degK" | "celsius" => 1.0,
        "joule" | "J" | "joules" => 1.0,
        "volt" | "V" | "volts" => 1.0,
        "amp" | "ampere" | "A" | "amps" => 1.0,
        "ohm" | "ohms" => 1.0,
        "siemens" | "S" | "mho" | "mhos" => 1.0,
        "farad" | "F" => 1.0,
        "watt" | "W" => 1.0,
        "hz" | "Hz" | "hertz" => 1.0,
        "liter" | "litre" | "l" | "L" => 1e-3,
        "cc" => 1e-6,
        "micron" | "microns" => 1e-6,
        "molar" | "M" => 1e3,
        "mole" | "mol" | "avogadro" => MOLE,
        "e" | "electron" => E,
        "faraday" => E * MOLE,
        "boltzmann" | "k" => K,
        "gasconstant" | "R" => K * MOLE,
        "pi" | "PI" => std::f64::consts::PI,
        "1" => 1.0,
        _ => return None,
    })
}

const PREFIXES: &[(&str, f64)] = &[
    ("yotta", 1e24),
    ("zetta", 1e21),
    ("exa", 1e18),
    ("peta", 1e15),
    ("tera", 1e12),
    ("giga", 1e9),
    ("mega", 1e6),
    ("myria", 1e4),
    ("kilo", 1e3),
    ("hecto", 1e2),
    ("deka", 1e1),
    ("deci", 1e-1),
    ("centi", 1e-2),
    ("milli", 1e-3),
    ("micro", 1e-6),
    ("nano", 1e-9),
    ("pico", 1e-12),
    ("femto", 1e-15),
    ("atto", 1e-18),
    ("G", 1e9),
    ("M", 1e6),
    ("k", 1e3),
    ("h", 1e2),
    ("d", 1e-1),
    ("c", 1e-2),
    ("m", 1e-3),
    ("u", 1e-6),
    ("n", 1e-9),
    ("p", 1e-12),
    ("f", 1e-15),
];

/// Magnitude of one word (`mM`, `kilocoulombs`, `cm2`, `k-mole`).
fn word(w: &str) -> Option<f64> {
    if let Ok(x) = w.parse::<f64>() {
        return Some(x);
    }
    if w.contains('-') && !w.starts_with('-') {
        let mut v = 1.0;
        for part in w.split('-') {
            v *= word(part)?;
        }
        return Some(v);
    }
    // trailing power digit: cm2, um3
    let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && digits < w.len() {
        let (stem, pow) = w.split_at(w.len() - digits);
        let b = word(stem)?;
        let n: i32 = pow.parse().ok()?;
        return Some(b.powi(n));
    }
    if let Some(b) = base(w) {
        return Some(b);
    }
    if let Some(s) = w.strip_suffix('s') {
        if let Some(b) = base(s) {
            return Some(b);
        }
    }
    for (p, f) in PREFIXES {
        if let Some(rest) = w.strip_prefix(p) {
            if rest.is_empty() {
                continue;
            }
            if let Some(b) = base(rest).or_else(|| rest.strip_suffix('s').and_then(base)) {
                return Some(f * b);
            }
        }
    }
    None
}

/// Magnitude of a unit expression (`joule/degC`, `1/liter`, `umho umho /ms`).
pub fn magnitude(expr: &str) -> Result<f64, String> {
    let expr = expr.replace('/', " / ");
    let mut v = 1.0;
    let mut divide = false;
    for w in expr.split_whitespace() {
        if w == "/" {
            divide = true;
            continue;
        }
        let m = word(w).ok_or_else(|| format!("unknown unit `{w}`"))?;
        if divide {
            v /= m;
        } else {
            v *= m;
        }
    }
    Ok(v)
}

/// The factor `(from) (to)`.
pub fn factor(from: &str, to: &str) -> Result<f64, String> {
    Ok(magnitude(from)? / magnitude(to)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nocmodl_values() {
        // The doubles nocmodl 9.0.2 emits for these factor definitions.
        assert_eq!(
            factor("faraday", "coulomb").unwrap(),
            f64::from_bits(0x40F78E555060882C)
        );
        assert_eq!(
            factor("faraday", "kilocoulombs").unwrap(),
            96.48533212331002
        );
        assert_eq!(factor("k-mole", "joule/degC").unwrap(), 8.31446261815324);
        assert_eq!(factor("e", "coulomb").unwrap(), 1.602176634e-19);
        assert!(factor("furlong", "coulomb").is_err());
    }
}
