//! Statements: blocks with their LOCALs, assignments, `if`/`while`, VERBATIM
//! `return;`, `printf` and calls; the statements of one kind of block are
//! translated by that block's file.

use super::{Ctx, Gen, Scope};
use crate::ast::*;
use std::collections::HashSet;

impl Gen<'_> {
    /// A block's LOCALs and statements.
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

    /// `open` (a line ending in `{`), the block one level deeper, then `}`.
    pub(super) fn braced(&mut self, open: &str, b: &Block, sc: &mut Scope) {
        self.line(open);
        self.indent += 1;
        self.block_body(b, sc);
        self.indent -= 1;
        self.line("}");
    }

    /// One statement.
    fn stmt(&mut self, s: &Stmt, sc: &mut Scope) {
        let line = s.line;
        match &s.kind {
            StmtKind::Assign(n, e) => {
                let rhs = self.expr(e, sc);
                let lhs = self.assign_ref(n, line, sc);
                self.line(&format!("{lhs} = {rhs};"));
            }
            StmtKind::Deriv(x, e) => self.deriv_stmt(x, e, line, sc),
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
                self.braced(&format!("while {c} {{"), b, sc);
            }
            StmtKind::Block(b) => self.braced("{", b, sc),
            StmtKind::Solve {
                name,
                method,
                steadystate,
            } => self.solve_stmt(name, method.as_deref(), *steadystate, line, sc),
            StmtKind::Table { .. } => {
                if !matches!(sc.ctx, Ctx::Function | Ctx::Procedure) {
                    self.err(line, "TABLE valid only for FUNCTION or PROCEDURE");
                }
            }
            StmtKind::Verbatim(text) => self.verbatim_stmt(text, line, sc),
            StmtKind::Reaction { lhs, rhs, kf, kb } => {
                if sc.ctx != Ctx::Kinetic {
                    self.err(line, "a reaction outside a KINETIC block");
                    return;
                }
                self.reaction(lhs, rhs, kf, Some(kb), line, sc);
            }
            StmtKind::LinEq(l, r) => self.lin_eq(l, r, line, sc),
            StmtKind::Flux { term, into, rate } => self.flux_stmt(term, *into, rate, line, sc),
            StmtKind::Conserve { terms, total } => self.conserve_stmt(s, terms, total, sc),
            StmtKind::NetInitial(_) => {
                self.err(line, "INITIAL inside a block other than NET_RECEIVE")
            }
            StmtKind::Nothing => {}
            StmtKind::Unsupported(what) => {
                self.err(line, format!("{what} is not supported by synaptune nmodl"))
            }
        }
    }

    /// VERBATIM: includes and comments are nothing; `return;` and (in a
    /// PROCEDURE or FUNCTION, whose C returns a number) `return 0;` are
    /// translated.
    fn verbatim_stmt(&mut self, text: &str, line: Line, sc: &Scope) {
        use crate::Harmless;
        match (crate::harmless_verbatim(text), sc.ctx) {
            (Some(Harmless::Nothing), _) => {}
            (Some(Harmless::Return), Ctx::NetReceive | Ctx::NetInitial | Ctx::Initial) => {
                self.line("return;")
            }
            (Some(Harmless::Return | Harmless::ReturnZero), Ctx::Procedure) => {
                self.line("return 0.0;")
            }
            (Some(Harmless::Return), Ctx::Function) => self.line("return ret_;"),
            (Some(Harmless::ReturnZero), Ctx::Function) => self.line("return 0.0;"),
            (Some(_), _) => self.err(line, "VERBATIM `return;` is only supported in NET_RECEIVE, INITIAL, PROCEDURE and FUNCTION, and `return 0;` in PROCEDURE and FUNCTION"),
            (None, _) => match crate::ion_rereads(text) {
                Some(names) => self.ion_reread(&names, line),
                None => self.err(line, crate::verbatim_message(text.trim())),
            },
        }
    }

    /// VERBATIM `x = _ion_x;`: the ion's current value of `x` copied into it
    /// again (what `load_ions` does for that variable).
    fn ion_reread(&mut self, names: &[String], line: Line) {
        for n in names {
            let found = self.m.ions.iter().enumerate().find_map(|(slot, ion)| {
                ion.loads
                    .iter()
                    .find(|(x, _)| x == n)
                    .map(|(_, iv)| (slot, *iv))
            });
            match found {
                Some((slot, iv)) => {
                    let q = super::emit::quantity(iv);
                    self.line(&format!(
                        "self.f[F_{}] = self.p.ion_{q}({slot}, self.k);",
                        super::ident(n)
                    ));
                }
                None => self.err(
                    line,
                    format!("VERBATIM `{n} = _ion_{n};`: `{n}` is not an ion variable this mechanism reads (USEION … READ {n})"),
                ),
            }
        }
    }

    /// `state_discontinuity(x, e)`: in NET_RECEIVE nocmodl rewrites it to
    /// `x = e` (its `netrec_asgn`, an assignment under the fixed step);
    /// elsewhere it depends on NEURON's `state_discon_flag_` and is refused.
    fn state_discontinuity(&mut self, args: &[Expr], line: Line, sc: &Scope) {
        if sc.ctx != Ctx::NetReceive {
            self.err(
                line,
                "the built-in `state_discontinuity` is only supported in NET_RECEIVE (elsewhere NEURON applies it only outside the current's derivative evaluation)",
            );
            return;
        }
        match args {
            [Expr::Name(x, _), e] => {
                let rhs = self.expr(e, sc);
                let lhs = self.assign_ref(x, line, sc);
                self.line(&format!("{lhs} = {rhs};"));
            }
            _ => self.err(
                line,
                "state_discontinuity takes a variable and an expression: state_discontinuity(x, e)",
            ),
        }
    }

    /// A call as a statement: `net_send`, `net_move`, `net_event`, `printf`, or a call whose
    /// value is dropped.
    fn call_stmt(&mut self, e: &Expr, line: Line, sc: &mut Scope) {
        let (name, args) = match e {
            Expr::Call(n, a, _) => (n.as_str(), a),
            _ => unreachable!(),
        };
        match name {
            "net_send" => self.net_send(args, line, sc),
            "net_move" => self.net_move(args, line, sc),
            "state_discontinuity" => self.state_discontinuity(args, line, sc),
            "net_event" => self.net_event(args, line, sc),
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
