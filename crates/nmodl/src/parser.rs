//! Recursive-descent parser from tokens to [`Module`].
//!
//! Syntax errors stop the file with a diagnostic; constructs that parse but are not
//! translated (`WATCH`, `LINEAR` blocks, …) are recorded in
//! [`Module::unsupported`] and reported by the semantic checks.

use crate::ast::*;
use crate::lexer::{Tok, Token};
use crate::Diagnostic;

/// Parse one file.
pub fn parse(tokens: Vec<Token>, file: &str) -> Result<Module, Diagnostic> {
    let mut first_seen = std::collections::HashMap::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Tok::Name(n) | Tok::Prime(n, _) = &t.tok {
            first_seen.entry(n.clone()).or_insert(i);
        }
    }
    let mut p = Parser {
        t: tokens,
        i: 0,
        file: file.to_string(),
        m: Module {
            first_seen,
            ..Module::default()
        },
        in_linear: false,
    };
    p.module()?;
    Ok(p.m)
}

struct Parser {
    t: Vec<Token>,
    i: usize,
    file: String,
    m: Module,
    /// Inside a LINEAR block (`~` starts an equation).
    in_linear: bool,
}

type R<T> = Result<T, Diagnostic>;

fn is_number_text(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_digit())
}

/// nocmodl's `real`: an integer literal gets `.0`.
fn real_text(s: &str) -> String {
    if is_number_text(s) {
        format!("{s}.0")
    } else {
        s.to_string()
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.t[self.i].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.t[(self.i + k).min(self.t.len() - 1)].tok
    }

    fn line(&self) -> Line {
        self.t[self.i].line
    }

    fn bump(&mut self) -> Token {
        let t = self.t[self.i].clone();
        if self.i + 1 < self.t.len() {
            self.i += 1;
        }
        t
    }

    fn err<T>(&self, msg: impl Into<String>) -> R<T> {
        Err(Diagnostic::new(&self.file, self.line(), msg))
    }

    fn describe(&self) -> String {
        match self.peek() {
            Tok::Name(n) => format!("`{n}`"),
            Tok::Prime(n, k) => format!("`{n}{}`", "'".repeat(*k as usize)),
            Tok::Number(n) => format!("`{n}`"),
            Tok::Str(_) => "a string".into(),
            Tok::Verbatim(_) => "VERBATIM".into(),
            Tok::Op(o) => format!("`{o}`"),
            Tok::Eof => "the end of the file".into(),
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_name(&self, n: &str) -> bool {
        matches!(self.peek(), Tok::Name(x) if x == n)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &str) -> R<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            self.err(format!("expected `{op}`, found {}", self.describe()))
        }
    }

    fn name(&mut self) -> R<String> {
        match self.peek().clone() {
            Tok::Name(n) => {
                self.bump();
                Ok(n)
            }
            _ => self.err(format!("expected a name, found {}", self.describe())),
        }
    }

    fn integer(&mut self) -> R<u32> {
        match self.peek().clone() {
            Tok::Number(n) if is_number_text(&n) => {
                self.bump();
                n.parse()
                    .or_else(|_| self.err(format!("integer `{n}` is too large")))
            }
            Tok::Name(n)
                if self
                    .m
                    .defines
                    .iter()
                    .any(|(d, v)| *d == n && is_number_text(v)) =>
            {
                self.bump();
                let v = self
                    .m
                    .defines
                    .iter()
                    .find(|(d, _)| *d == n)
                    .unwrap()
                    .1
                    .clone();
                v.parse()
                    .or_else(|_| self.err(format!("integer `{v}` is too large")))
            }
            _ => self.err(format!("expected an integer, found {}", self.describe())),
        }
    }

    /// A signed number as written (`-1.5`, `2`).
    fn signed_number(&mut self) -> R<String> {
        let neg = self.eat_op("-");
        match self.peek().clone() {
            Tok::Number(n) => {
                self.bump();
                Ok(if neg { format!("-{n}") } else { n })
            }
            Tok::Name(n) if self.m.defines.iter().any(|(d, _)| *d == n) => {
                self.bump();
                let v = self
                    .m
                    .defines
                    .iter()
                    .find(|(d, _)| *d == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                Ok(if neg { format!("-{v}") } else { v })
            }
            _ => self.err(format!("expected a number, found {}", self.describe())),
        }
    }

    /// `( … )` units as written, or empty.
    fn opt_units(&mut self) -> R<String> {
        if !self.is_op("(") {
            return Ok(String::new());
        }
        let l0 = self.line();
        self.bump();
        let mut depth = 1;
        let mut s = String::new();
        loop {
            let t = self.bump();
            match &t.tok {
                Tok::Op("(") => depth += 1,
                Tok::Op(")") => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tok::Eof => {
                    return Err(Diagnostic::new(&self.file, l0, "unclosed units `(`"));
                }
                _ => {}
            }
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&match &t.tok {
                Tok::Name(n) => n.clone(),
                Tok::Number(n) => n.clone(),
                Tok::Op(o) => o.to_string(),
                Tok::Prime(n, _) => n.clone(),
                _ => String::new(),
            });
        }
        Ok(s.replace(" / ", "/")
            .replace("/ ", "/")
            .replace(" /", "/")
            .replace(" - ", "-"))
    }

    /// Skip a balanced `{ … }` (the current token must be `{`).
    fn skip_braces(&mut self) -> R<()> {
        let l0 = self.line();
        self.expect_op("{")?;
        let mut depth = 1;
        loop {
            match self.bump().tok {
                Tok::Op("{") => depth += 1,
                Tok::Op("}") => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tok::Eof => return Err(Diagnostic::new(&self.file, l0, "unclosed `{`")),
                _ => {}
            }
        }
    }

    fn unsupported_block(&mut self, what: &str) -> R<()> {
        let l = self.line();
        self.m
            .unsupported
            .push((l, format!("{what} is not supported by synaptune nmodl")));
        // Skip to the block's opening brace, then over it.
        while !self.is_op("{") {
            if matches!(self.peek(), Tok::Eof) {
                return Ok(());
            }
            self.bump();
        }
        self.skip_braces()
    }

    /// The blocks after the declarations that translate specially: DESTRUCTOR
    /// (skipped), BEFORE/AFTER, FUNCTION_TABLE, LINEAR. `false` for others.
    fn special_block(&mut self, n: &str, l: Line) -> R<bool> {
        match n {
            "DESTRUCTOR" => {
                // What a DESTRUCTOR frees (Random objects, vectors in
                // VERBATIM) synaptune never allocates: skipped.
                self.bump();
                while !self.is_op("{") {
                    if matches!(self.peek(), Tok::Eof) {
                        return Ok(true);
                    }
                    self.bump();
                }
                self.skip_braces()?;
            }
            "BEFORE" | "AFTER" => {
                self.bump();
                let when = match self.peek().clone() {
                    Tok::Name(w) => {
                        self.bump();
                        format!("{n} {w}")
                    }
                    _ => {
                        return self.err(format!(
                            "expected BREAKPOINT, SOLVE, INITIAL or STEP after {n}"
                        ))
                    }
                };
                let b = self.block()?;
                if BA_SUPPORTED.contains(&when.as_str()) {
                    self.m.ba.push((when, b, l));
                } else {
                    self.m.unsupported.push((
                        l,
                        format!("{when} block is not supported by synaptune nmodl (BEFORE BREAKPOINT, AFTER SOLVE, BEFORE INITIAL and AFTER INITIAL are)"),
                    ));
                }
            }
            "FUNCTION_TABLE" => {
                self.bump();
                let name = self.name()?;
                let args = self.formal_args()?;
                self.opt_units()?;
                self.m.function_tables.push((name, args.len(), l));
            }
            "LINEAR" => {
                self.bump();
                let name = self.name()?;
                if self.is_name("SOLVEFOR") {
                    self.bump();
                    self.name_list()?;
                }
                self.in_linear = true;
                let body = self.block();
                self.in_linear = false;
                self.m.linears.push(NamedBlock {
                    name,
                    body: body?,
                    line: l,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn module(&mut self) -> R<()> {
        loop {
            let l = self.line();
            match self.peek().clone() {
                Tok::Eof => return Ok(()),
                Tok::Verbatim(text) => {
                    self.bump();
                    // At file level only includes and comments (C allows no
                    // statement there).
                    if crate::harmless_verbatim(&text) != Some(crate::Harmless::Nothing) {
                        self.m.unsupported.push((l, crate::verbatim_message(&text)));
                    }
                }
                Tok::Name(n) if self.special_block(&n, l)? => {}
                Tok::Name(n) => match n.as_str() {
                    "NEURON" => {
                        self.bump();
                        self.neuron_block(l)?;
                    }
                    "UNITS" => {
                        self.bump();
                        self.units_block()?;
                    }
                    "PARAMETER" => {
                        self.bump();
                        let d = self.decl_block(true)?;
                        self.m.parameters.extend(d);
                    }
                    "ASSIGNED" | "DEPENDENT" => {
                        self.bump();
                        let d = self.decl_block(false)?;
                        self.m.assigned.extend(d);
                    }
                    "STATE" => {
                        self.bump();
                        let d = self.decl_block(false)?;
                        self.m.states.extend(d);
                    }
                    "CONSTANT" => {
                        self.bump();
                        let d = self.decl_block(true)?;
                        self.m.constants.extend(d);
                    }
                    "INDEPENDENT" => {
                        self.bump();
                        self.skip_braces()?;
                    }
                    "UNITSON" | "UNITSOFF" | "THREADSAFE" => {
                        self.bump();
                    }
                    "DEFINE" => {
                        self.bump();
                        let name = self.name()?;
                        let v = self.signed_number()?;
                        self.m.defines.push((name, v));
                    }
                    "LOCAL" => {
                        self.bump();
                        let names = self.name_list()?;
                        self.m.top_locals.extend(names.into_iter().map(|n| (n, l)));
                    }
                    "INITIAL" => {
                        self.bump();
                        let b = self.block()?;
                        self.m.initial = Some((b, l));
                    }
                    "BREAKPOINT" => {
                        self.bump();
                        let b = self.block()?;
                        self.m.breakpoint = Some((b, l));
                    }
                    "DERIVATIVE" | "KINETIC" => {
                        self.bump();
                        self.named_block(n == "KINETIC", l)?;
                    }
                    "PROCEDURE" | "FUNCTION" => {
                        self.bump();
                        self.func(n == "FUNCTION", l)?;
                    }
                    "NET_RECEIVE" => {
                        self.bump();
                        self.net_receive(l)?;
                    }
                    "NONLINEAR" | "DISCRETE" | "PARTIAL" | "CONSTRUCTOR" | "EQUATION"
                    | "TERMINAL" | "LAG" => {
                        self.unsupported_block(&format!("{n} block"))?;
                    }
                    "INCLUDE" => {
                        self.bump();
                        self.m.unsupported.push((
                            l,
                            "INCLUDE is not supported by synaptune nmodl (copy the included text into the file)".to_string(),
                        ));
                        if let Tok::Str(_) = self.peek() {
                            self.bump();
                        }
                    }
                    _ => {
                        return self.err(format!(
                        "expected a block keyword (NEURON, PARAMETER, BREAKPOINT, …), found `{n}`"
                    ))
                    }
                },
                _ => {
                    return self.err(format!(
                        "expected a block keyword, found {}",
                        self.describe()
                    ))
                }
            }
        }
    }

    /// A DERIVATIVE or KINETIC block after its keyword: name and body.
    fn named_block(&mut self, kinetic: bool, line: Line) -> R<()> {
        let name = self.name()?;
        let body = self.block()?;
        let nb = NamedBlock { name, body, line };
        if kinetic {
            self.m.kinetics.push(nb);
        } else {
            self.m.derivatives.push(nb);
        }
        Ok(())
    }

    /// NET_RECEIVE after its keyword: arguments and body.
    fn net_receive(&mut self, line: Line) -> R<()> {
        let args = self.formal_args()?;
        let body = self.block()?;
        self.m.net_receive = Some(NetReceive { args, body, line });
        Ok(())
    }

    /// A FUNCTION or PROCEDURE after its keyword: name, arguments, units, body.
    fn func(&mut self, is_function: bool, line: Line) -> R<()> {
        let name = self.name()?;
        let args = self.formal_args()?;
        self.opt_units()?;
        let body = self.block()?;
        self.m.funcs.push(Func {
            name,
            args,
            body,
            is_function,
            line,
        });
        Ok(())
    }

    /// `(a (units), b, …)`: argument names (their units are not kept).
    fn formal_args(&mut self) -> R<Vec<String>> {
        self.expect_op("(")?;
        let mut args = Vec::new();
        if !self.is_op(")") {
            loop {
                args.push(self.name()?);
                self.opt_units()?;
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        self.expect_op(")")?;
        Ok(args)
    }

    fn name_list(&mut self) -> R<Vec<String>> {
        let mut v = vec![self.name()?];
        while self.eat_op(",") {
            v.push(self.name()?);
        }
        Ok(v)
    }

    fn neuron_block(&mut self, line: Line) -> R<()> {
        self.expect_op("{")?;
        let mut nb = NeuronBlock {
            line,
            ..NeuronBlock::default()
        };
        loop {
            let l = self.line();
            if self.eat_op("}") {
                break;
            }
            let kw = self.name()?;
            match kw.as_str() {
                "SUFFIX" | "POINT_PROCESS" | "ARTIFICIAL_CELL" => {
                    let name = self.name()?;
                    let k = match kw.as_str() {
                        "SUFFIX" => MechKind::Density,
                        "POINT_PROCESS" => MechKind::Point,
                        _ => MechKind::Artificial,
                    };
                    if nb.kind.is_some() {
                        return Err(Diagnostic::new(
                            &self.file,
                            l,
                            "a second SUFFIX/POINT_PROCESS/ARTIFICIAL_CELL",
                        ));
                    }
                    nb.kind = Some((k, name, l));
                }
                "USEION" => {
                    let ion = self.name()?;
                    let mut read = Vec::new();
                    let mut write = Vec::new();
                    let mut valence = None;
                    loop {
                        if self.is_name("READ") {
                            self.bump();
                            read.extend(self.name_list()?);
                        } else if self.is_name("WRITE") {
                            self.bump();
                            let w = self.name_list()?;
                            write.extend(w);
                        } else if self.is_name("VALENCE") || self.is_name("CHARGE") {
                            self.bump();
                            let v = self.signed_number()?;
                            valence = v.parse::<f64>().ok();
                        } else if self.is_name("REPRESENTS") {
                            self.bump();
                            self.name()?;
                        } else {
                            break;
                        }
                    }
                    for w in &write {
                        if *w == format!("i{ion}") {
                            nb.currents.push(CurrentDecl {
                                name: w.clone(),
                                ion: Some(ion.clone()),
                            });
                        }
                    }
                    nb.useions.push(UseIon {
                        ion,
                        read,
                        write,
                        valence,
                        line: l,
                    });
                }
                "NONSPECIFIC_CURRENT" | "ELECTRODE_CURRENT" => {
                    if kw == "ELECTRODE_CURRENT" {
                        nb.electrode = true;
                    }
                    for n in self.name_list()? {
                        nb.currents.push(CurrentDecl { name: n, ion: None });
                    }
                }
                "RANGE" => nb.range.extend(self.name_list()?),
                "GLOBAL" => nb.global.extend(self.name_list()?),
                "THREADSAFE" => {
                    nb.threadsafe = true;
                    // Optional list of names (thread-safe globals).
                    if matches!(self.peek(), Tok::Name(n) if !is_neuron_keyword(n)) {
                        self.name_list()?;
                    }
                }
                "REPRESENTS" => {
                    self.name()?;
                }
                "POINTER" => {
                    for n in self.name_list()? {
                        nb.pointers.push((n, l));
                    }
                }
                "BBCOREPOINTER" | "EXTERNAL" | "RANDOM" => {
                    self.name_list()?;
                    self.m
                        .unsupported
                        .push((l, format!("{kw} is not supported by synaptune nmodl")));
                }
                _ => {
                    return Err(Diagnostic::new(
                        &self.file,
                        l,
                        format!("unknown NEURON block statement `{kw}`"),
                    ))
                }
            }
        }
        self.m.neuron = Some(nb);
        Ok(())
    }

    fn units_block(&mut self) -> R<()> {
        self.expect_op("{")?;
        loop {
            let l = self.line();
            if self.eat_op("}") {
                return Ok(());
            }
            if self.is_op("(") {
                // (alias) = (definition)
                self.opt_units()?;
                self.expect_op("=")?;
                self.opt_units()?;
                continue;
            }
            let name = self.name()?;
            self.expect_op("=")?;
            if self.is_op("(") {
                let from = self.opt_units()?;
                let to = self.opt_units()?;
                self.m.unit_factors.push(UnitFactor {
                    name,
                    from,
                    to,
                    is_number: false,
                    line: l,
                });
            } else {
                let v = self.signed_number()?;
                let u = self.opt_units()?;
                self.m.unit_factors.push(UnitFactor {
                    name,
                    from: v,
                    to: u,
                    is_number: true,
                    line: l,
                });
            }
        }
    }

    /// PARAMETER/ASSIGNED/STATE/CONSTANT body.
    fn decl_block(&mut self, values: bool) -> R<Vec<VarDecl>> {
        self.expect_op("{")?;
        let mut out = Vec::new();
        loop {
            let l = self.line();
            if self.eat_op("}") {
                return Ok(out);
            }
            if self.is_name("UNITSON") || self.is_name("UNITSOFF") {
                self.bump();
                continue;
            }
            let mut d = VarDecl {
                name: self.name()?,
                line: l,
                ..VarDecl::default()
            };
            if self.eat_op("[") {
                d.array = Some(self.integer()?);
                self.expect_op("]")?;
            }
            if values && self.eat_op("=") {
                d.value = Some(self.signed_number()?);
            }
            d.units = self.opt_units()?;
            if self.is_name("FROM") {
                self.bump();
                self.signed_number()?;
                if !self.is_name("TO") {
                    return self.err("expected TO");
                }
                self.bump();
                self.signed_number()?;
            }
            if self.is_name("START") {
                self.bump();
                d.start = Some(self.signed_number()?);
            }
            if self.eat_op("<") {
                let lo = self.signed_number()?;
                if self.eat_op(",") {
                    let hi = self.signed_number()?;
                    d.limits = Some((lo, hi));
                }
                self.expect_op(">")?;
            }
            out.push(d);
        }
    }

    // ---------------------------------------------------------------- blocks

    fn block(&mut self) -> R<Block> {
        self.expect_op("{")?;
        let mut b = Block::default();
        while self.is_name("LOCAL") {
            let l = self.line();
            self.bump();
            loop {
                let n = self.name()?;
                if self.eat_op("[") {
                    self.integer()?;
                    self.expect_op("]")?;
                    self.m
                        .unsupported
                        .push((l, format!("LOCAL array `{n}[…]`")));
                }
                b.locals.push((n, l));
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        loop {
            if self.eat_op("}") {
                return Ok(b);
            }
            if matches!(self.peek(), Tok::Eof) {
                return self.err("unclosed `{`");
            }
            if self.is_name("LOCAL") {
                return self.err("LOCAL must come first in a block");
            }
            if let Some(s) = self.stmt()? {
                b.stmts.push(s);
            }
        }
    }

    fn stmt(&mut self) -> R<Option<Stmt>> {
        let line = self.line();
        let kind = match self.peek().clone() {
            Tok::Verbatim(text) => {
                self.bump();
                StmtKind::Verbatim(text)
            }
            Tok::Op("{") => StmtKind::Block(self.block()?),
            Tok::Op("~") if self.in_linear => {
                self.bump();
                let lhs = self.expr()?;
                self.expect_op("=")?;
                let rhs = self.expr()?;
                StmtKind::LinEq(lhs, rhs)
            }
            Tok::Op("~") => self.reaction()?,
            Tok::Prime(n, order) => {
                self.bump();
                if order != 1 {
                    return self.err("higher-order derivatives are not supported");
                }
                self.expect_op("=")?;
                let e = self.expr()?;
                StmtKind::Deriv(n, e)
            }
            Tok::Name(n) => match n.as_str() {
                "if" => self.if_stmt()?,
                "while" => {
                    self.bump();
                    self.expect_op("(")?;
                    let c = self.expr()?;
                    self.expect_op(")")?;
                    let body = self.block()?;
                    StmtKind::While(c, body)
                }
                "SOLVE" => {
                    self.bump();
                    let name = self.name()?;
                    let mut method = None;
                    let mut steadystate = false;
                    if self.is_name("METHOD") || self.is_name("STEADYSTATE") {
                        steadystate = self.is_name("STEADYSTATE");
                        self.bump();
                        method = Some(self.name()?);
                    }
                    if self.is_name("IFERROR") {
                        self.bump();
                        self.block()?;
                        self.m
                            .unsupported
                            .push((line, "SOLVE … IFERROR".to_string()));
                    }
                    StmtKind::Solve {
                        name,
                        method,
                        steadystate,
                    }
                }
                "TABLE" => self.table()?,
                "CONSERVE" => {
                    self.bump();
                    let terms = self.terms()?;
                    self.expect_op("=")?;
                    let total = self.expr()?;
                    StmtKind::Conserve { terms, total }
                }
                "INITIAL" => {
                    self.bump();
                    StmtKind::NetInitial(self.block()?)
                }
                "UNITSON" | "UNITSOFF" | "MUTEXLOCK" | "MUTEXUNLOCK" => {
                    self.bump();
                    StmtKind::Nothing
                }
                "PROTECT" => {
                    self.bump();
                    return self.stmt();
                }
                "FROM"
                | "WATCH"
                | "FOR_NETCONS"
                | "CONDUCTANCE"
                | "COMPARTMENT"
                | "LONGITUDINAL_DIFFUSION"
                | "LAG"
                | "SWEEP" => {
                    self.bump();
                    self.skip_statement_rest()?;
                    StmtKind::Unsupported(format!("`{n}` statement"))
                }
                _ => {
                    // assignment or call
                    if matches!(self.peek_at(1), Tok::Op("(")) {
                        let e = self.primary()?;
                        StmtKind::Call(e)
                    } else {
                        self.bump();
                        if self.eat_op("[") {
                            self.expr()?;
                            self.expect_op("]")?;
                            self.expect_op("=")?;
                            self.expr()?;
                            StmtKind::Unsupported(format!("array element assignment `{n}[…]`"))
                        } else {
                            self.expect_op("=")?;
                            let e = self.expr()?;
                            StmtKind::Assign(n, e)
                        }
                    }
                }
            },
            _ => return self.err(format!("expected a statement, found {}", self.describe())),
        };
        Ok(Some(Stmt { line, kind }))
    }

    /// Skip the rest of an unsupported statement: a parenthesized header and/or a
    /// braced body, or tokens up to the end of the line.
    fn skip_statement_rest(&mut self) -> R<()> {
        let l = self.line();
        loop {
            match self.peek() {
                Tok::Op("{") => return self.skip_braces(),
                Tok::Op("}") | Tok::Eof => return Ok(()),
                _ if self.line() != l => return Ok(()),
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn if_stmt(&mut self) -> R<StmtKind> {
        self.bump(); // if
        self.expect_op("(")?;
        let c = self.expr()?;
        self.expect_op(")")?;
        let then = self.block()?;
        let els = if self.is_name("else") {
            self.bump();
            if self.is_name("if") {
                let line = self.line();
                let k = self.if_stmt()?;
                Some(Block {
                    locals: Vec::new(),
                    stmts: vec![Stmt { line, kind: k }],
                })
            } else {
                Some(self.block()?)
            }
        } else {
            None
        };
        Ok(StmtKind::If(c, then, els))
    }

    fn table(&mut self) -> R<StmtKind> {
        self.bump(); // TABLE
        let mut vars = Vec::new();
        if !self.is_name("DEPEND") && !self.is_name("FROM") {
            vars = self.name_list()?;
        }
        let mut depend = Vec::new();
        if self.is_name("DEPEND") {
            self.bump();
            depend = self.name_list()?;
        }
        if !self.is_name("FROM") {
            return self.err("expected FROM in TABLE");
        }
        self.bump();
        let from = self.expr()?;
        if !self.is_name("TO") {
            return self.err("expected TO in TABLE");
        }
        self.bump();
        let to = self.expr()?;
        if !self.is_name("WITH") {
            return self.err("expected WITH in TABLE");
        }
        self.bump();
        let with = self.integer()?;
        Ok(StmtKind::Table {
            vars,
            depend,
            from,
            to,
            with,
        })
    }

    fn terms(&mut self) -> R<Vec<Term>> {
        let mut v = Vec::new();
        loop {
            let coef = match self.peek().clone() {
                Tok::Number(n) if is_number_text(&n) => {
                    self.bump();
                    n.parse::<u32>().unwrap_or(1)
                }
                _ => 1,
            };
            let name = self.name()?;
            if self.is_op("[") {
                return self.err("arrays in reactions are not supported");
            }
            v.push(Term { name, coef });
            if !self.eat_op("+") {
                return Ok(v);
            }
        }
    }

    fn reaction(&mut self) -> R<StmtKind> {
        self.bump(); // ~
        let lhs = self.terms()?;
        if self.eat_op("<->") {
            let rhs = self.terms()?;
            self.expect_op("(")?;
            let kf = self.expr()?;
            self.expect_op(",")?;
            let kb = self.expr()?;
            self.expect_op(")")?;
            Ok(StmtKind::Reaction { lhs, rhs, kf, kb })
        } else if self.eat_op("<<") || self.eat_op("->") {
            let into = matches!(self.t[self.i - 1].tok, Tok::Op("<<"));
            self.expect_op("(")?;
            let rate = self.expr()?;
            self.expect_op(")")?;
            if lhs.len() != 1 || lhs[0].coef != 1 {
                return self.err("a flux involves exactly one state");
            }
            Ok(StmtKind::Flux {
                term: lhs.into_iter().next().unwrap(),
                into,
                rate,
            })
        } else {
            self.err("expected `<->`, `<<` or `->` in a reaction")
        }
    }

    // ----------------------------------------------------------- expressions

    /// An expression (C precedence; `^` binds tighter than unary minus, as in
    /// nocmodl, and associates to the right).
    pub fn expr(&mut self) -> R<Expr> {
        self.binary(1)
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Op("||") => BinOp::Or,
            Tok::Op("&&") => BinOp::And,
            Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            Tok::Op("<") => BinOp::Lt,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">=") => BinOp::Ge,
            Tok::Op("+") => BinOp::Add,
            Tok::Op("-") => BinOp::Sub,
            Tok::Op("*") => BinOp::Mul,
            Tok::Op("/") => BinOp::Div,
            _ => return None,
        })
    }

    fn binary(&mut self, min: u8) -> R<Expr> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.binop() {
            if op.prec() < min {
                break;
            }
            self.bump();
            let rhs = self.binary(op.prec() + 1)?;
            lhs = Expr::bin(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Expr> {
        if self.eat_op("-") {
            return Ok(Expr::Unary(UnOp::Neg, Box::new(self.unary()?)));
        }
        if self.eat_op("!") {
            return Ok(Expr::Unary(UnOp::Not, Box::new(self.unary()?)));
        }
        self.power()
    }

    fn power(&mut self) -> R<Expr> {
        let base = self.primary()?;
        if self.eat_op("^") {
            let exp = self.unary()?;
            return Ok(Expr::bin(BinOp::Pow, base, exp));
        }
        Ok(base)
    }

    fn primary(&mut self) -> R<Expr> {
        let line = self.line();
        match self.peek().clone() {
            Tok::Number(n) => {
                self.bump();
                self.opt_units()?;
                Ok(Expr::Num(real_text(&n)))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Str(s))
            }
            Tok::Op("(") => {
                self.bump();
                let e = self.expr()?;
                self.expect_op(")")?;
                Ok(Expr::paren(e))
            }
            Tok::Name(n) => {
                self.bump();
                if let Some((_, v)) = self.m.defines.iter().find(|(d, _)| *d == n) {
                    return Ok(Expr::Num(real_text(v)));
                }
                if self.eat_op("(") {
                    let mut args = Vec::new();
                    if !self.is_op(")") {
                        loop {
                            args.push(self.expr()?);
                            if !self.eat_op(",") {
                                break;
                            }
                        }
                    }
                    self.expect_op(")")?;
                    Ok(Expr::Call(n, args, line))
                } else if self.eat_op("[") {
                    self.expr()?;
                    self.expect_op("]")?;
                    self.m
                        .unsupported
                        .push((line, format!("array element `{n}[…]`")));
                    Ok(Expr::Name(n, line))
                } else {
                    Ok(Expr::Name(n, line))
                }
            }
            Tok::Prime(n, _) => {
                self.bump();
                self.m
                    .unsupported
                    .push((line, format!("derivative `{n}'` used in an expression")));
                Ok(Expr::Name(n, line))
            }
            _ => self.err(format!("expected an expression, found {}", self.describe())),
        }
    }
}

fn is_neuron_keyword(n: &str) -> bool {
    matches!(
        n,
        "SUFFIX"
            | "POINT_PROCESS"
            | "ARTIFICIAL_CELL"
            | "USEION"
            | "NONSPECIFIC_CURRENT"
            | "ELECTRODE_CURRENT"
            | "RANGE"
            | "GLOBAL"
            | "POINTER"
            | "BBCOREPOINTER"
            | "EXTERNAL"
            | "THREADSAFE"
            | "REPRESENTS"
            | "RANDOM"
    )
}

/// The BEFORE/AFTER blocks translated (NEURON's `nrn_ba` times that a
/// mechanism's own entry points can run them at).
pub const BA_SUPPORTED: &[&str] = &[
    "BEFORE BREAKPOINT",
    "AFTER SOLVE",
    "BEFORE INITIAL",
    "AFTER INITIAL",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn parse_src(s: &str) -> Module {
        parse(lex(s, "t.mod").unwrap(), "t.mod").unwrap()
    }

    fn expr(s: &str) -> Expr {
        let src = format!("INITIAL {{ x = {s} }}");
        let m = parse_src(&src);
        match &m.initial.unwrap().0.stmts[0].kind {
            StmtKind::Assign(_, e) => e.clone(),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn precedence_follows_c_with_nmodl_power() {
        // -a^2 is -(a^2); a^b^c is a^(b^c); a*b+c is (a*b)+c.
        assert!(
            matches!(expr("-a^2"), Expr::Unary(UnOp::Neg, e) if matches!(*e, Expr::Binary(BinOp::Pow, _, _)))
        );
        match expr("a^b^c") {
            Expr::Binary(BinOp::Pow, _, r) => assert!(matches!(*r, Expr::Binary(BinOp::Pow, _, _))),
            e => panic!("{e:?}"),
        }
        assert!(matches!(expr("a*b+c"), Expr::Binary(BinOp::Add, _, _)));
        assert!(
            matches!(expr("a - b - c"), Expr::Binary(BinOp::Sub, l, _) if matches!(*l, Expr::Binary(BinOp::Sub, _, _)))
        );
        // Numbers: integers get ".0", units after a number are dropped.
        assert_eq!(
            expr("0.062 (/mV) * 2"),
            Expr::bin(BinOp::Mul, Expr::num("0.062"), Expr::num("2.0"))
        );
    }

    #[test]
    fn textual_concatenations() {
        // net_send(etime - t, 1): t + etime - t == (t + etime) - t.
        let e = expr("etime - t").prepend(BinOp::Add, Expr::Name("t".into(), 0));
        match e {
            Expr::Binary(BinOp::Sub, l, _) => assert!(matches!(*l, Expr::Binary(BinOp::Add, _, _))),
            e => panic!("{e:?}"),
        }
        // rate a + b times state: a + b*A.
        let e = expr("a + b").append(BinOp::Mul, Expr::Name("A".into(), 0));
        assert!(
            matches!(e, Expr::Binary(BinOp::Add, _, r) if matches!(*r, Expr::Binary(BinOp::Mul, _, _)))
        );
    }

    #[test]
    fn declarations_neuron_block_and_reactions() {
        let m = parse_src(
            "NEURON { SUFFIX k USEION k READ ek WRITE ik VALENCE 1 NONSPECIFIC_CURRENT il RANGE g GLOBAL q }\n\
             PARAMETER { g = 0.01 (S/cm2) <0, 1e9> q = -2 }\n\
             STATE { c1 c2 o }\n\
             KINETIC s { ~ c1 <-> c2 (a, b) ~ 2 c2 + c1 <-> o (1, 2) CONSERVE c1 + c2 + o = 1 }",
        );
        let nb = m.neuron.unwrap();
        assert_eq!(nb.kind.unwrap().1, "k");
        assert_eq!(
            nb.currents
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["ik", "il"]
        );
        assert_eq!(m.parameters[0].value.as_deref(), Some("0.01"));
        assert_eq!(m.parameters[0].units, "S/cm2");
        assert_eq!(m.parameters[0].limits, Some(("0".into(), "1e9".into())));
        assert_eq!(m.parameters[1].value.as_deref(), Some("-2"));
        let k = &m.kinetics[0].body.stmts;
        assert!(
            matches!(&k[1].kind, StmtKind::Reaction { lhs, .. } if lhs[0].coef == 2 && lhs[1].name == "c1")
        );
        assert!(matches!(&k[2].kind, StmtKind::Conserve { terms, .. } if terms.len() == 3));
    }

    #[test]
    fn syntax_error_has_file_and_line() {
        let e = parse(lex("PARAMETER {\n a = \n}", "p.mod").unwrap(), "p.mod").unwrap_err();
        assert_eq!(e.to_string(), "p.mod:3: expected a number, found `}`");
    }
}
