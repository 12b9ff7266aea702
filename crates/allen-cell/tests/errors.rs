//! Where BMTK + NEURON fail (or a file is malformed), allen-cell returns a typed
//! error naming the file, the line or field, and what was expected; and the
//! SONATA side finds files as BMTK does.

use allen_cell::{
    from_files, from_sonata_node, is_allen_node, Error, Options, Processing, SonataComponents,
    SonataNode,
};
use std::path::{Path, PathBuf};

fn data(f: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(f)
}

/// A scratch folder of this test's own.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("allen-cell-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A dynamics file derived from `peri_hh.json` by `edit`.
fn dynamics(name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(data("peri_hh.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    let p = scratch("dyn").join(format!("{name}.json"));
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

fn peri(swc: &Path, dynamics: &Path, opts: &Options) -> Result<allen_cell::AllenCell, Error> {
    from_files(swc, Some(dynamics), "aibs_perisomatic", opts)
}

fn hh_ions() -> Options {
    Options {
        ion_table: Some([("hh".to_string(), vec!["na".to_string(), "k".to_string()])].into()),
        ..Options::default()
    }
}

#[test]
fn dynamics_errors_name_the_field() {
    let swc = data("single_soma.swc");
    let no_cm = dynamics("no_cm", |v| {
        v["passive"][0]["cm"].as_array_mut().unwrap().remove(3); // apic
    });
    let e = peri(&swc, &no_cm, &Options::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Setter { field, section, .. } if field == "passive[0].cm" && section == "apic[0]"),
        "{e}"
    );
    assert!(e.to_string().contains("KeyError 'apic'"), "{e}");

    let bad_value = dynamics("bad_value", |v| v["genome"][2]["value"] = "0.1".into());
    let e = peri(&swc, &bad_value, &Options::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: genome[2].value: expected a finite number, found \"0.1\"",
            bad_value.display()
        )
    );

    let no_ra = dynamics("no_ra", |v| {
        v["passive"][0].as_object_mut().unwrap().remove("ra");
    });
    let e = peri(&swc, &no_ra, &Options::default()).unwrap_err();
    assert!(e.to_string().ends_with("passive[0].ra: missing"), "{e}");

    let no_mech = dynamics("unknown_param", |v| {
        v["genome"][3]["name"] = "gbar_NaTs".into();
    });
    let e = peri(&swc, &no_mech, &Options::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Setter { field, section, .. } if field == "genome[3]" && section == "soma[0]"),
        "{e}"
    );
    assert!(e.to_string().contains("inserted: pas, hh"), "{e}");
}

#[test]
fn reversal_potentials_fail_where_neuron_has_no_such_ion() {
    // ena in the dendrites, which have no sodium mechanism: NEURON raises
    // "ena, the mechanism does not exist at dend[0](0.5)".
    let swc = data("single_soma.swc");
    let d = dynamics("ena_dend", |v| {
        v["conditions"][0]["erev"][0]["section"] = "dend".into();
    });
    let e = peri(&swc, &d, &hh_ions()).unwrap_err();
    assert!(
        matches!(&e, Error::Setter { section, .. } if section == "dend[0]"),
        "{e}"
    );
    assert!(
        e.to_string().contains("does not exist at dend[0](0.5)"),
        "{e}"
    );
    // Without an ion table the setting is kept (synaptune ignores it there).
    let c = peri(&swc, &d, &Options::default()).unwrap();
    let dend = &c.cell.sections[c.cell.section_index("dend[0]").unwrap()];
    assert_eq!(dend.ions[0].e, Some(53.0.into()));
}

#[test]
fn processing_needs_an_axon_a_soma_and_known_names() {
    let swc = data("three_point_soma.swc");
    let text = std::fs::read_to_string(&swc).unwrap();
    let no_axon: String = text
        .lines()
        .filter(|l| l.split_whitespace().nth(1) != Some("2"))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = scratch("noaxon").join("no_axon.swc");
    std::fs::write(&p, no_axon).unwrap();
    let e = peri(&p, &data("peri_hh.json"), &Options::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Processing { name, .. } if name == "aibs_perisomatic"),
        "{e}"
    );
    assert!(e.to_string().contains("no axon"), "{e}");
    // Without processing the same morphology builds.
    assert!(from_files(&p, None, "", &Options::default()).is_ok());

    for (text, why) in [
        ("aibs_perisomatic_directed", "PCA"),
        ("set_extracellular", "extracellular"),
        ("my_own", "known: aibs_perisomatic"),
    ] {
        let e = Processing::parse_list(text).unwrap_err();
        assert!(e.to_string().contains(why), "{text}: {e}");
    }
    assert_eq!(
        Processing::parse_list(" aibs_perisomatic, aibs_allactive ").unwrap(),
        [Processing::AibsPerisomatic, Processing::AibsAllactive]
    );
    assert!(Processing::parse_list("").unwrap().is_empty());
    let e = from_files(&swc, None, "aibs_allactive", &Options::default()).unwrap_err();
    assert!(
        e.to_string().contains("needs a dynamics_params file"),
        "{e}"
    );
    // BMTK's aibs_perisomatic does nothing without dynamics_params (the axon
    // stays too).
    let c = from_files(&swc, None, "aibs_perisomatic", &Options::default()).unwrap();
    assert_eq!(c, from_files(&swc, None, "", &Options::default()).unwrap());
    assert!(c.cell.sections.iter().all(|s| s.mechanisms.is_empty()));
}

#[test]
fn bad_options_and_files_are_refused() {
    let opts = Options {
        dl: Some(0.0),
        ..Options::default()
    };
    let e = from_files(&data("single_soma.swc"), None, "", &opts).unwrap_err();
    assert!(
        matches!(&e, Error::Option { what, .. } if what == "dL"),
        "{e}"
    );
    let opts = Options {
        dl: Some(1e-4),
        ..Options::default()
    };
    let e = from_files(&data("single_soma.swc"), None, "", &opts).unwrap_err();
    assert!(e.to_string().contains("at most 32767"), "{e}");
    let e = from_files(&data("missing.swc"), None, "", &Options::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Io { file, .. } if file.ends_with("missing.swc")),
        "{e}"
    );
    let bad = scratch("badjson").join("bad.json");
    std::fs::write(&bad, "{\"passive\": [").unwrap();
    let e = peri(&data("single_soma.swc"), &bad, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
}

#[test]
fn notes_say_what_neuron_and_bmtk_print() {
    let c = from_files(
        &data("branched_soma.swc"),
        Some(&data("allactive_hh.json")),
        "aibs_allactive",
        &hh_ions(),
    )
    .unwrap();
    let notes = c.notes.join("\n");
    assert!(
        notes.contains("one-point section at SWC line 25 removed"),
        "{notes}"
    );
    assert!(
        notes.contains("zero length ending at SWC line 22 removed"),
        "{notes}"
    );
    assert!(
        notes.contains("genome[25]: section `glob` skipped"),
        "{notes}"
    );
    assert_eq!(c.celsius, Some(20.0));
    assert_eq!(c.v_init, Some(-70.0));
    assert_eq!(c.mechanisms, ["pas", "hh"]);
    assert_eq!(c.cell.name, "branched_soma");
}

#[test]
fn sonata_nodes_are_resolved_as_bmtk_resolves_them() {
    assert!(is_allen_node(
        Some("biophysical"),
        Some("ctdb:Biophys1.hoc")
    ));
    assert!(is_allen_node(Some("biophysical"), Some("ctdb:Biophys1")));
    assert!(!is_allen_node(Some("biophysical"), Some("hoc:PV_Cell")));
    assert!(!is_allen_node(
        Some("point_neuron"),
        Some("ctdb:Biophys1.hoc")
    ));
    assert!(!is_allen_node(None, Some("ctdb:Biophys1.hoc")));

    let dir = data("");
    let comps = SonataComponents {
        morphologies_dir: Some(&dir),
        biophysical_neuron_models_dir: Some(&dir),
    };
    // The morphology without its .swc, as SONATA allows.
    let node = SonataNode {
        model_type: Some("biophysical"),
        model_template: Some("ctdb:Biophys1.hoc"),
        morphology: Some("single_soma"),
        dynamics_params: Some("peri_hh.json"),
        model_processing: Some("aibs_perisomatic"),
    };
    let opts = Options {
        dl: Some(20.0),
        ..hh_ions()
    };
    let a = from_sonata_node(&node, &comps, &opts).unwrap();
    let b = from_files(
        &data("single_soma.swc"),
        Some(&data("peri_hh.json")),
        "aibs_perisomatic",
        &opts,
    )
    .unwrap();
    assert_eq!(a, b);
    // NULL dynamics: the morphology only (aibs_perisomatic does nothing).
    let bare = SonataNode {
        dynamics_params: Some("NULL"),
        ..node
    };
    let c = from_sonata_node(&bare, &comps, &opts).unwrap();
    assert!(c.cell.sections.iter().all(|s| s.mechanisms.is_empty()));

    let e = from_sonata_node(
        &SonataNode {
            morphology: Some("nowhere"),
            ..node
        },
        &comps,
        &opts,
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Node { column, .. } if column == "morphology"),
        "{e}"
    );
    assert!(e.to_string().contains("nor with .swc"), "{e}");
    let e = from_sonata_node(&node, &SonataComponents::default(), &opts).unwrap_err();
    assert!(matches!(&e, Error::Node { .. } | Error::Io { .. }), "{e}");
    let e = from_sonata_node(
        &SonataNode {
            model_template: Some("hoc:PV_Cell"),
            ..node
        },
        &comps,
        &opts,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not an Allen cell"), "{e}");
}
