//! KINETIC blocks: `kin_<b>` fills scopmath's sparse matrix from the reactions,
//! fluxes and CONSERVE equations (as nocmodl's genderivterms and genmatterms
//! write them), `sparse_<b>` solves it through the runtime, `KinSys_<b>` is the
//! glue.

use super::{Ctx, Gen, KinInfo, Scope};
use crate::ast::*;
use crate::model::lit;
use std::collections::HashSet;
use std::fmt::Write;

impl Gen<'_> {
    /// Per KINETIC block: the `kst_<b>` accessors, `kin_<b>` and `sparse_<b>`.
    pub(super) fn emit_kinetics(&mut self) {
        let m = self.m;
        for k in &m.module.kinetics {
            let info = match self.kinetics.get(&k.name) {
                Some(i) => i.clone(),
                None => continue,
            };
            let n = info.states.len();
            self.state_accessors("kst", &k.name, &info.states);
            let mut sc = Scope::in_block(Ctx::Kinetic, &k.name);
            self.line(&format!(
                "fn kin_{}(&mut self, so: &mut rt::SparseObj, dold: &[f64]) {{",
                k.name
            ));
            self.indent += 1;
            self.line("let mut flux_b: f64 = 0.0;");
            self.line("let mut flux_f: f64 = 0.0;");
            self.line("let mut term_: f64 = 0.0;");
            // Locals first (nocmodl puts its matrix set-up after them).
            sc.locals.push(HashSet::new());
            for (l, _) in &k.body.locals {
                self.line(&format!("let mut l_{l}: f64 = 0.0;"));
                sc.locals.last_mut().unwrap().insert(l.clone());
            }
            self.line("{");
            self.line("    let dt1 = 1.0 / self.dt;");
            self.line(&format!("    for i in {}..{n} {{", info.ncons));
            self.line(&format!(
                "        let r = -dt1 * (self.kst_{}(i) - dold[i]);",
                k.name
            ));
            self.line("        *so.rhs(i) = r;");
            self.line("        *so.mat(i, i) = dt1;");
            self.line("    }");
            self.line("}");
            let body = Block {
                locals: Vec::new(),
                stmts: k.body.stmts.clone(),
            };
            self.block_body(&body, &mut sc);
            self.indent -= 1;
            self.line("}");
            self.line(&format!("fn sparse_{}(&mut self, steady: bool) {{", k.name));
            self.indent += 1;
            self.line(&format!("let mut cache = self.sp[{}].take();", info.cache));
            self.line("let r = if steady {");
            self.line("    let save = self.dt;");
            self.line("    self.dt = 1e9;");
            self.line(&format!(
                "    let r = rt::ss_sparse(&mut cache, &mut KinSys_{} {{ c: &mut *self }}, {});",
                k.name, info.linear
            ));
            self.line("    self.dt = save;");
            self.line("    r");
            self.line("} else {");
            self.line("    let dt = self.dt;");
            self.line(&format!(
                "    rt::sparse(&mut cache, &mut KinSys_{} {{ c: &mut *self }}, dt, {})",
                k.name, info.linear
            ));
            self.line("};");
            self.line(&format!("self.sp[{}] = cache;", info.cache));
            self.line("let d = match r {");
            self.line("    Ok(d) => d,");
            self.line(&format!(
                "    Err(e) => panic!(\"{{}}: sparse `{}` at t = {{}}: {{}}\", NAME, self.t, rt::scop_error(e)),",
                k.name
            ));
            self.line("};");
            self.second_order_update("kst", &k.name, n);
            self.indent -= 1;
            self.line("}");
        }
    }

    /// A reaction, as nocmodl's genderivterms + genmatterms write it. `kb = None`
    /// is a one-way `->` (backward flux `0.`).
    pub(super) fn reaction(
        &mut self,
        lhs: &[Term],
        rhs: &[Term],
        kf: &Expr,
        kb: Option<&Expr>,
        line: Line,
        sc: &mut Scope,
    ) {
        let info = self.kinetics[sc.block.as_ref().unwrap()].clone();
        // nocmodl keeps the terms of a side in reverse order.
        let sides: [Vec<Term>; 2] = [
            lhs.iter().rev().cloned().collect(),
            rhs.iter().rev().cloned().collect(),
        ];
        let rates = [Some(kf.clone()), kb.cloned()];
        let name_expr = |t: &Term| Expr::Name(t.name.clone(), line);
        // f_flux, b_flux
        for j in 0..2 {
            let mut e = match &rates[j] {
                Some(r) => r.clone(),
                None => Expr::num("0."),
            };
            for t in &sides[j] {
                for _ in 0..t.coef {
                    e = e.append(BinOp::Mul, name_expr(t));
                }
            }
            let v = self.expr(&e, sc);
            let target = if j == 0 { "flux_f" } else { "flux_b" };
            self.line(&format!("{target} = {v};"));
        }
        for (j, side) in sides.iter().enumerate() {
            let op = if j == 0 { "-=" } else { "+=" };
            for (vn, coef) in self.rows(side, &info) {
                if coef > 1 {
                    self.line(&format!(
                        "*so.rhs({vn}) {op} ({} * (flux_f - flux_b));",
                        lit(coef as f64)
                    ));
                } else {
                    self.line(&format!("*so.rhs({vn}) {op} (flux_f - flux_b);"));
                }
            }
        }
        self.reaction_matrix(&sides, &rates, &info, line, sc);
    }

    /// nocmodl's genmatterms: each state's column of the Jacobian, the rate
    /// times the other factors of its side.
    fn reaction_matrix(
        &mut self,
        sides: &[Vec<Term>; 2],
        rates: &[Option<Expr>; 2],
        info: &KinInfo,
        line: Line,
        sc: &Scope,
    ) {
        let name_expr = |t: &Term| Expr::Name(t.name.clone(), line);
        for (j, side) in sides.iter().enumerate() {
            let rate = match &rates[j] {
                Some(r) => r.clone(),
                None => continue,
            };
            for (ti, t) in side.iter().enumerate() {
                if !self.is_state(&t.name) {
                    continue;
                }
                let mut e = rate.clone();
                if t.coef != 1 {
                    e = e.append(BinOp::Mul, Expr::num(&format!("{}", t.coef)));
                }
                for (ui, u) in side.iter().enumerate() {
                    let n = if ui == ti { u.coef - 1 } else { u.coef };
                    for _ in 0..n {
                        e = e.append(BinOp::Mul, name_expr(u));
                    }
                }
                let v = self.expr(&e, sc);
                self.line(&format!("term_ = {v};"));
                let Some(col) = info.states.iter().position(|s| *s == t.name) else {
                    continue;
                };
                for (j1, side1) in sides.iter().enumerate() {
                    let op = if j == j1 { "+=" } else { "-=" };
                    for (row, coef) in self.rows(side1, info) {
                        if coef != 1 {
                            self.line(&format!(
                                "*so.mat({row}, {col}) {op} ({} * term_);",
                                lit(coef as f64)
                            ));
                        } else {
                            self.line(&format!("*so.mat({row}, {col}) {op} term_;"));
                        }
                    }
                }
            }
        }
    }

    /// The states of a reaction side that have an equation row (not a
    /// conserved diagonal): (row, stoichiometric coefficient).
    fn rows(&self, side: &[Term], info: &KinInfo) -> Vec<(usize, u32)> {
        side.iter()
            .filter(|t| self.is_state(&t.name))
            .filter_map(|t| {
                let row = info.states.iter().position(|s| *s == t.name)?;
                (row >= info.ncons).then_some((row, t.coef))
            })
            .collect()
    }

    /// `KinSys_<b>`: a KINETIC block's system, for the runtime's sparse solver.
    pub(super) fn emit_kinetic_systems(&mut self) {
        let mut names: Vec<String> = self.kinetics.keys().cloned().collect();
        names.sort();
        for n in names {
            let k = self.kinetics[&n].states.len();
            let _ = write!(
                self.out,
                "struct KinSys_{n}<'c, 'p, 'a> {{\n    c: &'c mut Ctx<'p, 'a>,\n}}\n\n\
                 impl rt::KineticSys for KinSys_{n}<'_, '_, '_> {{\n\
                 \x20   fn n(&self) -> usize {{\n        {k}\n    }}\n\
                 \x20   fn s(&self, i: usize) -> f64 {{\n        self.c.kst_{n}(i)\n    }}\n\
                 \x20   fn set_s(&mut self, i: usize, v: f64) {{\n        self.c.set_kst_{n}(i, v)\n    }}\n\
                 \x20   fn dt(&self) -> f64 {{\n        self.c.dt\n    }}\n\
                 \x20   fn fun(&mut self, so: &mut rt::SparseObj, dold: &[f64]) {{\n        self.c.kin_{n}(so, dold)\n    }}\n}}\n\n"
            );
        }
    }
    /// A flux: `~ x << (rate)` adds the influx to the state's equation, `~ x ->
    /// (rate)` is a one-way reaction.
    pub(super) fn flux_stmt(
        &mut self,
        term: &Term,
        into: bool,
        rate: &Expr,
        line: Line,
        sc: &mut Scope,
    ) {
        if sc.ctx != Ctx::Kinetic {
            self.err(line, "a flux outside a KINETIC block");
            return;
        }
        if into {
            let info = self.kinetics[sc.block.as_ref().unwrap()].clone();
            let Some(vn) = info.states.iter().position(|s| *s == term.name) else {
                return;
            };
            let r = self.expr(rate, sc);
            self.line("flux_f = 0.;");
            self.line("flux_b = 0.;");
            self.line(&format!("flux_b = {r};"));
            self.line(&format!("*so.rhs({vn}) += flux_b;"));
        } else {
            self.reaction(std::slice::from_ref(term), &[], rate, None, line, sc);
        }
    }

    /// CONSERVE: the row of a conserved state becomes the conservation equation.
    pub(super) fn conserve_stmt(&mut self, s: &Stmt, terms: &[Term], total: &Expr, sc: &Scope) {
        let line = s.line;
        if sc.ctx != Ctx::Kinetic {
            self.err(line, "CONSERVE outside a KINETIC block");
            return;
        }
        let info = self.kinetics[sc.block.as_ref().unwrap()].clone();
        // Which conservation equation this is: nocmodl numbers them from the
        // last CONSERVE of the block.
        let kb = self
            .m
            .module
            .kinetics
            .iter()
            .find(|k| Some(&k.name) == sc.block.as_ref())
            .unwrap();
        let all = kb.body.all_stmts();
        let cons: Vec<&&Stmt> = all
            .iter()
            .filter(|s| matches!(s.kind, StmtKind::Conserve { .. }))
            .collect();
        let pos = cons.iter().position(|c| std::ptr::eq(**c, s)).unwrap_or(0);
        let eq = cons.len() - 1 - pos;
        let tot = self.expr(total, sc);
        self.line(&format!("*so.rhs({eq}) = {tot};"));
        for t in terms.iter().rev() {
            let Some(vn) = info.states.iter().position(|x| *x == t.name) else {
                continue;
            };
            self.line(&format!("*so.mat({eq}, {vn}) = {};", lit(t.coef as f64)));
            let v = self.name_ref(&t.name, line, sc);
            if t.coef != 1 {
                self.line(&format!("*so.rhs({eq}) -= ({v} * {});", lit(t.coef as f64)));
            } else {
                self.line(&format!("*so.rhs({eq}) -= {v};"));
            }
        }
    }
}
