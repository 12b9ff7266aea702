//! The typed syntax tree of one NMODL file, with line numbers.
//!
//! Parentheses written in the source are kept ([`Expr::Paren`]): nocmodl emits the
//! tokens of an expression as written, and some of its rewritings (cnexp, the
//! textual `t + …` of `net_send`, kinetic fluxes) depend on them.

use std::collections::HashMap;

/// A 1-based source line.
pub type Line = u32;

/// Binary operators, C's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^` (nocmodl: `pow`)
    Pow,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// C precedence (higher binds tighter); `^` is a call in C, highest here.
    pub fn prec(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
            BinOp::Pow => 8,
        }
    }

    /// Whether the result is a truth value (1.0/0.0 in C when used as a number).
    pub fn is_logical(self) -> bool {
        !matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow
        )
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number, as nocmodl writes it (`2` becomes `2.0`).
    Num(String),
    /// A variable.
    Name(String, Line),
    /// A call of a FUNCTION, PROCEDURE or built-in.
    Call(String, Vec<Expr>, Line),
    /// A string literal (only as a `printf` argument).
    Str(String),
    /// `-x`, `!x`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `( e )` as written.
    Paren(Box<Expr>),
}

impl Expr {
    /// A number literal from its text.
    pub fn num(text: &str) -> Expr {
        Expr::Num(text.to_string())
    }

    /// `a op b`.
    pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// `( e )`.
    pub fn paren(e: Expr) -> Expr {
        Expr::Paren(Box::new(e))
    }

    /// `-e`.
    pub fn negate(e: Expr) -> Expr {
        Expr::Unary(UnOp::Neg, Box::new(e))
    }

    /// Visit every sub-expression (pre-order).
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Call(_, args, _) => args.iter().for_each(|a| a.walk(f)),
            Expr::Unary(_, e) | Expr::Paren(e) => e.walk(f),
            Expr::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            _ => {}
        }
    }

    /// Whether a name occurs in the expression (as a variable).
    pub fn mentions(&self, name: &str) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if let Expr::Name(n, _) = e {
                if n == name {
                    found = true;
                }
            }
        });
        found
    }

    /// The text `t op <self>` parsed as C would parse the concatenation (nocmodl
    /// builds `net_send`'s delivery time as the text `t + <expr>`).
    pub fn prepend(self, op: BinOp, lhs: Expr) -> Expr {
        match self {
            Expr::Binary(o, a, b) if o.prec() <= op.prec() && o != BinOp::Pow => {
                Expr::Binary(o, Box::new(a.prepend(op, lhs)), b)
            }
            e => Expr::bin(op, lhs, e),
        }
    }

    /// The text `<self> op x` parsed as C would parse it (nocmodl builds kinetic
    /// fluxes as the text `<rate>*A*B`).
    pub fn append(self, op: BinOp, rhs: Expr) -> Expr {
        match self {
            Expr::Binary(o, a, b) if o.prec() < op.prec() => {
                Expr::Binary(o, a, Box::new(b.append(op, rhs)))
            }
            e => Expr::bin(op, e, rhs),
        }
    }
}

/// A statement with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// 1-based line.
    pub line: Line,
    /// What it is.
    pub kind: StmtKind,
}

/// A reactant or product of a kinetic reaction: `2 A` is `{name: A, coef: 2}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The variable.
    pub name: String,
    /// Stoichiometric coefficient.
    pub coef: u32,
}

/// Statement kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `x = e`
    Assign(String, Expr),
    /// `x' = e`
    Deriv(String, Expr),
    /// A call used as a statement (`rates(v)`, `net_send(…)`, `printf(…)`).
    Call(Expr),
    /// `if (c) {…} else {…}`; `else if` is an else block holding one `If`.
    If(Expr, Block, Option<Block>),
    /// `while (c) {…}`
    While(Expr, Block),
    /// A nested `{…}`.
    Block(Block),
    /// `SOLVE name [METHOD m | STEADYSTATE m]`.
    Solve {
        /// The block solved.
        name: String,
        /// The method, if given.
        method: Option<String>,
        /// `STEADYSTATE` rather than `METHOD`.
        steadystate: bool,
    },
    /// `TABLE vars DEPEND deps FROM a TO b WITH n`.
    Table {
        /// Tabulated variables (empty in a FUNCTION: the function value).
        vars: Vec<String>,
        /// Globals whose change rebuilds the table.
        depend: Vec<String>,
        /// Lower end.
        from: Expr,
        /// Upper end.
        to: Expr,
        /// Number of intervals.
        with: u32,
    },
    /// `VERBATIM … ENDVERBATIM` (only `return;` is translated).
    Verbatim(String),
    /// `~ lhs = rhs` in a LINEAR block.
    LinEq(Expr, Expr),
    /// `~ A + B <-> C (kf, kb)`.
    Reaction {
        /// Left side in written order.
        lhs: Vec<Term>,
        /// Right side in written order.
        rhs: Vec<Term>,
        /// Forward rate.
        kf: Expr,
        /// Backward rate.
        kb: Expr,
    },
    /// `~ A << (flux)` (`into`) or `~ A -> (rate)`.
    Flux {
        /// The state.
        term: Term,
        /// `<<`: an influx; `->`: a first-order efflux with this rate.
        into: bool,
        /// The flux or the rate.
        rate: Expr,
    },
    /// `CONSERVE A + B = total`.
    Conserve {
        /// Terms in written order.
        terms: Vec<Term>,
        /// The total.
        total: Expr,
    },
    /// NET_RECEIVE's `INITIAL {…}`.
    NetInitial(Block),
    /// Accepted and without effect (`UNITSON`, `MUTEXLOCK`, …).
    Nothing,
    /// A construct synaptune does not translate (the text names it).
    Unsupported(String),
}

/// `{ LOCAL …; statements }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// `LOCAL` names.
    pub locals: Vec<(String, Line)>,
    /// Statements in order.
    pub stmts: Vec<Stmt>,
}

impl Block {
    /// Every statement, those nested in `if`, `while`, `{ }` and NET_RECEIVE's
    /// INITIAL included, in source order (each before the ones it holds).
    pub fn all_stmts(&self) -> Vec<&Stmt> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Stmt>) {
        for s in &self.stmts {
            out.push(s);
            match &s.kind {
                StmtKind::If(_, t, e) => {
                    t.collect(out);
                    if let Some(e) = e {
                        e.collect(out);
                    }
                }
                StmtKind::While(_, b) | StmtKind::Block(b) | StmtKind::NetInitial(b) => {
                    b.collect(out)
                }
                _ => {}
            }
        }
    }
}

/// A declaration in PARAMETER, ASSIGNED, STATE or CONSTANT.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VarDecl {
    /// Name.
    pub name: String,
    /// Line.
    pub line: Line,
    /// Default value as written (with its sign).
    pub value: Option<String>,
    /// Units as written (without parentheses).
    pub units: String,
    /// `<lo, hi>` as written.
    pub limits: Option<(String, String)>,
    /// `START x` of a STATE.
    pub start: Option<String>,
    /// `name[n]`.
    pub array: Option<u32>,
}

/// What the NEURON block makes of the mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechKind {
    /// `SUFFIX`
    Density,
    /// `POINT_PROCESS`
    Point,
    /// `ARTIFICIAL_CELL`
    Artificial,
}

/// `USEION x READ … WRITE … VALENCE z`.
#[derive(Debug, Clone, PartialEq)]
pub struct UseIon {
    /// Ion name.
    pub ion: String,
    /// READ variables.
    pub read: Vec<String>,
    /// WRITE variables.
    pub write: Vec<String>,
    /// VALENCE/CHARGE.
    pub valence: Option<f64>,
    /// Line.
    pub line: Line,
}

/// A current declared in the NEURON block, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentDecl {
    /// The variable.
    pub name: String,
    /// The ion it belongs to (`USEION … WRITE ix`), or none (NONSPECIFIC/ELECTRODE).
    pub ion: Option<String>,
}

/// The NEURON block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NeuronBlock {
    /// Kind, name and line of SUFFIX/POINT_PROCESS/ARTIFICIAL_CELL.
    pub kind: Option<(MechKind, String, Line)>,
    /// USEION statements.
    pub useions: Vec<UseIon>,
    /// Currents in declaration order.
    pub currents: Vec<CurrentDecl>,
    /// ELECTRODE_CURRENT was used.
    pub electrode: bool,
    /// RANGE names.
    pub range: Vec<String>,
    /// GLOBAL names.
    pub global: Vec<String>,
    /// THREADSAFE.
    pub threadsafe: bool,
    /// POINTER names with their lines.
    pub pointers: Vec<(String, Line)>,
    /// Line of the block.
    pub line: Line,
}

/// A FUNCTION or PROCEDURE.
#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    /// Name.
    pub name: String,
    /// Argument names.
    pub args: Vec<String>,
    /// Body.
    pub body: Block,
    /// FUNCTION (returns a value) rather than PROCEDURE.
    pub is_function: bool,
    /// Line.
    pub line: Line,
}

/// A DERIVATIVE or KINETIC block.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedBlock {
    /// Name.
    pub name: String,
    /// Body.
    pub body: Block,
    /// Line.
    pub line: Line,
}

/// NET_RECEIVE.
#[derive(Debug, Clone, PartialEq)]
pub struct NetReceive {
    /// Argument names (the first is the weight).
    pub args: Vec<String>,
    /// Body.
    pub body: Block,
    /// Line.
    pub line: Line,
}

/// A UNITS-block definition `name = (from) (to)` or `name = value (units)`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFactor {
    /// Name.
    pub name: String,
    /// `(from)` or the number as written.
    pub from: String,
    /// `(to)` (empty for a number).
    pub to: String,
    /// Whether `from` is a number.
    pub is_number: bool,
    /// Line.
    pub line: Line,
}

/// One parsed mod file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    /// The NEURON block.
    pub neuron: Option<NeuronBlock>,
    /// UNITS factors.
    pub unit_factors: Vec<UnitFactor>,
    /// CONSTANT declarations.
    pub constants: Vec<VarDecl>,
    /// PARAMETER declarations.
    pub parameters: Vec<VarDecl>,
    /// ASSIGNED declarations.
    pub assigned: Vec<VarDecl>,
    /// STATE declarations.
    pub states: Vec<VarDecl>,
    /// INITIAL.
    pub initial: Option<(Block, Line)>,
    /// BEFORE/AFTER blocks: (when, e.g. `BEFORE BREAKPOINT`, body, line).
    pub ba: Vec<(String, Block, Line)>,
    /// FUNCTION_TABLEs: (name, number of arguments, line).
    pub function_tables: Vec<(String, usize, Line)>,
    /// BREAKPOINT.
    pub breakpoint: Option<(Block, Line)>,
    /// DERIVATIVE blocks.
    pub derivatives: Vec<NamedBlock>,
    /// KINETIC blocks.
    pub kinetics: Vec<NamedBlock>,
    /// LINEAR blocks.
    pub linears: Vec<NamedBlock>,
    /// FUNCTIONs and PROCEDUREs.
    pub funcs: Vec<Func>,
    /// NET_RECEIVE.
    pub net_receive: Option<NetReceive>,
    /// Top-level LOCAL names.
    pub top_locals: Vec<(String, Line)>,
    /// DEFINE name value.
    pub defines: Vec<(String, String)>,
    /// Constructs that are not translated (line, description).
    pub unsupported: Vec<(Line, String)>,
    /// Position of each name's first token (nocmodl's symbol-table install order).
    pub first_seen: HashMap<String, usize>,
}

impl Module {
    /// Every block of code: INITIAL, BEFORE/AFTER blocks, BREAKPOINT,
    /// DERIVATIVE, KINETIC, LINEAR, FUNCTION/PROCEDURE and NET_RECEIVE.
    pub fn all_blocks(&self) -> Vec<&Block> {
        let mut blocks: Vec<&Block> = Vec::new();
        blocks.extend(self.initial.iter().map(|(b, _)| b));
        blocks.extend(self.breakpoint.iter().map(|(b, _)| b));
        blocks.extend(self.derivatives.iter().map(|d| &d.body));
        blocks.extend(self.kinetics.iter().map(|d| &d.body));
        blocks.extend(self.linears.iter().map(|d| &d.body));
        blocks.extend(self.funcs.iter().map(|f| &f.body));
        blocks.extend(self.net_receive.iter().map(|n| &n.body));
        blocks.extend(self.ba.iter().map(|(_, b, _)| b));
        blocks
    }
}
