//! Gap-junction connection types, as bmtool's
//! `GapJunctionTuner._build_conn_type_settings_from_config` derives them: every
//! edge type whose representative edge has `is_gap_junction == True` and joins
//! two nodes of the same template becomes `<source pop>2<target pop>_gj_type_<id>`
//! with that template as its cell, section 0 at 0.5, and the edge type's
//! dynamics_params (if any) as its parameters.

use crate::conn_source::{ConnSource, SynParams};
use crate::Value;
use serde::Serialize;

/// One gap-junction connection type: bmtool's gap `conn_type_settings[name]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapType {
    /// The template both coupled cells are built from (`hoc:` removed).
    pub cell: String,
    /// The section index (bmtool: always 0).
    pub sec_id: i64,
    /// The position on the section (bmtool: always 0.5).
    pub sec_x: f64,
    /// The current step of the first cell (bmtool's entry; its tuner uses
    /// the general setting instead).
    pub iclamp_amp: f64,
    /// The dynamics_params file's values (`{}` without one).
    pub spec_syn_param: SynParams,
    /// The edge type's dynamics_params file, if it names one.
    #[serde(skip)]
    pub dynamics_params_file: Option<String>,
}

/// A gap-junction type with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedGap {
    /// bmtool's name: `<source pop>2<target pop>_gj_type_<edge_type_id>`.
    pub name: String,
    /// The type.
    pub gap: GapType,
    /// The representative edge and its target node.
    pub source: ConnSource,
}

/// Whether an edge's `is_gap_junction` makes it a gap junction for bmtool
/// (`fillna(False) == True`: the value `True` or a number equal to 1).
pub(crate) fn is_gap_junction(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i == 1,
        Some(Value::Float(f)) => *f == 1.0,
        _ => false,
    }
}

/// The cell name bmtool takes from a `model_template` (`hoc:` removed).
pub(crate) fn template_cell(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Str(s)) => Some(s.strip_prefix("hoc:").unwrap_or(s).to_string()),
        _ => None,
    }
}

/// bmtool's gap connection name.
pub(crate) fn gap_name(source_pop: Option<&Value>, target_pop: Option<&Value>, id: i64) -> String {
    let s = |v: Option<&Value>| v.map(Value::pandas_str).unwrap_or_default();
    format!("{}2{}_gj_type_{id}", s(source_pop), s(target_pop))
}
