//! `cargo run -p nmodl --example compile_dir -- MODDIR OUTDIR [--json]`: what
//! `synaptune nmodl` does, without the CLI (the workspace tests use it to build
//! `examples/nmodl/` without linking the translator into the test binaries).
fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if pos.len() != 2 {
        eprintln!("usage: compile_dir MODDIR OUTDIR [--json]");
        std::process::exit(2);
    }
    let t0 = std::time::Instant::now();
    let r = match nmodl::compile(
        std::path::Path::new(pos[0]),
        std::path::Path::new(pos[1]),
        &nmodl::Options::default(),
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    if json {
        let files: Vec<String> = r
            .files
            .iter()
            .map(|f| {
                let d: Vec<String> = f
                    .diagnostics
                    .iter()
                    .map(|d| json_str(&d.to_string()))
                    .collect();
                format!(
                    "{{\"file\": {}, \"status\": \"{}\", \"diagnostics\": [{}]}}",
                    json_str(&f.file),
                    f.status.as_str(),
                    d.join(", ")
                )
            })
            .collect();
        let mechs: Vec<String> = r.mechanisms.iter().map(|m| json_str(m)).collect();
        let lib = match &r.library {
            Some(p) => json_str(&p.display().to_string()),
            None => "null".into(),
        };
        println!(
            "{{\"library\": {lib}, \"mechanisms\": [{}], \"files\": [{}]}}",
            mechs.join(", "),
            files.join(", ")
        );
    } else {
        for f in &r.files {
            println!(
                "{:<28} {:<5} {}",
                f.file,
                f.status.as_str(),
                f.mechanism.as_deref().unwrap_or("")
            );
            for d in &f.diagnostics {
                println!("    {d}");
            }
        }
        println!(
            "library: {:?} ({:.1} s)",
            r.library,
            t0.elapsed().as_secs_f64()
        );
    }
}
