//! Allen/BMTK biophysical cells as a tuner's post cell: a SONATA node whose
//! `model_template` is `ctdb:Biophys1.hoc` (see `allen_cell::is_allen_node`)
//! has no cell file; the tuner builds it with `allen-cell` from its SWC
//! morphology, dynamics_params file and `model_processing`, as BMTK does.
//!
//! In a settings file such a cell is an object in place of a cell file's path:
//!
//! ```json
//! "cells": {"cortex:100": {"morphology": "morphologies/cell.swc",
//!                          "dynamics_params": "biophysical/fit.json",
//!                          "model_processing": "aibs_perisomatic", "dL": 20}}
//! ```
//!
//! Paths are relative to the settings file; `dL` defaults to BMTK's 20 µm.

use super::context::Ctx;
use super::{SettingsError, SettingsErrorKind as K};
use crate::TunerError;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// BMTK's `run.dL` when a config gives none (`bmtk.utils.sonata.config`:
/// `self.run.get('dL', 20.0)`).
pub const BMTK_DEFAULT_DL: f64 = 20.0;

/// What an Allen/BMTK cell is built from (resolved as `allen_cell::sonata` does
/// when the tuner loads the cell).
#[derive(Debug, Clone, PartialEq)]
pub struct AllenCellSource {
    /// The `morphology` column as given (BMTK adds `.swc` when the file has
    /// no extension and does not exist without it).
    pub morphology: String,
    /// `components.morphologies_dir` (for a settings file: the file's folder).
    pub morphologies_dir: Option<PathBuf>,
    /// The `dynamics_params` column (none: the bare morphology).
    pub dynamics_params: Option<String>,
    /// `components.biophysical_neuron_models_dir` (for a settings file: the
    /// file's folder).
    pub models_dir: Option<PathBuf>,
    /// `model_processing`: comma-separated BMTK functions.
    pub model_processing: String,
    /// BMTK's `run.dL` (µm): `nseg = 1 + 2·int(L / 2dL)`.
    pub dl: f64,
    /// Where the cell is described, for messages ("node type 100 of
    /// population `cortex` (FILE)").
    pub origin: String,
}

impl AllenCellSource {
    /// The cell of a SONATA target node; `None` when BMTK would not build it
    /// with `Biophys1` (a hoc template, a point neuron).
    pub fn from_node(
        node: &sonata_config::TargetNode,
        config: &sonata_config::Config,
    ) -> Option<AllenCellSource> {
        let text = |c: &str| node.text(c);
        let (model_type, template) = (text("model_type"), text("model_template"));
        if !allen_cell::is_allen_node(model_type.as_deref(), template.as_deref()) {
            return None;
        }
        let comps = config.components();
        let per_node = if node.per_node() {
            format!(", node {}", node.node_id)
        } else {
            String::new()
        };
        Some(AllenCellSource {
            morphology: text("morphology").unwrap_or_default(),
            morphologies_dir: comps.morphologies_dir.clone(),
            dynamics_params: text("dynamics_params"),
            models_dir: comps.biophysical_neuron_models_dir.clone(),
            model_processing: text("model_processing").unwrap_or_default(),
            dl: config.run().dl.unwrap_or(BMTK_DEFAULT_DL),
            origin: format!(
                "node type {} of population `{}`{per_node} ({}; config {})",
                node.node_type_id,
                node.population,
                node.node_types_file.display(),
                config.path().display()
            ),
        })
    }

    /// The name a tuner gives the cell of `node`: `<population>:<node_type_id>`,
    /// with `:<node_id>` when the node's own columns describe it.
    pub fn key(node: &sonata_config::TargetNode) -> String {
        if node.per_node() {
            format!("{}:{}:{}", node.population, node.node_type_id, node.node_id)
        } else {
            format!("{}:{}", node.population, node.node_type_id)
        }
    }

    /// Build the cell, with the ions each mechanism of `reg` uses (so that
    /// `ena`/`ek` are set where NEURON sets them).
    pub fn build(
        &self,
        name: &str,
        reg: &mech_api::Registry,
    ) -> Result<allen_cell::AllenCell, TunerError> {
        let node = allen_cell::SonataNode {
            model_type: Some("biophysical"),
            model_template: Some("ctdb:Biophys1.hoc"),
            morphology: Some(&self.morphology),
            dynamics_params: self.dynamics_params.as_deref(),
            model_processing: Some(&self.model_processing),
        };
        let comps = allen_cell::SonataComponents {
            morphologies_dir: self.morphologies_dir.as_deref(),
            biophysical_neuron_models_dir: self.models_dir.as_deref(),
        };
        let opts = allen_cell::Options {
            dl: Some(self.dl),
            name: None,
            ion_table: Some(allen_cell::ion_table(reg)),
        };
        allen_cell::from_sonata_node(&node, &comps, &opts).map_err(|source| TunerError::AllenCell {
            cell: name.to_string(),
            origin: self.origin.clone(),
            source: Box::new(source),
        })
    }

    /// As a settings file's `cells` entry (paths absolute).
    pub fn to_json(&self) -> Value {
        let abs = |dir: &Option<PathBuf>, name: &str| {
            let p = match dir {
                Some(d) => d.join(name),
                None => PathBuf::from(name),
            };
            std::path::absolute(&p).unwrap_or(p).display().to_string()
        };
        let mut o = Map::new();
        o.insert(
            "morphology".into(),
            Value::from(abs(&self.morphologies_dir, &self.morphology)),
        );
        if let Some(d) = &self.dynamics_params {
            o.insert(
                "dynamics_params".into(),
                Value::from(abs(&self.models_dir, d)),
            );
        }
        o.insert(
            "model_processing".into(),
            Value::from(self.model_processing.clone()),
        );
        o.insert("dL".into(), Value::from(self.dl));
        Value::Object(o)
    }

    /// A settings file's `cells.<name>` object; paths relative to `base`.
    pub(crate) fn from_value(
        cx: &Ctx,
        name: &str,
        o: &Map<String, Value>,
        base: &Path,
    ) -> Result<AllenCellSource, SettingsError> {
        let f = |k: &str| format!("cells.{name}.{k}");
        cx.known_keys(
            &f(""),
            o,
            &["morphology", "dynamics_params", "model_processing", "dL"],
            "expected morphology, dynamics_params, model_processing, dL (an Allen/BMTK cell)",
        )?;
        let morphology = cx.string(
            &f("morphology"),
            o.get("morphology"),
            "the path of the cell's SWC morphology",
        )?;
        let dynamics_params = match o.get("dynamics_params") {
            None | Some(Value::Null) => None,
            Some(v) => Some(cx.string(
                &f("dynamics_params"),
                Some(v),
                "the path of the cell's dynamics_params JSON",
            )?),
        };
        let model_processing = match o.get("model_processing") {
            None | Some(Value::Null) => String::new(),
            Some(v) => cx.string(
                &f("model_processing"),
                Some(v),
                "BMTK's processing functions (\"aibs_perisomatic\", ...)",
            )?,
        };
        let dl = cx
            .opt_num(&f("dL"), o.get("dL"))?
            .unwrap_or(BMTK_DEFAULT_DL);
        if dl <= 0.0 {
            return Err(cx.err(
                &f("dL"),
                K::BadValue,
                format!("expected a segment length > 0 µm, found {dl}"),
            ));
        }
        Ok(AllenCellSource {
            morphology,
            morphologies_dir: Some(base.to_path_buf()),
            dynamics_params,
            models_dir: Some(base.to_path_buf()),
            model_processing,
            dl,
            origin: format!("cells.{name} of {}", cx.file.display()),
        })
    }
}
