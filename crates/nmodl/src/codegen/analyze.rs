//! The pass before any code is written: each TABLE's layout in the scratch
//! storage, how each SOLVE is carried out (cnexp, derivimplicit, sparse, a
//! PROCEDURE), and the equations and state order of the DERIVATIVE and KINETIC
//! blocks solved implicitly, with the errors nocmodl reports for them.

use super::{symiter_key, DerivInfo, Gen, KinInfo, Solve, TableInfo};
use crate::ast::*;
use crate::diffeq;
use crate::model::Var;
use std::collections::HashSet;

impl Gen<'_> {
    /// The pass before any code: tables, then the SOLVEs of BREAKPOINT and INITIAL.
    pub(super) fn analyze(&mut self) {
        let m = self.m;
        for f in &m.module.funcs {
            self.analyze_table(f);
        }
        self.breakpoint_solves();
        self.initial_solves();
        // Contexts of SOLVE elsewhere are reported by the statement generator.
    }

    /// A FUNCTION's or PROCEDURE's TABLE: checked, and given its place in the
    /// scratch storage.
    fn analyze_table(&mut self, f: &Func) {
        let m = self.m;
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
        let nested = f.body.all_stmts();
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
                return;
            }
            if with == 0 {
                self.err(line, "TABLE … WITH 0");
                return;
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
                    // A RANGE variable is read, as in NEURON's
                    // `nrn_thread_table_check`, from the type's first instance.
                    Some(Var::Global(_)) | Some(Var::Special("celsius")) | Some(Var::Special("dt")) | Some(Var::Scratch(_)) | Some(Var::Const(_)) | Some(Var::Field(_)) => {}
                    Some(_) => self.err(line, format!("TABLE DEPEND `{d}`: only parameters, ASSIGNED and STATE variables, `celsius` and `dt` can be table dependencies")),
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

    /// The SOLVEs of BREAKPOINT, in order.
    fn breakpoint_solves(&mut self) {
        let m = self.m;
        let Some((bp, _)) = &m.module.breakpoint else {
            return;
        };
        for (s, name, method, steadystate) in solves_in(bp) {
            if steadystate {
                self.err(s.line, "STEADYSTATE is only for INITIAL");
                continue;
            }
            if !bp.stmts.iter().any(|t| std::ptr::eq(t, s)) {
                self.err(
                    s.line,
                    "SOLVE must be a statement of the BREAKPOINT block itself",
                );
                continue;
            }
            if let Some(sv) = self.solve_kind(name, method, s.line) {
                self.solves.push(sv);
            }
        }
    }

    /// `SOLVE … STEADYSTATE` in INITIAL.
    fn initial_solves(&mut self) {
        let m = self.m;
        let Some((ib, _)) = &m.module.initial else {
            return;
        };
        for (s, name, method, steadystate) in solves_in(ib) {
            let method = method.unwrap_or_default().to_string();
            if !steadystate
                && m.module.linears.iter().any(|b| b.name == name)
                && matches!(method.as_str(), "" | "simeq")
            {
                continue;
            }
            if !steadystate {
                self.err(
                    s.line,
                    "in INITIAL only `SOLVE … STEADYSTATE sparse|derivimplicit` and `SOLVE` of a LINEAR block are supported",
                );
                continue;
            }
            if m.module.kinetics.iter().any(|k| k.name == name) && method == "sparse" {
                self.ensure_kinetic(name, s.line);
                self.init_solves.push((name.to_string(), method));
            } else if m.module.derivatives.iter().any(|k| k.name == name)
                && method == "derivimplicit"
            {
                self.ensure_deriv(name, s.line);
                self.init_solves.push((name.to_string(), method));
            } else {
                self.err(s.line, format!("`SOLVE {name} STEADYSTATE {method}` is not supported (KINETIC with sparse, DERIVATIVE with derivimplicit)"));
            }
        }
    }

    /// How `SOLVE name METHOD method` in BREAKPOINT is carried out (cnexp falls
    /// back to derivimplicit when an equation does not linearize, as in nocmodl).
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
                    let all = d.body.all_stmts();
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

    /// A DERIVATIVE block solved implicitly: its states in equation order and
    /// nocmodl's permutation of the Newton unknowns.
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
        let all = d.body.all_stmts();
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

    /// A KINETIC block: its states by nocmodl's varnum (conserved diagonals
    /// first), whether it is linear, its sparse-object cache.
    fn ensure_kinetic(&mut self, name: &str, line: Line) {
        if self.kinetics.contains_key(name) {
            return;
        }
        let m = self.m;
        let k = m.module.kinetics.iter().find(|k| k.name == name).unwrap();
        let all = k.body.all_stmts();
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
}

/// The SOLVE statements of a block, nested ones included: (statement, block
/// name, METHOD, STEADYSTATE).
fn solves_in(b: &Block) -> Vec<(&Stmt, &str, Option<&str>, bool)> {
    b.all_stmts()
        .into_iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Solve {
                name,
                method,
                steadystate,
            } => Some((s, name.as_str(), method.as_deref(), *steadystate)),
            _ => None,
        })
        .collect()
}
