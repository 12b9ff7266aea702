//! Expressions and names: what each name reads or writes in the context
//! (local, field, global, scratch, constant, `v`, `t`, …), arithmetic with each
//! operation in parentheses (the mod file's order of evaluation), conditions as
//! Rust booleans.

use super::{ident, Ctx, Gen, Scope};
use crate::ast::*;
use crate::model::{lit, Var};

impl Gen<'_> {
    /// What reading `n` is in the context.
    pub(super) fn name_ref(&mut self, n: &str, line: Line, sc: &Scope) -> String {
        if sc.is_local(n) {
            return format!("l_{n}");
        }
        if sc.func.as_deref() == Some(n) {
            return "ret_".into();
        }
        if let Some(i) = sc.netargs.iter().position(|a| a == n) {
            return format!("w[{i}]");
        }
        if n == "flag" && sc.ctx == Ctx::NetReceive {
            return "flag".into();
        }
        match self.m.vars.get(n) {
            Some(Var::Field(_)) => format!("self.f[F_{}]", ident(n)),
            Some(Var::Global(_)) => format!("self.g[G_{}]", ident(n)),
            Some(Var::Scratch(_)) => format!("self.s[S_{}]", ident(n)),
            Some(Var::Const(v)) => {
                if self.m.consts.iter().any(|(c, _)| c == n) {
                    format!("C_{}", ident(n))
                } else {
                    v.clone()
                }
            }
            Some(Var::Pointer) => format!("rt::unset_pointer(NAME, {n:?})"),
            Some(Var::Special(s)) => match *s {
                "v" => "self.v".into(),
                "t" => "self.t".into(),
                "dt" => "self.dt".into(),
                "celsius" => "self.celsius".into(),
                "secondorder" => "(self.secondorder as f64)".into(),
                "area" => "self.p.area(self.k)".into(),
                _ => unreachable!(),
            },
            None => {
                if n == "flag" {
                    self.err(line, "`flag` is only defined in NET_RECEIVE");
                } else if self.m.funcs.contains_key(n) {
                    self.err(
                        line,
                        format!("`{n}` is a FUNCTION/PROCEDURE; call it with arguments"),
                    );
                } else {
                    self.err(line, format!("`{n}` is not declared"));
                }
                "0.0".into()
            }
        }
    }

    /// What assigning `n` is (assigned globals are noted for `finish`).
    pub(super) fn assign_ref(&mut self, n: &str, line: Line, sc: &Scope) -> String {
        if sc.is_local(n) || sc.func.as_deref() == Some(n) || sc.netargs.iter().any(|a| a == n) {
            return self.name_ref(n, line, sc);
        }
        if n == "flag" && sc.ctx == Ctx::NetReceive {
            // nocmodl's `_lflag` is a local copy: assigning it changes only
            // what the rest of this NET_RECEIVE call sees.
            return "flag".into();
        }
        match self.m.vars.get(n) {
            Some(Var::Global(i)) => {
                self.assigned_globals.insert(*i);
                self.name_ref(n, line, sc)
            }
            Some(Var::Const(_)) => {
                self.err(line, format!("cannot assign to the constant `{n}`"));
                "let _".into()
            }
            // NEURON's `v` in a mechanism is the instance's copy of the node's
            // voltage, loaded before each block runs (Allen's Ca_LVA.mod shifts it
            // in a PROCEDURE and back); the node's voltage is not changed.
            Some(Var::Special("v")) => "self.v".into(),
            Some(Var::Pointer) => format!("*rt::unset_pointer_mut(NAME, {n:?})"),
            Some(Var::Special(s)) => {
                self.err(line, format!("cannot assign to `{s}`"));
                "let _".into()
            }
            _ => self.name_ref(n, line, sc),
        }
    }

    /// An expression as Rust text (each operation in parentheses, so the order of
    /// evaluation is the mod file's).
    pub(super) fn expr(&mut self, e: &Expr, sc: &Scope) -> String {
        match e {
            Expr::Num(t) => match t.parse::<f64>() {
                Ok(x) => lit(x),
                Err(_) => {
                    self.err(0, format!("bad number `{t}`"));
                    "0.0".into()
                }
            },
            Expr::Name(n, line) => self.name_ref(n, *line, sc),
            Expr::Str(_) => {
                self.err(0, "a string is only allowed as a printf argument");
                "0.0".into()
            }
            Expr::Paren(x) => {
                let s = self.expr(x, sc);
                format!("({s})")
            }
            Expr::Unary(UnOp::Neg, x) => {
                let s = self.expr(x, sc);
                format!("(-{s})")
            }
            Expr::Unary(UnOp::Not, _) => {
                let c = self.cond(e, sc);
                format!("rt::b({c})")
            }
            Expr::Binary(op, a, b) => {
                if op.is_logical() {
                    let c = self.cond(e, sc);
                    return format!("rt::b({c})");
                }
                let (x, y) = (self.expr(a, sc), self.expr(b, sc));
                match op {
                    BinOp::Add => format!("({x} + {y})"),
                    BinOp::Sub => format!("({x} - {y})"),
                    BinOp::Mul => format!("({x} * {y})"),
                    BinOp::Div => format!("({x} / {y})"),
                    BinOp::Pow => format!("rt::pow({x}, {y})"),
                    _ => unreachable!(),
                }
            }
            Expr::Call(f, args, line) => self.call_expr(f, args, *line, sc),
        }
    }

    /// A condition as a Rust `bool` (a number is true when not 0).
    pub(super) fn cond(&mut self, e: &Expr, sc: &Scope) -> String {
        match e {
            Expr::Paren(x) => self.cond(x, sc),
            Expr::Unary(UnOp::Not, x) => {
                let c = self.cond(x, sc);
                format!("(!{c})")
            }
            Expr::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
                let (x, y) = (self.cond(a, sc), self.cond(b, sc));
                let o = if *op == BinOp::And { "&&" } else { "||" };
                format!("({x} {o} {y})")
            }
            Expr::Binary(op, a, b) if op.is_logical() => {
                let (x, y) = (self.expr(a, sc), self.expr(b, sc));
                let o = match op {
                    BinOp::Lt => "<",
                    BinOp::Gt => ">",
                    BinOp::Le => "<=",
                    BinOp::Ge => ">=",
                    BinOp::Eq => "==",
                    BinOp::Ne => "!=",
                    _ => unreachable!(),
                };
                format!("({x} {o} {y})")
            }
            _ => {
                let x = self.expr(e, sc);
                format!("({x} != 0.0)")
            }
        }
    }
}
