//! hoc's regular expressions for `forsec`, `ifsec` and `issection`: `.`,
//! `*`, `[…]` classes (ranges, `^` negation), `^` and `$` anchors, `\`
//! escapes. A plain name matches anywhere in the section name.

#[derive(Debug, Clone)]
enum Atom {
    Any,
    Char(char),
    Class(Vec<(char, char)>, bool),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    items: Vec<(Atom, bool)>,
    start: bool,
    end: bool,
}

impl Regex {
    /// Compile `pat` (unknown syntax is taken literally).
    pub fn new(pat: &str) -> Regex {
        let c: Vec<char> = pat.chars().collect();
        let (mut i, mut items) = (0, Vec::new());
        let start = c.first() == Some(&'^');
        if start {
            i = 1;
        }
        let mut end = false;
        while i < c.len() {
            let atom = match c[i] {
                '$' if i + 1 == c.len() => {
                    end = true;
                    i += 1;
                    continue;
                }
                '.' => Atom::Any,
                '\\' if i + 1 < c.len() => {
                    i += 1;
                    Atom::Char(c[i])
                }
                '[' => {
                    let mut j = i + 1;
                    let neg = c.get(j) == Some(&'^');
                    if neg {
                        j += 1;
                    }
                    let mut ranges = Vec::new();
                    while j < c.len() && (c[j] != ']' || j == i + 1 + neg as usize) {
                        if j + 2 < c.len() && c[j + 1] == '-' && c[j + 2] != ']' {
                            ranges.push((c[j], c[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((c[j], c[j]));
                            j += 1;
                        }
                    }
                    if j >= c.len() {
                        Atom::Char('[')
                    } else {
                        i = j;
                        Atom::Class(ranges, neg)
                    }
                }
                ch => Atom::Char(ch),
            };
            i += 1;
            let star = c.get(i) == Some(&'*');
            if star {
                i += 1;
            }
            items.push((atom, star));
        }
        Regex { items, start, end }
    }

    /// Whether the pattern matches somewhere in `s`.
    pub fn find(&self, s: &str) -> bool {
        let c: Vec<char> = s.chars().collect();
        if self.start {
            return self.at(&c, 0, 0);
        }
        (0..=c.len()).any(|k| self.at(&c, k, 0))
    }

    /// Whether the pattern matches all of `s`.
    pub fn full(&self, s: &str) -> bool {
        let r = Regex {
            items: self.items.clone(),
            start: true,
            end: true,
        };
        r.find(s)
    }

    fn at(&self, c: &[char], k: usize, j: usize) -> bool {
        if j == self.items.len() {
            return !self.end || k == c.len();
        }
        let (atom, star) = &self.items[j];
        let ok = |ch: char| match atom {
            Atom::Any => true,
            Atom::Char(a) => *a == ch,
            Atom::Class(r, neg) => r.iter().any(|&(a, b)| a <= ch && ch <= b) != *neg,
        };
        if *star {
            let mut m = k;
            loop {
                if self.at(c, m, j + 1) {
                    return true;
                }
                if m < c.len() && ok(c[m]) {
                    m += 1;
                } else {
                    return false;
                }
            }
        }
        k < c.len() && ok(c[k]) && self.at(c, k + 1, j + 1)
    }
}
