//! `optimize`, `gap`, `gap-optimize`, `gap-sweep` from the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

fn ex(f: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/fsi")
        .join(f)
}

fn json(cmd: &mut Command) -> serde_json::Value {
    let o = cmd.arg("--json").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn optimize_reports_the_contract_keys_and_reaches_the_target() {
    let v = json(
        bin()
            .args(["optimize", "--connection", "Dep2FSI", "--settings"])
            .arg(ex("settings.json"))
            .args([
                "--target",
                "induction=-0.6",
                "--target",
                "ppr=0.8",
                "--weight",
                "ppr=3",
                "--bound",
                "Dep=0:800",
                "--bound",
                "Fac=0:100",
                "--bound",
                "Use=0.1:1",
            ]),
    );
    for k in [
        "optimal_params",
        "achieved_metrics",
        "target_metrics",
        "error",
        "n_evaluations",
        "history",
    ] {
        assert!(!v[k].is_null(), "{k}");
    }
    assert!(v["error"].as_f64().unwrap() < 1e-6);
    assert_eq!(
        v["history"].as_array().unwrap().len() as u64,
        v["n_evaluations"].as_u64().unwrap()
    );
    let h0 = &v["history"][0];
    assert!(
        h0["params"]["Dep"].is_number()
            && h0["metrics"]["ppr"].is_number()
            && h0["error"].is_number()
    );
    assert_eq!(v["target_metrics"]["induction"], -0.6);
}

#[test]
fn optimize_refuses_bad_requests_in_one_paragraph() {
    for (args, needle) in [
        (
            vec!["--target", "induction=-0.6", "--bound", "Dep=800:0"],
            "LO < HI",
        ),
        (
            vec!["--target", "inductio=-0.6", "--bound", "Dep=0:800"],
            "available",
        ),
        (
            vec!["--target", "induction", "--bound", "Dep=0:800"],
            "NAME=VALUE",
        ),
        (
            vec![
                "--target",
                "induction=-0.6",
                "--bound",
                "Dep=0:800",
                "--method",
                "annealing",
            ],
            "unknown method",
        ),
    ] {
        let o = bin()
            .args(["optimize", "--settings"])
            .arg(ex("settings.json"))
            .args(&args)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn gap_commands() {
    let s = ex("gap.json");
    let v = json(bin().args(["gap", "--g", "0.001", "--settings"]).arg(&s));
    assert_eq!(v["g"], 0.001);
    let cc = v["coupling_coefficient"].as_f64().unwrap();
    assert!(cc > 0.1 && cc < 0.3, "{cc}");
    // bmtool's spelling gives the same number, with a note.
    let o = bin()
        .args(["gap", "--resistance", "0.001", "--json", "--settings"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(o.status.success());
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(w["coupling_coefficient"], v["coupling_coefficient"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("conductance g"));

    let v = json(
        bin()
            .args(["gap-optimize", "--target-cc", "0.37", "--settings"])
            .arg(&s),
    );
    assert!((v["achieved_cc"].as_f64().unwrap() - 0.37).abs() < 1e-6);
    for k in ["optimal_g", "target_cc", "error", "history"] {
        assert!(!v[k].is_null(), "{k}");
    }

    let v = json(
        bin()
            .args([
                "gap-sweep",
                "--g",
                "1e-4:1e-2",
                "--n",
                "5",
                "--log",
                "--settings",
            ])
            .arg(&s),
    );
    let g: Vec<f64> = v["g"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let c: Vec<f64> = v["coupling_coefficient"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(g.len(), 5);
    assert!(
        (g[0] - 1e-4).abs() < 1e-18 && (g[4] - 1e-2).abs() < 1e-15 && (g[2] - 1e-3).abs() < 1e-15
    );
    assert!(
        c.windows(2).all(|w| w[0] < w[1]),
        "coupling grows with g: {c:?}"
    );

    let o = bin()
        .args(["gap", "--g", "-1", "--settings"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let o = bin()
        .args(["gap-sweep", "--g", "0:1e-2", "--log", "--settings"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("LO > 0"));
}
