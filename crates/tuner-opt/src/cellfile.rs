//! A post cell from where its settings point: a `synaptune-cell/1` file, or a
//! NEURON hoc template read with `hoc-template` — a `.hoc` file, a folder of
//! them, or a `<post_cell>.json` that does not exist beside a `.hoc` file with
//! `begintemplate <post_cell>` (bmtool finds templates by name the same way).

use crate::TunerError;
use cable_core::CellSpec;
use mech_api::Registry;
use std::path::Path;

/// The cell `name` described at `path`, its mechanisms named by `reg`.
pub fn load_cell_file(path: &Path, name: &str, reg: &Registry) -> Result<CellSpec, TunerError> {
    let hoc = |p: &Path| {
        hoc_template::load_cell(p, name, reg).map_err(|source| TunerError::HocTemplate {
            cell: name.to_string(),
            source: Box::new(source),
        })
    };
    if path.is_dir() || path.extension().is_some_and(|e| e == "hoc") {
        return hoc(path);
    }
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            if hoc_template::find_template(dir, name).is_ok() {
                return hoc(dir);
            }
        }
    }
    Ok(CellSpec::from_file(path)?)
}
