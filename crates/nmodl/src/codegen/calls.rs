//! Calls in expressions: FUNCTIONs and PROCEDUREs of the file, and the math
//! built-ins (`exp` as NEURON's `hoc_Exp`, `pow`, `fmod`, `nrn_ghk`, …); the
//! built-ins synaptune does not translate are errors.

use super::{Gen, Scope};
use crate::ast::*;

impl Gen<'_> {
    pub(super) fn call_expr(&mut self, f: &str, args: &[Expr], line: Line, sc: &Scope) -> String {
        if let Some(fi) = self.m.funcs.get(f).cloned() {
            if fi.nargs != args.len() {
                self.err(
                    line,
                    format!("`{f}` takes {} argument(s), {} given", fi.nargs, args.len()),
                );
                return "0.0".into();
            }
            let a: Vec<String> = args.iter().map(|a| self.expr(a, sc)).collect();
            return format!("self.u_{f}({})", a.join(", "));
        }
        let a: Vec<String> = args.iter().map(|a| self.expr(a, sc)).collect();
        let want = |g: &mut Self, n: usize| -> bool {
            if a.len() != n {
                g.err(
                    line,
                    format!("`{f}` takes {n} argument(s), {} given", a.len()),
                );
                false
            } else {
                true
            }
        };
        let one = |g: &mut Self, method: &str| -> String {
            if want(g, 1) {
                format!("({}).{method}()", a[0])
            } else {
                "0.0".into()
            }
        };
        match f {
            "exp" => {
                if want(self, 1) {
                    format!("rt::exp({})", a[0])
                } else {
                    "0.0".into()
                }
            }
            "log" => one(self, "ln"),
            "log10" => one(self, "log10"),
            "sqrt" => one(self, "sqrt"),
            "fabs" => one(self, "abs"),
            "floor" => one(self, "floor"),
            "ceil" => one(self, "ceil"),
            "sin" => one(self, "sin"),
            "cos" => one(self, "cos"),
            "tan" => one(self, "tan"),
            "asin" => one(self, "asin"),
            "acos" => one(self, "acos"),
            "atan" => one(self, "atan"),
            "sinh" => one(self, "sinh"),
            "cosh" => one(self, "cosh"),
            "tanh" => one(self, "tanh"),
            "atan2" => {
                if want(self, 2) {
                    format!("({}).atan2({})", a[0], a[1])
                } else {
                    "0.0".into()
                }
            }
            "pow" => {
                if want(self, 2) {
                    format!("rt::pow({}, {})", a[0], a[1])
                } else {
                    "0.0".into()
                }
            }
            "fmod" => {
                if want(self, 2) {
                    format!("rt::fmod({}, {})", a[0], a[1])
                } else {
                    "0.0".into()
                }
            }
            "nrn_ghk" | "ghk" if !self.m.funcs.contains_key(f) => {
                if want(self, 4) {
                    format!(
                        "rt::ghk({}, {}, {}, {}, self.celsius)",
                        a[0], a[1], a[2], a[3]
                    )
                } else {
                    "0.0".into()
                }
            }
            "at_time" => {
                if want(self, 1) {
                    format!("{{ let _ = {}; 0.0 }}", a[0])
                } else {
                    "0.0".into()
                }
            }
            "net_send" | "net_event" | "printf" => {
                self.err(line, format!("`{f}` can only be used as a statement"));
                "0.0".into()
            }
            "net_move"
            | "state_discontinuity"
            | "erf"
            | "normrand"
            | "exprand"
            | "poisrand"
            | "scop_random"
            | "set_seed"
            | "setseed"
            | "gauss"
            | "nrn_random_play"
            | "nrn_pointing"
            | "threshold"
            | "squarewave"
            | "sawtooth"
            | "revsawtooth"
            | "ramp"
            | "pulse"
            | "perpulse"
            | "step"
            | "perstep"
            | "stepforce"
            | "schedule"
            | "deflate"
            | "expfit"
            | "derivs"
            | "spline"
            | "romberg"
            | "legendre"
            | "invert"
            | "boundary"
            | "hyperbol"
            | "revhyperbol"
            | "sigmoid"
            | "revsigmoid"
            | "harmonic"
            | "force"
            | "factorial"
            | "prterr"
            | "error" => {
                self.err(
                    line,
                    format!("the built-in `{f}` is not supported by synaptune nmodl"),
                );
                "0.0".into()
            }
            _ => {
                self.err(
                    line,
                    format!("`{f}` is not a FUNCTION or PROCEDURE of this file nor a supported built-in"),
                );
                "0.0".into()
            }
        }
    }
}
