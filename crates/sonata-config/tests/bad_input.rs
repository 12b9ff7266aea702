//! Invalid inputs, one named case each, and the error kind each must produce.
//! Each case copies a committed fixture network into a temporary folder, breaks
//! one thing, and runs what a user would run (load the config, list connection
//! types). The error must name the broken file (and line/field/dataset where
//! there is one); nothing may panic.

mod common;

use common::fixtures;
use common::sonata_writer::{copy_dir, temp_dir, write_edges, write_nodes, Column, EdgePop};
use sonata_config::{connection_types, Config, ErrorDetail, ErrorKind, TypesTable};
use std::path::{Path, PathBuf};

/// What a case runs on the broken copy.
#[derive(Clone, Copy)]
enum Run {
    /// `Config::load` of this file (relative to the copy).
    Load(&'static str),
    /// `Config::load`, then `connection_types(.., None)`.
    Types(&'static str),
    /// `Config::load`, then `connection_types(.., Some(network))`.
    TypesOf(&'static str, &'static str),
}

struct Case {
    name: &'static str,
    /// Which fixture folder to copy.
    fixture: &'static str,
    /// Breaks the copy (its root is the argument).
    breaks: fn(&Path),
    run: Run,
    kind: ErrorKind,
    /// Text the message must contain (file name, line, field, dataset...).
    mentions: &'static [&'static str],
}

fn write(path: PathBuf, text: &str) {
    std::fs::write(path, text).expect("write");
}

fn edit(path: PathBuf, from: &str, to: &str) {
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn truncate(path: PathBuf, keep: u64) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open");
    f.set_len(keep).expect("truncate");
}

const CASES: &[Case] = &[
    Case {
        name: "missing config file",
        fixture: "bugcase",
        breaks: |_| {},
        run: Run::Load("no_such_config.json"),
        kind: ErrorKind::FileNotFound,
        mentions: &["no_such_config.json"],
    },
    Case {
        name: "included circuit config missing",
        fixture: "bugcase",
        breaks: |d| std::fs::remove_file(d.join("circuit/circuit_config.json")).unwrap(),
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::FileNotFound,
        mentions: &[
            "circuit_config.json",
            "`network` of",
            "simulation_config.json",
        ],
    },
    Case {
        name: "truncated simulation config JSON",
        fixture: "bugcase",
        breaks: |d| {
            let p = d.join("simulation_config.json");
            let t = std::fs::read_to_string(&p).unwrap();
            write(p, &t[..t.len() / 2]);
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::Json,
        mentions: &["simulation_config.json", "line"],
    },
    Case {
        name: "config that is a JSON array",
        fixture: "bugcase",
        breaks: |d| write(d.join("simulation_config.json"), "[1, 2]"),
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::ConfigField,
        mentions: &["simulation_config.json", "a JSON object"],
    },
    Case {
        name: "dangling variable in a network path",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/circuit_config.json"),
                "$NETWORK_DIR/net_nodes.h5",
                "$NODES_DIR/net_nodes.h5",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::UnresolvedVariable,
        mentions: &[
            "circuit_config.json",
            "networks.nodes[0].nodes_file",
            "$NODES_DIR",
        ],
    },
    Case {
        name: "manifest variable defined from an undefined one",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/circuit_config.json"),
                "${configdir}/network",
                "${BASE}/network",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::UnresolvedVariable,
        mentions: &[
            "circuit_config.json",
            "manifest.$NETWORK_DIR",
            "${BASE}",
            "never defined",
        ],
    },
    Case {
        name: "manifest variables defined through each other",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/circuit_config.json"),
                "\"$NETWORK_DIR\": \"${configdir}/network\"",
                "\"$NETWORK_DIR\": \"$OTHER/network\", \"$OTHER\": \"$NETWORK_DIR\"",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::UnresolvedVariable,
        mentions: &["circuit_config.json", "itself"],
    },
    Case {
        name: "a config including itself",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("simulation_config.json"),
                "circuit/circuit_config.json",
                "simulation_config.json",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::IncludeCycle,
        mentions: &["simulation_config.json", "`network`"],
    },
    Case {
        name: "run.dt that is not a number",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("simulation_config.json"),
                "\"dt\": 0.1",
                "\"dt\": \"fast\"",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::ConfigField,
        mentions: &["simulation_config.json", "run.dt", "a number", "\"fast\""],
    },
    Case {
        name: "nodes entry without nodes_file",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/circuit_config.json"),
                "\"nodes_file\"",
                "\"nodes_path\"",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::ConfigField,
        mentions: &[
            "circuit_config.json",
            "networks.nodes[0].nodes_file",
            "missing",
        ],
    },
    Case {
        name: "missing nodes HDF5 file",
        fixture: "bugcase",
        breaks: |d| std::fs::remove_file(d.join("circuit/network/net_nodes.h5")).unwrap(),
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::FileNotFound,
        mentions: &["net_nodes.h5", "networks.nodes[0].nodes_file"],
    },
    Case {
        name: "truncated edges HDF5 file",
        fixture: "bugcase",
        breaks: |d| truncate(d.join("circuit/network/net_net_edges.h5"), 1500),
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Hdf5,
        mentions: &["net_net_edges.h5"],
    },
    Case {
        name: "truncated gzip-chunked edges HDF5 file (BMTK's layout)",
        fixture: "basic",
        breaks: |d| {
            let p = d.join("network/cortex_cortex_edges.h5");
            let n = std::fs::metadata(&p).unwrap().len();
            truncate(p, n * 2 / 3)
        },
        run: Run::TypesOf("circuit_config.json", "cortex_to_cortex"),
        kind: ErrorKind::Hdf5,
        mentions: &["cortex_cortex_edges.h5"],
    },
    Case {
        name: "corrupt nodes HDF5 file (not HDF5 at all)",
        fixture: "bugcase",
        breaks: |d| {
            write(
                d.join("circuit/network/net_nodes.h5"),
                "this is not an HDF5 file\n",
            )
        },
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::Hdf5,
        mentions: &["net_nodes.h5", "HDF5"],
    },
    Case {
        name: "edges population without edge_type_id",
        fixture: "bugcase",
        breaks: |d| {
            let mut p = EdgePop::simple("net_to_net", "net", "net", &[100], vec![0, 1], vec![2, 3]);
            p.omit.push("edge_type_id");
            write_edges(&d.join("circuit/network/net_net_edges.h5"), &[p]);
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Hdf5,
        mentions: &["net_net_edges.h5", "/edges/net_to_net/edge_type_id"],
    },
    Case {
        name: "edge_types.csv row with a missing field",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                " E2I.json",
                "",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Csv,
        mentions: &["net_net_edge_types.csv", "line 2", "expected 9 fields"],
    },
    Case {
        name: "edge_types.csv with an unterminated quote",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                "E2I.json",
                "\"E2I.json",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Csv,
        mentions: &["net_net_edge_types.csv", "line 2", "unterminated"],
    },
    Case {
        name: "edge_types.csv without an edge_type_id column",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                "edge_type_id",
                "type_id",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Csv,
        mentions: &["net_net_edge_types.csv", "line 1", "edge_type_id"],
    },
    Case {
        name: "edge_types.csv with a non-integer edge_type_id",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                "\n101 ",
                "\nx101 ",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::Csv,
        mentions: &["net_net_edge_types.csv", "line 3", "integer"],
    },
    Case {
        name: "edge whose type is not in edge_types.csv",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                "\n101 ",
                "\n999 ",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::UnknownEdgeType,
        mentions: &[
            "net_net_edges.h5",
            "edge_type_id 101",
            "net_net_edge_types.csv",
        ],
    },
    Case {
        name: "edge type whose target nodes have a node type missing from node_types.csv",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_node_types.csv"),
                "\n101 ",
                "\n777 ",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::UnknownNodeType,
        mentions: &["net_nodes.h5", "node_type_id 101", "net_node_types.csv"],
    },
    Case {
        name: "edge naming a node its population lacks",
        fixture: "bugcase",
        breaks: |d| {
            let p = EdgePop::simple(
                "net_to_net",
                "net",
                "net",
                &[100, 101],
                vec![0, 2],
                vec![2, 40],
            );
            write_edges(&d.join("circuit/network/net_net_edges.h5"), &[p]);
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::UnknownNode,
        mentions: &["net_net_edges.h5", "target_node_id 40", "net_nodes.h5"],
    },
    Case {
        name: "dynamics file that is not JSON",
        fixture: "bugcase",
        breaks: |d| {
            write(
                d.join("circuit/components/synaptic_models/E2I.json"),
                "{\"tau1\": 1.0,\n \"tau2\": oops}",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::DynamicsParams,
        mentions: &["E2I.json", "line 2"],
    },
    Case {
        name: "dynamics file that is a JSON array",
        fixture: "bugcase",
        breaks: |d| {
            write(
                d.join("circuit/components/synaptic_models/I2E.json"),
                "[1, 2, 3]",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::DynamicsParams,
        mentions: &["I2E.json", "JSON object"],
    },
    Case {
        name: "dynamics file missing",
        fixture: "bugcase",
        breaks: |d| {
            std::fs::remove_file(d.join("circuit/components/synaptic_models/I2E.json")).unwrap()
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::DynamicsParamsNotFound,
        mentions: &["I2E.json", "edge type 101"],
    },
    Case {
        name: "no synaptic_models_dir for an edge type with a dynamics file",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/circuit_config.json"),
                "\"synaptic_models_dir\": \"components/synaptic_models\",",
                "",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::DynamicsParamsNotFound,
        mentions: &["simulation_config.json", "synaptic_models_dir"],
    },
    Case {
        name: "unknown network name",
        fixture: "bugcase",
        breaks: |_| {},
        run: Run::TypesOf("simulation_config.json", "no_such_net"),
        kind: ErrorKind::UnknownNetwork,
        mentions: &["simulation_config.json", "no_such_net", "net_to_net"],
    },
    Case {
        name: "syn_weight that is not a number",
        fixture: "bugcase",
        breaks: |d| {
            edit(
                d.join("circuit/network/net_net_edge_types.csv"),
                " 0.05 ",
                " heavy ",
            )
        },
        run: Run::Types("simulation_config.json"),
        kind: ErrorKind::InvalidValue,
        mentions: &["net_net_edge_types.csv", "syn_weight", "\"heavy\""],
    },
    Case {
        name: "node_sets_file that is not JSON",
        fixture: "basic",
        breaks: |d| write(d.join("node_sets.json"), "{\"a\": "),
        run: Run::Load("simulation_config.json"),
        kind: ErrorKind::Json,
        mentions: &["node_sets.json"],
    },
];

fn run_case(case: &Case) -> Result<(), sonata_config::Error> {
    let dir = temp_dir("bad");
    copy_dir(&fixtures().join(case.fixture), &dir);
    (case.breaks)(&dir);
    let result = match case.run {
        Run::Load(f) => Config::load(dir.join(f)).map(|_| ()),
        Run::Types(f) => {
            Config::load(dir.join(f)).and_then(|c| connection_types(&c, None).map(|_| ()))
        }
        Run::TypesOf(f, net) => {
            Config::load(dir.join(f)).and_then(|c| connection_types(&c, Some(net)).map(|_| ()))
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[test]
fn each_invalid_input_gives_its_error_kind() {
    let mut failures = Vec::new();
    for case in CASES {
        match run_case(case) {
            Ok(()) => failures.push(format!("{}: no error", case.name)),
            Err(e) => {
                let msg = e.to_string();
                if e.kind() != case.kind {
                    failures.push(format!(
                        "{}: kind {:?}, want {:?}: {msg}",
                        case.name,
                        e.kind(),
                        case.kind
                    ));
                }
                for m in case.mentions {
                    if !msg.contains(m) {
                        failures.push(format!("{}: message lacks {m:?}: {msg}", case.name));
                    }
                }
                assert_eq!(e.kind(), e.detail().kind());
                assert!(
                    e.path().is_absolute() || case.kind == ErrorKind::FileNotFound,
                    "{msg}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unbroken_copies_load() {
    // The cases' breakage is what fails, not the copying.
    for fixture in ["bugcase", "basic"] {
        let dir = temp_dir("ok");
        copy_dir(&fixtures().join(fixture), &dir);
        let config = Config::load(dir.join("simulation_config.json")).unwrap();
        connection_types(&config, None).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn csv_errors_carry_the_line() {
    let e = TypesTable::parse(
        "edge_type_id a\n1 x\n\n2 \"y\"z\n",
        Path::new("t.csv"),
        "edge_type_id",
    )
    .unwrap_err();
    match e.detail() {
        ErrorDetail::Csv { line, path, .. } => {
            assert_eq!(*line, 4);
            assert_eq!(path, Path::new("t.csv"));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn corrupted_hdf5_never_panics() {
    // Every cut and many byte flips of a BMTK (gzip-chunked) and an h5py
    // (contiguous) edges file: reading them must return Ok or Err, never panic
    // (a panic inside the HDF5 decoder is also counted, even though the crate
    // converts it into an error).
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    // Count only this test's thread: other tests run (and may fail) in parallel.
    let me = std::thread::current().id();
    let prev = std::sync::Arc::new(std::panic::take_hook());
    let forward = std::sync::Arc::clone(&prev);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == me {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        forward(info);
    }));
    let mut errors = 0;
    let mut runs = 0;
    for (fixture, file, config) in [
        (
            "bugcase",
            "circuit/network/net_net_edges.h5",
            "simulation_config.json",
        ),
        (
            "basic",
            "network/thalamus_cortex_edges.h5",
            "circuit_config.json",
        ),
    ] {
        let dir = temp_dir("corrupt");
        copy_dir(&fixtures().join(fixture), &dir);
        let target = dir.join(file);
        let original = std::fs::read(&target).unwrap();
        let n = original.len();
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for k in 0..24 {
            variants.push(original[..n * k / 24].to_vec());
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..48 {
            let mut v = original.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state % n as u64) as usize;
                v[at] ^= (state >> 32) as u8 | 1;
            }
            variants.push(v);
        }
        for v in variants {
            std::fs::write(&target, &v).unwrap();
            runs += 1;
            let r = Config::load(dir.join(config)).and_then(|c| connection_types(&c, None));
            if r.is_err() {
                errors += 1;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::panic::take_hook(); // drops ours (and its clone of `prev`)
    if let Ok(prev) = std::sync::Arc::try_unwrap(prev) {
        std::panic::set_hook(prev);
    }
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "panics while reading corrupt files"
    );
    eprintln!("{errors} of {runs} corrupted files reported as errors, none panicked");
    assert!(
        errors >= 40,
        "only {errors} of {runs} corrupt files were reported"
    );
}

#[test]
fn edges_written_in_rust_read_back() {
    // The writer used by the cases above and by the bench, checked once.
    let dir = temp_dir("writer");
    let f = dir.join("e.h5");
    let mut p = EdgePop::simple("a_to_b", "a", "b", &[7, 8], vec![0, 1, 2], vec![3, 4, 5]);
    p.groups[0]
        .1
        .push(("syn_weight".into(), Column::F64(vec![0.5, 1.5, 2.5])));
    p.groups[0].1.push((
        "dynamics_params/tau1".into(),
        Column::F32(vec![0.1, 0.2, 0.3]),
    ));
    p.groups[0].1.push((
        "model_template".into(),
        Column::Str(vec!["x".into(), "y".into(), "z".into()]),
    ));
    p.groups[0]
        .1
        .push(("afferent_section_id".into(), Column::I64(vec![1, 2, 3])));
    write_edges(&f, &[p]);
    let file = sonata_config::EdgesFile::open(&f).unwrap();
    let pop = file.population("a_to_b").unwrap();
    assert_eq!(pop.edge_type_ids().unwrap(), vec![7, 8, 7]);
    assert_eq!(pop.source_population(), Some("a"));
    let e = pop.edge(2).unwrap();
    assert_eq!(e.target_node_id, 5);
    let names: Vec<&str> = e.attributes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "afferent_section_id",
            "dynamics_params/tau1",
            "model_template",
            "syn_weight"
        ]
    );
    assert_eq!(
        e.attributes[1].1,
        sonata_config::Value::Float(f64::from(0.3f32))
    );
    write_nodes(&dir.join("n.h5"), "b", &[1, 1, 2], vec![]);
    let nodes = sonata_config::NodesFile::open(dir.join("n.h5"))
        .unwrap()
        .population("b")
        .unwrap();
    assert_eq!(nodes.node_type_ids(), [1, 1, 2]);
    let _ = std::fs::remove_dir_all(&dir);
}
