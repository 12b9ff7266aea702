//! Semantic model of a mod file: what every name is (parameter, state, ion
//! variable, global, constant, …), the mechanism's fields and globals as the
//! synaptune ABI lists them, its ions and currents.
//!
//! nocmodl's rules, as far as the generated numbers are concerned:
//!
//! * a PARAMETER is per instance when it is RANGE, otherwise a GLOBAL (settable
//!   per mechanism type); its default is the value printed with `%g` (six
//!   significant digits), which is what NEURON uses;
//! * an ASSIGNED is per instance unless declared GLOBAL (then one value per type);
//! * STATEs are per instance and start at 0 (or `START`) before INITIAL;
//! * USEION variables are per-instance copies loaded from the ion at the start of
//!   INITIAL, BREAKPOINT and the state update, written concentrations and reversal
//!   potentials are stored back at the end;
//! * `v`, `t`, `dt`, `celsius` are the simulator's.

use crate::ast::*;
use crate::{units, Diagnostic};
use std::collections::{HashMap, HashSet};

/// A per-instance field or a global, as listed in the catalogue.
#[derive(Debug, Clone)]
pub struct FieldDecl {
    /// Name.
    pub name: String,
    /// Units.
    pub units: String,
    /// 0 parameter, 1 state, 2 assigned (mech-api's FieldKind codes).
    pub kind: u8,
    /// Default value.
    pub default: f64,
    /// Limits.
    pub limits: Option<(f64, f64)>,
}

/// What a name refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Var {
    /// Per-instance field `idx`.
    Field(usize),
    /// ABI global `idx`.
    Global(usize),
    /// A per-type value kept in scratch slot `idx` (GLOBAL ASSIGNED, top LOCAL).
    Scratch(usize),
    /// A constant (a Rust expression).
    Const(String),
    /// `v`, `t`, `dt`, `celsius`, `secondorder`, `area`.
    Special(&'static str),
    /// A POINTER: synaptune cannot set one yet, so using it is a run-time error.
    Pointer,
}

/// Which ion quantity a variable is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IonVar {
    /// `e<ion>`
    E,
    /// `<ion>i`
    Ci,
    /// `<ion>o`
    Co,
    /// `i<ion>`
    I,
}

/// One USEION.
#[derive(Debug, Clone)]
pub struct IonModel {
    /// Ion name.
    pub name: String,
    /// Charge.
    pub valence: i32,
    /// ABI flags.
    pub flags: u32,
    /// Variables loaded from the ion (name, quantity).
    pub loads: Vec<(String, IonVar)>,
    /// Concentrations / reversal potentials written back.
    pub stores: Vec<(String, IonVar)>,
    /// The ionic current written, if any.
    pub current: Option<String>,
}

/// FUNCTION/PROCEDURE signature.
#[derive(Debug, Clone)]
pub struct FuncInfo {
    /// Number of arguments.
    pub nargs: usize,
    /// FUNCTION.
    pub is_function: bool,
}

/// The semantic model.
#[derive(Debug)]
pub struct Model {
    /// Mod file name.
    pub file: String,
    /// Mechanism name.
    pub name: String,
    /// Kind.
    pub kind: MechKind,
    /// ELECTRODE_CURRENT.
    pub electrode: bool,
    /// Fields in storage order.
    pub fields: Vec<FieldDecl>,
    /// ABI globals.
    pub globals: Vec<FieldDecl>,
    /// Which globals mod code assigns.
    pub assigned_globals: HashSet<usize>,
    /// Scratch-held per-type values (names).
    pub scratch_vars: Vec<String>,
    /// Name resolution.
    pub vars: HashMap<String, Var>,
    /// Constants: (name, Rust expression).
    pub consts: Vec<(String, String)>,
    /// Ions in slot order.
    pub ions: Vec<IonModel>,
    /// Currents summed by BREAKPOINT, in declaration order: (variable, ion slot).
    pub currents: Vec<(String, Option<usize>)>,
    /// Non-ion STATEs with their initial value (`x0`).
    pub states: Vec<(String, f64)>,
    /// FUNCTIONs and PROCEDUREs.
    pub funcs: HashMap<String, FuncInfo>,
    /// The parse tree.
    pub module: Module,
    /// Errors.
    pub errors: Vec<Diagnostic>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// `%g` then back to a double: nocmodl's printing of PARAMETER defaults.
pub fn pct_g(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{:.5e}", x).parse().unwrap_or(x)
}

/// The variable `name` of ion `ion`, if it is one.
pub fn ion_var(ion: &str, name: &str) -> Option<IonVar> {
    if name == format!("e{ion}") {
        Some(IonVar::E)
    } else if name == format!("{ion}i") {
        Some(IonVar::Ci)
    } else if name == format!("{ion}o") {
        Some(IonVar::Co)
    } else if name == format!("i{ion}") {
        Some(IonVar::I)
    } else {
        None
    }
}

fn default_valence(ion: &str) -> Option<i32> {
    match ion {
        "na" | "k" => Some(1),
        "ca" => Some(2),
        "cl" => Some(-1),
        _ => None,
    }
}

const SPECIALS: &[&str] = &["v", "t", "dt", "celsius", "secondorder"];

fn parse_num(s: &str) -> f64 {
    s.parse::<f64>().unwrap_or(0.0)
}

/// Build the model; errors are collected in [`Model::errors`].
pub fn build(module: Module, file: &str) -> Model {
    let mut b = Builder::new(file);
    b.untranslatable(&module);
    let nb = b.neuron_block(&module);
    let name = b.kind_and_name(&nb);
    let ions = b.ions(&nb);
    b.pointers(&nb);
    b.constants(&module);
    b.arrays(&module);
    b.parameters(&module, &nb);
    b.assigned(&module, &nb);
    b.ion_fields(&module, &nb);
    let states = b.states(&module);
    let currents = b.currents(&nb);
    b.per_type_and_specials(&module, &nb);
    let funcs = b.funcs(&module);
    b.whole_file_checks(&module, &nb);
    Model {
        file: file.to_string(),
        name,
        kind: b.kind,
        electrode: nb.electrode,
        fields: b.fields,
        globals: b.globals,
        assigned_globals: HashSet::new(),
        scratch_vars: b.scratch_vars,
        vars: b.vars,
        consts: b.consts,
        ions,
        currents,
        states,
        funcs,
        module,
        errors: b.errors,
        warnings: b.warnings,
    }
}

/// What [`build`] collects, one step per declaration kind.
struct Builder<'f> {
    file: &'f str,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    kind: MechKind,
    vars: HashMap<String, Var>,
    fields: Vec<FieldDecl>,
    globals: Vec<FieldDecl>,
    scratch_vars: Vec<String>,
    consts: Vec<(String, String)>,
    /// Names declared so far (the first declaration wins).
    declared: HashSet<String>,
    /// USEION variables: (ion slot, quantity).
    ion_names: HashMap<String, (usize, IonVar)>,
}

fn limits(d: &VarDecl) -> Option<(f64, f64)> {
    d.limits
        .as_ref()
        .map(|(a, b)| (pct_g(parse_num(a)), pct_g(parse_num(b))))
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Builder<'f> {
        Builder {
            file,
            errors: Vec::new(),
            warnings: Vec::new(),
            kind: MechKind::Density,
            vars: HashMap::new(),
            fields: Vec::new(),
            globals: Vec::new(),
            scratch_vars: Vec::new(),
            consts: Vec::new(),
            declared: HashSet::new(),
            ion_names: HashMap::new(),
        }
    }

    fn err(&mut self, line: Line, msg: String) {
        self.errors.push(Diagnostic::new(self.file, line, msg));
    }

    fn warn(&mut self, line: Line, msg: impl Into<String>) {
        self.warnings.push(Diagnostic::new(self.file, line, msg));
    }

    fn add_field(&mut self, f: FieldDecl) {
        self.vars
            .insert(f.name.clone(), Var::Field(self.fields.len()));
        self.fields.push(f);
    }

    fn is_special(&self, n: &str) -> bool {
        SPECIALS.contains(&n) || (n == "area" && self.kind == MechKind::Point)
    }

    /// What the parser recorded as not supported, and VERBATIM blocks anywhere
    /// (only `return;` is translated).
    fn untranslatable(&mut self, module: &Module) {
        for (l, what) in &module.unsupported {
            self.err(*l, what.clone());
        }
        for b in module.all_blocks() {
            for s in b.all_stmts() {
                if let StmtKind::Verbatim(t) = &s.kind {
                    if crate::harmless_verbatim(t).is_none() && crate::ion_rereads(t).is_none() {
                        self.err(s.line, crate::verbatim_message(t));
                    }
                }
            }
        }
    }

    /// The NEURON block (an empty one, and an error, when there is none).
    fn neuron_block(&mut self, module: &Module) -> NeuronBlock {
        match &module.neuron {
            Some(nb) => nb.clone(),
            None => {
                self.err(1, "no NEURON block".into());
                NeuronBlock {
                    line: 1,
                    ..NeuronBlock::default()
                }
            }
        }
    }

    /// SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL: sets the kind, returns the name.
    fn kind_and_name(&mut self, nb: &NeuronBlock) -> String {
        let (kind, name) = match &nb.kind {
            Some((k, n, _)) => (*k, n.clone()),
            None => {
                self.err(
                    nb.line,
                    "the NEURON block declares no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL".into(),
                );
                (MechKind::Density, "unnamed".into())
            }
        };
        self.kind = kind;
        name
    }

    /// The USEIONs: valence, ABI flags, which variables are loaded and stored.
    fn ions(&mut self, nb: &NeuronBlock) -> Vec<IonModel> {
        let mut ions = Vec::new();
        for (slot, u) in nb.useions.iter().enumerate() {
            let valence = match u.valence {
                Some(z) => z as i32,
                None => match default_valence(&u.ion) {
                    Some(z) => z,
                    None => {
                        self.err(
                            u.line,
                            format!(
                                "USEION {} needs a VALENCE, here or in another file of the folder (synaptune knows na, k, ca, cl)",
                                u.ion
                            ),
                        );
                        1
                    }
                },
            };
            let mut im = IonModel {
                name: u.ion.clone(),
                valence,
                flags: 0,
                loads: Vec::new(),
                stores: Vec::new(),
                current: None,
            };
            for (names, write) in [(&u.read, false), (&u.write, true)] {
                for n in names {
                    let iv = match ion_var(&u.ion, n) {
                        Some(iv) => iv,
                        None => {
                            self.err(
                                u.line,
                                format!(
                                    "`{n}` is not a variable of ion {} (e{0}, {0}i, {0}o, i{0})",
                                    u.ion
                                ),
                            );
                            continue;
                        }
                    };
                    self.ion_names.insert(n.clone(), (slot, iv));
                    use_ion_var(&mut im, n, iv, write);
                }
            }
            ions.push(im);
        }
        ions
    }

    /// CONSTANTs and UNITS factors, and `PI`.
    fn constants(&mut self, module: &Module) {
        for c in &module.constants {
            match &c.value {
                Some(v) => {
                    let x = parse_num(v);
                    self.consts.push((c.name.clone(), lit(x)));
                    self.vars.insert(c.name.clone(), Var::Const(lit(x)));
                }
                None => self.err(c.line, format!("CONSTANT `{}` has no value", c.name)),
            }
        }
        for u in &module.unit_factors {
            let x = if u.is_number {
                Ok(parse_num(&u.from))
            } else {
                units::factor(&u.from, &u.to)
            };
            match x {
                Ok(x) => {
                    self.consts.push((u.name.clone(), lit(x)));
                    self.vars.insert(u.name.clone(), Var::Const(lit(x)));
                }
                Err(e) => self.err(u.line, format!("UNITS factor `{}`: {e}", u.name)),
            }
        }
        if !self.vars.contains_key("PI") {
            self.vars
                .insert("PI".into(), Var::Const(lit(std::f64::consts::PI)));
        }
    }

    /// Array variables are not supported.
    fn arrays(&mut self, module: &Module) {
        for d in module
            .parameters
            .iter()
            .chain(&module.assigned)
            .chain(&module.states)
        {
            if let Some(n) = d.array {
                self.err(
                    d.line,
                    format!("array variable `{}[{n}]` is not supported", d.name),
                );
            }
        }
    }

    /// Whether a PARAMETER or ASSIGNED declaration is skipped: `v`, `t`, …, ion
    /// variables (their fields come with the ions) and second declarations.
    fn skip_declaration(&mut self, d: &VarDecl) -> bool {
        self.is_special(&d.name)
            || self.ion_names.contains_key(&d.name)
            || !self.declared.insert(d.name.clone())
    }

    /// POINTERs: declared first, so their PARAMETER/ASSIGNED declarations (which
    /// nocmodl also allows) add no field.
    fn pointers(&mut self, nb: &NeuronBlock) {
        for (n, line) in &nb.pointers {
            if self.is_special(n)
                || self.ion_names.contains_key(n)
                || !self.declared.insert(n.clone())
            {
                self.err(
                    *line,
                    format!("POINTER `{n}` is already declared otherwise"),
                );
                continue;
            }
            self.vars.insert(n.clone(), Var::Pointer);
        }
    }

    /// PARAMETERs: per instance when RANGE, otherwise ABI globals.
    fn parameters(&mut self, module: &Module, nb: &NeuronBlock) {
        for d in &module.parameters {
            if self.skip_declaration(d) {
                continue;
            }
            let default = pct_g(d.value.as_deref().map(parse_num).unwrap_or(0.0));
            let fd = FieldDecl {
                name: d.name.clone(),
                units: d.units.clone(),
                kind: 0,
                default,
                limits: limits(d),
            };
            if nb.range.contains(&d.name) && !nb.global.contains(&d.name) {
                self.add_field(fd);
            } else {
                self.vars
                    .insert(d.name.clone(), Var::Global(self.globals.len()));
                self.globals.push(fd);
            }
        }
    }

    /// ASSIGNEDs: per instance, or one scratch value per type when GLOBAL.
    fn assigned(&mut self, module: &Module, nb: &NeuronBlock) {
        for d in &module.assigned {
            if self.skip_declaration(d) {
                continue;
            }
            if nb.global.contains(&d.name) {
                self.vars
                    .insert(d.name.clone(), Var::Scratch(self.scratch_vars.len()));
                self.scratch_vars.push(d.name.clone());
            } else {
                self.add_field(assigned_field(&d.name, &d.units));
            }
        }
    }

    /// Ion variables are per-instance fields (those declared STATE are state
    /// fields, added with the STATEs).
    fn ion_fields(&mut self, module: &Module, nb: &NeuronBlock) {
        let state_names: HashSet<&str> = module.states.iter().map(|d| d.name.as_str()).collect();
        let mut ion_seen = HashSet::new();
        for u in &nb.useions {
            for n in u.read.iter().chain(&u.write) {
                if !self.ion_names.contains_key(n)
                    || !ion_seen.insert(n.clone())
                    || state_names.contains(n.as_str())
                {
                    continue;
                }
                let decl = module
                    .parameters
                    .iter()
                    .chain(&module.assigned)
                    .find(|d| d.name == *n);
                self.declared.insert(n.clone());
                let units = decl.map(|d| d.units.clone()).unwrap_or_default();
                self.add_field(assigned_field(n, &units));
            }
        }
    }

    /// STATEs: state fields; those that are not ion variables start at `START`
    /// (or 0) before INITIAL.
    fn states(&mut self, module: &Module) -> Vec<(String, f64)> {
        let mut states = Vec::new();
        for d in &module.states {
            if self.is_special(&d.name) {
                self.err(d.line, format!("`{}` cannot be a STATE", d.name));
                continue;
            }
            if !self.declared.insert(d.name.clone()) {
                self.err(d.line, format!("`{}` is declared twice", d.name));
                continue;
            }
            self.add_field(FieldDecl {
                name: d.name.clone(),
                units: d.units.clone(),
                kind: 1,
                default: 0.0,
                limits: None,
            });
            if !self.ion_names.contains_key(&d.name) {
                states.push((
                    d.name.clone(),
                    pct_g(d.start.as_deref().map(parse_num).unwrap_or(0.0)),
                ));
            }
        }
        states
    }

    /// The currents BREAKPOINT sums, with their ion slots.
    fn currents(&mut self, nb: &NeuronBlock) -> Vec<(String, Option<usize>)> {
        let mut currents = Vec::new();
        for c in &nb.currents {
            let slot = c
                .ion
                .as_ref()
                .and_then(|ion| nb.useions.iter().position(|u| u.ion == *ion));
            // Ion copies are always fields; other undeclared currents become ones.
            if !self.vars.contains_key(&c.name) && !self.ion_names.contains_key(&c.name) {
                self.warn(
                    nb.line,
                    format!(
                        "current `{}` is not declared ASSIGNED; assuming it is",
                        c.name
                    ),
                );
                self.add_field(assigned_field(&c.name, ""));
            }
            if !matches!(self.vars.get(&c.name), Some(Var::Field(_))) {
                self.err(
                    nb.line,
                    format!("current `{}` must be a RANGE ASSIGNED variable", c.name),
                );
            }
            currents.push((c.name.clone(), slot));
        }
        if nb.electrode && currents.iter().any(|(_, s)| s.is_some()) {
            self.err(
                nb.line,
                "ELECTRODE_CURRENT together with ionic currents is not supported".into(),
            );
        }
        if self.kind == MechKind::Artificial && !currents.is_empty() {
            self.err(nb.line, "an ARTIFICIAL_CELL cannot have currents".into());
        }
        currents
    }

    /// Top-level LOCALs (per-type values), the simulator's variables, and the
    /// RANGE/GLOBAL names declared nowhere (nocmodl ignores them).
    fn per_type_and_specials(&mut self, module: &Module, nb: &NeuronBlock) {
        for (n, _) in &module.top_locals {
            self.vars
                .insert(n.clone(), Var::Scratch(self.scratch_vars.len()));
            self.scratch_vars.push(n.clone());
        }
        for s in SPECIALS {
            self.vars.insert(s.to_string(), Var::Special(s));
        }
        if self.kind == MechKind::Point {
            self.vars.insert("area".into(), Var::Special("area"));
        }
        for n in nb.range.iter().chain(&nb.global) {
            if !self.vars.contains_key(n) {
                self.warn(
                    nb.line,
                    format!("`{n}` is listed in the NEURON block but never declared; ignored"),
                );
            }
        }
    }

    /// FUNCTIONs and PROCEDUREs by name.
    fn funcs(&mut self, module: &Module) -> HashMap<String, FuncInfo> {
        let mut funcs = HashMap::new();
        for f in &module.funcs {
            let info = FuncInfo {
                nargs: f.args.len(),
                is_function: f.is_function,
            };
            if funcs.insert(f.name.clone(), info).is_some() {
                self.err(f.line, format!("`{}` is defined twice", f.name));
            }
        }
        funcs
    }

    /// A mechanism that does nothing; NET_RECEIVE in a SUFFIX mechanism.
    fn whole_file_checks(&mut self, module: &Module, nb: &NeuronBlock) {
        if module.initial.is_none()
            && module.breakpoint.is_none()
            && module.net_receive.is_none()
            && self.errors.is_empty()
        {
            self.warn(
                nb.line,
                "the mechanism does nothing (no INITIAL, BREAKPOINT or NET_RECEIVE)",
            );
        }
        if let (MechKind::Density, Some(nr)) = (self.kind, &module.net_receive) {
            self.err(nr.line, "a SUFFIX mechanism cannot have NET_RECEIVE".into());
        }
    }
}

/// A per-instance ASSIGNED field.
fn assigned_field(name: &str, units: &str) -> FieldDecl {
    FieldDecl {
        name: name.to_string(),
        units: units.to_string(),
        kind: 2,
        default: 0.0,
        limits: None,
    }
}

/// Record that a USEION reads or writes ion variable `n`: its ABI flag, and
/// whether it is loaded, stored, or the ionic current.
fn use_ion_var(im: &mut IonModel, n: &str, iv: IonVar, write: bool) {
    im.flags |= match (iv, write) {
        (IonVar::E, false) => 1,
        (IonVar::Ci, false) => 2,
        (IonVar::Co, false) => 4,
        (IonVar::I, false) => 128,
        (IonVar::I, true) => 8,
        (IonVar::Ci, true) => 16,
        (IonVar::Co, true) => 32,
        (IonVar::E, true) => 64,
    };
    if write {
        if iv == IonVar::I {
            im.current = Some(n.to_string());
        } else {
            if !im.loads.iter().any(|(x, _)| x == n) {
                im.loads.push((n.to_string(), iv));
            }
            im.stores.push((n.to_string(), iv));
        }
    } else if !im.loads.iter().any(|(x, _)| x == n) {
        im.loads.push((n.to_string(), iv));
    }
}

/// A Rust literal for a double that reads back to exactly `x`.
pub fn lit(x: f64) -> String {
    if x.is_nan() {
        "f64::NAN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "f64::INFINITY"
        } else {
            "f64::NEG_INFINITY"
        }
        .into()
    } else {
        let s = format!("{x:?}");
        if x < 0.0 || (x == 0.0 && x.is_sign_negative()) {
            format!("({s}f64)")
        } else {
            format!("{s}f64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_g_defaults() {
        assert_eq!(pct_g(2.857142857142857e-05), 2.85714e-05);
        assert_eq!(pct_g(1.23456789012), 1.23457);
        assert_eq!(pct_g(0.000123456789), 0.000123457);
        assert_eq!(pct_g(-46.08), -46.08);
        assert_eq!(pct_g(96489.0), 96489.0);
    }

    #[test]
    fn literals_read_back() {
        for x in [0.1, 1e-300, 2.85714e-05, -3.5, 100.0, 1e16, 0.0] {
            let s = lit(x);
            let t = s
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim_end_matches("f64");
            assert_eq!(t.parse::<f64>().unwrap(), x, "{s}");
        }
    }
}
