//! The syntax tree of a hoc file.

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number.
    Num(f64),
    /// A string literal.
    Str(String),
    /// `$1`, `$s1`, `$o1`.
    Arg(u8, usize),
    /// A name with optional subscripts, and an optional call or range
    /// argument `(…)`: `x`, `soma[1]`, `f(1, 2)`, `gbar_hh(0.5)`.
    Name(NameRef),
    /// `obj.member…` chains: `all.append()`, `v.x[2]`, `soma.L`, `soma.gbar(0.5)`.
    Member(Box<Expr>, NameRef),
    /// `x1:x2`, an argument of a range variable on the left of `=`: `gbar(0:1)`.
    Interval(Box<Expr>, Box<Expr>),
    /// `new Name(args)`.
    New(String, Vec<Expr>),
    /// Unary minus or `!`.
    Unary(&'static str, Box<Expr>),
    /// A binary operation.
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `lhs = rhs` (and `+=` …); `y2` of `var(x1:x2) = y1:y2` is in `Assign::to`.
    Assign(Box<Assign>),
}

/// A name, its subscripts and its call arguments (`None`: not called).
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    /// The name.
    pub name: String,
    /// `[i]` subscripts.
    pub index: Vec<Expr>,
    /// `(…)` arguments.
    pub args: Option<Vec<Expr>>,
    /// Line (for messages).
    pub line: u32,
}

/// An assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    /// The target.
    pub lhs: Expr,
    /// `=`, `+=`, `-=`, `*=`, `/=`.
    pub op: &'static str,
    /// The value.
    pub rhs: Expr,
    /// `y2` of `var(x1:x2) = y1:y2`.
    pub to: Option<Expr>,
}

/// A statement, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// 1-based line.
    pub line: u32,
}

/// Kinds of statements.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression (assignments and calls).
    Expr(Expr),
    /// `{ … }`.
    Block(Vec<Stmt>),
    /// `begintemplate Name … endtemplate Name`.
    Template(String, Vec<Stmt>),
    /// `public a, b`.
    Public(Vec<String>),
    /// `external a, b`.
    External(Vec<String>),
    /// `create a, b[3]`.
    Create(Vec<(String, Option<Expr>)>),
    /// `objref a, b[2]` / `objectvar`.
    Objref(Vec<(String, Option<Expr>)>),
    /// `strdef a`.
    Strdef(Vec<String>),
    /// `double a[3]`.
    Double(Vec<(String, Vec<Expr>)>),
    /// `local a, b` / `localobj a`.
    Local(Vec<String>, bool),
    /// `proc name() { … }` / `func` / `obfunc`.
    Proc(String, Vec<Stmt>, &'static str),
    /// `connect child(end), parent(x)` as (`child(end)`, `parent(x)`), and
    /// `connect child(end), x` (the parent is the current section) as
    /// (`child(end)`, `x`): which one is decided when it runs.
    Connect(Expr, Expr),
    /// `access sec`.
    Access(Expr),
    /// `setpointer target, source`: ignored with a note (synaptune cannot
    /// set a POINTER; a mechanism reading an unset one stops the run naming it).
    SetPointer(Expr, Expr),
    /// `insert name` / `uninsert name`.
    Insert(String, bool),
    /// `sec stmt`: run `stmt` with `sec` the current section.
    OnSection(Expr, Box<Stmt>),
    /// `forall stmt`.
    Forall(Box<Stmt>),
    /// `forsec "regex" stmt` or `forsec list stmt`.
    Forsec(Expr, Box<Stmt>),
    /// `ifsec "regex" stmt`.
    Ifsec(Expr, Box<Stmt>),
    /// `for (x) stmt` (ends included) or `for (x, 0)`.
    ForSeg(String, bool, Box<Stmt>),
    /// `for i = a, b stmt`.
    ForRange(String, Expr, Expr, Box<Stmt>),
    /// `for (init; cond; step) stmt`.
    ForC(Option<Expr>, Option<Expr>, Option<Expr>, Box<Stmt>),
    /// `while (cond) stmt`.
    While(Expr, Box<Stmt>),
    /// `if (cond) stmt else stmt`.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    /// `return [expr]`.
    Return(Option<Expr>),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `print a, b`.
    Print(Vec<Expr>),
    /// Nothing (`;`).
    Empty,
}
