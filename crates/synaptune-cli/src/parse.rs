//! The second stage of argument parsing: flag values with structure
//! (`NAME=VALUE`, `LO:HI`) into numbers, with messages naming the flag.

use anyhow::{anyhow, bail, Result};

/// `NAME=VALUE` of `--set` and the like.
pub fn name_value(s: &str, flag: &str, example: &str) -> Result<(String, f64)> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("{flag} `{s}`: expected NAME=VALUE, e.g. {example}"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{v}` is not a number"))?;
    Ok((k.trim().to_string(), v))
}

/// `LO:HI` of a flag: finite, LO < HI.
pub fn range(s: &str, flag: &str) -> Result<(f64, f64)> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| anyhow!("{flag} `{s}`: expected LO:HI"))?;
    let lo: f64 = a
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{a}` is not a number"))?;
    let hi: f64 = b
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{b}` is not a number"))?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        bail!("{flag} `{s}`: need finite LO < HI");
    }
    Ok((lo, hi))
}
