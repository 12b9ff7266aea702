//! Connection types, networks and configs compared field by field with what
//! bmtool 0.8.7 / BMTK derive from the same files (recorded by
//! `tools/sonata-ref/gen_fixtures.py` into `tests/fixtures/sonata/expected/`).

mod common;

use common::{assert_same, canon, expected, fixture_path, fixtures, to_value};
use sonata_config::{
    connection_types, connections_full, connections_json, connections_summary,
    derive_connection_types, networks, networks_json, Config, Value,
};
use std::path::Path;

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("no `{key}` in the expected record"))
}

fn str_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().expect("a string").to_string())
            .collect(),
        other => panic!("expected a list, found {other:?}"),
    }
}

fn load(record: &Value) -> Config {
    let rel = get(record, "config").as_str().expect("config path");
    Config::load(fixtures().join(rel)).unwrap_or_else(|e| panic!("{e}"))
}

/// Networks, all connection types, and those of each network equal bmtool's.
fn check_conn_types(name: &str) {
    let record = expected(name);
    let config = load(&record);
    assert_eq!(
        networks(&config),
        str_list(get(&record, "networks")),
        "{name}: networks"
    );
    let listed: Value = serde_json::from_str(&networks_json(&config)).expect("networks JSON");
    assert_same(
        &format!("{name}: networks_json"),
        &listed,
        get(&record, "networks"),
    );

    let ours = connection_types(&config, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_same(
        &format!("{name}: conn_type_settings"),
        &to_value(&connections_full(&ours)),
        get(&record, "conn_type_settings"),
    );

    let Value::Object(by_net) = get(&record, "conn_type_settings_by_network") else {
        panic!("{name}: conn_type_settings_by_network is not an object");
    };
    assert_eq!(by_net.len(), networks(&config).len());
    for (net, want) in by_net {
        let d = derive_connection_types(&config, Some(net))
            .unwrap_or_else(|e| panic!("{name}/{net}: {e}"));
        assert_same(
            &format!("{name}: network {net}"),
            &to_value(&connections_full(&d.types)),
            want,
        );
        assert_eq!(d.types.len(), d.sources.len());
        assert!(d.sources.iter().all(|s| s.network == *net));
        // bmtool warns "Could not find node data" exactly for the networks we skip.
        let warned = str_list(get(&record, "derive_warnings"))
            .iter()
            .any(|w| w == &format!("Warning: Could not find node data for edge dataset {net}"));
        assert_eq!(
            warned,
            d.skipped.iter().any(|s| s.network == *net),
            "{name}/{net}: skipped"
        );
    }
}

/// The `synaptune connections` summary is bmtool's `list_connections_from_config`
/// shape, filled from the connection types bmtool derives. bmtool's own listing
/// misses every dynamics file (its missing-cache bug): it agrees with ours exactly
/// for types without one and, for the others, lacks the dynamics file's parameters.
fn check_summary(name: &str) {
    let record = expected(name);
    let config = load(&record);
    let types = connection_types(&config, None).unwrap_or_else(|e| panic!("{e}"));
    let ours = to_value(&connections_summary(&types));
    let text: Value = serde_json::from_str(&connections_json(&types, false)).expect("summary JSON");
    assert_same(&format!("{name}: connections_json"), &text, &ours);

    // The summary of bmtool's derived settings, built the way bmtool builds it.
    let Value::Object(settings) = get(&record, "conn_type_settings") else {
        panic!()
    };
    let want = Value::Object(
        settings
            .iter()
            .map(|(n, s)| {
                let spec = get(s, "spec_settings");
                let params = match get(s, "spec_syn_param") {
                    Value::Object(p) => p.iter().map(|(k, _)| Value::Str(k.clone())).collect(),
                    _ => panic!(),
                };
                (
                    n.clone(),
                    Value::Object(vec![
                        ("post_cell".into(), get(spec, "post_cell").clone()),
                        ("synapse_type".into(), get(spec, "level_of_detail").clone()),
                        ("parameters".into(), Value::Array(params)),
                    ]),
                )
            })
            .collect(),
    );
    assert_same(&format!("{name}: summary"), &ours, &want);

    let Value::Object(buggy) = get(&record, "list_connections_from_config") else {
        panic!()
    };
    let Value::Object(ours_entries) = &ours else {
        panic!()
    };
    assert_eq!(buggy.len(), ours_entries.len(), "{name}: same names");
    for ((n, b), (m, o)) in buggy.iter().zip(ours_entries) {
        assert_eq!(n, m);
        assert_eq!(get(b, "post_cell"), get(o, "post_cell"));
        let conn = types
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, t)| t)
            .expect("type");
        match &conn.spec_settings.dynamics_params_file {
            None => assert_same(&format!("{name}: list {n}"), o, b),
            Some(_) => {
                let bp = str_list(get(b, "parameters"));
                let op = str_list(get(o, "parameters"));
                assert!(
                    bp.len() < op.len() || op.len() == bp.len() && bp == op,
                    "{n}: {bp:?} vs {op:?}"
                );
                assert!(
                    bp.iter().all(|p| op.contains(p)),
                    "{n}: {bp:?} not within {op:?}"
                );
            }
        }
    }
    let misses = str_list(get(&record, "list_connections_warnings"))
        .iter()
        .filter(|w| w.contains("has no attribute '_syn_params_cache'"))
        .count();
    let with_files = types
        .iter()
        .filter(|(_, t)| t.spec_settings.dynamics_params_file.is_some())
        .count();
    assert!(
        misses >= with_files.min(1),
        "{name}: bmtool's listing hit its cache bug"
    );
}

/// Run/conditions, components, node sets and network files equal what BMTK's
/// own parser (`load_config`) makes of the configuration, paths resolved the
/// way bmtool resolved them for the recording (its working directory).
fn check_config(name: &str) {
    let record = expected(name);
    let config = load(&record);
    let bmtk = get(&record, "bmtk_config");
    let cwd = fixtures().join(get(&record, "cwd").as_str().expect("cwd"));
    let abs = |s: &str| {
        let p = fixture_path(s);
        canon(&if p.is_absolute() { p } else { cwd.join(p) })
    };

    let num = |sec: &str, key: &str| get(bmtk, sec).get(key).and_then(Value::as_f64);
    let run = config.run();
    assert_eq!(run.tstart, num("run", "tstart"));
    assert_eq!(run.tstop, num("run", "tstop"));
    assert_eq!(run.dt, num("run", "dt"));
    assert_eq!(run.dl, num("run", "dL"));
    assert_eq!(run.spike_threshold, num("run", "spike_threshold"));
    assert_eq!(
        run.nsteps_block.map(|n| n as f64),
        num("run", "nsteps_block")
    );
    assert_eq!(config.conditions().celsius, num("conditions", "celsius"));
    assert_eq!(config.conditions().v_init, num("conditions", "v_init"));
    assert_eq!(
        config.target_simulator(),
        get(bmtk, "target_simulator").as_str()
    );

    let Value::Object(comps) = get(bmtk, "components") else {
        panic!()
    };
    assert_eq!(
        config.components().all.len(),
        comps.len(),
        "{name}: components"
    );
    for (k, v) in comps {
        let ours = config
            .components()
            .all
            .get(k)
            .unwrap_or_else(|| panic!("{name}: no component {k}"));
        // Component folders need not exist: compare lexically, against their parent.
        let want = fixture_path(v.as_str().expect("path"));
        let want = if want.is_absolute() {
            want
        } else {
            cwd.join(want)
        };
        assert_eq!(
            canon(ours.parent().unwrap()).join(ours.file_name().unwrap()),
            canon(want.parent().unwrap()).join(want.file_name().unwrap()),
            "{name}: {k}"
        );
    }
    let c = config.components();
    assert_eq!(
        c.synaptic_models_dir.as_ref(),
        c.all.get("synaptic_models_dir")
    );
    assert_eq!(c.templates_dir.as_ref(), c.all.get("templates_dir"));

    // Node sets are a JSON object: compared without regard to key order.
    let node_sets = serde_json::Value::Object(config.node_sets().cloned().unwrap_or_default());
    assert_eq!(
        node_sets,
        get(bmtk, "node_sets").to_json(),
        "{name}: node_sets"
    );

    let nets = get(bmtk, "networks");
    let files = |list: &str, key: &str| -> Vec<std::path::PathBuf> {
        match nets.get(list) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| abs(get(i, key).as_str().unwrap()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let ours_nodes: Vec<_> = config
        .nodes()
        .iter()
        .map(|n| canon(&n.nodes_file))
        .collect();
    let ours_types: Vec<_> = config
        .nodes()
        .iter()
        .map(|n| canon(&n.node_types_file))
        .collect();
    assert_eq!(ours_nodes, files("nodes", "nodes_file"));
    assert_eq!(ours_types, files("nodes", "node_types_file"));
    let ours_edges: Vec<_> = config
        .edges()
        .iter()
        .map(|n| canon(&n.edges_file))
        .collect();
    let ours_etypes: Vec<_> = config
        .edges()
        .iter()
        .map(|n| canon(&n.edge_types_file))
        .collect();
    assert_eq!(ours_edges, files("edges", "edges_file"));
    assert_eq!(ours_etypes, files("edges", "edge_types_file"));
    let ours_gj: Vec<_> = config
        .gap_juncs()
        .iter()
        .map(|n| canon(&n.gap_juncs_file))
        .collect();
    assert_eq!(ours_gj, files("gap_juncs", "gap_juncs_file"));
}

#[test]
fn basic_config_json_matches_bmtool() {
    check_conn_types("basic_config");
    check_summary("basic_config");
    check_config("basic_config");
}

#[test]
fn basic_circuit_config_matches_bmtool() {
    check_conn_types("basic_circuit");
    check_summary("basic_circuit");
    check_config("basic_circuit");
}

#[test]
fn naming_rules_match_bmtool() {
    check_conn_types("naming");
    check_summary("naming");
    check_config("naming");
}

#[test]
fn simulation_config_including_circuit_components_matches_bmtool() {
    // bmtool run from the circuit folder resolves the relative components path
    // as SONATA does: that recording is the reference.
    check_conn_types("bugcase");
    check_summary("bugcase");
    check_config("bugcase");
}

#[test]
fn bmtool_run_from_the_simulation_folder_misses_the_dynamics_files_and_we_do_not() {
    let buggy = expected("bugcase_from_sim_dir");
    let good = expected("bugcase");
    assert_eq!(get(&buggy, "config"), get(&good, "config"));
    let warnings = str_list(get(&buggy, "derive_warnings"));
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("Warning: Dynamics params file not found")),
        "{warnings:?}"
    );
    let config = load(&buggy);
    let ours = to_value(&connections_full(&connection_types(&config, None).unwrap()));
    assert!(common::diff("", &ours, get(&buggy, "conn_type_settings")).is_some());
    assert_same("bugcase", &ours, get(&good, "conn_type_settings"));
    // The dynamics parameters came from the circuit config's folder.
    let dir = config.components().synaptic_models_dir.clone().unwrap();
    assert_eq!(
        canon(&dir),
        canon(&fixtures().join("bugcase/circuit/components/synaptic_models"))
    );
}

#[test]
fn config_json_includes_both_circuit_and_simulation() {
    let config = Config::load(fixtures().join("basic/config.json")).unwrap();
    let files: Vec<_> = config.files().iter().map(|f| canon(f)).collect();
    for f in [
        "config.json",
        "circuit_config.json",
        "simulation_config.json",
        "node_sets.json",
    ] {
        assert!(
            files.contains(&canon(&fixtures().join("basic").join(f))),
            "{f} read"
        );
    }
    assert_eq!(
        config.node_sets_file().map(canon),
        Some(canon(&fixtures().join("basic/node_sets.json")))
    );
    assert!(Path::new(config.path()).is_absolute());
    // The merged JSON has the substituted, absolute paths.
    let nets = &config.raw()["networks"]["nodes"][0]["nodes_file"];
    assert_eq!(
        canon(Path::new(nets.as_str().unwrap())),
        canon(&fixtures().join("basic/network/cortex_nodes.h5"))
    );
}
