//! From a SONATA node to its cell, as BMTK resolves it
//! (`bmtk/simulator/core/sonata_reader/node_adaptor.py`, `preprocess_node_types`;
//! `bmtk/simulator/bionet/sonata_adaptors.py`, `load_cell`):
//!
//! * the node is an Allen cell when `model_type` is `biophysical` and
//!   `model_template` is `ctdb:Biophys1.hoc` or `ctdb:Biophys1` (BMTK's
//!   `Biophys1` cell model);
//! * `morphology` is joined to `components.morphologies_dir`; if that file does
//!   not exist and the name has no `.swc`, `.swc` is added (SONATA allows the
//!   extension to be left out);
//! * `dynamics_params` is joined to `components.biophysical_neuron_models_dir`;
//! * `model_processing` is split at commas.
//!
//! Values pandas reads as missing (`NULL`, empty, `NaN`) count as absent.

use crate::dynamics::Dynamics;
use crate::error::Error;
use crate::pipeline::{build, AllenCell, Options, Processing};
use crate::swc::Swc;
use std::path::{Path, PathBuf};

/// What a SONATA node gives for its cell: its node type's columns, overridden
/// by the node's own columns in the nodes file (as BMTK merges them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SonataNode<'a> {
    /// `model_type` (`biophysical`).
    pub model_type: Option<&'a str>,
    /// `model_template` (`ctdb:Biophys1.hoc`).
    pub model_template: Option<&'a str>,
    /// `morphology`: the SWC file name.
    pub morphology: Option<&'a str>,
    /// `dynamics_params`: the dynamics JSON file name.
    pub dynamics_params: Option<&'a str>,
    /// `model_processing` (`aibs_perisomatic`, ...).
    pub model_processing: Option<&'a str>,
}

/// The config's `components` the node's files are found in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SonataComponents<'a> {
    /// `components.morphologies_dir`.
    pub morphologies_dir: Option<&'a Path>,
    /// `components.biophysical_neuron_models_dir`.
    pub biophysical_neuron_models_dir: Option<&'a Path>,
}

/// A value pandas would read as present.
fn present(v: Option<&str>) -> Option<&str> {
    let t = v?.trim();
    (!(t.is_empty() || t == "NULL" || t.eq_ignore_ascii_case("nan") || t == "None")).then_some(t)
}

/// Whether BMTK builds this node with its `Biophys1` cell model (an SWC and a
/// dynamics_params file, no hoc template).
pub fn is_allen_node(model_type: Option<&str>, model_template: Option<&str>) -> bool {
    present(model_type) == Some("biophysical")
        && matches!(
            present(model_template),
            Some("ctdb:Biophys1.hoc") | Some("ctdb:Biophys1")
        )
}

/// The morphology file of a node, as BMTK finds it.
pub fn morphology_path(
    morphology: &str,
    morphologies_dir: Option<&Path>,
) -> Result<PathBuf, Error> {
    let path = match morphologies_dir {
        Some(dir) => dir.join(morphology),
        None => PathBuf::from(morphology),
    };
    if path.exists() {
        return Ok(path);
    }
    if !morphology.ends_with(".swc") {
        let with = PathBuf::from(format!("{}.swc", path.display()));
        if with.exists() {
            return Ok(with);
        }
    }
    Err(Error::Node {
        column: "morphology".into(),
        message: format!(
            "`{morphology}`: no file {}{} (BMTK: \"Could not find node morphology file\")",
            path.display(),
            if morphology.ends_with(".swc") {
                ""
            } else {
                " (nor with .swc)"
            }
        ),
    })
}

/// The dynamics_params file of a node, as BMTK finds it.
pub fn dynamics_path(dynamics: &str, models_dir: Option<&Path>) -> Result<PathBuf, Error> {
    let Some(dir) = models_dir else {
        return Err(Error::Node {
            column: "dynamics_params".into(),
            message: format!(
                "`{dynamics}`: the config has no components.biophysical_neuron_models_dir to find it in"
            ),
        });
    };
    let path = dir.join(dynamics);
    if !path.is_file() {
        return Err(Error::Node {
            column: "dynamics_params".into(),
            message: format!(
                "`{dynamics}`: no file {} (BMTK: \"Could not find node dynamics_params file\")",
                path.display()
            ),
        });
    }
    Ok(path)
}

/// Build the cell of a SONATA node (see the module docs); `opts.dl` is the
/// config's `run.dL`.
pub fn from_sonata_node(
    node: &SonataNode,
    components: &SonataComponents,
    opts: &Options,
) -> Result<AllenCell, Error> {
    if !is_allen_node(node.model_type, node.model_template) {
        return Err(Error::Node {
            column: "model_template".into(),
            message: format!(
                "model_type `{}` with model_template `{}` is not an Allen cell; expected model_type \
                 biophysical with ctdb:Biophys1.hoc",
                node.model_type.unwrap_or("(none)"),
                node.model_template.unwrap_or("(none)")
            ),
        });
    }
    let morphology = present(node.morphology).ok_or_else(|| Error::Node {
        column: "morphology".into(),
        message: "missing: ctdb:Biophys1.hoc reads the cell's SWC morphology".into(),
    })?;
    let processing = Processing::parse_list(present(node.model_processing).unwrap_or(""))?;
    let swc = Swc::read(&morphology_path(morphology, components.morphologies_dir)?)?;
    let dynamics = match present(node.dynamics_params) {
        Some(d) => Some(Dynamics::read(&dynamics_path(
            d,
            components.biophysical_neuron_models_dir,
        )?)?),
        None => None,
    };
    build(&swc, dynamics.as_ref(), &processing, opts)
}
