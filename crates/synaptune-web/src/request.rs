//! Reading request bodies: a JSON object whose every field is checked, with a
//! message that names the field (400 for a wrong type or an unknown field, 422
//! for a value out of range).

use crate::error::ApiError;
use serde_json::{Map, Value};

/// A request's model: which connection, with what.
#[derive(Debug, Default, Clone)]
pub struct RunSpec {
    /// Network (configs with several).
    pub network: Option<String>,
    /// Connection (default: the network's first).
    pub connection: Option<String>,
    /// Parameter values to set (they persist).
    pub params: Vec<(String, f64)>,
    /// Voltage-clamp mode.
    pub vclamp: Option<bool>,
    /// Holding potential (mV; persists for the connection).
    pub vclamp_amp: Option<f64>,
    /// Extra synapse variables to record.
    pub record: Option<Vec<String>>,
    /// Which current the responses are measured on (`"synapse"` or `"clamp"`).
    pub measure: Option<tuner_opt::Measure>,
}

/// A request's place in a page lane: the page's `client` (one id per lane of
/// one page: its runs, its frequency response, its gap junction) and `seq`
/// (increasing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The lane.
    pub client: String,
    /// The request's number in it.
    pub seq: u64,
}

/// A request body being read.
pub struct Body {
    obj: Map<String, Value>,
    seen: Vec<&'static str>,
}

impl Body {
    /// Parse a body (empty means `{}`).
    pub fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body {
                obj: Map::new(),
                seen: Vec::new(),
            });
        }
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        match v {
            Value::Object(obj) => Ok(Body {
                obj,
                seen: Vec::new(),
            }),
            other => Err(ApiError::bad_request(format!(
                "the body must be a JSON object, found {}",
                kind(&other)
            ))),
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&Value> {
        self.seen.push(key);
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// An optional string.
    pub fn string(&mut self, key: &'static str) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(type_error(key, "a string", v)),
        }
    }

    /// An optional boolean.
    pub fn boolean(&mut self, key: &'static str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(type_error(key, "true or false", v)),
        }
    }

    /// An optional number within `[lo, hi]` (`lo` excluded when `open_lo`).
    pub fn number(
        &mut self,
        key: &'static str,
        lo: f64,
        hi: f64,
        open_lo: bool,
        unit: &str,
    ) -> Result<Option<f64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                check_range(key, x, lo, hi, open_lo, unit)?;
                Ok(Some(x))
            }
            Some(v) => Err(type_error(key, "a number", v)),
        }
    }

    /// An optional list of strings.
    pub fn strings(&mut self, key: &'static str) -> Result<Option<Vec<String>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => Ok(s.clone()),
                    v => Err(type_error(key, "a list of strings", v)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(type_error(key, "a list of strings", v)),
        }
    }

    /// An optional list of numbers, each within `(lo, hi]`.
    pub fn numbers(
        &mut self,
        key: &'static str,
        lo: f64,
        hi: f64,
        max_len: usize,
        unit: &str,
    ) -> Result<Option<Vec<f64>>, ApiError> {
        let a = match self.get(key) {
            None => return Ok(None),
            Some(Value::Array(a)) => a.clone(),
            Some(v) => return Err(type_error(key, "a list of numbers", v)),
        };
        if a.is_empty() || a.len() > max_len {
            return Err(ApiError::unprocessable(format!(
                "field `{key}`: give 1 to {max_len} values, found {}",
                a.len()
            )));
        }
        a.iter()
            .map(|x| match x {
                Value::Number(n) => {
                    let x = n.as_f64().unwrap_or(f64::NAN);
                    check_range(key, x, lo, hi, true, unit)?;
                    Ok(x)
                }
                v => Err(type_error(key, "a list of numbers", v)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `params`: an object of numbers (ranges are the model's to check).
    pub fn params(&mut self) -> Result<Vec<(String, f64)>, ApiError> {
        match self.get("params") {
            None => Ok(Vec::new()),
            Some(Value::Object(o)) => o
                .iter()
                .map(|(k, v)| match v {
                    Value::Number(n) => Ok((k.clone(), n.as_f64().unwrap_or(f64::NAN))),
                    v => Err(ApiError::bad_request(format!(
                        "parameter `{k}`: expected a number, found {}",
                        kind(v)
                    ))),
                })
                .collect(),
            Some(v) => Err(type_error("params", "an object {name: number}", v)),
        }
    }

    /// The fields naming a model and its values (`network`, `connection`,
    /// `params`, `vclamp`, `vclamp_amp`, `record`, `measure`).
    pub fn run_spec(&mut self) -> Result<RunSpec, ApiError> {
        let (alo, ahi) = limits::VCLAMP_AMP;
        Ok(RunSpec {
            network: self.string("network")?,
            connection: self.string("connection")?,
            params: self.params()?,
            vclamp: self.boolean("vclamp")?,
            vclamp_amp: self.number("vclamp_amp", alo, ahi, false, "mV")?,
            record: self.strings("record")?,
            measure: match self.string("measure")? {
                None => None,
                Some(m) => Some(m.parse().map_err(|e: String| {
                    ApiError::unprocessable(format!("field `measure`: {e}"))
                })?),
            },
        })
    }

    /// `client` (a page lane's id, at most 200 characters) and `seq` (its
    /// request number, an integer ≥ 0), both or neither.
    pub fn ticket(&mut self) -> Result<Option<Ticket>, ApiError> {
        let client = self.string("client")?;
        let seq = self.number("seq", 0.0, 9.007_199_254_740_991e15, false, "")?;
        match (client, seq) {
            (None, None) => Ok(None),
            (Some(c), Some(n)) if c.chars().count() <= 200 && n.fract() == 0.0 => {
                Ok(Some(Ticket {
                    client: c,
                    seq: n as u64,
                }))
            }
            _ => Err(ApiError::unprocessable(
                "fields `client` and `seq`: give both or neither (a lane id of at most 200 characters and an integer request number)",
            )),
        }
    }

    /// Refuse fields nobody read.
    pub fn finish(self) -> Result<(), ApiError> {
        let mut unknown: Vec<&String> = self
            .obj
            .keys()
            .filter(|k| !self.seen.contains(&k.as_str()))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        unknown.sort();
        let mut known = self.seen.clone();
        known.sort();
        known.dedup();
        Err(ApiError::bad_request(format!(
            "unknown field `{}`; this request takes {}",
            unknown[0],
            known.join(", ")
        )))
    }
}

fn check_range(
    key: &str,
    x: f64,
    lo: f64,
    hi: f64,
    open_lo: bool,
    unit: &str,
) -> Result<(), ApiError> {
    let ok = x.is_finite() && (if open_lo { x > lo } else { x >= lo }) && x <= hi;
    if ok {
        return Ok(());
    }
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    Err(ApiError::unprocessable(format!(
        "field `{key}`: {x}{unit} is out of range; expected {lo} {} value ≤ {hi}{unit}",
        if open_lo { "<" } else { "≤" }
    )))
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", truncate(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn type_error(key: &str, expected: &str, v: &Value) -> ApiError {
    ApiError::bad_request(format!(
        "field `{key}`: expected {expected}, found {}",
        kind(v)
    ))
}

/// Limits of the request values.
pub mod limits {
    /// Highest input frequency (Hz).
    pub const FREQ_MAX: f64 = 1000.0;
    /// Longest recovery delay (ms).
    pub const DELAY_MAX: f64 = 20_000.0;
    /// Longest continuous-input duration (ms).
    pub const DURATION_MAX: f64 = 20_000.0;
    /// Holding potentials (mV).
    pub const VCLAMP_AMP: (f64, f64) = (-200.0, 200.0);
    /// Largest gap conductance (µS).
    pub const G_MAX: f64 = 100.0;
    /// Most frequencies in one frequency response.
    pub const FREQS_MAX: usize = 64;
}
