//! `node_types.csv` / `edge_types.csv` as the SONATA specification defines them.
//!
//! * Fields are separated by one or more spaces; leading and trailing spaces on a
//!   line are ignored; blank lines are skipped.
//! * A field may be quoted with `"`; inside quotes spaces and line breaks are kept
//!   and `""` stands for one `"`. A quote inside an unquoted field is an ordinary
//!   character.
//! * `NULL` (quoted or not, as pandas reads it) is a missing value ([`Value::Null`]).
//! * The first line names the columns; one of them is the id column
//!   (`node_type_id` / `edge_type_id`), an integer on every row.
//!
//! BMTK writes a Python `None` property as an empty field, i.e. two consecutive
//! spaces, and bmtool (pandas, `sep=" "`) reads those as an empty cell. So a row
//! that has too few fields when runs of spaces separate fields, but exactly as
//! many as the header when every single space separates two fields, is read the
//! second way, its empty fields as missing values.
//!
//! Cells are typed column by column, as pandas does: a column whose present values
//! are all integers holds [`Value::Int`] (or [`Value::Float`] when some are
//! missing, as pandas turns such a column into floats), all numbers
//! [`Value::Float`], all `True`/`False` (`TRUE`, `true`, ...) [`Value::Bool`], and
//! anything else [`Value::Str`].

use crate::error::{read_text, Error, ErrorDetail};
use crate::value::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One parsed `*_types.csv` file.
#[derive(Debug, Clone, PartialEq)]
pub struct TypesTable {
    path: PathBuf,
    id_column: String,
    columns: Vec<String>,
    rows: Vec<TypesRow>,
    index: HashMap<i64, usize>,
}

/// One row of a [`TypesTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct TypesRow {
    /// The 1-based line on which the row starts.
    pub line: usize,
    /// The value of the id column.
    pub id: i64,
    /// One value per column, in [`TypesTable::columns`] order (the id column included).
    pub values: Vec<Value>,
}

#[derive(Debug, Clone)]
struct RawField {
    text: String,
    /// Spaces between this field and the previous one (or the line start).
    spaces_before: usize,
}

#[derive(Debug)]
struct RawRecord {
    line: usize,
    fields: Vec<RawField>,
    trailing_spaces: usize,
}

impl TypesTable {
    /// Reads and parses `path`; `id_column` is `node_type_id` or `edge_type_id`.
    pub fn load(path: &Path, id_column: &str) -> Result<Self, Error> {
        let text = read_text(path, None)?;
        Self::parse(&text, path, id_column)
    }

    /// Parses CSV text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path, id_column: &str) -> Result<Self, Error> {
        let err = |line: usize, message: String| {
            ErrorDetail::Csv {
                path: path.to_path_buf(),
                line,
                message,
            }
            .into()
        };
        let records = tokenize(text).map_err(|(line, m)| err(line, m))?;
        let mut records = records.into_iter();
        let header = records.next().ok_or_else(|| {
            err(
                1,
                format!(
                    "empty file: expected a header line naming `{id_column}` and the other columns"
                ),
            )
        })?;
        let mut columns = Vec::with_capacity(header.fields.len());
        for f in &header.fields {
            if f.text.is_empty() {
                return Err(err(
                    header.line,
                    "empty column name in the header".to_string(),
                ));
            }
            if columns.contains(&f.text) {
                return Err(err(
                    header.line,
                    format!("column `{}` appears twice in the header", f.text),
                ));
            }
            columns.push(f.text.clone());
        }
        let id_idx = columns.iter().position(|c| c == id_column).ok_or_else(|| {
            err(
                header.line,
                format!(
                    "no `{id_column}` column (the header has: {})",
                    columns.join(", ")
                ),
            )
        })?;

        // Cells as text (None = missing), row by row.
        let ncol = columns.len();
        let mut cells: Vec<(usize, Vec<Option<String>>)> = Vec::new();
        for rec in records {
            let row = fields_for_header(&rec, ncol).ok_or_else(|| {
                err(
                    rec.line,
                    format!(
                        "expected {ncol} fields (one per header column), found {}",
                        rec.fields.len()
                    ),
                )
            })?;
            cells.push((rec.line, row));
        }

        // Type each column as pandas would.
        let mut typed: Vec<Vec<Value>> = vec![Vec::with_capacity(ncol); cells.len()];
        for c in 0..ncol {
            let kind = infer_column(cells.iter().map(|(_, row)| row[c].as_deref()));
            for (r, (_, row)) in cells.iter().enumerate() {
                typed[r].push(convert(row[c].as_deref(), kind));
            }
        }

        let mut rows = Vec::with_capacity(cells.len());
        let mut index = HashMap::new();
        for ((line, raw), values) in cells.into_iter().zip(typed) {
            let id = match raw[id_idx].as_deref() {
                None => {
                    return Err(err(
                        line,
                        format!("`{id_column}` is NULL: expected an integer"),
                    ))
                }
                Some(t) => t.parse::<i64>().map_err(|_| {
                    err(line, format!("`{id_column}` is {t:?}: expected an integer"))
                })?,
            };
            index.entry(id).or_insert(rows.len());
            rows.push(TypesRow { line, id, values });
        }
        Ok(TypesTable {
            path: path.to_path_buf(),
            id_column: id_column.to_string(),
            columns,
            rows,
            index,
        })
    }

    /// The file this table was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The id column's name.
    pub fn id_column(&self) -> &str {
        &self.id_column
    }

    /// Column names in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// All rows in file order.
    pub fn rows(&self) -> &[TypesRow] {
        &self.rows
    }

    /// The position of `column` in [`TypesTable::columns`].
    pub fn column_index(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == column)
    }

    /// The first row whose id is `id`.
    pub fn row(&self, id: i64) -> Option<&TypesRow> {
        self.index.get(&id).map(|&i| &self.rows[i])
    }

    /// The value of `column` in the first row whose id is `id`.
    pub fn get(&self, id: i64, column: &str) -> Option<&Value> {
        let c = self.column_index(column)?;
        self.row(id).map(|r| &r.values[c])
    }
}

/// The record's fields as cell texts (None = missing) if they fit `ncol` columns.
fn fields_for_header(rec: &RawRecord, ncol: usize) -> Option<Vec<Option<String>>> {
    let cell = |f: &RawField| {
        if f.text == "NULL" {
            None
        } else {
            Some(f.text.clone())
        }
    };
    if rec.fields.len() == ncol {
        return Some(rec.fields.iter().map(cell).collect());
    }
    // pandas' sep=" " reading: every single space separates two fields.
    let empties = |spaces: usize| spaces.saturating_sub(1);
    let mut n = 0usize;
    for (i, f) in rec.fields.iter().enumerate() {
        n += if i == 0 {
            f.spaces_before
        } else {
            empties(f.spaces_before)
        } + 1;
    }
    n += rec.trailing_spaces;
    if n != ncol {
        return None;
    }
    let mut out = Vec::with_capacity(ncol);
    for (i, f) in rec.fields.iter().enumerate() {
        let gaps = if i == 0 {
            f.spaces_before
        } else {
            empties(f.spaces_before)
        };
        out.extend(std::iter::repeat_n(None, gaps));
        out.push(cell(f));
    }
    out.extend(std::iter::repeat_n(None, rec.trailing_spaces));
    Some(out)
}

/// Splits text into records of fields. Errors carry (line, message).
fn tokenize(text: &str) -> Result<Vec<RawRecord>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    loop {
        // One record.
        let start_line = line;
        let mut fields: Vec<RawField> = Vec::new();
        let mut spaces = 0usize;
        let mut at_end_of_text = false;
        loop {
            match chars.peek().copied() {
                None => {
                    at_end_of_text = true;
                    break;
                }
                Some(' ') => {
                    chars.next();
                    spaces += 1;
                }
                Some('\r') | Some('\n') => {
                    let c = chars.next();
                    if c == Some('\r') && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('"') => {
                    let quote_line = line;
                    chars.next();
                    let mut s = String::new();
                    loop {
                        match chars.next() {
                            None => {
                                return Err((
                                    quote_line,
                                    "unterminated quoted field: expected a closing `\"`"
                                        .to_string(),
                                ))
                            }
                            Some('"') => {
                                if chars.peek() == Some(&'"') {
                                    chars.next();
                                    s.push('"');
                                } else {
                                    break;
                                }
                            }
                            Some(c) => {
                                if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                                    line += 1;
                                }
                                s.push(c);
                            }
                        }
                    }
                    match chars.peek() {
                        None | Some(' ') | Some('\r') | Some('\n') => {}
                        Some(c) => {
                            return Err((
                                line,
                                format!(
                                    "unexpected `{c}` after a closing quote: expected a space or the end of the line"
                                ),
                            ))
                        }
                    }
                    fields.push(RawField {
                        text: s,
                        spaces_before: spaces,
                    });
                    spaces = 0;
                }
                Some(_) => {
                    let mut s = String::new();
                    while let Some(&c) = chars.peek() {
                        if c == ' ' || c == '\r' || c == '\n' {
                            break;
                        }
                        s.push(c);
                        chars.next();
                    }
                    fields.push(RawField {
                        text: s,
                        spaces_before: spaces,
                    });
                    spaces = 0;
                }
            }
        }
        if !fields.is_empty() {
            records.push(RawRecord {
                line: start_line,
                fields,
                trailing_spaces: spaces,
            });
        }
        if at_end_of_text {
            break;
        }
    }
    Ok(records)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnKind {
    Empty,
    Int,
    IntWithMissing,
    Float,
    Bool,
    Str,
}

fn parse_bool(t: &str) -> Option<bool> {
    match t {
        "True" | "TRUE" | "true" => Some(true),
        "False" | "FALSE" | "false" => Some(false),
        _ => None,
    }
}

fn infer_column<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> ColumnKind {
    let (mut all_int, mut all_float, mut all_bool) = (true, true, true);
    let (mut present, mut missing) = (0usize, false);
    for c in cells {
        match c {
            None => missing = true,
            Some(t) => {
                present += 1;
                if all_int && t.parse::<i64>().is_err() {
                    all_int = false;
                }
                if all_float && t.parse::<f64>().is_err() {
                    all_float = false;
                }
                if all_bool && parse_bool(t).is_none() {
                    all_bool = false;
                }
            }
        }
    }
    if present == 0 {
        ColumnKind::Empty
    } else if all_int {
        if missing {
            ColumnKind::IntWithMissing
        } else {
            ColumnKind::Int
        }
    } else if all_float {
        ColumnKind::Float
    } else if all_bool {
        ColumnKind::Bool
    } else {
        ColumnKind::Str
    }
}

fn convert(cell: Option<&str>, kind: ColumnKind) -> Value {
    let Some(t) = cell else {
        return Value::Null;
    };
    match kind {
        ColumnKind::Empty => Value::Null,
        ColumnKind::Int => t.parse().map_or(Value::Null, Value::Int),
        ColumnKind::IntWithMissing | ColumnKind::Float => {
            t.parse::<f64>().map_or(Value::Null, Value::Float)
        }
        ColumnKind::Bool => parse_bool(t).map_or(Value::Null, Value::Bool),
        ColumnKind::Str => Value::Str(t.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TypesTable, Error> {
        TypesTable::parse(text, Path::new("t.csv"), "edge_type_id")
    }

    #[test]
    fn spaces_quotes_nulls_and_types() {
        let t = parse(
            "edge_type_id   model_template dynamics_params  syn_weight is_gap_junction note\n\
             100 exp2syn \"my file.json\" 0.5 NULL \"say \"\"hi\"\"\"\n\
             \n\
             101   NULL  NULL  2 True \"two\nlines\"\r\n\
             102 x \"NULL\" NULL False plain\n",
        )
        .unwrap();
        assert_eq!(t.columns().len(), 6);
        assert_eq!(t.rows().len(), 3);
        assert_eq!(
            t.get(100, "dynamics_params"),
            Some(&Value::Str("my file.json".into()))
        );
        assert_eq!(t.get(100, "note"), Some(&Value::Str("say \"hi\"".into())));
        assert_eq!(t.get(101, "note"), Some(&Value::Str("two\nlines".into())));
        assert_eq!(t.get(101, "model_template"), Some(&Value::Null));
        assert_eq!(t.get(102, "dynamics_params"), Some(&Value::Null));
        // ints with a missing value become floats, as in pandas
        assert_eq!(t.get(101, "syn_weight"), Some(&Value::Float(2.0)));
        assert_eq!(t.get(101, "is_gap_junction"), Some(&Value::Bool(true)));
        assert_eq!(t.get(100, "is_gap_junction"), Some(&Value::Null));
        assert_eq!(t.row(102).map(|r| r.line), Some(6));
    }

    #[test]
    fn bmtk_empty_fields_read_as_pandas_does() {
        // BMTK writes None as an empty field: "100  PN" has an empty morphology.
        let t = TypesTable::parse(
            "node_type_id morphology pop_name model_type\n100  PN biophysical\n101 a.swc PV biophysical\n",
            Path::new("n.csv"),
            "node_type_id",
        )
        .unwrap();
        let r = t.row(100).unwrap();
        assert_eq!(
            r.values,
            vec![
                Value::Int(100),
                Value::Null,
                Value::Str("PN".into()),
                Value::Str("biophysical".into())
            ]
        );
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let e = parse("edge_type_id a b\n1 x y\n2 x\n").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 3, .. }),
            "{e}"
        );
        let e = parse("edge_type_id a\n1 \"open\n").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 2, .. }),
            "{e}"
        );
        let e = parse("edge_type_id a\n1 \"x\"y\n").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 2, .. }),
            "{e}"
        );
        let e = parse("a b\n1 2\n").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 1, .. }),
            "{e}"
        );
        let e = parse("edge_type_id a\nx 2\n").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 2, .. }),
            "{e}"
        );
        let e = parse("").unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::Csv { line: 1, .. }),
            "{e}"
        );
    }
}
