//! The rows of issue 17's table from the command line: runs beyond the work
//! budget refused up front, Ctrl-C stopping cleanly without a partial output
//! file, a string for a synaptic parameter refused; `--current-name` and
//! `--measure`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

fn example(f: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/fsi")
        .join(f)
}

mod common;
use common::tmp as tmpdir;

fn run(args: &[&str]) -> (Output, Duration) {
    let t0 = Instant::now();
    let o = bin().args(args).output().unwrap();
    (o, t0.elapsed())
}

#[test]
fn runs_beyond_the_budget_are_refused_up_front_naming_the_flag() {
    let s = example("settings.json");
    let g = example("gap.json");
    let d = tmpdir("budget");
    let out = d.join("t.csv");
    let (s, g, out) = (
        s.to_str().unwrap(),
        g.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    for args in [
        vec![
            "continuous",
            "--settings",
            s,
            "--duration",
            "1e9",
            "--traces",
            out,
        ],
        vec!["train", "--settings", s, "--freq", "1e-6", "--traces", out],
        vec![
            "gap-sweep",
            "--settings",
            g,
            "--g",
            "1e-4:1e-2",
            "--n",
            "100000000",
        ],
        vec!["freq-response", "--settings", s, "--freqs", "0.0001,50"],
        vec![
            "optimize",
            "--settings",
            s,
            "--target",
            "ppr=1",
            "--bound",
            "Use=0.1:0.9",
            "--freq",
            "0.001",
            "--max-evaluations",
            "50",
        ],
    ] {
        let (o, took) = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        assert!(
            err.contains("steps") && err.contains("--max-steps") && err.contains("--max-memory"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one paragraph: {err}");
    }
    assert!(
        std::fs::read_dir(&d).unwrap().next().is_none(),
        "no file written"
    );
    // Raised, the same kind of request runs.
    let (o, _) = run(&[
        "train",
        "--settings",
        s,
        "--freq",
        "50",
        "--max-steps",
        "50000",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (o, _) = run(&["train", "--settings", s, "--max-steps", "1000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("38,800 steps"));
}

/// Ctrl-C during a long accepted run: the simulations stop, the command exits
/// with 130 and leaves neither the output file nor a temporary file.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_without_partial_output() {
    let s = example("settings.json");
    let d = tmpdir("ctrlc");
    let out = d.join("long.csv");
    let child = bin()
        .args(["continuous", "--settings"])
        .arg(&s)
        .args([
            "--duration",
            "1e6",
            "--max-steps",
            "1e9",
            "--max-memory",
            "4096",
            "--traces",
        ])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let t0 = Instant::now();
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(10), "stopped promptly");
    assert!(err.contains("interrupted"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn a_string_for_a_synaptic_parameter_is_refused() {
    let d = tmpdir("use-high");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("settings.json")).unwrap()).unwrap();
    v["conn_type_settings"]["Fac2FSI"]["spec_syn_param"]["Use"] = "high".into();
    v["cells"]["FSI_Cell"] = example("cells/FSI_Cell.json").to_str().unwrap().into();
    let p = d.join("settings.json");
    std::fs::write(&p, v.to_string()).unwrap();
    let (o, _) = run(&[
        "train",
        "--settings",
        p.to_str().unwrap(),
        "--connection",
        "Fac2FSI",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Fac2FSI") && err.contains("`Use`") && err.contains("\"high\""),
        "{err}"
    );
}

#[test]
fn current_name_and_measure_flags() {
    let s = example("settings.json");
    let s = s.to_str().unwrap();
    let amp = |extra: &[&str]| -> f64 {
        let mut args = vec![
            "train",
            "--settings",
            s,
            "--connection",
            "Fac2FSI",
            "--json",
        ];
        args.extend_from_slice(extra);
        let (o, _) = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["amplitudes_pA"][0].as_f64().unwrap()
    };
    let clamp = amp(&[]);
    assert_eq!(amp(&["--measure", "clamp"]), clamp);
    let syn = amp(&["--measure", "synapse"]);
    assert!(syn > clamp, "synapse {syn} vs clamp {clamp}");
    let ampa = amp(&["--measure", "synapse", "--current-name", "i_AMPA"]);
    assert!(ampa != syn && ampa > 0.0, "i_AMPA {ampa} vs i {syn}");
    let (o, _) = run(&["train", "--settings", s, "--current-name", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope (current_name)"));
}
