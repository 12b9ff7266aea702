//! Tuner settings derived from a SONATA/BMTK config: bmtool's general
//! defaults, the connection types `sonata-config` derives as bmtool does, and
//! for every post cell either `<cells or templates_dir>/<post_cell>.json` or,
//! when the target node is an Allen/BMTK cell (`model_template:
//! ctdb:Biophys1.hoc`), its SWC, dynamics_params and `model_processing`
//! ([`AllenCellSource`], named `<population>:<node_type_id>`), built with the
//! config's `run.dL` as BMTK builds it.

use super::allen::AllenCellSource;
use super::context::Ctx;
use super::synapse::{check_params, validated_spec};
use super::{Connection, GeneralSettings, SettingsError, TunerSettings};
use crate::TunerError;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// What a connection whose `level_of_detail` is missing (pandas' NaN) names
/// as its mechanism: it fails, naming the connection, only when it is used.
const MISSING_MECHANISM: &str = "(missing level_of_detail)";

impl TunerSettings {
    /// Settings from a SONATA/BMTK simulation or circuit config: the connection
    /// types of `network` (default: every network), cells found as
    /// `<cells>/<post_cell>.json`, where `cells` defaults to the config's
    /// `components.templates_dir`, except Allen/BMTK cells, which are built
    /// from the node's files (see the module docs).
    pub fn from_sonata(
        config: &Path,
        network: Option<&str>,
        cells: Option<&Path>,
    ) -> Result<TunerSettings, TunerError> {
        let cfg = sonata_config::Config::load(config)?;
        let derived = sonata_config::derive_connection_types(&cfg, network)?;
        if derived.types.is_empty() {
            return Err(TunerError::NoConnections {
                config: config.to_path_buf(),
                network: network.map(str::to_string),
            });
        }
        let mut connections = Vec::with_capacity(derived.types.len());
        let mut allen_cells: Vec<(String, AllenCellSource)> = Vec::new();
        for ((name, t), source) in derived.types.iter().zip(&derived.sources) {
            let mut c = Connection::from_conn_type(name, t, config)?;
            if let Some(a) = AllenCellSource::from_node(&source.target, &cfg) {
                let key = AllenCellSource::key(&source.target);
                if !allen_cells.iter().any(|(k, _)| *k == key) {
                    allen_cells.push((key.clone(), a));
                }
                c.spec_settings.post_cell = key;
            }
            connections.push(c);
        }
        let file_cells: Vec<&Connection> = connections
            .iter()
            .filter(|c| {
                !allen_cells
                    .iter()
                    .any(|(k, _)| *k == c.spec_settings.post_cell)
            })
            .collect();
        let dir = match cells {
            Some(d) => Some(d.to_path_buf()),
            None => cfg.components().templates_dir.clone(),
        };
        let cells = match dir {
            Some(dir) => cell_files(&file_cells, &dir),
            None if file_cells.is_empty() => Vec::new(),
            None => {
                return Err(TunerError::NoCellsDir {
                    config: config.to_path_buf(),
                })
            }
        };
        Ok(TunerSettings {
            general: GeneralSettings::default(),
            cells,
            allen_cells,
            connections,
            mechanisms: config_mechanisms(&cfg),
            current_name: None,
            source: config.to_path_buf(),
        })
    }
}

/// The config's `components.mechanisms_dir` as the tuner loads it: its
/// `modfiles/` folder when it holds `.mod` files (BMTK's layout), else the
/// folder itself if it does; nothing otherwise (bmtool then only warns).
pub(super) fn config_mechanisms(cfg: &sonata_config::Config) -> Vec<PathBuf> {
    let Some(dir) = &cfg.components().mechanisms_dir else {
        return Vec::new();
    };
    let has_mods = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|rd| {
            rd.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "mod"))
        })
    };
    let modfiles = dir.join("modfiles");
    if has_mods(&modfiles) {
        vec![modfiles]
    } else if has_mods(dir) {
        vec![dir.clone()]
    } else {
        Vec::new()
    }
}

/// `<dir>/<post_cell>.json` for each post cell, in order of first use.
fn cell_files(connections: &[&Connection], dir: &Path) -> Vec<(String, PathBuf)> {
    let mut cells: Vec<(String, PathBuf)> = Vec::new();
    for c in connections {
        let n = &c.spec_settings.post_cell;
        if !cells.iter().any(|(k, _)| k == n) {
            // A .hoc file (bmtool's templates_dir may name one) serves every cell.
            let p = if dir.is_file() {
                dir.to_path_buf()
            } else {
                dir.join(format!("{n}.json"))
            };
            cells.push((n.clone(), p));
        }
    }
    cells
}

impl Connection {
    /// A connection from a type `sonata-config` derived from `config`, checked
    /// as a settings file's connection is.
    pub fn from_conn_type(
        name: &str,
        t: &sonata_config::ConnType,
        config: &Path,
    ) -> Result<Connection, SettingsError> {
        let cx = Ctx::new(config);
        let base = format!("conn_type_settings.{name}");
        let s = &t.spec_settings;
        let num = |field: &str, x: f64| -> Result<Option<f64>, SettingsError> {
            let v = serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
            cx.num(&format!("{base}.spec_settings.{field}"), &v)
                .map(Some)
        };
        let level_of_detail = match &s.level_of_detail {
            sonata_config::Value::Str(m) => m.clone(),
            _ => MISSING_MECHANISM.to_string(),
        };
        let mut extra = Map::new();
        if let Some(f) = &s.dynamics_params_file {
            extra.insert("dynamics_params_file".into(), Value::from(f.clone()));
        }
        let spec_settings = validated_spec(
            &cx,
            &base,
            s.post_cell.clone(),
            level_of_detail,
            [
                num("vclamp_amp", s.vclamp_amp)?,
                num("sec_x", s.sec_x)?,
                Some(s.sec_id as f64),
            ],
            extra,
        )?;
        let spec_syn_param: Vec<(String, Value)> = t
            .spec_syn_param
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        check_params(&cx, &base, &spec_syn_param)?;
        Ok(Connection {
            name: name.to_string(),
            spec_settings,
            spec_syn_param,
        })
    }
}
