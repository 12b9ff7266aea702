//! The one JSON helper every settings format reads through: it knows which
//! file it reads and turns a wrong value into a [`SettingsError`] naming the
//! file, the field and what was expected.

use super::{SettingsError, SettingsErrorKind as K};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Reading context: the file a value came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
}

impl<'a> Ctx<'a> {
    /// A context for values of `file`.
    pub fn new(file: &'a Path) -> Self {
        Ctx { file }
    }

    /// An error at `field`.
    pub fn err(&self, field: &str, kind: K, message: impl Into<String>) -> SettingsError {
        SettingsError {
            file: self.file.to_path_buf(),
            field: field.to_string(),
            kind,
            message: message.into(),
        }
    }

    /// The file's JSON.
    pub fn read_json(&self) -> Result<Value, SettingsError> {
        let text = std::fs::read_to_string(self.file)
            .map_err(|e| self.err("(file)", K::Io, format!("cannot read: {e}")))?;
        serde_json::from_str(&text).map_err(|e| {
            self.err(
                "(file)",
                K::Syntax,
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    /// A JSON object, or `what` is expected.
    pub fn object<'v>(
        &self,
        field: &str,
        v: &'v Value,
        what: &str,
    ) -> Result<&'v Map<String, Value>, SettingsError> {
        v.as_object()
            .ok_or_else(|| self.err(field, K::BadValue, what.to_string()))
    }

    /// A finite number.
    pub fn num(&self, field: &str, v: &Value) -> Result<f64, SettingsError> {
        let x = v
            .as_f64()
            .ok_or_else(|| self.err(field, K::BadValue, format!("expected a number, found {v}")))?;
        if !x.is_finite() {
            return Err(self.err(field, K::BadValue, "expected a finite number"));
        }
        Ok(x)
    }

    /// An optional finite number.
    pub fn opt_num(&self, field: &str, v: Option<&Value>) -> Result<Option<f64>, SettingsError> {
        v.map(|x| self.num(field, x)).transpose()
    }

    /// A position on a section: a number in [0, 1].
    pub fn position(&self, field: &str, x: f64) -> Result<f64, SettingsError> {
        if !(0.0..=1.0).contains(&x) {
            return Err(self.err(field, K::BadValue, format!("must be in [0, 1], found {x}")));
        }
        Ok(x)
    }

    /// A section index: a whole number ≥ 0.
    pub fn section_index(&self, field: &str, x: f64) -> Result<usize, SettingsError> {
        if !(x >= 0.0 && x.fract() == 0.0) {
            return Err(self.err(
                field,
                K::BadValue,
                format!("must be a section index ≥ 0, found {x}"),
            ));
        }
        Ok(x as usize)
    }

    /// A string, required: `what` says what it names.
    pub fn string(
        &self,
        field: &str,
        v: Option<&Value>,
        what: &str,
    ) -> Result<String, SettingsError> {
        v.and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.err(field, K::Missing, format!("missing; expected {what}")))
    }

    /// `{name: path}` with the paths resolved against `base` (the `cells` key).
    pub fn paths(
        &self,
        field: &str,
        v: &Value,
        base: &Path,
        what: &str,
    ) -> Result<Vec<(String, PathBuf)>, SettingsError> {
        let o = self.object(field, v, what)?;
        o.iter()
            .map(|(k, p)| {
                let p = p.as_str().ok_or_else(|| {
                    self.err(&format!("{field}.{k}"), K::BadValue, "expected a path")
                })?;
                Ok((k.clone(), base.join(p)))
            })
            .collect()
    }

    /// Refuse keys of `o` outside `known` (`expected` lists them for the message).
    pub fn known_keys(
        &self,
        prefix: &str,
        o: &Map<String, Value>,
        known: &[&str],
        expected: &str,
    ) -> Result<(), SettingsError> {
        match o.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(self.err(&format!("{prefix}{k}"), K::UnknownField, expected)),
            None => Ok(()),
        }
    }
}
