//! C `printf` formatting for hoc's `sprint` and `printf`: `%d %i %g %f %e
//! %s %c %%` with flags, width and precision.

use super::Value;

/// C's `%g` / `%e` / `%f` of `v` with precision `p`.
fn c_float(v: f64, conv: char, p: Option<usize>, alt: bool) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let p = p.unwrap_or(6);
    match conv {
        'f' => format!("{v:.p$}"),
        'e' => c_exp(v, p),
        _ => {
            let p = p.max(1);
            let e = format!("{:.*e}", p - 1, v);
            let x: i32 = e.split('e').nth(1).unwrap().parse().unwrap();
            let s = if x < -4 || x >= p as i32 {
                c_exp(v, p - 1)
            } else {
                format!("{:.*}", (p as i32 - 1 - x) as usize, v)
            };
            if alt {
                s
            } else {
                strip_zeros(&s)
            }
        }
    }
}

fn c_exp(v: f64, p: usize) -> String {
    let e = format!("{v:.p$e}");
    let (m, x) = e.split_once('e').unwrap();
    let x: i32 = x.parse().unwrap();
    format!("{m}e{}{:02}", if x < 0 { '-' } else { '+' }, x.abs())
}

fn strip_zeros(s: &str) -> String {
    let (m, e) = match s.find('e') {
        Some(k) => (&s[..k], &s[k..]),
        None => (s, ""),
    };
    let m = if m.contains('.') {
        m.trim_end_matches('0').trim_end_matches('.')
    } else {
        m
    };
    format!("{m}{e}")
}

/// Format `fmt` with `args`.
pub fn sprintf(fmt: &str, args: &[Value]) -> Result<String, String> {
    let c: Vec<char> = fmt.chars().collect();
    let (mut out, mut i, mut a) = (String::new(), 0, 0);
    while i < c.len() {
        if c[i] != '%' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        i += 1;
        if c.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while i < c.len() && "-+ #0".contains(c[i]) {
            flags.push(c[i]);
            i += 1;
        }
        let mut width = String::new();
        while i < c.len() && c[i].is_ascii_digit() {
            width.push(c[i]);
            i += 1;
        }
        let mut prec = None;
        if c.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while i < c.len() && c[i].is_ascii_digit() {
                p.push(c[i]);
                i += 1;
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        while i < c.len() && "lh".contains(c[i]) {
            i += 1;
        }
        let Some(&conv) = c.get(i) else {
            return Err("format ends inside a `%` conversion".into());
        };
        i += 1;
        let arg = args
            .get(a)
            .ok_or_else(|| format!("format `{fmt}` needs more arguments"))?;
        a += 1;
        let num = || match arg {
            Value::Num(n) => Ok(*n),
            _ => Err(format!("`%{conv}` needs a number")),
        };
        let mut s = match conv {
            'd' | 'i' => format!("{}", num()? as i64),
            'g' | 'f' | 'e' | 'G' | 'E' => {
                c_float(num()?, conv.to_ascii_lowercase(), prec, flags.contains('#'))
            }
            'c' => ((num()? as u8) as char).to_string(),
            's' => match arg {
                Value::Str(s) => s.clone(),
                Value::Num(n) => c_float(*n, 'g', None, false),
                _ => return Err("`%s` needs a string".into()),
            },
            other => return Err(format!("`%{other}` is not supported")),
        };
        if flags.contains('+') && !s.starts_with('-') && conv != 's' {
            s.insert(0, '+');
        }
        let w: usize = width.parse().unwrap_or(0);
        let n = s.chars().count();
        if n < w {
            let pad = w - n;
            if flags.contains('-') {
                s.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && conv != 's' {
                let neg = s.starts_with('-') || s.starts_with('+');
                let at = neg as usize;
                s.insert_str(at, &"0".repeat(pad));
            } else {
                s.insert_str(0, &" ".repeat(pad));
            }
        }
        out.push_str(&s);
    }
    Ok(out)
}
