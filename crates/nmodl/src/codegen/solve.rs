//! `nrn_state`, SOLVE statements, and what the implicit solvers share: the
//! accessors by position to a block's states and the second-order update.

use super::{ident, Ctx, Gen, Scope, Solve};
use crate::ast::Line;

impl Gen<'_> {
    /// `nrn_state`: the SOLVEs in order (a mechanism without currents runs its
    /// whole BREAKPOINT here instead).
    pub(super) fn emit_state(&mut self) {
        let m = self.m;
        self.line("fn nrn_state(&mut self) {");
        self.indent += 1;
        if m.currents.is_empty() {
            if let Some((b, _)) = &m.module.breakpoint {
                self.braced("{", b, &mut Scope::new(Ctx::State));
            }
        } else {
            for s in self.solves.clone() {
                self.solve_call(&s);
            }
        }
        self.indent -= 1;
        self.line("}");
    }

    /// The call that carries out one SOLVE.
    pub(super) fn solve_call(&mut self, s: &Solve) {
        match s {
            Solve::Cnexp(n) => self.line(&format!("self.cnexp_{n}();")),
            Solve::DerivImplicit(n) => self.line(&format!("self.dimplicit_{n}();")),
            Solve::Sparse(n) => self.line(&format!("self.sparse_{n}(false);")),
            Solve::Proc(n) => self.line(&format!("self.u_{n}();")),
        }
    }

    /// `{kind}_{block}(i)` and `set_{kind}_{block}(i, x)`: the block's states
    /// by position, for the generated solvers.
    pub(super) fn state_accessors(&mut self, kind: &str, block: &str, states: &[String]) {
        let getter = format!("fn {kind}_{block}(&self, i: usize) -> f64 {{");
        let setter = format!("fn set_{kind}_{block}(&mut self, i: usize, x: f64) {{");
        for (open, assign) in [(getter, ""), (setter, " = x")] {
            self.line(&open);
            self.line("    match i {");
            for (i, s) in states.iter().enumerate() {
                self.line(&format!("        {i} => self.f[F_{}]{assign},", ident(s)));
            }
            self.line("        _ => unreachable!(),");
            self.line("    }");
            self.line("}");
        }
    }

    /// Under second order, the states advanced by `dt * d[i]` after the solve,
    /// through the `{kind}_{block}` accessors of its `n` states.
    pub(super) fn second_order_update(&mut self, kind: &str, block: &str, n: usize) {
        self.line("if self.secondorder != 0 {");
        self.line(&format!("    for i in 0..{n} {{"));
        self.line(&format!(
            "        let x = self.{kind}_{block}(i) + self.dt * d[i];"
        ));
        self.line(&format!("        self.set_{kind}_{block}(i, x);"));
        self.line("    }");
        self.line("}");
    }

    /// A SOLVE statement: nothing in BREAKPOINT's current, the solver's call in
    /// `nrn_state`, a steady state (sparse, or derivimplicit with a huge step) in
    /// INITIAL.
    pub(super) fn solve_stmt(
        &mut self,
        name: &str,
        method: Option<&str>,
        steadystate: bool,
        line: Line,
        sc: &Scope,
    ) {
        match sc.ctx {
            Ctx::Breakpoint => {}
            Ctx::State => {
                if let Some(sv) = self.solves.iter().find(|x| match x {
                    Solve::Cnexp(n)
                    | Solve::DerivImplicit(n)
                    | Solve::Sparse(n)
                    | Solve::Proc(n) => n == name,
                }) {
                    let sv = sv.clone();
                    self.solve_call(&sv);
                }
            }
            Ctx::Initial | Ctx::Procedure
                if !steadystate && self.m.module.linears.iter().any(|b| b.name == name) =>
            {
                self.solve_linear(name);
            }
            Ctx::Initial if steadystate => {
                let method = method.unwrap_or_default();
                if method == "sparse" && self.kinetics.contains_key(name) {
                    self.line(&format!("self.sparse_{name}(true);"));
                } else if method == "derivimplicit" && self.derivs.contains_key(name) {
                    self.line("{");
                    self.line("    let save = self.dt;");
                    self.line("    self.dt = 1e-9;");
                    self.line(&format!("    self.dimplicit_{name}();"));
                    self.line("    self.dt = save;");
                    self.line("}");
                }
            }
            _ => self.err(
                line,
                "SOLVE is only allowed in BREAKPOINT (and STEADYSTATE, or of a LINEAR block, in INITIAL)",
            ),
        }
    }
}
