//! [`ModelBuilder::build`]: the model's description lowered into a
//! [`Simulation`] — instances grouped by mechanism type in NEURON's evaluation
//! order and stored as struct of arrays, the ions they use, event sources and
//! connections, transfers, the tree matrix and the solver.

use super::{mech_or_err, ModelBuilder, SourceDef, Target};
use crate::error::SimError;
use crate::geometry::Discretization;
use crate::ions::{promote, style_use, IonStore};
use crate::sim::{
    param_index, Conn, Host, PreSyn, SimOptions, Simulation, SourceKind, Transfer, TypeStore,
};
use crate::solver::{Hines, Solver, TreeMatrix};
use mech_api::{Kind, MechInfo, MechType};
use std::collections::HashMap;
use std::sync::Arc;

/// One instance before storage: (node or `u32::MAX`, order among instances
/// at that node, params, origin).
type Item = (u32, i64, Vec<(usize, f64)>, Origin);

/// What an instance was added as.
#[derive(Clone, Copy)]
enum Origin {
    Density,
    Point(usize),
    Art(usize),
}

/// The instances of one mechanism type.
struct Pending {
    ty: Arc<MechType>,
    items: Vec<Item>,
}

/// Instances grouped by type, types in order of first appearance.
#[derive(Default)]
struct Instances {
    pending: Vec<Pending>,
    slot: HashMap<String, usize>,
}

impl Instances {
    /// The instance list of a type (created empty at its first use).
    fn of(&mut self, ty: &Arc<MechType>) -> &mut Vec<Item> {
        let pending = &mut self.pending;
        let s = *self.slot.entry(ty.info.name.clone()).or_insert_with(|| {
            pending.push(Pending {
                ty: ty.clone(),
                items: Vec::new(),
            });
            pending.len() - 1
        });
        &mut pending[s].items
    }
}

/// Where each point process and artificial cell is stored: (type, instance).
struct Placement {
    point_loc: Vec<(usize, u32)>,
    art_loc: Vec<(usize, u32)>,
}

impl ModelBuilder<'_> {
    /// Build the simulation.
    pub fn build(mut self, opts: SimOptions) -> Result<Simulation, SimError> {
        opts.check()?;
        if self.cells.is_empty() && self.arts.is_empty() {
            return Err(SimError::BadSetting {
                what: "number of cells".into(),
                expected: "at least one cell or artificial cell".into(),
                value: 0.0,
            });
        }
        self.disc();
        let disc = self.disc.take().unwrap();
        let pending = self.instances(&disc)?;
        let mut ions: Vec<IonStore> = Vec::new();
        let (types, place) = self.type_stores(pending, disc.len(), &mut ions);
        // Globals for types with no instance are accepted and ignored.
        self.cell_ion_settings(&disc, &mut ions);
        for s in ions.iter_mut() {
            s.reset();
        }
        let (presyns, conns) = self.sources_and_connections(&place);
        let transfers = self
            .transfers
            .iter()
            .map(|t| Transfer {
                source_node: t.source_node,
                ti: place.point_loc[t.target.0].0,
                field: t.field,
                inst: place.point_loc[t.target.0].1,
            })
            .collect();
        let matrix = self.tree_matrix(&disc);
        let solver = self.solver(&opts)?;
        let mut mech_index: HashMap<String, usize> = HashMap::new();
        for (ti, t) in types.iter().enumerate() {
            mech_index.insert(t.ty.info.name.clone(), ti);
        }
        Ok(Simulation::assemble(
            opts,
            self.cells,
            disc,
            matrix,
            solver,
            types,
            mech_index,
            ions,
            presyns,
            conns,
            transfers,
            place.point_loc,
            place.art_loc,
            self.couplings,
            Host::new(),
        ))
    }

    /// Every instance (density mechanisms per segment, point processes,
    /// artificial cells) grouped by type, types in evaluation order: NEURON's
    /// built-in type numbers, then mod-file mechanisms by file name
    /// (nrnivmodl's registration order).
    fn instances(&self, disc: &Discretization) -> Result<Vec<Pending>, SimError> {
        let mut inst = Instances::default();
        for (ci, cell) in self.cells.iter().enumerate() {
            for (si, sec) in cell.sections.iter().enumerate() {
                let sn = disc.cells[ci].sections[si];
                for m in &sec.mechanisms {
                    let ty = mech_or_err(self.reg, &m.name)?;
                    let mut ps = Vec::new();
                    for (pn, v) in &m.params {
                        ps.push((param_index(&ty, pn)?, v));
                    }
                    let items = inst.of(&ty);
                    for j in 0..sn.nseg {
                        let node = (sn.first + j) as u32;
                        let at_j = ps.iter().map(|(k, v)| (*k, v.at(j))).collect();
                        items.push((node, node as i64, at_j, Origin::Density));
                    }
                }
            }
        }
        for (pi, p) in self.points.iter().enumerate() {
            let ci = p.loc.cell.0;
            let si = self.cells[ci].section_index(&p.loc.section).unwrap();
            let node = disc.cells[ci].sections[si].node_exact(p.loc.x) as u32;
            // Same node: the later-created instance first (NEURON prepends
            // point processes to a node's property list).
            inst.of(&p.ty)
                .push((node, -(pi as i64), p.params.clone(), Origin::Point(pi)));
        }
        for (ai, a) in self.arts.iter().enumerate() {
            inst.of(&a.ty)
                .push((u32::MAX, ai as i64, a.params.clone(), Origin::Art(ai)));
        }
        let mut pending = inst.pending;
        pending.sort_by_key(|x| type_order_key(&x.ty));
        Ok(pending)
    }

    /// The storage of every type (instances sorted by node), creating the ions
    /// they use; and where each point process and artificial cell landed.
    fn type_stores(
        &self,
        pending: Vec<Pending>,
        nn: usize,
        ions: &mut Vec<IonStore>,
    ) -> (Vec<TypeStore>, Placement) {
        let mut types = Vec::with_capacity(pending.len());
        let mut place = Placement {
            point_loc: vec![(0usize, 0u32); self.points.len()],
            art_loc: vec![(0usize, 0u32); self.arts.len()],
        };
        for (ti, mut pd) in pending.into_iter().enumerate() {
            pd.items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            for (i, it) in pd.items.iter().enumerate() {
                match it.3 {
                    Origin::Point(p) => place.point_loc[p] = (ti, i as u32),
                    Origin::Art(a) => place.art_loc[a] = (ti, i as u32),
                    Origin::Density => {}
                }
            }
            let info = &pd.ty.info;
            let nodes: Vec<u32> = if info.kind == Kind::Artificial {
                Vec::new()
            } else {
                pd.items.iter().map(|it| it.0).collect()
            };
            let ion_slots = ion_slots(info, &nodes, nn, ions);
            types.push(TypeStore::new(
                pd.ty.clone(),
                pd.items.len(),
                nodes,
                initial_fields(info, &pd.items),
                self.globals_of(info),
                ion_slots,
            ));
        }
        (types, place)
    }

    /// A type's globals: the defaults, with the values set on the builder.
    fn globals_of(&self, info: &MechInfo) -> Vec<f64> {
        let mut globals: Vec<f64> = info.globals.iter().map(|g| g.default).collect();
        for (gt, gk, gv) in &self.globals {
            if gt.info.name == info.name {
                globals[*gk] = *gv;
            }
        }
        globals
    }

    /// The ion settings (`e`, `ci`, `co`) of the cells' sections, at every
    /// segment, for the ions some mechanism uses.
    fn cell_ion_settings(&self, disc: &Discretization, ions: &mut [IonStore]) {
        for (ci, cell) in self.cells.iter().enumerate() {
            for (si, sec) in cell.sections.iter().enumerate() {
                let sn = disc.cells[ci].sections[si];
                for st in &sec.ions {
                    if let Some(store) = ions.iter_mut().find(|s| s.name == st.ion) {
                        for j in 0..sn.nseg {
                            let k = sn.first + j;
                            if let Some(e) = &st.e {
                                store.e0[k] = e.at(j);
                            }
                            if let Some(c) = &st.ci {
                                store.ci0[k] = c.at(j);
                            }
                            if let Some(c) = &st.co {
                                store.co0[k] = c.at(j);
                            }
                        }
                    }
                }
            }
        }
    }

    /// NEURON's PreSyns (one per source) and NetCons.
    fn sources_and_connections(&self, place: &Placement) -> (Vec<PreSyn>, Vec<Conn>) {
        let (point_loc, art_loc) = (&place.point_loc, &place.art_loc);
        let mut presyns: Vec<PreSyn> = self
            .sources
            .iter()
            .map(|s| PreSyn {
                kind: match *s {
                    SourceDef::Voltage {
                        node, threshold, ..
                    } => SourceKind::Voltage { node, threshold },
                    SourceDef::Point(p) => SourceKind::Mech {
                        ti: point_loc[p.0].0,
                        inst: point_loc[p.0].1,
                    },
                    SourceDef::Artificial(a) => SourceKind::Mech {
                        ti: art_loc[a.0].0,
                        inst: art_loc[a.0].1,
                    },
                },
                conns: Vec::new(),
                flag: false,
                record: false,
                spikes: Vec::new(),
            })
            .collect();
        let mut conns = Vec::with_capacity(self.conns.len());
        for (k, c) in self.conns.iter().enumerate() {
            presyns[c.source.0].conns.push(k);
            let target = match c.target {
                Target::Point(p) => Some(point_loc[p.0]),
                Target::Artificial(a) => Some(art_loc[a.0]),
                Target::None => None,
            };
            conns.push(Conn {
                target,
                delay: c.delay,
                weights: c.weights.clone().into_boxed_slice(),
                weight0: c.weights.first().copied().unwrap_or(0.0),
                active: true,
            });
        }
        (presyns, conns)
    }

    /// The tree matrix's constant part, with a slot for each implicit
    /// coupling's two off-diagonal terms.
    fn tree_matrix(&self, disc: &Discretization) -> TreeMatrix {
        let mut matrix = TreeMatrix {
            ncell: disc.ncell,
            parent: disc.parent.clone(),
            a: disc.a.clone(),
            b: disc.b.clone(),
            extra: Vec::new(),
        };
        for &(i, j, _) in &self.couplings {
            matrix.extra.push((i, j, 0.0));
            matrix.extra.push((j, i, 0.0));
        }
        matrix
    }

    /// The solver asked for, else Hines (or the sparse LU when there are
    /// implicit couplings, which a tree solver cannot handle).
    fn solver(&self, opts: &SimOptions) -> Result<Box<dyn Solver>, SimError> {
        let solver: Box<dyn Solver> = match opts.solver.as_ref() {
            Some(f) => f(),
            None if self.couplings.is_empty() => Box::new(Hines),
            None => Box::new(crate::lu::SparseLu::new()),
        };
        if !self.couplings.is_empty() && !solver.handles_extra() {
            return Err(SimError::BadSetting {
                what: format!("solver `{}`", solver.name()),
                expected: "a solver for non-tree systems (implicit couplings need the sparse LU)"
                    .into(),
                value: self.couplings.len() as f64,
            });
        }
        Ok(solver)
    }
}

/// A type's fields (struct of arrays): the defaults, with the values given
/// per instance.
fn initial_fields(info: &MechInfo, items: &[Item]) -> Vec<f64> {
    let n = items.len();
    let nf = info.fields.len();
    let mut data = vec![0.0; nf * n];
    for (f, fi) in info.fields.iter().enumerate() {
        data[f * n..(f + 1) * n]
            .iter_mut()
            .for_each(|x| *x = fi.default);
    }
    for (i, it) in items.iter().enumerate() {
        for &(f, v) in &it.2 {
            data[f * n + i] = v;
        }
    }
    data
}

/// The ion store of each ion a type uses (created at its first use), with
/// NEURON's ion style promoted at every node the type is on.
fn ion_slots(info: &MechInfo, nodes: &[u32], nn: usize, ions: &mut Vec<IonStore>) -> Vec<usize> {
    let mut slots = Vec::new();
    for iu in &info.ions {
        let k = match ions.iter().position(|s| s.name == iu.name) {
            Some(k) => k,
            None => {
                ions.push(IonStore::new(&iu.name, nn, iu.valence));
                ions.len() - 1
            }
        };
        let (conc, rev) = style_use(iu.flags);
        if conc > 0 || rev > 0 {
            for &node in nodes {
                promote(&mut ions[k].style[node as usize], conc, rev);
            }
        }
        slots.push(k);
    }
    slots
}

/// The evaluation-order key of a mechanism type (see [`ModelBuilder::build`]).
///
/// Mechanisms that write a concentration come right after the ions, as NEURON's
/// `nrn_writes_conc` moves them (after type 5, extracellular), each newly
/// registered one before those registered earlier: reverse file order.
fn type_order_key(t: &MechType) -> (u8, i32, Vec<u8>, String) {
    use mech_api::abi::{ION_WRITE_CI, ION_WRITE_CO};
    let writes_conc = t
        .info
        .ions
        .iter()
        .any(|i| i.flags & (ION_WRITE_CI | ION_WRITE_CO) != 0);
    if t.info.builtin_rank >= 0 {
        (0, t.info.builtin_rank, Vec::new(), t.info.name.clone())
    } else if writes_conc {
        let mut rev: Vec<u8> = t.info.source_file.bytes().map(|b| 255 - b).collect();
        rev.push(255);
        (0, 5, rev, t.info.name.clone())
    } else {
        (
            1,
            0,
            t.info.source_file.as_bytes().to_vec(),
            t.info.name.clone(),
        )
    }
}
