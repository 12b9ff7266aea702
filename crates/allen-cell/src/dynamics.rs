//! The dynamics_params JSON of an Allen cell (`passive`, `genome`,
//! `conditions`, ...), read with the path of every field at hand so that each
//! error names the field (`genome[3].value`) and what was expected.

use crate::error::Error;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A parsed dynamics_params file.
#[derive(Debug, Clone, PartialEq)]
pub struct Dynamics {
    /// Where it was read from.
    pub file: PathBuf,
    /// The document.
    pub doc: Value,
}

impl Dynamics {
    /// Read a dynamics_params JSON file.
    pub fn read(path: &Path) -> Result<Dynamics, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Dynamics::parse(&text, path)
    }

    /// Parse dynamics_params JSON text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Dynamics, Error> {
        let doc: Value = serde_json::from_str(text).map_err(|e| Error::Dynamics {
            file: file.to_path_buf(),
            field: format!("line {}, column {}", e.line(), e.column()),
            message: format!("not valid JSON: {e}"),
        })?;
        if !doc.is_object() {
            return Err(Error::Dynamics {
                file: file.to_path_buf(),
                field: "(top level)".into(),
                message: "expected a JSON object with passive, genome and conditions".into(),
            });
        }
        Ok(Dynamics {
            file: file.to_path_buf(),
            doc,
        })
    }

    /// `conditions[0].celsius`, if it is a number.
    pub fn celsius(&self) -> Option<f64> {
        self.doc
            .pointer("/conditions/0/celsius")
            .and_then(number_like)
    }

    /// `conditions[0].v_init`, if it is a number.
    pub fn v_init(&self) -> Option<f64> {
        self.doc
            .pointer("/conditions/0/v_init")
            .and_then(number_like)
    }

    /// An error about `field`.
    pub(crate) fn err(&self, field: &str, message: impl Into<String>) -> Error {
        Error::Dynamics {
            file: self.file.clone(),
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// `doc[key]` (Python's `d[key]`: missing is an error).
    pub(crate) fn top(&self, key: &str) -> Result<Field<'_>, Error> {
        Field::root(self).get(key)
    }
}

/// A number, or a string Python's `float()` reads.
fn number_like(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => python_float(s),
        _ => None,
    }
}

/// Python's `float(str)` for the decimal forms (surrounding whitespace and
/// `_` between digits allowed).
pub(crate) fn python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let cleaned: String = t.chars().filter(|&c| c != '_').collect();
    if t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

/// A value of the document with its path.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    d: &'a Dynamics,
    v: &'a Value,
    path: String,
}

impl<'a> Field<'a> {
    fn root(d: &'a Dynamics) -> Field<'a> {
        Field {
            d,
            v: &d.doc,
            path: String::new(),
        }
    }

    /// The path of this field (`genome[3].value`).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else if key.starts_with('[') {
            format!("{}{key}", self.path)
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn with(&self, v: &'a Value, path: String) -> Field<'a> {
        Field { d: self.d, v, path }
    }

    fn object(&self) -> Result<&'a Map<String, Value>, Error> {
        self.v.as_object().ok_or_else(|| {
            self.d
                .err(&self.path, format!("expected an object, found {}", self.v))
        })
    }

    /// `self[key]`, required.
    pub fn get(&self, key: &str) -> Result<Field<'a>, Error> {
        let o = self.object()?;
        let path = self.child_path(key);
        match o.get(key) {
            Some(v) => Ok(self.with(v, path)),
            None => Err(self.d.err(&path, "missing")),
        }
    }

    /// `self.get(key)` in Python: absent is `None`.
    pub fn opt(&self, key: &str) -> Result<Option<Field<'a>>, Error> {
        let o = self.object()?;
        Ok(o.get(key).map(|v| self.with(v, self.child_path(key))))
    }

    /// The elements of an array.
    pub fn items(&self) -> Result<Vec<Field<'a>>, Error> {
        let a = self.v.as_array().ok_or_else(|| {
            self.d
                .err(&self.path, format!("expected an array, found {}", self.v))
        })?;
        Ok(a.iter()
            .enumerate()
            .map(|(k, v)| self.with(v, self.child_path(&format!("[{k}]"))))
            .collect())
    }

    /// `self[0]` of an array.
    pub fn first(&self) -> Result<Field<'a>, Error> {
        self.items()?
            .into_iter()
            .next()
            .ok_or_else(|| self.d.err(&self.path, "expected a non-empty array"))
    }

    /// A finite number.
    pub fn number(&self) -> Result<f64, Error> {
        match self.v.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(self.d.err(
                &self.path,
                format!("expected a finite number, found {}", self.v),
            )),
        }
    }

    /// Python's `float(value)`: a finite number, or a string that reads as one.
    pub fn float(&self) -> Result<f64, Error> {
        match number_like(self.v) {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(self.d.err(
                &self.path,
                format!(
                    "expected a finite number (or a string holding one), found {}",
                    self.v
                ),
            )),
        }
    }

    /// A string.
    pub fn string(&self) -> Result<&'a str, Error> {
        self.v.as_str().ok_or_else(|| {
            self.d
                .err(&self.path, format!("expected a string, found {}", self.v))
        })
    }
}
