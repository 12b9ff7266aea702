//! Every malformed cell description gets the specific error kind, naming the file,
//! the section and the field.

use cable_core::{CellErrorKind as K, CellSpec};

fn sec(extra: &str) -> String {
    format!(
        r#"{{"format": "synaptune-cell/1", "name": "c", "sections": [
        {{"name": "soma", "L": 10, "diam": 10}}{extra}]}}"#
    )
}

fn err(text: &str) -> cable_core::CellError {
    CellSpec::from_json_str(text, "cells/bad.json").expect_err("must be rejected")
}

struct Bad {
    name: &'static str,
    text: String,
    kind: K,
    section: Option<&'static str>,
    field: Option<&'static str>,
}

fn table() -> Vec<Bad> {
    let one = |s: &str| format!(r#"{{"format": "synaptune-cell/1", "sections": [{s}]}}"#);
    vec![
        Bad { name: "not json", text: "{\"format\": ".into(), kind: K::Syntax, section: None, field: None },
        Bad { name: "no format", text: r#"{"sections": []}"#.into(), kind: K::BadFormat, section: None, field: Some("format") },
        Bad { name: "other format", text: r#"{"format": "neuron-cell/2", "sections": []}"#.into(), kind: K::BadFormat, section: None, field: Some("format") },
        Bad { name: "no sections", text: r#"{"format": "synaptune-cell/1", "sections": []}"#.into(), kind: K::NoRoot, section: None, field: Some("sections") },
        Bad { name: "L zero", text: one(r#"{"name": "soma", "L": 0, "diam": 10}"#), kind: K::NonPositive, section: Some("soma"), field: Some("L") },
        Bad { name: "diam negative", text: one(r#"{"name": "soma", "L": 10, "diam": -2}"#), kind: K::NonPositive, section: Some("soma"), field: Some("diam") },
        Bad { name: "Ra zero", text: one(r#"{"name": "soma", "L": 10, "diam": 2, "Ra": 0}"#), kind: K::NonPositive, section: Some("soma"), field: Some("Ra") },
        Bad { name: "nseg zero", text: one(r#"{"name": "soma", "L": 10, "diam": 2, "nseg": 0}"#), kind: K::BadNseg, section: Some("soma"), field: Some("nseg") },
        Bad { name: "nseg fractional", text: one(r#"{"name": "soma", "L": 10, "diam": 2, "nseg": 2.5}"#), kind: K::BadNseg, section: Some("soma"), field: Some("nseg") },
        Bad { name: "nseg string", text: one(r#"{"name": "soma", "L": 10, "diam": 2, "nseg": "3"}"#), kind: K::BadNseg, section: Some("soma"), field: Some("nseg") },
        Bad { name: "number as string", text: one(r#"{"name": "soma", "L": "10", "diam": 2}"#), kind: K::BadType, section: Some("soma"), field: Some("L") },
        Bad { name: "overflowing number", text: one(r#"{"name": "soma", "L": 1e400, "diam": 2}"#), kind: K::Syntax, section: None, field: None },
        Bad { name: "unknown parent", text: sec(r#", {"name": "d", "parent": {"section": "axon", "x": 1}, "L": 5, "diam": 1}"#), kind: K::UnknownParent, section: Some("d"), field: Some("parent.section") },
        Bad { name: "x outside", text: sec(r#", {"name": "d", "parent": {"section": "soma", "x": 1.5}, "L": 5, "diam": 1}"#), kind: K::BadX, section: Some("d"), field: Some("parent.x") },
        Bad { name: "self parent", text: sec(r#", {"name": "d", "parent": {"section": "d", "x": 1}, "L": 5, "diam": 1}"#), kind: K::Cycle, section: Some("d"), field: Some("parent.section") },
        Bad { name: "cycle", text: sec(r#", {"name": "a", "parent": {"section": "b", "x": 1}, "L": 5, "diam": 1}, {"name": "b", "parent": {"section": "a", "x": 1}, "L": 5, "diam": 1}"#), kind: K::Cycle, section: Some("a"), field: Some("parent") },
        Bad { name: "no root", text: one(r#"{"name": "a", "parent": {"section": "b"}, "L": 5, "diam": 1}, {"name": "b", "parent": {"section": "a"}, "L": 5, "diam": 1}"#), kind: K::NoRoot, section: None, field: Some("parent") },
        Bad { name: "two roots", text: sec(r#", {"name": "other", "L": 5, "diam": 1}"#), kind: K::MultipleRoots, section: Some("other"), field: Some("parent") },
        Bad { name: "duplicate", text: sec(r#", {"name": "soma", "parent": {"section": "soma"}, "L": 5, "diam": 1}"#), kind: K::DuplicateSection, section: Some("soma"), field: Some("name") },
        Bad { name: "points and L", text: one(r#"{"name": "soma", "L": 5, "points": [[0,0,0,1],[0,0,5,1]]}"#), kind: K::GeometryConflict, section: Some("soma"), field: Some("L") },
        Bad { name: "points and diam", text: one(r#"{"name": "soma", "diam": 5, "points": [[0,0,0,1],[0,0,5,1]]}"#), kind: K::GeometryConflict, section: Some("soma"), field: Some("diam") },
        Bad { name: "one point", text: one(r#"{"name": "soma", "points": [[0,0,0,1]]}"#), kind: K::BadPoints, section: Some("soma"), field: Some("points") },
        Bad { name: "short point", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5]]}"#), kind: K::BadPoints, section: Some("soma"), field: Some("points[1]") },
        Bad { name: "negative point diam", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5,-1]]}"#), kind: K::NonPositive, section: Some("soma"), field: Some("points[1]") },
        Bad { name: "no geometry", text: one(r#"{"name": "soma", "nseg": 1}"#), kind: K::MissingGeometry, section: Some("soma"), field: Some("L") },
        Bad { name: "only L", text: one(r#"{"name": "soma", "L": 3}"#), kind: K::MissingGeometry, section: Some("soma"), field: Some("diam") },
        Bad { name: "unknown section field", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "ra": 100}"#), kind: K::UnknownField, section: Some("soma"), field: Some("ra") },
        Bad { name: "mechanism params not an object", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "mechanisms": {"hh": 1}}"#), kind: K::BadType, section: Some("soma"), field: Some("mechanisms.hh") },
        Bad { name: "ion setting unknown", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "ions": {"na": {"erev": 50}}}"#), kind: K::UnknownField, section: Some("soma"), field: Some("ions.na.erev") },
        Bad { name: "arcs without points", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "arcs": [0, 3]}"#), kind: K::BadArcs, section: Some("soma"), field: Some("arcs") },
        Bad { name: "arcs count", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5,1]], "arcs": [0]}"#), kind: K::BadArcs, section: Some("soma"), field: Some("arcs") },
        Bad { name: "arcs not from 0", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5,1]], "arcs": [1, 5]}"#), kind: K::BadArcs, section: Some("soma"), field: Some("arcs[0]") },
        Bad { name: "arcs decreasing", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5,1],[0,0,6,1]], "arcs": [0, 5, 4]}"#), kind: K::BadArcs, section: Some("soma"), field: Some("arcs[2]") },
        Bad { name: "arc not a number", text: one(r#"{"name": "soma", "points": [[0,0,0,1],[0,0,5,1]], "arcs": [0, "5"]}"#), kind: K::BadType, section: Some("soma"), field: Some("arcs[1]") },
        Bad { name: "connection order names the root", text: r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 3, "diam": 3}, {"name": "d", "parent": {"section": "soma"}, "L": 3, "diam": 1}], "connection_order": ["soma", "d"]}"#.into(), kind: K::BadConnectionOrder, section: Some("soma"), field: Some("connection_order") },
        Bad { name: "connection order incomplete", text: r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 3, "diam": 3}, {"name": "d", "parent": {"section": "soma"}, "L": 3, "diam": 1}], "connection_order": []}"#.into(), kind: K::BadConnectionOrder, section: Some("d"), field: Some("connection_order") },
        Bad { name: "connection order twice", text: r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 3, "diam": 3}, {"name": "d", "parent": {"section": "soma"}, "L": 3, "diam": 1}], "connection_order": ["d", "d"]}"#.into(), kind: K::BadConnectionOrder, section: Some("d"), field: Some("connection_order") },
        Bad { name: "connection order unknown", text: r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 3, "diam": 3}], "connection_order": ["x"]}"#.into(), kind: K::BadConnectionOrder, section: Some("x"), field: Some("connection_order") },
        Bad { name: "per-segment count", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "nseg": 3, "mechanisms": {"pas": {"g": [1e-4, 2e-4]}}}"#), kind: K::BadSegmentValues, section: Some("soma"), field: Some("mechanisms.pas.g") },
        Bad { name: "per-segment value not a number", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "nseg": 2, "cm": [1, "2"]}"#), kind: K::BadType, section: Some("soma"), field: Some("cm[1]") },
        Bad { name: "per-segment diam negative", text: one(r#"{"name": "soma", "L": 3, "diam": [3, -1], "nseg": 2}"#), kind: K::NonPositive, section: Some("soma"), field: Some("diam") },
        Bad { name: "per-segment ci zero", text: one(r#"{"name": "soma", "L": 3, "diam": 3, "nseg": 2, "ions": {"ca": {"ci": [5e-5, 0]}}}"#), kind: K::NonPositive, section: Some("soma"), field: Some("ions.ca.ci") },
        Bad { name: "list member unknown", text: r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 3, "diam": 3}], "section_lists": {"somatic": ["soma", "axon"]}}"#.into(), kind: K::UnknownListMember, section: Some("axon"), field: Some("section_lists.somatic") },
    ]
}

#[test]
fn each_bad_input_has_its_error_kind() {
    for b in table() {
        let e = err(&b.text);
        assert_eq!(e.kind, b.kind, "{}: got {e}", b.name);
        assert_eq!(
            e.section.as_deref(),
            b.section,
            "{}: section in {e}",
            b.name
        );
        assert_eq!(e.field.as_deref(), b.field, "{}: field in {e}", b.name);
        let msg = e.to_string();
        assert!(
            msg.starts_with("cells/bad.json"),
            "{}: message names the file: {msg}",
            b.name
        );
    }
}

#[test]
fn mechanism_names_and_parameters_are_checked_with_the_known_ones_listed() {
    let reg = standard_mechanisms::registry();
    let c = CellSpec::from_json_str(
        &sec(r#", {"name": "d", "parent": {"section": "soma"}, "L": 5, "diam": 1, "mechanisms": {"hhh": {}}}"#),
        "x.json",
    )
    .unwrap();
    let e = c.check_mechanisms(&reg).unwrap_err();
    assert_eq!(e.kind, K::UnknownMechanism);
    assert_eq!(e.section.as_deref(), Some("d"));
    assert!(e.message.contains("hh") && e.message.contains("pas"), "{e}");

    let c = CellSpec::from_json_str(
        &sec(r#", {"name": "d", "parent": {"section": "soma"}, "L": 5, "diam": 1, "mechanisms": {"hh": {"gnabarr": 0.1}}}"#),
        "x.json",
    )
    .unwrap();
    let e = c.check_mechanisms(&reg).unwrap_err();
    assert_eq!(e.kind, K::UnknownParameter);
    assert_eq!(e.field.as_deref(), Some("mechanisms.hh.gnabarr"));
    assert!(e.message.contains("gnabar, gkbar, gl, el"), "{e}");

    let c = CellSpec::from_json_str(
        &sec(r#", {"name": "d", "parent": {"section": "soma"}, "L": 5, "diam": 1, "mechanisms": {"IClamp": {}}}"#),
        "x.json",
    )
    .unwrap();
    assert_eq!(c.check_mechanisms(&reg).unwrap_err().kind, K::NotDensity);
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = CellSpec::from_file("/nonexistent/cell.json").unwrap_err();
    assert_eq!(e.kind, K::Io);
    assert!(e.to_string().contains("/nonexistent/cell.json"));
}

#[test]
fn a_cell_survives_a_round_trip_through_json() {
    for f in ["ball_stick", "pt3d_tree", "hh_tree", "per_segment"] {
        let path = format!(
            "{}/../../tests/fixtures/cells/{f}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let c = CellSpec::from_file(&path).unwrap();
        let text = serde_json::to_string(&c.to_json()).unwrap();
        let back = CellSpec::from_json_str(&text, &path).unwrap();
        assert_eq!(c, back, "{f}");
    }
}

/// A soma with three children at x = 0.5 (connected b, c, a) and one at 1,
/// the child `a` with stored arc lengths.
const ORDERED: &str = r#"{"format": "synaptune-cell/1", "sections": [
    {"name": "soma", "L": 10, "diam": 10},
    {"name": "a", "parent": {"section": "soma", "x": 0.5},
     "points": [[0,0,0,1],[0,3,0,1],[0,7,0,1]], "arcs": [0, 3, 7.5], "nseg": 2},
    {"name": "b", "parent": {"section": "soma", "x": 0.5}, "L": 5, "diam": 1},
    {"name": "c", "parent": {"section": "soma", "x": 0.5}, "L": 5, "diam": 1},
    {"name": "d", "parent": {"section": "soma", "x": 1}, "L": 5, "diam": 1}],
    "connection_order": ["b", "c", "a", "d"]}"#;

#[test]
fn arcs_and_connection_order_survive_a_round_trip() {
    let c = CellSpec::from_json_str(ORDERED, "ordered.json").unwrap();
    assert_eq!(c.connection_order, Some(vec![2, 3, 1, 4]));
    let text = serde_json::to_string(&c.to_json()).unwrap();
    assert!(
        text.contains(r#""connection_order":["b","c","a","d"]"#),
        "{text}"
    );
    assert!(text.contains(r#""arcs":[0.0,3.0,7.5]"#), "{text}");
    assert_eq!(CellSpec::from_json_str(&text, "ordered.json").unwrap(), c);
}

#[test]
fn the_connection_order_numbers_the_nodes_and_arcs_give_the_length() {
    use cable_core::geometry::{discretize, section_length};
    let c = CellSpec::from_json_str(ORDERED, "ordered.json").unwrap();
    let d = discretize(&[&c]);
    // NEURON's sibling order at soma(0.5): latest connected first (a, c, b),
    // then d at x = 1; nodes are numbered breadth first in that order.
    let first = |name: &str| d.cells[0].sections[c.section_index(name).unwrap()].first;
    assert!(first("a") < first("c") && first("c") < first("b") && first("b") < first("d"));
    // Without the order, file order is the connection order: c, b, a at 0.5.
    let mut plain = c.clone();
    plain.connection_order = None;
    let dp = discretize(&[&plain]);
    let pfirst = |name: &str| dp.cells[0].sections[c.section_index(name).unwrap()].first;
    assert!(pfirst("c") < pfirst("b") && pfirst("b") < pfirst("a"));
    // The stored arcs (7.5) rule over the points' length (7).
    assert_eq!(section_length(&c.sections[1].geometry), 7.5);
    let a = d.cells[0].sections[1];
    let area: f64 = (0..2).map(|j| d.area[a.first + j]).sum();
    assert!((area - std::f64::consts::PI * 7.5).abs() < 1e-12, "{area}");
}
