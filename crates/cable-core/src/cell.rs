//! The `synaptune-cell/1` cell description: reading, validating, writing.
//!
//! A cell is what a NEURON hoc template builds: sections in creation order, their
//! topology and geometry (`L`/`diam` cylinders or 3-D `points`), and the mechanisms
//! inserted in each. See `docs/cell-format.md` in the steering repository.

use crate::error::{CellError, CellErrorKind};
use mech_api::{Kind, Registry};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// The format tag this version reads and writes.
pub const FORMAT: &str = "synaptune-cell/1";

/// Where a child section's 0 end attaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParentRef {
    /// Index of the parent section in [`CellSpec::sections`].
    pub section: usize,
    /// Position on the parent (NEURON's `connect child(0), parent(x)`).
    pub x: f64,
}

/// Section geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// A cylinder of length `l` and diameter `diam` (µm).
    Cylinder {
        /// Length (µm).
        l: f64,
        /// Diameter (µm).
        diam: f64,
    },
    /// 3-D points `[x, y, z, diam]` (µm); stored by NEURON as float32.
    Points(Vec<[f64; 4]>),
}

/// A mechanism inserted into a section, with the parameters given for it.
#[derive(Debug, Clone, PartialEq)]
pub struct MechInsert {
    /// Mechanism name.
    pub name: String,
    /// Parameter values that differ from the defaults.
    pub params: Vec<(String, f64)>,
}

/// Ion settings of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct IonSetting {
    /// Ion name (`na`, `k`, `ca`, ...).
    pub ion: String,
    /// Reversal potential (mV).
    pub e: Option<f64>,
    /// Inner concentration (mM).
    pub ci: Option<f64>,
    /// Outer concentration (mM).
    pub co: Option<f64>,
}

/// One section.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    /// Name (`soma[0]`).
    pub name: String,
    /// Parent, or `None` for the root.
    pub parent: Option<ParentRef>,
    /// Geometry.
    pub geometry: Geometry,
    /// Number of segments.
    pub nseg: usize,
    /// Specific capacitance (µF/cm²).
    pub cm: f64,
    /// Axial resistivity (Ω·cm).
    pub ra: f64,
    /// Inserted mechanisms.
    pub mechanisms: Vec<MechInsert>,
    /// Ion settings.
    pub ions: Vec<IonSetting>,
}

/// A whole cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellSpec {
    /// Cell (template) name.
    pub name: String,
    /// Sections in creation order (NEURON's `all` list).
    pub sections: Vec<SectionSpec>,
    /// Named section lists (`somatic`, `basal`, ...).
    pub section_lists: Vec<(String, Vec<String>)>,
    /// Where it was read from (for messages).
    pub source: PathBuf,
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(
        &self,
        section: Option<&str>,
        field: Option<&str>,
        kind: CellErrorKind,
        message: impl Into<String>,
    ) -> CellError {
        CellError {
            file: self.file.to_path_buf(),
            section: section.map(str::to_string),
            field: field.map(str::to_string),
            kind,
            message: message.into(),
        }
    }

    fn number(&self, sec: &str, field: &str, v: &Value) -> Result<f64, CellError> {
        let x = v.as_f64().ok_or_else(|| {
            self.err(
                Some(sec),
                Some(field),
                CellErrorKind::BadType,
                format!("expected a number, found {v}"),
            )
        })?;
        if !x.is_finite() {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::NonFinite,
                format!("expected a finite number, found {x}"),
            ));
        }
        Ok(x)
    }

    fn positive(&self, sec: &str, field: &str, v: &Value) -> Result<f64, CellError> {
        let x = self.number(sec, field, v)?;
        if x <= 0.0 {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::NonPositive,
                format!("must be > 0, found {x}"),
            ));
        }
        Ok(x)
    }
}

const SECTION_FIELDS: &[&str] = &[
    "name",
    "parent",
    "L",
    "diam",
    "points",
    "nseg",
    "cm",
    "Ra",
    "mechanisms",
    "ions",
];

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
            if !["format", "name", "sections", "section_lists", "comment"].contains(&k.as_str()) {
                return Err(cx.err(
                    None,
                    Some(k),
                    CellErrorKind::UnknownField,
                    "unknown top-level field; expected format, name, sections, section_lists, comment",
                ));
            }
        }
        let name = match obj.get("name") {
            None => String::from("cell"),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(cx.err(
                    None,
                    Some("name"),
                    CellErrorKind::BadType,
                    format!("expected a string, found {other}"),
                ))
            }
        };
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
        // First pass: names.
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
        let mut sections = Vec::with_capacity(secs.len());
        for (s, name) in secs.iter().zip(&names) {
            sections.push(parse_section(&cx, s.as_object().unwrap(), name, &names)?);
        }
        // Topology: exactly one root, no cycles.
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
        let mut section_lists = Vec::new();
        if let Some(lists) = obj.get("section_lists") {
            let lo = lists.as_object().ok_or_else(|| {
                cx.err(
                    None,
                    Some("section_lists"),
                    CellErrorKind::BadType,
                    "expected an object of name -> [section names]",
                )
            })?;
            for (ln, members) in lo {
                let arr = members.as_array().ok_or_else(|| {
                    cx.err(
                        None,
                        Some(&format!("section_lists.{ln}")),
                        CellErrorKind::BadType,
                        "expected an array of section names",
                    )
                })?;
                let mut m = Vec::new();
                for x in arr {
                    let s = x.as_str().ok_or_else(|| {
                        cx.err(
                            None,
                            Some(&format!("section_lists.{ln}")),
                            CellErrorKind::BadType,
                            "expected section names (strings)",
                        )
                    })?;
                    if !names.iter().any(|n| n == s) {
                        return Err(cx.err(
                            Some(s),
                            Some(&format!("section_lists.{ln}")),
                            CellErrorKind::UnknownListMember,
                            "names a section the cell does not have",
                        ));
                    }
                    m.push(s.to_string());
                }
                section_lists.push((ln.clone(), m));
            }
        }
        Ok(CellSpec {
            name,
            sections,
            section_lists,
            source: file.to_path_buf(),
        })
    }

    /// Check every inserted mechanism and parameter against a registry.
    pub fn check_mechanisms(&self, reg: &Registry) -> Result<(), CellError> {
        let cx = Ctx { file: &self.source };
        for s in &self.sections {
            for m in &s.mechanisms {
                let field = format!("mechanisms.{}", m.name);
                let t = reg.get(&m.name).ok_or_else(|| {
                    let known: Vec<String> = reg
                        .types()
                        .iter()
                        .filter(|t| t.info.kind == Kind::Density)
                        .map(|t| t.info.name.clone())
                        .collect();
                    cx.err(
                        Some(&s.name),
                        Some(&field),
                        CellErrorKind::UnknownMechanism,
                        format!(
                            "unknown mechanism `{}`; known density mechanisms: {}",
                            m.name,
                            sorted_join(known)
                        ),
                    )
                })?;
                if t.info.kind != Kind::Density {
                    return Err(cx.err(
                        Some(&s.name),
                        Some(&field),
                        CellErrorKind::NotDensity,
                        format!(
                            "`{}` is a {}, which cannot be inserted into a section",
                            m.name,
                            t.info.kind.as_str()
                        ),
                    ));
                }
                for (p, _) in &m.params {
                    if !t.info.parameter_names().contains(&p.as_str()) {
                        return Err(cx.err(
                            Some(&s.name),
                            Some(&format!("{field}.{p}")),
                            CellErrorKind::UnknownParameter,
                            format!(
                                "`{}` has no parameter `{p}`; its parameters: {}",
                                m.name,
                                t.info.parameter_names().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Index of a section by name; `soma` also finds `soma[0]`.
    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.name == name)
            .or_else(|| {
                if name.contains('[') {
                    None
                } else {
                    let alt = format!("{name}[0]");
                    self.sections.iter().position(|s| s.name == alt)
                }
            })
    }

    /// Index of the soma: `soma[0]` or `soma`, else the root section.
    pub fn soma_index(&self) -> usize {
        self.section_index("soma[0]")
            .or_else(|| self.section_index("soma"))
            .unwrap_or_else(|| {
                self.sections
                    .iter()
                    .position(|s| s.parent.is_none())
                    .unwrap_or(0)
            })
    }

    /// The names of all sections, comma separated (for messages).
    pub fn section_names(&self) -> String {
        self.sections
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Write the cell back as `synaptune-cell/1` JSON.
    pub fn to_json(&self) -> Value {
        let secs: Vec<Value> = self
            .sections
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("name".into(), json!(s.name));
                o.insert(
                    "parent".into(),
                    match s.parent {
                        None => Value::Null,
                        Some(p) => json!({"section": self.sections[p.section].name, "x": p.x}),
                    },
                );
                match &s.geometry {
                    Geometry::Cylinder { l, diam } => {
                        o.insert("L".into(), json!(l));
                        o.insert("diam".into(), json!(diam));
                    }
                    Geometry::Points(p) => {
                        o.insert("points".into(), json!(p));
                    }
                }
                o.insert("nseg".into(), json!(s.nseg));
                o.insert("cm".into(), json!(s.cm));
                o.insert("Ra".into(), json!(s.ra));
                let mut m = Map::new();
                for mi in &s.mechanisms {
                    let mut pm = Map::new();
                    for (k, v) in &mi.params {
                        pm.insert(k.clone(), json!(v));
                    }
                    m.insert(mi.name.clone(), Value::Object(pm));
                }
                o.insert("mechanisms".into(), Value::Object(m));
                if !s.ions.is_empty() {
                    let mut im = Map::new();
                    for i in &s.ions {
                        let mut x = Map::new();
                        if let Some(e) = i.e {
                            x.insert("e".into(), json!(e));
                        }
                        if let Some(c) = i.ci {
                            x.insert("ci".into(), json!(c));
                        }
                        if let Some(c) = i.co {
                            x.insert("co".into(), json!(c));
                        }
                        im.insert(i.ion.clone(), Value::Object(x));
                    }
                    o.insert("ions".into(), Value::Object(im));
                }
                Value::Object(o)
            })
            .collect();
        let mut lists = Map::new();
        for (n, m) in &self.section_lists {
            lists.insert(n.clone(), json!(m));
        }
        json!({"format": FORMAT, "name": self.name, "sections": secs, "section_lists": lists})
    }
}

fn sorted_join(mut v: Vec<String>) -> String {
    v.sort();
    v.join(", ")
}

fn parse_section(
    cx: &Ctx,
    so: &Map<String, Value>,
    name: &str,
    names: &[String],
) -> Result<SectionSpec, CellError> {
    for k in so.keys() {
        if !SECTION_FIELDS.contains(&k.as_str()) {
            return Err(cx.err(
                Some(name),
                Some(k),
                CellErrorKind::UnknownField,
                format!(
                    "unknown section field; expected one of {}",
                    SECTION_FIELDS.join(", ")
                ),
            ));
        }
    }
    let parent = match so.get("parent") {
        None | Some(Value::Null) => None,
        Some(Value::Object(po)) => {
            let ps = po.get("section").and_then(Value::as_str).ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some("parent.section"),
                    CellErrorKind::BadType,
                    "missing or not a string",
                )
            })?;
            let idx = names.iter().position(|n| n == ps).ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some("parent.section"),
                    CellErrorKind::UnknownParent,
                    format!("no section named `{ps}`; sections: {}", names.join(", ")),
                )
            })?;
            let x = match po.get("x") {
                None => 1.0,
                Some(v) => cx.number(name, "parent.x", v)?,
            };
            if !(0.0..=1.0).contains(&x) {
                return Err(cx.err(
                    Some(name),
                    Some("parent.x"),
                    CellErrorKind::BadX,
                    format!("must be in [0, 1], found {x}"),
                ));
            }
            if ps == name {
                return Err(cx.err(
                    Some(name),
                    Some("parent.section"),
                    CellErrorKind::Cycle,
                    "a section cannot be its own parent",
                ));
            }
            Some(ParentRef { section: idx, x })
        }
        Some(other) => {
            return Err(cx.err(
                Some(name),
                Some("parent"),
                CellErrorKind::BadType,
                format!("expected null or {{\"section\": NAME, \"x\": X}}, found {other}"),
            ))
        }
    };
    let has_l = so.contains_key("L");
    let has_d = so.contains_key("diam");
    let geometry = match so.get("points") {
        Some(pv) => {
            if has_l || has_d {
                return Err(cx.err(
                    Some(name),
                    Some(if has_l { "L" } else { "diam" }),
                    CellErrorKind::GeometryConflict,
                    "give either `points` or `L` and `diam`, not both",
                ));
            }
            let arr = pv.as_array().ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some("points"),
                    CellErrorKind::BadPoints,
                    "expected an array of [x, y, z, diam]",
                )
            })?;
            if arr.len() < 2 {
                return Err(cx.err(
                    Some(name),
                    Some("points"),
                    CellErrorKind::BadPoints,
                    format!("needs at least two points, found {}", arr.len()),
                ));
            }
            let mut pts = Vec::with_capacity(arr.len());
            for (k, p) in arr.iter().enumerate() {
                let field = format!("points[{k}]");
                let q = p.as_array().filter(|q| q.len() == 4).ok_or_else(|| {
                    cx.err(
                        Some(name),
                        Some(&field),
                        CellErrorKind::BadPoints,
                        format!("expected [x, y, z, diam], found {p}"),
                    )
                })?;
                let mut out = [0.0; 4];
                for (j, c) in q.iter().enumerate() {
                    out[j] = cx.number(name, &field, c)?;
                }
                if out[3] < 0.0 {
                    return Err(cx.err(
                        Some(name),
                        Some(&field),
                        CellErrorKind::NonPositive,
                        format!("diameter must be ≥ 0, found {}", out[3]),
                    ));
                }
                pts.push(out);
            }
            Geometry::Points(pts)
        }
        None => {
            if !has_l || !has_d {
                return Err(cx.err(
                    Some(name),
                    Some(if has_l { "diam" } else { "L" }),
                    CellErrorKind::MissingGeometry,
                    "missing; give `L` and `diam` (µm) or `points`",
                ));
            }
            Geometry::Cylinder {
                l: cx.positive(name, "L", &so["L"])?,
                diam: cx.positive(name, "diam", &so["diam"])?,
            }
        }
    };
    let nseg = match so.get("nseg") {
        None => 1,
        Some(v) => {
            let x = v.as_f64().ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some("nseg"),
                    CellErrorKind::BadNseg,
                    format!("expected an integer ≥ 1, found {v}"),
                )
            })?;
            if !(x >= 1.0 && x.fract() == 0.0 && x <= 32767.0) {
                return Err(cx.err(
                    Some(name),
                    Some("nseg"),
                    CellErrorKind::BadNseg,
                    format!("expected an integer from 1 to 32767, found {x}"),
                ));
            }
            x as usize
        }
    };
    let cm = match so.get("cm") {
        None => 1.0,
        Some(v) => {
            let x = cx.number(name, "cm", v)?;
            if x < 0.0 {
                return Err(cx.err(
                    Some(name),
                    Some("cm"),
                    CellErrorKind::NonPositive,
                    format!("must be ≥ 0, found {x}"),
                ));
            }
            x
        }
    };
    let ra = match so.get("Ra") {
        None => 35.4,
        Some(v) => cx.positive(name, "Ra", v)?,
    };
    let mut mechanisms = Vec::new();
    if let Some(mv) = so.get("mechanisms") {
        let mo = mv.as_object().ok_or_else(|| {
            cx.err(
                Some(name),
                Some("mechanisms"),
                CellErrorKind::BadType,
                "expected an object {mechanism: {parameter: value}}",
            )
        })?;
        for (mn, pv) in mo {
            let field = format!("mechanisms.{mn}");
            let po = pv.as_object().ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some(&field),
                    CellErrorKind::BadType,
                    "expected an object of parameter values ({} for defaults)",
                )
            })?;
            let mut params = Vec::new();
            for (pn, x) in po {
                params.push((pn.clone(), cx.number(name, &format!("{field}.{pn}"), x)?));
            }
            mechanisms.push(MechInsert {
                name: mn.clone(),
                params,
            });
        }
    }
    let mut ions = Vec::new();
    if let Some(iv) = so.get("ions") {
        let io = iv.as_object().ok_or_else(|| {
            cx.err(
                Some(name),
                Some("ions"),
                CellErrorKind::BadType,
                "expected an object {ion: {\"e\": mV, \"ci\": mM, \"co\": mM}}",
            )
        })?;
        for (ion, sv) in io {
            let field = format!("ions.{ion}");
            let so = sv.as_object().ok_or_else(|| {
                cx.err(
                    Some(name),
                    Some(&field),
                    CellErrorKind::BadType,
                    "expected an object with e, ci, co",
                )
            })?;
            let mut st = IonSetting {
                ion: ion.clone(),
                e: None,
                ci: None,
                co: None,
            };
            for (k, x) in so {
                let f = format!("{field}.{k}");
                match k.as_str() {
                    "e" => st.e = Some(cx.number(name, &f, x)?),
                    "ci" => st.ci = Some(cx.positive(name, &f, x)?),
                    "co" => st.co = Some(cx.positive(name, &f, x)?),
                    _ => {
                        return Err(cx.err(
                            Some(name),
                            Some(&f),
                            CellErrorKind::UnknownField,
                            "unknown ion setting; expected e, ci or co",
                        ))
                    }
                }
            }
            ions.push(st);
        }
    }
    Ok(SectionSpec {
        name: name.to_string(),
        parent,
        geometry,
        nseg,
        cm,
        ra,
        mechanisms,
        ions,
    })
}
