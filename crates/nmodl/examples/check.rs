//! `cargo run -p nmodl --example check -- FILE.mod ...`: translate each file
//! (the translation step only, no cargo build) and print one JSON line per file:
//! `{"file": PATH, "ok": BOOL, "mechanism": NAME|null, "diagnostics": [..]}`.
//! Each file is translated as a member of its folder (ion valences declared by
//! the other `.mod` files there count, as in `synaptune nmodl`).
//! tools/nmodl-corpus/coverage.py uses it to measure corpus coverage.
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

/// The valences the `.mod` files of `dir` declare.
fn valences(dir: &std::path::Path) -> nmodl::Valences {
    let texts: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "mod"))
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    nmodl::folder_valences(texts.iter().map(String::as_str))
}

fn main() {
    let mut by_dir = std::collections::HashMap::new();
    for path in std::env::args().skip(1) {
        let dir = std::path::Path::new(&path)
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf();
        let vals = by_dir.entry(dir.clone()).or_insert_with(|| valences(&dir));
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.clone());
        let (ok, mech, diags) = match std::fs::read(&path) {
            Err(e) => (false, None, vec![format!("{name}:0: cannot read: {e}")]),
            Ok(b) => match nmodl::translate_with(&String::from_utf8_lossy(&b), &name, vals) {
                Ok(t) => (true, Some(t.mechanism), Vec::new()),
                Err(d) => (false, None, d.iter().map(|d| d.to_string()).collect()),
            },
        };
        let d: Vec<String> = diags.iter().map(|d| json_str(d)).collect();
        println!(
            "{{\"file\": {}, \"ok\": {ok}, \"mechanism\": {}, \"diagnostics\": [{}]}}",
            json_str(&path),
            mech.map_or("null".to_string(), |m| json_str(&m)),
            d.join(", ")
        );
    }
}
