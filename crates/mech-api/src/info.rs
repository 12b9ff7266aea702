//! Owned, validated descriptions of mechanisms: what an author declares and what the
//! host reads back from a catalogue.

use crate::abi;

/// What kind of mechanism a type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Inserted into sections: one instance per membrane node (NEURON `SUFFIX`).
    Density,
    /// Attached to one location (NEURON `POINT_PROCESS`).
    Point,
    /// No location, events only (NEURON `ARTIFICIAL_CELL`).
    Artificial,
}

impl Kind {
    /// The ABI code of this kind.
    pub fn code(self) -> u32 {
        match self {
            Kind::Density => abi::KIND_DENSITY,
            Kind::Point => abi::KIND_POINT,
            Kind::Artificial => abi::KIND_ARTIFICIAL,
        }
    }

    /// The kind for an ABI code.
    pub fn from_code(code: u32) -> Option<Kind> {
        match code {
            abi::KIND_DENSITY => Some(Kind::Density),
            abi::KIND_POINT => Some(Kind::Point),
            abi::KIND_ARTIFICIAL => Some(Kind::Artificial),
            _ => None,
        }
    }

    /// Lower-case name used in JSON listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Density => "density",
            Kind::Point => "point_process",
            Kind::Artificial => "artificial_cell",
        }
    }
}

/// Role of a per-instance field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Settable parameter.
    Parameter,
    /// State variable.
    State,
    /// Assigned (computed) variable.
    Assigned,
}

impl FieldKind {
    /// The ABI code of this field kind.
    pub fn code(self) -> u32 {
        match self {
            FieldKind::Parameter => abi::FIELD_PARAMETER,
            FieldKind::State => abi::FIELD_STATE,
            FieldKind::Assigned => abi::FIELD_ASSIGNED,
        }
    }

    /// The field kind for an ABI code.
    pub fn from_code(code: u32) -> Option<FieldKind> {
        match code {
            abi::FIELD_PARAMETER => Some(FieldKind::Parameter),
            abi::FIELD_STATE => Some(FieldKind::State),
            abi::FIELD_ASSIGNED => Some(FieldKind::Assigned),
            _ => None,
        }
    }
}

/// A per-instance field or a per-type global.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    /// Name without suffix (`gnabar`).
    pub name: String,
    /// Units (free text).
    pub units: String,
    /// Role.
    pub kind: FieldKind,
    /// Default value.
    pub default: f64,
    /// Lower limit (`-inf` when none).
    pub lower: f64,
    /// Upper limit (`+inf` when none).
    pub upper: f64,
    /// Read only by NET_RECEIVE (see [`crate::abi::FIELD_EVENT_ONLY`]).
    pub event_only: bool,
}

/// An ion used by a mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IonUse {
    /// Ion name (`na`).
    pub name: String,
    /// Charge number.
    pub valence: i32,
    /// `abi::ION_*` flags.
    pub flags: u32,
}

impl IonUse {
    /// Whether the mechanism adds to this ion's current.
    pub fn writes_current(&self) -> bool {
        self.flags & abi::ION_WRITE_I != 0
    }
}

/// A full mechanism description.
#[derive(Debug, Clone, PartialEq)]
pub struct MechInfo {
    /// Name (`hh`).
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// ELECTRODE_CURRENT (positive inward).
    pub electrode_current: bool,
    /// NEURON built-in type number, or -1.
    pub builtin_rank: i32,
    /// Mod file it comes from.
    pub source_file: String,
    /// Per-instance fields in storage order.
    pub fields: Vec<FieldInfo>,
    /// Per-type globals.
    pub globals: Vec<FieldInfo>,
    /// Ions in [`crate::Pack`] ion-slot order.
    pub ions: Vec<IonUse>,
    /// NET_RECEIVE argument names (empty: no NET_RECEIVE).
    pub weights: Vec<String>,
    /// Whether NET_RECEIVE has an INITIAL block.
    pub has_net_init: bool,
    /// Private per-type doubles.
    pub scratch_len: usize,
    /// Each instance takes a vector of doubles from the host (VecStim).
    pub instance_vector: bool,
    /// Its code draws from a random stream that outlives a run
    /// ([`abi::MECH_DRAWS_RANDOM`]).
    pub draws_random: bool,
}

impl MechInfo {
    fn new(name: &str, kind: Kind) -> MechInfo {
        MechInfo {
            name: name.to_string(),
            kind,
            electrode_current: false,
            builtin_rank: -1,
            source_file: String::new(),
            fields: Vec::new(),
            globals: Vec::new(),
            ions: Vec::new(),
            weights: Vec::new(),
            has_net_init: false,
            scratch_len: 0,
            instance_vector: false,
            draws_random: false,
        }
    }

    /// Start describing a density mechanism.
    pub fn density(name: &str) -> MechInfo {
        MechInfo::new(name, Kind::Density)
    }

    /// Start describing a point process.
    pub fn point(name: &str) -> MechInfo {
        MechInfo::new(name, Kind::Point)
    }

    /// Start describing an artificial cell.
    pub fn artificial(name: &str) -> MechInfo {
        MechInfo::new(name, Kind::Artificial)
    }

    /// Mark the current as ELECTRODE_CURRENT.
    pub fn electrode(mut self) -> Self {
        self.electrode_current = true;
        self
    }

    /// Set NEURON's built-in type number.
    pub fn rank(mut self, rank: i32) -> Self {
        self.builtin_rank = rank;
        self
    }

    /// Set the source mod file name.
    pub fn source(mut self, file: &str) -> Self {
        self.source_file = file.to_string();
        self
    }

    fn field(mut self, kind: FieldKind, name: &str, units: &str, default: f64) -> Self {
        self.fields.push(FieldInfo {
            name: name.to_string(),
            units: units.to_string(),
            kind,
            default,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
            event_only: false,
        });
        self
    }

    /// Add a parameter.
    pub fn param(self, name: &str, units: &str, default: f64) -> Self {
        self.field(FieldKind::Parameter, name, units, default)
    }

    /// Add a state variable.
    pub fn state(self, name: &str, units: &str) -> Self {
        self.field(FieldKind::State, name, units, 0.0)
    }

    /// Add an assigned variable.
    pub fn assigned(self, name: &str, units: &str) -> Self {
        self.field(FieldKind::Assigned, name, units, 0.0)
    }

    /// Set the valid range of the field added last.
    pub fn limits(mut self, lower: f64, upper: f64) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.lower = lower;
            f.upper = upper;
        }
        self
    }

    /// Declare that only NET_RECEIVE reads the parameter added last (see
    /// [`crate::abi::FIELD_EVENT_ONLY`]); a promise the mechanism must keep.
    pub fn event_only(mut self) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.event_only = f.kind == FieldKind::Parameter;
        }
        self
    }

    /// Add a per-type global.
    pub fn global(mut self, name: &str, units: &str, default: f64) -> Self {
        self.globals.push(FieldInfo {
            name: name.to_string(),
            units: units.to_string(),
            kind: FieldKind::Parameter,
            default,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
            event_only: false,
        });
        self
    }

    /// Declare the use of an ion.
    pub fn ion(mut self, name: &str, valence: i32, flags: u32) -> Self {
        self.ions.push(IonUse {
            name: name.to_string(),
            valence,
            flags,
        });
        self
    }

    /// Declare NET_RECEIVE and the names of its arguments.
    pub fn net_receive(mut self, args: &[&str]) -> Self {
        self.weights = args.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Declare a NET_RECEIVE INITIAL block.
    pub fn net_init(mut self) -> Self {
        self.has_net_init = true;
        self
    }

    /// Reserve private per-type storage.
    pub fn scratch(mut self, len: usize) -> Self {
        self.scratch_len = len;
        self
    }

    /// Declare that each instance takes a vector of doubles from the host.
    pub fn with_instance_vector(mut self) -> Self {
        self.instance_vector = true;
        self
    }

    /// Declare that the mechanism draws from a random stream that outlives a
    /// run ([`abi::MECH_DRAWS_RANDOM`]).
    pub fn draws_random(mut self) -> Self {
        self.draws_random = true;
        self
    }

    /// Index of a per-instance field.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Index of a global.
    pub fn global_index(&self, name: &str) -> Option<usize> {
        self.globals.iter().position(|f| f.name == name)
    }

    /// Names of the parameters (the settable fields).
    pub fn parameter_names(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.kind == FieldKind::Parameter)
            .map(|f| f.name.as_str())
            .collect()
    }

    /// Whether this mechanism has a NET_RECEIVE block.
    pub fn has_net_receive(&self) -> bool {
        !self.weights.is_empty()
    }

    /// Check internal consistency: non-empty unique names, sane limits, defaults
    /// inside them. Returns a description of the first problem.
    pub fn check(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("empty mechanism name".into());
        }
        if !self
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!(
                "mechanism name `{}` must be ASCII letters, digits or `_`",
                self.name
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for f in self.fields.iter().chain(self.globals.iter()) {
            if f.name.is_empty() {
                return Err(format!("`{}` has a field with an empty name", self.name));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!(
                    "`{}` declares the field `{}` twice",
                    self.name, f.name
                ));
            }
            if f.lower.is_nan() || f.upper.is_nan() || f.lower > f.upper {
                return Err(format!(
                    "`{}.{}` has an invalid range [{}, {}]",
                    self.name, f.name, f.lower, f.upper
                ));
            }
        }
        let mut ions = std::collections::HashSet::new();
        for ion in &self.ions {
            if ion.name.is_empty() || !ions.insert(ion.name.as_str()) {
                return Err(format!(
                    "`{}` declares ion `{}` twice or with no name",
                    self.name, ion.name
                ));
            }
        }
        if self.has_net_init && self.weights.is_empty() {
            return Err(format!(
                "`{}` has a NET_RECEIVE INITIAL block but no NET_RECEIVE",
                self.name
            ));
        }
        if self.kind == Kind::Density && !self.weights.is_empty() {
            return Err(format!(
                "density mechanism `{}` cannot receive events",
                self.name
            ));
        }
        Ok(())
    }
}
