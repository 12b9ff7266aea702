//! `synaptune simulate` from the command line: it reproduces the NEURON hh
//! fixture, and bad input exits non-zero with one paragraph and no output file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

mod common;
use common::tmp as tmpdir;

fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|x| x.parse::<f64>().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn simulate_reproduces_the_neuron_hh_fixture_bit_for_bit() {
    let dir = tmpdir("hh");
    for so in [0, 2] {
        let out = dir.join(format!("hh{so}.csv"));
        let st = bin()
            .args(["simulate", "--cell"])
            .arg(fixtures().join("cells/hh_soma.json"))
            .args([
                "--iclamp",
                "soma[0]:0.5:5:50:0.3",
                "--tstop",
                "60",
                "--dt",
                "0.025",
            ])
            .args([
                "--celsius",
                "6.3",
                "--v-init",
                "-65",
                "--secondorder",
                &so.to_string(),
            ])
            .args(["--record", "soma[0]:0.5:v", "--record", "soma[0]:0.5:m_hh"])
            .args([
                "--record",
                "soma[0]:0.5:h_hh",
                "--record",
                "soma[0]:0.5:n_hh",
            ])
            .args(["--record", "soma[0]:0.5:ina", "--record", "soma[0]:0.5:ik"])
            .args([
                "--record",
                "soma[0]:0.5:il_hh",
                "--record",
                "soma[0]:0.5:gna_hh",
            ])
            .arg("--csv")
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success());
        let (h1, ours) = read_csv(&out);
        let (h2, nrn) = read_csv(&fixtures().join(format!("neuron/hh_soma_so{so}.csv")));
        assert_eq!(h1, h2, "same columns");
        assert_eq!(ours.len(), nrn.len(), "same number of samples");
        let mut max = 0.0f64;
        for (a, b) in ours.iter().zip(&nrn) {
            for (x, y) in a.iter().zip(b) {
                max = max.max((x - y).abs());
            }
        }
        assert!(max <= 1e-6, "secondorder {so}: max deviation {max}");
        assert_eq!(max, 0.0, "secondorder {so}: expected bit-identical values");
    }
}

#[test]
fn bad_cell_exits_nonzero_with_one_paragraph_and_no_output() {
    let dir = tmpdir("bad");
    let cell = dir.join("bad.json");
    std::fs::write(
        &cell,
        r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 10, "diam": -1}]}"#,
    )
    .unwrap();
    let out = dir.join("out.csv");
    let o = bin()
        .args(["simulate", "--cell"])
        .arg(&cell)
        .arg("--csv")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "one paragraph: {err}");
    assert!(
        err.contains("bad.json") && err.contains("soma") && err.contains("diam"),
        "{err}"
    );
    assert!(!out.exists(), "no partial output");
    assert!(o.stdout.is_empty());
    // Nothing else left in the folder either (no temporary files).
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn bad_arguments_are_named() {
    let cell = fixtures().join("cells/hh_soma.json");
    for (args, needle) in [
        (vec!["--iclamp", "soma:0.5:5"], "SEC:X:DELAY:DUR:AMP"),
        (vec!["--record", "soma:0.5:mm_hh"], "mm_hh"),
        (vec!["--record", "axon:0.5:v"], "no section `axon`"),
        (vec!["--global", "usetable_hhh=0"], "usetable_hhh"),
        (vec!["--dt", "0"], "dt"),
    ] {
        let o = bin()
            .args(["simulate", "--cell"])
            .arg(&cell)
            .args(&args)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn json_summary_is_the_only_stdout() {
    let o = bin()
        .args(["simulate", "--cell"])
        .arg(fixtures().join("cells/ball_stick.json"))
        .args(["--iclamp", "soma[0]:0.5:1:2:0.1", "--tstop", "5", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["samples"], 201);
    let r = &v["records"]["soma[0]:0.5:v"];
    assert!(r["max"].as_f64().unwrap() > -65.0, "{v}");
}
