//! Handles of a model's parts: what [`ModelBuilder`](crate::ModelBuilder)
//! returns and [`Simulation`](crate::Simulation) takes back. Each is an index
//! into the builder's list of that kind, in the order the parts were added.

/// A cell added to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellId(pub usize);

/// A point process added to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PointId(pub usize);

/// An artificial cell added to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArtId(pub usize);

/// An event source (a threshold on a voltage, or an emitting mechanism).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceId(pub usize);

/// A connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub usize);

/// An implicit coupling conductance between two nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CouplingId(pub usize);
