//! This crate's plugin side as text: `synaptune nmodl` writes these files next to
//! every catalogue crate it generates, which then builds offline, without a
//! registry or a synaptune source tree.
//!
//! The plugin side is every module of `lib.rs` not behind the `host` feature,
//! with the files they `include!`; a test below fails when one is missing.

/// The files of the plugin-side `mech-api` crate: the path inside that crate and
/// the text (`Cargo.toml` first, then the sources).
pub const PLUGIN_SOURCES: &[(&str, &str)] = &[
    ("Cargo.toml", PLUGIN_MANIFEST),
    ("src/lib.rs", include_str!("lib.rs")),
    ("src/abi.rs", include_str!("abi.rs")),
    ("src/cnexp.rs", include_str!("cnexp.rs")),
    ("src/export.rs", include_str!("export.rs")),
    ("src/info.rs", include_str!("info.rs")),
    ("src/pack.rs", include_str!("pack.rs")),
    ("src/math.rs", include_str!("math.rs")),
    ("src/exp_table.rs", include_str!("exp_table.rs")),
    ("src/exp_lanes.rs", include_str!("exp_lanes.rs")),
    ("src/sources.rs", include_str!("sources.rs")),
];

/// The manifest of the plugin-side crate: no dependencies, and a `host` feature
/// that enables nothing (so that `#[cfg(feature = "host")]` is a known cfg).
const PLUGIN_MANIFEST: &str = concat!(
    "[package]\nname = \"mech-api\"\nversion = \"",
    env!("CARGO_PKG_VERSION"),
    "\"\nedition = \"2021\"\npublish = false\n\n",
    "# The plugin side of synaptune's mech-api, written by synaptune nmodl.\n",
    "[features]\ndefault = []\nhost = []\n",
);

#[cfg(test)]
mod tests {
    use super::PLUGIN_SOURCES;

    fn listed(path: &str) -> bool {
        PLUGIN_SOURCES.iter().any(|(p, _)| *p == path)
    }

    /// The modules `lib.rs` declares without a `#[cfg(feature = "host")]` line
    /// among the attributes right above them.
    fn plugin_modules(lib: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut host = false;
        for line in lib.lines().map(str::trim) {
            if line == "#[cfg(feature = \"host\")]" {
                host = true;
                continue;
            }
            if line.starts_with("#[") || line.starts_with("//") {
                continue;
            }
            let m = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))
                .and_then(|r| r.strip_suffix(';'));
            if let (Some(m), false) = (m, host) {
                out.push(m.to_string());
            }
            host = false;
        }
        out
    }

    /// The files `text` pulls in with `include!`, relative to `src/`.
    fn includes(text: &str) -> Vec<String> {
        let pattern = "include!(\"";
        text.match_indices(pattern)
            .filter_map(|(i, _)| {
                let rest = &text[i + pattern.len()..];
                rest.find('"').map(|end| format!("src/{}", &rest[..end]))
            })
            .collect()
    }

    /// Every plugin-side module of `lib.rs`, and every file a listed file
    /// includes, must be listed, or generated catalogues stop building.
    #[test]
    fn every_plugin_side_file_is_listed() {
        let lib = include_str!("lib.rs");
        let modules = plugin_modules(lib);
        assert!(modules.iter().any(|m| m == "sources"), "{modules:?}");
        assert!(!modules.iter().any(|m| m == "loader"), "{modules:?}");
        // (file, why it is needed)
        let mut wanted = vec![
            ("Cargo.toml".to_string(), "the manifest".to_string()),
            ("src/lib.rs".to_string(), "the crate root".to_string()),
        ];
        for m in &modules {
            wanted.push((format!("src/{m}.rs"), format!("module `{m}` of lib.rs")));
        }
        for (path, text) in PLUGIN_SOURCES {
            for f in includes(text) {
                wanted.push((f, format!("included by {path}")));
            }
        }
        for (f, why) in &wanted {
            assert!(
                listed(f),
                "mech-api's plugin-side file `{f}` ({why}) is not in PLUGIN_SOURCES (src/sources.rs)"
            );
        }
        // Nothing else: a host-side file would be written for nothing.
        for (path, _) in PLUGIN_SOURCES {
            assert!(
                wanted.iter().any(|(f, _)| f == path),
                "`{path}` is listed in PLUGIN_SOURCES but is no plugin-side file"
            );
        }
    }

    #[test]
    fn includes_are_found() {
        assert_eq!(includes(include_str!("math.rs")), ["src/exp_table.rs"]);
    }
}
