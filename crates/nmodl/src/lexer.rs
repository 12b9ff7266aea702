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
    let b = src.as_bytes();
    let mut i = 0usize;
    let mut line = 1u32;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => i += 1,
            b':' | b'?' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                let l0 = line;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return Err(Diagnostic::new(file, l0, "unterminated string"));
                }
                out.push(Token {
                    tok: Tok::Str(src[start..i].to_string()),
                    line: l0,
                });
                i += 1;
            }
            _ if is_name_start(c) => {
                let start = i;
                while i < b.len() && is_name_char(b[i]) {
                    i += 1;
                }
                let name = &src[start..i];
                match name {
                    "COMMENT" => {
                        // Skip to ENDCOMMENT.
                        let l0 = line;
                        match src[i..].find("ENDCOMMENT") {
                            Some(off) => {
                                line += src[i..i + off].matches('\n').count() as u32;
                                i += off + "ENDCOMMENT".len();
                            }
                            None => {
                                return Err(Diagnostic::new(file, l0, "COMMENT without ENDCOMMENT"))
                            }
                        }
                    }
                    "VERBATIM" => {
                        let l0 = line;
                        match src[i..].find("ENDVERBATIM") {
                            Some(off) => {
                                let text = src[i..i + off].to_string();
                                line += text.matches('\n').count() as u32;
                                i += off + "ENDVERBATIM".len();
                                out.push(Token {
                                    tok: Tok::Verbatim(text),
                                    line: l0,
                                });
                            }
                            None => {
                                return Err(Diagnostic::new(
                                    file,
                                    l0,
                                    "VERBATIM without ENDVERBATIM",
                                ))
                            }
                        }
                    }
                    "TITLE" => {
                        while i < b.len() && b[i] != b'\n' {
                            i += 1;
                        }
                    }
                    _ => {
                        let mut order = 0;
                        while i < b.len() && b[i] == b'\'' {
                            order += 1;
                            i += 1;
                        }
                        if order > 0 {
                            out.push(Token {
                                tok: Tok::Prime(name.to_string(), order),
                                line,
                            });
                        } else {
                            out.push(Token {
                                tok: Tok::Name(name.to_string()),
                                line,
                            });
                        }
                    }
                }
            }
            _ if c.is_ascii_digit()
                || (c == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit()) =>
            {
                let start = i;
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
                out.push(Token {
                    tok: Tok::Number(src[start..i].to_string()),
                    line,
                });
            }
            _ => {
                let rest = &src[i..];
                match OPS.iter().find(|op| rest.starts_with(**op)) {
                    Some(op) => {
                        out.push(Token {
                            tok: Tok::Op(op),
                            line,
                        });
                        i += op.len();
                    }
                    None => {
                        let ch = rest.chars().next().unwrap_or('?');
                        return Err(Diagnostic::new(
                            file,
                            line,
                            format!("unexpected character `{ch}`"),
                        ));
                    }
                }
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
    });
    Ok(out)
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
