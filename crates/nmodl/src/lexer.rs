//! Tokens of an NMODL file.
//!
//! Comments (`: …`, `? …`, `COMMENT … ENDCOMMENT`) and the `TITLE` line are dropped;
//! `VERBATIM … ENDVERBATIM` becomes one token carrying its text. Numbers keep the
//! text they were written with (nocmodl passes it to the C compiler unchanged, so
//! the value is the correctly rounded double of that text). Every token carries
//! its 1-based line.

use crate::Diagnostic;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name (`gnabar`, `SUFFIX`, `exp`).
    Name(String),
    /// A derivative: name and order (`m'` is `("m", 1)`).
    Prime(String, u32),
    /// A number as written (`1e-4`, `.5`, `2`).
    Number(String),
    /// A string literal, without the quotes.
    Str(String),
    /// The text between `VERBATIM` and `ENDVERBATIM`.
    Verbatim(String),
    /// An operator or punctuation (`+`, `<->`, `{`, `,`, …).
    Op(&'static str),
    /// End of input.
    Eof,
}

/// A token with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// 1-based line.
    pub line: u32,
}

const OPS: &[&str] = &[
    "<->", "<<", "->", "<=", ">=", "==", "!=", "&&", "||", "~+", "+", "-", "*", "/", "^", "(", ")",
    "{", "}", "[", "]", ",", "=", "<", ">", "!", "~", "@", "%", ";", "'",
];

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic()
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Split a file into tokens. `file` names the file in diagnostics.
pub fn lex(src: &str, file: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
        line: 1,
        file,
        out: Vec::new(),
    };
    while lx.i < lx.b.len() {
        let c = lx.b[lx.i];
        match c {
            b'\n' => {
                lx.line += 1;
                lx.i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => lx.i += 1,
            b':' | b'?' => lx.skip_line(),
            b'"' => lx.string()?,
            _ if is_name_start(c) => lx.word()?,
            _ if c.is_ascii_digit()
                || (c == b'.' && lx.i + 1 < lx.b.len() && lx.b[lx.i + 1].is_ascii_digit()) =>
            {
                lx.number()
            }
            _ => lx.op()?,
        }
    }
    lx.push(Tok::Eof, lx.line);
    Ok(lx.out)
}

/// The position in the text and the tokens so far.
struct Lexer<'s> {
    src: &'s str,
    b: &'s [u8],
    i: usize,
    line: u32,
    file: &'s str,
    out: Vec<Token>,
}

impl<'s> Lexer<'s> {
    fn push(&mut self, tok: Tok, line: u32) {
        self.out.push(Token { tok, line });
    }

    fn error(&self, line: u32, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file, line, msg)
    }

    /// Skip to the end of the line (a comment, a TITLE).
    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// A string literal (it may span lines).
    fn string(&mut self) -> Result<(), Diagnostic> {
        let start = self.i + 1;
        let l0 = self.line;
        self.i += 1;
        while self.i < self.b.len() && self.b[self.i] != b'"' {
            if self.b[self.i] == b'\n' {
                self.line += 1;
            }
            self.i += 1;
        }
        if self.i >= self.b.len() {
            return Err(self.error(l0, "unterminated string"));
        }
        self.push(Tok::Str(self.src[start..self.i].to_string()), l0);
        self.i += 1;
        Ok(())
    }

    /// A name: COMMENT and TITLE are skipped, VERBATIM is one token, a name
    /// followed by primes is a derivative.
    fn word(&mut self) -> Result<(), Diagnostic> {
        let start = self.i;
        while self.i < self.b.len() && is_name_char(self.b[self.i]) {
            self.i += 1;
        }
        let name = &self.src[start..self.i];
        match name {
            "COMMENT" => {
                self.up_to("ENDCOMMENT", "COMMENT without ENDCOMMENT")?;
            }
            "VERBATIM" => {
                let l0 = self.line;
                let text = self.up_to("ENDVERBATIM", "VERBATIM without ENDVERBATIM")?;
                self.push(Tok::Verbatim(text.to_string()), l0);
            }
            "TITLE" => self.skip_line(),
            _ => {
                let mut order = 0;
                while self.i < self.b.len() && self.b[self.i] == b'\'' {
                    order += 1;
                    self.i += 1;
                }
                let tok = if order > 0 {
                    Tok::Prime(name.to_string(), order)
                } else {
                    Tok::Name(name.to_string())
                };
                self.push(tok, self.line);
            }
        }
        Ok(())
    }

    /// Skip past `end`; returns the text before it (`missing` when there is no
    /// `end`, reported at the opening line).
    fn up_to(&mut self, end: &str, missing: &str) -> Result<&'s str, Diagnostic> {
        let l0 = self.line;
        let src = self.src;
        match src[self.i..].find(end) {
            Some(off) => {
                let text = &src[self.i..self.i + off];
                self.line += text.matches('\n').count() as u32;
                self.i += off + end.len();
                Ok(text)
            }
            None => Err(self.error(l0, missing)),
        }
    }

    /// A number, kept as written: digits, a fraction, an exponent.
    fn number(&mut self) {
        let b = self.b;
        let start = self.i;
        let mut i = self.i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        self.i = i;
        self.push(Tok::Number(self.src[start..i].to_string()), self.line);
    }

    /// An operator or punctuation, the longest first.
    fn op(&mut self) -> Result<(), Diagnostic> {
        let rest = &self.src[self.i..];
        match OPS.iter().find(|op| rest.starts_with(**op)) {
            Some(op) => {
                self.push(Tok::Op(op), self.line);
                self.i += op.len();
                Ok(())
            }
            None => {
                let ch = rest.chars().next().unwrap_or('?');
                Err(self.error(self.line, format!("unexpected character `{ch}`")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_lines_comments_and_verbatim() {
        let src = "NEURON { SUFFIX x } : comment\nCOMMENT\nignored\nENDCOMMENT\nm' = 1.5e-3*.5\nVERBATIM\nreturn;\nENDVERBATIM\nTITLE all of this\n? also\n";
        let t = lex(src, "x.mod").unwrap();
        let kinds: Vec<&Tok> = t.iter().map(|t| &t.tok).collect();
        assert_eq!(kinds[0], &Tok::Name("NEURON".into()));
        assert_eq!(kinds[5], &Tok::Prime("m".into(), 1));
        assert_eq!(t[5].line, 5);
        assert_eq!(kinds[7], &Tok::Number("1.5e-3".into()));
        assert_eq!(kinds[9], &Tok::Number(".5".into()));
        assert!(matches!(kinds[10], Tok::Verbatim(s) if s.trim() == "return;"));
        assert_eq!(t[10].line, 6);
        assert_eq!(kinds[11], &Tok::Eof);
        assert_eq!(t[11].line, 11);
    }

    #[test]
    fn unexpected_character_has_a_line() {
        let e = lex("a\nb $", "f.mod").unwrap_err();
        assert_eq!(e.to_string(), "f.mod:2: unexpected character `$`");
    }
}
