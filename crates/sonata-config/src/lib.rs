//! # sonata-config
//!
//! Reads SONATA/BMTK network descriptions and derives bmtool's "connection
//! types" from them. It contains no simulation code.
//!
//! * [`Config`]: `simulation_config.json` / `circuit_config.json` ([`Config::load`],
//!   or [`Config::parse`] for text) with manifest
//!   substitution (`$VAR`, `${VAR}`, `${configdir}`, variables defined from
//!   other variables), the `network` (and BMTK's `simulation`) include, the
//!   `components` folders, `node_sets_file`, and `run` / `conditions` as numbers.
//! * [`TypesTable`]: `node_types.csv` / `edge_types.csv` as the SONATA spec
//!   defines them; [`NodesFile`] / [`EdgesFile`]: the HDF5 populations, their
//!   groups and group columns (`dynamics_params/*` included); [`GapJunctions`]:
//!   BMTK's gap-junction files.
//! * [`connection_types`]: one connection type per edge type, named, ordered and
//!   filled exactly as bmtool 0.8.7's
//!   `SynapseTuner._build_conn_type_settings_from_config` does, with two of its
//!   bugs fixed (below); [`networks`] lists networks as bmtool does.
//!
//! ```
//! use sonata_config::{connection_types, connections_json, networks, Config};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/sonata/basic/config.json");
//! let config = Config::load(path)?;
//! assert_eq!(config.run().dt, Some(0.025));
//! assert_eq!(config.conditions().celsius, Some(34.0));
//! assert!(config.components().synaptic_models_dir.is_some());
//! assert_eq!(networks(&config)[0], "thalamic_input");
//!
//! let types = connection_types(&config, Some("cortex_to_cortex"))?;
//! let (name, pv2pn) = &types[1];
//! assert_eq!(name, "PV2PN");
//! assert_eq!(pv2pn.spec_settings.post_cell, "PNCell");
//! assert_eq!(pv2pn.spec_settings.level_of_detail.as_str(), Some("GABA_A_STP"));
//! assert!(pv2pn.spec_syn_param.get("initW").is_some());
//!
//! // The two JSON shapes of `synaptune connections` (without and with --full):
//! let summary = connections_json(&types, false);
//! assert!(summary.contains("\"synapse_type\": \"GABA_A_STP\""));
//! let full = connections_json(&types, true);
//! assert!(full.contains("\"spec_syn_param\""));
//! # Ok::<(), sonata_config::Error>(())
//! ```
//!
//! ## How a connection type is derived (bmtool's rules)
//!
//! * **Networks** are edges files, each named after its first edge population
//!   (h5py's order: by name); a name that two files share is listed once and
//!   means the later file. Every population of a file contributes its edges.
//! * **Source and target nodes** of a network come from the first rule that
//!   finds them among the node populations: the name split at `_to_`; the
//!   `node_population` attributes of the first edge's population; a population
//!   whose name starts or ends the network's name (the first such is the source,
//!   the next the target). A network matched by none is skipped (see
//!   [`Derivation::skipped`]).
//! * **One representative edge per edge type**: the first edge of each type, in
//!   file order, types in order of first appearance. Its columns are the
//!   `edge_types.csv` row merged with its group's HDF5 columns (an HDF5 value
//!   wins unless missing; edges of a group without a column get `""` for
//!   fixed-length string columns and a missing value otherwise).
//! * Types with a true `is_gap_junction` are skipped.
//! * **Name**: the dynamics file's base name without extension, with
//!   `_type_<edge_type_id>` appended when that name is already taken; without a
//!   dynamics file `<source pop_name>2<target pop_name>` (a later type with the
//!   same name replaces the earlier one in place, as a Python dict does), or
//!   `<network>_type_<edge_type_id>` when either `pop_name` is empty or absent.
//! * `spec_settings`: `post_cell` is the target node's `model_template` with
//!   `hoc:` removed; `vclamp_amp` -70.0; `sec_x` `afferent_section_pos` (else
//!   0.5); `sec_id` `afferent_section_id` (else 0); `level_of_detail` from the
//!   dynamics file, else the edge's `model_template` (`"exp2syn"` when there is
//!   no such column); `dynamics_params_file` when there is a dynamics file.
//! * `spec_syn_param`: the dynamics file's entries but `level_of_detail`, then
//!   the group's non-missing `dynamics_params/<name>` columns (always, as
//!   bmtool's `for ... else` does), then `initW` = `syn_weight`.
//!
//! ## Deliberate differences from bmtool 0.8.7
//!
//! Its two bugs the issue names, fixed:
//!
//! * Dynamics files are found in the `synaptic_models_dir` of the circuit config
//!   a simulation config includes, relative paths taken relative to the config
//!   file that declares them (SONATA); bmtool/BMTK take them relative to the
//!   working directory, so run from elsewhere bmtool silently finds no parameters
//!   (recorded in the `bugcase` fixtures).
//! * Listing connections needs no tuner: bmtool's `list_connections_from_config`
//!   builds an instance without `__init__`, misses its dynamics cache and lists
//!   every type with no parameters from its dynamics file.
//!
//! What bmtool prints as a warning, or silently skips, is an [`Error`] here: a
//! missing or non-JSON dynamics file, no `synaptic_models_dir`, an unknown network
//! name (bmtool returns nothing), an edge type id not in `edge_types.csv`, a node
//! type id not in `node_types.csv`, an edge naming a node its population lacks, an
//! edges file that cannot be read (bmtool lists the network and skips it).
//! Networks whose source/target no rule finds are skipped as bmtool skips them.
//!
//! Where bmtool crashes, this crate goes on: a target without a string
//! `model_template` gives an empty `post_cell`; nodes files with several
//! populations are read whole; edges files whose populations carry different
//! group columns are merged by the rule above; edge populations with members that
//! are not groups (other than `indices`) are read; a population without `node_id`
//! uses row numbers (SONATA's implicit ids); node groups are read whether or not a
//! group `0` exists.
//!
//! Representation:
//!
//! * Variable-length HDF5 strings are decoded (bmtool keeps Python `bytes`).
//! * A missing value (pandas' `NaN`) in `level_of_detail` is [`Value::Null`] (JSON `null`).
//! * CSV fields are separated by one *or more* spaces (SONATA); bmtool's pandas
//!   reads two spaces as an empty field, which is accepted too when a row only
//!   fits the header that way (BMTK writes `None` so). Cells are typed per column
//!   as pandas types them, but only `NULL` is a missing value (pandas also takes
//!   `NA`, `nan`, `None`, empty quotes, ...).
//! * Dynamics files are parsed by `serde_json`: `NaN`/`Infinity` literals (which
//!   Python accepts) are errors, and numbers with 17 significant digits may come
//!   out one unit in the last place away from Python's (its default float parser).
//! * Manifest variables are replaced where they occur (BMTK replaces the text
//!   everywhere in the string); `date`/`time`/`datetime` are UTC; a variable
//!   that never resolves in a path this crate reads is an error (BMTK leaves the
//!   text as it is).
//! * `components` of an included file are merged key by key into the including
//!   file's (BMTK replaces the whole section).
//!
//! ## Dependencies
//!
//! * `hdf5-reader`: pure-Rust, read-only HDF5 (no C library); reads BMTK's
//!   gzip-chunked and h5py's contiguous datasets and string attributes, and
//!   reports truncated or corrupt files as errors.
//! * `serde`: serialises the connection types with bmtool's keys and order.
//! * `serde_json`: parses the JSON configs and dynamics files and writes the CLI's JSON.
//! * `thiserror`: the typed [`Error`].
//! * dev: `proptest` (no-panic property tests of the CSV and config parsers),
//!   `criterion` (the 1M-edge bench), `hdf5-writer` (pure-Rust HDF5 writer, the
//!   sibling of `hdf5-reader`: the bench and the bad-input tests write their
//!   networks with it, as CI has no Python).
#![deny(missing_docs)]

mod config;
mod conn_source;
mod conn_types;
mod error;
mod gap_types;
mod h5;
mod manifest;
mod populations;
mod types_csv;
mod value;

pub use config::{Components, Conditions, Config, EdgesEntry, GapJuncsEntry, NodesEntry, Run};
pub use conn_source::{ConnSource, SynParams, TargetNode, CELL_COLUMNS};
pub use conn_types::{
    connection_types, connections_full, connections_json, connections_summary,
    derive_connection_types, gap_junction_types, networks, networks_json, ConnSummary, ConnType,
    Derivation, Ordered, RawSpecSettings, SkippedNetwork,
};
pub use error::{Error, ErrorDetail, ErrorKind};
pub use gap_types::{DerivedGap, GapType};
pub use h5::ColumnType;
pub use populations::{
    Edge, EdgePopulation, EdgesFile, GapJunctions, Group, GroupColumn, NodePopulation, NodesFile,
};
pub use types_csv::{TypesRow, TypesTable};
pub use value::Value;
