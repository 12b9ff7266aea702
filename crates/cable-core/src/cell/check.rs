//! Checking a cell's mechanisms against a registry: every inserted mechanism
//! is a known density mechanism and every parameter given is one of its own.

use super::{CellSpec, Ctx};
use crate::error::{CellError, CellErrorKind};
use mech_api::{Kind, Registry};

impl CellSpec {
    /// Check every inserted mechanism and parameter against a registry.
    pub fn check_mechanisms(&self, reg: &Registry) -> Result<(), CellError> {
        let cx = Ctx { file: &self.source };
        for s in &self.sections {
            for m in &s.mechanisms {
                let field = format!("mechanisms.{}", m.name);
                let t = reg.get(&m.name).ok_or_else(|| {
                    let known: Vec<String> = reg
                        .types()
                        .iter()
                        .filter(|t| t.info.kind == Kind::Density)
                        .map(|t| t.info.name.clone())
                        .collect();
                    let message = match reg.unavailable(&m.name) {
                        Some(reason) => {
                            format!("mechanism `{}` is not available: {reason}", m.name)
                        }
                        None => format!(
                            "unknown mechanism `{}`; known density mechanisms: {}",
                            m.name,
                            sorted_join(known)
                        ),
                    };
                    cx.err(
                        Some(&s.name),
                        Some(&field),
                        CellErrorKind::UnknownMechanism,
                        message,
                    )
                })?;
                if t.info.kind != Kind::Density {
                    return Err(cx.err(
                        Some(&s.name),
                        Some(&field),
                        CellErrorKind::NotDensity,
                        format!(
                            "`{}` is a {}, which cannot be inserted into a section",
                            m.name,
                            t.info.kind.as_str()
                        ),
                    ));
                }
                for (p, _) in &m.params {
                    if !t.info.parameter_names().contains(&p.as_str()) {
                        return Err(cx.err(
                            Some(&s.name),
                            Some(&format!("{field}.{p}")),
                            CellErrorKind::UnknownParameter,
                            format!(
                                "`{}` has no parameter `{p}`; its parameters: {}",
                                m.name,
                                t.info.parameter_names().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn sorted_join(mut v: Vec<String>) -> String {
    v.sort();
    v.join(", ")
}
