//! NEURON's discretisation of cells into nodes.
//!
//! A section with `nseg = n` owns n + 1 nodes: the centres of its n segments and
//! its zero-area x = 1 end. Its x = 0 end is the node it is attached to on its
//! parent, or, for a root section, a separate root node. Nodes are numbered as
//! NEURON numbers them (`multicore.cpp : reorder_secorder`): the root nodes of all
//! cells first, then, cell by cell, a breadth-first walk over sections, each
//! section appending its nodes in order. Every node's parent has a lower index.
//!
//! Areas and axial resistances follow `treeset.cpp : nrn_area_ri` (cylinders) and
//! `diam_from_list` (3-D points stored as float32, frustums), operation by
//! operation, so `area` and `ri` equal NEURON's `seg.area()` and `seg.ri()`.

use crate::cell::{CellSpec, Geometry};

/// NEURON's `PI` (3.14159265358979323846), which rounds to the same double as
/// `std::f64::consts::PI`.
pub const PI: f64 = std::f64::consts::PI;
/// Area NEURON assigns to nodes without membrane (µm²).
pub const ZERO_AREA_NODE: f64 = 100.0;

/// Node numbers of one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionNodes {
    /// Index of `pnode[0]` (the centre of segment 0); `pnode[j] = first + j`.
    pub first: usize,
    /// Number of segments.
    pub nseg: usize,
    /// The node the section's x = 0 end is attached to.
    pub parentnode: usize,
}

impl SectionNodes {
    /// NEURON's `node_index`: the segment containing x (a boundary goes up).
    pub fn segment(&self, x: f64) -> usize {
        let n = self.nseg;
        let mut i = (n as f64 * x) as usize;
        if i >= n {
            i = n - 1;
        }
        i
    }

    /// NEURON's `node_exact`: the node a point process or a reference at x uses.
    pub fn node_exact(&self, x: f64) -> usize {
        if x <= 0.0 {
            self.parentnode
        } else if x >= 1.0 {
            self.first + self.nseg
        } else {
            self.first + self.segment(x)
        }
    }

    /// The x = 1 end node.
    pub fn end(&self) -> usize {
        self.first + self.nseg
    }
}

/// Node numbers of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellNodes {
    /// The root node (index < number of cells).
    pub root: usize,
    /// Per section, in the order of [`CellSpec::sections`].
    pub sections: Vec<SectionNodes>,
}

/// The discretised system of one or more cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Discretization {
    /// Number of cells (= number of root nodes, which come first).
    pub ncell: usize,
    /// Parent of every node (`usize::MAX` for root nodes).
    pub parent: Vec<usize>,
    /// Area of every node (µm²; 100 for zero-area nodes).
    pub area: Vec<f64>,
    /// Axial conductance to the parent (µS; 0 for root nodes).
    pub rinv: Vec<f64>,
    /// Effect of node k's Δv on its parent's row.
    pub a: Vec<f64>,
    /// Effect of the parent's Δv on row k.
    pub b: Vec<f64>,
    /// Specific capacitance of membrane nodes (`None` for zero-area nodes).
    pub cm: Vec<Option<f64>>,
    /// Per cell.
    pub cells: Vec<CellNodes>,
    /// Mean diameter of each segment, per cell and section (NEURON's `seg.diam`).
    pub seg_diam: Vec<Vec<Vec<f64>>>,
}

impl Discretization {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// `seg.ri()`: the resistance (MΩ) between a node and its parent (1e30 for a root).
    pub fn ri(&self, node: usize) -> f64 {
        if self.rinv[node] == 0.0 {
            1e30
        } else {
            1.0 / self.rinv[node]
        }
    }

    /// `seg.area()` at x on a section: 0 at the ends, else the segment's area.
    pub fn seg_area(&self, cell: usize, section: usize, x: f64) -> f64 {
        if x <= 0.0 || x >= 1.0 {
            0.0
        } else {
            self.area[self.cells[cell].sections[section].node_exact(x)]
        }
    }
}

fn f32r(x: f64) -> f32 {
    x as f32
}

/// pt3d data of a section as NEURON stores it: float32 coordinates and diameter,
/// double arc length accumulated from float32 differences.
struct Pt3d {
    d: Vec<f64>,
    arc: Vec<f64>,
}

/// pt3d data with the arc lengths NEURON stored (`arc3d`) instead of computed ones.
fn pt3d_arcs(points: &[[f64; 4]], arcs: &[f64]) -> Pt3d {
    Pt3d {
        d: points.iter().map(|q| f32r(q[3]) as f64).collect(),
        arc: arcs.to_vec(),
    }
}

fn pt3d(points: &[[f64; 4]]) -> Pt3d {
    let p: Vec<[f32; 4]> = points
        .iter()
        .map(|q| [f32r(q[0]), f32r(q[1]), f32r(q[2]), f32r(q[3])])
        .collect();
    let mut arc = vec![0.0f64; p.len()];
    for i in 1..p.len() {
        let t1 = (p[i][0] - p[i - 1][0]) as f64;
        let t2 = (p[i][1] - p[i - 1][1]) as f64;
        let t3 = (p[i][2] - p[i - 1][2]) as f64;
        arc[i] = arc[i - 1] + (t1 * t1 + t2 * t2 + t3 * t3).sqrt();
    }
    Pt3d {
        d: p.iter().map(|q| q[3] as f64).collect(),
        arc,
    }
}

/// The length of a section as NEURON computes it (µm).
pub fn section_length(g: &Geometry) -> f64 {
    match g {
        Geometry::Cylinder { l, .. } => *l,
        Geometry::Points(p) => *pt3d(p).arc.last().unwrap_or(&0.0),
        Geometry::PointsArcs { arcs, .. } => *arcs.last().unwrap_or(&0.0),
    }
}

/// Area (µm²), `rinv` (µS) and diameter of each segment of a pt3d section, as
/// `diam_from_list` computes them; returns them plus the right half-resistance
/// of the last segment.
fn frustums(pts: &Pt3d, nseg: usize, ra: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64) {
    let npt = pts.arc.len();
    let mut j = 0usize;
    let mut x1 = pts.arc[0];
    let mut y1 = pts.d[0].abs();
    let ds = pts.arc[npt - 1] / nseg as f64;
    let mut rparent = 0.0f64;
    let mut areas = Vec::with_capacity(nseg);
    let mut rinvs = Vec::with_capacity(nseg);
    let mut diams = Vec::with_capacity(nseg);
    for inode in 0..nseg {
        let mut si = inode as f64 * ds;
        let mut diam = 0.0f64;
        let mut area = 0.0f64;
        let mut rleft = 0.0f64;
        let mut ri = 0.0f64;
        for ihalf in 0..2 {
            ri = 0.0;
            let sip = si + ds / 2.0;
            loop {
                let jp = j + 1;
                let xj = pts.arc[j];
                let xjp = pts.arc[jp];
                let (x2, y2, jnext);
                if xjp > sip || jp == npt - 1 {
                    let frac = if (xjp - xj).abs() < 1e-10 {
                        1.0
                    } else {
                        (sip - xj) / (xjp - xj)
                    };
                    x2 = sip;
                    y2 = (1.0 - frac) * pts.d[j].abs() + frac * pts.d[jp].abs();
                    jnext = j;
                } else {
                    x2 = xjp;
                    y2 = pts.d[jp].abs();
                    jnext = jp;
                }
                let mut delta = x2 - x1;
                diam += (y2 + y1) * delta;
                if delta < 1e-15 {
                    delta = 1e-15;
                }
                let mut temp = y2 * y1 / delta;
                if temp == 0.0 {
                    temp = 1e-15;
                }
                ri += 1.0 / temp;
                let half = 0.5 * (y2 - y1);
                let slant = (delta * delta + half * half).sqrt();
                area += (y2 + y1) * slant;
                x1 = x2;
                y1 = y2;
                if j == jnext {
                    break;
                }
                j = jnext;
            }
            if ihalf == 0 {
                rleft = ri * ra / PI * (4.0 * 0.01);
            } else {
                ri = ri * ra / PI * (4.0 * 0.01);
            }
            si = sip;
        }
        rinvs.push(1.0 / (rparent + rleft));
        diams.push(diam * (0.5 / ds));
        areas.push(area * 0.5 * PI);
        rparent = ri;
    }
    (areas, rinvs, diams, rparent)
}

/// Children of every section, in NEURON's sibling order: increasing connection x,
/// and for equal x the later-connected child first. The connection order is
/// the cell's `connection_order`, else section order.
fn children(cell: &CellSpec) -> Vec<Vec<usize>> {
    let mut ch: Vec<Vec<usize>> = vec![Vec::new(); cell.sections.len()];
    let order: Vec<usize> = match &cell.connection_order {
        Some(o) => o.clone(),
        None => (0..cell.sections.len()).collect(),
    };
    for k in order {
        let s = &cell.sections[k];
        if let Some(p) = s.parent {
            let lst = &mut ch[p.section];
            let x = p.x;
            let pos = lst
                .iter()
                .position(|&c| {
                    let cx = cell.sections[c].parent.unwrap().x;
                    x <= cx
                })
                .unwrap_or(lst.len());
            lst.insert(pos, k);
        }
    }
    ch
}

/// The per-node arrays of a [`Discretization`] while it is being built.
struct NodeArrays {
    parent: Vec<usize>,
    area: Vec<f64>,
    rinv: Vec<f64>,
    cm: Vec<Option<f64>>,
}

impl NodeArrays {
    /// `n` nodes without parent, membrane or axial conductance.
    fn push_unattached(&mut self, n: usize) {
        for _ in 0..n {
            self.parent.push(usize::MAX);
            self.area.push(ZERO_AREA_NODE);
            self.rinv.push(0.0);
            self.cm.push(None);
        }
    }
}

/// Discretise cells into one system, numbered as NEURON numbers a model whose
/// cells were created in this order.
pub fn discretize(cells: &[&CellSpec]) -> Discretization {
    let ncell = cells.len();
    let mut nodes = NodeArrays {
        parent: Vec::new(),
        area: Vec::new(),
        rinv: Vec::new(),
        cm: Vec::new(),
    };
    nodes.push_unattached(ncell);
    let mut cell_nodes = Vec::with_capacity(ncell);
    let mut seg_diam = Vec::with_capacity(ncell);
    for (ci, cell) in cells.iter().enumerate() {
        let order = section_order(cell);
        let mut sec_nodes = number_sections(cell, &order, &mut nodes);
        attach_sections(cell, ci, &order, &mut sec_nodes, &mut nodes.parent);
        let diams = areas_and_resistances(cell, &order, &sec_nodes, &mut nodes);
        cell_nodes.push(CellNodes {
            root: ci,
            sections: sec_nodes,
        });
        seg_diam.push(diams);
    }
    let NodeArrays {
        parent,
        area,
        rinv,
        cm,
    } = nodes;
    let nn = parent.len();
    let mut a = vec![0.0; nn];
    let mut b = vec![0.0; nn];
    for i in ncell..nn {
        let p = parent[i];
        a[i] = -1.0e2 * rinv[i] / area[p];
        b[i] = -1.0e2 * rinv[i] / area[i];
    }
    // NEURON multiplies a section's first `a` by rallbranch (1 here); -1e2 * 1 is
    // exactly -1e2, so one formula serves every node.
    Discretization {
        ncell,
        parent,
        area,
        rinv,
        a,
        b,
        cm,
        cells: cell_nodes,
        seg_diam,
    }
}

/// A cell's sections in breadth-first order from the root, children in
/// NEURON's sibling order.
fn section_order(cell: &CellSpec) -> Vec<usize> {
    let ch = children(cell);
    let root = cell
        .sections
        .iter()
        .position(|s| s.parent.is_none())
        .expect("validated cells have a root");
    let mut order = Vec::with_capacity(cell.sections.len());
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(s) = queue.pop_front() {
        order.push(s);
        queue.extend(ch[s].iter().copied());
    }
    order
}

/// Number the nodes of a cell's sections in `order` (each section its segment
/// centres, then its x = 1 end), appending them to `nodes`; parent nodes are
/// left unset.
fn number_sections(cell: &CellSpec, order: &[usize], nodes: &mut NodeArrays) -> Vec<SectionNodes> {
    let mut sec_nodes = vec![
        SectionNodes {
            first: 0,
            nseg: 0,
            parentnode: 0
        };
        cell.sections.len()
    ];
    for &s in order {
        let first = nodes.parent.len();
        let nseg = cell.sections[s].nseg;
        sec_nodes[s] = SectionNodes {
            first,
            nseg,
            parentnode: usize::MAX,
        };
        nodes.push_unattached(nseg + 1);
    }
    sec_nodes
}

/// Each section's parent node (x = 0 climbs to the ancestor's attachment
/// node; the root attaches to the cell's root node `root`), and the parent of
/// every node.
fn attach_sections(
    cell: &CellSpec,
    root: usize,
    order: &[usize],
    sec_nodes: &mut [SectionNodes],
    parent: &mut [usize],
) {
    for &s in order {
        let pn = {
            let mut cur = s;
            loop {
                match cell.sections[cur].parent {
                    None => break root,
                    Some(p) => {
                        if p.x != 0.0 {
                            let ps = sec_nodes[p.section];
                            break if p.x == 1.0 {
                                ps.end()
                            } else {
                                ps.first + ps.segment(p.x)
                            };
                        }
                        cur = p.section;
                    }
                }
            }
        };
        sec_nodes[s].parentnode = pn;
        let sn = sec_nodes[s];
        parent[sn.first] = pn;
        for j in 1..=sn.nseg {
            parent[sn.first + j] = sn.first + j - 1;
        }
    }
}

/// Areas, axial conductances and capacitances of a cell's nodes; returns the
/// mean diameter of each segment, per section.
fn areas_and_resistances(
    cell: &CellSpec,
    order: &[usize],
    sec_nodes: &[SectionNodes],
    nodes: &mut NodeArrays,
) -> Vec<Vec<f64>> {
    let mut diams = vec![Vec::new(); cell.sections.len()];
    for &s in order {
        let sec = &cell.sections[s];
        let sn = sec_nodes[s];
        let n = sn.nseg;
        let rright = match &sec.geometry {
            Geometry::Cylinder { l, diam } => {
                diams[s] = diam.values(n);
                cylinder(*l, &diams[s], sec.ra, sn, nodes)
            }
            Geometry::Points(points) => {
                let (rright, dm) = pt3d_nodes(&pt3d(points), sec.ra, sn, nodes);
                diams[s] = dm;
                rright
            }
            Geometry::PointsArcs { points, arcs } => {
                let (rright, dm) = pt3d_nodes(&pt3d_arcs(points, arcs), sec.ra, sn, nodes);
                diams[s] = dm;
                rright
            }
        };
        nodes.area[sn.end()] = ZERO_AREA_NODE;
        nodes.rinv[sn.end()] = 1.0 / rright;
        for j in 0..n {
            nodes.cm[sn.first + j] = Some(sec.cm.at(j));
        }
    }
    diams
}

/// Areas and axial conductances of a pt3d section's segments (`diam_from_list`);
/// returns the right half-resistance of the last segment and the segment diameters.
fn pt3d_nodes(pts: &Pt3d, ra: f64, sn: SectionNodes, nodes: &mut NodeArrays) -> (f64, Vec<f64>) {
    let (ar, ri, dm, rright) = frustums(pts, sn.nseg, ra);
    for j in 0..sn.nseg {
        nodes.area[sn.first + j] = ar[j];
        nodes.rinv[sn.first + j] = ri[j];
    }
    (rright, dm)
}

/// Areas and axial conductances of a cylinder's segments (`nrn_area_ri`),
/// each segment with its own diameter; returns the right half-resistance of
/// the last segment.
fn cylinder(l: f64, diams: &[f64], ra: f64, sn: SectionNodes, nodes: &mut NodeArrays) -> f64 {
    let n = sn.nseg;
    let dx = l / n as f64;
    let mut rright = 0.0;
    for (j, &diam) in diams.iter().enumerate().take(n) {
        let nd = sn.first + j;
        nodes.area[nd] = PI * diam * dx;
        let rleft = 1e-2 * ra * (dx / 2.0) / (PI * diam * diam / 4.0);
        nodes.rinv[nd] = 1.0 / (rleft + rright);
        rright = rleft;
    }
    rright
}
