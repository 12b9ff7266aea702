//! Calls in expressions: FUNCTIONs and PROCEDUREs of the file, and the math
//! built-ins (`exp` as NEURON's `hoc_Exp`, `pow`, `fmod`, `nrn_ghk`, …); the
//! built-ins synaptune does not translate are errors.

use super::{Gen, Scope};
use crate::ast::*;

/// One-argument built-ins that are a method of `f64`: (NMODL name, method).
const F64_METHODS: &[(&str, &str)] = &[
    ("log", "ln"),
    ("log10", "log10"),
    ("sqrt", "sqrt"),
    ("fabs", "abs"),
    ("floor", "floor"),
    ("ceil", "ceil"),
    ("sin", "sin"),
    ("cos", "cos"),
    ("tan", "tan"),
    ("asin", "asin"),
    ("acos", "acos"),
    ("atan", "atan"),
    ("sinh", "sinh"),
    ("cosh", "cosh"),
    ("tanh", "tanh"),
];

/// NEURON's and scopmath's built-ins that synaptune does not translate.
const UNSUPPORTED: &[&str] = &[
    "erf",
    "poisrand",
    "setseed",
    "gauss",
    "nrn_random_play",
    "nrn_pointing",
    "threshold",
    "squarewave",
    "sawtooth",
    "revsawtooth",
    "ramp",
    "pulse",
    "perpulse",
    "step",
    "perstep",
    "stepforce",
    "schedule",
    "deflate",
    "expfit",
    "derivs",
    "spline",
    "romberg",
    "legendre",
    "invert",
    "boundary",
    "hyperbol",
    "revhyperbol",
    "sigmoid",
    "revsigmoid",
    "harmonic",
    "force",
    "factorial",
    "prterr",
    "error",
];

impl Gen<'_> {
    /// A call in an expression: a FUNCTION or PROCEDURE of the file, or a built-in.
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
        let table = self.m.module.function_tables.iter().find(|t| t.0 == f);
        if let Some(&(_, nargs, _)) = table {
            // NEURON's hoc_func_table: the table comes from hoc
            // (`table_<name>(…)`), which synaptune does not run; calling it
            // unset stops the run, as NEURON's "table not specified" does.
            return self.with_args(f, &a, nargs, line, |a| {
                format!(
                    "{{ let _ = ({}); rt::unset_function_table(NAME, {f:?}) }}",
                    a.join(", ")
                )
            });
        }
        self.builtin_call(f, &a, line)
    }

    /// A built-in (not a FUNCTION of the file) with its translated arguments.
    fn builtin_call(&mut self, f: &str, a: &[String], line: Line) -> String {
        if let Some((_, method)) = F64_METHODS.iter().find(|(n, _)| *n == f) {
            return self.with_args(f, a, 1, line, |a| format!("({}).{method}()", a[0]));
        }
        match f {
            "exp" => self.with_args(f, a, 1, line, |a| format!("rt::exp({})", a[0])),
            "atan2" => self.with_args(f, a, 2, line, |a| format!("({}).atan2({})", a[0], a[1])),
            "pow" => self.with_args(f, a, 2, line, |a| format!("rt::pow({}, {})", a[0], a[1])),
            "fmod" => self.with_args(f, a, 2, line, |a| format!("rt::fmod({}, {})", a[0], a[1])),
            "nrn_ghk" | "ghk" => self.with_args(f, a, 4, line, |a| {
                format!(
                    "rt::ghk({}, {}, {}, {}, self.celsius)",
                    a[0], a[1], a[2], a[3]
                )
            }),
            // scopmath's generator (one stream per catalogue, as NEURON's per
            // process).
            "scop_random" => self.with_args(f, a, 0, line, |_| "rt::scop_random()".into()),
            "set_seed" => self.with_args(f, a, 1, line, |a| format!("rt::set_seed({})", a[0])),
            "exprand" => self.with_args(f, a, 1, line, |a| format!("rt::exprand({})", a[0])),
            "normrand" => self.with_args(f, a, 2, line, |a| {
                format!("rt::normrand({}, {})", a[0], a[1])
            }),
            "at_time" => self.with_args(f, a, 1, line, |a| format!("{{ let _ = {}; 0.0 }}", a[0])),
            "net_send" | "net_move" | "net_event" | "printf" | "state_discontinuity" => {
                self.err(line, format!("`{f}` can only be used as a statement"));
                "0.0".into()
            }
            _ if UNSUPPORTED.contains(&f) => {
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

    /// `call(a)` when `f` got `n` arguments; otherwise an error and `0.0`.
    fn with_args(
        &mut self,
        f: &str,
        a: &[String],
        n: usize,
        line: Line,
        call: impl FnOnce(&[String]) -> String,
    ) -> String {
        if a.len() != n {
            self.err(
                line,
                format!("`{f}` takes {n} argument(s), {} given", a.len()),
            );
            "0.0".into()
        } else {
            call(a)
        }
    }
}
