//! Gap-junction settings derived from a SONATA/BMTK config, as bmtool's
//! `GapJunctionTuner(config=...)` builds them: the gap-junction edge types
//! `sonata-config` derives ([`sonata_config::gap_junction_types`]), bmtool's gap
//! defaults, the cells found as `<cells or templates_dir>/<cell>.json`, and the
//! config's `components.mechanisms_dir` as the model's mechanisms.

use super::sonata::config_mechanisms;
use super::{GapConnection, GapGeneral, GapSettings};
use crate::TunerError;
use std::path::{Path, PathBuf};

impl GapSettings {
    /// Gap settings from a SONATA/BMTK config: one connection per gap-junction
    /// edge type between cells of one template (bmtool's names,
    /// `<source pop>2<target pop>_gj_type_<id>`), the cell files in `cells`
    /// (default: the config's `components.templates_dir`).
    pub fn from_sonata(config: &Path, cells: Option<&Path>) -> Result<GapSettings, TunerError> {
        let cfg = sonata_config::Config::load(config)?;
        let gaps = sonata_config::gap_junction_types(&cfg)?;
        if gaps.is_empty() {
            return Err(TunerError::NoGapJunctions {
                config: config.to_path_buf(),
            });
        }
        let dir =
            match cells {
                Some(d) => d.to_path_buf(),
                None => cfg.components().templates_dir.clone().ok_or_else(|| {
                    TunerError::NoCellsDir {
                        config: config.to_path_buf(),
                    }
                })?,
            };
        let mut connections = Vec::with_capacity(gaps.len());
        let mut cell_files: Vec<(String, PathBuf)> = Vec::new();
        for d in &gaps {
            let cell = d.gap.cell.clone();
            if !cell_files.iter().any(|(k, _)| *k == cell) {
                cell_files.push((cell.clone(), dir.join(format!("{cell}.json"))));
            }
            connections.push(GapConnection {
                name: d.name.clone(),
                cell,
                iclamp_amp: Some(d.gap.iclamp_amp),
                sec_x: d.gap.sec_x,
                sec_id: d.gap.sec_id.max(0) as usize,
                level_of_detail: "Gap".into(),
            });
        }
        Ok(GapSettings {
            general: GapGeneral::default(),
            connections,
            cells: cell_files,
            mechanisms: config_mechanisms(&cfg),
            source: config.to_path_buf(),
        })
    }
}
