//! `cargo run -p nmodl --example check -- FILE.mod ...`: translate each file
//! (the translation step only, no cargo build) and print one JSON line per file:
//! `{"file": PATH, "ok": BOOL, "mechanism": NAME|null, "diagnostics": [..]}`.
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

fn main() {
    for path in std::env::args().skip(1) {
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.clone());
        let (ok, mech, diags) = match std::fs::read(&path) {
            Err(e) => (false, None, vec![format!("{name}:0: cannot read: {e}")]),
            Ok(b) => match nmodl::translate(&String::from_utf8_lossy(&b), &name) {
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
