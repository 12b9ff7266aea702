//! `synaptune mechanisms`: what the registry holds.

use crate::cli::MechanismsArgs;
use crate::output::print_json;
use anyhow::Result;
use mech_api::FieldKind;
use serde_json::{json, Map, Value};

pub fn run(a: MechanismsArgs) -> Result<()> {
    let reg = super::registry(&a.common)?;
    let mut out = Map::new();
    let mut types: Vec<_> = reg.types().to_vec();
    types.sort_by(|x, y| x.info.name.cmp(&y.info.name));
    for t in &types {
        let i = &t.info;
        let mut params = Map::new();
        for f in i.fields.iter().filter(|f| f.kind == FieldKind::Parameter) {
            params.insert(f.name.clone(), json!(f.default));
        }
        let variables: Vec<&str> = i
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::Parameter)
            .map(|f| f.name.as_str())
            .collect();
        let ions: Vec<&str> = i.ions.iter().map(|x| x.name.as_str()).collect();
        let event_only: Vec<&str> = i
            .fields
            .iter()
            .filter(|f| f.event_only)
            .map(|f| f.name.as_str())
            .collect();
        let mut globals = Map::new();
        for g in &i.globals {
            globals.insert(g.name.clone(), json!(g.default));
        }
        out.insert(
            i.name.clone(),
            json!({
                "kind": i.kind.as_str(),
                "parameters": Value::Object(params),
                "event_only": event_only,
                "variables": variables,
                "ions": ions,
                "globals": Value::Object(globals),
                "net_receive": i.weights,
                "catalogue": t.catalogue,
                "origin": t.origin.to_string(),
            }),
        );
    }
    if a.common.json {
        print_json(&Value::Object(out))?;
    } else {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for t in &types {
            let i = &t.info;
            writeln!(
                out,
                "{:<16} {:<16} {:<16} parameters: {}",
                i.name,
                i.kind.as_str(),
                t.catalogue,
                i.parameter_names().join(", ")
            )?;
        }
    }
    Ok(())
}
