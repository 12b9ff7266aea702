//! `synaptune nmodl` from the command line: a folder with a translatable and an
//! untranslatable mod file gives per-file results with `file:line` diagnostics,
//! exit status 1 and a library holding the good one, which `mechanisms` lists and
//! `scenario` runs; `examples/nmodl` builds completely; bad input is refused.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

mod common;
use common::{tmp, workspace};

const GOOD: &str = "NEURON { SUFFIX cli_leak NONSPECIFIC_CURRENT i RANGE g, e }
PARAMETER { g = 0.000333333333 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
";

const BAD: &str = "NEURON { SUFFIX cli_bad RANGE x }
ASSIGNED { x }
BREAKPOINT {
  x = undefined_thing + 1
}
PROCEDURE p() {
VERBATIM
  printf(\"C code\");
ENDVERBATIM
}
";

#[test]
fn per_file_results_partial_library_and_use_with_mechanisms() {
    let mods = tmp("cli-nmodl-mods");
    std::fs::write(mods.join("good.mod"), GOOD).unwrap();
    std::fs::write(mods.join("bad.mod"), BAD).unwrap();
    let out = tmp("cli-nmodl-out");
    let o = bin()
        .arg("nmodl")
        .arg(&mods)
        .arg("--out")
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "partial success exits with 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["mechanisms"], serde_json::json!(["cli_leak"]));
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], "bad.mod");
    assert_eq!(files[0]["status"], "error");
    let diags: Vec<&str> = files[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        diags.contains(&"bad.mod:4: `undefined_thing` is not declared"),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.starts_with("bad.mod:7: VERBATIM block with C code")),
        "{diags:?}"
    );
    assert_eq!(files[1]["file"], "good.mod");
    assert_eq!(files[1]["status"], "ok");
    let lib = PathBuf::from(v["library"].as_str().unwrap());
    assert!(lib.starts_with(out.canonicalize().unwrap()) && lib.exists());

    // The folder loads with --mechanisms; the default is NEURON's (%g: 6 digits).
    let o = bin()
        .args(["mechanisms", "--json", "--mechanisms"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(m["cli_leak"]["kind"], "density");
    assert_eq!(m["cli_leak"]["parameters"]["g"], 0.000333333);
    assert_eq!(m["cli_leak"]["parameters"]["e"], -70.0);
}

#[test]
fn the_example_folder_builds_and_runs_a_scenario() {
    let ws = workspace();
    let out = tmp("cli-nmodl-examples");
    let o = bin()
        .arg("nmodl")
        .arg(ws.join("examples/nmodl"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("na_markov.mod") && text.contains("15 mechanism(s)"),
        "{text}"
    );
    let o = bin()
        .arg("scenario")
        .arg(ws.join("tests/fixtures/nmodl/scenarios/events.json"))
        .args(["--json", "--mechanisms"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // BurstStim: 3 bursts of 4 spikes, and 2 of 3.
    assert_eq!(v["spikes"][0].as_array().unwrap().len(), 12);
    assert_eq!(v["spikes"][1].as_array().unwrap().len(), 6);
}

#[test]
fn bad_input_is_refused() {
    let o = bin()
        .args(["nmodl", "/nonexistent/mods", "--out"])
        .arg(tmp("cli-nmodl-none"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("not a folder of .mod files"), "{e}");
    let empty = tmp("cli-nmodl-empty");
    let o = bin()
        .arg("nmodl")
        .arg(&empty)
        .arg("--out")
        .arg(tmp("cli-nmodl-empty-out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no .mod file"));
}
