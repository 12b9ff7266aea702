//! A simple stimulation protocol: current clamps, recordings, run settings. This
//! is what `synaptune simulate` runs, and what the NEURON parity fixtures use.

use cable_core::{CellSpec, Loc, ModelBuilder, ProbeId, SimError, SimOptions, Simulation};
use mech_api::Registry;

/// A current clamp `SEC:X:DEL:DUR:AMP` (ms, ms, nA).
#[derive(Debug, Clone, PartialEq)]
pub struct IClampSpec {
    /// Section name.
    pub section: String,
    /// Position.
    pub x: f64,
    /// Onset (ms).
    pub del: f64,
    /// Duration (ms).
    pub dur: f64,
    /// Amplitude (nA).
    pub amp: f64,
}

/// A recording `SEC:X:VAR`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSpec {
    /// Section name.
    pub section: String,
    /// Position.
    pub x: f64,
    /// Variable (`v`, `m_hh`, `ina`, ...).
    pub var: String,
}

impl RecordSpec {
    /// The column header: `SEC:X:VAR` as given.
    pub fn label(&self) -> String {
        format!("{}:{}:{}", self.section, fmt_x(self.x), self.var)
    }
}

fn fmt_x(x: f64) -> String {
    let s = format!("{x}");
    s
}

/// A clamp or recording argument that does not parse; the message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// Not `SEC:X:DELAY:DUR:AMP`.
    #[error("`{spec}`: expected SEC:X:DELAY:DUR:AMP (ms, ms, nA), e.g. soma:0.5:5:50:0.3")]
    IClampShape {
        /// The argument as given.
        spec: String,
    },
    /// Not `SEC:X:VAR`.
    #[error("`{spec}`: expected SEC:X:VAR, e.g. soma:0.5:v or soma:0.5:m_hh")]
    RecordShape {
        /// The argument as given.
        spec: String,
    },
    /// A field that should be a number is not.
    #[error("`{spec}`: {what} `{text}` is not a number")]
    NotANumber {
        /// The argument as given.
        spec: String,
        /// Which field (`position`, `delay`, ...).
        what: &'static str,
        /// The field's text.
        text: String,
    },
    /// A number is NaN or infinite.
    #[error("`{spec}`: {what} must be finite")]
    NotFinite {
        /// The argument as given.
        spec: String,
        /// Which field.
        what: &'static str,
    },
    /// The position is outside [0, 1].
    #[error("`{spec}`: position must be in [0, 1]")]
    BadPosition {
        /// The argument as given.
        spec: String,
    },
    /// The duration is negative.
    #[error("`{spec}`: duration must be ≥ 0")]
    NegativeDuration {
        /// The argument as given.
        spec: String,
    },
}

fn num(s: &str, what: &'static str, spec: &str) -> Result<f64, SpecError> {
    let x: f64 = s.trim().parse().map_err(|_| SpecError::NotANumber {
        spec: spec.to_string(),
        what,
        text: s.to_string(),
    })?;
    if !x.is_finite() {
        return Err(SpecError::NotFinite {
            spec: spec.to_string(),
            what,
        });
    }
    Ok(x)
}

/// The position field of `spec`, in [0, 1].
fn position(s: &str, spec: &str) -> Result<f64, SpecError> {
    let x = num(s, "position", spec)?;
    if !(0.0..=1.0).contains(&x) {
        return Err(SpecError::BadPosition {
            spec: spec.to_string(),
        });
    }
    Ok(x)
}

impl std::str::FromStr for IClampSpec {
    type Err = SpecError;
    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let p: Vec<&str> = spec.split(':').collect();
        if p.len() != 5 {
            return Err(SpecError::IClampShape {
                spec: spec.to_string(),
            });
        }
        let x = position(p[1], spec)?;
        let dur = num(p[3], "duration", spec)?;
        if dur < 0.0 {
            return Err(SpecError::NegativeDuration {
                spec: spec.to_string(),
            });
        }
        Ok(IClampSpec {
            section: p[0].to_string(),
            x,
            del: num(p[2], "delay", spec)?,
            dur,
            amp: num(p[4], "amplitude", spec)?,
        })
    }
}

impl std::str::FromStr for RecordSpec {
    type Err = SpecError;
    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let p: Vec<&str> = spec.split(':').collect();
        if p.len() != 3 || p[2].is_empty() || p[0].is_empty() {
            return Err(SpecError::RecordShape {
                spec: spec.to_string(),
            });
        }
        let x = position(p[1], spec)?;
        Ok(RecordSpec {
            section: p[0].to_string(),
            x,
            var: p[2].to_string(),
        })
    }
}

/// Run settings plus stimuli and recordings.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    /// Current clamps.
    pub iclamps: Vec<IClampSpec>,
    /// Recordings (time is always recorded first).
    pub records: Vec<RecordSpec>,
    /// Stop time (ms).
    pub tstop: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// Initial voltage (mV).
    pub v_init: f64,
    /// 0 backward Euler, 2 Crank–Nicolson.
    pub secondorder: i32,
    /// Mechanism globals as NEURON names them (`usetable_hh`), with values.
    pub globals: Vec<(String, f64)>,
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            iclamps: Vec::new(),
            records: Vec::new(),
            tstop: 5.0,
            dt: 0.025,
            celsius: 6.3,
            v_init: -65.0,
            secondorder: 0,
            globals: Vec::new(),
        }
    }
}

/// Recorded columns: `t` first, then one per [`RecordSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct Traces {
    /// Column headers.
    pub names: Vec<String>,
    /// Columns (all of the same length).
    pub columns: Vec<Vec<f64>>,
}

/// Split a NEURON global name `<name>_<mechanism>` using the registry.
pub fn split_global(reg: &Registry, global: &str) -> Option<(String, String)> {
    let mut idx = global.len();
    while let Some(k) = global[..idx].rfind('_') {
        let (name, mech) = (&global[..k], &global[k + 1..]);
        if let Some(t) = reg.get(mech) {
            if t.info.global_index(name).is_some() {
                return Some((t.info.name.clone(), name.to_string()));
            }
        }
        idx = k;
    }
    None
}

/// Build a simulation of one cell with the protocol's clamps and recordings.
pub fn build(
    reg: &Registry,
    cell: &CellSpec,
    p: &Protocol,
) -> Result<(Simulation, Vec<ProbeId>), SimError> {
    let mut b = ModelBuilder::new(reg);
    let c = b.add_cell(cell)?;
    for ic in &p.iclamps {
        b.add_point(
            "IClamp",
            Loc::new(c, &ic.section, ic.x),
            &[("del", ic.del), ("dur", ic.dur), ("amp", ic.amp)],
        )?;
    }
    for (g, v) in &p.globals {
        let (mech, name) = split_global(reg, g).ok_or_else(|| SimError::UnknownField {
            mech: "(any)".into(),
            what: "global",
            name: g.clone(),
            known: reg
                .types()
                .iter()
                .flat_map(|t| {
                    t.info
                        .globals
                        .iter()
                        .map(move |gl| format!("{}_{}", gl.name, t.info.name))
                })
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        b.set_global(&mech, &name, *v)?;
    }
    let mut sim = b.build(SimOptions {
        dt: p.dt,
        celsius: p.celsius,
        secondorder: p.secondorder,
        ..SimOptions::default()
    })?;
    let mut probes = vec![sim.record_time()];
    for r in &p.records {
        probes.push(sim.record(c.0, &r.section, r.x, &r.var)?);
    }
    Ok((sim, probes))
}

/// Run the protocol (`finitialize(v_init)`, `continuerun(tstop)`) and return the
/// recorded traces.
pub fn run(reg: &Registry, cell: &CellSpec, p: &Protocol) -> Result<Traces, SimError> {
    let (mut sim, probes) = build(reg, cell, p)?;
    sim.run(p.tstop, p.v_init)?;
    let mut names = vec!["t".to_string()];
    names.extend(p.records.iter().map(|r| r.label()));
    Ok(Traces {
        names,
        columns: probes.iter().map(|&k| sim.trace(k).to_vec()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages are what `synaptune simulate` prints after `--iclamp ` or
    /// `--record `: they must not change.
    #[test]
    fn parse_errors_keep_their_messages() {
        let msg = |s: &str| s.parse::<IClampSpec>().unwrap_err().to_string();
        assert_eq!(
            msg("soma:0.5:5"),
            "`soma:0.5:5`: expected SEC:X:DELAY:DUR:AMP (ms, ms, nA), e.g. soma:0.5:5:50:0.3"
        );
        assert_eq!(
            msg("soma:2:5:50:0.3"),
            "`soma:2:5:50:0.3`: position must be in [0, 1]"
        );
        assert_eq!(
            msg("soma:0.5:5:-1:0.3"),
            "`soma:0.5:5:-1:0.3`: duration must be ≥ 0"
        );
        assert_eq!(
            msg("soma:0.5: x:50:0.3"),
            "`soma:0.5: x:50:0.3`: delay ` x` is not a number"
        );
        assert_eq!(
            msg("soma:0.5:5:50:inf"),
            "`soma:0.5:5:50:inf`: amplitude must be finite"
        );
        let rec = |s: &str| s.parse::<RecordSpec>().unwrap_err().to_string();
        assert_eq!(
            rec("soma:0.5"),
            "`soma:0.5`: expected SEC:X:VAR, e.g. soma:0.5:v or soma:0.5:m_hh"
        );
        assert_eq!(
            rec("soma:-0.1:v"),
            "`soma:-0.1:v`: position must be in [0, 1]"
        );
        assert_eq!(rec("soma:y:v"), "`soma:y:v`: position `y` is not a number");
    }

    #[test]
    fn specs_parse() {
        let ic: IClampSpec = "soma[0]:0.5:5:50:0.3".parse().unwrap();
        assert_eq!(
            (ic.section.as_str(), ic.x, ic.del, ic.dur, ic.amp),
            ("soma[0]", 0.5, 5.0, 50.0, 0.3)
        );
        let r: RecordSpec = "dend:1:m_hh".parse().unwrap();
        assert_eq!(r.label(), "dend:1:m_hh");
    }
}
