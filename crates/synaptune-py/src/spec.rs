//! The tuner spec the Python side writes as JSON, read into a
//! `tuner_opt::TunerSpec`:
//!
//! ```json
//! {"source": {"settings": {...}, "label": "...", "base": "DIR"}
//!          | {"settings_file": "FILE"}
//!          | {"sonata": {"config": "FILE", "network": null, "cells": "DIR"}},
//!  "connection": "Dep2FSI", "convention": "default" | "bmtool",
//!  "mechanisms": ["DIR"], "json_folder": null, "vclamp": null,
//!  "params": [["Use", 0.3]], "record": ["record_Pr"], "templates": null,
//!  "current_name": "i", "measure": null | "synapse" | "clamp"}
//! ```
//!
//! `templates` (bmtool's `templates_dir`: a hoc file or a folder of them) is
//! read by `hoc-template` for every post cell without a cell file.

use serde::Deserialize;
use std::path::PathBuf;
use tuner_opt::{Convention, ModelSource, TunerSpec};

/// Where the model comes from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    settings: Option<serde_json::Value>,
    label: Option<String>,
    base: Option<PathBuf>,
    settings_file: Option<PathBuf>,
    sonata: Option<Sonata>,
}

/// A SONATA source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sonata {
    config: PathBuf,
    network: Option<String>,
    cells: Option<PathBuf>,
}

/// The spec as written by the Python side.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    source: Source,
    #[serde(default)]
    connection: Option<String>,
    #[serde(default)]
    convention: Option<String>,
    #[serde(default)]
    mechanisms: Vec<PathBuf>,
    #[serde(default)]
    json_folder: Option<PathBuf>,
    #[serde(default)]
    vclamp: Option<bool>,
    #[serde(default)]
    params: Vec<(String, f64)>,
    #[serde(default)]
    record: Vec<String>,
    #[serde(default)]
    templates: Option<PathBuf>,
    #[serde(default)]
    current_name: Option<String>,
    #[serde(default)]
    measure: Option<String>,
}

/// `default` or `bmtool` (also bmtool's spelling `compat="bmtool"`).
pub fn convention(name: Option<&str>) -> Result<Convention, String> {
    match name.unwrap_or("default") {
        "default" | "synaptune" => Ok(Convention::Default),
        "bmtool" => Ok(Convention::Bmtool),
        other => Err(format!(
            "unknown convention `{other}`; expected \"default\" or \"bmtool\""
        )),
    }
}

impl Spec {
    /// Parse the JSON the Python side wrote.
    pub fn parse(text: &str) -> Result<Spec, String> {
        serde_json::from_str(text).map_err(|e| format!("tuner spec: {e}"))
    }

    /// The library's spec.
    pub fn to_tuner_spec(&self) -> Result<TunerSpec, String> {
        let s = &self.source;
        let source = match (&s.settings, &s.settings_file, &s.sonata) {
            (Some(v), None, None) => ModelSource::Json {
                settings: v.clone(),
                label: PathBuf::from(s.label.as_deref().unwrap_or("(settings from Python)")),
                base: s.base.clone().unwrap_or_else(|| PathBuf::from(".")),
            },
            (None, Some(f), None) => ModelSource::Settings(f.clone()),
            (None, None, Some(c)) => ModelSource::Sonata {
                config: c.config.clone(),
                network: c.network.clone(),
                cells: c.cells.clone(),
            },
            _ => return Err("tuner spec: give exactly one of source.settings, source.settings_file, source.sonata".into()),
        };
        let mut spec = TunerSpec::new(source);
        spec.connection = self.connection.clone();
        spec.templates = self.templates.clone();
        spec.convention = convention(self.convention.as_deref())?;
        spec.mechanisms = self.mechanisms.clone();
        spec.json_folder = self.json_folder.clone();
        spec.vclamp = self.vclamp;
        spec.params = self.params.clone();
        spec.record = self.record.clone();
        spec.current_name = self.current_name.clone();
        spec.measure = self
            .measure
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| format!("measure: {e}"))?;
        Ok(spec)
    }
}
