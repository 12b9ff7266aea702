//! TABLE, as NEURON builds it: `check_<f>` rebuilds the table when a DEPEND
//! changed (n+1 points by `x += dx`), `u_<f>` looks a value up (clamped,
//! interpolated) or calls the function itself when `usetable` is 0.

use super::{Ctx, Gen, Scope, TableInfo};
use crate::model::lit;

impl Gen<'_> {
    /// `check_tables` (every table's check), then each table's check and lookup.
    pub(super) fn emit_tables(&mut self) {
        let mut names: Vec<String> = self.tables.keys().cloned().collect();
        names.sort();
        self.line("fn check_tables(&mut self) {");
        for n in &names {
            self.line(&format!("    self.check_{n}();"));
        }
        self.line("}");
        for n in names {
            let t = self.tables[&n].clone();
            self.emit_table_check(&n, &t);
            if t.is_function {
                self.emit_function_lookup(&n, &t);
            } else {
                self.emit_procedure_lookup(&n, &t);
            }
        }
    }

    /// `check_<f>`: rebuild the table when it was never built or a DEPEND changed.
    fn emit_table_check(&mut self, n: &str, t: &TableInfo) {
        let base = t.base;
        let npts = t.with as usize + 1;
        let vals = t.vals();
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
    }

    /// `u_<f>` of a FUNCTION: the tabulated value (clamped at the ends,
    /// interpolated between points), or the function when `usetable` is 0.
    fn emit_function_lookup(&mut self, n: &str, t: &TableInfo) {
        let base = t.base;
        let vals = t.vals();
        let last = t.with as usize;
        self.lookup_start(n, base, &[format!("return self.f_{n}(l_x);")]);
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
    }

    /// `u_<f>` of a PROCEDURE: each tabulated variable set from the table, or the
    /// procedure called when `usetable` is 0.
    fn emit_procedure_lookup(&mut self, n: &str, t: &TableInfo) {
        let base = t.base;
        let npts = t.with as usize + 1;
        let vals = t.vals();
        let last = t.with as usize;
        let sc = Scope::new(Ctx::Procedure);
        self.lookup_start(
            n,
            base,
            &[format!("self.f_{n}(l_x);"), "return 0.0;".into()],
        );
        let targets: Vec<String> = t.vars.iter().map(|v| self.assign_ref(v, 0, &sc)).collect();
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

    /// The start of `u_<f>`: without the table (`usetable` 0) the lines
    /// `untabulated`, then `xi`, the position of `l_x` in the table.
    fn lookup_start(&mut self, n: &str, base: usize, untabulated: &[String]) {
        self.line(&format!("fn u_{n}(&mut self, l_x: f64) -> f64 {{"));
        self.indent += 1;
        self.line("if self.g[G_usetable] == 0.0 {");
        for l in untabulated {
            self.line(&format!("    {l}"));
        }
        self.line("}");
        self.line(&format!(
            "let (tmin, mfac) = (self.p.scratch()[{}], self.p.scratch()[{}]);",
            base + 1,
            base + 2
        ));
        self.line("let xi = mfac * (l_x - tmin);");
    }
}

impl TableInfo {
    /// Where the values start in the scratch storage (after the built flag,
    /// `tmin`, `mfac` and the DEPEND values).
    fn vals(&self) -> usize {
        self.base + 3 + self.depend.len()
    }
}
