//! Tuner settings: a JSON file that mirrors bmtool's `general_settings` and
//! `conn_type_settings` dictionaries, plus where the cells and extra mechanisms
//! are.

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// What is wrong with a settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingsErrorKind {
    /// Cannot read the file.
    Io,
    /// Not JSON.
    Syntax,
    /// A value of the wrong type or out of range.
    BadValue,
    /// A required field is missing.
    Missing,
    /// A field this format does not know.
    UnknownField,
    /// No connection of that name.
    UnknownConnection,
    /// No cell description for a post cell.
    UnknownCell,
}

/// An error in tuner settings, naming the file and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: field `{field}`: {message}", file.display())]
pub struct SettingsError {
    /// The settings file (or a label).
    pub file: PathBuf,
    /// The field (`general_settings.dt`, `conn_type_settings.Dep2FSI.spec_settings.sec_id`).
    pub field: String,
    /// The kind of problem.
    pub kind: SettingsErrorKind,
    /// What was found and what was expected.
    pub message: String,
}

/// bmtool's `general_settings` (its defaults in [`Default`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GeneralSettings {
    /// Voltage-clamp mode (a VClamp at soma(0.5) holding `vclamp_amp`).
    pub vclamp: bool,
    /// Fractions of the peak between which the rise time is measured.
    pub rise_interval: (f64, f64),
    /// Time of the single event, start of the trains (ms).
    pub tstart: f64,
    /// Duration recorded after the single event (ms).
    pub tdur: f64,
    /// NetCon threshold (mV; irrelevant for artificial sources).
    pub threshold: f64,
    /// NetCon delay (ms).
    pub delay: f64,
    /// NetCon weight.
    pub weight: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// Initial voltage (mV); NEURON's stdrun default.
    pub v_init: f64,
}

impl Default for GeneralSettings {
    fn default() -> Self {
        GeneralSettings {
            vclamp: false,
            rise_interval: (0.1, 0.9),
            tstart: 500.0,
            tdur: 100.0,
            threshold: -15.0,
            delay: 1.3,
            weight: 1.0,
            dt: 0.025,
            celsius: 20.0,
            v_init: -65.0,
        }
    }
}

/// bmtool's `spec_settings` of one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecSettings {
    /// The post-synaptic cell (a key of the settings' `cells`).
    pub post_cell: String,
    /// Holding potential of the voltage clamp (mV).
    pub vclamp_amp: f64,
    /// Position of the synapse on its section.
    pub sec_x: f64,
    /// Index of the section in the cell's `all` list.
    pub sec_id: usize,
    /// The synapse mechanism.
    pub level_of_detail: String,
    /// Any other keys, kept as given.
    pub extra: Map<String, Value>,
}

/// One connection type.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Its name.
    pub name: String,
    /// Where and what.
    pub spec_settings: SpecSettings,
    /// Synaptic parameters (numbers are applied to the synapse; other values are
    /// kept and ignored, as bmtool does).
    pub spec_syn_param: Vec<(String, Value)>,
}

impl Connection {
    /// The numeric synaptic parameters.
    pub fn numeric_params(&self) -> Vec<(String, f64)> {
        self.spec_syn_param
            .iter()
            .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
            .collect()
    }

    /// Set (or add) a synaptic parameter.
    pub fn set_param(&mut self, name: &str, value: f64) {
        match self.spec_syn_param.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = Value::from(value),
            None => self
                .spec_syn_param
                .push((name.to_string(), Value::from(value))),
        }
    }

    /// As JSON (`{"spec_settings": {..}, "spec_syn_param": {..}}`).
    pub fn to_json(&self) -> Value {
        let s = &self.spec_settings;
        let mut ss = Map::new();
        ss.insert("post_cell".into(), Value::from(s.post_cell.clone()));
        ss.insert("vclamp_amp".into(), Value::from(s.vclamp_amp));
        ss.insert("sec_x".into(), Value::from(s.sec_x));
        ss.insert("sec_id".into(), Value::from(s.sec_id));
        ss.insert(
            "level_of_detail".into(),
            Value::from(s.level_of_detail.clone()),
        );
        for (k, v) in &s.extra {
            ss.insert(k.clone(), v.clone());
        }
        let mut sp = Map::new();
        for (k, v) in &self.spec_syn_param {
            sp.insert(k.clone(), v.clone());
        }
        serde_json::json!({"spec_settings": ss, "spec_syn_param": sp})
    }
}

/// A whole settings file.
#[derive(Debug, Clone, PartialEq)]
pub struct TunerSettings {
    /// General settings.
    pub general: GeneralSettings,
    /// Connection types, in file order.
    pub connections: Vec<Connection>,
    /// Cell descriptions by post-cell name (absolute or relative to `base`).
    pub cells: Vec<(String, PathBuf)>,
    /// Extra mechanism catalogues to load.
    pub mechanisms: Vec<PathBuf>,
    /// The file it came from (for messages).
    pub source: PathBuf,
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(
        &self,
        field: &str,
        kind: SettingsErrorKind,
        message: impl Into<String>,
    ) -> SettingsError {
        SettingsError {
            file: self.file.to_path_buf(),
            field: field.to_string(),
            kind,
            message: message.into(),
        }
    }

    fn num(&self, field: &str, v: &Value) -> Result<f64, SettingsError> {
        let x = v.as_f64().ok_or_else(|| {
            self.err(
                field,
                SettingsErrorKind::BadValue,
                format!("expected a number, found {v}"),
            )
        })?;
        if !x.is_finite() {
            return Err(self.err(
                field,
                SettingsErrorKind::BadValue,
                "expected a finite number",
            ));
        }
        Ok(x)
    }
}

fn general(cx: &Ctx, v: Option<&Value>) -> Result<GeneralSettings, SettingsError> {
    let mut g = GeneralSettings::default();
    let Some(v) = v else { return Ok(g) };
    let o = v.as_object().ok_or_else(|| {
        cx.err(
            "general_settings",
            SettingsErrorKind::BadValue,
            "expected an object",
        )
    })?;
    for (k, x) in o {
        let f = format!("general_settings.{k}");
        match k.as_str() {
            "vclamp" => {
                g.vclamp = x.as_bool().ok_or_else(|| {
                    cx.err(&f, SettingsErrorKind::BadValue, format!("expected true or false, found {x}"))
                })?
            }
            "rise_interval" => {
                let a = x.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                    cx.err(&f, SettingsErrorKind::BadValue, "expected [low, high] fractions of the peak")
                })?;
                let (lo, hi) = (cx.num(&f, &a[0])?, cx.num(&f, &a[1])?);
                if !(0.0 < lo && lo < hi && hi < 1.0) {
                    return Err(cx.err(&f, SettingsErrorKind::BadValue, format!("expected 0 < low < high < 1, found [{lo}, {hi}]")));
                }
                g.rise_interval = (lo, hi);
            }
            "tstart" => g.tstart = cx.num(&f, x)?,
            "tdur" => g.tdur = cx.num(&f, x)?,
            "threshold" => g.threshold = cx.num(&f, x)?,
            "delay" => g.delay = cx.num(&f, x)?,
            "weight" => g.weight = cx.num(&f, x)?,
            "dt" => g.dt = cx.num(&f, x)?,
            "celsius" => g.celsius = cx.num(&f, x)?,
            "v_init" => g.v_init = cx.num(&f, x)?,
            // Gap-junction tuner keys live in the same dictionary in bmtool.
            "iclamp_amp" => {
                cx.num(&f, x)?;
            }
            _ => {
                return Err(cx.err(
                    &f,
                    SettingsErrorKind::UnknownField,
                    "unknown general setting; expected vclamp, rise_interval, tstart, tdur, threshold, delay, weight, dt, celsius, v_init",
                ))
            }
        }
    }
    // Values are finite here (`num` checked them).
    if g.dt <= 0.0 {
        return Err(cx.err(
            "general_settings.dt",
            SettingsErrorKind::BadValue,
            format!("must be > 0 ms, found {}", g.dt),
        ));
    }
    if g.tstart < 0.0 || g.tdur <= 0.0 {
        return Err(cx.err(
            "general_settings.tdur",
            SettingsErrorKind::BadValue,
            "tstart must be ≥ 0 and tdur > 0 ms",
        ));
    }
    if g.delay < 0.0 {
        return Err(cx.err(
            "general_settings.delay",
            SettingsErrorKind::BadValue,
            "must be ≥ 0 ms",
        ));
    }
    Ok(g)
}

/// Parse one connection's `{"spec_settings": .., "spec_syn_param": ..}`.
pub fn connection_from_value(
    name: &str,
    v: &Value,
    file: &Path,
) -> Result<Connection, SettingsError> {
    let cx = Ctx { file };
    let base = format!("conn_type_settings.{name}");
    let o = v
        .as_object()
        .ok_or_else(|| cx.err(&base, SettingsErrorKind::BadValue, "expected an object"))?;
    let ss = o
        .get("spec_settings")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            cx.err(
                &format!("{base}.spec_settings"),
                SettingsErrorKind::Missing,
                "missing or not an object",
            )
        })?;
    let f = |k: &str| format!("{base}.spec_settings.{k}");
    let post_cell = ss
        .get("post_cell")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            cx.err(
                &f("post_cell"),
                SettingsErrorKind::Missing,
                "missing; expected the name of the post-synaptic cell",
            )
        })?
        .to_string();
    let level_of_detail = ss
        .get("level_of_detail")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            cx.err(
                &f("level_of_detail"),
                SettingsErrorKind::Missing,
                "missing; expected the synapse mechanism's name",
            )
        })?
        .to_string();
    let vclamp_amp = match ss.get("vclamp_amp") {
        Some(x) => cx.num(&f("vclamp_amp"), x)?,
        None => -70.0,
    };
    let sec_x = match ss.get("sec_x") {
        Some(x) => cx.num(&f("sec_x"), x)?,
        None => 0.5,
    };
    if !(0.0..=1.0).contains(&sec_x) {
        return Err(cx.err(
            &f("sec_x"),
            SettingsErrorKind::BadValue,
            format!("must be in [0, 1], found {sec_x}"),
        ));
    }
    let sec_id = match ss.get("sec_id") {
        Some(x) => {
            let v = cx.num(&f("sec_id"), x)?;
            if !(v >= 0.0 && v.fract() == 0.0) {
                return Err(cx.err(
                    &f("sec_id"),
                    SettingsErrorKind::BadValue,
                    format!("must be a section index ≥ 0, found {v}"),
                ));
            }
            v as usize
        }
        None => 0,
    };
    let mut extra = Map::new();
    for (k, x) in ss {
        if ![
            "post_cell",
            "level_of_detail",
            "vclamp_amp",
            "sec_x",
            "sec_id",
        ]
        .contains(&k.as_str())
        {
            extra.insert(k.clone(), x.clone());
        }
    }
    let mut spec_syn_param = Vec::new();
    if let Some(p) = o.get("spec_syn_param") {
        let p = p.as_object().ok_or_else(|| {
            cx.err(
                &format!("{base}.spec_syn_param"),
                SettingsErrorKind::BadValue,
                "expected an object of parameter values",
            )
        })?;
        for (k, x) in p {
            if let Some(n) = x.as_f64() {
                if !n.is_finite() {
                    return Err(cx.err(
                        &format!("{base}.spec_syn_param.{k}"),
                        SettingsErrorKind::BadValue,
                        "expected a finite number",
                    ));
                }
            }
            spec_syn_param.push((k.clone(), x.clone()));
        }
    }
    for k in o.keys() {
        if k != "spec_settings" && k != "spec_syn_param" {
            return Err(cx.err(
                &format!("{base}.{k}"),
                SettingsErrorKind::UnknownField,
                "expected spec_settings and spec_syn_param",
            ));
        }
    }
    Ok(Connection {
        name: name.to_string(),
        spec_settings: SpecSettings {
            post_cell,
            vclamp_amp,
            sec_x,
            sec_id,
            level_of_detail,
            extra,
        },
        spec_syn_param,
    })
}

impl TunerSettings {
    /// Read a settings file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<TunerSettings, SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
            file: path.to_path_buf(),
            field: "(file)".into(),
            kind: SettingsErrorKind::Io,
            message: format!("cannot read: {e}"),
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| SettingsError {
            file: path.to_path_buf(),
            field: "(file)".into(),
            kind: SettingsErrorKind::Syntax,
            message: format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        TunerSettings::from_value(&v, path, base)
    }

    /// Build settings from JSON; relative paths resolve against `base`.
    pub fn from_value(v: &Value, file: &Path, base: &Path) -> Result<TunerSettings, SettingsError> {
        let cx = Ctx { file };
        let o = v.as_object().ok_or_else(|| {
            cx.err(
                "(top level)",
                SettingsErrorKind::BadValue,
                "expected a JSON object",
            )
        })?;
        for k in o.keys() {
            if ![
                "general_settings",
                "conn_type_settings",
                "cells",
                "mechanisms",
                "comment",
            ]
            .contains(&k.as_str())
            {
                return Err(cx.err(
                    k,
                    SettingsErrorKind::UnknownField,
                    "expected general_settings, conn_type_settings, cells, mechanisms",
                ));
            }
        }
        let general = general(&cx, o.get("general_settings"))?;
        let ct = o
            .get("conn_type_settings")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                cx.err(
                    "conn_type_settings",
                    SettingsErrorKind::Missing,
                    "missing or not an object of connection types",
                )
            })?;
        if ct.is_empty() {
            return Err(cx.err(
                "conn_type_settings",
                SettingsErrorKind::Missing,
                "no connection types",
            ));
        }
        // serde_json keeps file order (`preserve_order`), as bmtool's dicts do.
        let mut connections = Vec::new();
        for (name, c) in ct {
            connections.push(connection_from_value(name, c, file)?);
        }
        let mut cells = Vec::new();
        if let Some(c) = o.get("cells") {
            let c = c.as_object().ok_or_else(|| {
                cx.err(
                    "cells",
                    SettingsErrorKind::BadValue,
                    "expected {cell name: path of its synaptune-cell/1 file}",
                )
            })?;
            for (k, p) in c {
                let p = p.as_str().ok_or_else(|| {
                    cx.err(
                        &format!("cells.{k}"),
                        SettingsErrorKind::BadValue,
                        "expected a path",
                    )
                })?;
                cells.push((k.clone(), base.join(p)));
            }
        }
        let mut mechanisms = Vec::new();
        if let Some(m) = o.get("mechanisms") {
            let m = m.as_array().ok_or_else(|| {
                cx.err(
                    "mechanisms",
                    SettingsErrorKind::BadValue,
                    "expected an array of paths",
                )
            })?;
            for p in m {
                let p = p.as_str().ok_or_else(|| {
                    cx.err("mechanisms", SettingsErrorKind::BadValue, "expected paths")
                })?;
                mechanisms.push(base.join(p));
            }
        }
        Ok(TunerSettings {
            general,
            connections,
            cells,
            mechanisms,
            source: file.to_path_buf(),
        })
    }

    /// A connection by name.
    pub fn connection(&self, name: &str) -> Result<&Connection, SettingsError> {
        self.connections
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| SettingsError {
                file: self.source.clone(),
                field: "conn_type_settings".into(),
                kind: SettingsErrorKind::UnknownConnection,
                message: format!(
                    "no connection `{name}`; connections: {}",
                    self.connection_names().join(", ")
                ),
            })
    }

    /// Connection names, in order.
    pub fn connection_names(&self) -> Vec<String> {
        self.connections.iter().map(|c| c.name.clone()).collect()
    }

    /// The cell file of a post cell.
    pub fn cell_path(&self, post_cell: &str) -> Result<&Path, SettingsError> {
        self.cells
            .iter()
            .find(|(k, _)| k == post_cell)
            .map(|(_, p)| p.as_path())
            .ok_or_else(|| SettingsError {
                file: self.source.clone(),
                field: format!("cells.{post_cell}"),
                kind: SettingsErrorKind::UnknownCell,
                message: format!(
                    "no cell description for post cell `{post_cell}`; add \"cells\": {{\"{post_cell}\": \"path/to/{post_cell}.json\"}}"
                ),
            })
    }

    /// Apply a folder of `<connection>.json` parameter files (bmtool's
    /// `json_folder_path`): each updates that connection's `spec_syn_param`.
    /// Returns the connections updated.
    pub fn apply_json_folder(&mut self, dir: &Path) -> Result<Vec<String>, SettingsError> {
        let mut done = Vec::new();
        for c in self.connections.iter_mut() {
            let p = dir.join(format!("{}.json", c.name));
            if !p.exists() {
                continue;
            }
            let cx = Ctx { file: &p };
            let text = std::fs::read_to_string(&p).map_err(|e| {
                cx.err("(file)", SettingsErrorKind::Io, format!("cannot read: {e}"))
            })?;
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| cx.err("(file)", SettingsErrorKind::Syntax, e.to_string()))?;
            let o = v.as_object().ok_or_else(|| {
                cx.err(
                    "(top level)",
                    SettingsErrorKind::BadValue,
                    "expected {parameter: value}",
                )
            })?;
            for (k, x) in o {
                match c.spec_syn_param.iter_mut().find(|(n, _)| n == k) {
                    Some(e) => e.1 = x.clone(),
                    None => c.spec_syn_param.push((k.clone(), x.clone())),
                }
            }
            done.push(c.name.clone());
        }
        Ok(done)
    }
}
