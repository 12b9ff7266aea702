//! `--mechanisms` from the command line: the custom-synapse example is listed by
//! `synaptune mechanisms` and runs in `synaptune scenario`; a library built for
//! another ABI is refused with a clear one-paragraph error.

#[path = "../../../tests/common/build.rs"]
mod build;

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synaptune"))
}

#[test]
fn the_custom_synapse_is_listed_and_runs() {
    let lib = build::custom_plugin("plugin-tests-cli", None);
    let o = bin()
        .args(["mechanisms", "--json", "--mechanisms"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tm = &v["TmSyn"];
    assert_eq!(tm["kind"], "point_process");
    assert_eq!(tm["parameters"]["U"], 0.5);
    assert_eq!(tm["parameters"]["tau_rec"], 100.0);
    assert!(tm["variables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "release"));
    assert_eq!(tm["ions"].as_array().unwrap().len(), 0);
    assert_eq!(v["hh"]["ions"], serde_json::json!(["na", "k"]));
    assert_eq!(v["hh"]["parameters"]["gnabar"], 0.12);
    assert_eq!(
        v["GABA_A_STP"]["event_only"],
        serde_json::json!(["Use", "Dep", "Fac"])
    );
    assert_eq!(tm["event_only"], serde_json::json!([]));

    let scenario = build::workspace().join("examples/custom-synapse/scenario.json");
    let o = bin()
        .arg("scenario")
        .arg(&scenario)
        .args(["--json", "--mechanisms"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["spikes"][0].as_array().unwrap().len(), 8);
    assert!(v["final"]["syn.release"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_loaded_mechanism_replacing_a_builtin_gets_a_notice() {
    let ws = build::workspace();
    let lib = build::build(
        &["-p", "standard-mechanisms"],
        "plugin-tests-cli",
        &std::path::Path::new("debug").join(build::lib_name("standard_mechanisms")),
        "standard_cli",
    );
    let o = bin()
        .args(["simulate", "--cell"])
        .arg(ws.join("tests/fixtures/cells/hh_soma.json"))
        .args(["--tstop", "1", "--json", "--mechanisms"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    // The built-ins the catalogue replaces are one line.
    let notices: Vec<&str> = err.lines().filter(|l| l.contains("notice:")).collect();
    assert_eq!(notices.len(), 1, "{err}");
    assert!(
        notices[0].contains("mechanisms from standard")
            && notices[0].contains("`hh`")
            && notices[0].contains("replace those of the same name"),
        "{err}"
    );
}

#[test]
fn an_incompatible_plugin_is_refused_in_one_paragraph() {
    let lib = build::custom_plugin("plugin-tests-cli", Some("abi-next"));
    let o = bin()
        .args(["mechanisms", "--mechanisms"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    use mech_api::abi::{ABI_VERSION_MAJOR, ABI_VERSION_MINOR};
    let want = format!(
        "built for mechanism ABI {}.0, this program speaks {ABI_VERSION_MAJOR}.{ABI_VERSION_MINOR}",
        ABI_VERSION_MAJOR + 1
    );
    assert!(err.contains(&want), "{err}");
    assert!(o.stdout.is_empty());
}
