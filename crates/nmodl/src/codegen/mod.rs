//! Rust code generation: one module per mod file implementing
//! `mech_api::Mechanism`, written the way nocmodl writes its C (`nrn_init`,
//! `nrn_cur` with `_nrn_current(v + .001)` and `_nrn_current(v)`, `nrn_state`,
//! `_net_receive`), expression by expression.
//!
//! Per instance, the generated code copies the instance's fields into a context
//! (`Ctx::f`), runs the translated blocks on it and copies them back; globals are
//! read once per call and written back when mod code assigned them. Translated
//! FUNCTIONs and PROCEDUREs are methods of the context.
//!
//! [`generate`] runs one generator (`Gen`, here with what it learns and writes)
//! in two passes, each file adding its part of `Gen`'s methods:
//!
//! * `analyze` — before any code: TABLE layouts, how each SOLVE is carried out,
//!   the equations of implicitly solved DERIVATIVE and KINETIC blocks;
//! * `emit` — the module's layout: header, constants, the context struct with its
//!   loads and stores, then the parts below in order;
//! * `tables` — TABLE: the rebuild check and the interpolating lookups;
//! * `blocks` — FUNCTIONs and PROCEDUREs, INITIAL, BREAKPOINT's current;
//! * `solve` — `nrn_state`, SOLVE statements and the solvers' state accessors;
//! * `derivative` — DERIVATIVE blocks: cnexp updates and derivimplicit's Newton
//!   system;
//! * `kinetic` — KINETIC blocks: reactions, fluxes and CONSERVE into the sparse
//!   matrix;
//! * `linear` — LINEAR blocks: equations into a dense matrix solved by `simeq`;
//! * `net_receive` — NET_RECEIVE, its INITIAL, `net_send` and `net_event`;
//! * `stmt`, `expr`, `calls` — statements, expressions and names, calls of
//!   FUNCTIONs and the math built-ins;
//! * `mechanism` — the `impl Mechanism`: the descriptor and the entry points.

mod analyze;
mod blocks;
mod calls;
mod derivative;
mod emit;
mod expr;
mod kinetic;
mod linear;
mod mechanism;
mod net_receive;
mod solve;
mod stmt;
mod tables;

use crate::ast::*;
use crate::model::Model;
use crate::Diagnostic;
use std::collections::{HashMap, HashSet};

/// How a SOLVE is carried out.
#[derive(Debug, Clone)]
enum Solve {
    Cnexp(String),
    DerivImplicit(String),
    Sparse(String),
    Proc(String),
}

/// A DERIVATIVE block solved implicitly.
#[derive(Debug, Clone)]
struct DerivInfo {
    /// States in equation order (nocmodl's `_slist1`).
    eq_states: Vec<String>,
    /// `_slist2` (symbol-table order) as indices into `eq_states`.
    perm: Vec<usize>,
}

/// A KINETIC block.
#[derive(Debug, Clone)]
struct KinInfo {
    /// States by nocmodl's varnum.
    states: Vec<String>,
    /// Number of conservation equations (their diagonals come first).
    ncons: usize,
    /// All reactions are linear in the states.
    linear: bool,
    /// Index of the sparse-object cache.
    cache: usize,
}

/// A TABLE.
#[derive(Debug, Clone)]
struct TableInfo {
    vars: Vec<String>,
    depend: Vec<String>,
    from: Expr,
    to: Expr,
    with: u32,
    is_function: bool,
    base: usize,
}

/// The block a statement is translated in (what it may do there).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    Initial,
    Breakpoint,
    State,
    Cnexp,
    DerivImplicit,
    Kinetic,
    Linear,
    Function,
    Procedure,
    NetReceive,
    NetInitial,
}

/// Where a statement is translated: the block, and the names that are local there.
struct Scope {
    ctx: Ctx,
    /// LOCALs and arguments, one set per nested block.
    locals: Vec<HashSet<String>>,
    /// Name of the FUNCTION being generated (its return variable).
    func: Option<String>,
    /// NET_RECEIVE arguments.
    netargs: Vec<String>,
    /// DERIVATIVE / KINETIC block being generated.
    block: Option<String>,
}

impl Scope {
    /// The top of a block of kind `ctx`.
    fn new(ctx: Ctx) -> Scope {
        Scope {
            ctx,
            locals: vec![HashSet::new()],
            func: None,
            netargs: Vec::new(),
            block: None,
        }
    }

    /// Inside DERIVATIVE or KINETIC block `block`.
    fn in_block(ctx: Ctx, block: &str) -> Scope {
        Scope {
            block: Some(block.to_string()),
            ..Scope::new(ctx)
        }
    }

    /// `n` is a LOCAL or an argument here.
    fn is_local(&self, n: &str) -> bool {
        self.locals.iter().any(|s| s.contains(n))
    }
}

/// The generated module and what the catalogue needs to know.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Rust source of the module.
    pub source: String,
    /// Warnings (the translation succeeded).
    pub warnings: Vec<Diagnostic>,
}

/// The generator: what the analysis learned, the text written so far, the
/// diagnostics.
struct Gen<'m> {
    m: &'m Model,
    out: String,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Globals that mod code assigns (written back by `finish`).
    assigned_globals: HashSet<usize>,
    /// DERIVATIVE blocks solved implicitly, by name.
    derivs: HashMap<String, DerivInfo>,
    /// KINETIC blocks, by name.
    kinetics: HashMap<String, KinInfo>,
    /// TABLEs, by FUNCTION/PROCEDURE name.
    tables: HashMap<String, TableInfo>,
    /// Scratch slots: per-type values, then the tables.
    scratch_len: usize,
    /// BREAKPOINT's SOLVEs, in order.
    solves: Vec<Solve>,
    /// INITIAL's `SOLVE … STEADYSTATE`: (block, method).
    init_solves: Vec<(String, String)>,
    /// Indentation of [`Gen::line`], in steps of four spaces.
    indent: usize,
    /// An implicit method is used: `state` halves `dt` under second order.
    dt_halving: bool,
}

fn ident(s: &str) -> String {
    s.to_string()
}

/// Translate a model; errors are returned with file and line.
pub fn generate(m: &Model) -> Result<Generated, Vec<Diagnostic>> {
    let mut g = Gen {
        m,
        out: String::new(),
        errors: m.errors.clone(),
        warnings: m.warnings.clone(),
        assigned_globals: HashSet::new(),
        derivs: HashMap::new(),
        kinetics: HashMap::new(),
        tables: HashMap::new(),
        scratch_len: m.scratch_vars.len(),
        solves: Vec::new(),
        init_solves: Vec::new(),
        indent: 0,
        dt_halving: false,
    };
    g.analyze();
    // Generate even after errors: the walk reports every undeclared name and
    // unsupported construct of the file at once.
    g.emit();
    if g.errors.is_empty() {
        Ok(Generated {
            source: g.out,
            warnings: g.warnings,
        })
    } else {
        g.errors.sort_by_key(|d| d.line);
        g.errors.dedup();
        Err(g.errors)
    }
}

/// nocmodl's symbol-table iteration order (SYMITER): first character in ASCII
/// order, then the most recently installed (first seen later) first.
fn symiter_key(m: &Model, name: &str) -> (u8, std::cmp::Reverse<usize>) {
    (
        name.as_bytes()[0],
        std::cmp::Reverse(m.module.first_seen.get(name).copied().unwrap_or(0)),
    )
}

impl Gen<'_> {
    /// An error at `line` of the mod file.
    fn err(&mut self, line: Line, msg: impl Into<String>) {
        self.errors.push(Diagnostic::new(&self.m.file, line, msg));
    }

    /// A warning at `line` of the mod file.
    fn warn(&mut self, line: Line, msg: impl Into<String>) {
        self.warnings.push(Diagnostic::new(&self.m.file, line, msg));
    }

    /// `n` is declared in STATE.
    fn is_state(&self, n: &str) -> bool {
        self.m.module.states.iter().any(|d| d.name == n)
    }

    /// One line of generated code at the current indentation.
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }
}
