//! Reading an SWC morphology as NEURON's `Import3d_SWC_read` reads it.
//!
//! Each line is scanned with hoc's `sscanf(line, "%f %f %f %f %f %f %f")`: seven
//! numbers read as C `float`s (so `414.81443` is the float nearest to it), the
//! radius doubled to a diameter in double. A line whose first non-blank
//! character is `#` is a comment; blank lines are skipped. NEURON prints an
//! error for any other line and skips it; this reader refuses it instead, naming
//! the line.
//!
//! The checks that follow are those NEURON's `check_pid` makes or fails on
//! (increasing ids, a parent id lower than the id, parents that exist, one
//! tree), and the point types BMTK's `Biophys1` template can hold (1 soma,
//! 2 axon, 3 dend, 4 apic: any other type needs a section array the template
//! does not declare, and NEURON stops).

use crate::error::Error;
use std::path::{Path, PathBuf};

/// One point of the file, as NEURON holds it (each value a float32, widened).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwcPoint {
    /// The point's id (first column).
    pub id: f64,
    /// Its type (1 soma, 2 axon, 3 dend, 4 apic).
    pub kind: f64,
    /// x (µm).
    pub x: f64,
    /// y (µm).
    pub y: f64,
    /// z (µm).
    pub z: f64,
    /// Diameter (µm): the file's radius, read as a float32, times 2.
    pub d: f64,
    /// The parent's id (negative for the root).
    pub pid: f64,
    /// The line of the file (1-based).
    pub line: usize,
}

/// A morphology read from an SWC file: its points in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Swc {
    /// Where it was read from.
    pub file: PathBuf,
    /// The points in file order (which is id order).
    pub points: Vec<SwcPoint>,
}

/// The largest id a float32 holds exactly (hoc reads ids with `%f`).
const MAX_ID: f64 = 16_777_216.0;

impl Swc {
    /// Read and check an SWC file.
    pub fn read(path: &Path) -> Result<Swc, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Swc::parse(&text, path)
    }

    /// Parse and check SWC text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Swc, Error> {
        let err = |line: Option<usize>, message: String| Error::Swc {
            file: file.to_path_buf(),
            line,
            message,
        };
        let mut points = Vec::new();
        for (k, raw) in text.split('\n').enumerate() {
            let line = k + 1;
            let trimmed = raw.trim_start_matches([' ', '\t']);
            let (values, n) = scan7(raw);
            if n == 7 {
                let p = point(&values, line).map_err(|m| err(Some(line), m))?;
                points.push(p);
            } else if trimmed.starts_with('#') || raw.trim().is_empty() {
                continue;
            } else {
                return Err(err(
                    Some(line),
                    format!(
                        "expected 7 numbers `id type x y z radius parent` (or a `#` comment); \
                         read {n} from `{}`",
                        raw.trim_end()
                    ),
                ));
            }
        }
        if points.is_empty() {
            return Err(err(
                None,
                "no points: the file holds no `id type x y z radius parent` line".into(),
            ));
        }
        check_tree(&points).map_err(|(line, m)| err(line, m))?;
        Ok(Swc {
            file: file.to_path_buf(),
            points,
        })
    }
}

/// A point from its seven numbers, each checked.
fn point(v: &[f64; 7], line: usize) -> Result<SwcPoint, String> {
    let names = ["id", "type", "x", "y", "z", "radius", "parent"];
    for (k, x) in v.iter().enumerate() {
        if !x.is_finite() {
            return Err(format!("{}: expected a finite number, found {x}", names[k]));
        }
    }
    let integer = |k: usize| v[k].fract() == 0.0 && v[k].abs() <= MAX_ID;
    if !integer(0) || v[0] < 0.0 {
        return Err(format!(
            "id: expected an integer from 0 to {MAX_ID}, found {}",
            v[0]
        ));
    }
    if !integer(6) {
        return Err(format!(
            "parent: expected an integer id (or -1 for the root), found {}",
            v[6]
        ));
    }
    if !(integer(1) && (1.0..=4.0).contains(&v[1])) {
        return Err(format!(
            "type: expected 1 (soma), 2 (axon), 3 (dend) or 4 (apic), found {}; BMTK's Biophys1 \
             template declares only soma, axon, dend and apic, and NEURON stops on other types",
            v[1]
        ));
    }
    if v[5] < 0.0 {
        return Err(format!("radius: must be ≥ 0, found {}", v[5]));
    }
    Ok(SwcPoint {
        id: v[0],
        kind: v[1],
        x: v[2],
        y: v[3],
        z: v[4],
        d: v[5] * 2.0,
        pid: v[6],
        line,
    })
}

/// NEURON's `check_pid` conditions: ids strictly increasing (NEURON's re-sorting
/// of out-of-order files fails), every parent id lower than the id and present,
/// and a single root.
fn check_tree(points: &[SwcPoint]) -> Result<(), (Option<usize>, String)> {
    let mut root: Option<&SwcPoint> = None;
    let mut ids = std::collections::HashSet::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 && p.id <= points[i - 1].id {
            return Err((
                Some(p.line),
                format!(
                    "id {} after id {} (line {}): ids must increase down the file \
                     (NEURON's Import3d fails on a file it has to re-sort)",
                    p.id,
                    points[i - 1].id,
                    points[i - 1].line
                ),
            ));
        }
        if p.pid < 0.0 {
            if let Some(r) = root {
                return Err((
                    Some(p.line),
                    format!(
                        "a second root (parent {}); the root is at line {}: a cell is one tree",
                        p.pid, r.line
                    ),
                ));
            }
            root = Some(p);
        } else if p.pid >= p.id {
            return Err((
                Some(p.line),
                format!("parent {} is not less than the id {}", p.pid, p.id),
            ));
        } else if !ids.contains(&(p.pid as u64)) {
            return Err((
                Some(p.line),
                format!("parent {} is not the id of an earlier point", p.pid),
            ));
        }
        ids.insert(p.id as u64);
    }
    if root.is_none() || points[0].pid >= 0.0 {
        return Err((
            Some(points[0].line),
            "the first point must be the root (parent -1)".into(),
        ));
    }
    Ok(())
}

/// `sscanf(line, "%f %f %f %f %f %f %f")`: the values read (as float32, widened)
/// and how many.
fn scan7(line: &str) -> ([f64; 7], usize) {
    let b = line.as_bytes();
    let mut pos = 0;
    let mut out = [0.0; 7];
    for (k, slot) in out.iter_mut().enumerate() {
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        match float_prefix(&b[pos..]) {
            Some(len) => {
                let text = &line[pos..pos + len];
                match text.parse::<f32>() {
                    Ok(v) => *slot = v as f64,
                    Err(_) => return (out, k),
                }
                pos += len;
            }
            None => return (out, k),
        }
    }
    (out, 7)
}

/// The length of the decimal number (`strtof`'s grammar without hexadecimal)
/// at the start of `b`, or `None`.
fn float_prefix(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let rest = &b[i..];
    for word in ["infinity", "inf", "nan"] {
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes()) {
            return Some(i + word.len());
        }
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] == b'x' || rest[1] == b'X') {
        return None;
    }
    let digits = |b: &[u8], mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let start = i;
    i = digits(b, i);
    let mut ndig = i - start;
    if i < b.len() && b[i] == b'.' {
        let j = digits(b, i + 1);
        ndig += j - i - 1;
        i = j;
    }
    if ndig == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let k = digits(b, j);
        if k == j {
            // glibc's scanf consumes "1e" and then fails the conversion.
            return None;
        }
        i = k;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Swc, Error> {
        Swc::parse(text, Path::new("t.swc"))
    }

    #[test]
    fn values_are_float32_and_radius_doubles() {
        let s = parse("# header\n\n1 1 414.81443 0 0 6.4406 -1\n2 3 1-2 3e1 .5 1 extra\n").unwrap();
        assert_eq!(s.points.len(), 2);
        assert_eq!(s.points[0].x, 414.81443f32 as f64);
        assert_ne!(s.points[0].x, 414.81443);
        assert_eq!(s.points[0].d, 6.4406f32 as f64 * 2.0);
        // "1-2" is two numbers for scanf: x = 1, y = -2.
        assert_eq!(
            (s.points[1].x, s.points[1].y, s.points[1].z),
            (1.0, -2.0, 30.0)
        );
        assert_eq!((s.points[1].d, s.points[1].pid), (1.0, 1.0));
        assert_eq!(s.points[1].line, 4);
    }

    #[test]
    fn malformed_lines_and_trees_are_refused_with_their_line() {
        let e = parse("1 1 0 0 0 1 -1\n2 3 0 0 x 1 1\n").unwrap_err();
        assert!(matches!(e, Error::Swc { line: Some(2), .. }), "{e}");
        assert!(e.to_string().contains("read 4"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n3 3 0 0 1 1 1\n2 3 0 0 2 1 1\n").unwrap_err();
        assert!(e.to_string().contains("t.swc:3: id 2 after id 3"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n2 5 0 0 1 1 1\n").unwrap_err();
        assert!(e.to_string().contains("type: expected 1"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n2 3 0 0 1 1 -1\n").unwrap_err();
        assert!(e.to_string().contains("second root"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n3 3 0 0 1 1 2\n").unwrap_err();
        assert!(e.to_string().contains("parent 2 is not the id"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n2 3 0 0 1 -1 1\n").unwrap_err();
        assert!(e.to_string().contains("radius"), "{e}");
        let e = parse("1 1 0 0 0 1 -1\n2 3 0 0 0x1 1 1\n").unwrap_err();
        assert!(matches!(e, Error::Swc { line: Some(2), .. }), "{e}");
        let e = parse("# nothing\n").unwrap_err();
        assert!(e.to_string().contains("no points"), "{e}");
        let e = parse("1 1 0 0 nan 1 -1\n").unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
    }
}
