//! The interpreter: runs a hoc file's statements and a template's body and
//! `init()` as NEURON's hoc does, on the section model ([`crate::section`]).
//!
//! Statements are here; expressions, names and assignments in `eval`;
//! built-in functions and object methods in `builtins`; `printf`-style
//! formatting in [`format`]; hoc's regular expressions in `regex`.

mod builtins;
mod eval;
mod format;
mod regex;

use crate::ast::{Expr, Stmt, StmtKind};
use crate::error::{Error, Result};
use crate::mechs::MechTable;
use crate::section::Section;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A reference to an object.
pub type ObjRef = Rc<RefCell<Object>>;

/// A hoc object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `new SectionList()`.
    SectionList(Vec<usize>),
    /// `new Vector()`.
    Vector(Vec<f64>),
    /// `new List()`.
    List(Vec<ObjRef>),
    /// An instance of a template (index into the interpreter's instances).
    Instance(usize),
    /// A point process or other object that is not part of the cell: member
    /// assignments are accepted and dropped.
    Opaque(String),
}

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An object reference (`None`: NULLobject).
    Obj(Option<ObjRef>),
    /// A section.
    Sec(usize),
    /// A location on a section.
    Seg(usize, f64),
}

/// A variable.
#[derive(Debug, Clone)]
pub(crate) enum Var {
    Num(Vec<f64>, Vec<usize>),
    Str(String),
    Obj(Vec<Option<ObjRef>>, Vec<usize>),
    Sec(Vec<usize>),
    Proc(Rc<ProcDef>),
}

/// A `proc`/`func`/`obfunc`.
#[derive(Debug)]
pub(crate) struct ProcDef {
    pub body: Vec<Stmt>,
    pub file: PathBuf,
    pub owner: Option<usize>,
}

/// A template definition.
#[derive(Debug)]
pub(crate) struct Template {
    pub body: Vec<Stmt>,
    pub file: PathBuf,
    pub count: usize,
}

/// One instance of a template.
#[derive(Debug)]
pub(crate) struct Instance {
    pub template: String,
    pub index: usize,
    pub vars: HashMap<String, Var>,
    pub publics: Vec<String>,
    pub externals: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Frame {
    pub locals: HashMap<String, Var>,
    pub args: Vec<Value>,
    pub inst: Option<usize>,
    pub file: PathBuf,
}

/// How a statement ended.
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// The interpreter's state: every section, template, instance and global.
pub struct Interp<'m> {
    pub(crate) mechs: &'m MechTable,
    /// Every section created (deleted ones have `alive == false`).
    pub secs: Vec<Section>,
    /// Sections in the order of their last `connect`.
    pub connected: Vec<usize>,
    pub(crate) globals: HashMap<String, Var>,
    /// Mechanism GLOBALs assigned so far: (mechanism, global, value), in
    /// order of first assignment.
    pub mech_globals: Vec<(String, String, f64)>,
    pub(crate) templates: HashMap<String, Template>,
    pub(crate) instances: Vec<Instance>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) sec_stack: Vec<usize>,
    pub(crate) access: Option<usize>,
    pub(crate) origin: Option<(usize, f64)>,
    loaded: HashSet<PathBuf>,
    pub(crate) line: u32,
    /// Things ignored on the way (`nrn_load_dll`, `stdrun.hoc`), for the user.
    pub notes: Vec<String>,
}

impl<'m> Interp<'m> {
    /// `celsius` if the code changed it from NEURON's default 6.3 °C.
    pub fn celsius_set(&self) -> Option<f64> {
        match self.globals.get("celsius") {
            Some(Var::Num(v, _)) if v.first().is_some_and(|c| *c != 6.3) => Some(v[0]),
            _ => None,
        }
    }

    /// A fresh interpreter with NEURON's built-in globals.
    pub fn new(mechs: &'m MechTable) -> Interp<'m> {
        let mut globals = HashMap::new();
        for (n, v) in [
            ("celsius", 6.3),
            ("dt", 0.025),
            ("t", 0.0),
            ("tstop", 5.0),
            ("v_init", -65.0),
            ("secondorder", 0.0),
            ("steps_per_ms", 40.0),
            ("PI", std::f64::consts::PI),
            ("E", std::f64::consts::E),
            ("FARADAY", 96_485.332_123_310_02),
            ("R", 8.314_462_618_153_24),
            ("DEG", 180.0 / std::f64::consts::PI),
            ("GAMMA", 0.577_215_664_901_532_9),
            ("PHI", 1.618_033_988_749_895),
            ("float_epsilon", 1e-11),
            ("hoc_ac_", 0.0),
            ("nrnmainmenu_", 0.0),
            ("running_", 0.0),
        ] {
            globals.insert(n.to_string(), Var::Num(vec![v], vec![]));
        }
        Interp {
            mechs,
            secs: Vec::new(),
            connected: Vec::new(),
            globals,
            mech_globals: Vec::new(),
            templates: HashMap::new(),
            instances: Vec::new(),
            frames: vec![Frame {
                locals: HashMap::new(),
                args: Vec::new(),
                inst: None,
                file: PathBuf::new(),
            }],
            sec_stack: Vec::new(),
            access: None,
            origin: None,
            loaded: HashSet::new(),
            line: 0,
            notes: Vec::new(),
        }
    }

    pub(crate) fn file(&self) -> PathBuf {
        self.frames
            .last()
            .map(|f| f.file.clone())
            .unwrap_or_default()
    }

    pub(crate) fn runtime<T>(&self, m: impl Into<String>) -> Result<T> {
        Err(Error::Runtime {
            file: self.file(),
            line: self.line,
            message: m.into(),
        })
    }

    pub(crate) fn unsupported<T>(
        &self,
        construct: impl Into<String>,
        m: impl Into<String>,
    ) -> Result<T> {
        Err(Error::Unsupported {
            file: self.file(),
            line: self.line,
            construct: construct.into(),
            message: m.into(),
        })
    }

    /// Load and run a hoc file (`load_file` semantics: once per path).
    pub fn load_file(&mut self, path: &Path) -> Result<()> {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.loaded.insert(path.clone()) {
            return Ok(());
        }
        let text = std::fs::read(&path).map_err(|e| Error::Io {
            file: path.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8_lossy(&text);
        let toks = crate::lexer::lex(&text, &path)?;
        let stmts = crate::parser::parse(&toks, &path)?;
        let saved = std::mem::replace(&mut self.frames[0].file, path.clone());
        let saved_line = self.line;
        let r = self.exec_all(&stmts);
        self.frames[0].file = saved;
        self.line = saved_line;
        r.map(|_| ())
    }

    /// Let `xopen` run a file again.
    pub(crate) fn forget(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.loaded.remove(&path);
    }

    pub(crate) fn exec_all(&mut self, stmts: &[Stmt]) -> Result<Flow> {
        for s in stmts {
            match self.exec(s)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    /// The current section (`chk_access`).
    pub(crate) fn cur(&self) -> Result<usize> {
        if let Some(&s) = self.sec_stack.last() {
            return Ok(s);
        }
        match self.access.filter(|&s| self.secs[s].alive) {
            Some(s) => Ok(s),
            None => match self.secs.iter().position(|s| s.alive) {
                Some(s) => Ok(s),
                None => self.runtime("no section is accessed (none exists)"),
            },
        }
    }

    pub(crate) fn on_section(&mut self, s: usize, stmt: &Stmt) -> Result<Flow> {
        self.sec_stack.push(s);
        let r = self.exec(stmt);
        self.sec_stack.pop();
        r
    }

    // Long: one arm per statement kind.
    fn exec(&mut self, s: &Stmt) -> Result<Flow> {
        self.line = s.line;
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(e)?;
            }
            StmtKind::Block(b) => return self.exec_all(b),
            StmtKind::Template(name, body) => {
                if self.frames.len() > 1 || self.frames[0].inst.is_some() {
                    return self.runtime("begintemplate inside a procedure or template");
                }
                let file = self.file();
                self.templates.entry(name.clone()).or_insert(Template {
                    body: body.clone(),
                    file,
                    count: 0,
                });
            }
            StmtKind::Public(v) => {
                if let Some(i) = self.inst() {
                    self.instances[i].publics.extend(v.iter().cloned());
                }
            }
            StmtKind::External(v) => {
                if let Some(i) = self.inst() {
                    self.instances[i].externals.extend(v.iter().cloned());
                }
            }
            StmtKind::Create(v) => {
                for (n, idx) in v {
                    let count = match idx {
                        Some(e) => Some(self.num(e)?),
                        None => None,
                    };
                    self.create(n, count)?;
                }
            }
            StmtKind::Objref(v) => {
                for (n, idx) in v {
                    let count = match idx {
                        Some(e) => self.num(e)? as usize,
                        None => 1,
                    };
                    let dims = if idx.is_some() { vec![count] } else { vec![] };
                    self.declare(n, Var::Obj(vec![None; count], dims));
                }
            }
            StmtKind::Strdef(v) => {
                for n in v {
                    self.declare(n, Var::Str(String::new()));
                }
            }
            StmtKind::Double(v) => {
                for (n, dims) in v {
                    let mut d = Vec::new();
                    for e in dims {
                        d.push(self.num(e)? as usize);
                    }
                    let size = d.iter().product::<usize>().max(1);
                    self.declare(n, Var::Num(vec![0.0; size], d));
                }
            }
            StmtKind::Local(v, obj) => {
                let f = self.frames.last_mut().unwrap();
                for n in v {
                    let var = if *obj {
                        Var::Obj(vec![None], vec![])
                    } else {
                        Var::Num(vec![0.0], vec![])
                    };
                    f.locals.insert(n.clone(), var);
                }
            }
            StmtKind::Proc(name, body, _) => {
                let def = ProcDef {
                    body: body.clone(),
                    file: self.file(),
                    owner: self.inst(),
                };
                self.declare(name, Var::Proc(Rc::new(def)));
            }
            StmtKind::Connect(child, parent) => self.connect(child, parent)?,
            StmtKind::SetPointer(..) => {
                let note = format!(
                    "line {}: setpointer ignored (synaptune cannot set a POINTER; a mechanism that reads an unset one stops the run naming it)",
                    self.line
                );
                if !self.notes.contains(&note) {
                    self.notes.push(note);
                }
            }
            StmtKind::Access(e) => {
                let s = self.section_of(e)?;
                self.access = Some(s);
            }
            StmtKind::Insert(name, un) => self.insert(name, *un)?,
            StmtKind::OnSection(e, stmt) => {
                if self.index_out_of_range(e)? {
                    // NEURON skips `sec[i] stmt` for i past the array's end.
                    return Ok(Flow::Normal);
                }
                let s = self.section_of(e)?;
                return self.on_section(s, stmt);
            }
            StmtKind::Forall(stmt) => {
                let all: Vec<usize> = (0..self.secs.len())
                    .filter(|&k| self.secs[k].alive)
                    .collect();
                return self.over_sections(&all, stmt);
            }
            StmtKind::Forsec(e, stmt) => {
                let list = match self.eval(e)? {
                    Value::Str(re) => {
                        let re = regex::Regex::new(&re);
                        (0..self.secs.len())
                            .filter(|&k| self.secs[k].alive && re.find(&self.secname(k)))
                            .collect()
                    }
                    Value::Obj(Some(o)) => match &*o.borrow() {
                        Object::SectionList(l) => l.clone(),
                        other => {
                            return self.runtime(format!(
                                "forsec needs a SectionList, found {}",
                                kind_name(other)
                            ))
                        }
                    },
                    _ => return self.runtime("forsec needs a string or a SectionList"),
                };
                let list: Vec<usize> = list.into_iter().filter(|&k| self.secs[k].alive).collect();
                return self.over_sections(&list, stmt);
            }
            StmtKind::Ifsec(e, stmt) => {
                let re = self.string(e)?;
                let cur = self.cur()?;
                if regex::Regex::new(&re).find(&self.secname(cur)) {
                    return self.exec(stmt);
                }
            }
            StmtKind::ForSeg(var, ends, stmt) => {
                let s = self.cur()?;
                let n = self.secs[s].nseg;
                let mut xs: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
                if *ends {
                    xs.insert(0, 0.0);
                    xs.push(1.0);
                }
                for x in xs {
                    self.set_simple(var, x)?;
                    match self.on_section(s, stmt)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            StmtKind::ForRange(var, a, b, stmt) => {
                let mut i = self.num(a)?;
                self.set_simple(var, i)?;
                while i <= self.num(b)? {
                    match self.exec(stmt)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    i = self.get_simple(var)? + 1.0;
                    self.set_simple(var, i)?;
                }
            }
            StmtKind::ForC(init, cond, step, stmt) => {
                if let Some(e) = init {
                    self.eval(e)?;
                }
                loop {
                    if let Some(c) = cond {
                        if self.num(c)? == 0.0 {
                            break;
                        }
                    }
                    match self.exec(stmt)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    if let Some(e) = step {
                        self.eval(e)?;
                    }
                }
            }
            StmtKind::While(c, stmt) => {
                let mut guard = 0u64;
                while self.num(c)? != 0.0 {
                    guard += 1;
                    if guard > 100_000_000 {
                        return self.runtime("a while loop ran 10^8 times");
                    }
                    match self.exec(stmt)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            StmtKind::If(c, then, els) => {
                if self.num(c)? != 0.0 {
                    return self.exec(then);
                } else if let Some(e) = els {
                    return self.exec(e);
                }
            }
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Num(0.0),
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Print(v) => {
                for e in v {
                    self.eval(e)?;
                }
            }
            StmtKind::Empty => {}
        }
        Ok(Flow::Normal)
    }

    fn over_sections(&mut self, list: &[usize], stmt: &Stmt) -> Result<Flow> {
        for &k in list {
            if !self.secs[k].alive {
                continue;
            }
            match self.on_section(k, stmt)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                _ => {}
            }
        }
        Ok(Flow::Normal)
    }

    /// `name[i]` of a section array with i outside it.
    fn index_out_of_range(&mut self, e: &Expr) -> Result<bool> {
        let Expr::Name(nr) = e else {
            return Ok(false);
        };
        if nr.index.len() != 1 {
            return Ok(false);
        }
        let Some(Var::Sec(ids)) = self.lookup_var(&nr.name) else {
            return Ok(false);
        };
        let n = ids.len();
        let i = self.num(&nr.index[0])?;
        Ok(i < 0.0 || i as usize >= n)
    }

    /// The instance the running code belongs to.
    pub(crate) fn inst(&self) -> Option<usize> {
        self.frames.last().and_then(|f| f.inst)
    }

    /// Declare a name in the current instance (or the top level).
    pub(crate) fn declare(&mut self, name: &str, var: Var) {
        match self.inst() {
            Some(i) => {
                self.instances[i].vars.insert(name.to_string(), var);
            }
            None => {
                self.globals.insert(name.to_string(), var);
            }
        }
    }

    /// `secname()`: `Cell[0].soma[0]` or `soma`.
    pub(crate) fn secname(&self, k: usize) -> String {
        let s = &self.secs[k];
        match s.owner {
            Some(i) => format!(
                "{}[{}].{}",
                self.instances[i].template, self.instances[i].index, s.name
            ),
            None => s.name.clone(),
        }
    }

    /// `delete_section()`: out of the tree; its children become roots.
    pub(crate) fn delete_section(&mut self, k: usize) {
        self.secs[k].alive = false;
        self.connected.retain(|&c| c != k);
        for s in self.secs.iter_mut() {
            if s.parent.is_some_and(|p| p.0 == k) {
                s.parent = None;
            }
        }
    }

    fn create(&mut self, name: &str, count: Option<f64>) -> Result<()> {
        let old = self.lookup_var(name).and_then(|v| match v {
            Var::Sec(l) => Some(l.clone()),
            _ => None,
        });
        for k in old.unwrap_or_default() {
            self.delete_section(k);
        }
        let owner = self.inst();
        let names: Vec<String> = match count {
            Some(n) => {
                if !(0.0..1e7).contains(&n) {
                    return self.runtime(format!("create {name}[{n}]: bad size"));
                }
                (0..n as usize).map(|i| format!("{name}[{i}]")).collect()
            }
            None => vec![name.to_string()],
        };
        let mut ids = Vec::new();
        for n in names {
            self.secs.push(Section::new(n, owner));
            ids.push(self.secs.len() - 1);
        }
        self.declare(name, Var::Sec(ids));
        Ok(())
    }

    fn insert(&mut self, name: &str, un: bool) -> Result<()> {
        let s = self.cur()?;
        if name == "extracellular" {
            return self.unsupported("insert extracellular", "extracellular adds layers to the cable equation, which synaptune-cell/1 cannot describe");
        }
        if let Some(ion) = name.strip_suffix("_ion") {
            if self.mechs.has_ion(ion) || ["na", "k", "ca", "cl"].contains(&ion) {
                let sec = &mut self.secs[s];
                if un {
                    sec.ions.retain(|i| i.name != ion);
                } else if !sec.ions.iter().any(|i| i.name == ion) {
                    sec.ions.push(crate::section::Ion {
                        name: ion.to_string(),
                        e: None,
                        ci: None,
                        co: None,
                    });
                }
                return Ok(());
            }
        }
        let Some(desc) = self.mechs.get(name) else {
            if self.mechs.points.iter().any(|p| p == name) {
                return self.runtime(format!(
                    "`{name}` is a point process, not a density mechanism; it cannot be inserted"
                ));
            }
            return self.runtime(format!(
                "insert {name}: unknown mechanism (not in the mechanism registry)"
            ));
        };
        if un {
            self.secs[s].mechs.retain(|m| m.name != name);
        } else {
            let desc = desc.clone();
            self.secs[s].insert(&desc);
        }
        Ok(())
    }

    fn connect(&mut self, child: &Expr, parent: &Expr) -> Result<()> {
        let (c, end) = match self.eval(child)? {
            Value::Seg(s, x) => (s, x),
            Value::Sec(s) => (s, 0.0),
            _ => return self.runtime("connect: the first argument must be a section(0 or 1)"),
        };
        let (p, x) = match self.eval(parent)? {
            Value::Seg(s, x) => (s, x),
            Value::Sec(s) => (s, 1.0),
            Value::Num(x) => (self.cur()?, x),
            _ => return self.runtime("connect: the second argument must be a section(x) or x"),
        };
        if !(0.0..=1.0).contains(&x) {
            return self.runtime(format!("connect: x = {x} is outside 0..1"));
        }
        let mut a = Some(p);
        while let Some(k) = a {
            if k == c {
                return self.runtime(format!(
                    "connect {} to {}: a loop",
                    self.secname(c),
                    self.secname(p)
                ));
            }
            a = self.secs[k].parent.map(|q| q.0);
        }
        self.secs[c].parent = Some((p, x));
        self.secs[c].orientation = end;
        self.connected.retain(|&k| k != c);
        self.connected.push(c);
        Ok(())
    }

    /// Whether a template of that name was defined.
    pub fn has_template(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// Instantiate template `name` with `args` (`new Name(args)`); the
    /// instance's number.
    pub fn instantiate(&mut self, name: &str, args: Vec<Value>) -> Result<usize> {
        let Some(t) = self.templates.get_mut(name) else {
            return self.runtime(format!("no template `{name}`"));
        };
        let index = t.count;
        t.count += 1;
        let (body, file) = (t.body.clone(), t.file.clone());
        let id = self.instances.len();
        self.instances.push(Instance {
            template: name.to_string(),
            index,
            vars: HashMap::new(),
            publics: Vec::new(),
            externals: Vec::new(),
        });
        self.frames.push(Frame {
            locals: HashMap::new(),
            args: Vec::new(),
            inst: Some(id),
            file,
        });
        let saved_stack = std::mem::take(&mut self.sec_stack);
        let r = self.exec_all(&body);
        self.frames.pop();
        self.sec_stack = saved_stack;
        r?;
        if let Some(Var::Proc(p)) = self.instances[id].vars.get("init").cloned() {
            self.call_proc(&p, args)?;
        }
        Ok(id)
    }

    /// Run a proc/func; its value (0 for a proc).
    pub(crate) fn call_proc(&mut self, p: &Rc<ProcDef>, args: Vec<Value>) -> Result<Value> {
        if self.frames.len() > 500 {
            return self.runtime("procedure calls nested 500 deep");
        }
        self.frames.push(Frame {
            locals: HashMap::new(),
            args,
            inst: p.owner,
            file: p.file.clone(),
        });
        let depth = self.sec_stack.len();
        let saved_line = self.line;
        let r = self.exec_all(&p.body);
        self.sec_stack.truncate(depth);
        self.frames.pop();
        self.line = saved_line;
        Ok(match r? {
            Flow::Return(v) => v,
            _ => Value::Num(0.0),
        })
    }
}

pub(crate) fn kind_name(o: &Object) -> String {
    match o {
        Object::SectionList(_) => "SectionList".into(),
        Object::Vector(_) => "Vector".into(),
        Object::List(_) => "List".into(),
        Object::Instance(_) => "a template instance".into(),
        Object::Opaque(n) => n.clone(),
    }
}
