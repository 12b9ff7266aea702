//! The synaptune side of `tools/allen-ref/compare.py`: build an Allen cell with
//! `allen-cell`, discretise it with cable-core, and write JSON with the cell
//! (`synaptune-cell/1`), every segment's area, `ri` and diameter, and, with
//! `--iclamp`, the soma voltage under a current step.
//!
//! ```text
//! cargo run -p allen-cell --example allen_dump -- --swc CELL.swc \
//!     [--dynamics PARAMS.json] [--processing aibs_perisomatic] [--dl 20] \
//!     [--mechanisms LIB.so ...] [--iclamp DELAY:DUR:AMP --tstop T --dt DT \
//!      --celsius C --v-init V] --out OUT.json [--cell-out CELL.json]
//! ```
//!
//! `--cell-out` writes the cell alone, as a `synaptune-cell/1` file.
//!
//! Mechanisms are the standard catalogue plus each `--mechanisms` library
//! (a catalogue `synaptune nmodl` built from the Allen mod files); which ions
//! each uses is passed to allen-cell as its ion table, as the integrator would.

use cable_core::{Loc, ModelBuilder, SimOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Args {
    swc: PathBuf,
    dynamics: Option<PathBuf>,
    processing: String,
    dl: Option<f64>,
    mechanisms: Vec<PathBuf>,
    iclamp: Option<[f64; 3]>,
    tstop: f64,
    dt: f64,
    celsius: Option<f64>,
    v_init: Option<f64>,
    out: PathBuf,
    cell_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        tstop: 100.0,
        dt: 0.025,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |s: String| s.parse::<f64>().map_err(|e| format!("{s}: {e}"));
        match flag.as_str() {
            "--swc" => a.swc = val()?.into(),
            "--dynamics" => a.dynamics = Some(val()?.into()),
            "--processing" => a.processing = val()?,
            "--dl" => a.dl = Some(num(val()?)?),
            "--mechanisms" => a.mechanisms.push(val()?.into()),
            "--iclamp" => {
                let v: Vec<f64> = val()?
                    .split(':')
                    .map(|s| num(s.to_string()))
                    .collect::<Result<_, _>>()?;
                if v.len() != 3 {
                    return Err("--iclamp DELAY:DUR:AMP".into());
                }
                a.iclamp = Some([v[0], v[1], v[2]]);
            }
            "--tstop" => a.tstop = num(val()?)?,
            "--dt" => a.dt = num(val()?)?,
            "--celsius" => a.celsius = Some(num(val()?)?),
            "--v-init" => a.v_init = Some(num(val()?)?),
            "--out" => a.out = val()?.into(),
            "--cell-out" => a.cell_out = Some(val()?.into()),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    if a.swc.as_os_str().is_empty() || (a.out.as_os_str().is_empty() && a.cell_out.is_none()) {
        return Err("--swc and --out (or --cell-out) are required".into());
    }
    Ok(a)
}

fn geometry(cell: &cable_core::CellSpec) -> Value {
    let disc = cable_core::geometry::discretize(&[cell]);
    let secs: Vec<Value> = cell
        .sections
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let sn = disc.cells[0].sections[si];
            let segs: Vec<Value> = (0..sn.nseg)
                .map(|j| {
                    let node = sn.first + j;
                    json!({"area": disc.area[node], "ri": disc.ri(node),
                           "diam": disc.seg_diam[0][si][j]})
                })
                .collect();
            json!({"name": s.name, "L": cable_core::geometry::section_length(&s.geometry),
                   "segments": segs})
        })
        .collect();
    Value::Array(secs)
}

/// The standard catalogue plus the `--mechanisms` libraries.
fn registry(a: &Args) -> Result<mech_api::Registry, String> {
    let mut reg = standard_mechanisms::registry();
    for lib in &a.mechanisms {
        let cat = mech_api::load_library(lib).map_err(|e| e.to_string())?;
        reg.add(&cat);
    }
    Ok(reg)
}

/// Which ions each mechanism of the registry uses: what the integrator gives
/// `allen_cell::Options::ion_table`.
fn trace(
    a: &Args,
    reg: &mech_api::Registry,
    built: &allen_cell::AllenCell,
    clamp: [f64; 3],
) -> Result<Value, String> {
    let mut b = ModelBuilder::new(reg);
    let c = b.add_cell(&built.cell).map_err(|e| e.to_string())?;
    b.add_point(
        "IClamp",
        Loc::new(c, "soma[0]", 0.5),
        &[("del", clamp[0]), ("dur", clamp[1]), ("amp", clamp[2])],
    )
    .map_err(|e| e.to_string())?;
    let celsius = a.celsius.or(built.celsius).unwrap_or(6.3);
    let v_init = a.v_init.or(built.v_init).unwrap_or(-65.0);
    let mut sim = b
        .build(SimOptions {
            celsius,
            dt: a.dt,
            ..SimOptions::default()
        })
        .map_err(|e| e.to_string())?;
    let t = sim.record_time();
    let v = sim
        .record(0, "soma[0]", 0.5, "v")
        .map_err(|e| e.to_string())?;
    sim.run(a.tstop, v_init).map_err(|e| e.to_string())?;
    Ok(
        json!({"celsius": celsius, "v_init": v_init, "dt": a.dt, "tstop": a.tstop,
              "t": sim.trace(t), "v": sim.trace(v)}),
    )
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    let reg = registry(&a)?;
    let opts = allen_cell::Options {
        dl: a.dl,
        ion_table: Some(allen_cell::ion_table(&reg)),
        ..Default::default()
    };
    let built = allen_cell::from_files(&a.swc, a.dynamics.as_deref(), &a.processing, &opts)
        .map_err(|e| e.to_string())?;
    let mut out = json!({
        "cell": built.cell.to_json(),
        "geometry": geometry(&built.cell),
        "mechanisms": built.mechanisms,
        "notes": built.notes,
        "celsius": built.celsius,
        "v_init": built.v_init,
    });
    if let Some(path) = &a.cell_out {
        write(path, &built.cell.to_json())?;
    }
    if a.out.as_os_str().is_empty() {
        return Ok(());
    }
    if let Some(clamp) = a.iclamp {
        out["trace"] = trace(&a, &reg, &built, clamp)?;
    }
    write(&a.out, &out)
}

fn write(path: &Path, v: &Value) -> Result<(), String> {
    let text = serde_json::to_string(v).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

fn main() {
    if let Err(e) = run() {
        eprintln!("allen_dump: {e}");
        std::process::exit(1);
    }
}
