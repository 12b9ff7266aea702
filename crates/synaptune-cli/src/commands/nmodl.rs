//! `synaptune nmodl MODDIR --out OUTDIR`: compile a folder of NMODL files into a
//! mechanism catalogue that `--mechanisms` loads (the `nmodl` crate does the
//! work; cargo must be on PATH, no network is used).

use crate::cli::NmodlArgs;
use crate::output::print_json;
use anyhow::{bail, Result};
use serde_json::json;

pub fn run(a: NmodlArgs) -> Result<()> {
    if !a.moddir.is_dir() {
        bail!("{}: not a folder of .mod files", a.moddir.display());
    }
    if !a.json {
        eprintln!(
            "synaptune nmodl: translating {} and building with cargo (offline) …",
            a.moddir.display()
        );
    }
    let t0 = std::time::Instant::now();
    let r = nmodl::compile(&a.moddir, &a.out, &nmodl::Options::default())?;
    let failed = r
        .files
        .iter()
        .filter(|f| f.status == nmodl::FileStatus::Error)
        .count();
    if a.json {
        let files: Vec<_> = r
            .files
            .iter()
            .map(|f| {
                json!({
                    "file": f.file,
                    "status": f.status.as_str(),
                    "mechanism": f.mechanism,
                    "diagnostics": f.diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&json!({
            "library": r.library.as_ref().map(|p| p.display().to_string()),
            "mechanisms": r.mechanisms,
            "files": files,
        }))?;
    } else {
        for f in &r.files {
            println!(
                "{:<32} {:<5} {}",
                f.file,
                f.status.as_str(),
                f.mechanism.as_deref().unwrap_or("")
            );
            for d in &f.diagnostics {
                println!("    {d}");
            }
        }
        match &r.library {
            Some(p) => println!(
                "{} mechanism(s) in {} ({:.1} s); load with --mechanisms {}",
                r.mechanisms.len(),
                p.display(),
                t0.elapsed().as_secs_f64(),
                a.out.display()
            ),
            None => println!("no library: no file could be translated"),
        }
    }
    if r.library.is_none() {
        bail!(
            "{}: none of the {} .mod file(s) could be translated",
            a.moddir.display(),
            r.files.len()
        );
    }
    if failed > 0 {
        // Partial success: the library holds the files that translated.
        eprintln!(
            "synaptune nmodl: {failed} of {} file(s) could not be translated (see the diagnostics); the library holds the others",
            r.files.len()
        );
        std::process::exit(1);
    }
    Ok(())
}
