//! # hoc-template
//!
//! NEURON hoc cell templates read without NEURON. A small hoc interpreter runs
//! the file that defines a template (and the files it loads beside it),
//! instantiates the template as `new Name()` would, and gives the cell NEURON
//! would then hold: sections in the order of the template's `all` list,
//! parents and connection order, geometry (`L`/`diam` cylinders, pt3d points
//! as float32 with their arc lengths, `define_shape()`), `nseg`, `cm`, `Ra`,
//! the inserted mechanisms with their parameters and the ions, and the public
//! section lists — as the reader's own model ([`HocCell`], every range
//! variable per segment) and as the engine's [`CellSpec`].
//!
//! The supported hoc: templates (`begintemplate`, `public`, `external`),
//! `create` (arrays), `connect` (both forms), `access`, `insert`, `forall`,
//! `forsec`, `ifsec`, `SectionList` (`append`, `subtree`, `wholetree`,
//! `remove`, `unique`), `Vector`, `List`, `distance()`, range variables with
//! `(x)` and `(x1:x2) = y1:y2`, `for (x)` / `for (x, 0)`, `for`/`while`/`if`,
//! arithmetic and math functions, `strdef`/`sprint`/`printf`, `objref`,
//! `proc`/`func`/`obfunc` with `$1`, `$s1`, `$o1` and locals, `load_file` /
//! `xopen` of files beside the template (NEURON's own library files are
//! ignored), `nrn_load_dll` (ignored, with a note), `pt3dadd`, `pt3dclear`,
//! `define_shape`. Point processes a template creates are dropped (they are
//! not part of the cell). Anything else is a typed [`Error`] naming the file,
//! the line and the construct.
//!
//! ```no_run
//! use std::path::Path;
//! let reg = mech_api::Registry::new();
//! let table = hoc_template::MechTable::from_registry(&reg);
//! let cell = hoc_template::read(Path::new("templates.hoc"), "FSI_Cell", &[], &table).unwrap();
//! let spec = cell.to_cell_spec().unwrap();
//! println!("{} sections", spec.sections.len());
//! ```
//!
//! ## Dependencies
//!
//! * `cable-core` — the [`CellSpec`] it produces.
//! * `mech-api` (host) — the mechanism [`mech_api::Registry`] that says which
//!   names are mechanisms' range variables (`gnabar_hh` → `hh`, `gnabar`).
//! * `thiserror` — the typed [`Error`].
//! * dev: `serde_json` (the NEURON dumps the tests compare with),
//!   `standard-mechanisms` (the registry of `hh` and `pas`).
#![deny(missing_docs)]

mod ast;
pub mod cell;
pub mod error;
pub mod interp;
mod lexer;
pub mod mechs;
mod parser;
pub mod section;
mod shape;
mod to_cell;

pub use cable_core::cell::CellSpec;
pub use cell::HocCell;
pub use error::{Error, Result};
pub use interp::{Interp, Value};
pub use mechs::{MechDesc, MechTable};

use std::path::{Path, PathBuf};

/// Run `file` and instantiate template `name` with numeric `args`.
pub fn read(file: &Path, name: &str, args: &[f64], mechs: &MechTable) -> Result<HocCell> {
    let mut it = Interp::new(mechs);
    it.load_file(file)?;
    if !it.has_template(name) {
        return Err(Error::NoTemplate {
            where_: file.to_path_buf(),
            name: name.to_string(),
        });
    }
    let id = it.instantiate(name, args.iter().map(|&a| Value::Num(a)).collect())?;
    HocCell::from_interp(&it, id, file.to_path_buf())
}

/// The `.hoc` file holding `begintemplate name`: `path` itself, or the first
/// such file (by name) in the folder `path`.
pub fn find_template(path: &Path, name: &str) -> Result<PathBuf> {
    let holds = |f: &Path| -> bool {
        std::fs::read(f).is_ok_and(|b| {
            String::from_utf8_lossy(&b).lines().any(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some("begintemplate") && w.next() == Some(name)
            })
        })
    };
    if path.is_file() {
        return if holds(path) {
            Ok(path.to_path_buf())
        } else {
            Err(Error::NoTemplate {
                where_: path.to_path_buf(),
                name: name.to_string(),
            })
        };
    }
    let rd = std::fs::read_dir(path).map_err(|e| Error::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hoc"))
        .collect();
    files.sort();
    files
        .into_iter()
        .find(|f| holds(f))
        .ok_or_else(|| Error::NoTemplate {
            where_: path.to_path_buf(),
            name: name.to_string(),
        })
}

/// Find template `name` in `path` (file or folder), build it with the
/// mechanisms of `reg`, and give its `CellSpec`.
pub fn load_cell(path: &Path, name: &str, reg: &mech_api::Registry) -> Result<CellSpec> {
    let file = find_template(path, name)?;
    let table = MechTable::from_registry(reg);
    read(&file, name, &[], &table)?.to_cell_spec()
}
