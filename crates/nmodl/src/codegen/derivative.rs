//! DERIVATIVE blocks: `cnexp_<b>` with nocmodl's symbolic updates, and for
//! derivimplicit `deriv_<b>` (the derivatives), `dimplicit_<b>` (scopmath's Newton
//! iteration through the runtime) and the `DiSys_<b>` glue.

use super::{Ctx, Gen, Scope, Solve};
use crate::ast::{Expr, Line};
use crate::diffeq;
use std::collections::HashSet;
use std::fmt::Write;

impl Gen<'_> {
    /// Per DERIVATIVE block: `cnexp_<b>` when solved with cnexp; `deriv_<b>`, the
    /// `dst_<b>` accessors and `dimplicit_<b>` when solved implicitly.
    pub(super) fn emit_derivs(&mut self) {
        let m = self.m;
        let cnexp: HashSet<String> = self
            .solves
            .iter()
            .filter_map(|s| match s {
                Solve::Cnexp(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        for d in &m.module.derivatives {
            if cnexp.contains(&d.name) {
                let open = format!("fn cnexp_{}(&mut self) {{", d.name);
                self.braced(&open, &d.body, &mut Scope::in_block(Ctx::Cnexp, &d.name));
            }
            if let Some(info) = self.derivs.get(&d.name).cloned() {
                let n = info.eq_states.len();
                let open = format!("fn deriv_{}(&mut self, d: &mut [f64]) {{", d.name);
                let mut sc = Scope::in_block(Ctx::DerivImplicit, &d.name);
                self.braced(&open, &d.body, &mut sc);
                self.state_accessors("dst", &d.name, &info.eq_states);
                self.line(&format!("fn dimplicit_{}(&mut self) {{", d.name));
                self.indent += 1;
                self.line(&format!("let mut save = [0.0f64; {n}];"));
                self.line(&format!(
                    "for (i, x) in save.iter_mut().enumerate() {{ *x = self.dst_{}(i); }}",
                    d.name
                ));
                self.line(&format!(
                    "let err = {{ let mut sys = DiSys_{} {{ c: &mut *self, save }}; rt::newton(&mut sys) }};",
                    d.name
                ));
                self.line("if err != 0 {");
                self.line(&format!(
                    "    panic!(\"{{}}: derivimplicit `{}` at t = {{}}: {{}}\", NAME, self.t, rt::scop_error(err));",
                    d.name
                ));
                self.line("}");
                self.line(&format!("let mut d = [0.0f64; {n}];"));
                self.line(&format!("self.deriv_{}(&mut d);", d.name));
                self.second_order_update("dst", &d.name, n);
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    /// `DiSys_<b>`: derivimplicit's Newton system over the block's states, for
    /// the runtime's `newton`.
    pub(super) fn emit_newton_systems(&mut self) {
        let mut names: Vec<String> = self.derivs.keys().cloned().collect();
        names.sort();
        for n in names {
            let info = &self.derivs[&n];
            let k = info.eq_states.len();
            let perm: Vec<String> = info.perm.iter().map(|p| p.to_string()).collect();
            let _ = write!(
                self.out,
                "struct DiSys_{n}<'c, 'p, 'a> {{\n    c: &'c mut Ctx<'p, 'a>,\n    save: [f64; {k}],\n}}\n\n\
                 /// nocmodl's `_slist2` (Newton unknowns) as indices into the equation order.\n\
                 const PERM_{n}: [usize; {k}] = [{}];\n\n\
                 impl rt::NewtonSys for DiSys_{n}<'_, '_, '_> {{\n\
                 \x20   fn n(&self) -> usize {{\n        {k}\n    }}\n\
                 \x20   fn x(&self, j: usize) -> f64 {{\n        self.c.dst_{n}(PERM_{n}[j])\n    }}\n\
                 \x20   fn set_x(&mut self, j: usize, v: f64) {{\n        self.c.set_dst_{n}(PERM_{n}[j], v)\n    }}\n\
                 \x20   fn residual(&mut self, out: &mut [f64]) {{\n\
                 \x20       let mut d = [0.0f64; {k}];\n\
                 \x20       self.c.deriv_{n}(&mut d);\n\
                 \x20       for i in 0..{k} {{\n\
                 \x20           out[i] = d[i] - (self.c.dst_{n}(i) - self.save[i]) / self.c.dt;\n\
                 \x20       }}\n    }}\n}}\n\n",
                perm.join(", ")
            );
        }
    }

    /// `x' = e`: under cnexp the state's update (nocmodl's symbolic form), under
    /// derivimplicit `d[i] = e` in `deriv_<b>`.
    pub(super) fn deriv_stmt(&mut self, x: &str, e: &Expr, line: Line, sc: &Scope) {
        match sc.ctx {
            Ctx::Cnexp => {
                if !self.is_state(x) {
                    self.err(line, format!("`{x}` is not a STATE"));
                    return;
                }
                let l = diffeq::linearize(e, x).expect("checked");
                let dt = Expr::Name("dt".into(), line);
                let rhs = match diffeq::cnexp_parts(&l, dt.clone()) {
                    Some((factor, target)) => format!(
                        "rt::cnexp({}, {}, {})",
                        self.expr(&Expr::Name(x.to_string(), line), sc),
                        self.expr(&factor, sc),
                        self.expr(&target, sc)
                    ),
                    None => {
                        let upd = diffeq::cnexp_update(&l, Expr::Name(x.to_string(), line), dt);
                        self.expr(&upd, sc)
                    }
                };
                let lhs = self.assign_ref(x, line, sc);
                self.line(&format!("{lhs} = {rhs};"));
            }
            Ctx::DerivImplicit => {
                let info = &self.derivs[sc.block.as_ref().unwrap()];
                let Some(i) = info.eq_states.iter().position(|s| s == x) else {
                    return; // not a STATE: reported by the analysis
                };
                let rhs = self.expr(e, sc);
                self.line(&format!("d[{i}] = {rhs};"));
            }
            _ => self.err(line, format!("`{x}'` outside a DERIVATIVE block")),
        }
    }
}
