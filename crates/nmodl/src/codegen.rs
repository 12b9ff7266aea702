//! Rust code generation: one module per mod file implementing
//! `mech_api::Mechanism`, written the way nocmodl writes its C (`nrn_init`,
//! `nrn_cur` with `_nrn_current(v + .001)` and `_nrn_current(v)`, `nrn_state`,
//! `_net_receive`), expression by expression.
//!
//! Per instance, the generated code copies the instance's fields into a context
//! (`Ctx::f`), runs the translated blocks on it and copies them back; globals are
//! read once per call and written back when mod code assigned them. Translated
//! FUNCTIONs and PROCEDUREs are methods of the context.

use crate::ast::*;
use crate::diffeq;
use crate::model::{lit, IonVar, Model, Var};
use crate::Diagnostic;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    Initial,
    Breakpoint,
    State,
    Cnexp,
    DerivImplicit,
    Kinetic,
    Function,
    Procedure,
    NetReceive,
    NetInitial,
}

struct Scope {
    ctx: Ctx,
    locals: Vec<HashSet<String>>,
    /// Name of the FUNCTION being generated (its return variable).
    func: Option<String>,
    /// NET_RECEIVE arguments.
    netargs: Vec<String>,
    /// DERIVATIVE / KINETIC block being generated.
    block: Option<String>,
}

impl Scope {
    fn new(ctx: Ctx) -> Scope {
        Scope {
            ctx,
            locals: vec![HashSet::new()],
            func: None,
            netargs: Vec::new(),
            block: None,
        }
    }

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

struct Gen<'m> {
    m: &'m Model,
    out: String,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    assigned_globals: HashSet<usize>,
    derivs: HashMap<String, DerivInfo>,
    kinetics: HashMap<String, KinInfo>,
    tables: HashMap<String, TableInfo>,
    scratch_len: usize,
    solves: Vec<Solve>,
    init_solves: Vec<(String, String)>,
    indent: usize,
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

fn collect_stmts<'a>(b: &'a Block, out: &mut Vec<&'a Stmt>) {
    for s in &b.stmts {
        out.push(s);
        match &s.kind {
            StmtKind::If(_, t, e) => {
                collect_stmts(t, out);
                if let Some(e) = e {
                    collect_stmts(e, out);
                }
            }
            StmtKind::While(_, b) | StmtKind::Block(b) | StmtKind::NetInitial(b) => {
                collect_stmts(b, out)
            }
            _ => {}
        }
    }
}

impl<'m> Gen<'m> {
    fn err(&mut self, line: Line, msg: impl Into<String>) {
        self.errors.push(Diagnostic::new(&self.m.file, line, msg));
    }

    fn warn(&mut self, line: Line, msg: impl Into<String>) {
        self.warnings.push(Diagnostic::new(&self.m.file, line, msg));
    }

    fn is_state(&self, n: &str) -> bool {
        self.m.module.states.iter().any(|d| d.name == n)
    }

    // ------------------------------------------------------------- analysis

    fn analyze(&mut self) {
        let m = self.m;
        // Tables.
        for f in &m.module.funcs {
            let mut found = None;
            for (i, s) in f.body.stmts.iter().enumerate() {
                if let StmtKind::Table {
                    vars,
                    depend,
                    from,
                    to,
                    with,
                } = &s.kind
                {
                    if found.is_some() {
                        self.err(s.line, "a second TABLE in one FUNCTION/PROCEDURE");
                    }
                    found = Some((
                        i,
                        s.line,
                        vars.clone(),
                        depend.clone(),
                        from.clone(),
                        to.clone(),
                        *with,
                    ));
                }
            }
            let mut nested = Vec::new();
            collect_stmts(&f.body, &mut nested);
            let nested_tables = nested
                .iter()
                .filter(|s| matches!(s.kind, StmtKind::Table { .. }))
                .count();
            if nested_tables > usize::from(found.is_some()) {
                self.err(
                    f.line,
                    "TABLE must be a statement of the FUNCTION/PROCEDURE body",
                );
            }
            if let Some((_, line, vars, depend, from, to, with)) = found {
                if f.args.len() != 1 {
                    self.err(
                        line,
                        "a TABLE needs a FUNCTION/PROCEDURE of exactly one argument",
                    );
                    continue;
                }
                if with == 0 {
                    self.err(line, "TABLE … WITH 0");
                    continue;
                }
                if f.is_function && !vars.is_empty() {
                    self.err(
                        line,
                        "a FUNCTION's TABLE lists no variables (it tabulates the function)",
                    );
                }
                if !f.is_function && vars.is_empty() {
                    self.err(
                        line,
                        "a PROCEDURE's TABLE must list the variables it tabulates",
                    );
                }
                for d in &depend {
                    match m.vars.get(d) {
                        Some(Var::Global(_)) | Some(Var::Special("celsius")) | Some(Var::Scratch(_)) | Some(Var::Const(_)) => {}
                        Some(_) => self.err(line, format!("TABLE DEPEND `{d}`: only GLOBAL parameters and `celsius` can be table dependencies")),
                        None => self.err(line, format!("TABLE DEPEND `{d}` is not declared")),
                    }
                }
                for v in &vars {
                    match m.vars.get(v) {
                        Some(Var::Field(_)) | Some(Var::Scratch(_)) | Some(Var::Global(_)) => {}
                        _ => self.err(
                            line,
                            format!("TABLE variable `{v}` must be an ASSIGNED variable"),
                        ),
                    }
                }
                let nv = if f.is_function { 1 } else { vars.len() };
                let base = self.scratch_len;
                self.scratch_len += 3 + depend.len() + nv * (with as usize + 1);
                self.tables.insert(
                    f.name.clone(),
                    TableInfo {
                        vars,
                        depend,
                        from,
                        to,
                        with,
                        is_function: f.is_function,
                        base,
                    },
                );
            }
        }
        // SOLVEs in BREAKPOINT.
        if let Some((bp, _)) = &m.module.breakpoint {
            let mut all = Vec::new();
            collect_stmts(bp, &mut all);
            for s in &all {
                if let StmtKind::Solve {
                    name,
                    method,
                    steadystate,
                } = &s.kind
                {
                    if *steadystate {
                        self.err(s.line, "STEADYSTATE is only for INITIAL");
                        continue;
                    }
                    if !bp.stmts.iter().any(|t| std::ptr::eq(t, *s)) {
                        self.err(
                            s.line,
                            "SOLVE must be a statement of the BREAKPOINT block itself",
                        );
                        continue;
                    }
                    if let Some(sv) = self.solve_kind(name, method.as_deref(), s.line) {
                        self.solves.push(sv);
                    }
                }
            }
        }
        // SOLVE … STEADYSTATE in INITIAL.
        if let Some((ib, _)) = &m.module.initial {
            let mut all = Vec::new();
            collect_stmts(ib, &mut all);
            for s in &all {
                if let StmtKind::Solve {
                    name,
                    method,
                    steadystate,
                } = &s.kind
                {
                    let method = method.clone().unwrap_or_default();
                    if !steadystate {
                        self.err(s.line, "in INITIAL only `SOLVE … STEADYSTATE sparse|derivimplicit` is supported");
                        continue;
                    }
                    if m.module.kinetics.iter().any(|k| k.name == *name) && method == "sparse" {
                        self.ensure_kinetic(name, s.line);
                        self.init_solves.push((name.clone(), method));
                    } else if m.module.derivatives.iter().any(|k| k.name == *name)
                        && method == "derivimplicit"
                    {
                        self.ensure_deriv(name, s.line);
                        self.init_solves.push((name.clone(), method));
                    } else {
                        self.err(s.line, format!("`SOLVE {name} STEADYSTATE {method}` is not supported (KINETIC with sparse, DERIVATIVE with derivimplicit)"));
                    }
                }
            }
        }
        // Contexts of SOLVE elsewhere are reported by the statement generator.
    }

    fn solve_kind(&mut self, name: &str, method: Option<&str>, line: Line) -> Option<Solve> {
        let m = self.m;
        if let Some(d) = m.module.derivatives.iter().find(|d| d.name == name) {
            match method {
                Some("cnexp") if self.solves.iter().any(|s| matches!(s, Solve::Cnexp(_))) => {
                    self.err(line, "a second SOLVE … METHOD cnexp: nocmodl accepts one per file (use derivimplicit for the other)");
                    None
                }
                Some("cnexp") => {
                    // cnexp is possible when every equation linearizes.
                    let mut all = Vec::new();
                    collect_stmts(&d.body, &mut all);
                    let ok = all.iter().all(|s| match &s.kind {
                        StmtKind::Deriv(x, e) => diffeq::linearize(e, x).is_some(),
                        _ => true,
                    });
                    if ok {
                        Some(Solve::Cnexp(name.to_string()))
                    } else {
                        self.warn(line, format!("`{name}` cannot be translated with cnexp (a state in a denominator or function argument); using derivimplicit, as nocmodl does"));
                        self.ensure_deriv(name, line);
                        self.dt_halving = true;
                        Some(Solve::DerivImplicit(name.to_string()))
                    }
                }
                Some("derivimplicit") => {
                    self.ensure_deriv(name, line);
                    self.dt_halving = true;
                    Some(Solve::DerivImplicit(name.to_string()))
                }
                Some(other) => {
                    self.err(line, format!("METHOD {other} is not supported (DERIVATIVE blocks: cnexp, derivimplicit)"));
                    None
                }
                None => {
                    self.err(
                        line,
                        format!("SOLVE {name} needs a METHOD (cnexp or derivimplicit)"),
                    );
                    None
                }
            }
        } else if m.module.kinetics.iter().any(|k| k.name == name) {
            match method {
                Some("sparse") => {
                    self.ensure_kinetic(name, line);
                    self.dt_halving = true;
                    Some(Solve::Sparse(name.to_string()))
                }
                other => {
                    self.err(
                        line,
                        format!(
                            "KINETIC blocks are solved with METHOD sparse (found {})",
                            other.unwrap_or("no METHOD")
                        ),
                    );
                    None
                }
            }
        } else if let Some(f) = m.module.funcs.iter().find(|f| f.name == name) {
            if !f.args.is_empty() || f.is_function {
                self.err(
                    line,
                    format!("SOLVE {name}: only a PROCEDURE without arguments can be solved"),
                );
                return None;
            }
            match method {
                None | Some("after_cvode") => Some(Solve::Proc(name.to_string())),
                Some(o) => {
                    self.err(line, format!("METHOD {o} for a PROCEDURE is not supported"));
                    None
                }
            }
        } else {
            self.err(
                line,
                format!("SOLVE {name}: no DERIVATIVE, KINETIC or PROCEDURE of that name"),
            );
            None
        }
    }

    fn ensure_deriv(&mut self, name: &str, line: Line) {
        if self.derivs.contains_key(name) {
            return;
        }
        let m = self.m;
        let d = m
            .module
            .derivatives
            .iter()
            .find(|d| d.name == name)
            .unwrap();
        let mut all = Vec::new();
        collect_stmts(&d.body, &mut all);
        let mut eq_states: Vec<String> = Vec::new();
        for s in &all {
            if let StmtKind::Deriv(x, _) = &s.kind {
                if !self.is_state(x) {
                    self.err(s.line, format!("`{x}'`: `{x}` is not a STATE"));
                } else if !eq_states.contains(x) {
                    eq_states.push(x.clone());
                }
            }
        }
        if eq_states.is_empty() {
            self.err(line, format!("DERIVATIVE {name} has no equations"));
        }
        let mut order: Vec<usize> = (0..eq_states.len()).collect();
        order.sort_by_key(|&i| symiter_key(m, &eq_states[i]));
        self.derivs.insert(
            name.to_string(),
            DerivInfo {
                eq_states,
                perm: order,
            },
        );
    }

    fn ensure_kinetic(&mut self, name: &str, line: Line) {
        if self.kinetics.contains_key(name) {
            return;
        }
        let m = self.m;
        let k = m.module.kinetics.iter().find(|k| k.name == name).unwrap();
        let mut all = Vec::new();
        collect_stmts(&k.body, &mut all);
        let mut used: HashSet<String> = HashSet::new();
        let mut conserves: Vec<&Vec<Term>> = Vec::new();
        let mut linear = true;
        for s in &all {
            match &s.kind {
                StmtKind::Reaction { lhs, rhs, .. } => {
                    for t in lhs.iter().chain(rhs) {
                        if self.is_state(&t.name) {
                            used.insert(t.name.clone());
                        }
                    }
                    // genmatterms: any extra factor in a term makes the scheme nonlinear.
                    for side in [lhs, rhs] {
                        for t in side.iter() {
                            if !self.is_state(&t.name) {
                                continue;
                            }
                            let extra: u32 = side.iter().map(|u| u.coef).sum::<u32>() - 1;
                            if extra > 0 {
                                linear = false;
                            }
                        }
                    }
                }
                StmtKind::Flux { term, .. } => {
                    if self.is_state(&term.name) {
                        used.insert(term.name.clone());
                    } else {
                        self.err(s.line, format!("`{}` in a flux must be a STATE", term.name));
                    }
                }
                StmtKind::Conserve { terms, .. } => {
                    for t in terms {
                        if self.is_state(&t.name) {
                            used.insert(t.name.clone());
                        } else {
                            self.err(
                                s.line,
                                format!("only STATEs may appear in CONSERVE (`{}`)", t.name),
                            );
                        }
                    }
                    conserves.push(terms);
                }
                StmtKind::Deriv(..) => self.err(
                    s.line,
                    "derivative equations are not allowed in a KINETIC block",
                ),
                _ => {}
            }
        }
        let mut states: Vec<String> = Vec::new();
        for terms in conserves.iter().rev() {
            match terms
                .iter()
                .rev()
                .find(|t| used.contains(&t.name) && !states.contains(&t.name))
            {
                Some(t) => states.push(t.name.clone()),
                None => self.err(line, "failed to diagonalize the kinetic matrix (CONSERVE)"),
            }
        }
        let ncons = states.len();
        let mut rest: Vec<String> = used.into_iter().filter(|s| !states.contains(s)).collect();
        rest.sort_by_key(|s| symiter_key(m, s));
        states.extend(rest);
        if states.is_empty() {
            self.err(line, format!("KINETIC {name} contains no reactions"));
        }
        // A flux into a conserved diagonal is an error in nocmodl.
        for s in &all {
            if let StmtKind::Flux {
                term, into: true, ..
            } = &s.kind
            {
                if let Some(p) = states.iter().position(|x| *x == term.name) {
                    if p < ncons {
                        self.err(
                            s.line,
                            format!("`{}` is conserved and has a flux", term.name),
                        );
                    }
                }
            }
        }
        let cache = self.kinetics.len();
        self.kinetics.insert(
            name.to_string(),
            KinInfo {
                states,
                ncons,
                linear,
                cache,
            },
        );
    }

    // --------------------------------------------------------------- output

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn emit(&mut self) {
        let m = self.m;
        let nf = m.fields.len();
        let ng = m.globals.len() + usize::from(!self.tables.is_empty());
        let ns = m.scratch_vars.len();
        let has_node = m.kind != MechKind::Artificial;
        let _ = writeln!(
            self.out,
            "//! `{}` from `{}` (generated by synaptune nmodl; do not edit).",
            m.name, m.file
        );
        self.out.push_str(
            "#![allow(unused_mut, unused_variables, unused_parens, unused_assignments, unused_braces, non_snake_case, non_camel_case_types, non_upper_case_globals, dead_code, clippy::all)]\n\
             use crate::nmodl_rt as rt;\n\
             use mech_api::{MechInfo, Mechanism, Pack};\n\n",
        );
        let _ = writeln!(self.out, "const NAME: &str = {:?};", m.name);
        let _ = writeln!(self.out, "const NF: usize = {nf};\nconst NG: usize = {ng};\nconst NS: usize = {ns};\nconst NK: usize = {};", self.kinetics.len());
        for (i, f) in m.fields.iter().enumerate() {
            let _ = writeln!(self.out, "const F_{}: usize = {i};", ident(&f.name));
        }
        for (i, f) in m.globals.iter().enumerate() {
            let _ = writeln!(self.out, "const G_{}: usize = {i};", ident(&f.name));
        }
        if !self.tables.is_empty() {
            let _ = writeln!(self.out, "const G_usetable: usize = {};", m.globals.len());
        }
        for (i, s) in m.scratch_vars.iter().enumerate() {
            let _ = writeln!(self.out, "const S_{}: usize = {i};", ident(s));
        }
        for (n, v) in &m.consts {
            let _ = writeln!(self.out, "const C_{}: f64 = {v};", ident(n));
        }
        self.out
            .push_str("\n/// The mechanism.\npub struct Mech;\n\n");
        self.out.push_str(
            "struct Ctx<'p, 'a> {\n    p: &'p mut Pack<'a>,\n    k: usize,\n    t: f64,\n    dt: f64,\n    celsius: f64,\n    secondorder: i32,\n    v: f64,\n    f: [f64; NF],\n    g: [f64; NG],\n    s: [f64; NS],\n    sp: [Option<rt::SparseObj>; NK],\n}\n\n",
        );
        self.out.push_str("impl<'p, 'a> Ctx<'p, 'a> {\n");
        self.indent = 1;
        // new
        self.line("fn new(p: &'p mut Pack<'a>) -> Self {");
        self.line("    let (t, dt, celsius, secondorder) = (p.t(), p.dt(), p.celsius(), p.secondorder());");
        self.line("    let mut g = [0.0f64; NG];");
        self.line("    for (i, x) in g.iter_mut().enumerate() {");
        self.line("        *x = p.global(i);");
        self.line("    }");
        self.line("    let mut s = [0.0f64; NS];");
        self.line("    if NS > 0 {");
        self.line("        let sc = p.scratch();");
        self.line("        s.copy_from_slice(&sc[..NS]);");
        self.line("    }");
        self.line("    Ctx { p, k: 0, t, dt, celsius, secondorder, v: 0.0, f: [0.0; NF], g, s, sp: Default::default() }");
        self.line("}");
        // load / store
        self.line("fn load_fields(&mut self, k: usize) {");
        self.line("    self.k = k;");
        self.line("    for i in 0..NF {");
        self.line("        self.f[i] = self.p.get(i, k);");
        self.line("    }");
        if has_node {
            self.line("    self.v = self.p.v(k);");
        }
        self.line("}");
        self.line("fn store_fields(&mut self) {");
        self.line("    for i in 0..NF {");
        self.line("        self.p.set(i, self.k, self.f[i]);");
        self.line("    }");
        self.line("}");
        self.line("fn load_ions(&mut self) {");
        for (slot, ion) in m.ions.iter().enumerate() {
            for (n, iv) in &ion.loads {
                let getter = match iv {
                    IonVar::E => "ion_e",
                    IonVar::Ci => "ion_ci",
                    IonVar::Co => "ion_co",
                    IonVar::I => "ion_i",
                };
                let _ = writeln!(
                    self.out,
                    "        self.f[F_{}] = self.p.{getter}({slot}, self.k);",
                    ident(n)
                );
            }
        }
        self.line("}");
        self.line("fn store_ions(&mut self) {");
        for (slot, ion) in m.ions.iter().enumerate() {
            for (n, iv) in &ion.stores {
                let setter = match iv {
                    IonVar::E => "set_ion_e",
                    IonVar::Ci => "set_ion_ci",
                    IonVar::Co => "set_ion_co",
                    IonVar::I => unreachable!(),
                };
                let _ = writeln!(
                    self.out,
                    "        self.p.{setter}({slot}, self.k, self.f[F_{}]);",
                    ident(n)
                );
            }
        }
        self.line("}");

        // Body pieces are generated into a buffer first: they decide which
        // globals are assigned (written back by `finish`).
        let body = self.take_body();
        self.line("fn finish(&mut self) {");
        let mut ag: Vec<usize> = self.assigned_globals.iter().copied().collect();
        ag.sort();
        for gi in ag {
            let _ = writeln!(self.out, "        self.p.set_global({gi}, self.g[{gi}]);");
        }
        self.line("    if NS > 0 {");
        self.line("        let s = self.s;");
        self.line("        self.p.scratch()[..NS].copy_from_slice(&s);");
        self.line("    }");
        self.line("}");
        self.out.push_str(&body);
        self.out.push_str("}\n\n");
        self.indent = 0;
        self.emit_systems();
        self.emit_mechanism();
    }

    /// Generate every method body; returns the text.
    fn take_body(&mut self) -> String {
        let saved = std::mem::take(&mut self.out);
        self.indent = 1;
        self.emit_tables();
        self.emit_functions();
        self.emit_initial();
        self.emit_breakpoint();
        self.emit_state();
        self.emit_derivs();
        self.emit_kinetics();
        self.emit_netreceive();
        std::mem::replace(&mut self.out, saved)
    }

    // ------------------------------------------------------------ functions

    fn emit_functions(&mut self) {
        let m = self.m;
        for f in &m.module.funcs {
            let mut sc = Scope::new(if f.is_function {
                Ctx::Function
            } else {
                Ctx::Procedure
            });
            if f.is_function {
                sc.func = Some(f.name.clone());
            }
            for a in &f.args {
                sc.locals[0].insert(a.clone());
            }
            let args: Vec<String> = f.args.iter().map(|a| format!("mut l_{a}: f64")).collect();
            let raw = if self.tables.contains_key(&f.name) {
                format!("f_{}", f.name)
            } else {
                format!("u_{}", f.name)
            };
            self.line(&format!(
                "fn {raw}(&mut self, {}) -> f64 {{",
                args.join(", ")
            ));
            self.indent += 1;
            self.line("let mut ret_: f64 = 0.0;");
            self.block_body(&f.body, &mut sc);
            self.line("ret_");
            self.indent -= 1;
            self.line("}");
        }
    }

    fn emit_tables(&mut self) {
        let mut names: Vec<String> = self.tables.keys().cloned().collect();
        names.sort();
        self.line("fn check_tables(&mut self) {");
        for n in &names {
            self.line(&format!("    self.check_{n}();"));
        }
        self.line("}");
        for n in names {
            let t = self.tables[&n].clone();
            let base = t.base;
            let nd = t.depend.len();
            let npts = t.with as usize + 1;
            let vals = base + 3 + nd;
            let sc = Scope::new(Ctx::Procedure);
            self.line(&format!("fn check_{n}(&mut self) {{"));
            self.indent += 1;
            self.line("if self.g[G_usetable] == 0.0 {");
            self.line("    return;");
            self.line("}");
            self.line(&format!("let mut mak = self.p.scratch()[{base}] == 0.0;"));
            for (j, d) in t.depend.iter().enumerate() {
                let dv = self.name_ref(d, 0, &sc);
                self.line(&format!("if self.p.scratch()[{}] != {dv} {{", base + 3 + j));
                self.line("    mak = true;");
                self.line("}");
            }
            self.line("if mak {");
            self.indent += 1;
            let from = self.expr(&t.from, &sc);
            let to = self.expr(&t.to, &sc);
            self.line(&format!("let tmin: f64 = {from};"));
            self.line(&format!("let tmax: f64 = {to};"));
            self.line(&format!("let dx = (tmax - tmin) / {};", lit(t.with as f64)));
            self.line("let mfac = 1. / dx;");
            self.line(&format!("self.p.scratch()[{}] = tmin;", base + 1));
            self.line(&format!("self.p.scratch()[{}] = mfac;", base + 2));
            self.line("let mut x = tmin;");
            self.line(&format!("for i in 0..{npts} {{"));
            self.indent += 1;
            if t.is_function {
                self.line(&format!("let y = self.f_{n}(x);"));
                self.line(&format!("self.p.scratch()[{vals} + i] = y;"));
            } else {
                self.line(&format!("self.f_{n}(x);"));
                for (j, v) in t.vars.iter().enumerate() {
                    let r = self.name_ref(v, 0, &sc);
                    self.line(&format!("let y = {r};"));
                    self.line(&format!("self.p.scratch()[{} + i] = y;", vals + j * npts));
                }
            }
            self.line("x += dx;");
            self.indent -= 1;
            self.line("}");
            for (j, d) in t.depend.iter().enumerate() {
                let dv = self.name_ref(d, 0, &sc);
                self.line(&format!("self.p.scratch()[{}] = {dv};", base + 3 + j));
            }
            self.line(&format!("self.p.scratch()[{base}] = 1.0;"));
            self.indent -= 1;
            self.line("}");
            self.indent -= 1;
            self.line("}");
            // The lookup.
            let last = t.with as usize;
            if t.is_function {
                self.line(&format!("fn u_{n}(&mut self, l_x: f64) -> f64 {{"));
                self.indent += 1;
                self.line("if self.g[G_usetable] == 0.0 {");
                self.line(&format!("    return self.f_{n}(l_x);"));
                self.line("}");
                self.line(&format!(
                    "let (tmin, mfac) = (self.p.scratch()[{}], self.p.scratch()[{}]);",
                    base + 1,
                    base + 2
                ));
                self.line("let xi = mfac * (l_x - tmin);");
                self.line("if xi.is_nan() {");
                self.line("    return xi;");
                self.line("}");
                self.line("let t = self.p.scratch();");
                self.line("if xi <= 0. {");
                self.line(&format!("    return t[{vals}];"));
                self.line("}");
                self.line(&format!("if xi >= {} {{", lit(last as f64)));
                self.line(&format!("    return t[{}];", vals + last));
                self.line("}");
                self.line("let i = xi as i32 as usize;");
                self.line(&format!(
                    "t[{vals} + i] + (xi - i as f64) * (t[{vals} + i + 1] - t[{vals} + i])"
                ));
                self.indent -= 1;
                self.line("}");
            } else {
                self.line(&format!("fn u_{n}(&mut self, l_x: f64) -> f64 {{"));
                self.indent += 1;
                self.line("if self.g[G_usetable] == 0.0 {");
                self.line(&format!("    self.f_{n}(l_x);"));
                self.line("    return 0.0;");
                self.line("}");
                self.line(&format!(
                    "let (tmin, mfac) = (self.p.scratch()[{}], self.p.scratch()[{}]);",
                    base + 1,
                    base + 2
                ));
                self.line("let xi = mfac * (l_x - tmin);");
                let targets: Vec<String> =
                    t.vars.iter().map(|v| self.assign_ref(v, 0, &sc)).collect();
                self.line("if xi.is_nan() {");
                for tg in &targets {
                    self.line(&format!("    {tg} = xi;"));
                }
                self.line("    return 0.0;");
                self.line("}");
                self.line("if xi <= 0. {");
                for (j, tg) in targets.iter().enumerate() {
                    self.line(&format!(
                        "    {tg} = self.p.scratch()[{}];",
                        vals + j * npts
                    ));
                }
                self.line("    return 0.0;");
                self.line("}");
                self.line(&format!("if xi >= {} {{", lit(last as f64)));
                for (j, tg) in targets.iter().enumerate() {
                    self.line(&format!(
                        "    {tg} = self.p.scratch()[{}];",
                        vals + j * npts + last
                    ));
                }
                self.line("    return 0.0;");
                self.line("}");
                self.line("let i = xi as i32 as usize;");
                self.line("let theta = xi - i as f64;");
                for (j, tg) in targets.iter().enumerate() {
                    let o = vals + j * npts;
                    self.line(&format!(
                        "{{ let t = self.p.scratch(); let y = t[{o} + i] + theta * (t[{o} + i + 1] - t[{o} + i]); {tg} = y; }}"
                    ));
                }
                self.line("0.0");
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    // ------------------------------------------------------ the main blocks

    fn emit_initial(&mut self) {
        let m = self.m;
        self.line("fn initmodel(&mut self) {");
        self.indent += 1;
        for (s, x0) in &m.states {
            self.line(&format!("self.f[F_{}] = {};", ident(s), lit(*x0)));
        }
        if let Some((b, _)) = &m.module.initial {
            let mut sc = Scope::new(Ctx::Initial);
            self.line("{");
            self.indent += 1;
            self.block_body(b, &mut sc);
            self.indent -= 1;
            self.line("}");
        }
        self.indent -= 1;
        self.line("}");
    }

    fn emit_breakpoint(&mut self) {
        let m = self.m;
        if m.currents.is_empty() {
            return;
        }
        self.line("fn nrn_current(&mut self, v: f64) -> f64 {");
        self.indent += 1;
        self.line("let mut current = 0.0f64;");
        self.line("self.v = v;");
        if let Some((b, _)) = &m.module.breakpoint {
            let mut sc = Scope::new(Ctx::Breakpoint);
            self.line("{");
            self.indent += 1;
            self.block_body(b, &mut sc);
            self.indent -= 1;
            self.line("}");
        }
        for (c, _) in &m.currents {
            self.line(&format!("current += self.f[F_{}];", ident(c)));
        }
        self.line("current");
        self.indent -= 1;
        self.line("}");
    }

    fn emit_state(&mut self) {
        let m = self.m;
        self.line("fn nrn_state(&mut self) {");
        self.indent += 1;
        if m.currents.is_empty() {
            if let Some((b, _)) = &m.module.breakpoint {
                let mut sc = Scope::new(Ctx::State);
                self.line("{");
                self.indent += 1;
                self.block_body(b, &mut sc);
                self.indent -= 1;
                self.line("}");
            }
        } else {
            for s in self.solves.clone() {
                self.solve_call(&s);
            }
        }
        self.indent -= 1;
        self.line("}");
    }

    fn solve_call(&mut self, s: &Solve) {
        match s {
            Solve::Cnexp(n) => self.line(&format!("self.cnexp_{n}();")),
            Solve::DerivImplicit(n) => self.line(&format!("self.dimplicit_{n}();")),
            Solve::Sparse(n) => self.line(&format!("self.sparse_{n}(false);")),
            Solve::Proc(n) => self.line(&format!("self.u_{n}();")),
        }
    }

    fn emit_derivs(&mut self) {
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
                let mut sc = Scope::new(Ctx::Cnexp);
                sc.block = Some(d.name.clone());
                self.line(&format!("fn cnexp_{}(&mut self) {{", d.name));
                self.indent += 1;
                self.block_body(&d.body, &mut sc);
                self.indent -= 1;
                self.line("}");
            }
            if let Some(info) = self.derivs.get(&d.name).cloned() {
                let n = info.eq_states.len();
                let mut sc = Scope::new(Ctx::DerivImplicit);
                sc.block = Some(d.name.clone());
                self.line(&format!("fn deriv_{}(&mut self, d: &mut [f64]) {{", d.name));
                self.indent += 1;
                self.block_body(&d.body, &mut sc);
                self.indent -= 1;
                self.line("}");
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
                self.line("if self.secondorder != 0 {");
                self.line(&format!("    for i in 0..{n} {{"));
                self.line(&format!(
                    "        let x = self.dst_{0}(i) + self.dt * d[i];",
                    d.name
                ));
                self.line(&format!("        self.set_dst_{}(i, x);", d.name));
                self.line("    }");
                self.line("}");
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    /// `{kind}_{block}(i)` and `set_{kind}_{block}(i, x)`: the block's states
    /// by position, for the generated solvers.
    fn state_accessors(&mut self, kind: &str, block: &str, states: &[String]) {
        self.line(&format!("fn {kind}_{block}(&self, i: usize) -> f64 {{"));
        self.line("    match i {");
        for (i, s) in states.iter().enumerate() {
            self.line(&format!("        {i} => self.f[F_{}],", ident(s)));
        }
        self.line("        _ => unreachable!(),");
        self.line("    }");
        self.line("}");
        self.line(&format!(
            "fn set_{kind}_{block}(&mut self, i: usize, x: f64) {{"
        ));
        self.line("    match i {");
        for (i, s) in states.iter().enumerate() {
            self.line(&format!("        {i} => self.f[F_{}] = x,", ident(s)));
        }
        self.line("        _ => unreachable!(),");
        self.line("    }");
        self.line("}");
    }

    fn emit_kinetics(&mut self) {
        let m = self.m;
        for k in &m.module.kinetics {
            let info = match self.kinetics.get(&k.name) {
                Some(i) => i.clone(),
                None => continue,
            };
            let n = info.states.len();
            self.state_accessors("kst", &k.name, &info.states);
            let mut sc = Scope::new(Ctx::Kinetic);
            sc.block = Some(k.name.clone());
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
            self.line("if self.secondorder != 0 {");
            self.line(&format!("    for i in 0..{n} {{"));
            self.line(&format!(
                "        let x = self.kst_{0}(i) + self.dt * d[i];",
                k.name
            ));
            self.line(&format!("        self.set_kst_{}(i, x);", k.name));
            self.line("    }");
            self.line("}");
            self.indent -= 1;
            self.line("}");
        }
    }

    fn emit_netreceive(&mut self) {
        let m = self.m;
        let nr = match &m.module.net_receive {
            Some(nr) => nr,
            None => return,
        };
        if nr.args.is_empty() {
            self.err(
                nr.line,
                "NET_RECEIVE needs at least one argument (the weight)",
            );
            return;
        }
        let mut init: Option<&Block> = None;
        let mut rest = Vec::new();
        for s in &nr.body.stmts {
            if let StmtKind::NetInitial(b) = &s.kind {
                if init.is_some() {
                    self.err(s.line, "a second INITIAL in NET_RECEIVE");
                }
                init = Some(b);
            } else {
                rest.push(s.clone());
            }
        }
        let mut sc = Scope::new(Ctx::NetReceive);
        sc.netargs = nr.args.clone();
        self.line("fn net_receive(&mut self, w: &mut [f64], flag: f64) {");
        self.indent += 1;
        self.block_body(
            &Block {
                locals: nr.body.locals.clone(),
                stmts: rest,
            },
            &mut sc,
        );
        self.indent -= 1;
        self.line("}");
        if let Some(b) = init {
            let mut sc = Scope::new(Ctx::NetInitial);
            sc.netargs = nr.args.clone();
            self.line("fn net_init(&mut self, w: &mut [f64]) {");
            self.indent += 1;
            self.block_body(b, &mut sc);
            self.indent -= 1;
            self.line("}");
        }
    }

    // ----------------------------------------------------------- statements

    fn block_body(&mut self, b: &Block, sc: &mut Scope) {
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

    /// A reaction, as nocmodl's genderivterms + genmatterms write it. `kb = None`
    /// is a one-way `->` (backward flux `0.`).
    fn reaction(
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
        let varnum = |n: &str| info.states.iter().position(|s| s == n);
        for (j, side) in sides.iter().enumerate() {
            for t in side {
                if !self.is_state(&t.name) {
                    continue;
                }
                let Some(vn) = varnum(&t.name) else { continue };
                if vn < info.ncons {
                    continue;
                }
                let op = if j == 0 { "-=" } else { "+=" };
                if t.coef > 1 {
                    self.line(&format!(
                        "*so.rhs({vn}) {op} ({} * (flux_f - flux_b));",
                        lit(t.coef as f64)
                    ));
                } else {
                    self.line(&format!("*so.rhs({vn}) {op} (flux_f - flux_b);"));
                }
            }
        }
        // genmatterms
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
                let Some(col) = varnum(&t.name) else { continue };
                for (j1, side1) in sides.iter().enumerate() {
                    for u in side1 {
                        if !self.is_state(&u.name) {
                            continue;
                        }
                        let Some(row) = varnum(&u.name) else { continue };
                        if row < info.ncons {
                            continue;
                        }
                        let op = if j == j1 { "+=" } else { "-=" };
                        if u.coef != 1 {
                            self.line(&format!(
                                "*so.mat({row}, {col}) {op} ({} * term_);",
                                lit(u.coef as f64)
                            ));
                        } else {
                            self.line(&format!("*so.mat({row}, {col}) {op} term_;"));
                        }
                    }
                }
            }
        }
        let _ = info.cache;
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

    // ---------------------------------------------------------- expressions

    fn name_ref(&mut self, n: &str, line: Line, sc: &Scope) -> String {
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

    fn assign_ref(&mut self, n: &str, line: Line, sc: &Scope) -> String {
        if sc.is_local(n) || sc.func.as_deref() == Some(n) || sc.netargs.iter().any(|a| a == n) {
            return self.name_ref(n, line, sc);
        }
        if n == "flag" && sc.ctx == Ctx::NetReceive {
            self.err(line, "`flag` cannot be assigned");
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
            Some(Var::Special(s)) => {
                self.err(line, format!("cannot assign to `{s}`"));
                "let _".into()
            }
            _ => self.name_ref(n, line, sc),
        }
    }

    fn expr(&mut self, e: &Expr, sc: &Scope) -> String {
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

    fn cond(&mut self, e: &Expr, sc: &Scope) -> String {
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

    fn call_expr(&mut self, f: &str, args: &[Expr], line: Line, sc: &Scope) -> String {
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

    /// Whether `current` and `state` are independent of `t` and keep no state
    /// outside the fields (mech-api's `time_horizon` contract): no `t` outside
    /// INITIAL and NET_RECEIVE, no per-type values that mod code changes.
    fn time_independent(&self) -> bool {
        let m = self.m;
        if !m.scratch_vars.is_empty() || !self.assigned_globals.is_empty() {
            return false;
        }
        let mut blocks: Vec<&Block> = Vec::new();
        blocks.extend(m.module.breakpoint.iter().map(|(b, _)| b));
        blocks.extend(m.module.derivatives.iter().map(|d| &d.body));
        blocks.extend(m.module.kinetics.iter().map(|d| &d.body));
        blocks.extend(m.module.funcs.iter().map(|f| &f.body));
        let mut uses_t = false;
        for b in blocks {
            let mut all = Vec::new();
            collect_stmts(b, &mut all);
            for s in all {
                let mut look = |e: &Expr| {
                    e.walk(&mut |x| {
                        if matches!(x, Expr::Name(n, _) if n == "t") {
                            uses_t = true;
                        }
                    })
                };
                match &s.kind {
                    StmtKind::Assign(_, e) | StmtKind::Deriv(_, e) | StmtKind::Call(e) => look(e),
                    StmtKind::If(c, _, _) | StmtKind::While(c, _) => look(c),
                    StmtKind::Table { from, to, .. } => {
                        look(from);
                        look(to);
                    }
                    StmtKind::Reaction { kf, kb, .. } => {
                        look(kf);
                        look(kb);
                    }
                    StmtKind::Flux { rate, .. } => look(rate),
                    StmtKind::Conserve { total, .. } => look(total),
                    StmtKind::Verbatim(_) | StmtKind::Unsupported(_) => uses_t = true,
                    _ => {}
                }
            }
        }
        !uses_t
    }

    // ---------------------------------------------------- Newton/sparse glue

    fn emit_systems(&mut self) {
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

    // ------------------------------------------------------ the trait impl

    fn emit_mechanism(&mut self) {
        let m = self.m;
        let ctor = match m.kind {
            MechKind::Density => "density",
            MechKind::Point => "point",
            MechKind::Artificial => "artificial",
        };
        let mut info = format!(
            "        MechInfo::{ctor}(NAME)\n            .source({:?})\n",
            m.file
        );
        if m.electrode {
            info.push_str("            .electrode()\n");
        }
        for f in &m.fields {
            match f.kind {
                0 => {
                    let _ = writeln!(
                        info,
                        "            .param({:?}, {:?}, {})",
                        f.name,
                        f.units,
                        lit(f.default)
                    );
                }
                1 => {
                    let _ = writeln!(info, "            .state({:?}, {:?})", f.name, f.units);
                }
                _ => {
                    let _ = writeln!(info, "            .assigned({:?}, {:?})", f.name, f.units);
                }
            }
            if let Some((lo, hi)) = f.limits {
                let _ = writeln!(info, "            .limits({}, {})", lit(lo), lit(hi));
            }
        }
        for g in &m.globals {
            let _ = writeln!(
                info,
                "            .global({:?}, {:?}, {})",
                g.name,
                g.units,
                lit(g.default)
            );
        }
        if !self.tables.is_empty() {
            info.push_str("            .global(\"usetable\", \"\", 1.0)\n");
        }
        for ion in &m.ions {
            let _ = writeln!(
                info,
                "            .ion({:?}, {}, {})",
                ion.name, ion.valence, ion.flags
            );
        }
        if let Some(nr) = &m.module.net_receive {
            let args: Vec<String> = nr.args.iter().map(|a| format!("{a:?}")).collect();
            let _ = writeln!(info, "            .net_receive(&[{}])", args.join(", "));
            if nr
                .body
                .stmts
                .iter()
                .any(|s| matches!(s.kind, StmtKind::NetInitial(_)))
            {
                info.push_str("            .net_init()\n");
            }
        }
        if self.scratch_len > 0 {
            let _ = writeln!(info, "            .scratch({})", self.scratch_len);
        }
        let has_tables = !self.tables.is_empty();
        let tables = if has_tables {
            "        if c.p.n() > 0 {\n            c.load_fields(0);\n            c.check_tables();\n            c.store_fields();\n        }\n"
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "impl Mechanism for Mech {{\n    fn info() -> MechInfo {{\n{}    }}\n\n",
            info.trim_end().to_string() + "\n"
        );
        if self.time_independent() {
            // BREAKPOINT and the SOLVE blocks never read `t` and keep no state
            // outside the fields: the host may skip bitwise-stationary steps.
            self.out.push_str(
                "    fn time_horizon(_p: &Pack) -> Option<f64> {\n        Some(f64::INFINITY)\n    }\n\n",
            );
        }
        // init
        let _ = write!(
            self.out,
            "    fn init(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n            c.initmodel();\n            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n"
        );
        if m.kind != MechKind::Artificial {
            if !m.currents.is_empty() {
                let mut body = String::new();
                body.push_str("            let v = c.p.v(k);\n            let g = c.nrn_current(v + 0.001);\n");
                let ion_currents: Vec<(usize, String)> = m
                    .ions
                    .iter()
                    .enumerate()
                    .filter_map(|(s, i)| i.current.clone().map(|c| (s, c)))
                    .collect();
                for (s, c) in &ion_currents {
                    let _ = writeln!(body, "            let d{s} = c.f[F_{c}];");
                }
                body.push_str("            let rhs = c.nrn_current(v);\n");
                for (s, c) in &ion_currents {
                    let add = if m.kind == MechKind::Point {
                        "add_point_ion_current"
                    } else {
                        "add_ion_current"
                    };
                    let _ = writeln!(body, "            let i{s} = c.f[F_{c}];\n            c.p.{add}({s}, k, d{s}, i{s});");
                }
                let f = match (m.kind, m.electrode) {
                    (MechKind::Point, false) => "point_current",
                    (MechKind::Point, true) => "point_electrode_current",
                    (_, false) => "density_current",
                    (_, true) => "density_electrode_current",
                };
                let _ = writeln!(body, "            c.p.{f}(k, g, rhs);");
                let _ = write!(
                    self.out,
                    "    fn current(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n{body}            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n"
                );
            }
            let halve = if self.dt_halving {
                "        if c.secondorder != 0 {\n            c.dt *= 0.5;\n        }\n"
            } else {
                ""
            };
            let _ = write!(
                self.out,
                "    fn state(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}{halve}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n            c.nrn_state();\n            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n"
            );
        }
        if let Some(nr) = &m.module.net_receive {
            let _ = write!(
                self.out,
                "    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], flag: f64) {{\n        let mut c = Ctx::new(p);\n{tables}        c.load_fields(k);\n        c.net_receive(w, flag);\n        c.store_fields();\n        c.finish();\n    }}\n\n"
            );
            if nr
                .body
                .stmts
                .iter()
                .any(|s| matches!(s.kind, StmtKind::NetInitial(_)))
            {
                let _ = write!(
                    self.out,
                    "    fn net_init(p: &mut Pack, k: usize, w: &mut [f64]) {{\n        let mut c = Ctx::new(p);\n        c.load_fields(k);\n        c.net_init(w);\n        c.store_fields();\n        c.finish();\n    }}\n"
                );
            }
        }
        self.out.push_str("}\n");
    }
}
