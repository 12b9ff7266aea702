//! `synaptune nmodl` end to end: `examples/nmodl/` is compiled with the `nmodl`
//! crate (the cargo running these tests builds the generated crate into
//! `target/nmodl-tests/`, once per test process), the catalogue is loaded, and
//!
//! * **equivalence**: the compiled versions of the standard catalogue's
//!   bmtool mechanisms (`Exp2Syn_STP`, `GABA_A_STP`, `AMPA_NMDA_STP`, `Gap`,
//!   `leak`, `nainter`, `kdrinter`, written afresh in `examples/nmodl/` from the
//!   same equations and operation order) replace the hand-written ones and every
//!   scenario of `tests/fixtures/scenarios/` must give the same traces and spike
//!   times — to 1e-9 relative, and in practice bit for bit (the counts printed);
//! * **NEURON fixtures**: scenarios of `tests/fixtures/nmodl/scenarios/` using the
//!   compiled calcium pool, L/N-type calcium channels, BK channel, derivimplicit,
//!   KINETIC/sparse, TABLE (also DEPEND on `dt` and a RANGE variable),
//!   `net_move`, `scop_random` and ARTIFICIAL_CELL mechanisms are compared with the
//!   traces NEURON 9.0.2 recorded for the same mod files
//!   (`tools/neuron-ref/gen_nmodl_fixtures.py` → `tests/fixtures/neuron/nmodl_*`).

mod common;

use cable_scenario::scenario::{Outcome, Scenario};
use common::*;
use mech_api::Registry;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Compile a mod folder (once per process and folder): the cargo running the
/// tests builds `nmodl`'s `compile_dir` example (the translator without the CLI)
/// into `target/nmodl-tests/`, which runs `nmodl::compile` — the same call
/// `synaptune nmodl` makes — and builds the generated crate with that cargo too.
fn compile(moddir: &Path, out: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = root.join("target/nmodl-tests");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let t0 = std::time::Instant::now();
    static TOOL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = TOOL.lock().unwrap_or_else(|e| e.into_inner());
    let st = std::process::Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "-q",
            "-p",
            "nmodl",
            "--example",
            "compile_dir",
            "--target-dir",
        ])
        .arg(base.join("tool"))
        .status()
        .expect("run cargo");
    assert!(st.success(), "building nmodl's compile_dir example failed");
    let tool = base
        .join("tool/debug/examples")
        .join(format!("compile_dir{}", std::env::consts::EXE_SUFFIX));
    let o = std::process::Command::new(&tool)
        .arg(moddir)
        .arg(base.join(out))
        .arg("--json")
        .output()
        .expect("run compile_dir");
    assert!(
        o.status.success(),
        "synaptune nmodl {} failed:\n{}",
        moddir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    println!(
        "compiled {} in {:.1} s",
        moddir.display(),
        t0.elapsed().as_secs_f64()
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for f in r["files"].as_array().unwrap() {
        assert_eq!(
            f["status"], "ok",
            "{} did not translate: {}",
            f["file"], f["diagnostics"]
        );
    }
    PathBuf::from(r["library"].as_str().expect("a library"))
}

/// The compiled `examples/nmodl/`.
fn library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let moddir = std::env::var_os("SYNAPTUNE_NMODL_TEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("examples/nmodl"));
        compile(&moddir, "lib")
    })
}

/// The compiled test mechanisms of `tests/fixtures/nmodl/mods/`.
fn test_mechanisms() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| compile(&fixture("nmodl/mods"), "lib-mods"))
}

/// The standard catalogue with the compiled mechanisms replacing their hand-written
/// namesakes; returns the registry and the replaced names.
fn compiled_registry() -> (Registry, Vec<String>) {
    let mut cats = mech_api::load_path(library()).expect("load the compiled catalogue");
    cats.extend(mech_api::load_path(test_mechanisms()).expect("load the test mechanisms"));
    let mut reg = standard_mechanisms::registry();
    let mut replaced = Vec::new();
    for c in &cats {
        for n in reg.add(c) {
            replaced.push(n);
        }
    }
    (reg, replaced)
}

struct Dev {
    max_rel: f64,
    identical: usize,
    n: usize,
}

fn compare(name: &str, a: &Outcome, b: &Outcome) -> Dev {
    assert_eq!(a.names, b.names, "{name}: columns");
    let mut dev = Dev {
        max_rel: 0.0,
        identical: 0,
        n: 0,
    };
    for (k, (x, y)) in a.columns.iter().zip(&b.columns).enumerate() {
        let d = diff(x, y);
        let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
        let rel = d.max_abs / scale;
        println!(
            "  {name} {:<24} max rel {:.2e}  identical {}/{}",
            a.names[k], rel, d.identical, d.n
        );
        dev.max_rel = dev.max_rel.max(rel);
        dev.identical += d.identical;
        dev.n += d.n;
    }
    assert_eq!(a.spikes.len(), b.spikes.len());
    for (s, t) in a.spikes.iter().zip(&b.spikes) {
        assert_eq!(s.len(), t.len(), "{name}: spike counts {s:?} vs {t:?}");
        for (x, y) in s.iter().zip(t) {
            assert!((x - y).abs() <= 1e-9, "{name}: spike {x} vs {y}");
        }
    }
    dev
}

#[test]
fn compiled_standard_mechanisms_reproduce_the_hand_written_ones() {
    let (compiled, replaced) = compiled_registry();
    for m in [
        "Exp2Syn_STP",
        "GABA_A_STP",
        "AMPA_NMDA_STP",
        "Gap",
        "leak",
        "nainter",
        "kdrinter",
    ] {
        assert!(
            replaced.iter().any(|n| n.contains(&format!("`{m}`"))),
            "{m} was not replaced by the compiled catalogue: {replaced:?}"
        );
        assert!(matches!(
            compiled.get(m).unwrap().origin,
            mech_api::Origin::Library(_)
        ));
    }
    let hand = standard_mechanisms::registry();
    let mut dir: Vec<PathBuf> = std::fs::read_dir(fixture("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    dir.sort();
    assert!(dir.len() >= 5);
    let mut worst = 0.0f64;
    for path in dir {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let sc = Scenario::from_file(&path).unwrap();
        for &so in &sc.secondorders {
            let a = sc.run(&hand, so).unwrap();
            let b = sc.run(&compiled, so).unwrap();
            let d = compare(&format!("{name} so={so}"), &a, &b);
            println!(
                "{name} so={so}: max rel {:.2e}, {}/{} samples bit-identical",
                d.max_rel, d.identical, d.n
            );
            assert!(
                d.max_rel <= 1e-9,
                "{name} so={so}: compiled vs hand-written max relative deviation {}",
                d.max_rel
            );
            assert_eq!(
                d.identical, d.n,
                "{name} so={so}: compiled vs hand-written samples bit-identical"
            );
            worst = worst.max(d.max_rel);
        }
    }
    println!("worst relative deviation over all scenarios: {worst:.2e}");
}

/// One scenario of `tests/fixtures/nmodl/scenarios/` against NEURON's traces.
/// Tolerances (the issue's): passive scenarios within 1e-9 relative to each
/// column's scale; spiking ones within 1e-6 mV for voltages and 1e-6 relative for
/// the other columns; spike times within 1e-9 ms. Every sample must also be
/// bit-identical.
fn neuron_fixture(name: &str) {
    let (reg, _) = compiled_registry();
    let path = fixture(&format!("nmodl/scenarios/{name}.json"));
    let kind: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let passive = kind["kind"] == "passive";
    let sc = Scenario::from_file(&path).unwrap();
    for &so in &sc.secondorders {
        let ours = sc.run(&reg, so).unwrap();
        let nrn = read_csv(&fixture(&format!("neuron/nmodl_{name}_so{so}.csv")));
        assert_eq!(nrn.header, ours.names, "{name}: columns");
        let (mut same, mut total) = (0, 0);
        for (k, col) in nrn.columns.iter().enumerate() {
            let d = diff(col, &ours.columns[k]);
            let label = &nrn.header[k];
            let scale = col.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
            println!(
                "{name} so={so} {label:<26} max|d| {:.3e} (rel {:.3e})  identical {}/{}",
                d.max_abs,
                d.max_abs / scale,
                d.identical,
                d.n
            );
            same += d.identical;
            total += d.n;
            let is_v = label == "t" || label.ends_with(":v");
            let bound = if passive {
                1e-9 * scale
            } else if is_v {
                1e-6
            } else {
                1e-6 * scale
            };
            assert!(
                d.max_abs <= bound,
                "{name} so={so} {label}: max |d| {} > {bound}",
                d.max_abs
            );
        }
        let spikes: Vec<Vec<f64>> = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("neuron/nmodl_{name}_so{so}_spikes.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(spikes.len(), ours.spikes.len());
        for (a, b) in spikes.iter().zip(&ours.spikes) {
            assert_eq!(
                a.len(),
                b.len(),
                "{name} so={so}: spike counts {a:?} vs {b:?}"
            );
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() <= 1e-9, "{name} so={so}: spike {x} vs {y}");
            }
        }
        println!(
            "{name} so={so}: {same}/{total} samples bit-identical with NEURON 9.0.2; spikes {:?}",
            spikes.iter().map(Vec::len).collect::<Vec<_>>()
        );
        // The compiled mod files compute NEURON's bits: a changed bit anywhere
        // fails (the tolerances above report how far a difference went).
        assert_eq!(same, total, "{name} so={so}: samples bit-identical");
    }
}

#[test]
fn neuron_calcium_pool_channels_and_bk() {
    neuron_fixture("calcium");
}

#[test]
fn neuron_calcium_without_rate_table() {
    neuron_fixture("calcium_notable");
}

#[test]
fn neuron_kinetic_sparse_and_derivimplicit() {
    neuron_fixture("kinetic");
}

#[test]
fn neuron_artificial_cell_and_synapses() {
    neuron_fixture("events");
}

#[test]
fn neuron_point_ion_current_self_events_tables_and_cnexp_cases() {
    neuron_fixture("features");
}

/// `TABLE … DEPEND dt, k` with `k` a RANGE parameter
/// (`tests/fixtures/nmodl/mods/feat_tabdep.mod`): NEURON builds the table from
/// the type's first instance, so the dendrite (another `k`) looks its values up
/// in the soma's table, and at `dt = 0.05` the table is twice that at 0.025.
#[test]
fn neuron_table_depending_on_dt_and_a_range_variable() {
    neuron_fixture("tables");
}

/// `net_move`, scopmath's `scop_random`/`normrand`/`exprand` after `set_seed`,
/// and `state_discontinuity` in NET_RECEIVE (`tests/fixtures/nmodl/mods/feat_move.mod`,
/// the transmitter-pulse synapse of the Amygdala and SPWR models): pulse ends
/// moved by spikes closer than `Cdur`, two instances whose moved ends fall at
/// equal times (their draws at the pulse ends show NEURON's delivery order),
/// and the random draws themselves.
#[test]
fn neuron_net_move_scop_random_and_state_discontinuity() {
    neuron_fixture("move");
}

/// A file with lone-CR line ends, VERBATIM `cai=_ion_cai;` re-reading the ion
/// after INITIAL changed its copy, an ion whose VALENCE only another file of
/// the folder gives (`tests/fixtures/nmodl/mods/feat_re.mod`, `feat_xo.mod`),
/// Allen's Ca_LVA.mod idiom `v = v + 10 … v = v - 10` in a PROCEDURE (the
/// mechanism's copy of `v`, last bits included: `feat_vshift.mod`), and
/// BEFORE BREAKPOINT, AFTER SOLVE, BEFORE INITIAL and AFTER INITIAL blocks
/// (`feat_ba.mod`; BEFORE BREAKPOINT also before finitialize's current), and a
/// LINEAR block solved in INITIAL with scopmath's simeq (`feat_lin.mod`, as
/// Allen's NaV.mod).
#[test]
fn neuron_cr_line_ends_ion_reread_folder_valence_v_copy_before_after_and_linear() {
    neuron_fixture("misc");
}

/// `SUFFIX nothing` (`tests/fixtures/nmodl/nothing/lib_fns.mod`) translates
/// and registers no mechanism, as in NEURON 9.0.2, where only the folder's
/// other mechanism is added (`tools/neuron-ref/gen_nothing_fixture.py`; the
/// file's FUNCTIONs and PARAMETERs are hoc's there, which synaptune does not run).
#[test]
fn suffix_nothing_registers_no_mechanism_as_in_neuron() {
    let lib = compile(&fixture("nmodl/nothing"), "lib-nothing");
    let nrn: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("neuron/nmodl_nothing.json")).unwrap(),
    )
    .unwrap();
    let ours: Vec<String> = mech_api::load_path(&lib)
        .unwrap()
        .iter()
        .flat_map(|c| c.mechs.iter().map(|m| m.info.name.clone()))
        .collect();
    let theirs: Vec<String> = nrn["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ours, theirs);
    assert!(!ours.iter().any(|n| n == "nothing"));
}

/// A file using POINTER (`tests/fixtures/nmodl/faults/gap_ptr.mod`, with a
/// DESTRUCTOR, which is skipped) translates; since synaptune cannot set a
/// POINTER yet, an instance reading it stops the run with an error naming the
/// mechanism and the POINTER, and a cell without it runs. Likewise a
/// FUNCTION_TABLE (`ftab.mod`), whose table NEURON fills from hoc.
#[test]
fn an_unset_pointer_or_function_table_used_at_run_time_is_a_typed_error() {
    let lib = compile(&fixture("nmodl/faults"), "lib-faults");
    let mut reg = standard_mechanisms::registry();
    for c in mech_api::load_path(&lib).unwrap() {
        reg.add(&c);
    }
    let cell = |mechs: &str| {
        cable_core::CellSpec::from_json_str(
            &format!(
                r#"{{"format": "synaptune-cell/1", "name": "Gap", "sections": [
                {{"name": "soma", "L": 20, "diam": 20, "mechanisms": {mechs}}}]}}"#
            ),
            "<test>",
        )
        .unwrap()
    };
    let run = |c: &cable_core::CellSpec| {
        let mut b = cable_core::ModelBuilder::new(&reg);
        b.add_cell(c).unwrap();
        let mut sim = b.build(cable_core::SimOptions::default()).unwrap();
        sim.run(1.0, -65.0)
    };
    run(&cell(r#"{"pas": {}}"#)).unwrap();
    let e = run(&cell(r#"{"pas": {}, "gap_ptr": {"g": 0.001}}"#)).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, cable_core::SimError::Mechanism { mech, .. } if mech == "gap_ptr"),
        "{msg}"
    );
    assert!(msg.contains("POINTER `vgap`"), "{msg}");
    let e = run(&cell(r#"{"pas": {}, "ftab": {}}"#)).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, cable_core::SimError::Mechanism { mech, .. } if mech == "ftab"),
        "{msg}"
    );
    assert!(msg.contains("FUNCTION_TABLE `tabg`"), "{msg}");
}

/// A `synaptune nmodl`-compiled mechanism that produces NaN
/// (`tests/fixtures/nmodl/faults/nan_at.mod`: `0·log(at − t)` from `t = at`
/// on) stops the run with an error naming it, the section and segment, and the
/// time, instead of NaN traces.
#[test]
fn a_compiled_mechanism_producing_nan_is_named() {
    let lib = compile(&fixture("nmodl/faults"), "lib-faults");
    let mut reg = standard_mechanisms::registry();
    for c in mech_api::load_path(&lib).unwrap() {
        reg.add(&c);
    }
    let cell = cable_core::CellSpec::from_json_str(
        r#"{"format": "synaptune-cell/1", "name": "Leaky", "sections": [
            {"name": "soma", "L": 20, "diam": 20, "mechanisms": {"pas": {}}},
            {"name": "dend", "parent": {"section": "soma", "x": 1}, "L": 100, "diam": 1,
             "nseg": 3, "mechanisms": {"nan_at": {"at": 2.0}}}]}"#,
        "<test>",
    )
    .unwrap();
    let mut b = cable_core::ModelBuilder::new(&reg);
    b.add_cell(&cell).unwrap();
    let mut sim = b.build(cable_core::SimOptions::default()).unwrap();
    let v = sim.record(0, "soma", 0.5, "v").unwrap();
    let e = sim.run(5.0, -65.0).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, cable_core::SimError::NonFinite { mech: Some(m), .. } if m == "nan_at"),
        "{msg}"
    );
    assert!(msg.contains("section `dend` segment 0 of 3"), "{msg}");
    assert!(msg.contains("t = 2.0"), "{msg}");
    assert!(sim.trace(v).iter().all(|x| x.is_finite()));
}

/// bmtool's trains start from `finitialize(+70 mV)`: on a cell with a slow
/// current (`tests/fixtures/slow`: our own h-current with a 400 ms time
/// constant, compiled here with `synaptune nmodl`) that start is still
/// visible at `tstart`. `--compat bmtool` must give bmtool 0.8.7's train
/// amplitudes (`tools/bmtool-ref/gen_slow_reference.py`), which differ from
/// those of a start at `v_init` by far more than the tolerance.
#[test]
fn compat_trains_start_where_bmtool_starts_them_on_a_slow_cell() {
    let lib = compile(&fixture("slow/mods"), "lib-slow");
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("slow/bmtool_reference.json")).unwrap(),
    )
    .unwrap();
    let nums = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    for vclamp in [true, false] {
        let case = &r["cases"][if vclamp {
            "vclamp_true"
        } else {
            "vclamp_false"
        }];
        let mut spec = tuner_opt::TunerSpec::new(tuner_opt::ModelSource::Settings(fixture(
            "slow/settings.json",
        )));
        spec.convention = tuner_opt::Convention::Bmtool;
        spec.mechanisms = vec![lib.to_path_buf()];
        spec.vclamp = Some(vclamp);
        let t = spec.build().unwrap().tuner;
        let ours = t.train(50.0, 250.0).unwrap().amplitudes_pa;
        let bmtool = nums(&case["bmtool"]["train"]["amplitudes_pA"]);
        let from_v_init = nums(&case["v_init"]["train"]["amplitudes_pA"]);
        assert_eq!(ours.len(), bmtool.len());
        let rel = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| ((x - y) / y).abs())
                .fold(0.0, f64::max)
        };
        let dev = rel(&ours, &bmtool);
        let effect = rel(&from_v_init, &bmtool);
        println!("slow cell, vclamp {vclamp}: ours vs bmtool {dev:.2e}; bmtool's +70 mV start vs v_init {effect:.2e}");
        // Bit-identical when generated; 1e-12 leaves room for a libm.
        assert!(
            dev <= 1e-12,
            "vclamp {vclamp}: {ours:?} vs bmtool {bmtool:?}"
        );
        assert!(effect > 1e-3, "the fixture must be sensitive to the start");
        let se = t.single_event().unwrap().kinetics;
        let amp = case["bmtool"]["single_event"]["amp"].as_f64().unwrap();
        assert!(((se.amp - amp) / amp).abs() < 1e-6, "{} vs {amp}", se.amp);
    }
}
