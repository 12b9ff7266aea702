//! The section model: what NEURON holds for a section while a template runs —
//! topology, pt3d points (float32, with their arc lengths) or `L`, and one
//! value per segment for every range variable (`diam`, `cm`, each inserted
//! mechanism's parameters, ion reversal potentials and concentrations).

use crate::mechs::MechDesc;

/// An inserted mechanism and its parameters, one value per segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Mech {
    /// Mechanism name.
    pub name: String,
    /// (parameter, value per segment), every `PARAMETER` of the mechanism.
    pub params: Vec<(String, Vec<f64>)>,
}

/// An ion used in a section: values assigned by the template (per segment;
/// `None`: never assigned, NEURON's default holds).
#[derive(Debug, Clone, PartialEq)]
pub struct Ion {
    /// Ion name (`na`).
    pub name: String,
    /// `e<ion>`.
    pub e: Option<Vec<f64>>,
    /// `<ion>i`.
    pub ci: Option<Vec<f64>>,
    /// `<ion>o`.
    pub co: Option<Vec<f64>>,
}

/// One section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Name without the template prefix (`soma[0]`, `axon`).
    pub name: String,
    /// The template instance that created it (`None`: top level).
    pub owner: Option<usize>,
    /// Parent section and the position on it.
    pub parent: Option<(usize, f64)>,
    /// Which end of this section is attached (0 or 1).
    pub orientation: f64,
    /// Number of segments.
    pub nseg: usize,
    /// pt3d points `[x, y, z, diam]`, float32 values.
    pub pt3d: Vec<[f64; 4]>,
    /// The arc length NEURON stores for each point.
    pub arcs: Vec<f64>,
    /// `L` of a section without points.
    pub length: f64,
    /// `diam` per segment.
    pub diam: Vec<f64>,
    /// `cm` per segment.
    pub cm: Vec<f64>,
    /// `Ra`.
    pub ra: f64,
    /// Inserted mechanisms, in insertion order.
    pub mechs: Vec<Mech>,
    /// Ions, in the order they came in.
    pub ions: Vec<Ion>,
    /// Not deleted.
    pub alive: bool,
}

impl Section {
    /// A new section with NEURON's defaults: `L` 100, `diam` 500, `nseg` 1,
    /// `cm` 1, `Ra` 35.4.
    pub fn new(name: String, owner: Option<usize>) -> Section {
        Section {
            name,
            owner,
            parent: None,
            orientation: 0.0,
            nseg: 1,
            pt3d: Vec::new(),
            arcs: Vec::new(),
            length: 100.0,
            diam: vec![500.0],
            cm: vec![1.0],
            ra: 35.4,
            mechs: Vec::new(),
            ions: Vec::new(),
            alive: true,
        }
    }

    /// `L`: the last arc length with points, else the length.
    pub fn l(&self) -> f64 {
        if self.pt3d.is_empty() {
            self.length
        } else {
            *self.arcs.last().unwrap_or(&0.0)
        }
    }

    /// NEURON's `node_index`: the segment holding `x` (0 ≤ x ≤ 1).
    pub fn seg(&self, x: f64) -> usize {
        let n = self.nseg as f64;
        let i = (n * x) as usize;
        i.min(self.nseg - 1)
    }

    /// Change `nseg`: each new segment takes the values of the old segment
    /// holding its centre.
    pub fn set_nseg(&mut self, n: usize) {
        if n == self.nseg {
            return;
        }
        let old = self.clone();
        let map: Vec<usize> = (0..n)
            .map(|i| old.seg((i as f64 + 0.5) / n as f64))
            .collect();
        let remap = |v: &Vec<f64>| map.iter().map(|&k| v[k]).collect::<Vec<f64>>();
        self.diam = remap(&old.diam);
        self.cm = remap(&old.cm);
        for m in &mut self.mechs {
            for (_, v) in &mut m.params {
                *v = remap(v);
            }
        }
        for ion in &mut self.ions {
            for v in [&mut ion.e, &mut ion.ci, &mut ion.co].into_iter().flatten() {
                *v = remap(v);
            }
        }
        self.nseg = n;
    }

    /// `insert name`: the mechanism with its defaults in every segment, and
    /// its ions. A second insert changes nothing.
    pub fn insert(&mut self, desc: &MechDesc) {
        if self.mechs.iter().any(|m| m.name == desc.name) {
            return;
        }
        self.mechs.push(Mech {
            name: desc.name.clone(),
            params: desc
                .params
                .iter()
                .map(|(p, d)| (p.clone(), vec![*d; self.nseg]))
                .collect(),
        });
        for ion in &desc.ions {
            if !self.ions.iter().any(|i| &i.name == ion) {
                self.ions.push(Ion {
                    name: ion.clone(),
                    e: None,
                    ci: None,
                    co: None,
                });
            }
        }
    }

    /// `pt3dadd(x, y, z, d)`: stored as float32; the arc length is the
    /// float32 difference summed in double, as NEURON's `stor_pt3d`.
    pub fn pt3dadd(&mut self, p: [f64; 4]) {
        let q = p.map(|v| v as f32 as f64);
        let arc = match self.pt3d.last() {
            None => 0.0,
            Some(prev) => {
                let t: Vec<f64> = (0..3)
                    .map(|c| (q[c] as f32 - prev[c] as f32) as f64)
                    .collect();
                self.arcs.last().unwrap() + (t[0] * t[0] + t[1] * t[1] + t[2] * t[2]).sqrt()
            }
        };
        self.pt3d.push(q);
        self.arcs.push(arc);
    }

    /// `L = len` on a section with points: NEURON's `nrn_length_change`
    /// scales the arcs and the points about the first point.
    pub fn scale_length(&mut self, len: f64) {
        let last = *self.arcs.last().unwrap_or(&0.0);
        let fac = len / last;
        let p0 = self.pt3d[0];
        for (p, a) in self.pt3d.iter_mut().zip(&mut self.arcs) {
            *a *= fac;
            for c in 0..3 {
                p[c] = (p0[c] + (p[c] - p0[c]) * fac) as f32 as f64;
            }
        }
    }

    /// After `diam` changed in a section with points: each point takes the
    /// diameter of the segment it lies in (`nrn_diam_change`).
    pub fn diam_to_points(&mut self) {
        let l = self.l();
        for k in 0..self.pt3d.len() {
            let x = (self.arcs[k] / l).min(1.0);
            self.pt3d[k][3] = self.diam[self.seg(x)] as f32 as f64;
        }
    }

    /// `diam` of each segment as NEURON computes it from the points
    /// (`diam_from_list`, `treeset.cpp`): the mean of the piecewise-linear
    /// diameter over the segment. A computed value replaces the stored one
    /// only when they differ by more than 1e-9, as in NEURON.
    pub fn diam_from_points(&self) -> Vec<f64> {
        let npt = self.pt3d.len();
        if npt < 2 {
            return self.diam.clone();
        }
        let d = |k: usize| self.pt3d[k][3].abs();
        let ds = self.arcs[npt - 1] / self.nseg as f64;
        let (mut j, mut x1, mut y1) = (0usize, self.arcs[0], d(0));
        let mut out = Vec::with_capacity(self.nseg);
        for inode in 0..self.nseg {
            let mut si = inode as f64 * ds;
            let mut diam = 0.0;
            for _half in 0..2 {
                let sip = si + ds / 2.0;
                loop {
                    let jp = j + 1;
                    let (xj, xjp) = (self.arcs[j], self.arcs[jp]);
                    let (x2, y2, jnext) = if xjp > sip || jp == npt - 1 {
                        let frac = if (xjp - xj).abs() < 1e-10 {
                            1.0
                        } else {
                            (sip - xj) / (xjp - xj)
                        };
                        (sip, (1.0 - frac) * d(j) + frac * d(jp), j)
                    } else {
                        (xjp, d(jp), jp)
                    };
                    diam += (y2 + y1) * (x2 - x1);
                    x1 = x2;
                    y1 = y2;
                    if j == jnext {
                        break;
                    }
                    j = jnext;
                }
                si = sip;
            }
            diam *= 0.5 / ds;
            let old = self.diam[inode];
            out.push(if (diam - old).abs() > 1e-9 || diam < 1e-5 {
                diam
            } else {
                old
            });
        }
        out
    }
}
