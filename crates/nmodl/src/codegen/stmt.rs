//! Statements: blocks with their LOCALs, assignments, `if`/`while`, VERBATIM
//! `return;`, `printf` and calls; the statements of one kind of block are
//! translated by that block's file.

use super::{collect_stmts, Ctx, Gen, Scope, Solve};
use crate::ast::*;
use crate::diffeq;
use crate::model::lit;
use std::collections::HashSet;

impl Gen<'_> {
    pub(super) fn block_body(&mut self, b: &Block, sc: &mut Scope) {
        sc.locals.push(HashSet::new());
        for (l, line) in &b.locals {
            if sc.netargs.contains(l) {
                self.err(*line, format!("LOCAL `{l}` shadows a NET_RECEIVE argument"));
            }
            self.line(&format!("let mut l_{l}: f64 = 0.0;"));
            sc.locals.last_mut().unwrap().insert(l.clone());
        }
        for s in &b.stmts {
            self.stmt(s, sc);
        }
        sc.locals.pop();
    }

    fn stmt(&mut self, s: &Stmt, sc: &mut Scope) {
        let line = s.line;
        match &s.kind {
            StmtKind::Assign(n, e) => {
                let rhs = self.expr(e, sc);
                let lhs = self.assign_ref(n, line, sc);
                self.line(&format!("{lhs} = {rhs};"));
            }
            StmtKind::Deriv(x, e) => match sc.ctx {
                Ctx::Cnexp => {
                    if !self.is_state(x) {
                        self.err(line, format!("`{x}` is not a STATE"));
                        return;
                    }
                    let l = diffeq::linearize(e, x).expect("checked");
                    let upd = diffeq::cnexp_update(
                        &l,
                        Expr::Name(x.clone(), line),
                        Expr::Name("dt".into(), line),
                    );
                    let rhs = self.expr(&upd, sc);
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
            },
            StmtKind::Call(e) => self.call_stmt(e, line, sc),
            StmtKind::If(c, t, e) => {
                let c = self.cond(c, sc);
                self.line(&format!("if {c} {{"));
                self.indent += 1;
                self.block_body(t, sc);
                self.indent -= 1;
                match e {
                    Some(e) => {
                        self.line("} else {");
                        self.indent += 1;
                        self.block_body(e, sc);
                        self.indent -= 1;
                        self.line("}");
                    }
                    None => self.line("}"),
                }
            }
            StmtKind::While(c, b) => {
                let c = self.cond(c, sc);
                self.line(&format!("while {c} {{"));
                self.indent += 1;
                self.block_body(b, sc);
                self.indent -= 1;
                self.line("}");
            }
            StmtKind::Block(b) => {
                self.line("{");
                self.indent += 1;
                self.block_body(b, sc);
                self.indent -= 1;
                self.line("}");
            }
            StmtKind::Solve {
                name,
                method,
                steadystate,
            } => match sc.ctx {
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
                Ctx::Initial if *steadystate => {
                    let method = method.clone().unwrap_or_default();
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
                    "SOLVE is only allowed in BREAKPOINT (and STEADYSTATE in INITIAL)",
                ),
            },
            StmtKind::Table { .. } => {
                if !matches!(sc.ctx, Ctx::Function | Ctx::Procedure) {
                    self.err(line, "TABLE valid only for FUNCTION or PROCEDURE");
                }
            }
            StmtKind::Verbatim(text) => {
                let t = text.trim();
                if t.is_empty() {
                } else if t == "return;" {
                    match sc.ctx {
                        Ctx::NetReceive | Ctx::NetInitial | Ctx::Initial => self.line("return;"),
                        Ctx::Procedure => self.line("return 0.0;"),
                        Ctx::Function => self.line("return ret_;"),
                        _ => self.err(line, "VERBATIM `return;` is only supported in NET_RECEIVE, INITIAL, PROCEDURE and FUNCTION"),
                    }
                } else {
                    self.err(line, crate::verbatim_message(t));
                }
            }
            StmtKind::Reaction { lhs, rhs, kf, kb } => {
                if sc.ctx != Ctx::Kinetic {
                    self.err(line, "a reaction outside a KINETIC block");
                    return;
                }
                self.reaction(lhs, rhs, kf, Some(kb), line, sc);
            }
            StmtKind::Flux { term, into, rate } => {
                if sc.ctx != Ctx::Kinetic {
                    self.err(line, "a flux outside a KINETIC block");
                    return;
                }
                if *into {
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
            StmtKind::Conserve { terms, total } => {
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
                let mut all = Vec::new();
                collect_stmts(&kb.body, &mut all);
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
            StmtKind::NetInitial(_) => {
                self.err(line, "INITIAL inside a block other than NET_RECEIVE")
            }
            StmtKind::Nothing => {}
            StmtKind::Unsupported(what) => {
                self.err(line, format!("{what} is not supported by synaptune nmodl"))
            }
        }
    }

    fn call_stmt(&mut self, e: &Expr, line: Line, sc: &mut Scope) {
        let (name, args) = match e {
            Expr::Call(n, a, _) => (n.as_str(), a),
            _ => unreachable!(),
        };
        match name {
            "net_send" => {
                if !matches!(sc.ctx, Ctx::NetReceive | Ctx::Initial | Ctx::NetInitial) {
                    self.err(line, "net_send is only allowed in NET_RECEIVE and INITIAL");
                    return;
                }
                if self.m.kind == MechKind::Density {
                    self.err(line, "net_send in a SUFFIX mechanism");
                    return;
                }
                if args.len() != 2 {
                    self.err(line, "net_send takes two arguments (delay, flag)");
                    return;
                }
                // nocmodl writes the delivery time as the text `t + <delay>`.
                let te = args[0]
                    .clone()
                    .prepend(BinOp::Add, Expr::Name("t".into(), line));
                let te = self.expr(&te, sc);
                let fl = self.expr(&args[1], sc);
                self.line(&format!(
                    "{{ let te = {te}; let fl = {fl}; self.p.net_send(self.k, te, fl); }}"
                ));
            }
            "net_event" => {
                if !matches!(sc.ctx, Ctx::NetReceive | Ctx::Initial | Ctx::NetInitial) {
                    self.err(line, "net_event is only allowed in NET_RECEIVE");
                    return;
                }
                if args.len() != 1 {
                    self.err(line, "net_event takes one argument (the time)");
                    return;
                }
                let te = self.expr(&args[0], sc);
                self.line(&format!(
                    "{{ let te = {te}; self.p.net_event(self.k, te); }}"
                ));
            }
            "printf" => {
                let mut it = args.iter();
                let fmt = match it.next() {
                    Some(Expr::Str(s)) => s.clone(),
                    _ => {
                        self.err(line, "printf needs a format string");
                        return;
                    }
                };
                let mut parts = Vec::new();
                for a in it {
                    match a {
                        Expr::Str(s) => parts.push(format!("rt::Arg::Str({s:?})")),
                        a => {
                            let v = self.expr(a, sc);
                            parts.push(format!("rt::Arg::Num({v})"));
                        }
                    }
                }
                self.line(&format!("rt::printf({fmt:?}, &[{}]);", parts.join(", ")));
            }
            _ => {
                let v = self.expr(e, sc);
                self.line(&format!("let _ = {v};"));
            }
        }
    }
}
