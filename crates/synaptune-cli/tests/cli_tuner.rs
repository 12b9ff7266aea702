//! The tuner commands and the demo from the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

fn settings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json")
}

mod common;
use common::tmp as tmpdir;

fn json(args: &[&str]) -> serde_json::Value {
    let o = bin()
        .args(args)
        .arg("--settings")
        .arg(settings())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn single_event_json_has_the_contract_keys() {
    let v = json(&["single-event", "--connection", "Dep2FSI"]);
    for k in [
        "baseline",
        "sign",
        "latency",
        "amp",
        "rise_time",
        "decay_time",
        "half_width",
        "current_integral",
    ] {
        assert!(v[k].is_number(), "{k} in {v}");
    }
    assert_eq!(v["connection"], "Dep2FSI");
    assert_eq!(v["vclamp"], true);
}

#[test]
fn train_and_freq_response_json() {
    let v = json(&[
        "train",
        "--connection",
        "Fac2FSI",
        "--freq",
        "20",
        "--delay",
        "125",
    ]);
    assert_eq!(v["freq"], 20.0);
    assert_eq!(v["delay"], 125.0);
    assert_eq!(v["amplitudes_pA"].as_array().unwrap().len(), 12);
    for k in [
        "ppr",
        "induction",
        "recovery",
        "simple_ppr",
        "max_amplitude_pA",
    ] {
        assert!(v[k].is_number(), "{k}");
    }
    let f = json(&[
        "freq-response",
        "--connection",
        "Dep2FSI",
        "--freqs",
        "5,50",
    ]);
    assert_eq!(f["frequencies"], serde_json::json!([5.0, 50.0]));
    for k in ["ppr", "induction", "recovery"] {
        assert_eq!(f[k].as_array().unwrap().len(), 2, "{k}");
    }
    let c = json(&[
        "continuous",
        "--connection",
        "Dep2FSI",
        "--freq",
        "40",
        "--duration",
        "100",
    ]);
    // bmtool's count: ceil(duration/1000*f + 1) = ceil(5) = 5.
    assert_eq!(c["amplitudes_pA"].as_array().unwrap().len(), 5);
}

#[test]
fn compat_bmtool_and_set_change_the_numbers() {
    let d = json(&["train", "--connection", "Dep2FSI"]);
    let b = json(&["train", "--connection", "Dep2FSI", "--compat", "bmtool"]);
    assert_eq!(b["convention"], "bmtool");
    assert_ne!(d["recovery"], b["recovery"]);
    let s = json(&[
        "single-event",
        "--connection",
        "Dep2FSI",
        "--set",
        "initW=40",
    ]);
    let n = json(&["single-event", "--connection", "Dep2FSI"]);
    let r = s["amp"].as_f64().unwrap() / n["amp"].as_f64().unwrap();
    assert!((r - 2.0).abs() < 0.05, "{r}");
    let c = json(&["single-event", "--connection", "Dep2FSI", "--no-vclamp"]);
    assert_eq!(c["vclamp"], false);
}

#[test]
fn traces_and_plots_are_written() {
    let d = tmpdir("tuner-out");
    let o = bin()
        .args([
            "train",
            "--connection",
            "Dep2FSI",
            "--record",
            "record_Pr",
            "--settings",
        ])
        .arg(settings())
        .arg("--traces")
        .arg(d.join("t.csv"))
        .arg("--plot")
        .arg(d.join("t.svg"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(d.join("t.csv")).unwrap();
    assert!(
        csv.starts_with("t,soma_v,i_clamp,i_syn,record_Pr\n"),
        "{}",
        &csv[..80]
    );
    assert!(csv.lines().count() > 10000);
    let svg = std::fs::read_to_string(d.join("t.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Synaptic current") && svg.contains("record_Pr"));
    let o = bin()
        .args([
            "freq-response",
            "--connection",
            "Dep2FSI",
            "--freqs",
            "10,50",
            "--settings",
        ])
        .arg(settings())
        .arg("--plot")
        .arg(d.join("f.png"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(d.join("f.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

#[test]
fn bad_input_is_one_paragraph_and_leaves_no_file() {
    let d = tmpdir("tuner-bad");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["single-event", "--connection", "Nope"],
            "no connection `Nope`",
        ),
        (
            vec!["single-event", "--set", "Usee=1"],
            "has no parameter `Usee`",
        ),
        (vec!["single-event", "--set", "Use"], "expected NAME=VALUE"),
        (vec!["train", "--freq", "0"], "frequency"),
        (
            vec!["single-event", "--record", "nothing"],
            "no variable `nothing`",
        ),
    ];
    for (args, needle) in cases {
        let out = d.join("x.csv");
        let o = bin()
            .args(&args)
            .arg("--settings")
            .arg(settings())
            .arg("--traces")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("synaptune: error"))
                .count(),
            1,
            "{err}"
        );
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C"}}}}"#,
    )
    .unwrap();
    let o = bin()
        .args(["single-event", "--settings"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("bad.json") && err.contains("level_of_detail"),
        "{err}"
    );
}

#[test]
fn demo_runs_from_any_directory_and_writes_everything() {
    let d = tmpdir("demo");
    let o = bin()
        .current_dir(&d)
        .args(["demo", "--out", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = d.join("out");
    for f in [
        "summary.json",
        "Dep2FSI_single_event.png",
        "Dep2FSI_train.png",
        "Dep2FSI_freq_response.png",
        "Fac2FSI_train.csv",
        "example/settings.json",
        "example/cells/FSI_Cell.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        s["Dep2FSI"]["train"]["amplitudes_pA"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        s["Fac2FSI"]["freq_response"]["frequencies"]
            .as_array()
            .unwrap()
            .len(),
        16
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("Dep2FSI") && text.contains("ppr"), "{text}");
    // Running again replaces the previous output; a foreign folder is refused.
    assert!(bin()
        .current_dir(&d)
        .args(["demo", "--out", "out"])
        .status()
        .unwrap()
        .success());
    std::fs::create_dir_all(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/precious.txt"), "keep").unwrap();
    let o = bin()
        .current_dir(&d)
        .args(["demo", "--out", "mine"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(d.join("mine/precious.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
