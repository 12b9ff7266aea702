//! NEURON 9.0.2's Import3d on an SWC file, as BMTK's `Biophys1` template runs it
//! (`Import3d_SWC_read.input`, then `Import3d_GUI(nl, 0).instantiate(this)`).
//!
//! The hoc of `share/lib/hoc/import3d/` is followed step by step:
//!
//! * `mark_branch`: for each point, its number of children (a non-contiguous
//!   child or a type change adds 0.01, so the point ends a section), and the
//!   `connect2prox` points (children of the first point of a section wired to the
//!   soma, which attach at that section's 0 end);
//! * `sectionify`: soma points chained one after the other stay one section;
//!   neuromorpho.org's three-point soma (uniform diameter, the two outer points
//!   children of the middle one, length ≈ diameter) becomes a one-point sphere;
//!   every point with other than one child ends a section;
//! * `mksection`: a branch's first point is a copy of its parent point (with the
//!   diameter of its own first point when the parent is soma); where it attaches
//!   (`parentx` 0.5 for the middle of a single-point or an interior soma point,
//!   1 at a section's last point, 0 at the root's first point or for
//!   `connect2prox`) and whether its pt3d points skip the copied point (`first =
//!   1`: a dendrite wired to the soma keeps its own position, the parent point
//!   becomes its `pt3dstyle` logical connection);
//! * `chk_valid`: sections left with one point, and two-point sections of zero
//!   length, are removed and their children attached where they were;
//! * `instantiate`: sections created type by type (`soma[n]`, `axon[n]`,
//!   `dend[n]`, `apic[n]`, in file order within a type) — that is the `all` list;
//!   connected in file order; a one-point section becomes a three-point cylinder
//!   along x with L = diam (`sphere_rep`); every number passes through
//!   `sprint("%.8g")` and hoc before `pt3dadd` stores it as a float32.
//!
//! hoc compares numbers within `float_epsilon` (1e-11); so does this port where
//! the numbers are not integers.

use crate::cfmt::{f32v, via_g};
use crate::swc::Swc;
use std::collections::HashMap;

/// hoc's `float_epsilon`.
const EPS: f64 = 1e-11;

/// A section as Import3d leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct I3dSection {
    /// Its name (`soma[0]`, `dend[3]`).
    pub name: String,
    /// Its SWC type (1 soma, 2 axon, 3 dend, 4 apic).
    pub kind: u8,
    /// Parent (index into [`Import3d::sections`]) and the x it attaches at.
    pub parent: Option<(usize, f64)>,
    /// pt3d points `[x, y, z, diam]`, float32 values.
    pub points: Vec<[f64; 4]>,
    /// The `pt3dstyle(1, x, y, z)` logical connection point (float32), for
    /// sections wired to the soma.
    pub logical: Option<[f64; 3]>,
    /// The SWC line of the section's first own point.
    pub line: usize,
}

/// A morphology instantiated by Import3d.
#[derive(Debug, Clone, PartialEq)]
pub struct Import3d {
    /// Sections in creation order (the template's `all` list).
    pub sections: Vec<I3dSection>,
    /// The non-root sections in the order Import3d connected them.
    pub connection_order: Vec<usize>,
    /// What NEURON prints while building (removed sections).
    pub notes: Vec<String>,
}

/// The SWC data as Import3d's vectors hold it.
struct Points<'a> {
    swc: &'a Swc,
    pid: Vec<f64>,
    id2index: HashMap<u64, usize>,
}

impl Points<'_> {
    fn n(&self) -> usize {
        self.swc.points.len()
    }
    fn kind(&self, i: usize) -> f64 {
        self.swc.points[i].kind
    }
    fn xyz(&self, i: usize) -> [f64; 3] {
        let p = &self.swc.points[i];
        [p.x, p.y, p.z]
    }
    fn d(&self, i: usize) -> f64 {
        self.swc.points[i].d
    }
    /// `pix2ix(i)`: the index of point i's parent, or None for the root.
    fn pix2ix(&self, i: usize) -> Option<usize> {
        if self.pid[i] < 0.0 {
            None
        } else {
            Some(self.id2index[&(self.pid[i] as u64)])
        }
    }
}

/// An `Import3d_Section` of `Import3d_SWC_read.sections`.
#[derive(Debug, Clone)]
struct ISec {
    /// `id`: the index of its first own point.
    id: usize,
    raw: Vec<[f64; 3]>,
    d: Vec<f64>,
    kind: f64,
    parent: Option<usize>,
    parentx: f64,
    first: usize,
}

/// Import3d's sections of an SWC morphology.
pub fn import3d(swc: &Swc) -> Import3d {
    let mut pts = Points {
        swc,
        pid: swc.points.iter().map(|p| p.pid).collect(),
        id2index: swc
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id as u64, i))
            .collect(),
    };
    let (nchild, connect2prox) = mark_branch(&pts);
    let (point2sec, nchild_soma, soma3geom) = sectionify(&mut pts, nchild);
    let secs = mksections(&pts, &point2sec, &nchild_soma, &connect2prox, soma3geom);
    instantiate(&pts, secs)
}

/// `mark_branch`: children per point (+0.01 for a non-contiguous child or a
/// type change) and the `connect2prox` flags.
fn mark_branch(pts: &Points) -> (Vec<f64>, Vec<bool>) {
    let n = pts.n();
    let mut nchild = vec![0.0; n];
    let mut c2p = vec![false; n];
    for (i, flag) in c2p.iter_mut().enumerate() {
        let Some(p) = pts.pix2ix(i) else { continue };
        nchild[p] += 1.0;
        if p + 1 != i {
            nchild[p] += 0.01;
            if p > 1 {
                let pp = pts.pix2ix(p).expect("a point above the root has a parent");
                if pts.kind(p) != 1.0 && pts.kind(pp) == 1.0 {
                    *flag = true;
                    nchild[p] = 1.0;
                }
            } else if p == 0 && pts.kind(p) != 1.0 {
                *flag = true;
                nchild[p] = 1.0;
            }
        }
        if pts.kind(p) != pts.kind(i) {
            nchild[p] += 0.01;
        }
    }
    (nchild, c2p)
}

/// `sectionify`: the section of every point; also the soma children of each
/// point and whether the three-point soma rule applied.
fn sectionify(pts: &mut Points, mut nchild: Vec<f64>) -> (Vec<usize>, Vec<f64>, bool) {
    let n = pts.n();
    let mut nchild_soma = vec![0.0; n];
    let mut nsoma = usize::from(pts.kind(0) == 1.0);
    for i in 1..n {
        if pts.kind(i) == 1.0 {
            nsoma += 1;
            if let Some(p) = pts.pix2ix(i) {
                if pts.kind(p) == 1.0 {
                    nchild_soma[p] += 1.0;
                }
            }
        }
    }
    let soma3geom = nsoma == 3 && neuromorph_3point_soma(pts, &nchild);
    for i in 0..n.saturating_sub(1) {
        if pts.kind(i) == 1.0 && pts.kind(i + 1) == 1.0 && pts.pix2ix(i + 1) == Some(i) {
            let branch = i != 0 && nchild_soma[i] > 1.0 + EPS;
            if !branch {
                nchild[i] = 1.0;
            }
        }
    }
    let sec2point: Vec<usize> = (0..n).filter(|&i| (nchild[i] - 1.0).abs() > EPS).collect();
    let mut point2sec = vec![0usize; n];
    let mut si = 0;
    for (i, slot) in point2sec.iter_mut().enumerate().skip(1) {
        if i > sec2point[si] {
            si += 1;
        }
        *slot = si;
    }
    (point2sec, nchild_soma, soma3geom)
}

/// neuromorpho.org's three-point soma: treated as a sphere (and point 2 made a
/// child of point 1, so the three stay one section).
fn neuromorph_3point_soma(pts: &mut Points, nchild: &[f64]) -> bool {
    if pts.n() < 3 || pts.pix2ix(1) != Some(0) || pts.pix2ix(2) != Some(0) {
        return false;
    }
    if nchild[1].abs() > EPS || nchild[2].abs() > EPS {
        return false;
    }
    let (d0, d1, d2) = (pts.d(0), pts.d(1), pts.d(2));
    if (d1 - d0).abs() > EPS || (d2 - d0).abs() > EPS {
        return false;
    }
    let p0 = pts.xyz(0);
    let mut len = 0.0;
    for i in 1..=2 {
        let p = pts.xyz(i);
        len += ((p[0] - p0[0]).powi(2) + (p[1] - p0[1]).powi(2) + (p[2] - p0[2]).powi(2)).sqrt();
    }
    if (len / d0 - 1.0).abs() < 0.01 - EPS {
        pts.pid[2] = pts.swc.points[1].id;
        return true;
    }
    false
}

/// `mksections`: one `Import3d_Section` per run of points.
fn mksections(
    pts: &Points,
    point2sec: &[usize],
    nchild_soma: &[f64],
    c2p: &[bool],
    soma3geom: bool,
) -> Vec<ISec> {
    let mut secs: Vec<ISec> = Vec::new();
    let (mut isec, mut first) = (0, 0);
    for (i, &s) in point2sec.iter().enumerate() {
        if s > isec {
            let sec = mksection(
                pts,
                point2sec,
                nchild_soma,
                &secs,
                (isec, first, i),
                soma3geom,
            );
            finish_section(&mut secs, sec, c2p[first]);
            isec += 1;
            first = i;
        }
    }
    let sec = mksection(
        pts,
        point2sec,
        nchild_soma,
        &secs,
        (isec, first, pts.n()),
        soma3geom,
    );
    finish_section(&mut secs, sec, c2p[first]);
    secs
}

/// The end of `mksection`: a branch off the soma takes the diameter of its own
/// first point at the copied parent point; `connect2prox` attaches at 0.
fn finish_section(secs: &mut Vec<ISec>, mut sec: ISec, connect2prox: bool) {
    if let Some(p) = sec.parent {
        if secs[p].kind == 1.0 && sec.kind != 1.0 {
            sec.d[0] = sec.d[1];
        }
    }
    if connect2prox {
        sec.parentx = 0.0;
    }
    secs.push(sec);
}

/// `mksection(isec, first, i)`: the section of points `first..i`.
fn mksection(
    pts: &Points,
    point2sec: &[usize],
    nchild_soma: &[f64],
    secs: &[ISec],
    (isec, first, i): (usize, usize, usize),
    soma3geom: bool,
) -> ISec {
    let own = |from: usize, to: usize| -> (Vec<[f64; 3]>, Vec<f64>) {
        (
            (from..to).map(|k| pts.xyz(k)).collect(),
            (from..to).map(|k| pts.d(k)).collect(),
        )
    };
    if isec == 0 {
        let end = if soma3geom { 1 } else { i };
        let (raw, d) = own(first, end);
        return ISec {
            id: first,
            raw,
            d,
            kind: pts.kind(first),
            parent: None,
            parentx: 1.0,
            first: 0,
        };
    }
    let pp = pts
        .pix2ix(first)
        .expect("a branch's first point has a parent");
    let p = point2sec[pp];
    let psec = &secs[p];
    let kind = pts.kind(first);
    let den_con_soma = psec.kind == 1.0 && kind != 1.0;
    let con_soma = psec.kind == 1.0;
    let (mut parentx, mut wired) = (1.0, false);
    let mut handled = false;
    if p == 0 {
        handled = true;
        if den_con_soma && psec.d.len() == 1 {
            parentx = 0.5;
            wired = i - first > 1;
        } else if pp == psec.id {
            parentx = 0.0;
            wired = kind != 1.0 && nchild_soma[pp] > 1.0 + EPS;
        } else {
            handled = false;
        }
    }
    if !handled && con_soma {
        let offset: isize = if psec.id == 0 { -1 } else { -2 };
        if (pp as isize) < psec.id as isize + psec.d.len() as isize + offset {
            parentx = 0.5;
            wired = den_con_soma && i - first > 1;
        } else if i - first > 1 && nchild_soma[pp] > 1.0 + EPS && kind != 1.0 {
            wired = true;
        }
    }
    let (mut raw, mut d) = own(first, i);
    raw.insert(0, pts.xyz(pp));
    d.insert(0, pts.d(pp));
    ISec {
        id: first,
        raw,
        d,
        kind,
        parent: Some(p),
        parentx,
        first: usize::from(wired),
    }
}

/// `chk_valid`: remove one-point sections and zero-length two-point sections,
/// reattaching their children; returns which survive, and the notes.
fn chk_valid(pts: &Points, secs: &mut [ISec]) -> (Vec<bool>, Vec<String>) {
    let mut alive = vec![true; secs.len()];
    let mut notes = Vec::new();
    for i in (0..secs.len()).rev() {
        if secs[i].parent.is_none() {
            continue;
        }
        let s = &secs[i];
        let own = s.raw.len() - s.first;
        let zero_length =
            own == 2 && (0..3).all(|c| (s.raw[s.first][c] - s.raw[s.first + 1][c]).abs() <= EPS);
        if own > 1 && !zero_length {
            continue;
        }
        let line = pts.swc.points[s.id].line;
        notes.push(if own <= 1 {
            format!("one-point section at SWC line {line} removed (NEURON's Import3d chk_valid)")
        } else {
            format!("two-point section of zero length ending at SWC line {line} removed (NEURON's Import3d chk_valid)")
        });
        alive[i] = false;
        let (gp, gx) = (secs[i].parent, secs[i].parentx);
        for j in i + 1..secs.len() {
            if alive[j] && secs[j].parent == Some(i) {
                secs[j].parent = gp;
                secs[j].parentx = gx;
            }
        }
    }
    notes.reverse();
    (alive, notes)
}

/// `Import3d_GUI.instantiate`: names, creation order, connections, pt3d points.
fn instantiate(pts: &Points, mut secs: Vec<ISec>) -> Import3d {
    let (alive, notes) = chk_valid(pts, &mut secs);
    let min = (0..pts.n()).map(|i| pts.kind(i) as i64).min().unwrap_or(1);
    let max = (0..pts.n()).map(|i| pts.kind(i) as i64).max().unwrap_or(1);
    let mut count = vec![0usize; (max - min + 1) as usize];
    let mut nameindex = vec![0usize; secs.len()];
    for (k, s) in secs.iter().enumerate().filter(|(k, _)| alive[*k]) {
        let t = (s.kind as i64 - min) as usize;
        nameindex[k] = count[t];
        count[t] += 1;
    }
    // Creation order: by type, then by name index.
    let mut order: Vec<usize> = (0..secs.len()).filter(|&k| alive[k]).collect();
    order.sort_by_key(|&k| (secs[k].kind as i64, nameindex[k]));
    let mut new_index = vec![usize::MAX; secs.len()];
    for (n, &k) in order.iter().enumerate() {
        new_index[k] = n;
    }
    let sections = order
        .iter()
        .map(|&k| {
            let s = &secs[k];
            let g = |v: f64| f32v(via_g(v, 8));
            let mut xyz: Vec<[f64; 3]> = s.raw[s.first..].to_vec();
            let mut d: Vec<f64> = s.d[s.first..].to_vec();
            if d.len() == 1 {
                // sphere_rep: a three-point cylinder along x, L = diam.
                let (c, r) = (xyz[0], d[0] / 2.0);
                xyz = vec![[c[0] - r, c[1], c[2]], c, [c[0] + r, c[1], c[2]]];
                d = vec![d[0]; 3];
            }
            I3dSection {
                name: format!("{}[{}]", type_name(s.kind), nameindex[k]),
                kind: s.kind as u8,
                parent: s.parent.map(|p| (new_index[p], s.parentx)),
                points: xyz
                    .iter()
                    .zip(&d)
                    .map(|(p, &dd)| [g(p[0]), g(p[1]), g(p[2]), g(dd)])
                    .collect(),
                logical: (s.first == 1).then(|| [g(s.raw[0][0]), g(s.raw[0][1]), g(s.raw[0][2])]),
                line: pts.swc.points[s.id].line,
            }
        })
        .collect();
    let connection_order = (0..secs.len())
        .filter(|&k| alive[k] && secs[k].parent.is_some())
        .map(|k| new_index[k])
        .collect();
    Import3d {
        sections,
        connection_order,
        notes,
    }
}

/// Import3d's `type2name` for the types BMTK's template holds.
pub(crate) fn type_name(kind: f64) -> &'static str {
    match kind as i64 {
        1 => "soma",
        2 => "axon",
        3 => "dend",
        _ => "apic",
    }
}
