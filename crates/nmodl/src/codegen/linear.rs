//! LINEAR blocks, as nocmodl translates them (`simultan.cpp`): each equation
//! `~ lhs = rhs` is split into its terms; a term holding a STATE as a factor
//! adds itself, with the state replaced by `1.0`, to that state's column of
//! the equation's row (subtracted on the left side, added on the right), any
//! other term to the right-hand side (the other way round). Columns are the
//! states in order of first appearance in the block. `SOLVE name` (in INITIAL
//! or a PROCEDURE) builds the matrix and solves it with scopmath's `simeq`
//! (Gaussian elimination with partial pivoting), writing the states.

use super::{ident, Ctx, Gen, Scope};
use crate::ast::*;

/// One term of a side of an equation: its sign and the expression.
struct LinTerm<'e> {
    negative: bool,
    primary: &'e Expr,
}

/// `-x * y …` (unary minus binds tighter than `*`) as `x * y …`: the primary
/// of nocmodl's `'-' primary`.
fn strip_leading_neg(e: &Expr) -> Option<Expr> {
    match e {
        Expr::Unary(UnOp::Neg, x) => Some((**x).clone()),
        Expr::Binary(op @ (BinOp::Mul | BinOp::Div), a, b) => {
            strip_leading_neg(a).map(|a| Expr::bin(*op, a, (**b).clone()))
        }
        _ => None,
    }
}

/// The terms of `e` (nocmodl's `linexpr`: primaries joined by `+` and `-`, the
/// first possibly negated), owned.
fn terms(e: &Expr) -> Vec<(bool, Expr)> {
    let mut t = raw_terms(e);
    if let Some(first) = t.first_mut() {
        if !first.negative {
            if let Some(x) = strip_leading_neg(first.primary) {
                let rest: Vec<(bool, Expr)> = t[1..]
                    .iter()
                    .map(|t| (t.negative, t.primary.clone()))
                    .collect();
                let mut out = vec![(true, x)];
                out.extend(rest);
                return out;
            }
        }
    }
    t.iter().map(|t| (t.negative, t.primary.clone())).collect()
}

/// The additive chain of `e`.
fn raw_terms(e: &Expr) -> Vec<LinTerm<'_>> {
    match e {
        Expr::Binary(BinOp::Add, a, b) => {
            let mut t = raw_terms(a);
            t.push(LinTerm {
                negative: false,
                primary: b,
            });
            t
        }
        Expr::Binary(BinOp::Sub, a, b) => {
            let mut t = raw_terms(a);
            t.push(LinTerm {
                negative: true,
                primary: b,
            });
            t
        }
        Expr::Unary(UnOp::Neg, x) => vec![LinTerm {
            negative: true,
            primary: x,
        }],
        _ => vec![LinTerm {
            negative: false,
            primary: e,
        }],
    }
}

/// The factors of a primary that are states (nocmodl's `primary: term |
/// primary '*' term | primary '/' term`, a state only as a `*` factor).
fn state_factors<'e>(e: &'e Expr, states: &[String], out: &mut Vec<(&'e str, bool)>) {
    match e {
        Expr::Binary(BinOp::Mul, a, b) => {
            state_factors(a, states, out);
            state_factors(b, states, out);
        }
        Expr::Binary(BinOp::Div, a, b) => {
            state_factors(a, states, out);
            let mut d = Vec::new();
            state_factors(b, states, &mut d);
            out.extend(d.into_iter().map(|(n, _)| (n, true)));
        }
        Expr::Name(n, _) if states.iter().any(|s| s == n) => out.push((n, false)),
        _ => {}
    }
}

/// `e` with the state `x` replaced by `1.0` (nocmodl's `lin_state_term`).
fn with_one(e: &Expr, x: &str) -> Expr {
    match e {
        Expr::Name(n, _) if n == x => Expr::num("1.0"),
        Expr::Binary(op, a, b) => Expr::bin(*op, with_one(a, x), with_one(b, x)),
        other => other.clone(),
    }
}

impl Gen<'_> {
    /// The states of LINEAR block `b` in column order (first appearance).
    pub(super) fn linear_columns(&self, b: &Block) -> Vec<String> {
        let states: Vec<String> = self.m.states.iter().map(|(s, _)| s.clone()).collect();
        let mut cols: Vec<String> = Vec::new();
        for s in b.all_stmts() {
            if let StmtKind::LinEq(l, r) = &s.kind {
                for (_, p) in terms(l).iter().chain(terms(r).iter()) {
                    let mut f = Vec::new();
                    state_factors(p, &states, &mut f);
                    for (n, _) in f {
                        if !cols.iter().any(|c| c == n) {
                            cols.push(n.to_string());
                        }
                    }
                }
            }
        }
        cols
    }

    /// `lin_<name>()`: the matrix built and solved with `simeq`, the states
    /// written; returns simeq's error code.
    pub(super) fn emit_linears(&mut self) {
        let m = self.m;
        for lb in &m.module.linears {
            let cols = self.linear_columns(&lb.body);
            let n = cols.len();
            let neq = lb
                .body
                .all_stmts()
                .iter()
                .filter(|s| matches!(s.kind, StmtKind::LinEq(..)))
                .count();
            if n == 0 || neq != n {
                self.err(
                    lb.line,
                    format!(
                        "LINEAR {}: {neq} equations for {n} states (they must be equal and not zero)",
                        lb.name
                    ),
                );
            }
            self.line(&format!("fn lin_{}(&mut self) -> i32 {{", lb.name));
            self.indent += 1;
            self.line(&format!(
                "let mut coef = vec![vec![0.0f64; {}]; {n}];",
                n + 1
            ));
            self.line("let mut counte: usize = usize::MAX;");
            let mut sc = Scope::in_block(Ctx::Linear, &lb.name);
            self.braced("{", &lb.body, &mut sc);
            self.line(&format!("let mut soln = [0.0f64; {n}];"));
            self.line(&format!("let err = rt::simeq({n}, &mut coef, &mut soln);"));
            self.line("if err == 0 {");
            for (k, c) in cols.iter().enumerate() {
                self.line(&format!("    self.f[F_{}] = soln[{k}];", ident(c)));
            }
            self.line("}");
            self.line("err");
            self.indent -= 1;
            self.line("}");
        }
    }

    /// `~ lhs = rhs` in a LINEAR block: the next row, its terms added in order.
    pub(super) fn lin_eq(&mut self, l: &Expr, r: &Expr, line: Line, sc: &Scope) {
        let Some(block) = sc.block.clone().filter(|_| sc.ctx == Ctx::Linear) else {
            self.err(line, "a linear equation `~ … = …` outside a LINEAR block");
            return;
        };
        let lb = self.m.module.linears.iter().find(|b| b.name == block);
        let cols = lb.map(|b| self.linear_columns(&b.body)).unwrap_or_default();
        let n = cols.len();
        self.line("counte = counte.wrapping_add(1);");
        let states: Vec<String> = self.m.states.iter().map(|(s, _)| s.clone()).collect();
        for (side, e) in [(-1i32, l), (1, r)] {
            for (negative, primary) in terms(e) {
                let mut f = Vec::new();
                state_factors(&primary, &states, &mut f);
                let mut sign = if negative { -side } else { side };
                let target = match f.as_slice() {
                    [] => {
                        sign = -sign;
                        format!("coef[counte][{n}]")
                    }
                    [(x, false)] => {
                        let k = cols.iter().position(|c| c == x).unwrap_or(0);
                        format!("coef[counte][{k}]")
                    }
                    [(x, true)] => {
                        self.err(
                            line,
                            format!("state `{x}` in a denominator of a linear equation"),
                        );
                        return;
                    }
                    _ => {
                        self.err(line, "more than one state in a term of a linear equation");
                        return;
                    }
                };
                let e = match f.first() {
                    Some((x, _)) => with_one(&primary, x),
                    None => primary.clone(),
                };
                let v = self.expr(&e, sc);
                let op = if sign < 0 { "-=" } else { "+=" };
                self.line(&format!("{target} {op} {v};"));
            }
        }
    }

    /// `SOLVE name` of a LINEAR block (in INITIAL or a PROCEDURE): nocmodl's
    /// `name(); error = simeq(…)`, NEURON stopping on a singular matrix.
    pub(super) fn solve_linear(&mut self, name: &str) {
        self.line(&format!(
            "{{ let e = self.lin_{name}(); if e != 0 {{ rt::scop_fail(NAME, {name:?}, e); }} }}"
        ));
    }
}
