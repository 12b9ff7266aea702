//! The tree of sections as NEURON orders it (children in sibling order,
//! sections breadth first from each root), `define_shape()` and `distance()`.
//!
//! `define_shape` is NEURON's `nrn_define_shape` (`treeset.cpp`): in section
//! order a section without points gets a straight line of points from its
//! parent's connection point (one per segment centre, each with its segment's
//! diameter, the last arc set to `L`), and a section with points is moved
//! there. NEURON computes in C `float`s; so does this port.

use crate::section::Section;

/// Children of every section in NEURON's sibling order (increasing x; at
/// equal x the later-connected first). `connected` lists sections in the
/// order of their last `connect`.
pub fn children(secs: &[Section], connected: &[usize]) -> Vec<Vec<usize>> {
    let mut ch: Vec<Vec<usize>> = vec![Vec::new(); secs.len()];
    for &k in connected {
        if !secs[k].alive {
            continue;
        }
        if let Some((p, x)) = secs[k].parent {
            let list = &mut ch[p];
            let pos = list
                .iter()
                .position(|&c| x <= secs[c].parent.map_or(0.0, |q| q.1))
                .unwrap_or(list.len());
            list.insert(pos, k);
        }
    }
    ch
}

/// NEURON's section order: each root (in creation order) then its tree
/// breadth first, children in sibling order.
pub fn section_order(secs: &[Section], children: &[Vec<usize>]) -> Vec<usize> {
    let mut order = Vec::new();
    for r in (0..secs.len()).filter(|&k| secs[k].alive && secs[k].parent.is_none()) {
        let mut queue = std::collections::VecDeque::from([r]);
        while let Some(s) = queue.pop_front() {
            order.push(s);
            queue.extend(children[s].iter().copied());
        }
    }
    order
}

/// `define_shape()`.
pub fn define_shape(secs: &mut [Section], connected: &[usize]) {
    let children = children(secs, connected);
    let order = section_order(secs, &children);
    for (i, &k) in order.iter().enumerate() {
        let (x, y, z, x1, y1) = connection_point(secs, i, k);
        if !secs[k].pt3d.is_empty() {
            if secs[k].parent.is_some() {
                translate(&mut secs[k], x, y, z);
            }
            continue;
        }
        lay_out(secs, k, &children, (x, y, z, x1, y1));
    }
}

fn connection_point(secs: &[Section], i: usize, k: usize) -> (f32, f32, f32, f32, f32) {
    let Some((p, arc)) = secs[k].parent else {
        return (0.0, 0.0, i as f32 * 100.0, 1.0, 0.0);
    };
    let points = &secs[p].pt3d;
    let (a, b) = (points[0], points[points.len() - 1]);
    let (mut x1, mut y1) = (b[0] as f32 - a[0] as f32, b[1] as f32 - a[1] as f32);
    if arc < 0.5 {
        x1 = -x1;
        y1 = -y1;
    }
    let at = |c: usize| (b[c] * arc + a[c] * (1.0 - arc)) as f32;
    (at(0), at(1), at(2), x1, y1)
}

fn translate(sec: &mut Section, x: f32, y: f32, z: f32) {
    let p0 = sec.pt3d[0];
    let d = [x - p0[0] as f32, y - p0[1] as f32, z - p0[2] as f32];
    for p in sec.pt3d.iter_mut() {
        for c in 0..3 {
            p[c] = (p[c] as f32 + d[c]) as f64;
        }
    }
}

fn lay_out(
    secs: &mut [Section],
    k: usize,
    children: &[Vec<usize>],
    start: (f32, f32, f32, f32, f32),
) {
    let (x, y, z, dx, dy) = start;
    let parent = secs[k].parent;
    let arc = parent.map_or(0.0, |p| p.1);
    let mut angle: f32 = if dy.abs() < 1e-6 && dx.abs() < 1e-6 {
        0.0
    } else {
        dy.atan2(dx)
    };
    if arc > 0.0 && arc < 1.0 {
        angle = (angle as f64 + std::f64::consts::PI / 2.0) as f32;
    }
    let (mut nch, mut ich) = (0.0f32, 0.0f32);
    if let Some((p, _)) = parent {
        for &c in &children[p] {
            if c == k {
                ich = nch;
            }
            if secs[c].parent.map(|q| q.1) == Some(arc) {
                nch += 1.0;
            }
        }
    }
    if nch > 1.0 {
        angle = (angle as f64 + ich as f64 / (nch as f64 - 1.0) * 0.8 - 0.4) as f32;
    }
    let sec = &mut secs[k];
    let len = sec.length;
    let x1 = (x as f64 + len * angle.cos() as f64) as f32;
    let y1 = (y as f64 + len * angle.sin() as f64) as f32;
    sec.pt3dadd([x as f64, y as f64, z as f64, sec.diam[0]]);
    for j in 0..sec.nseg {
        let frac = (j as f64 + 0.5) / sec.nseg as f64;
        let at = |a: f32, b: f32| a as f64 * (1.0 - frac) + b as f64 * frac;
        let d = sec.diam[j];
        sec.pt3dadd([at(x, x1), at(y, y1), z as f64, d]);
    }
    let d = sec.diam[sec.nseg - 1];
    sec.pt3dadd([x1 as f64, y1 as f64, z as f64, d]);
    *sec.arcs.last_mut().expect("three points at least") = len;
}

/// A node: `Seg(s, k)` is the centre of segment k of section s, or its 1 end
/// when `k == nseg`; `Root(s)` the 0 end of root section s.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Node {
    Root(usize),
    Seg(usize, usize),
}

/// NEURON's `node_exact`: the node at x of a section (x = 0 is the node the
/// section hangs from).
fn node_exact(secs: &[Section], s: usize, x: f64) -> Node {
    let sec = &secs[s];
    if x == 0.0 {
        return match sec.parent {
            None => Node::Root(s),
            Some((p, px)) => node_exact(secs, p, px),
        };
    }
    if x == 1.0 {
        return Node::Seg(s, sec.nseg);
    }
    Node::Seg(s, sec.seg(x))
}

fn parent_node(secs: &[Section], s: usize) -> Node {
    node_exact(secs, s, 0.0)
}

/// NEURON's `node_dist`: how far along section `s` node `n` is.
fn node_dist(secs: &[Section], s: usize, n: Node) -> f64 {
    let sec = &secs[s];
    if parent_node(secs, s) == n {
        return 0.0;
    }
    match n {
        Node::Seg(t, k) if t == s && k == sec.nseg => sec.l(),
        Node::Seg(_, k) => sec.l() * ((k as f64 + 0.5) / sec.nseg as f64),
        Node::Root(_) => 0.0,
    }
}

/// `distance(1, x)` of section `s` from the origin `(s0, x0)` (NEURON's
/// `topol_distance`); `order` gives each section's place in section order.
pub fn distance(
    secs: &[Section],
    order: &[usize],
    (s0, x0): (usize, f64),
    (s1, x1): (usize, f64),
) -> f64 {
    let mut rank = vec![usize::MAX; secs.len()];
    for (i, &k) in order.iter().enumerate() {
        rank[k] = i;
    }
    let (mut a, mut na) = (Some(s0), node_exact(secs, s0, x0));
    let (mut b, mut nb) = (Some(s1), node_exact(secs, s1, x1));
    let mut d = 0.0;
    let up = |s: usize| secs[s].parent.map(|p| p.0);
    while a != b {
        match (a, b) {
            (None, Some(sb)) => {
                d += node_dist(secs, sb, nb);
                nb = parent_node(secs, sb);
                b = up(sb);
            }
            (Some(sa), None) => {
                d += node_dist(secs, sa, na);
                na = parent_node(secs, sa);
                a = up(sa);
            }
            (Some(sa), Some(sb)) if rank[sa] > rank[sb] => {
                d += node_dist(secs, sa, na);
                na = parent_node(secs, sa);
                a = up(sa);
            }
            (Some(_), Some(sb)) => {
                d += node_dist(secs, sb, nb);
                nb = parent_node(secs, sb);
                b = up(sb);
            }
            (None, None) => unreachable!(),
        }
    }
    match a {
        None => {
            if na != nb {
                return 1e20;
            }
        }
        Some(s) => {
            if na != nb {
                let (da, db) = (node_dist(secs, s, na), node_dist(secs, s, nb));
                d += if da < db { db - da } else { da - db };
            }
        }
    }
    d
}
