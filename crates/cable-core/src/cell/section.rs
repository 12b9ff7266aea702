//! Reading one section of a cell document: its fields, parent, geometry
//! (cylinder, or 3-D points with their arc lengths if given), `nseg`, `cm`, `Ra`, inserted mechanisms with
//! their parameters, and ion settings.

use super::{Ctx, Geometry, IonSetting, MechInsert, ParentRef, RangeValue, SectionSpec};
use crate::error::{CellError, CellErrorKind};
use serde_json::{Map, Value};

/// The fields a section may have.
const SECTION_FIELDS: &[&str] = &[
    "name",
    "parent",
    "L",
    "diam",
    "points",
    "arcs",
    "nseg",
    "cm",
    "Ra",
    "mechanisms",
    "ions",
];

/// Section `name` from its object `so`; `names` are all the cell's sections.
pub(super) fn parse_section(
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
    let parent = parent(cx, so, name, names)?;
    let nseg = nseg(cx, so, name)?;
    let geometry = geometry(cx, so, name, nseg)?;
    let cm = match so.get("cm") {
        None => RangeValue::Uniform(1.0),
        Some(v) => cx.range_where(name, "cm", v, nseg, |x| x >= 0.0, "≥ 0")?,
    };
    let ra = match so.get("Ra") {
        None => 35.4,
        Some(v) => cx.positive(name, "Ra", v)?,
    };
    Ok(SectionSpec {
        name: name.to_string(),
        parent,
        geometry,
        nseg,
        cm,
        ra,
        mechanisms: mechanisms(cx, so, name, nseg)?,
        ions: ions(cx, so, name, nseg)?,
    })
}

/// `parent`: null, or `{"section": NAME, "x": X}` (x = 1 if not given).
fn parent(
    cx: &Ctx,
    so: &Map<String, Value>,
    name: &str,
    names: &[String],
) -> Result<Option<ParentRef>, CellError> {
    let po = match so.get("parent") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(po)) => po,
        Some(other) => {
            return Err(cx.err(
                Some(name),
                Some("parent"),
                CellErrorKind::BadType,
                format!("expected null or {{\"section\": NAME, \"x\": X}}, found {other}"),
            ))
        }
    };
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
    Ok(Some(ParentRef { section: idx, x }))
}

/// Either `points`, or `L` and `diam`.
fn geometry(
    cx: &Ctx,
    so: &Map<String, Value>,
    name: &str,
    nseg: usize,
) -> Result<Geometry, CellError> {
    let has_l = so.contains_key("L");
    let has_d = so.contains_key("diam");
    match so.get("points") {
        Some(pv) => {
            if has_l || has_d {
                return Err(cx.err(
                    Some(name),
                    Some(if has_l { "L" } else { "diam" }),
                    CellErrorKind::GeometryConflict,
                    "give either `points` or `L` and `diam`, not both",
                ));
            }
            let pts = points(cx, pv, name)?;
            match so.get("arcs") {
                None => Ok(Geometry::Points(pts)),
                Some(av) => Ok(Geometry::PointsArcs {
                    arcs: arcs(cx, av, name, pts.len())?,
                    points: pts,
                }),
            }
        }
        None => {
            if so.contains_key("arcs") {
                return Err(cx.err(
                    Some(name),
                    Some("arcs"),
                    CellErrorKind::BadArcs,
                    "`arcs` needs `points` (one arc length per point)",
                ));
            }
            if !has_l || !has_d {
                return Err(cx.err(
                    Some(name),
                    Some(if has_l { "diam" } else { "L" }),
                    CellErrorKind::MissingGeometry,
                    "missing; give `L` and `diam` (µm) or `points`",
                ));
            }
            Ok(Geometry::Cylinder {
                l: cx.positive(name, "L", &so["L"])?,
                diam: cx.range_where(name, "diam", &so["diam"], nseg, |x| x > 0.0, "> 0")?,
            })
        }
    }
}

/// `points`: at least two `[x, y, z, diam]` with diam ≥ 0.
fn points(cx: &Ctx, pv: &Value, name: &str) -> Result<Vec<[f64; 4]>, CellError> {
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
    Ok(pts)
}

/// `arcs`: one arc length (µm) per point, NEURON's `arc3d`: the first 0, then
/// non-decreasing.
fn arcs(cx: &Ctx, av: &Value, name: &str, npt: usize) -> Result<Vec<f64>, CellError> {
    let arr = av.as_array().ok_or_else(|| {
        cx.err(
            Some(name),
            Some("arcs"),
            CellErrorKind::BadArcs,
            "expected an array of arc lengths, one per point",
        )
    })?;
    if arr.len() != npt {
        return Err(cx.err(
            Some(name),
            Some("arcs"),
            CellErrorKind::BadArcs,
            format!(
                "{} arc lengths for {npt} points; give one per point",
                arr.len()
            ),
        ));
    }
    let mut out: Vec<f64> = Vec::with_capacity(npt);
    for (k, v) in arr.iter().enumerate() {
        let field = format!("arcs[{k}]");
        let a = cx.number(name, &field, v)?;
        let bad = if k == 0 {
            (a != 0.0).then(|| format!("the first arc length must be 0, found {a}"))
        } else {
            (a < out[k - 1])
                .then(|| format!("arc lengths must not decrease: {a} after {}", out[k - 1]))
        };
        if let Some(message) = bad {
            return Err(cx.err(Some(name), Some(&field), CellErrorKind::BadArcs, message));
        }
        out.push(a);
    }
    Ok(out)
}

/// `nseg`: an integer from 1 to 32767 (1 if not given).
fn nseg(cx: &Ctx, so: &Map<String, Value>, name: &str) -> Result<usize, CellError> {
    let Some(v) = so.get("nseg") else {
        return Ok(1);
    };
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
    Ok(x as usize)
}

/// `mechanisms`: `{mechanism: {parameter: value}}`.
fn mechanisms(
    cx: &Ctx,
    so: &Map<String, Value>,
    name: &str,
    nseg: usize,
) -> Result<Vec<MechInsert>, CellError> {
    let mut mechanisms = Vec::new();
    let Some(mv) = so.get("mechanisms") else {
        return Ok(mechanisms);
    };
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
            params.push((
                pn.clone(),
                cx.range(name, &format!("{field}.{pn}"), x, nseg)?,
            ));
        }
        mechanisms.push(MechInsert {
            name: mn.clone(),
            params,
        });
    }
    Ok(mechanisms)
}

/// `ions`: `{ion: {"e": mV, "ci": mM, "co": mM}}`, each setting optional.
fn ions(
    cx: &Ctx,
    so: &Map<String, Value>,
    name: &str,
    nseg: usize,
) -> Result<Vec<IonSetting>, CellError> {
    let mut ions = Vec::new();
    let Some(iv) = so.get("ions") else {
        return Ok(ions);
    };
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
                "e" => st.e = Some(cx.range(name, &f, x, nseg)?),
                "ci" => st.ci = Some(cx.range_where(name, &f, x, nseg, |c| c > 0.0, "> 0")?),
                "co" => st.co = Some(cx.range_where(name, &f, x, nseg, |c| c > 0.0, "> 0")?),
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
    Ok(ions)
}
