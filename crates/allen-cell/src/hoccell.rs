//! The cell as NEURON holds it while BMTK processes it: sections (alive or
//! deleted) with pt3d points and their stored arc lengths, or `L`/`diam` for
//! sections created without points; the template's `all` and section lists;
//! the order sections were connected in; and what the setters put in each.
//!
//! `define_shape` is NEURON's `nrn_define_shape` (`treeset.cpp`): in section
//! order, a section without points gets a straight line of points from its
//! parent's connection point (with its last arc length set to `L`), and a
//! section with points is translated there. NEURON declares the coordinates
//! and the angle as C `float`s and calls the float overloads of `atan2`, `cos`
//! and `sin`; this port does the same, operation for operation.

use cable_core::cell::{IonSetting, MechInsert};

/// pt3d points and the arc length NEURON stores for each, or a section
/// created with `L` and `diam` only.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Geom {
    /// pt3d `[x, y, z, diam]` (float32 values) and arc lengths.
    Pt3d {
        points: Vec<[f64; 4]>,
        arcs: Vec<f64>,
    },
    /// No points: `L` and `diam` (µm).
    Cylinder { l: f64, diam: f64 },
}

/// One section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HSec {
    pub name: String,
    pub parent: Option<(usize, f64)>,
    pub geom: Geom,
    /// The `pt3dstyle` logical connection point (float32 values).
    pub logical: Option<[f64; 3]>,
    pub nseg: usize,
    pub cm: f64,
    pub ra: f64,
    pub mechs: Vec<MechInsert>,
    pub ions: Vec<IonSetting>,
    pub alive: bool,
}

impl HSec {
    /// A new live section with NEURON's defaults (nseg 1, cm 1, Ra 35.4, no
    /// mechanisms).
    pub fn new(
        name: String,
        parent: Option<(usize, f64)>,
        geom: Geom,
        logical: Option<[f64; 3]>,
    ) -> HSec {
        HSec {
            name,
            parent,
            geom,
            logical,
            nseg: 1,
            cm: 1.0,
            ra: 35.4,
            mechs: Vec::new(),
            ions: Vec::new(),
            alive: true,
        }
    }

    /// The first four characters of the name: BMTK's section type key
    /// (`sec.name().split(".")[1][:4]`).
    pub fn key(&self) -> &str {
        let end = self
            .name
            .char_indices()
            .nth(4)
            .map_or(self.name.len(), |(i, _)| i);
        &self.name[..end]
    }

    /// `sec.L`.
    pub fn length(&self) -> f64 {
        match &self.geom {
            Geom::Pt3d { arcs, .. } => *arcs.last().unwrap_or(&0.0),
            Geom::Cylinder { l, .. } => *l,
        }
    }
}

/// The arc lengths `pt3dadd` computes for points (float32 differences, summed
/// in double).
pub(crate) fn arcs_of(points: &[[f64; 4]]) -> Vec<f64> {
    let mut arcs = vec![0.0; points.len()];
    for i in 1..points.len() {
        let t: Vec<f64> = (0..3)
            .map(|c| (points[i][c] as f32 - points[i - 1][c] as f32) as f64)
            .collect();
        arcs[i] = arcs[i - 1] + (t[0] * t[0] + t[1] * t[1] + t[2] * t[2]).sqrt();
    }
    arcs
}

/// A cell under construction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HocCell {
    /// Every section ever created (deleted ones have `alive == false`).
    pub secs: Vec<HSec>,
    /// The template's `all` SectionList.
    pub all: Vec<usize>,
    /// `somatic`, `axonal`, `basal`, `apical`.
    pub lists: Vec<(String, Vec<usize>)>,
    /// Sections in the order of their (last) connection.
    pub connected: Vec<usize>,
}

impl HocCell {
    /// Delete a section (`h.delete_section`): out of every list.
    pub fn delete(&mut self, k: usize) {
        self.secs[k].alive = false;
        self.all.retain(|&s| s != k);
        for (_, l) in &mut self.lists {
            l.retain(|&s| s != k);
        }
        self.connected.retain(|&s| s != k);
    }

    /// Create a section with `L` and `diam` (NEURON's defaults otherwise).
    pub fn create(&mut self, name: String, l: f64, diam: f64) -> usize {
        self.secs
            .push(HSec::new(name, None, Geom::Cylinder { l, diam }, None));
        self.secs.len() - 1
    }

    /// `child.connect(parent(x), 0)`.
    pub fn connect(&mut self, child: usize, parent: usize, x: f64) {
        self.secs[child].parent = Some((parent, x));
        self.connected.retain(|&s| s != child);
        self.connected.push(child);
    }

    /// The live root section.
    pub fn root(&self) -> Option<usize> {
        self.all
            .iter()
            .copied()
            .find(|&k| self.secs[k].parent.is_none())
    }

    /// Children of every section in NEURON's sibling order (increasing x; at
    /// equal x the later-connected first).
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut ch: Vec<Vec<usize>> = vec![Vec::new(); self.secs.len()];
        for &k in &self.connected {
            if let Some((p, x)) = self.secs[k].parent {
                let list = &mut ch[p];
                let pos = list
                    .iter()
                    .position(|&c| x <= self.secs[c].parent.map_or(0.0, |q| q.1))
                    .unwrap_or(list.len());
                list.insert(pos, k);
            }
        }
        ch
    }

    /// NEURON's section order: breadth first from the root, children in
    /// sibling order.
    pub fn section_order(&self, children: &[Vec<usize>]) -> Vec<usize> {
        let mut order = Vec::new();
        let mut queue: std::collections::VecDeque<usize> = self.root().into_iter().collect();
        while let Some(s) = queue.pop_front() {
            order.push(s);
            queue.extend(children[s].iter().copied());
        }
        order
    }

    /// `h.define_shape()` (see the module docs).
    pub fn define_shape(&mut self) {
        let children = self.children();
        let order = self.section_order(&children);
        for (i, &k) in order.iter().enumerate() {
            let (x, y, z, x1, y1) = self.connection_point(i, k);
            if matches!(self.secs[k].geom, Geom::Pt3d { .. }) {
                if self.secs[k].parent.is_some() {
                    self.translate(k, x, y, z);
                }
                continue;
            }
            self.lay_out(k, &children, (x, y, z, x1, y1));
        }
    }

    /// Where section `k` (number `i` in section order) starts, and the
    /// direction of its parent (reversed when it attaches below the middle).
    fn connection_point(&self, i: usize, k: usize) -> (f32, f32, f32, f32, f32) {
        let Some((p, arc)) = self.secs[k].parent else {
            return (0.0, 0.0, i as f32 * 100.0, 1.0, 0.0);
        };
        let Geom::Pt3d { points, .. } = &self.secs[p].geom else {
            unreachable!("a parent comes first in section order and has points by then")
        };
        let (a, b) = (points[0], points[points.len() - 1]);
        let (mut x1, mut y1) = (b[0] as f32 - a[0] as f32, b[1] as f32 - a[1] as f32);
        if arc < 0.5 {
            x1 = -x1;
            y1 = -y1;
        }
        let at = |c: usize| (b[c] * arc + a[c] * (1.0 - arc)) as f32;
        (at(0), at(1), at(2), x1, y1)
    }

    /// `nrn_translate_shape`: move a section's points so it starts at (x, y, z)
    /// (its logical connection point, if it has one, goes there).
    fn translate(&mut self, k: usize, x: f32, y: f32, z: f32) {
        let sec = &mut self.secs[k];
        let Geom::Pt3d { points, .. } = &mut sec.geom else {
            return;
        };
        let from = match &mut sec.logical {
            Some(l) => {
                let from = [l[0] as f32, l[1] as f32, l[2] as f32];
                *l = [x as f64, y as f64, z as f64];
                from
            }
            None => [
                points[0][0] as f32,
                points[0][1] as f32,
                points[0][2] as f32,
            ],
        };
        let d = [x - from[0], y - from[1], z - from[2]];
        for p in points.iter_mut() {
            for c in 0..3 {
                p[c] = (p[c] as f32 + d[c]) as f64;
            }
        }
    }

    /// The points `define_shape` gives a section created with `L` and `diam`.
    fn lay_out(&mut self, k: usize, children: &[Vec<usize>], start: (f32, f32, f32, f32, f32)) {
        let (x, y, z, dx, dy) = start;
        let parent = self.secs[k].parent;
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
                if self.secs[c].parent.map(|q| q.1) == Some(arc) {
                    nch += 1.0;
                }
            }
        }
        if nch > 1.0 {
            angle = (angle as f64 + ich as f64 / (nch as f64 - 1.0) * 0.8 - 0.4) as f32;
        }
        let sec = &mut self.secs[k];
        let Geom::Cylinder { l: len, diam } = sec.geom else {
            return;
        };
        let x1 = (x as f64 + len * angle.cos() as f64) as f32;
        let y1 = (y as f64 + len * angle.sin() as f64) as f32;
        let d = diam as f32 as f64;
        let mut points = vec![[x as f64, y as f64, z as f64, d]];
        for j in 0..sec.nseg {
            let frac = (j as f64 + 0.5) / sec.nseg as f64;
            let at = |a: f32, b: f32| (a as f64 * (1.0 - frac) + b as f64 * frac) as f32 as f64;
            points.push([at(x, x1), at(y, y1), z as f64, d]);
        }
        points.push([x1 as f64, y1 as f64, z as f64, d]);
        let mut arcs = arcs_of(&points);
        // "don't let above change length due to round-off errors"
        *arcs.last_mut().expect("three points at least") = len;
        sec.geom = Geom::Pt3d { points, arcs };
    }
}
