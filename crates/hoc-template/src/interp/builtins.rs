//! Built-in functions (math, strings, sections, pt3d, `distance`, files) and
//! the methods of `SectionList`, `Vector` and `List`.

use super::eval::describe;
use super::{format, regex, Interp, ObjRef, Object, Value};
use crate::ast::{Expr, NameRef};
use crate::error::Result;
use crate::shape;

/// Library files NEURON ships: loading them changes nothing a cell holds.
const LIBRARY: [&str; 6] = [
    "stdrun.hoc",
    "nrngui.hoc",
    "import3d.hoc",
    "stdlib.hoc",
    "stdgui.hoc",
    "noload.hoc",
];

impl Interp<'_> {
    fn nums(&self, name: &str, vals: &[Value], n: usize) -> Result<Vec<f64>> {
        if vals.len() < n {
            return self.runtime(format!("{name}: needs {n} arguments, given {}", vals.len()));
        }
        vals.iter()
            .take(n)
            .map(|v| match v {
                Value::Num(x) => Ok(*x),
                other => self.runtime(format!(
                    "{name}: expected a number, found {}",
                    describe(other)
                )),
            })
            .collect()
    }

    // Long: the table of built-in functions.
    pub(crate) fn builtin(&mut self, name: &str, args: &[Expr], vals: Vec<Value>) -> Result<Value> {
        let math1: Option<fn(f64) -> f64> = match name {
            "sin" => Some(f64::sin),
            "cos" => Some(f64::cos),
            "tan" => Some(f64::tan),
            "atan" => Some(f64::atan),
            "exp" => Some(f64::exp),
            "log" => Some(f64::ln),
            "log10" => Some(f64::log10),
            "sqrt" => Some(f64::sqrt),
            "abs" | "fabs" => Some(f64::abs),
            "int" => Some(f64::trunc),
            "floor" => Some(f64::floor),
            "ceil" => Some(f64::ceil),
            "tanh" => Some(f64::tanh),
            "sinh" => Some(f64::sinh),
            "cosh" => Some(f64::cosh),
            "asin" => Some(f64::asin),
            "acos" => Some(f64::acos),
            _ => None,
        };
        if let Some(f) = math1 {
            let x = self.nums(name, &vals, 1)?[0];
            return Ok(Value::Num(f(x)));
        }
        let num = |x: f64| Ok(Value::Num(x));
        match name {
            "atan2" | "pow" => {
                let v = self.nums(name, &vals, 2)?;
                num(if name == "atan2" {
                    v[0].atan2(v[1])
                } else {
                    v[0].powf(v[1])
                })
            }
            "printf" | "sprint" => {
                let k = (name == "sprint") as usize;
                let fmt = match vals.get(k) {
                    Some(Value::Str(s)) => s.clone(),
                    _ => return self.runtime(format!("{name}: the format must be a string")),
                };
                let s = match format::sprintf(&fmt, &vals[k + 1..]) {
                    Ok(s) => s,
                    Err(m) => return self.runtime(format!("{name}: {m}")),
                };
                if name == "printf" {
                    return num(s.len() as f64);
                }
                match &args[0] {
                    Expr::Name(nr) => self.assign_name(nr, "=", Value::Str(s))?,
                    Expr::Member(b, nr) => {
                        self.member(b, nr, Some(("=", Value::Str(s))))?;
                    }
                    _ => return self.runtime("sprint: the first argument must be a strdef"),
                }
                num(0.0)
            }
            "strcmp" => match (vals.first(), vals.get(1)) {
                (Some(Value::Str(a)), Some(Value::Str(b))) => num(match a.cmp(b) {
                    std::cmp::Ordering::Less => -1.0,
                    std::cmp::Ordering::Equal => 0.0,
                    std::cmp::Ordering::Greater => 1.0,
                }),
                _ => self.runtime("strcmp: two strings"),
            },
            "numarg" => num(self.frames.last().unwrap().args.len() as f64),
            "argtype" => {
                let i = self.nums(name, &vals, 1)?[0] as usize;
                let f = self.frames.last().unwrap();
                num(match f.args.get(i.wrapping_sub(1)) {
                    None => -1.0,
                    Some(Value::Num(_)) => 0.0,
                    Some(Value::Obj(_)) => 1.0,
                    Some(Value::Str(_)) => 2.0,
                    Some(_) => 3.0,
                })
            }
            "ismembrane" => {
                let s = self.cur()?;
                let m = match vals.first() {
                    Some(Value::Str(m)) => m.clone(),
                    _ => return self.runtime("ismembrane: a mechanism name"),
                };
                let sec = &self.secs[s];
                let has = match m.strip_suffix("_ion") {
                    Some(ion) => sec.ions.iter().any(|i| i.name == ion),
                    None => sec.mechs.iter().any(|q| q.name == m),
                };
                num(has as i32 as f64)
            }
            "issection" => {
                let s = self.cur()?;
                let re = match vals.first() {
                    Some(Value::Str(m)) => m.clone(),
                    _ => return self.runtime("issection: a regular expression"),
                };
                num(regex::Regex::new(&re).full(&self.secname(s)) as i32 as f64)
            }
            "secname" => {
                let s = self.cur()?;
                Ok(Value::Str(self.secname(s)))
            }
            "section_orientation" => {
                let s = self.cur()?;
                num(self.secs[s].orientation)
            }
            "parent_connection" => {
                let s = self.cur()?;
                num(self.secs[s].parent.map_or(0.0, |p| p.1))
            }
            "distance" => self.distance(&vals),
            "pt3dadd" => {
                let v = self.nums(name, &vals, 4)?;
                let s = self.cur()?;
                self.secs[s].pt3dadd([v[0], v[1], v[2], v[3]]);
                num(1.0)
            }
            "pt3dclear" => {
                let s = self.cur()?;
                let sec = &mut self.secs[s];
                if !sec.pt3d.is_empty() {
                    sec.length = sec.l();
                }
                sec.pt3d.clear();
                sec.arcs.clear();
                num(0.0)
            }
            "n3d" => {
                let s = self.cur()?;
                num(self.secs[s].pt3d.len() as f64)
            }
            "x3d" | "y3d" | "z3d" | "diam3d" | "arc3d" => {
                let i = self.nums(name, &vals, 1)?[0];
                let s = self.cur()?;
                let sec = &self.secs[s];
                if i < 0.0 || i as usize >= sec.pt3d.len() {
                    return self.runtime(format!("{name}({i}): index out of range"));
                }
                let k = i as usize;
                num(match name {
                    "x3d" => sec.pt3d[k][0],
                    "y3d" => sec.pt3d[k][1],
                    "z3d" => sec.pt3d[k][2],
                    "diam3d" => sec.pt3d[k][3],
                    _ => sec.arcs[k],
                })
            }
            "delete_section" => {
                let s = self.cur()?;
                self.delete_section(s);
                num(0.0)
            }
            "define_shape" => {
                shape::define_shape(&mut self.secs, &self.connected);
                num(0.0)
            }
            "load_file" | "xopen" => self.load(name, &vals),
            "nrn_load_dll" => {
                self.notes.push(format!(
                    "{}:{}: nrn_load_dll ignored (mechanisms come from the registry)",
                    self.file().display(),
                    self.line
                ));
                num(1.0)
            }
            "topology" | "psection" | "startsw" | "stopsw" | "object_id" | "xpanel" | "xbutton"
            | "xvalue" | "xlabel" | "doNotify" | "doEvents" => num(0.0),
            _ => {
                if self.range_var(name).is_some() {
                    return self.runtime(format!("`{name}` is a range variable, not a function"));
                }
                self.unsupported(
                    format!("{name}()"),
                    "not a function this reader implements (and not a proc/func of the template)",
                )
            }
        }
    }

    fn distance(&mut self, vals: &[Value]) -> Result<Value> {
        let s = self.cur()?;
        let (mode, x) = match vals {
            [] => (0, 0.0),
            [Value::Num(x)] => (1, *x),
            [Value::Num(m), Value::Num(x)] => (*m as i32, *x),
            _ => {
                return self
                    .runtime("distance: numbers: distance(), distance(x), distance(0 or 1, x)")
            }
        };
        if mode == 0 {
            self.origin = Some((s, x));
            return Ok(Value::Num(0.0));
        }
        let Some(o) = self.origin.filter(|o| self.secs[o.0].alive) else {
            return self
                .runtime("Distance origin not valid. Need to initialize origin with distance()");
        };
        let ch = shape::children(&self.secs, &self.connected);
        let order = shape::section_order(&self.secs, &ch);
        Ok(Value::Num(shape::distance(&self.secs, &order, o, (s, x))))
    }

    fn load(&mut self, name: &str, vals: &[Value]) -> Result<Value> {
        let Some(Value::Str(f)) = vals.iter().rev().find(|v| matches!(v, Value::Str(_))) else {
            return self.runtime(format!("{name}: a file name"));
        };
        let here = self.file();
        let dir = here.parent().map(|d| d.to_path_buf()).unwrap_or_default();
        let path = dir.join(f);
        if !path.is_file() {
            let base = std::path::Path::new(f)
                .file_name()
                .and_then(|b| b.to_str())
                .unwrap_or("");
            if LIBRARY.contains(&base) {
                return Ok(Value::Num(1.0));
            }
            return self.runtime(format!(
                "{name}(\"{f}\"): no such file beside {}",
                here.display()
            ));
        }
        if name == "xopen" {
            self.forget(&path);
        }
        self.load_file(&path)?;
        Ok(Value::Num(1.0))
    }

    /// Methods of SectionList, Vector, List and dropped objects.
    // Long: one arm per method.
    pub(crate) fn method(
        &mut self,
        o: &ObjRef,
        nr: &NameRef,
        set: Option<(&'static str, Value)>,
    ) -> Result<Value> {
        let mut vals = Vec::new();
        for a in nr.args.iter().flatten() {
            vals.push(self.eval(a)?);
        }
        let mut idx = Vec::new();
        for e in &nr.index {
            idx.push(self.num(e)?);
        }
        let kind = super::kind_name(&o.borrow());
        let m = nr.name.as_str();
        let bad = |me: &Self| {
            me.unsupported(format!("{kind}.{m}"), "not a method this reader implements")
        };
        if let Object::Opaque(_) = &*o.borrow() {
            return Ok(Value::Num(0.0));
        }
        if set.is_some() && !(kind == "Vector" && m == "x") {
            return self.runtime(format!("{kind}.{m} cannot be assigned"));
        }
        let cur = if matches!(m, "append" | "subtree" | "wholetree" | "remove")
            && kind == "SectionList"
        {
            Some(self.cur()?)
        } else {
            None
        };
        let tree = |me: &Self, s: usize, whole: bool| -> Vec<usize> {
            let ch = shape::children(&me.secs, &me.connected);
            let mut root = s;
            if whole {
                while let Some((p, _)) = me.secs[root].parent {
                    root = p;
                }
            }
            let mut out = Vec::new();
            let mut stack = vec![root];
            while let Some(k) = stack.pop() {
                out.push(k);
                stack.extend(ch[k].iter().rev().copied());
            }
            out
        };
        let sub = match m {
            "subtree" | "wholetree" => Some(tree(self, cur.unwrap(), m == "wholetree")),
            _ => None,
        };
        let mut b = o.borrow_mut();
        #[allow(clippy::never_loop)]
        let r: std::result::Result<Value, String> = loop {
            break Ok(match (&mut *b, m) {
                (Object::SectionList(l), "append") => {
                    l.push(cur.unwrap());
                    Value::Num(1.0)
                }
                (Object::SectionList(l), "subtree" | "wholetree") => {
                    l.extend(sub.unwrap());
                    Value::Num(1.0)
                }
                (Object::SectionList(l), "remove") => {
                    let c = cur.unwrap();
                    let n = l.len();
                    l.retain(|&k| k != c);
                    Value::Num((n - l.len()) as f64)
                }
                (Object::SectionList(l), "unique") => {
                    let mut seen = std::collections::HashSet::new();
                    l.retain(|k| seen.insert(*k));
                    Value::Num(l.len() as f64)
                }
                (Object::SectionList(_), "printnames") => Value::Num(1.0),
                (Object::Vector(v), "x") => {
                    let i = idx.first().copied().unwrap_or(0.0);
                    if i < 0.0 || i as usize >= v.len() {
                        break Err(
                            format!("Vector.x[{i}]: index out of range (size {})", v.len())
                                .to_string(),
                        );
                    }
                    match set {
                        Some((op, Value::Num(y))) => {
                            let old = v[i as usize];
                            v[i as usize] = match op {
                                "=" => y,
                                "+=" => old + y,
                                "-=" => old - y,
                                "*=" => old * y,
                                _ => old / y,
                            };
                            Value::Num(0.0)
                        }
                        Some(_) => {
                            break Err("Vector.x[i] = a number".to_string());
                        }
                        None => Value::Num(v[i as usize]),
                    }
                }
                (Object::Vector(v), "size") => Value::Num(v.len() as f64),
                (Object::Vector(v), "append") => {
                    for a in &vals {
                        match a {
                            Value::Num(x) => v.push(*x),
                            Value::Obj(Some(p)) if !std::rc::Rc::ptr_eq(p, o) => {
                                if let Object::Vector(w) = &*p.borrow() {
                                    v.extend(w.iter().copied());
                                }
                            }
                            _ => {}
                        }
                    }
                    Value::Obj(Some(o.clone()))
                }
                (Object::Vector(v), "resize") => {
                    let n = match vals.first() {
                        Some(Value::Num(n)) => *n as usize,
                        _ => 0,
                    };
                    v.resize(n, 0.0);
                    Value::Obj(Some(o.clone()))
                }
                (Object::Vector(v), "fill") => {
                    if let Some(Value::Num(x)) = vals.first() {
                        v.iter_mut().for_each(|e| *e = *x);
                    }
                    Value::Obj(Some(o.clone()))
                }
                (Object::Vector(v), "indgen") => {
                    v.iter_mut().enumerate().for_each(|(i, e)| *e = i as f64);
                    Value::Obj(Some(o.clone()))
                }
                (Object::Vector(v), "sum") => Value::Num(v.iter().sum()),
                (Object::Vector(v), "max") => {
                    Value::Num(v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                }
                (Object::Vector(v), "min") => {
                    Value::Num(v.iter().copied().fold(f64::INFINITY, f64::min))
                }
                (Object::List(l), "append") => {
                    if let Some(Value::Obj(Some(p))) = vals.first() {
                        l.push(p.clone());
                    }
                    Value::Num(l.len() as f64)
                }
                (Object::List(l), "count") => Value::Num(l.len() as f64),
                (Object::List(l), "o" | "object") => {
                    let i = match vals.first() {
                        Some(Value::Num(i)) => *i,
                        _ => -1.0,
                    };
                    match l.get(i as usize).filter(|_| i >= 0.0) {
                        Some(p) => Value::Obj(Some(p.clone())),
                        None => {
                            break Err(format!("List.o({i}): index out of range").to_string());
                        }
                    }
                }
                (Object::List(l), "remove_all") => {
                    l.clear();
                    Value::Num(0.0)
                }
                _ => break Err(String::new()),
            });
        };
        drop(b);
        match r {
            Ok(v) => Ok(v),
            Err(m) if m.is_empty() => bad(self),
            Err(m) => self.runtime(m),
        }
    }
}
