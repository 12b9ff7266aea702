//! hoc text into tokens, each with its line and whether a line break comes
//! before it (hoc ends a statement at the end of a line).

use crate::error::{Error, Result};
use std::path::Path;

/// A token's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number.
    Num(f64),
    /// A string literal (escapes resolved).
    Str(String),
    /// A name or keyword.
    Ident(String),
    /// `$1` (0), `$s1` (b's'), `$o1` (b'o'), `$&1` (b'&').
    Arg(u8, usize),
    /// An operator or punctuation (`(`, `+=`, `&&`, ...).
    Op(&'static str),
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// 1-based line.
    pub line: u32,
    /// A line break comes before it.
    pub nl: bool,
}

const OPS: [&str; 30] = [
    "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "++", "--", "(", ")", "{", "}",
    "[", "]", ",", ".", ":", ";", "=", "+", "-", "*", "/", "^", "<", ">",
];
const OPS1: [&str; 3] = ["!", "%", "&"];

/// Split `text` (from `file`, for messages) into tokens.
// Long: one pass over the characters, one branch per kind of token.
pub fn lex(text: &str, file: &Path) -> Result<Vec<Token>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line, mut nl) = (0usize, 1u32, true);
    let err = |line: u32, m: String| Error::Syntax {
        file: file.to_path_buf(),
        line,
        message: m,
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            nl = true;
            i += 1;
            continue;
        }
        if c == b'\\' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            line += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] == b'\n' {
                    line += 1;
                    nl = true;
                }
                i += 1;
            }
            i += 2;
            continue;
        }
        let start_line = line;
        let tok =
            if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
                let s = i;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    let mut j = i + 1;
                    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                        j += 1;
                    }
                    if j < b.len() && b[j].is_ascii_digit() {
                        i = j;
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                let s = &text[s..i];
                Tok::Num(
                    s.parse()
                        .map_err(|_| err(line, format!("bad number `{s}`")))?,
                )
            } else if c.is_ascii_alphabetic() || c == b'_' {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Tok::Ident(text[s..i].to_string())
            } else if c == b'"' {
                i += 1;
                let mut s = String::new();
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\n' {
                        return Err(err(line, "string not closed on its line".into()));
                    }
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                        s.push(match b[i] {
                            b'n' => '\n',
                            b't' => '\t',
                            o => o as char,
                        });
                        i += 1;
                        continue;
                    }
                    let ch = text[i..].chars().next().unwrap();
                    s.push(ch);
                    i += ch.len_utf8();
                }
                i += 1;
                Tok::Str(s)
            } else if c == b'$' {
                i += 1;
                let kind = match b.get(i) {
                    Some(b's') | Some(b'o') | Some(b'&') => {
                        i += 1;
                        b[i - 1]
                    }
                    _ => 0,
                };
                let s = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n = text[s..i]
                    .parse()
                    .map_err(|_| err(line, "`$` must be followed by an argument number".into()))?;
                Tok::Arg(kind, n)
            } else if let Some(op) = OPS
                .iter()
                .chain(OPS1.iter())
                .find(|o| text[i..].starts_with(**o))
            {
                i += op.len();
                Tok::Op(op)
            } else {
                let ch = text[i..].chars().next().unwrap();
                return Err(err(line, format!("unexpected character `{ch}`")));
            };
        out.push(Token {
            tok,
            line: start_line,
            nl,
        });
        nl = false;
    }
    Ok(out)
}
