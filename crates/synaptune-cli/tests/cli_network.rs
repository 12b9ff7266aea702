//! `networks`, `connections` and `--config` from the command line, on the
//! BMTK-built fixture networks of sonata-config.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

mod common;
use common::workspace as root;

fn config() -> PathBuf {
    root().join("tests/fixtures/sonata/basic/config.json")
}

fn out(args: &[&str]) -> serde_json::Value {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn networks_and_connections_match_bmtools_derivation() {
    let c = config();
    let c = c.to_str().unwrap();
    let nets = out(&["networks", "--config", c, "--json"]);
    assert_eq!(
        nets,
        serde_json::json!([
            "thalamic_input",
            "cortex_to_cortex",
            "cortex_to_hippo",
            "hippo_to_cortex"
        ])
    );
    let summary = out(&[
        "connections",
        "--config",
        c,
        "--network",
        "cortex_to_cortex",
        "--json",
    ]);
    assert_eq!(summary["PV2PN"]["post_cell"], "PNCell");
    assert_eq!(summary["PV2PN"]["synapse_type"], "GABA_A_STP");
    assert!(summary["PV2PN"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "Dep"));
    let full = out(&[
        "connections",
        "--config",
        c,
        "--network",
        "cortex_to_cortex",
        "--full",
    ]);
    assert_eq!(full["PV2PN"]["spec_syn_param"]["Dep"], 400);
    assert_eq!(full["PV2PN"]["spec_settings"]["vclamp_amp"], -70.0);
    // A settings file lists its connections the same way.
    let s = root().join("examples/fsi/settings.json");
    let v = out(&["connections", "--settings", s.to_str().unwrap(), "--json"]);
    assert_eq!(v["Dep2FSI"]["synapse_type"], "GABA_A_STP");
    let v = out(&["connections", "--settings", s.to_str().unwrap(), "--full"]);
    assert_eq!(v["Dep2FSI"]["spec_syn_param"]["Dep"], 190.0);
}

#[test]
fn tuner_commands_take_a_config_and_a_cells_folder() {
    let cells = std::env::temp_dir().join(format!("synaptune-cells-{}", std::process::id()));
    std::fs::create_dir_all(&cells).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/cells/ball_stick.json"),
        cells.join("PNCell.json"),
    )
    .unwrap();
    let o = bin()
        .args(["train", "--config"])
        .arg(config())
        .args([
            "--network",
            "cortex_to_cortex",
            "--connection",
            "PV2PN",
            "--cells",
        ])
        .arg(&cells)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["connection"], "PV2PN");
    assert_eq!(v["amplitudes_pA"].as_array().unwrap().len(), 12);
    // Dep = 400 ms: depressing.
    assert!(v["ppr"].as_f64().unwrap() < 1.0, "{v}");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("initW_lognormal_mean") && err.contains("ignored"),
        "{err}"
    );
    // Without a cell file for the post cell: one paragraph naming it.
    let o = bin()
        .args(["single-event", "--config"])
        .arg(config())
        .args([
            "--network",
            "cortex_to_cortex",
            "--connection",
            "Exc_type_100",
            "--cells",
        ])
        .arg(&cells)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("PVCell.json"), "{err}");
}

#[test]
fn bad_configs_exit_nonzero_with_one_paragraph() {
    let dir = std::env::temp_dir().join(format!("synaptune-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("config.json");
    std::fs::write(&bad, r#"{"manifest": {"$BASE": "${NOPE}/x"}, "networks": {"nodes": [{"nodes_file": "$BASE/n.h5", "node_types_file": "$BASE/t.csv"}]}}"#).unwrap();
    for args in [
        vec!["networks", "--config"],
        vec!["connections", "--config"],
    ] {
        let o = bin().args(&args).arg(&bad).output().unwrap();
        assert!(!o.status.success());
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("config.json"), "{err}");
    }
    let o = bin()
        .args(["networks", "--config", "/nonexistent/config.json"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/config.json"));
}

#[test]
fn a_config_whose_post_cells_are_allen_cells_needs_no_cells_folder() {
    // tests/fixtures/sonata/allen: node types with ctdb:Biophys1.hoc, no
    // templates_dir; the tuner builds the cells from the SWC and dynamics_params.
    let o = bin()
        .args(["single-event", "--config"])
        .arg(root().join("tests/fixtures/sonata/allen/config.json"))
        .args([
            "--network",
            "inputs_to_cortex",
            "--connection",
            "AMPA_allen",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["connection"], "AMPA_allen");
    let amp = v["amp"].as_f64().unwrap();
    assert!(amp.is_finite() && amp > 0.0, "{v}");
    // Every parameter of the synaptic model is one Exp2Syn has.
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(!err.contains("AMPA_allen: `e`"), "{err}");
}

/// `synaptune gap --config` (bmtool's `GapJunctionTuner(config=...)`): the
/// config's gap junctions between FSI cells couple as the settings-file example does.
#[test]
fn the_gap_tuner_takes_a_sonata_config() {
    let gap = root().join("tests/fixtures/sonata/gap/config.json");
    let a = out(&[
        "gap",
        "--config",
        gap.to_str().unwrap(),
        "--connection",
        "FSI2FSI_gj_type_100",
        "--g",
        "0.0005",
        "--json",
    ]);
    let example = root().join("examples/fsi/gap.json");
    let b = out(&[
        "gap",
        "--settings",
        example.to_str().unwrap(),
        "--g",
        "0.0005",
        "--json",
    ]);
    assert_eq!(a["connection"], "FSI2FSI_gj_type_100");
    assert_eq!(a["coupling_coefficient"], b["coupling_coefficient"]);
}
