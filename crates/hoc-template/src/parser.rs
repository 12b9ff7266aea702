//! Tokens into the syntax tree ([`crate::ast`]): hoc's statements and its
//! expression precedence (`||`, `&&`, comparisons, `+ -`, `* / %`, unary
//! `- !`, `^` right-associative). A line break ends an expression outside
//! parentheses, as in hoc.

use crate::ast::{Assign, Expr, NameRef, Stmt, StmtKind};
use crate::error::{Error, Result};
use crate::lexer::{Tok, Token};
use std::path::{Path, PathBuf};

/// Parse a whole file.
pub fn parse(tokens: &[Token], file: &Path) -> Result<Vec<Stmt>> {
    let mut p = Parser {
        t: tokens,
        i: 0,
        file: file.to_path_buf(),
        depth: 0,
    };
    let mut out = Vec::new();
    while !p.at_end() {
        out.push(p.stmt()?);
    }
    Ok(out)
}

struct Parser<'a> {
    t: &'a [Token],
    i: usize,
    file: PathBuf,
    /// Parenthesis depth: line breaks do not end expressions inside.
    depth: usize,
}

const UNSUPPORTED_KEYWORDS: [&str; 5] =
    ["iterator", "iterator_statement", "parallel", "help", "eqn"];

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.i >= self.t.len()
    }

    fn line(&self) -> u32 {
        self.t.get(self.i).or(self.t.last()).map_or(1, |t| t.line)
    }

    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i).map(|t| &t.tok)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.t.get(self.i + k).map(|t| &t.tok)
    }

    fn nl(&self) -> bool {
        self.t.get(self.i).is_none_or(|t| t.nl)
    }

    fn err<T>(&self, m: impl Into<String>) -> Result<T> {
        Err(Error::Syntax {
            file: self.file.clone(),
            line: self.line(),
            message: m.into(),
        })
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == kw)
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<()> {
        if self.eat(op) {
            Ok(())
        } else {
            self.err(format!("expected `{op}`, found {}", self.found()))
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(Tok::Num(n)) => format!("`{n}`"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Arg(k, n)) => format!(
                "`${}{n}`",
                if *k == 0 {
                    String::new()
                } else {
                    (*k as char).to_string()
                }
            ),
            Some(Tok::Op(o)) => format!("`{o}`"),
        }
    }

    fn ident(&mut self) -> Result<String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            _ => self.err(format!("expected a name, found {}", self.found())),
        }
    }

    fn names(&mut self) -> Result<Vec<String>> {
        let mut v = vec![self.ident()?];
        while self.eat(",") {
            v.push(self.ident()?);
        }
        Ok(v)
    }

    /// `a, b[3]` with at most one subscript.
    fn decls(&mut self) -> Result<Vec<(String, Option<Expr>)>> {
        let mut v = Vec::new();
        loop {
            let n = self.ident()?;
            let idx = if self.eat("[") {
                let e = self.paren_expr_until("]")?;
                Some(e)
            } else {
                None
            };
            v.push((n, idx));
            if !self.eat(",") {
                return Ok(v);
            }
        }
    }

    fn paren_expr_until(&mut self, close: &str) -> Result<Expr> {
        self.depth += 1;
        let e = self.expr();
        self.depth -= 1;
        let e = e?;
        self.expect(close)?;
        Ok(e)
    }

    fn stmt(&mut self) -> Result<Stmt> {
        let line = self.line();
        let kind = self.stmt_kind()?;
        Ok(Stmt { kind, line })
    }

    fn block(&mut self) -> Result<Vec<Stmt>> {
        let mut v = Vec::new();
        let saved = self.depth;
        self.depth = 0;
        while !self.eat("}") {
            if self.at_end() {
                return self.err("`{` not closed");
            }
            v.push(self.stmt()?);
        }
        self.depth = saved;
        Ok(v)
    }

    fn stmt_kind(&mut self) -> Result<StmtKind> {
        if self.eat("{") {
            return Ok(StmtKind::Block(self.block()?));
        }
        if self.eat(";") {
            return Ok(StmtKind::Empty);
        }
        if let Some(Tok::Ident(kw)) = self.peek() {
            let kw = kw.clone();
            if let Some(k) = self.keyword(&kw)? {
                return Ok(k);
            }
        }
        self.expr_stmt()
    }

    fn boxed(&mut self) -> Result<Box<Stmt>> {
        Ok(Box::new(self.stmt()?))
    }

    // Long: one arm per hoc keyword; splitting it would scatter the grammar.
    fn keyword(&mut self, kw: &str) -> Result<Option<StmtKind>> {
        if UNSUPPORTED_KEYWORDS.contains(&kw) {
            return Err(Error::Unsupported {
                file: self.file.clone(),
                line: self.line(),
                construct: kw.to_string(),
                message: "not a construct cell templates need".into(),
            });
        }
        let k = match kw {
            "begintemplate" => {
                self.i += 1;
                let name = self.ident()?;
                let mut body = Vec::new();
                while !self.is_kw("endtemplate") {
                    if self.at_end() {
                        return self.err(format!("`begintemplate {name}` has no `endtemplate`"));
                    }
                    body.push(self.stmt()?);
                }
                self.i += 1;
                let end = self.ident()?;
                if end != name {
                    return self.err(format!("`endtemplate {end}` closes `begintemplate {name}`"));
                }
                StmtKind::Template(name, body)
            }
            "public" => {
                self.i += 1;
                StmtKind::Public(self.names()?)
            }
            "external" => {
                self.i += 1;
                StmtKind::External(self.names()?)
            }
            "create" => {
                self.i += 1;
                StmtKind::Create(self.decls()?)
            }
            "objref" | "objectvar" => {
                self.i += 1;
                StmtKind::Objref(self.decls()?)
            }
            "strdef" => {
                self.i += 1;
                StmtKind::Strdef(self.names()?)
            }
            "double" => {
                self.i += 1;
                let mut v = Vec::new();
                loop {
                    let n = self.ident()?;
                    let mut dims = Vec::new();
                    while self.eat("[") {
                        dims.push(self.paren_expr_until("]")?);
                    }
                    v.push((n, dims));
                    if !self.eat(",") {
                        break;
                    }
                }
                StmtKind::Double(v)
            }
            "local" | "localobj" => {
                self.i += 1;
                StmtKind::Local(self.names()?, kw == "localobj")
            }
            "proc" | "func" | "obfunc" => {
                self.i += 1;
                let name = self.ident()?;
                self.expect("(")?;
                self.expect(")")?;
                self.expect("{")?;
                let body = self.block()?;
                let kind = match kw {
                    "proc" => "proc",
                    "func" => "func",
                    _ => "obfunc",
                };
                StmtKind::Proc(name, body, kind)
            }
            "connect" => {
                self.i += 1;
                self.connect()?
            }
            "access" => {
                self.i += 1;
                StmtKind::Access(self.postfix()?)
            }
            "setpointer" => {
                self.i += 1;
                let target = self.postfix()?;
                self.expect(",")?;
                StmtKind::SetPointer(target, self.expr()?)
            }
            "insert" | "uninsert" => {
                self.i += 1;
                StmtKind::Insert(self.ident()?, kw == "uninsert")
            }
            "forall" => {
                self.i += 1;
                StmtKind::Forall(self.boxed()?)
            }
            "forsec" | "ifsec" => {
                self.i += 1;
                let e = self.postfix()?;
                let s = self.boxed()?;
                if kw == "forsec" {
                    StmtKind::Forsec(e, s)
                } else {
                    StmtKind::Ifsec(e, s)
                }
            }
            "for" => {
                self.i += 1;
                self.for_stmt()?
            }
            "while" => {
                self.i += 1;
                self.expect("(")?;
                let c = self.paren_expr_until(")")?;
                StmtKind::While(c, self.boxed()?)
            }
            "if" => {
                self.i += 1;
                self.expect("(")?;
                let c = self.paren_expr_until(")")?;
                let then = self.boxed()?;
                let mut j = self.i;
                while matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Op(";"))) {
                    j += 1;
                }
                let els = if matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Ident(s)) if s == "else")
                {
                    self.i = j + 1;
                    Some(self.boxed()?)
                } else {
                    None
                };
                StmtKind::If(c, then, els)
            }
            "return" => {
                self.i += 1;
                if self.nl() || self.is_op("}") || self.is_op(";") {
                    StmtKind::Return(None)
                } else {
                    StmtKind::Return(Some(self.expr()?))
                }
            }
            "break" => {
                self.i += 1;
                StmtKind::Break
            }
            "continue" => {
                self.i += 1;
                StmtKind::Continue
            }
            "print" => {
                self.i += 1;
                let mut v = vec![self.expr()?];
                while self.eat(",") {
                    v.push(self.expr()?);
                }
                StmtKind::Print(v)
            }
            _ => return Ok(None),
        };
        Ok(Some(k))
    }

    fn connect(&mut self) -> Result<StmtKind> {
        let child = self.postfix()?;
        self.expect(",")?;
        let parent = self.expr()?;
        Ok(StmtKind::Connect(child, parent))
    }

    fn for_stmt(&mut self) -> Result<StmtKind> {
        if self.is_op("(") {
            if let (Some(Tok::Ident(v)), Some(Tok::Op(o))) = (self.peek_at(1), self.peek_at(2)) {
                if *o == ")" || *o == "," {
                    let v = v.clone();
                    let o = *o;
                    self.i += 3;
                    let ends = if o == "," {
                        let e = self.paren_expr_until(")")?;
                        match e {
                            Expr::Num(n) => n != 0.0,
                            _ => {
                                return self
                                    .err("`for (x, …)`: the second argument must be a number")
                            }
                        }
                    } else {
                        true
                    };
                    return Ok(StmtKind::ForSeg(v, ends, self.boxed()?));
                }
            }
            self.i += 1;
            self.depth += 1;
            let init = if self.is_op(";") {
                None
            } else {
                Some(self.assign_or_expr()?)
            };
            self.expect(";")?;
            let cond = if self.is_op(";") {
                None
            } else {
                Some(self.expr()?)
            };
            self.expect(";")?;
            let step = if self.is_op(")") {
                None
            } else {
                Some(self.assign_or_expr()?)
            };
            self.depth -= 1;
            self.expect(")")?;
            return Ok(StmtKind::ForC(init, cond, step, self.boxed()?));
        }
        let v = self.ident()?;
        self.expect("=")?;
        let a = self.expr()?;
        self.expect(",")?;
        let b = self.expr()?;
        Ok(StmtKind::ForRange(v, a, b, self.boxed()?))
    }

    fn expr_stmt(&mut self) -> Result<StmtKind> {
        let e = self.assign_or_expr()?;
        let sectionish = matches!(&e, Expr::Name(n) if n.args.is_none())
            || matches!(&e, Expr::Member(_, n) if n.args.is_none());
        if sectionish && !self.at_end() && !self.nl() {
            let starts = match self.peek() {
                Some(Tok::Op(o)) => *o == "{",
                Some(Tok::Ident(s)) => s != "else",
                _ => false,
            };
            if starts {
                if self.is_kw("connect") {
                    // `parent connect child(end), x`
                    self.i += 1;
                    let k = self.connect()?;
                    let line = self.line();
                    return Ok(StmtKind::OnSection(e, Box::new(Stmt { kind: k, line })));
                }
                return Ok(StmtKind::OnSection(e, self.boxed()?));
            }
        }
        Ok(StmtKind::Expr(e))
    }

    fn assign_or_expr(&mut self) -> Result<Expr> {
        let lhs = self.expr()?;
        for op in ["=", "+=", "-=", "*=", "/="] {
            if self.is_op(op) {
                let op: &'static str = match op {
                    "=" => "=",
                    "+=" => "+=",
                    "-=" => "-=",
                    "*=" => "*=",
                    _ => "/=",
                };
                self.i += 1;
                let rhs = self.assign_or_expr()?;
                let to = if self.eat(":") {
                    Some(self.expr()?)
                } else {
                    None
                };
                return Ok(Expr::Assign(Box::new(Assign { lhs, op, rhs, to })));
            }
        }
        Ok(lhs)
    }

    /// An expression (no assignment).
    pub fn expr(&mut self) -> Result<Expr> {
        self.binary(0)
    }

    fn binary(&mut self, level: usize) -> Result<Expr> {
        const LEVELS: [&[&str]; 5] = [
            &["||"],
            &["&&"],
            &["==", "!=", "<", "<=", ">", ">="],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            if self.depth == 0 && self.nl() {
                return Ok(lhs);
            }
            let op = match self.peek() {
                Some(Tok::Op(o)) if LEVELS[level].contains(o) => *o,
                _ => return Ok(lhs),
            };
            self.i += 1;
            let rhs = self.binary(level + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.eat("-") {
            return Ok(Expr::Unary("-", Box::new(self.unary()?)));
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("!") {
            return Ok(Expr::Unary("!", Box::new(self.unary()?)));
        }
        if self.eat("&") {
            // `&v(0.5)`: a pointer, only ever handed to objects that are not
            // part of the cell (NetCon sources).
            return Ok(Expr::Unary("&", Box::new(self.postfix()?)));
        }
        let base = self.postfix()?;
        if (self.depth > 0 || !self.nl()) && self.eat("^") {
            let exp = self.unary()?;
            return Ok(Expr::Binary("^", Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn args(&mut self) -> Result<Vec<Expr>> {
        self.depth += 1;
        let mut v = Vec::new();
        if !self.is_op(")") {
            loop {
                let a = self.assign_or_expr()?;
                let a = if self.eat(":") {
                    Expr::Interval(Box::new(a), Box::new(self.expr()?))
                } else {
                    a
                };
                v.push(a);
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.depth -= 1;
        self.expect(")")?;
        Ok(v)
    }

    fn name_ref(&mut self) -> Result<NameRef> {
        let line = self.line();
        let name = self.ident()?;
        let mut index = Vec::new();
        while self.is_op("[") {
            self.i += 1;
            index.push(self.paren_expr_until("]")?);
        }
        let args = if self.eat("(") {
            Some(self.args()?)
        } else {
            None
        };
        Ok(NameRef {
            name,
            index,
            args,
            line,
        })
    }

    /// A primary and its `.member` chain.
    pub fn postfix(&mut self) -> Result<Expr> {
        let mut e = match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.i += 1;
                Expr::Num(n)
            }
            Some(Tok::Str(s)) => {
                self.i += 1;
                Expr::Str(s)
            }
            Some(Tok::Arg(k, n)) => {
                self.i += 1;
                Expr::Arg(k, n)
            }
            Some(Tok::Op("(")) => {
                self.i += 1;
                self.depth += 1;
                let e = self.assign_or_expr();
                self.depth -= 1;
                let e = e?;
                self.expect(")")?;
                e
            }
            Some(Tok::Ident(s)) if s == "new" => {
                self.i += 1;
                let name = self.ident()?;
                self.expect("(")?;
                Expr::New(name, self.args()?)
            }
            Some(Tok::Ident(_)) => Expr::Name(self.name_ref()?),
            _ => return self.err(format!("expected an expression, found {}", self.found())),
        };
        while self.is_op(".") && matches!(self.peek_at(1), Some(Tok::Ident(_))) {
            self.i += 1;
            e = Expr::Member(Box::new(e), self.name_ref()?);
        }
        Ok(e)
    }
}
