//! nocmodl's symbolic differentiation for `METHOD cnexp` (its `diffeq.ypp`).
//!
//! For `x' = f` it computes, as expression trees shaped exactly like the text
//! nocmodl builds (so that C and Rust evaluate the same operations in the same
//! order):
//!
//! * `de` — ∂f/∂x,
//! * `a`, `b` — f written as `a·x + b` when f is linear in x.
//!
//! "Zero" is nocmodl's textual `0.0` (`None` here): zero terms are dropped from
//! sums and products, which is exact in IEEE arithmetic. The cnexp update is then
//! `x = x + (1. - exp(dt*(de)))*(- ( b ) / ( a ) - x)`; when `de` is zero,
//! `x = x - dt*(- ( b ) )`.

use crate::ast::{BinOp, Expr, UnOp};

/// The four strings of nocmodl's grammar for one sub-expression.
#[derive(Debug, Clone)]
struct D {
    expr: Expr,
    de: Option<Expr>,
    a: Option<Expr>,
    b: Option<Expr>,
}

/// The result for one equation.
#[derive(Debug, Clone)]
pub struct Linearized {
    /// ∂f/∂x (`None`: zero).
    pub de: Option<Expr>,
    /// Coefficient of x (`None`: zero).
    pub a: Option<Expr>,
    /// The part without x (`None`: zero).
    pub b: Option<Expr>,
    /// f is not linear in x (nocmodl's `eq_invalid`).
    pub eq_invalid: bool,
}

struct Ctx<'a> {
    state: &'a str,
    d_invalid: bool,
    eq_invalid: bool,
}

fn one() -> Expr {
    Expr::num("1.0")
}

fn p(e: Expr) -> Expr {
    Expr::paren(e)
}

impl Ctx<'_> {
    fn go(&mut self, e: &Expr) -> D {
        match e {
            Expr::Num(t) => D {
                expr: e.clone(),
                de: None,
                a: None,
                b: if t == "0.0" { None } else { Some(e.clone()) },
            },
            Expr::Name(n, _) if n == self.state => D {
                expr: e.clone(),
                de: Some(one()),
                a: Some(one()),
                b: None,
            },
            Expr::Name(..) | Expr::Str(_) => D {
                expr: e.clone(),
                de: None,
                a: None,
                b: Some(e.clone()),
            },
            Expr::Call(_, args, _) => {
                for a in args {
                    let d = self.go(a);
                    if d.de.is_some() {
                        self.d_invalid = true;
                        self.eq_invalid = true;
                    }
                }
                D {
                    expr: e.clone(),
                    de: None,
                    a: None,
                    b: Some(e.clone()),
                }
            }
            Expr::Paren(x) => {
                let d = self.go(x);
                D {
                    expr: e.clone(),
                    de: d.de.map(p),
                    a: d.a.map(p),
                    b: d.b.map(p),
                }
            }
            Expr::Unary(UnOp::Neg, x) => {
                let d = self.go(x);
                D {
                    expr: e.clone(),
                    de: d.de.map(Expr::negate),
                    a: d.a.map(Expr::negate),
                    b: d.b.map(Expr::negate),
                }
            }
            Expr::Binary(op @ (BinOp::Add | BinOp::Sub), l, r) => {
                let (l, r) = (self.go(l), self.go(r));
                let comb = |x: Option<Expr>, y: Option<Expr>| -> Option<Expr> {
                    match (x, y) {
                        (Some(x), Some(y)) => Some(Expr::bin(*op, x, y)),
                        (Some(x), None) => Some(x),
                        (None, Some(y)) => Some(if *op == BinOp::Sub {
                            p(Expr::negate(y))
                        } else {
                            y
                        }),
                        (None, None) => None,
                    }
                };
                D {
                    expr: e.clone(),
                    de: comb(l.de, r.de),
                    a: comb(l.a, r.a),
                    b: comb(l.b, r.b),
                }
            }
            Expr::Binary(BinOp::Mul, le, re) => self.mul(e, le, re),
            Expr::Binary(BinOp::Div, le, re) => self.div(e, le, re),
            Expr::Binary(..) | Expr::Unary(UnOp::Not, _) => {
                // nocmodl's diffeq grammar has no comparisons, logic or `^`: it
                // cannot translate such an equation under cnexp.
                self.d_invalid = true;
                self.eq_invalid = true;
                D {
                    expr: e.clone(),
                    de: None,
                    a: None,
                    b: Some(e.clone()),
                }
            }
        }
    }

    /// A product: the product rule for ∂f/∂x; linear only when one factor is
    /// free of x.
    fn mul(&mut self, e: &Expr, le: &Expr, re: &Expr) -> D {
        let (l, r) = (self.go(le), self.go(re));
        let de = match (&l.de, &r.de) {
            (Some(d1), Some(d3)) => Some(p(Expr::bin(
                BinOp::Add,
                Expr::bin(BinOp::Mul, p(d1.clone()), p(r.expr.clone())),
                Expr::bin(BinOp::Mul, p(l.expr.clone()), p(d3.clone())),
            ))),
            (Some(d1), None) => Some(Expr::bin(BinOp::Mul, p(d1.clone()), p(r.expr.clone()))),
            (None, Some(d3)) => Some(Expr::bin(BinOp::Mul, p(l.expr.clone()), p(d3.clone()))),
            (None, None) => None,
        };
        let a = match (&l.a, &r.a) {
            (Some(_), Some(_)) => {
                self.eq_invalid = true;
                None
            }
            (Some(a1), None) => {
                r.b.as_ref()
                    .map(|b3| Expr::bin(BinOp::Mul, p(a1.clone()), p(b3.clone())))
            }
            (None, Some(a3)) => {
                l.b.as_ref()
                    .map(|b1| Expr::bin(BinOp::Mul, p(b1.clone()), p(a3.clone())))
            }
            (None, None) => None,
        };
        let b = match (&l.b, &r.b) {
            (Some(b1), Some(b3)) => Some(Expr::bin(BinOp::Mul, p(b1.clone()), p(b3.clone()))),
            _ => None,
        };
        D {
            expr: e.clone(),
            de,
            a,
            b,
        }
    }

    /// A quotient: linear only when the denominator is free of x.
    fn div(&mut self, e: &Expr, le: &Expr, re: &Expr) -> D {
        let (l, r) = (self.go(le), self.go(re));
        let de = if r.de.is_some() {
            self.d_invalid = true;
            None
        } else {
            l.de.map(|d1| Expr::bin(BinOp::Div, p(d1), r.expr.clone()))
        };
        let a = if r.a.is_some() {
            self.eq_invalid = true;
            None
        } else {
            l.a.map(|a1| Expr::bin(BinOp::Div, p(a1), r.expr.clone()))
        };
        let b = l.b.map(|b1| Expr::bin(BinOp::Div, p(b1), r.expr.clone()));
        D {
            expr: e.clone(),
            de,
            a,
            b,
        }
    }
}

/// Linearize `x' = f` with respect to `state`; `None` when nocmodl could not
/// (the state in a denominator or a function argument, or an operator its
/// grammar lacks): cnexp then falls back to derivimplicit.
pub fn linearize(f: &Expr, state: &str) -> Option<Linearized> {
    let mut c = Ctx {
        state,
        d_invalid: false,
        eq_invalid: false,
    };
    let d = c.go(f);
    if c.d_invalid {
        return None;
    }
    Some(Linearized {
        de: d.de,
        a: d.a,
        b: d.b,
        eq_invalid: c.eq_invalid,
    })
}

/// The cnexp update of `x` as nocmodl writes it (an expression for the new x).
pub fn cnexp_update(l: &Linearized, x: Expr, dt: Expr) -> Expr {
    let zero = || Expr::num("0.0");
    match &l.de {
        None => {
            // x = x - dt*(- ( b ) )
            Expr::bin(
                BinOp::Sub,
                x,
                Expr::bin(
                    BinOp::Mul,
                    dt,
                    p(Expr::negate(p(l.b.clone().unwrap_or_else(zero)))),
                ),
            )
        }
        Some(de) => {
            let factor = cnexp_factor(de, dt);
            let target = if l.eq_invalid {
                // nocmodl prints an empty string for b: `( - x)`
                p(Expr::negate(x.clone()))
            } else {
                p(Expr::bin(BinOp::Sub, bterm(l), x.clone()))
            };
            Expr::bin(BinOp::Add, x, Expr::bin(BinOp::Mul, factor, target))
        }
    }
}

/// `(1. - exp(dt*(de)))`, the cnexp update's factor.
fn cnexp_factor(de: &Expr, dt: Expr) -> Expr {
    p(Expr::bin(
        BinOp::Sub,
        one_dot(),
        Expr::Call(
            "exp".into(),
            vec![Expr::bin(BinOp::Mul, dt, p(de.clone()))],
            0,
        ),
    ))
}

/// The cnexp update's factor and the value the state relaxes to,
/// `-(b)/(a)`, when [`cnexp_update`] is `x + factor*(target - x)` with them
/// (the state's equation is linear in it and valid): the generated code then
/// calls the runtime's `cnexp(x, factor, target)`, which performs those
/// operations, or returns `x` where they provably give `x` (a subnormal `x`
/// relaxing to zero whose product with the factor rounds to zero) without
/// the multiplication's microcode assist.
pub fn cnexp_parts(l: &Linearized, dt: Expr) -> Option<(Expr, Expr)> {
    let de = l.de.as_ref()?;
    if l.eq_invalid {
        return None;
    }
    Some((cnexp_factor(de, dt), p(bterm(l))))
}

/// `- ( b ) / ( a )`, the value the state relaxes to.
fn bterm(l: &Linearized) -> Expr {
    let zero = || Expr::num("0.0");
    Expr::bin(
        BinOp::Div,
        Expr::negate(p(l.b.clone().unwrap_or_else(zero))),
        p(l.a.clone().unwrap_or_else(zero)),
    )
}

fn one_dot() -> Expr {
    Expr::num("1.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;
    use crate::parser::parse;

    fn rhs(s: &str) -> Expr {
        let m = parse(
            lex(&format!("DERIVATIVE d {{ x' = {s} }}"), "t").unwrap(),
            "t",
        )
        .unwrap();
        match &m.derivatives[0].body.stmts[0].kind {
            crate::ast::StmtKind::Deriv(_, e) => e.clone(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn decay_matches_exp2syn() {
        let l = linearize(&rhs("-x/tau1"), "x").unwrap();
        // de = ( - 1.0 ) / tau1, b = 0.0
        assert_eq!(
            l.de.unwrap(),
            Expr::bin(
                BinOp::Div,
                p(Expr::negate(one())),
                Expr::Name("tau1".into(), 1)
            )
        );
        assert!(l.b.is_none());
    }

    #[test]
    fn relaxation_and_invalid_cases() {
        let l = linearize(&rhs("(minf - x)/mtau"), "x").unwrap();
        // b = ( ( minf ) ) / mtau
        assert_eq!(
            l.b.unwrap(),
            Expr::bin(
                BinOp::Div,
                p(p(Expr::Name("minf".into(), 1))),
                Expr::Name("mtau".into(), 1)
            )
        );
        assert!(linearize(&rhs("1/x"), "x").is_none());
        assert!(linearize(&rhs("f(x)"), "x").is_none());
        let l = linearize(&rhs("-x*x"), "x").unwrap();
        assert!(l.eq_invalid);
        let l = linearize(&rhs("5 + k*2"), "x").unwrap();
        assert!(l.de.is_none());
    }
}
