//! Building a simulation: cells, point processes, artificial cells, connections,
//! gap-junction transfers and couplings are described to a [`ModelBuilder`]
//! (checked as they are added); `build` (in `build.rs`) lowers the
//! description into a [`Simulation`](crate::Simulation).

use crate::cell::CellSpec;
use crate::error::SimError;
use crate::geometry::discretize;
use crate::ids::{ArtId, CellId, ConnId, CouplingId, PointId, SourceId};
use crate::sim::{global_index, param_index, variable_index};
use mech_api::{Kind, MechType, Registry};
use std::sync::Arc;

mod build;

/// Where a connection delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A point process's NET_RECEIVE.
    Point(PointId),
    /// An artificial cell's NET_RECEIVE.
    Artificial(ArtId),
    /// Nowhere (a connection used only to record spikes).
    None,
}

/// A location on a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Loc {
    /// The cell.
    pub cell: CellId,
    /// Section name (`soma[0]`, or `soma` for `soma[0]`).
    pub section: String,
    /// Position along the section, 0 to 1.
    pub x: f64,
}

impl Loc {
    /// A location.
    pub fn new(cell: CellId, section: &str, x: f64) -> Loc {
        Loc {
            cell,
            section: section.to_string(),
            x,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PointDef {
    pub loc: Loc,
    pub ty: Arc<MechType>,
    pub params: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ArtDef {
    pub ty: Arc<MechType>,
    pub params: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
enum SourceDef {
    /// `node` is `site`'s node, renumbered whenever the discretisation is
    /// recomputed (see `ModelBuilder::disc`).
    Voltage {
        site: Site,
        node: usize,
        threshold: f64,
    },
    Point(PointId),
    Artificial(ArtId),
}

#[derive(Debug, Clone)]
struct ConnDef {
    source: SourceId,
    target: Target,
    delay: f64,
    weights: Vec<f64>,
}

/// A checked location: cell and section indices and the position.
#[derive(Debug, Clone, Copy)]
struct Site {
    cell: usize,
    sec: usize,
    x: f64,
}

impl Site {
    /// Its node in `disc`.
    fn node(&self, disc: &crate::geometry::Discretization) -> usize {
        disc.cells[self.cell].sections[self.sec].node_exact(self.x)
    }
}

#[derive(Debug, Clone)]
struct TransferDef {
    /// The source site and its node (see `SourceDef::Voltage`).
    source: Site,
    source_node: usize,
    target: PointId,
    field: usize,
}

/// Assembles cells and mechanisms into a [`Simulation`](crate::Simulation).
///
/// Cells are numbered in the order they are added (NEURON's section creation
/// order across cells), point processes keep their handles whatever order the
/// engine evaluates them in.
pub struct ModelBuilder<'r> {
    reg: &'r Registry,
    cells: Vec<CellSpec>,
    disc: Option<crate::geometry::Discretization>,
    points: Vec<PointDef>,
    arts: Vec<ArtDef>,
    sources: Vec<SourceDef>,
    conns: Vec<ConnDef>,
    transfers: Vec<TransferDef>,
    couplings: Vec<(usize, usize, f64)>,
    /// The two sites of each coupling (their nodes renumbered with the
    /// discretisation).
    coupling_sites: Vec<(Site, Site)>,
    globals: Vec<(Arc<MechType>, usize, f64)>,
}

pub(crate) fn mech_or_err(reg: &Registry, name: &str) -> Result<Arc<MechType>, SimError> {
    if let Some(reason) = reg.unavailable(name) {
        return Err(SimError::UnavailableMechanism {
            name: name.to_string(),
            reason: reason.to_string(),
        });
    }
    reg.get(name)
        .cloned()
        .ok_or_else(|| SimError::UnknownMechanism {
            name: name.to_string(),
            known: reg.names().join(", "),
        })
}

fn check_value(ty: &MechType, k: usize, value: f64) -> Result<(), SimError> {
    let f = &ty.info.fields[k];
    if !value.is_finite() {
        return Err(SimError::BadSetting {
            what: format!("{}.{}", ty.info.name, f.name),
            expected: "a finite number".into(),
            value,
        });
    }
    Ok(())
}

impl<'r> ModelBuilder<'r> {
    /// A builder resolving mechanism names in `reg`.
    pub fn new(reg: &'r Registry) -> ModelBuilder<'r> {
        ModelBuilder {
            reg,
            cells: Vec::new(),
            disc: None,
            points: Vec::new(),
            arts: Vec::new(),
            sources: Vec::new(),
            conns: Vec::new(),
            transfers: Vec::new(),
            couplings: Vec::new(),
            coupling_sites: Vec::new(),
            globals: Vec::new(),
        }
    }

    /// Add a cell (its mechanisms are checked against the registry).
    pub fn add_cell(&mut self, cell: &CellSpec) -> Result<CellId, SimError> {
        cell.check_mechanisms(self.reg)?;
        for (mech, name, value) in &cell.globals {
            self.set_global(mech, name, *value)?;
        }
        self.cells.push(cell.clone());
        self.disc = None;
        Ok(CellId(self.cells.len() - 1))
    }

    /// The discretisation of the cells added so far. Node numbers depend on
    /// every cell (roots come first), so when it is recomputed the nodes
    /// stored with voltage sources, transfers and couplings are renumbered
    /// from their sites (NEURON renumbers its nodes the same way when a
    /// section is created).
    fn disc(&mut self) -> &crate::geometry::Discretization {
        if self.disc.is_none() {
            let refs: Vec<&CellSpec> = self.cells.iter().collect();
            let disc = discretize(&refs);
            for s in self.sources.iter_mut() {
                if let SourceDef::Voltage { site, node, .. } = s {
                    *node = site.node(&disc);
                }
            }
            for t in self.transfers.iter_mut() {
                t.source_node = t.source.node(&disc);
            }
            for (c, (a, b)) in self.couplings.iter_mut().zip(&self.coupling_sites) {
                (c.0, c.1) = (a.node(&disc), b.node(&disc));
            }
            self.disc = Some(disc);
        }
        self.disc.as_ref().unwrap()
    }

    /// A location checked against its cell: its cell and section indices.
    fn site(&self, loc: &Loc) -> Result<Site, SimError> {
        let cell = self
            .cells
            .get(loc.cell.0)
            .ok_or_else(|| SimError::BadHandle(format!("cell {}", loc.cell.0)))?;
        let sec = cell
            .section_index(&loc.section)
            .ok_or_else(|| SimError::UnknownSection {
                cell: cell.name.clone(),
                section: loc.section.clone(),
                known: cell.section_names(),
            })?;
        if !(0.0..=1.0).contains(&loc.x) {
            return Err(SimError::BadLocation {
                section: loc.section.clone(),
                x: loc.x,
            });
        }
        Ok(Site {
            cell: loc.cell.0,
            sec,
            x: loc.x,
        })
    }

    /// A location checked, and its node in the current discretisation (after
    /// which every stored node is current too).
    fn located(&mut self, loc: &Loc) -> Result<(Site, usize), SimError> {
        let site = self.site(loc)?;
        Ok((site, site.node(self.disc())))
    }

    /// The node at a location (NEURON's `node_exact`), checking the location.
    /// The number holds until another cell is added.
    pub fn node_at(&mut self, loc: &Loc) -> Result<usize, SimError> {
        Ok(self.located(loc)?.1)
    }

    /// Add a point process at a location with parameter values.
    pub fn add_point(
        &mut self,
        mech: &str,
        loc: Loc,
        params: &[(&str, f64)],
    ) -> Result<PointId, SimError> {
        let ty = mech_or_err(self.reg, mech)?;
        if ty.info.kind != Kind::Point {
            return Err(SimError::WrongKind {
                mech: mech.to_string(),
                found: ty.info.kind.as_str(),
                expected: "point_process",
            });
        }
        self.node_at(&loc)?;
        let mut ps = Vec::new();
        for (n, v) in params {
            let k = param_index(&ty, n)?;
            check_value(&ty, k, *v)?;
            ps.push((k, *v));
        }
        self.points.push(PointDef {
            loc,
            ty,
            params: ps,
        });
        Ok(PointId(self.points.len() - 1))
    }

    /// Add an artificial cell with parameter values.
    pub fn add_artificial(
        &mut self,
        mech: &str,
        params: &[(&str, f64)],
    ) -> Result<ArtId, SimError> {
        let ty = mech_or_err(self.reg, mech)?;
        if ty.info.kind != Kind::Artificial {
            return Err(SimError::WrongKind {
                mech: mech.to_string(),
                found: ty.info.kind.as_str(),
                expected: "artificial_cell",
            });
        }
        let mut ps = Vec::new();
        for (n, v) in params {
            let k = param_index(&ty, n)?;
            check_value(&ty, k, *v)?;
            ps.push((k, *v));
        }
        self.arts.push(ArtDef { ty, params: ps });
        Ok(ArtId(self.arts.len() - 1))
    }

    /// A threshold source on the voltage at a location (NEURON's
    /// `NetCon(sec(x)._ref_v, ...)`): a spike is sent when v rises above
    /// `threshold`. Sources on the same node are shared; the last threshold wins.
    pub fn voltage_source(&mut self, loc: Loc, threshold: f64) -> Result<SourceId, SimError> {
        let (site, node) = self.located(&loc)?;
        for (k, s) in self.sources.iter_mut().enumerate() {
            if let SourceDef::Voltage {
                node: n,
                threshold: th,
                ..
            } = s
            {
                if *n == node {
                    *th = threshold;
                    return Ok(SourceId(k));
                }
            }
        }
        self.sources.push(SourceDef::Voltage {
            site,
            node,
            threshold,
        });
        Ok(SourceId(self.sources.len() - 1))
    }

    /// The event source of an artificial cell (its `net_event`s).
    pub fn artificial_source(&mut self, a: ArtId) -> Result<SourceId, SimError> {
        if a.0 >= self.arts.len() {
            return Err(SimError::BadHandle(format!("artificial cell {}", a.0)));
        }
        for (k, s) in self.sources.iter().enumerate() {
            if matches!(s, SourceDef::Artificial(x) if *x == a) {
                return Ok(SourceId(k));
            }
        }
        self.sources.push(SourceDef::Artificial(a));
        Ok(SourceId(self.sources.len() - 1))
    }

    /// The event source of a point process that calls `net_event`.
    pub fn point_source(&mut self, p: PointId) -> Result<SourceId, SimError> {
        if p.0 >= self.points.len() {
            return Err(SimError::BadHandle(format!("point process {}", p.0)));
        }
        for (k, s) in self.sources.iter().enumerate() {
            if matches!(s, SourceDef::Point(x) if *x == p) {
                return Ok(SourceId(k));
            }
        }
        self.sources.push(SourceDef::Point(p));
        Ok(SourceId(self.sources.len() - 1))
    }

    /// Connect a source to a target with a delay (ms) and weights (the first is
    /// NET_RECEIVE's weight; missing ones are 0).
    pub fn connect(
        &mut self,
        source: SourceId,
        target: Target,
        delay: f64,
        weights: &[f64],
    ) -> Result<ConnId, SimError> {
        if source.0 >= self.sources.len() {
            return Err(SimError::BadHandle(format!("source {}", source.0)));
        }
        if !(delay >= 0.0 && delay.is_finite()) {
            return Err(SimError::BadSetting {
                what: "connection delay".into(),
                expected: "a finite number ≥ 0 ms".into(),
                value: delay,
            });
        }
        let nw = match target {
            Target::Point(p) => {
                let d = self
                    .points
                    .get(p.0)
                    .ok_or_else(|| SimError::BadHandle(format!("point process {}", p.0)))?;
                if !d.ty.info.has_net_receive() {
                    return Err(SimError::WrongKind {
                        mech: d.ty.info.name.clone(),
                        found: "mechanism without NET_RECEIVE",
                        expected: "connection target with NET_RECEIVE",
                    });
                }
                d.ty.info.weights.len()
            }
            Target::Artificial(a) => {
                let d = self
                    .arts
                    .get(a.0)
                    .ok_or_else(|| SimError::BadHandle(format!("artificial cell {}", a.0)))?;
                d.ty.info.weights.len().max(1)
            }
            Target::None => 1,
        };
        if weights.len() > nw {
            return Err(SimError::BadSetting {
                what: "number of connection weights".into(),
                expected: format!("at most {nw} for this target"),
                value: weights.len() as f64,
            });
        }
        let mut w = vec![0.0; nw];
        w[..weights.len()].copy_from_slice(weights);
        self.conns.push(ConnDef {
            source,
            target,
            delay,
            weights: w,
        });
        Ok(ConnId(self.conns.len() - 1))
    }

    /// Copy the voltage at `source` into field `field` of point process `target`
    /// at initialisation and after every voltage update (NEURON's
    /// `pc.source_var` / `pc.target_var` transfer, used by gap junctions).
    pub fn transfer(&mut self, source: Loc, target: PointId, field: &str) -> Result<(), SimError> {
        let (site, node) = self.located(&source)?;
        let d = self
            .points
            .get(target.0)
            .ok_or_else(|| SimError::BadHandle(format!("point process {}", target.0)))?;
        let f = variable_index(&d.ty.info, field)?;
        self.transfers.push(TransferDef {
            source: site,
            source_node: node,
            target,
            field: f,
        });
        Ok(())
    }

    /// Couple two locations through a conductance `g` (µS), solved implicitly:
    /// both cells share one linear system, which the sparse LU solver handles
    /// (a gap junction without NEURON's one-step lag of the partner's voltage).
    pub fn couple(&mut self, a: Loc, b: Loc, g: f64) -> Result<CouplingId, SimError> {
        if !(g >= 0.0 && g.is_finite()) {
            return Err(SimError::BadSetting {
                what: "coupling conductance (µS)".into(),
                expected: "a finite number ≥ 0".into(),
                value: g,
            });
        }
        let ((sa, i), (sb, j)) = (self.located(&a)?, self.located(&b)?);
        if i == j {
            return Err(SimError::BadSetting {
                what: "coupling".into(),
                expected: "two different nodes".into(),
                value: i as f64,
            });
        }
        self.couplings.push((i, j, g));
        self.coupling_sites.push((sa, sb));
        Ok(CouplingId(self.couplings.len() - 1))
    }

    /// Set a mechanism global (e.g. hh's `usetable`) for this simulation.
    pub fn set_global(&mut self, mech: &str, name: &str, value: f64) -> Result<(), SimError> {
        let ty = mech_or_err(self.reg, mech)?;
        let k = global_index(&ty.info, mech, name)?;
        self.globals.push((ty, k, value));
        Ok(())
    }

    /// The cells added so far.
    pub fn cells(&self) -> &[CellSpec] {
        &self.cells
    }
}
