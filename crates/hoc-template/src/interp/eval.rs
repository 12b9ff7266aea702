//! Expressions, names and assignments: variables (locals, the instance's,
//! the top level's), range variables of the current section, arrays,
//! objects' members and calls.

use super::{kind_name, Interp, Object, Value, Var};
use crate::ast::{Assign, Expr, NameRef};
use crate::error::Result;
use std::rc::Rc;

/// Globals every template sees without `external`.
const BUILTIN_GLOBALS: [&str; 18] = [
    "celsius",
    "dt",
    "t",
    "tstop",
    "v_init",
    "secondorder",
    "steps_per_ms",
    "PI",
    "E",
    "FARADAY",
    "R",
    "DEG",
    "GAMMA",
    "PHI",
    "float_epsilon",
    "hoc_ac_",
    "nrnmainmenu_",
    "running_",
];

/// A range variable or section property.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rv {
    L,
    Diam,
    Nseg,
    Ra,
    Cm,
    V,
    Param(String, String),
    Ion(String, u8),
}

/// Where a variable lives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    Local(String),
    Inst(usize, String),
    Global(String),
}

fn ion_default(ion: &str, kind: u8) -> f64 {
    match (ion, kind) {
        ("na", b'e') => 50.0,
        ("na", b'i') => 10.0,
        ("na", _) => 140.0,
        ("k", b'e') => -77.0,
        ("k", b'i') => 54.4,
        ("k", _) => 2.5,
        ("ca", b'e') => 132.4579341637009,
        ("ca", b'i') => 5e-5,
        ("ca", _) => 2.0,
        (_, b'e') => 0.0,
        _ => 1.0,
    }
}

impl Interp<'_> {
    /// Evaluate to a number.
    pub(crate) fn num(&mut self, e: &Expr) -> Result<f64> {
        match self.eval(e)? {
            Value::Num(n) => Ok(n),
            other => self.runtime(format!("expected a number, found {}", describe(&other))),
        }
    }

    /// Evaluate to a string.
    pub(crate) fn string(&mut self, e: &Expr) -> Result<String> {
        match self.eval(e)? {
            Value::Str(s) => Ok(s),
            other => self.runtime(format!("expected a string, found {}", describe(&other))),
        }
    }

    /// Evaluate to a section.
    pub(crate) fn section_of(&mut self, e: &Expr) -> Result<usize> {
        match self.eval(e)? {
            Value::Sec(s) if self.secs[s].alive => Ok(s),
            Value::Sec(s) => self.runtime(format!("section {} was deleted", self.secs[s].name)),
            other => self.runtime(format!("expected a section, found {}", describe(&other))),
        }
    }

    pub(crate) fn slot(&self, name: &str) -> Option<Slot> {
        let f = self.frames.last().unwrap();
        if f.locals.contains_key(name) {
            return Some(Slot::Local(name.into()));
        }
        if let Some(i) = f.inst {
            if self.instances[i].vars.contains_key(name) {
                return Some(Slot::Inst(i, name.into()));
            }
            let ext = self.instances[i].externals.iter().any(|e| e == name);
            if (ext || BUILTIN_GLOBALS.contains(&name)) && self.globals.contains_key(name) {
                return Some(Slot::Global(name.into()));
            }
            return None;
        }
        self.globals
            .contains_key(name)
            .then(|| Slot::Global(name.into()))
    }

    pub(crate) fn var(&self, slot: &Slot) -> &Var {
        match slot {
            Slot::Local(n) => &self.frames.last().unwrap().locals[n],
            Slot::Inst(i, n) => &self.instances[*i].vars[n],
            Slot::Global(n) => &self.globals[n],
        }
    }

    pub(crate) fn var_mut(&mut self, slot: &Slot) -> &mut Var {
        match slot {
            Slot::Local(n) => self.frames.last_mut().unwrap().locals.get_mut(n).unwrap(),
            Slot::Inst(i, n) => self.instances[*i].vars.get_mut(n).unwrap(),
            Slot::Global(n) => self.globals.get_mut(n).unwrap(),
        }
    }

    pub(crate) fn lookup_var(&self, name: &str) -> Option<&Var> {
        self.slot(name).map(|s| self.var(&s))
    }

    /// A range variable or section property, if `name` is one.
    pub(crate) fn range_var(&self, name: &str) -> Option<Rv> {
        match name {
            "L" => return Some(Rv::L),
            "diam" => return Some(Rv::Diam),
            "nseg" => return Some(Rv::Nseg),
            "Ra" => return Some(Rv::Ra),
            "cm" => return Some(Rv::Cm),
            "v" => return Some(Rv::V),
            _ => {}
        }
        if let Some((m, k)) = self.mechs.split(name) {
            return Some(Rv::Param(m.name.clone(), m.params[k].0.clone()));
        }
        let ion = |n: &str, kind: u8| {
            (!n.is_empty() && (self.mechs.has_ion(n) || ["na", "k", "ca", "cl"].contains(&n)))
                .then(|| Rv::Ion(n.to_string(), kind))
        };
        if let Some(r) = name.strip_prefix('e').and_then(|n| ion(n, b'e')) {
            return Some(r);
        }
        if let Some(r) = name.strip_suffix('i').and_then(|n| ion(n, b'i')) {
            return Some(r);
        }
        name.strip_suffix('o').and_then(|n| ion(n, b'o'))
    }

    pub(crate) fn get_simple(&mut self, name: &str) -> Result<f64> {
        self.num(&Expr::Name(NameRef {
            name: name.into(),
            index: vec![],
            args: None,
            line: self.line,
        }))
    }

    /// Set a plain numeric variable (`for` loop variables).
    pub(crate) fn set_simple(&mut self, name: &str, v: f64) -> Result<()> {
        self.assign_name(
            &NameRef {
                name: name.into(),
                index: vec![],
                args: None,
                line: self.line,
            },
            "=",
            Value::Num(v),
        )
    }

    /// Evaluate an expression.
    pub(crate) fn eval(&mut self, e: &Expr) -> Result<Value> {
        match e {
            Expr::Num(n) => Ok(Value::Num(*n)),
            Expr::Str(s) => Ok(Value::Str(s.clone())),
            Expr::Arg(kind, n) => {
                let f = self.frames.last().unwrap();
                match f.args.get(n.wrapping_sub(1)) {
                    Some(v) => Ok(v.clone()),
                    None => self.runtime(format!(
                        "${}{n}: the procedure was called with {} arguments",
                        if *kind == 0 {
                            String::new()
                        } else {
                            (*kind as char).to_string()
                        },
                        f.args.len()
                    )),
                }
            }
            Expr::Name(nr) => self.name(nr),
            Expr::Member(base, nr) => self.member(base, nr, None),
            Expr::Interval(..) => {
                self.runtime("`x1:x2` only as the argument of a range variable on the left of `=`")
            }
            Expr::New(name, args) => self.new_object(name, args),
            Expr::Unary("&", _) => Ok(Value::Num(0.0)),
            Expr::Unary(op, a) => {
                let v = self.num(a)?;
                Ok(Value::Num(if *op == "-" {
                    -v
                } else {
                    (v == 0.0) as i32 as f64
                }))
            }
            Expr::Binary(op, a, b) => self.binary(op, a, b),
            Expr::Assign(a) => {
                self.assign(a)?;
                Ok(Value::Num(0.0))
            }
        }
    }

    fn binary(&mut self, op: &str, a: &Expr, b: &Expr) -> Result<Value> {
        if op == "&&" || op == "||" {
            let x = self.num(a)? != 0.0;
            if (op == "&&" && !x) || (op == "||" && x) {
                return Ok(Value::Num(x as i32 as f64));
            }
            return Ok(Value::Num((self.num(b)? != 0.0) as i32 as f64));
        }
        let (va, vb) = (self.eval(a)?, self.eval(b)?);
        if let (Value::Str(x), Value::Str(y)) = (&va, &vb) {
            return match op {
                "==" => Ok(Value::Num((x == y) as i32 as f64)),
                "!=" => Ok(Value::Num((x != y) as i32 as f64)),
                _ => self.runtime(format!("`{op}` on strings")),
            };
        }
        if let (Value::Obj(x), Value::Obj(y)) = (&va, &vb) {
            let same = match (x, y) {
                (Some(p), Some(q)) => Rc::ptr_eq(p, q),
                (None, None) => true,
                _ => false,
            };
            return match op {
                "==" => Ok(Value::Num(same as i32 as f64)),
                "!=" => Ok(Value::Num(!same as i32 as f64)),
                _ => self.runtime(format!("`{op}` on objects")),
            };
        }
        let (x, y) = match (va, vb) {
            (Value::Num(x), Value::Num(y)) => (x, y),
            (p, q) => {
                return self.runtime(format!(
                    "`{op}` needs numbers, found {} and {}",
                    describe(&p),
                    describe(&q)
                ))
            }
        };
        // hoc compares with a tolerance of float_epsilon.
        let eps = match self.globals.get("float_epsilon") {
            Some(Var::Num(v, _)) => v[0],
            _ => 1e-11,
        };
        let b = |c: bool| c as i32 as f64;
        Ok(Value::Num(match op {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => {
                if y == 0.0 {
                    return self.runtime("division by zero");
                }
                x / y
            }
            "%" => x - y * (x / y).floor(),
            "^" => x.powf(y),
            "==" => b((x - y).abs() <= eps),
            "!=" => b((x - y).abs() > eps),
            "<" => b(x < y - eps),
            "<=" => b(x <= y + eps),
            ">" => b(x > y + eps),
            ">=" => b(x >= y - eps),
            _ => return self.runtime(format!("operator `{op}`")),
        }))
    }

    fn index_of(&mut self, nr: &NameRef, dims: &[usize], len: usize) -> Result<usize> {
        if nr.index.is_empty() {
            return Ok(0);
        }
        if nr.index.len() != dims.len().max(1) {
            return self.runtime(format!(
                "{}: {} subscripts for {} dimensions",
                nr.name,
                nr.index.len(),
                dims.len()
            ));
        }
        let mut k = 0usize;
        for (j, e) in nr.index.iter().enumerate() {
            let i = self.num(e)?;
            let d = dims.get(j).copied().unwrap_or(len);
            if i < 0.0 || i as usize >= d {
                return self.runtime(format!(
                    "{}[{i}]: subscript out of range (size {d})",
                    nr.name
                ));
            }
            k = k * d + i as usize;
        }
        Ok(k)
    }

    // Long: the kinds of names in one place (variable, array, section,
    // range variable, call).
    fn name(&mut self, nr: &NameRef) -> Result<Value> {
        self.line = nr.line;
        let local = self.frames.last().unwrap().locals.contains_key(&nr.name);
        if !local && nr.args.is_none() && self.slot(&nr.name).is_none() {
            if let Some((m, g, default)) = self.mechs.split_global(&nr.name) {
                let v = self.mech_globals.iter().find(|(a, b, _)| a == m && b == g);
                return Ok(Value::Num(v.map_or(default, |x| x.2)));
            }
        }
        if !local {
            if let Some(rv) = self.range_var(&nr.name) {
                let x = match &nr.args {
                    Some(a) if a.len() == 1 => Some(self.num(&a[0])?),
                    Some(_) => {
                        return self
                            .runtime(format!("{}(…): one argument, the position x", nr.name))
                    }
                    None => None,
                };
                let s = self.cur()?;
                return self.range_get(s, &rv, x).map(Value::Num);
            }
        }
        let slot = self.slot(&nr.name);
        let Some(slot) = slot else {
            if nr.name == "this" {
                if let Some(i) = self.inst() {
                    return Ok(Value::Obj(Some(self.instance_obj(i))));
                }
            }
            if let Some(args) = &nr.args {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                return self.builtin(&nr.name, args, vals);
            }
            return self.runtime(format!("`{}` is not defined here", nr.name));
        };
        match self.var(&slot).clone() {
            Var::Num(v, dims) => {
                let k = self.index_of(nr, &dims, v.len())?;
                Ok(Value::Num(v[k]))
            }
            Var::Str(s) => Ok(Value::Str(s)),
            Var::Obj(v, dims) => {
                let k = self.index_of(nr, &dims, v.len())?;
                Ok(Value::Obj(v[k].clone()))
            }
            Var::Sec(ids) => {
                let k = self.index_of(nr, &[ids.len()], ids.len())?;
                let s = ids[k];
                match &nr.args {
                    None => Ok(Value::Sec(s)),
                    Some(a) if a.len() == 1 => {
                        let x = self.num(&a[0])?;
                        Ok(Value::Seg(s, x))
                    }
                    Some(_) => self.runtime(format!("{}(…): one argument", nr.name)),
                }
            }
            Var::Proc(p) => {
                let mut vals = Vec::new();
                for a in nr.args.iter().flatten() {
                    vals.push(self.eval(a)?);
                }
                self.call_proc(&p, vals)
            }
        }
    }

    pub(crate) fn instance_obj(&self, i: usize) -> super::ObjRef {
        Rc::new(std::cell::RefCell::new(Object::Instance(i)))
    }

    /// `obj.member` (or `sec.rangevar`); `set` assigns instead of reading.
    pub(crate) fn member(
        &mut self,
        base: &Expr,
        nr: &NameRef,
        set: Option<(&'static str, Value)>,
    ) -> Result<Value> {
        let b = self.eval(base)?;
        match b {
            Value::Sec(s) => {
                self.sec_stack.push(s);
                let r = match set {
                    None => self.name(nr),
                    Some((op, v)) => self.assign_name(nr, op, v).map(|_| Value::Num(0.0)),
                };
                self.sec_stack.pop();
                r
            }
            Value::Obj(Some(o)) => {
                let inst = match &*o.borrow() {
                    Object::Instance(i) => Some(*i),
                    _ => None,
                };
                match inst {
                    Some(i) => self.instance_member(i, nr, set),
                    None => self.method(&o, nr, set),
                }
            }
            Value::Obj(None) => self.runtime(format!("`.{}` of NULLobject", nr.name)),
            other => self.runtime(format!("`.{}` of {}", nr.name, describe(&other))),
        }
    }

    fn instance_member(
        &mut self,
        i: usize,
        nr: &NameRef,
        set: Option<(&'static str, Value)>,
    ) -> Result<Value> {
        if !self.instances[i].publics.iter().any(|p| p == &nr.name) {
            return self.runtime(format!(
                "`{}` is not a public member of {}",
                nr.name, self.instances[i].template
            ));
        }
        let file = self.file();
        self.frames.push(super::Frame {
            locals: Default::default(),
            args: Vec::new(),
            inst: Some(i),
            file,
        });
        let r = match set {
            None => self.name(nr),
            Some((op, v)) => self.assign_name(nr, op, v).map(|_| Value::Num(0.0)),
        };
        self.frames.pop();
        r
    }

    fn assign(&mut self, a: &Assign) -> Result<()> {
        if let Some(to) = &a.to {
            let y1 = self.num(&a.rhs)?;
            let y2 = self.num(to)?;
            return self.assign_interval(&a.lhs, a.op, y1, y2);
        }
        if let Expr::Member(base, nr) = &a.lhs {
            // `sec.var = expr`: hoc evaluates expr with sec accessed.
            if let Value::Sec(s) = self.eval(base)? {
                self.sec_stack.push(s);
                let r = self
                    .eval(&a.rhs)
                    .and_then(|v| self.assign_name(nr, a.op, v));
                self.sec_stack.pop();
                return r;
            }
        }
        let v = self.eval(&a.rhs)?;
        match &a.lhs {
            Expr::Name(nr) => self.assign_name(nr, a.op, v),
            Expr::Member(base, nr) => self.member(base, nr, Some((a.op, v))).map(|_| ()),
            Expr::Arg(_, n) => {
                let f = self.frames.last_mut().unwrap();
                if *n == 0 || *n > f.args.len() {
                    return self.runtime(format!("${n}: no such argument"));
                }
                f.args[*n - 1] = v;
                Ok(())
            }
            _ => self.runtime("the left of `=` is not something that can be assigned"),
        }
    }

    fn assign_interval(&mut self, lhs: &Expr, op: &'static str, y1: f64, y2: f64) -> Result<()> {
        let (sec, nr) = match lhs {
            Expr::Name(nr) => (None, nr),
            Expr::Member(base, nr) => (Some(self.section_of(base)?), nr),
            _ => return self.runtime("`y1:y2` needs a range variable `var(x1:x2)` on the left"),
        };
        let rv = self.range_var(&nr.name);
        let (Some(rv), Some([Expr::Interval(a, b)])) = (rv, nr.args.as_deref()) else {
            return self.runtime(format!(
                "`{} = y1:y2` needs a range variable with `(x1:x2)`",
                nr.name
            ));
        };
        let (x1, x2) = (self.num(a)?, self.num(b)?);
        let s = match sec {
            Some(s) => s,
            None => self.cur()?,
        };
        let dx = x2 - x1;
        if dx < 1e-10 {
            return self.runtime("range variable notation r(x1:x2) requires x1 < x2");
        }
        let n = self.secs[s].nseg;
        let (i1, i2) = (self.secs[s].seg(x1), self.secs[s].seg(x2) + 1);
        for i in i1..i2 {
            let x = (i as f64 + 0.5) / n as f64;
            let thet = (x - x1) / dx;
            if (-1e-9..=1.0 + 1e-9).contains(&thet) {
                let y = y1 * (1.0 - thet) + y2 * thet;
                self.range_set(s, &rv, Some(i), op, y)?;
            }
        }
        if rv == Rv::Diam && !self.secs[s].pt3d.is_empty() {
            self.secs[s].diam_to_points();
        }
        Ok(())
    }

    // Long: every kind of target of a plain name in one place.
    /// `name_mech op= y` for a mechanism GLOBAL: recorded for the cell.
    fn set_mech_global(
        &mut self,
        mech: String,
        name: String,
        default: f64,
        op: &'static str,
        y: f64,
    ) -> Result<()> {
        let at = self
            .mech_globals
            .iter()
            .position(|(m, g, _)| *m == mech && *g == name);
        let old = at.map_or(default, |k| self.mech_globals[k].2);
        let y = self.op(op, old, y)?;
        match at {
            Some(k) => self.mech_globals[k].2 = y,
            None => self.mech_globals.push((mech, name, y)),
        }
        Ok(())
    }

    pub(crate) fn assign_name(&mut self, nr: &NameRef, op: &'static str, v: Value) -> Result<()> {
        self.line = nr.line;
        let local = self.frames.last().unwrap().locals.contains_key(&nr.name);
        if !local && nr.args.is_none() && self.slot(&nr.name).is_none() {
            if let Some((m, g, default)) = self.mechs.split_global(&nr.name) {
                let (m, g) = (m.to_string(), g.to_string());
                let Value::Num(y) = v else {
                    return self.runtime(format!("{} = …: a number is needed", nr.name));
                };
                return self.set_mech_global(m, g, default, op, y);
            }
        }
        if !local {
            if let Some(rv) = self.range_var(&nr.name) {
                let y = match v {
                    Value::Num(y) => y,
                    other => {
                        return self.runtime(format!(
                            "{} = {}: a number is needed",
                            nr.name,
                            describe(&other)
                        ))
                    }
                };
                let s = self.cur()?;
                let seg = match &nr.args {
                    None => None,
                    Some(a) if a.len() == 1 => {
                        let x = self.num(&a[0])?;
                        if !(0.0..=1.0).contains(&x) {
                            return self.runtime("range variable domain is 0<=x<=1");
                        }
                        Some(self.secs[s].seg(x))
                    }
                    Some(_) => return self.runtime(format!("{}(…): one argument", nr.name)),
                };
                self.range_set(s, &rv, seg, op, y)?;
                if rv == Rv::Diam && !self.secs[s].pt3d.is_empty() {
                    self.secs[s].diam_to_points();
                }
                return Ok(());
            }
        }
        let slot = match self.slot(&nr.name) {
            Some(s) => s,
            None => {
                if !nr.index.is_empty() {
                    return self.runtime(format!("`{}` is not an array", nr.name));
                }
                let var = match &v {
                    Value::Num(_) => Var::Num(vec![0.0], vec![]),
                    Value::Str(_) => Var::Str(String::new()),
                    Value::Obj(_) => {
                        return self.runtime(format!(
                            "`{}` must be declared with objref before it holds an object",
                            nr.name
                        ))
                    }
                    _ => {
                        return self.runtime(format!("`{}`: a section cannot be assigned", nr.name))
                    }
                };
                self.declare(&nr.name, var);
                self.slot(&nr.name).expect("just declared")
            }
        };
        let var = self.var(&slot).clone();
        match (var, v) {
            (Var::Num(vals, dims), Value::Num(y)) => {
                let k = self.index_of(nr, &dims, vals.len())?;
                let old = vals[k];
                let y = self.op(op, old, y)?;
                if let Var::Num(vals, _) = self.var_mut(&slot) {
                    vals[k] = y;
                }
                Ok(())
            }
            (Var::Str(_), Value::Str(s)) if op == "=" => {
                *self.var_mut(&slot) = Var::Str(s);
                Ok(())
            }
            (Var::Obj(vals, dims), Value::Obj(o)) if op == "=" => {
                let k = self.index_of(nr, &dims, vals.len())?;
                if let Var::Obj(vals, _) = self.var_mut(&slot) {
                    vals[k] = o;
                }
                Ok(())
            }
            (Var::Obj(..), Value::Num(n)) if n == 0.0 && op == "=" => {
                // `objref = 0`? hoc refuses; keep NEURON's complaint.
                self.runtime(format!(
                    "`{}` is an object reference; a number cannot be assigned",
                    nr.name
                ))
            }
            (var, v) => self.runtime(format!(
                "`{}` ({}) cannot be assigned {}",
                nr.name,
                var_kind(&var),
                describe(&v)
            )),
        }
    }

    pub(crate) fn op(&self, op: &str, old: f64, y: f64) -> Result<f64> {
        Ok(match op {
            "=" => y,
            "+=" => old + y,
            "-=" => old - y,
            "*=" => old * y,
            "/=" => {
                if y == 0.0 {
                    return self.runtime("division by zero");
                }
                old / y
            }
            _ => unreachable!("assignment operators are fixed by the parser"),
        })
    }

    fn range_get(&self, s: usize, rv: &Rv, x: Option<f64>) -> Result<f64> {
        let sec = &self.secs[s];
        let k = sec.seg(x.unwrap_or(0.5));
        Ok(match rv {
            Rv::L => sec.l(),
            Rv::Nseg => sec.nseg as f64,
            Rv::Ra => sec.ra,
            Rv::Cm => sec.cm[k],
            Rv::V => -65.0,
            Rv::Diam => {
                if sec.pt3d.is_empty() {
                    sec.diam[k]
                } else {
                    sec.diam_from_points()[k]
                }
            }
            Rv::Param(m, p) => match sec.mechs.iter().find(|q| &q.name == m) {
                Some(q) => {
                    q.params
                        .iter()
                        .find(|(n, _)| n == p)
                        .expect("all parameters")
                        .1[k]
                }
                None => {
                    return self.runtime(format!(
                        "{p}_{m}: {m} mechanism not inserted in section {}",
                        self.secname(s)
                    ))
                }
            },
            Rv::Ion(ion, kind) => match sec.ions.iter().find(|i| &i.name == ion) {
                Some(i) => {
                    let v = match kind {
                        b'e' => &i.e,
                        b'i' => &i.ci,
                        _ => &i.co,
                    };
                    v.as_ref().map_or(ion_default(ion, *kind), |v| v[k])
                }
                None => {
                    return self.runtime(format!(
                        "{ion}_ion mechanism not inserted in section {}",
                        self.secname(s)
                    ))
                }
            },
        })
    }

    /// Set a range variable in one segment or (`None`) all.
    fn range_set(&mut self, s: usize, rv: &Rv, seg: Option<usize>, op: &str, y: f64) -> Result<()> {
        let n = self.secs[s].nseg;
        let segs: Vec<usize> = match seg {
            Some(k) => vec![k],
            None => (0..n).collect(),
        };
        match rv {
            Rv::L | Rv::Nseg | Rv::Ra => {
                let old = self.range_get(s, rv, None)?;
                let y = self.op(op, old, y)?;
                let sec = &mut self.secs[s];
                match rv {
                    Rv::L => {
                        if y <= 0.0 {
                            return self.runtime(format!("L = {y}: must be > 0"));
                        }
                        if sec.pt3d.is_empty() {
                            sec.length = y;
                        } else {
                            sec.scale_length(y);
                        }
                    }
                    Rv::Nseg => {
                        if !(1.0..=32767.0).contains(&y) {
                            return self.runtime(format!("nseg = {y}: must be 1..32767"));
                        }
                        sec.set_nseg(y as usize);
                    }
                    _ => sec.ra = y,
                }
                return Ok(());
            }
            Rv::V => return Ok(()),
            _ => {}
        }
        for k in segs {
            let old = self
                .range_get(s, rv, Some((k as f64 + 0.5) / n as f64))
                .or_else(|e| match rv {
                    Rv::Diam => Ok(self.secs[s].diam[k]),
                    _ => Err(e),
                })?;
            let y = self.op(op, old, y)?;
            let sec = &mut self.secs[s];
            match rv {
                Rv::Cm => sec.cm[k] = y,
                Rv::Diam => sec.diam[k] = y,
                Rv::Param(m, p) => {
                    let q = sec
                        .mechs
                        .iter_mut()
                        .find(|q| &q.name == m)
                        .expect("checked by range_get");
                    q.params
                        .iter_mut()
                        .find(|(n, _)| n == p)
                        .expect("all parameters")
                        .1[k] = y;
                }
                Rv::Ion(ion, kind) => {
                    let i = sec
                        .ions
                        .iter_mut()
                        .find(|i| &i.name == ion)
                        .expect("checked by range_get");
                    let v = match kind {
                        b'e' => &mut i.e,
                        b'i' => &mut i.ci,
                        _ => &mut i.co,
                    };
                    v.get_or_insert_with(|| vec![ion_default(ion, *kind); n])[k] = y;
                }
                _ => unreachable!("handled above"),
            }
        }
        Ok(())
    }

    fn new_object(&mut self, name: &str, args: &[Expr]) -> Result<Value> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.eval(a)?);
        }
        let obj = match name {
            "SectionList" => Object::SectionList(Vec::new()),
            "Vector" => {
                let n = match vals.first() {
                    Some(Value::Num(n)) => *n as usize,
                    _ => 0,
                };
                let fill = match vals.get(1) {
                    Some(Value::Num(v)) => *v,
                    _ => 0.0,
                };
                Object::Vector(vec![fill; n])
            }
            "List" => Object::List(Vec::new()),
            _ if self.templates.contains_key(name) => {
                let i = self.instantiate(name, vals)?;
                Object::Instance(i)
            }
            _ if self.mechs.points.iter().any(|p| p == name) || OPAQUE.contains(&name) => {
                Object::Opaque(name.to_string())
            }
            _ => return self.unsupported(format!("new {name}"), "only SectionList, Vector, List, templates of the loaded files, and point processes (dropped) are supported"),
        };
        Ok(Value::Obj(Some(Rc::new(std::cell::RefCell::new(obj)))))
    }
}

/// NEURON classes a template may create that are not part of the cell.
const OPAQUE: [&str; 14] = [
    "IClamp",
    "SEClamp",
    "VClamp",
    "ExpSyn",
    "Exp2Syn",
    "AlphaSynapse",
    "NetCon",
    "NetStim",
    "VecStim",
    "Random",
    "StringFunctions",
    "PointProcessMark",
    "APCount",
    "Impedance",
];

pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Num(n) => format!("the number {n}"),
        Value::Str(s) => format!("the string \"{s}\""),
        Value::Obj(None) => "NULLobject".into(),
        Value::Obj(Some(o)) => format!("a {}", kind_name(&o.borrow())),
        Value::Sec(_) => "a section".into(),
        Value::Seg(..) => "a section location".into(),
    }
}

fn var_kind(v: &Var) -> &'static str {
    match v {
        Var::Num(..) => "a number",
        Var::Str(_) => "a strdef",
        Var::Obj(..) => "an objref",
        Var::Sec(..) => "a section",
        Var::Proc(_) => "a procedure",
    }
}
