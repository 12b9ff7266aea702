//! The synapse tuner's settings: bmtool's `general_settings` and
//! `conn_type_settings`, plus the cells and extra mechanisms.

use super::allen::AllenCellSource;
use super::context::Ctx;
use super::{SettingsError, SettingsErrorKind as K};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

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

/// bmtool's `spec_settings` of one connection, validated.
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

/// The keys of `spec_settings` this format reads; others go to `extra`.
const SPEC_KEYS: [&str; 5] = [
    "post_cell",
    "level_of_detail",
    "vclamp_amp",
    "sec_x",
    "sec_id",
];

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

    /// Set (or add) a parameter of any JSON value (a `json_folder` entry).
    pub fn set_value(&mut self, name: &str, value: Value) {
        match self.spec_syn_param.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = value,
            None => self.spec_syn_param.push((name.to_string(), value)),
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

    /// Parse one connection's `{"spec_settings": .., "spec_syn_param": ..}`
    /// read from `file`.
    pub fn from_value(name: &str, v: &Value, file: &Path) -> Result<Connection, SettingsError> {
        let cx = Ctx::new(file);
        let base = format!("conn_type_settings.{name}");
        let o = cx.object(&base, v, "expected an object")?;
        let ss = o
            .get("spec_settings")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                cx.err(
                    &format!("{base}.spec_settings"),
                    K::Missing,
                    "missing or not an object",
                )
            })?;
        let spec_settings = spec_settings(&cx, &base, ss)?;
        let spec_syn_param = match o.get("spec_syn_param") {
            Some(p) => cx
                .object(
                    &format!("{base}.spec_syn_param"),
                    p,
                    "expected an object of parameter values",
                )?
                .iter()
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect(),
            None => Vec::new(),
        };
        check_params(&cx, &base, &spec_syn_param)?;
        cx.known_keys(
            &format!("{base}."),
            o,
            &["spec_settings", "spec_syn_param"],
            "expected spec_settings and spec_syn_param",
        )?;
        Ok(Connection {
            name: name.to_string(),
            spec_settings,
            spec_syn_param,
        })
    }
}

/// `spec_settings` from its JSON object (`base` = `conn_type_settings.NAME`).
fn spec_settings(
    cx: &Ctx,
    base: &str,
    ss: &Map<String, Value>,
) -> Result<SpecSettings, SettingsError> {
    let f = |k: &str| format!("{base}.spec_settings.{k}");
    let post_cell = cx.string(
        &f("post_cell"),
        ss.get("post_cell"),
        "the name of the post-synaptic cell",
    )?;
    let level_of_detail = cx.string(
        &f("level_of_detail"),
        ss.get("level_of_detail"),
        "the synapse mechanism's name",
    )?;
    let vclamp_amp = cx.opt_num(&f("vclamp_amp"), ss.get("vclamp_amp"))?;
    let sec_x = cx.opt_num(&f("sec_x"), ss.get("sec_x"))?;
    let sec_id = cx.opt_num(&f("sec_id"), ss.get("sec_id"))?;
    let extra = ss
        .iter()
        .filter(|(k, _)| !SPEC_KEYS.contains(&k.as_str()))
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    validated_spec(
        cx,
        base,
        post_cell,
        level_of_detail,
        [vclamp_amp, sec_x, sec_id],
        extra,
    )
}

/// Defaults and range checks of the numeric `spec_settings` shared by every
/// source: `[vclamp_amp, sec_x, sec_id]` as given (None = bmtool's default).
pub(super) fn validated_spec(
    cx: &Ctx,
    base: &str,
    post_cell: String,
    level_of_detail: String,
    [vclamp_amp, sec_x, sec_id]: [Option<f64>; 3],
    extra: Map<String, Value>,
) -> Result<SpecSettings, SettingsError> {
    let f = |k: &str| format!("{base}.spec_settings.{k}");
    Ok(SpecSettings {
        post_cell,
        vclamp_amp: vclamp_amp.unwrap_or(-70.0),
        sec_x: cx.position(&f("sec_x"), sec_x.unwrap_or(0.5))?,
        sec_id: cx.section_index(&f("sec_id"), sec_id.unwrap_or(0.0))?,
        level_of_detail,
        extra,
    })
}

/// Numbers among the synaptic parameters must be finite.
pub(super) fn check_params(
    cx: &Ctx,
    base: &str,
    params: &[(String, Value)],
) -> Result<(), SettingsError> {
    for (k, x) in params {
        if x.as_f64().is_some_and(|n| !n.is_finite()) {
            return Err(cx.err(
                &format!("{base}.spec_syn_param.{k}"),
                K::BadValue,
                "expected a finite number",
            ));
        }
    }
    Ok(())
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
    /// Allen/BMTK cells by post-cell name, built by the tuner with
    /// `allen-cell` (SONATA nodes with `ctdb:Biophys1.hoc`; see
    /// [`AllenCellSource`]).
    pub allen_cells: Vec<(String, AllenCellSource)>,
    /// Extra mechanism catalogues to load.
    pub mechanisms: Vec<PathBuf>,
    /// Which synapse variable is its current (bmtool's `current_name`; the
    /// tuner's default is `i`).
    pub current_name: Option<String>,
    /// The file it came from (for messages).
    pub source: PathBuf,
}

/// Keys of `general_settings`, for the message about an unknown one.
const GENERAL_KEYS: &str =
    "vclamp, rise_interval, tstart, tdur, threshold, delay, weight, dt, celsius, v_init";

/// `general_settings`: bmtool's defaults where a key is missing.
fn general(cx: &Ctx, v: Option<&Value>) -> Result<GeneralSettings, SettingsError> {
    let mut g = GeneralSettings::default();
    let Some(v) = v else { return Ok(g) };
    for (k, x) in cx.object("general_settings", v, "expected an object")? {
        general_key(cx, &mut g, k, x)?;
    }
    check_general(cx, &g)?;
    Ok(g)
}

/// One key of `general_settings`.
fn general_key(cx: &Ctx, g: &mut GeneralSettings, k: &str, x: &Value) -> Result<(), SettingsError> {
    let f = format!("general_settings.{k}");
    match k {
        "vclamp" => {
            g.vclamp = x.as_bool().ok_or_else(|| {
                cx.err(
                    &f,
                    K::BadValue,
                    format!("expected true or false, found {x}"),
                )
            })?
        }
        "rise_interval" => g.rise_interval = rise_interval(cx, &f, x)?,
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
                K::UnknownField,
                format!("unknown general setting; expected {GENERAL_KEYS}"),
            ))
        }
    }
    Ok(())
}

/// `[low, high]` fractions of the peak.
fn rise_interval(cx: &Ctx, f: &str, x: &Value) -> Result<(f64, f64), SettingsError> {
    let a = x
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| cx.err(f, K::BadValue, "expected [low, high] fractions of the peak"))?;
    let (lo, hi) = (cx.num(f, &a[0])?, cx.num(f, &a[1])?);
    if !(0.0 < lo && lo < hi && hi < 1.0) {
        return Err(cx.err(
            f,
            K::BadValue,
            format!("expected 0 < low < high < 1, found [{lo}, {hi}]"),
        ));
    }
    Ok((lo, hi))
}

/// Ranges of the general settings (values are finite here).
fn check_general(cx: &Ctx, g: &GeneralSettings) -> Result<(), SettingsError> {
    if g.dt <= 0.0 {
        return Err(cx.err(
            "general_settings.dt",
            K::BadValue,
            format!("must be > 0 ms, found {}", g.dt),
        ));
    }
    if g.tstart < 0.0 || g.tdur <= 0.0 {
        return Err(cx.err(
            "general_settings.tdur",
            K::BadValue,
            "tstart must be ≥ 0 and tdur > 0 ms",
        ));
    }
    if g.delay < 0.0 {
        return Err(cx.err("general_settings.delay", K::BadValue, "must be ≥ 0 ms"));
    }
    Ok(())
}

impl TunerSettings {
    /// Read a settings file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<TunerSettings, SettingsError> {
        let path = path.as_ref();
        let v = Ctx::new(path).read_json()?;
        let base = path.parent().unwrap_or(Path::new("."));
        TunerSettings::from_value(&v, path, base)
    }

    /// Build settings from JSON; relative paths resolve against `base`.
    pub fn from_value(v: &Value, file: &Path, base: &Path) -> Result<TunerSettings, SettingsError> {
        let cx = Ctx::new(file);
        let o = cx.object("(top level)", v, "expected a JSON object")?;
        cx.known_keys(
            "",
            o,
            &[
                "general_settings",
                "conn_type_settings",
                "cells",
                "mechanisms",
                "current_name",
                "comment",
            ],
            "expected general_settings, conn_type_settings, cells, mechanisms, current_name",
        )?;
        let general = general(&cx, o.get("general_settings"))?;
        let connections = connections(&cx, o.get("conn_type_settings"))?;
        let (cells, allen_cells) = match o.get("cells") {
            Some(c) => cell_entries(&cx, c, base)?,
            None => (Vec::new(), Vec::new()),
        };
        let mechanisms = mechanism_paths(&cx, o.get("mechanisms"), base)?;
        let current_name = match o.get("current_name") {
            None => None,
            Some(v) => Some(cx.string(
                "current_name",
                Some(v),
                "the name of the synapse's current variable (bmtool's current_name, e.g. \"i\")",
            )?),
        };
        Ok(TunerSettings {
            general,
            connections,
            cells,
            allen_cells,
            mechanisms,
            current_name,
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
                kind: K::UnknownConnection,
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

    /// Point every post cell without an existing cell file (and not an
    /// Allen cell) at `templates`, a `.hoc` file or a folder of them.
    pub fn use_templates(&mut self, templates: &Path) {
        for c in &self.connections {
            let n = &c.spec_settings.post_cell;
            if self.allen_cells.iter().any(|(k, _)| k == n) {
                continue;
            }
            match self.cells.iter_mut().find(|(k, _)| k == n) {
                Some((_, p)) if p.exists() => {}
                Some((_, p)) => *p = templates.to_path_buf(),
                None => self.cells.push((n.clone(), templates.to_path_buf())),
            }
        }
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
                kind: K::UnknownCell,
                message: format!(
                    "no cell description for post cell `{post_cell}`; add \"cells\": {{\"{post_cell}\": \"path/to/{post_cell}.json\"}}"
                ),
            })
    }

    /// As a settings file's JSON: every value as now in force, cell and
    /// mechanism paths made absolute (so the file can be read from anywhere).
    pub fn to_json(&self) -> Value {
        let g = &self.general;
        let mut conns = Map::new();
        for c in &self.connections {
            conns.insert(c.name.clone(), c.to_json());
        }
        let abs = |p: &Path| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string()
        };
        let mut cells: Map<String, Value> = self
            .cells
            .iter()
            .map(|(k, p)| (k.clone(), Value::from(abs(p))))
            .collect();
        for (k, a) in &self.allen_cells {
            cells.insert(k.clone(), a.to_json());
        }
        let mut out = serde_json::json!({
            "general_settings": {
                "vclamp": g.vclamp,
                "rise_interval": [g.rise_interval.0, g.rise_interval.1],
                "tstart": g.tstart, "tdur": g.tdur, "threshold": g.threshold,
                "delay": g.delay, "weight": g.weight, "dt": g.dt,
                "celsius": g.celsius, "v_init": g.v_init,
            },
            "conn_type_settings": conns,
            "cells": cells,
        });
        if !self.mechanisms.is_empty() {
            out["mechanisms"] = self.mechanisms.iter().map(|p| abs(p)).collect();
        }
        out
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
            let cx = Ctx::new(&p);
            let v = cx.read_json()?;
            for (k, x) in cx.object("(top level)", &v, "expected {parameter: value}")? {
                c.set_value(k, x.clone());
            }
            done.push(c.name.clone());
        }
        Ok(done)
    }
}

/// `conn_type_settings`: a non-empty object of connections, in file order
/// (serde_json keeps it, as bmtool's dicts do).
fn connections(cx: &Ctx, v: Option<&Value>) -> Result<Vec<Connection>, SettingsError> {
    let ct = v.and_then(Value::as_object).ok_or_else(|| {
        cx.err(
            "conn_type_settings",
            K::Missing,
            "missing or not an object of connection types",
        )
    })?;
    if ct.is_empty() {
        return Err(cx.err("conn_type_settings", K::Missing, "no connection types"));
    }
    ct.iter()
        .map(|(name, c)| Connection::from_value(name, c, cx.file))
        .collect()
}

/// The files and the Allen cells of `cells`: `{name: path}` (a
/// synaptune-cell/1 file) or `{name: {morphology, ...}}` ([`AllenCellSource`]).
type CellEntries = (Vec<(String, PathBuf)>, Vec<(String, AllenCellSource)>);

/// `cells`: paths resolved against `base`, Allen cells apart.
fn cell_entries(cx: &Ctx, v: &Value, base: &Path) -> Result<CellEntries, SettingsError> {
    let what = "expected {cell name: path of its synaptune-cell/1 file, or an Allen cell {morphology, dynamics_params, model_processing, dL}}";
    let (mut files, mut allen) = (Vec::new(), Vec::new());
    for (k, x) in cx.object("cells", v, what)? {
        match x {
            Value::String(p) => files.push((k.clone(), base.join(p))),
            Value::Object(o) => {
                allen.push((k.clone(), AllenCellSource::from_value(cx, k, o, base)?))
            }
            _ => return Err(cx.err(&format!("cells.{k}"), K::BadValue, what)),
        }
    }
    Ok((files, allen))
}

/// `mechanisms`: catalogue paths resolved against `base`.
fn mechanism_paths(
    cx: &Ctx,
    v: Option<&Value>,
    base: &Path,
) -> Result<Vec<PathBuf>, SettingsError> {
    let Some(m) = v else { return Ok(Vec::new()) };
    let m = m
        .as_array()
        .ok_or_else(|| cx.err("mechanisms", K::BadValue, "expected an array of paths"))?;
    m.iter()
        .map(|p| {
            p.as_str()
                .map(|p| base.join(p))
                .ok_or_else(|| cx.err("mechanisms", K::BadValue, "expected paths"))
        })
        .collect()
}
