//! The `impl Mechanism`: the descriptor (`MechInfo`) and the entry points
//! `init`, `current`, `state`, `net_receive`, `net_init`, each running the
//! context over the instances; `time_horizon` when the mechanism allows it.

use super::Gen;
use crate::ast::*;
use crate::model::lit;
use std::fmt::Write;

impl Gen<'_> {
    /// `impl Mechanism for Mech`.
    pub(super) fn emit_mechanism(&mut self) {
        let m = self.m;
        let info = self.mech_info();
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
            "    fn init(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n{}            c.initmodel();\n{}            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n",
            self.ba_call("BEFORE INITIAL"),
            self.ba_call("AFTER INITIAL"),
        );
        if m.kind != MechKind::Artificial {
            if !m.currents.is_empty() || self.has_ba("BEFORE BREAKPOINT") {
                self.emit_current_entry(tables);
            }
            self.emit_state_entry(tables);
        }
        if let Some(nr) = &m.module.net_receive {
            self.emit_net_entries(nr, tables);
        }
        self.out.push_str("}\n");
    }

    /// The body of `info()`: the descriptor's builder calls.
    fn mech_info(&self) -> String {
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
            if has_net_init(nr) {
                info.push_str("            .net_init()\n");
            }
        }
        if self.scratch_len > 0 {
            let _ = writeln!(info, "            .scratch({})", self.scratch_len);
        }
        if self.draws_random() {
            info.push_str("            .draws_random()\n");
        }
        info
    }

    /// `current`: NEURON's `nrn_cur`, the current at `v + 0.001` and at `v` for
    /// the conductance, ionic currents added to their ions.
    fn emit_current_entry(&mut self, tables: &str) {
        let m = self.m;
        let mut body = self.ba_call("BEFORE BREAKPOINT");
        if m.currents.is_empty() {
            // Only a BEFORE BREAKPOINT block: no current.
            let _ = write!(
                self.out,
                "    fn current(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n{body}            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n"
            );
            return;
        }
        body.push_str(
            "            let v = c.p.v(k);\n            let g = c.nrn_current(v + 0.001);\n",
        );
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
            let _ = writeln!(
                body,
                "            let i{s} = c.f[F_{c}];\n            c.p.{add}({s}, k, d{s}, i{s});"
            );
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

    /// `state`: `nrn_state` on every instance (the step halved for the implicit
    /// methods under second order, as NEURON does).
    fn emit_state_entry(&mut self, tables: &str) {
        let halve = if self.dt_halving {
            "        if c.secondorder != 0 {\n            c.dt *= 0.5;\n        }\n"
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "    fn state(p: &mut Pack) {{\n        let mut c = Ctx::new(p);\n{tables}{halve}        for k in 0..c.p.n() {{\n            c.load_fields(k);\n            c.load_ions();\n            c.nrn_state();\n{}            c.store_ions();\n            c.store_fields();\n        }}\n        c.finish();\n    }}\n\n",
            self.ba_call("AFTER SOLVE"),
        );
    }

    /// `net_receive` and, with an INITIAL in NET_RECEIVE, `net_init`.
    fn emit_net_entries(&mut self, nr: &NetReceive, tables: &str) {
        let _ = write!(
            self.out,
            "    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], flag: f64) {{\n        let mut c = Ctx::new(p);\n{tables}        c.load_fields(k);\n        c.net_receive(w, flag);\n        c.store_fields();\n        c.finish();\n    }}\n\n"
        );
        if has_net_init(nr) {
            let _ = write!(
                self.out,
                "    fn net_init(p: &mut Pack, k: usize, w: &mut [f64]) {{\n        let mut c = Ctx::new(p);\n        c.load_fields(k);\n        c.net_init(w);\n        c.store_fields();\n        c.finish();\n    }}\n"
            );
        }
    }

    /// Whether the file has a `when` (`BEFORE BREAKPOINT`, …) block.
    fn has_ba(&self, when: &str) -> bool {
        self.m.module.ba.iter().any(|(w, _, _)| w == when)
    }

    /// The entry point's call of the `when` block (empty without one).
    fn ba_call(&self, when: &str) -> String {
        if self.has_ba(when) {
            format!("            c.{}();\n", super::blocks::ba_method(when))
        } else {
            String::new()
        }
    }

    /// Whether `current` and `state` are independent of `t` and keep no state
    /// outside the fields (mech-api's `time_horizon` contract): no `t` outside
    /// INITIAL and NET_RECEIVE, no per-type values that mod code changes.
    fn time_independent(&self) -> bool {
        let m = self.m;
        if !m.scratch_vars.is_empty()
            || !self.assigned_globals.is_empty()
            || !m.module.ba.is_empty()
        {
            return false;
        }
        let mut blocks: Vec<&Block> = Vec::new();
        blocks.extend(m.module.breakpoint.iter().map(|(b, _)| b));
        blocks.extend(m.module.derivatives.iter().map(|d| &d.body));
        blocks.extend(m.module.kinetics.iter().map(|d| &d.body));
        blocks.extend(m.module.funcs.iter().map(|f| &f.body));
        !any_expr(&blocks, &mut |x| {
            // `t`, or a random number (state outside the fields).
            matches!(x, Expr::Name(n, _) if n == "t") || is_random_call(x)
        })
    }

    /// Whether any block of the file draws from or reseeds `scop_random`'s
    /// stream (or holds C code, which might): runs of such a mechanism
    /// depend on every draw made before them (mech-api's `draws_random`).
    pub(super) fn draws_random(&self) -> bool {
        any_expr(&self.m.module.all_blocks(), &mut is_random_call)
    }
}

/// A call of a built-in that draws from or reseeds `scop_random`'s stream.
fn is_random_call(x: &Expr) -> bool {
    matches!(x, Expr::Call(n, _, _) if RANDOM.contains(&n.as_str()))
}

/// Whether `hit` holds for any expression (or sub-expression) of any
/// statement of `blocks`, nested ones included; C code (VERBATIM, unsupported
/// statements) counts as a hit.
fn any_expr(blocks: &[&Block], hit: &mut dyn FnMut(&Expr) -> bool) -> bool {
    let mut found = false;
    for b in blocks {
        for s in b.all_stmts() {
            let mut look = |e: &Expr| e.walk(&mut |x| found |= hit(x));
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
                StmtKind::Verbatim(_) | StmtKind::Unsupported(_) => found = true,
                _ => {}
            }
        }
    }
    found
}

/// The built-ins that draw from or reseed `scop_random`'s stream.
const RANDOM: &[&str] = &["scop_random", "set_seed", "exprand", "normrand"];

/// NET_RECEIVE holds an INITIAL block.
fn has_net_init(nr: &NetReceive) -> bool {
    nr.body
        .stmts
        .iter()
        .any(|s| matches!(s.kind, StmtKind::NetInitial(_)))
}

#[cfg(test)]
mod tests {
    use crate::compile::translate;

    fn source(breakpoint: &str) -> String {
        let src = format!(
            "NEURON {{ SUFFIX noisy NONSPECIFIC_CURRENT i RANGE amp }}\n\
             PARAMETER {{ amp = 0.001 (mA/cm2) }}\n\
             ASSIGNED {{ v (mV) i (mA/cm2) }}\n\
             BREAKPOINT {{ {breakpoint} }}\n"
        );
        translate(&src, "noisy.mod").unwrap().source
    }

    /// A file that draws from `scop_random`'s stream declares it
    /// (mech-api's `draws_random`); one that does not, does not.
    #[test]
    fn random_draws_are_declared() {
        assert!(source("i = amp * normrand(0, 1)").contains(".draws_random()"));
        assert!(source("i = amp * exprand(2)").contains(".draws_random()"));
        assert!(!source("i = amp * v").contains(".draws_random()"));
    }
}
