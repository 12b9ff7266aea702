//! Reading a cell document: the format tag, the name, the section names, each
//! section (`section`), the topology (one tree), the section lists and the
//! connection order. Errors
//! name the file, the section and the field; the checks run in a fixed order,
//! so a document with several faults always reports the same one.

use super::section::parse_section;
use super::{CellSpec, Ctx, SectionSpec, FORMAT};
use crate::error::{CellError, CellErrorKind};
use serde_json::{Map, Value};
use std::path::Path;

impl CellSpec {
    /// Read and validate a cell file (structure, geometry, topology; mechanism
    /// names are checked by [`CellSpec::check_mechanisms`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<CellSpec, CellError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| CellError {
            file: path.to_path_buf(),
            section: None,
            field: None,
            kind: CellErrorKind::Io,
            message: format!("cannot read the cell file: {e}"),
        })?;
        CellSpec::from_json_str(&text, path)
    }

    /// Parse a cell from JSON text; `label` names it in errors.
    pub fn from_json_str(text: &str, label: impl AsRef<Path>) -> Result<CellSpec, CellError> {
        let file = label.as_ref();
        let v: Value = serde_json::from_str(text).map_err(|e| CellError {
            file: file.to_path_buf(),
            section: None,
            field: None,
            kind: CellErrorKind::Syntax,
            message: format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        })?;
        CellSpec::from_value(&v, file)
    }

    /// Build a cell from a parsed JSON value.
    pub fn from_value(v: &Value, file: &Path) -> Result<CellSpec, CellError> {
        let cx = Ctx { file };
        let obj = v.as_object().ok_or_else(|| {
            cx.err(
                None,
                None,
                CellErrorKind::BadType,
                "expected a JSON object at the top level",
            )
        })?;
        check_header(&cx, obj)?;
        let name = cell_name(&cx, obj)?;
        let secs = obj
            .get("sections")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                cx.err(
                    None,
                    Some("sections"),
                    CellErrorKind::BadType,
                    "missing or not an array of sections",
                )
            })?;
        let names = section_names(&cx, secs)?;
        let mut sections = Vec::with_capacity(secs.len());
        for (s, name) in secs.iter().zip(&names) {
            sections.push(parse_section(&cx, s.as_object().unwrap(), name, &names)?);
        }
        check_tree(&cx, &sections)?;
        let section_lists = section_lists(&cx, obj, &names)?;
        let connection_order = connection_order(&cx, obj, &sections)?;
        let globals = globals(&cx, obj)?;
        let celsius = match obj.get("celsius") {
            None => None,
            Some(v) => Some(v.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                cx.err(
                    None,
                    Some("celsius"),
                    CellErrorKind::BadType,
                    format!("expected a finite number (°C), found {v}"),
                )
            })?),
        };
        Ok(CellSpec {
            name,
            sections,
            section_lists,
            connection_order,
            globals,
            celsius,
            source: file.to_path_buf(),
        })
    }
}

/// The format tag, and no top-level field the format does not define.
fn check_header(cx: &Ctx, obj: &Map<String, Value>) -> Result<(), CellError> {
    match obj.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(cx.err(
                None,
                Some("format"),
                CellErrorKind::BadFormat,
                format!("unsupported format `{other}`; expected `{FORMAT}`"),
            ))
        }
        None => {
            return Err(cx.err(
                None,
                Some("format"),
                CellErrorKind::BadFormat,
                format!("missing; expected \"format\": \"{FORMAT}\""),
            ))
        }
    }
    for k in obj.keys() {
        if ![
            "format",
            "name",
            "sections",
            "section_lists",
            "connection_order",
            "globals",
            "celsius",
            "comment",
        ]
        .contains(&k.as_str())
        {
            return Err(cx.err(
                None,
                Some(k),
                CellErrorKind::UnknownField,
                "unknown top-level field; expected format, name, sections, section_lists, connection_order, globals, celsius, comment",
            ));
        }
    }
    Ok(())
}

/// The cell's name (`cell` when not given).
fn cell_name(cx: &Ctx, obj: &Map<String, Value>) -> Result<String, CellError> {
    match obj.get("name") {
        None => Ok(String::from("cell")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(cx.err(
            None,
            Some("name"),
            CellErrorKind::BadType,
            format!("expected a string, found {other}"),
        )),
    }
}

/// The sections' names (read first: parents may name later sections), each a
/// non-empty string, all distinct; at least one section.
fn section_names(cx: &Ctx, secs: &[Value]) -> Result<Vec<String>, CellError> {
    let mut names: Vec<String> = Vec::with_capacity(secs.len());
    for (k, s) in secs.iter().enumerate() {
        let label = format!("#{k}");
        let so = s.as_object().ok_or_else(|| {
            cx.err(
                Some(&label),
                None,
                CellErrorKind::BadType,
                "expected a section object",
            )
        })?;
        let n = so.get("name").and_then(Value::as_str).ok_or_else(|| {
            cx.err(
                Some(&label),
                Some("name"),
                CellErrorKind::BadType,
                "missing or not a string",
            )
        })?;
        if n.is_empty() {
            return Err(cx.err(
                Some(&label),
                Some("name"),
                CellErrorKind::BadType,
                "empty section name",
            ));
        }
        if names.iter().any(|m| m == n) {
            return Err(cx.err(
                Some(n),
                Some("name"),
                CellErrorKind::DuplicateSection,
                "two sections have this name; names must be unique",
            ));
        }
        names.push(n.to_string());
    }
    if names.is_empty() {
        return Err(cx.err(
            None,
            Some("sections"),
            CellErrorKind::NoRoot,
            "the cell has no sections",
        ));
    }
    Ok(names)
}

/// Topology: exactly one root, no cycles.
fn check_tree(cx: &Ctx, sections: &[SectionSpec]) -> Result<(), CellError> {
    let roots: Vec<&str> = sections
        .iter()
        .filter(|s| s.parent.is_none())
        .map(|s| s.name.as_str())
        .collect();
    match roots.len() {
        0 => {
            return Err(cx.err(
                None,
                Some("parent"),
                CellErrorKind::NoRoot,
                "every section has a parent, so the tree has no root (and a cycle); exactly one section needs \"parent\": null",
            ))
        }
        1 => {}
        _ => {
            return Err(cx.err(
                Some(roots[1]),
                Some("parent"),
                CellErrorKind::MultipleRoots,
                format!(
                    "sections {} have no parent; a cell is one tree with exactly one root",
                    roots
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }
    for (k, s) in sections.iter().enumerate() {
        let mut cur = k;
        let mut steps = 0;
        while let Some(p) = sections[cur].parent {
            cur = p.section;
            steps += 1;
            if steps > sections.len() {
                return Err(cx.err(
                    Some(&s.name),
                    Some("parent"),
                    CellErrorKind::Cycle,
                    "following parents from this section never reaches the root: the parent relation has a cycle",
                ));
            }
        }
    }
    Ok(())
}

/// `section_lists`: name → names of existing sections.
fn section_lists(
    cx: &Ctx,
    obj: &Map<String, Value>,
    names: &[String],
) -> Result<Vec<(String, Vec<String>)>, CellError> {
    let mut section_lists = Vec::new();
    let Some(lists) = obj.get("section_lists") else {
        return Ok(section_lists);
    };
    let lo = lists.as_object().ok_or_else(|| {
        cx.err(
            None,
            Some("section_lists"),
            CellErrorKind::BadType,
            "expected an object of name -> [section names]",
        )
    })?;
    for (ln, members) in lo {
        let field = format!("section_lists.{ln}");
        let arr = members.as_array().ok_or_else(|| {
            cx.err(
                None,
                Some(&field),
                CellErrorKind::BadType,
                "expected an array of section names",
            )
        })?;
        let mut m = Vec::new();
        for x in arr {
            let s = x.as_str().ok_or_else(|| {
                cx.err(
                    None,
                    Some(&field),
                    CellErrorKind::BadType,
                    "expected section names (strings)",
                )
            })?;
            if !names.iter().any(|n| n == s) {
                return Err(cx.err(
                    Some(s),
                    Some(&field),
                    CellErrorKind::UnknownListMember,
                    "names a section the cell does not have",
                ));
            }
            m.push(s.to_string());
        }
        section_lists.push((ln.clone(), m));
    }
    Ok(section_lists)
}

/// `connection_order`: the names of the non-root sections in the order they were
/// connected, each exactly once (not given: section order).
fn connection_order(
    cx: &Ctx,
    obj: &Map<String, Value>,
    sections: &[SectionSpec],
) -> Result<Option<Vec<usize>>, CellError> {
    let Some(v) = obj.get("connection_order") else {
        return Ok(None);
    };
    let field = "connection_order";
    let bad = |section: Option<&str>, message: String| {
        cx.err(
            section,
            Some(field),
            CellErrorKind::BadConnectionOrder,
            message,
        )
    };
    let arr = v.as_array().ok_or_else(|| {
        bad(
            None,
            "expected an array of the non-root sections' names".to_string(),
        )
    })?;
    let mut seen = vec![false; sections.len()];
    let mut order = Vec::with_capacity(arr.len());
    for x in arr {
        let name = x
            .as_str()
            .ok_or_else(|| bad(None, format!("expected section names (strings), found {x}")))?;
        let k = sections
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| bad(Some(name), "names a section the cell does not have".into()))?;
        if sections[k].parent.is_none() {
            return Err(bad(
                Some(name),
                "the root section is connected to nothing; list only sections with a parent".into(),
            ));
        }
        if seen[k] {
            return Err(bad(Some(name), "listed twice".into()));
        }
        seen[k] = true;
        order.push(k);
    }
    if let Some(k) = (0..sections.len()).find(|&k| !seen[k] && sections[k].parent.is_some()) {
        return Err(bad(
            Some(&sections[k].name),
            "missing: list every section that has a parent".into(),
        ));
    }
    Ok(Some(order))
}

/// `globals`: `{mechanism: {global: value}}`, the mechanism GLOBALs the template sets.
fn globals(cx: &Ctx, obj: &Map<String, Value>) -> Result<Vec<(String, String, f64)>, CellError> {
    let mut out = Vec::new();
    let Some(v) = obj.get("globals") else {
        return Ok(out);
    };
    let bad = |field: &str, what: &str| {
        cx.err(None, Some(field), CellErrorKind::BadType, what.to_string())
    };
    let mechs = v
        .as_object()
        .ok_or_else(|| bad("globals", "expected an object {mechanism: {global: value}}"))?;
    for (m, gv) in mechs {
        let field = format!("globals.{m}");
        let gs = gv
            .as_object()
            .ok_or_else(|| bad(&field, "expected an object {global: value}"))?;
        for (g, x) in gs {
            let f = format!("{field}.{g}");
            let x = x
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(&f, &format!("expected a finite number, found {x}")))?;
            out.push((m.clone(), g.clone(), x));
        }
    }
    Ok(out)
}
