//! Manifest variables: `$VAR` and `${VAR}` in configuration strings.
//!
//! As BMTK's `ConfigParser` does: the `manifest` section maps names (with or
//! without a leading `$`) to strings that may themselves use other variables;
//! the built-in variables are `configdir` (the folder of the file being read),
//! `configfname` (its path), `workingdir`, `date`, `time` and `datetime`
//! (UTC here; BMTK uses local time). A variable is a `$` followed by an optional
//! `{`, one or more word characters (letters, digits, `_`) and an optional `}`;
//! `${VAR}` and `$VAR` name `VAR`. Each file has its own manifest: an included
//! circuit config does not see the including file's variables.

use crate::error::{Error, ErrorDetail};
use std::collections::HashMap;
use std::path::Path;

/// The resolved variables of one configuration file.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    vars: HashMap<String, String>,
}

/// One `$...` occurrence in a string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VarRef {
    /// Byte range of the whole match in the string.
    pub start: usize,
    pub end: usize,
    /// The variable name looked up (`VAR` for `$VAR` and `${VAR}`).
    pub key: String,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// All variable references in `s`, left to right (the regex `\$\{?\w+\}?`).
pub(crate) fn find_vars(s: &str) -> Vec<VarRef> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = s[i..].find('$') {
        let start = i + off;
        let mut j = start + 1;
        let brace = s[j..].starts_with('{');
        if brace {
            j += 1;
        }
        let name_start = j;
        for c in s[j..].chars() {
            if is_word(c) {
                j += c.len_utf8();
            } else {
                break;
            }
        }
        if j == name_start {
            // No word characters: not a variable; move past this `$`.
            i = start + 1;
            continue;
        }
        let close = s[j..].starts_with('}');
        let end = if close { j + 1 } else { j };
        let text = &s[start..end];
        let key = if brace && close {
            s[name_start..j].to_string()
        } else {
            text[1..].to_string()
        };
        out.push(VarRef { start, end, key });
        i = end;
    }
    out
}

impl Manifest {
    /// Builds the manifest of the file at `config_path` (absolute) from its
    /// `manifest` section (`None` when there is none).
    pub fn build(section: Option<&serde_json::Value>, config_path: &Path) -> Result<Self, Error> {
        let mut resolved = special_variables(config_path);
        let Some(section) = section else {
            return Ok(Manifest { vars: resolved });
        };
        let obj = section.as_object().ok_or_else(|| {
            Error::field(
                config_path,
                "manifest",
                "an object of variables",
                json_kind(section),
            )
        })?;
        let mut pending: Vec<(String, String, String)> = Vec::new(); // (name, field, value)
        for (k, v) in obj {
            let name = k.strip_prefix('$').unwrap_or(k).to_string();
            let field = format!("manifest.{k}");
            let value = v
                .as_str()
                .ok_or_else(|| Error::field(config_path, &field, "a string", json_kind(v)))?;
            pending.retain(|(n, _, _)| *n != name);
            pending.push((name, field, value.to_string()));
        }
        let user_keys: Vec<String> = pending.iter().map(|(n, _, _)| n.clone()).collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut still = Vec::new();
            for (name, field, value) in pending {
                let substituted = substitute_with(&value, &resolved);
                if !substituted.contains('$') {
                    resolved.insert(name, substituted);
                } else {
                    still.push((name, field, value));
                }
            }
            if still.len() == before {
                // No progress: report the first stuck variable, by name.
                still.sort_by(|a, b| a.0.cmp(&b.0));
                for (_, field, value) in &still {
                    if let Some(r) = find_vars(value)
                        .iter()
                        .find(|r| !resolved.contains_key(&r.key) && !user_keys.contains(&r.key))
                    {
                        return Err(ErrorDetail::UnresolvedVariable {
                            path: config_path.to_path_buf(),
                            field: field.clone(),
                            variable: value[r.start..r.end].to_string(),
                            reason: "is never defined".to_string(),
                        }
                        .into());
                    }
                }
                let (_, field, value) = &still[0];
                let refs = find_vars(value);
                if let Some(r) = refs.iter().find(|r| !resolved.contains_key(&r.key)) {
                    return Err(ErrorDetail::UnresolvedVariable {
                        path: config_path.to_path_buf(),
                        field: field.clone(),
                        variable: value[r.start..r.end].to_string(),
                        reason: "is defined only through itself (a cycle of manifest variables)"
                            .to_string(),
                    }
                    .into());
                }
                return Err(ErrorDetail::UnresolvedVariable {
                    path: config_path.to_path_buf(),
                    field: field.clone(),
                    variable: "$".to_string(),
                    reason: format!("in {value:?} starts no variable name"),
                }
                .into());
            }
            pending = still;
        }
        Ok(Manifest { vars: resolved })
    }

    /// `s` with every defined variable replaced; undefined ones are left as written.
    pub fn substitute(&self, s: &str) -> String {
        substitute_with(s, &self.vars)
    }
}

fn substitute_with(s: &str, vars: &HashMap<String, String>) -> String {
    let refs = find_vars(s);
    if refs.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for r in refs {
        if let Some(v) = vars.get(&r.key) {
            out.push_str(&s[last..r.start]);
            out.push_str(v);
            last = r.end;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// The first variable reference left in an already substituted string.
pub(crate) fn first_unresolved(s: &str) -> Option<String> {
    find_vars(s).first().map(|r| s[r.start..r.end].to_string())
}

pub(crate) fn json_kind(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".to_string(),
        serde_json::Value::Bool(b) => format!("the boolean {b}"),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(s) => format!("the string {s:?}"),
        serde_json::Value::Array(_) => "an array".to_string(),
        serde_json::Value::Object(_) => "an object".to_string(),
    }
}

fn special_variables(config_path: &Path) -> HashMap<String, String> {
    let mut m = HashMap::new();
    if let Ok(cwd) = std::env::current_dir() {
        m.insert("workingdir".to_string(), cwd.to_string_lossy().into_owned());
    }
    let dir = config_path.parent().unwrap_or(Path::new(""));
    m.insert("configdir".to_string(), dir.to_string_lossy().into_owned());
    m.insert(
        "configfname".to_string(),
        config_path.to_string_lossy().into_owned(),
    );
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    let (h, mi, se) = (s / 3600, (s / 60) % 60, s % 60);
    m.insert("date".to_string(), format!("{y:04}-{mo:02}-{d:02}"));
    m.insert("time".to_string(), format!("{h:02}-{mi:02}-{se:02}"));
    m.insert(
        "datetime".to_string(),
        format!("{y:04}-{mo:02}-{d:02}_{h:02}-{mi:02}-{se:02}"),
    );
    m
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variable_syntax_follows_bmtk() {
        let keys: Vec<String> = find_vars("$A/${B}/x$C_1.h5 $ ${} $D} ${E")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(keys, ["A", "B", "C_1", "D}", "{E"]);
    }

    #[test]
    fn chained_variables_and_configdir() {
        let m = Manifest::build(
            Some(&json!({"$NET": "$BASE/net", "$BASE": "${configdir}", "OTHER": "${NET}/x"})),
            Path::new("/a/b/config.json"),
        )
        .unwrap();
        assert_eq!(m.substitute("$NET/n.h5"), "/a/b/net/n.h5");
        assert_eq!(m.substitute("${OTHER}"), "/a/b/net/x");
        assert_eq!(m.substitute("$UNKNOWN/y"), "$UNKNOWN/y");
        assert_eq!(
            first_unresolved(&m.substitute("$UNKNOWN/y")).as_deref(),
            Some("$UNKNOWN")
        );
    }

    #[test]
    fn dangling_and_cyclic_variables_are_errors() {
        let p = Path::new("/c.json");
        let e = Manifest::build(Some(&json!({"$A": "$B/x", "$B": "$NOPE"})), p).unwrap_err();
        match e.into_detail() {
            ErrorDetail::UnresolvedVariable {
                field, variable, ..
            } => {
                assert_eq!(field, "manifest.$B");
                assert_eq!(variable, "$NOPE");
            }
            other => panic!("{other}"),
        }
        let e = Manifest::build(Some(&json!({"$A": "$B", "$B": "${A}"})), p).unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::UnresolvedVariable { .. }),
            "{e}"
        );
        let e = Manifest::build(Some(&json!({"$A": 3})), p).unwrap_err();
        assert!(matches!(e.detail(), ErrorDetail::ConfigField { .. }), "{e}");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
