//! Writing a cell back as `synaptune-cell/1` JSON.

use super::{CellSpec, Geometry, FORMAT};
use serde_json::{json, Map, Value};

impl CellSpec {
    /// Write the cell back as `synaptune-cell/1` JSON.
    pub fn to_json(&self) -> Value {
        let secs: Vec<Value> = self
            .sections
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("name".into(), json!(s.name));
                o.insert(
                    "parent".into(),
                    match s.parent {
                        None => Value::Null,
                        Some(p) => json!({"section": self.sections[p.section].name, "x": p.x}),
                    },
                );
                match &s.geometry {
                    Geometry::Cylinder { l, diam } => {
                        o.insert("L".into(), json!(l));
                        o.insert("diam".into(), diam.to_json());
                    }
                    Geometry::Points(p) => {
                        o.insert("points".into(), json!(p));
                    }
                    Geometry::PointsArcs { points, arcs } => {
                        o.insert("points".into(), json!(points));
                        o.insert("arcs".into(), json!(arcs));
                    }
                }
                o.insert("nseg".into(), json!(s.nseg));
                o.insert("cm".into(), s.cm.to_json());
                o.insert("Ra".into(), json!(s.ra));
                let mut m = Map::new();
                for mi in &s.mechanisms {
                    let mut pm = Map::new();
                    for (k, v) in &mi.params {
                        pm.insert(k.clone(), v.to_json());
                    }
                    m.insert(mi.name.clone(), Value::Object(pm));
                }
                o.insert("mechanisms".into(), Value::Object(m));
                if !s.ions.is_empty() {
                    let mut im = Map::new();
                    for i in &s.ions {
                        let mut x = Map::new();
                        if let Some(r) = &i.e {
                            x.insert("e".into(), r.to_json());
                        }
                        if let Some(r) = &i.ci {
                            x.insert("ci".into(), r.to_json());
                        }
                        if let Some(r) = &i.co {
                            x.insert("co".into(), r.to_json());
                        }
                        im.insert(i.ion.clone(), Value::Object(x));
                    }
                    o.insert("ions".into(), Value::Object(im));
                }
                Value::Object(o)
            })
            .collect();
        let mut lists = Map::new();
        for (n, m) in &self.section_lists {
            lists.insert(n.clone(), json!(m));
        }
        let mut doc =
            json!({"format": FORMAT, "name": self.name, "sections": secs, "section_lists": lists});
        if !self.globals.is_empty() {
            let mut g = Map::new();
            for (m, name, v) in &self.globals {
                let e = g
                    .entry(m.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(o) = e {
                    o.insert(name.clone(), json!(v));
                }
            }
            doc["globals"] = Value::Object(g);
        }
        if let Some(c) = self.celsius {
            doc["celsius"] = json!(c);
        }
        if let Some(order) = &self.connection_order {
            let names: Vec<&str> = order
                .iter()
                .map(|&k| self.sections[k].name.as_str())
                .collect();
            doc["connection_order"] = json!(names);
        }
        doc
    }
}
