//! The host's side: validated views of catalogues, and the registry of known types.

use crate::abi::{self, PPack, RawCatalogue, RawField, RawMech};
use crate::error::DescriptorError;
use crate::info::{FieldInfo, FieldKind, IonUse, Kind, MechInfo};
use std::collections::HashMap;
use std::ffi::{c_char, CStr};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a catalogue came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Linked into the program.
    Static,
    /// Loaded from a shared library.
    Library(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Static => write!(f, "built in"),
            Origin::Library(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One mechanism type: its description and its entry points.
#[derive(Debug)]
pub struct MechType {
    /// The description.
    pub info: MechInfo,
    /// The catalogue it came from.
    pub catalogue: String,
    /// Where that catalogue came from.
    pub origin: Origin,
    init: Option<abi::MechFn>,
    current: Option<abi::MechFn>,
    state: Option<abi::MechFn>,
    net_receive: Option<abi::NetReceiveFn>,
    net_init: Option<abi::NetInitFn>,
    time_horizon: Option<abi::HorizonFn>,
}

impl MechType {
    /// Run INITIAL. Returns the ABI status.
    ///
    /// # Safety
    /// `pp` must describe valid host-owned storage for this type (see [`PPack`]).
    pub unsafe fn call_init(&self, pp: *mut PPack) -> i32 {
        self.init.map_or(abi::STATUS_OK, |f| f(pp))
    }

    /// Run the current (BREAKPOINT) function.
    ///
    /// # Safety
    /// As [`MechType::call_init`].
    pub unsafe fn call_current(&self, pp: *mut PPack) -> i32 {
        self.current.map_or(abi::STATUS_OK, |f| f(pp))
    }

    /// Run the state update.
    ///
    /// # Safety
    /// As [`MechType::call_init`].
    pub unsafe fn call_state(&self, pp: *mut PPack) -> i32 {
        self.state.map_or(abi::STATUS_OK, |f| f(pp))
    }

    /// Deliver one event.
    ///
    /// # Safety
    /// As [`MechType::call_init`]; `weights` points to `info.weights.len()` doubles.
    pub unsafe fn call_net_receive(
        &self,
        pp: *mut PPack,
        instance: u32,
        weights: *mut f64,
        flag: f64,
    ) -> i32 {
        self.net_receive
            .map_or(abi::STATUS_OK, |f| f(pp, instance, weights, flag))
    }

    /// Run the NET_RECEIVE INITIAL block for one connection.
    ///
    /// # Safety
    /// As [`MechType::call_net_receive`].
    pub unsafe fn call_net_init(&self, pp: *mut PPack, instance: u32, weights: *mut f64) -> i32 {
        self.net_init
            .map_or(abi::STATUS_OK, |f| f(pp, instance, weights))
    }

    /// Ask how long the type's `current` and `state` stay independent of `t`
    /// from `pp.t` on (see [`RawMech::time_horizon`]). `Ok(None)` when the type
    /// cannot tell (no horizon function, or a horizon that is NaN or not after
    /// `pp.t`); `Err(status)` when the function failed.
    ///
    /// # Safety
    /// As [`MechType::call_init`].
    pub unsafe fn call_time_horizon(&self, pp: *mut PPack) -> Result<Option<f64>, i32> {
        let Some(f) = self.time_horizon else {
            return Ok(None);
        };
        let mut h = f64::NAN;
        let st = f(pp, &mut h);
        if st != abi::STATUS_OK {
            return Err(st);
        }
        let t = (*pp).t;
        Ok(if h > t { Some(h) } else { None })
    }

    /// Whether the type has a time-horizon function (ABI 1.1).
    pub fn has_time_horizon(&self) -> bool {
        self.time_horizon.is_some()
    }

    /// Whether the type has a current function.
    pub fn has_current(&self) -> bool {
        self.current.is_some()
    }

    /// Whether NET_RECEIVE has an INITIAL block.
    pub fn has_net_init(&self) -> bool {
        self.net_init.is_some()
    }
}

/// A validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Catalogue name.
    pub name: String,
    /// Catalogue version string.
    pub version: String,
    /// Where it came from.
    pub origin: Origin,
    /// Its mechanisms.
    pub mechs: Vec<Arc<MechType>>,
}

/// The string at `p`; `what` names it in the error (built only on an error:
/// a catalogue has hundreds of strings).
unsafe fn cstr(p: *const c_char, what: impl FnOnce() -> String) -> Result<String, DescriptorError> {
    if p.is_null() {
        return Err(DescriptorError::new(format!(
            "{} is a null pointer",
            what()
        )));
    }
    CStr::from_ptr(p)
        .to_str()
        .map(|s| s.to_string())
        .map_err(|_| DescriptorError::new(format!("{} is not valid UTF-8", what())))
}

unsafe fn slice<'a, T>(p: *const T, n: u32, what: &str) -> Result<&'a [T], DescriptorError> {
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(DescriptorError::new(format!(
            "{what}: {n} entries announced but the pointer is null"
        )));
    }
    if n > 1_000_000 {
        return Err(DescriptorError::new(format!(
            "{what}: implausible count {n}"
        )));
    }
    Ok(std::slice::from_raw_parts(p, n as usize))
}

unsafe fn read_fields(
    raw: &[RawField],
    mech: &str,
    what: &str,
) -> Result<Vec<FieldInfo>, DescriptorError> {
    raw.iter()
        .enumerate()
        .map(|(k, f)| {
            let name = cstr(f.name, || format!("`{mech}` {what} #{k} name"))?;
            let units = if f.units.is_null() {
                String::new()
            } else {
                cstr(f.units, || format!("`{mech}.{name}` units"))?
            };
            let event_only = f.kind & crate::abi::FIELD_EVENT_ONLY != 0;
            let kind = FieldKind::from_code(f.kind & !crate::abi::FIELD_EVENT_ONLY)
                .filter(|k| !event_only || *k == FieldKind::Parameter)
                .ok_or_else(|| {
                    DescriptorError::new(format!(
                        "`{mech}.{name}` has unknown field kind {}",
                        f.kind
                    ))
                })?;
            Ok(FieldInfo {
                name,
                units,
                kind,
                default: f.default,
                lower: f.lower,
                upper: f.upper,
                event_only,
            })
        })
        .collect()
}

unsafe fn read_mech(m: &RawMech, cat: &str, origin: &Origin) -> Result<MechType, DescriptorError> {
    let name = cstr(m.name, || "mechanism name".into())?;
    let kind = Kind::from_code(m.kind).ok_or_else(|| {
        DescriptorError::new(format!("`{name}` has unknown kind code {}", m.kind))
    })?;
    let source_file = if m.source_file.is_null() {
        String::new()
    } else {
        cstr(m.source_file, || format!("`{name}` source file"))?
    };
    let fields = read_fields(slice(m.fields, m.n_fields, "fields")?, &name, "field")?;
    let globals = read_fields(slice(m.globals, m.n_globals, "globals")?, &name, "global")?;
    let ions = slice(m.ions, m.n_ions, "ions")?
        .iter()
        .map(|i| {
            Ok(IonUse {
                name: cstr(i.name, || format!("`{name}` ion name"))?,
                valence: i.valence,
                flags: i.flags,
            })
        })
        .collect::<Result<Vec<_>, DescriptorError>>()?;
    let weights = slice(m.weight_names, m.n_weights, "weight names")?
        .iter()
        .map(|&p| cstr(p, || format!("`{name}` NET_RECEIVE argument name")))
        .collect::<Result<Vec<_>, _>>()?;
    if !weights.is_empty() && m.net_receive.is_none() {
        return Err(DescriptorError::new(format!(
            "`{name}` declares NET_RECEIVE arguments but no NET_RECEIVE function"
        )));
    }
    if weights.is_empty() && m.net_receive.is_some() {
        return Err(DescriptorError::new(format!(
            "`{name}` has a NET_RECEIVE function but no arguments (it needs at least the weight)"
        )));
    }
    let info = MechInfo {
        name: name.clone(),
        kind,
        electrode_current: m.flags & abi::MECH_ELECTRODE_CURRENT != 0,
        builtin_rank: m.builtin_rank,
        source_file,
        fields,
        globals,
        ions,
        weights,
        has_net_init: m.net_init.is_some(),
        scratch_len: m.scratch_len as usize,
        instance_vector: m.flags & abi::MECH_INSTANCE_VECTOR != 0,
        draws_random: m.flags & abi::MECH_DRAWS_RANDOM != 0,
    };
    info.check().map_err(DescriptorError::new)?;
    Ok(MechType {
        info,
        catalogue: cat.to_string(),
        origin: origin.clone(),
        init: m.init,
        current: m.current,
        state: m.state,
        net_receive: m.net_receive,
        net_init: m.net_init,
        time_horizon: m.time_horizon,
    })
}

impl Catalogue {
    /// Read and validate a raw catalogue.
    ///
    /// # Safety
    /// `raw` must be null or point to a catalogue laid out as [`RawCatalogue`]
    /// whose pointers are valid for the life of the process.
    pub unsafe fn from_raw(
        raw: *const RawCatalogue,
        origin: Origin,
    ) -> Result<Catalogue, DescriptorError> {
        Catalogue::from_raw_sized(raw, origin, std::mem::size_of::<RawMech>())
    }

    /// [`Catalogue::from_raw`] for a catalogue whose descriptors are
    /// `mech_size` bytes long: this ABI's [`RawMech`], or the shorter one of an
    /// older minor version (fields it lacks read as absent).
    ///
    /// # Safety
    /// As [`Catalogue::from_raw`], with `mechs` an array of `mech_size`-byte
    /// descriptors laid out as the leading part of [`RawMech`].
    pub unsafe fn from_raw_sized(
        raw: *const RawCatalogue,
        origin: Origin,
        mech_size: usize,
    ) -> Result<Catalogue, DescriptorError> {
        let full = std::mem::size_of::<RawMech>();
        if mech_size != full && mech_size != abi::RAW_MECH_SIZE_1_0 as usize {
            return Err(DescriptorError::new(format!(
                "mechanism descriptors of {mech_size} bytes (this host reads {full}, or {} from ABI 1.0)",
                abi::RAW_MECH_SIZE_1_0
            )));
        }
        if raw.is_null() {
            return Err(DescriptorError::new(
                "the catalogue function returned a null pointer",
            ));
        }
        let raw = &*raw;
        let name = cstr(raw.name, || "catalogue name".into())?;
        let version = if raw.version.is_null() {
            String::new()
        } else {
            cstr(raw.version, || "catalogue version".into())?
        };
        let mut mechs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if raw.n_mechs > 0 && raw.mechs.is_null() {
            return Err(DescriptorError::new(format!(
                "mechanisms: {} entries announced but the pointer is null",
                raw.n_mechs
            )));
        }
        if raw.n_mechs > 1_000_000 {
            return Err(DescriptorError::new(format!(
                "mechanisms: implausible count {}",
                raw.n_mechs
            )));
        }
        let base = raw.mechs as *const u8;
        for k in 0..raw.n_mechs as usize {
            // Copy the descriptor into a zeroed full-size one: fields appended
            // after the catalogue's ABI version read as null / None.
            let mut m = std::mem::MaybeUninit::<RawMech>::zeroed();
            std::ptr::copy_nonoverlapping(
                base.add(k * mech_size),
                m.as_mut_ptr() as *mut u8,
                mech_size,
            );
            let m = m.assume_init();
            let t = read_mech(&m, &name, &origin)?;
            if !seen.insert(t.info.name.clone()) {
                return Err(DescriptorError::new(format!(
                    "mechanism `{}` appears twice",
                    t.info.name
                )));
            }
            mechs.push(Arc::new(t));
        }
        Ok(Catalogue {
            name,
            version,
            origin,
            mechs,
        })
    }

    /// A catalogue linked into this program (e.g. `standard_mechanisms::catalogue()`).
    pub fn from_static(raw: &'static RawCatalogue) -> Result<Catalogue, DescriptorError> {
        // SAFETY: a &'static RawCatalogue produced by `export_catalogue!` satisfies
        // the contract of from_raw.
        unsafe { Catalogue::from_raw(raw, Origin::Static) }
    }
}

/// Names that resolve to another mechanism (BMTK spells NEURON's `Exp2Syn` in
/// lower case in its synapse model files).
const ALIASES: &[(&str, &str)] = &[("exp2syn", "Exp2Syn"), ("expsyn", "ExpSyn")];

/// All mechanism types known to a program, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    types: Vec<Arc<MechType>>,
    index: HashMap<String, usize>,
    /// Mechanisms known to be missing, with why (a mod file that could not be
    /// translated): the reason joins the error of a model that uses them.
    unavailable: HashMap<String, String>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Add every mechanism of a catalogue. A mechanism with the name of one already
    /// present replaces it; the returned notices say which.
    pub fn add(&mut self, cat: &Catalogue) -> Vec<String> {
        let mut notices = Vec::new();
        for m in &cat.mechs {
            if let Some(&k) = self.index.get(&m.info.name) {
                notices.push(format!(
                    "mechanism `{}` from {} ({}) replaces the one from {} ({})",
                    m.info.name,
                    cat.name,
                    cat.origin,
                    self.types[k].catalogue,
                    self.types[k].origin
                ));
                self.types[k] = m.clone();
            } else {
                self.index.insert(m.info.name.clone(), self.types.len());
                self.types.push(m.clone());
            }
            self.unavailable.remove(&m.info.name);
        }
        notices
    }

    /// Record that mechanism `name` was asked for but cannot be provided, and
    /// why (`bad.mod:7: VERBATIM block …`); a later [`Registry::add`] of that
    /// name clears it.
    pub fn mark_unavailable(&mut self, name: &str, reason: impl Into<String>) {
        self.unavailable.insert(name.to_string(), reason.into());
    }

    /// Why mechanism `name` is missing, when it is known to be (see
    /// [`Registry::mark_unavailable`]); `None` when it is present or was never
    /// heard of.
    pub fn unavailable(&self, name: &str) -> Option<&str> {
        if self.get(name).is_some() {
            return None;
        }
        self.unavailable.get(name).map(String::as_str)
    }

    /// Look a mechanism up by name (or by an alias such as BMTK's `exp2syn`).
    pub fn get(&self, name: &str) -> Option<&Arc<MechType>> {
        if let Some(&k) = self.index.get(name) {
            return Some(&self.types[k]);
        }
        ALIASES
            .iter()
            .find(|(a, _)| *a == name)
            .and_then(|(_, target)| self.index.get(*target))
            .map(|&k| &self.types[k])
    }

    /// All types, in the order they were first added.
    pub fn types(&self) -> &[Arc<MechType>] {
        &self.types
    }

    /// Sorted names of all types.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.types.iter().map(|t| t.info.name.clone()).collect();
        v.sort();
        v
    }
}
