//! The translated FUNCTIONs and PROCEDUREs, INITIAL (`initmodel`) and
//! BREAKPOINT's current (`nrn_current`), as methods of the context.

use super::{ident, Ctx, Gen, Scope};
use crate::model::lit;

impl Gen<'_> {
    /// FUNCTIONs and PROCEDUREs: `u_<f>`, or `f_<f>` behind a TABLE's lookup.
    pub(super) fn emit_functions(&mut self) {
        let m = self.m;
        for f in &m.module.funcs {
            let mut sc = Scope::new(if f.is_function {
                Ctx::Function
            } else {
                Ctx::Procedure
            });
            if f.is_function {
                sc.func = Some(f.name.clone());
            }
            for a in &f.args {
                sc.locals[0].insert(a.clone());
            }
            let args: Vec<String> = f.args.iter().map(|a| format!("mut l_{a}: f64")).collect();
            let raw = if self.tables.contains_key(&f.name) {
                format!("f_{}", f.name)
            } else {
                format!("u_{}", f.name)
            };
            self.line(&format!(
                "fn {raw}(&mut self, {}) -> f64 {{",
                args.join(", ")
            ));
            self.indent += 1;
            self.line("let mut ret_: f64 = 0.0;");
            self.block_body(&f.body, &mut sc);
            self.line("ret_");
            self.indent -= 1;
            self.line("}");
        }
    }

    /// `initmodel`: the STATEs' start values, then INITIAL.
    pub(super) fn emit_initial(&mut self) {
        let m = self.m;
        self.line("fn initmodel(&mut self) {");
        self.indent += 1;
        for (s, x0) in &m.states {
            self.line(&format!("self.f[F_{}] = {};", ident(s), lit(*x0)));
        }
        if let Some((b, _)) = &m.module.initial {
            self.braced("{", b, &mut Scope::new(Ctx::Initial));
        }
        self.indent -= 1;
        self.line("}");
    }

    /// BEFORE/AFTER blocks as methods `ba_before_breakpoint`, `ba_after_solve`,
    /// `ba_before_initial`, `ba_after_initial`. NEURON runs each kind for every
    /// instance of every mechanism at one point of the step (`nrn_ba`); here
    /// each runs in the mechanism's own entry point at that point (before its
    /// current, after its state update, around its INITIAL), which is the same
    /// for blocks that change only the mechanism's own variables.
    pub(super) fn emit_ba(&mut self) {
        let m = self.m;
        for (when, b, _) in &m.module.ba {
            // A PROCEDURE's body (a VERBATIM `return 0;` returns a number).
            let name = ba_method(when);
            self.line(&format!("fn {name}(&mut self) -> f64 {{"));
            self.indent += 1;
            self.block_body(b, &mut Scope::new(Ctx::Procedure));
            self.line("0.0");
            self.indent -= 1;
            self.line("}");
        }
    }

    /// `nrn_current(v)`: BREAKPOINT (its SOLVEs are for `nrn_state`), then the
    /// sum of the currents.
    pub(super) fn emit_breakpoint(&mut self) {
        let m = self.m;
        if m.currents.is_empty() {
            return;
        }
        self.line("fn nrn_current(&mut self, v: f64) -> f64 {");
        self.indent += 1;
        self.line("let mut current = 0.0f64;");
        self.line("self.v = v;");
        if let Some((b, _)) = &m.module.breakpoint {
            self.braced("{", b, &mut Scope::new(Ctx::Breakpoint));
        }
        for (c, _) in &m.currents {
            self.line(&format!("current += self.f[F_{}];", ident(c)));
        }
        self.line("current");
        self.indent -= 1;
        self.line("}");
    }
}

/// The context's method for a BEFORE/AFTER block (`BEFORE BREAKPOINT` →
/// `ba_before_breakpoint`).
pub(super) fn ba_method(when: &str) -> String {
    format!("ba_{}", when.to_ascii_lowercase().replace(' ', "_"))
}
