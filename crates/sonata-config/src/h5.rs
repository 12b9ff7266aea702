//! A thin layer over `hdf5-reader` that turns its results into [`Value`]s and its
//! failures into [`Error::Hdf5`] naming the file and dataset.

use crate::error::Error;
use crate::value::Value;
use hdf5_reader::group::Group;
use hdf5_reader::{Dataset, Datatype, Hdf5File, OpenOptions, SliceInfo, SliceInfoElem};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The kind of values a 1-D dataset holds, as far as this crate reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnType {
    /// Integers (any width, signed or not).
    Int,
    /// Floating-point numbers (32 or 64 bits).
    Float,
    /// Booleans (h5py's `enum(int8) {FALSE, TRUE}`).
    Bool,
    /// Fixed-length strings (numpy `S`).
    FixedString,
    /// Variable-length strings (h5py's `string_dtype()`).
    VarString,
    /// Anything else (compound, array, reference, ...): not read.
    Other,
}

pub(crate) fn column_type(dtype: &Datatype) -> ColumnType {
    match dtype {
        Datatype::FixedPoint { .. } => ColumnType::Int,
        Datatype::FloatingPoint { size: 4 | 8, .. } => ColumnType::Float,
        Datatype::String {
            size: hdf5_reader::StringSize::Fixed(_),
            ..
        } => ColumnType::FixedString,
        Datatype::String { .. } => ColumnType::VarString,
        Datatype::VarLen {
            kind: hdf5_reader::VarLenKind::String,
            ..
        } => ColumnType::VarString,
        Datatype::Enum { base, members } => {
            let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
            if matches!(**base, Datatype::FixedPoint { size: 1, .. })
                && names.len() == 2
                && names.contains(&"FALSE")
                && names.contains(&"TRUE")
            {
                ColumnType::Bool
            } else {
                ColumnType::Other
            }
        }
        _ => ColumnType::Other,
    }
}

/// An open HDF5 file and its path (for errors).
pub(crate) struct H5File {
    path: PathBuf,
    file: Hdf5File,
}

/// Runs `f`, turning a panic inside the HDF5 decoder (which should not happen)
/// into an [`Error::Hdf5`] rather than unwinding through the caller.
fn guarded<T>(path: &Path, what: &str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::hdf5(
            path,
            what,
            "the HDF5 decoder failed on malformed data (corrupt file?)",
        ))
    })
}

impl H5File {
    /// Opens `path`; `context` says where the configuration named it.
    pub fn open(path: &Path, context: Option<String>) -> Result<Self, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e, context))?;
        if meta.is_dir() {
            return Err(Error::hdf5(path, "/", "is a folder, not an HDF5 file"));
        }
        // No read may decode more than deflate's largest expansion (about 1032:1)
        // of the file's bytes: a corrupt extent is refused before allocating.
        let limit = usize::try_from(meta.len())
            .unwrap_or(usize::MAX)
            .saturating_mul(1100)
            .saturating_add(64 << 20);
        // Reads are sequential slices or single elements: a small chunk cache
        // (default 64 MiB) keeps memory proportional to what is read.
        let options = OpenOptions::default()
            .with_max_read_bytes(limit)
            .with_chunk_cache_bytes(8 << 20);
        let file = guarded(path, "/", || {
            Hdf5File::open_with_options(path, options)
                .map_err(|e| Error::hdf5(path, "/", format!("not a readable HDF5 file: {e}")))
        })?;
        // As libhdf5 does: a file shorter than the end address its superblock
        // records has been truncated, even when what is read lies before the cut.
        let sb = file.superblock();
        let eof = sb.base_address.saturating_add(sb.eof_address);
        if sb.eof_address != u64::MAX && eof > meta.len() {
            return Err(Error::hdf5(
                path,
                "/",
                format!(
                    "truncated file: {} bytes, but its superblock says the file ends at byte {eof}",
                    meta.len()
                ),
            ));
        }
        Ok(H5File {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn err(&self, what: &str, message: impl std::fmt::Display) -> Error {
        Error::hdf5(&self.path, what, message)
    }

    /// The group at `gpath`, or an error saying it is required.
    pub fn group(&self, gpath: &str) -> Result<Group, Error> {
        guarded(&self.path, gpath, || {
            self.file
                .group(gpath)
                .map_err(|e| self.err(gpath, format!("cannot open group: {e}")))
        })
    }

    /// Child groups and datasets of `gpath`, each sorted by name as h5py lists them.
    pub fn members(&self, gpath: &str) -> Result<(Vec<String>, Vec<String>), Error> {
        let group = self.group(gpath)?;
        guarded(&self.path, gpath, || {
            let (mut groups, mut datasets) = group
                .member_names()
                .map_err(|e| self.err(gpath, format!("cannot list members: {e}")))?;
            groups.sort();
            datasets.sort();
            Ok((groups, datasets))
        })
    }

    /// The 1-D dataset at `dpath`.
    pub fn dataset(&self, dpath: &str) -> Result<Dataset, Error> {
        let ds = guarded(&self.path, dpath, || {
            self.file
                .dataset(dpath)
                .map_err(|e| self.err(dpath, format!("cannot open dataset: {e}")))
        })?;
        Ok(ds)
    }

    /// Number of elements of a 1-D dataset (errors for other ranks).
    pub fn len_1d(&self, ds: &Dataset, dpath: &str) -> Result<u64, Error> {
        match ds.shape() {
            [n] => Ok(*n),
            shape => Err(self.err(
                dpath,
                format!("expected a one-dimensional dataset, found shape {shape:?}"),
            )),
        }
    }

    /// A whole 1-D integer dataset.
    pub fn read_ints(&self, ds: &Dataset, dpath: &str) -> Result<Vec<i64>, Error> {
        self.read_ints_range(ds, dpath, None)
    }

    /// Elements `range` (or all) of a 1-D integer dataset.
    pub fn read_ints_range(
        &self,
        ds: &Dataset,
        dpath: &str,
        range: Option<(u64, u64)>,
    ) -> Result<Vec<i64>, Error> {
        let n = self.len_1d(ds, dpath)?;
        if let Some((start, end)) = range {
            if start > end || end > n {
                return Err(self.err(
                    dpath,
                    format!("index {start}..{end} is outside the dataset's {n} elements"),
                ));
            }
        }
        guarded(&self.path, dpath, || {
            let vals = match ds.dtype() {
                Datatype::FixedPoint { size, signed, .. } => {
                    self.int_values(ds, dpath, *size, *signed, range)?
                }
                other => {
                    return Err(self.err(
                        dpath,
                        format!("expected integers, found {}", describe_dtype(other)),
                    ))
                }
            };
            Ok(vals)
        })
    }

    fn int_values(
        &self,
        ds: &Dataset,
        dpath: &str,
        size: u8,
        signed: bool,
        range: Option<(u64, u64)>,
    ) -> Result<Vec<i64>, Error> {
        macro_rules! get {
            ($t:ty) => {{
                let arr = match range {
                    None => ds.read_array::<$t>(),
                    Some((start, end)) => ds.read_slice::<$t>(&slice(start, end)),
                }
                .map_err(|e| self.err(dpath, format!("cannot read: {e}")))?;
                arr.iter()
                    .map(|&v| {
                        i64::try_from(v).map_err(|_| {
                            self.err(
                                dpath,
                                format!("value {v} does not fit a 64-bit signed integer"),
                            )
                        })
                    })
                    .collect::<Result<Vec<i64>, Error>>()?
            }};
        }
        Ok(match (size, signed) {
            (1, true) => get!(i8),
            (1, false) => get!(u8),
            (2, true) => get!(i16),
            (2, false) => get!(u16),
            (4, true) => get!(i32),
            (4, false) => get!(u32),
            (8, true) => get!(i64),
            (8, false) => get!(u64),
            _ => return Err(self.err(dpath, format!("unsupported integer width of {size} bytes"))),
        })
    }

    fn float_values(
        &self,
        ds: &Dataset,
        dpath: &str,
        size: u8,
        range: Option<(u64, u64)>,
    ) -> Result<Vec<f64>, Error> {
        macro_rules! get {
            ($t:ty) => {{
                let arr = match range {
                    None => ds.read_array::<$t>(),
                    Some((start, end)) => ds.read_slice::<$t>(&slice(start, end)),
                }
                .map_err(|e| self.err(dpath, format!("cannot read: {e}")))?;
                arr.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>()
            }};
        }
        Ok(match size {
            4 => get!(f32),
            8 => get!(f64),
            _ => return Err(self.err(dpath, format!("unsupported float width of {size} bytes"))),
        })
    }

    /// Values `range` (or all) of a 1-D dataset of numbers, booleans or strings.
    /// Strings are read whole (they cannot be sliced) and then cut.
    pub fn read_values(
        &self,
        ds: &Dataset,
        dpath: &str,
        range: Option<(u64, u64)>,
    ) -> Result<Vec<Value>, Error> {
        let n = self.len_1d(ds, dpath)?;
        if let Some((start, end)) = range {
            if start > end || end > n {
                return Err(self.err(
                    dpath,
                    format!("index {start}..{end} is outside the dataset's {n} elements"),
                ));
            }
        }
        guarded(&self.path, dpath, || {
            let dtype = ds.dtype().clone();
            Ok(match (&dtype, column_type(&dtype)) {
                (Datatype::FixedPoint { size, signed, .. }, _) => self
                    .int_values(ds, dpath, *size, *signed, range)?
                    .into_iter()
                    .map(Value::Int)
                    .collect(),
                (Datatype::FloatingPoint { size, .. }, _) => self
                    .float_values(ds, dpath, *size, range)?
                    .into_iter()
                    .map(Value::Float)
                    .collect(),
                (Datatype::Enum { .. }, ColumnType::Bool) => {
                    let raw = ds
                        .read_raw_bytes()
                        .map_err(|e| self.err(dpath, format!("cannot read: {e}")))?;
                    let (start, end) = range.unwrap_or((0, raw.len() as u64));
                    let start = usize::try_from(start).unwrap_or(usize::MAX);
                    let end = usize::try_from(end).unwrap_or(usize::MAX);
                    raw.get(start..end)
                        .ok_or_else(|| {
                            self.err(dpath, "fewer elements stored than its shape says")
                        })?
                        .iter()
                        .map(|&b| Value::Bool(b != 0))
                        .collect()
                }
                (_, ColumnType::FixedString | ColumnType::VarString) => {
                    let all = ds
                        .read_strings()
                        .map_err(|e| self.err(dpath, format!("cannot read strings: {e}")))?;
                    let (start, end) = range.unwrap_or((0, all.len() as u64));
                    let start = usize::try_from(start).unwrap_or(usize::MAX);
                    let end = usize::try_from(end).unwrap_or(usize::MAX);
                    all.get(start..end)
                        .ok_or_else(|| self.err(dpath, "fewer strings stored than its shape says"))?
                        .iter()
                        .map(|s| Value::Str(s.clone()))
                        .collect()
                }
                (other, _) => {
                    return Err(self.err(
                        dpath,
                        format!(
                            "expected numbers, booleans or strings, found {}",
                            describe_dtype(other)
                        ),
                    ))
                }
            })
        })
    }

    /// Element `index` of a 1-D dataset.
    pub fn read_value_at(&self, ds: &Dataset, dpath: &str, index: u64) -> Result<Value, Error> {
        let mut v = self.read_values(ds, dpath, Some((index, index + 1)))?;
        v.pop()
            .ok_or_else(|| self.err(dpath, format!("no element {index}")))
    }

    /// Integer element `index` of a 1-D dataset.
    pub fn read_int_at(&self, ds: &Dataset, dpath: &str, index: u64) -> Result<i64, Error> {
        match self.read_value_at(ds, dpath, index)? {
            Value::Int(i) => Ok(i),
            other => Err(self.err(
                dpath,
                format!("expected integers, found {}", other.describe()),
            )),
        }
    }

    /// The string attribute `name` of the dataset (None when absent).
    pub fn string_attr(
        &self,
        ds: &Dataset,
        dpath: &str,
        name: &str,
    ) -> Result<Option<String>, Error> {
        let what = format!("{dpath}@{name}");
        guarded(&self.path, &what, || {
            if !ds.attributes().iter().any(|a| a.name == name) {
                return Ok(None);
            }
            let attr = ds
                .attribute(name)
                .map_err(|e| self.err(&what, format!("cannot read attribute: {e}")))?;
            attr.read_string()
                .map(Some)
                .map_err(|e| self.err(&what, format!("expected a string attribute: {e}")))
        })
    }
}

fn slice(start: u64, end: u64) -> SliceInfo {
    SliceInfo {
        selections: vec![SliceInfoElem::Slice {
            start,
            end,
            step: 1,
        }],
    }
}

fn describe_dtype(d: &Datatype) -> String {
    match d {
        Datatype::FixedPoint { size, signed, .. } => {
            format!(
                "{}int{}",
                if *signed { "" } else { "u" },
                u32::from(*size) * 8
            )
        }
        Datatype::FloatingPoint { size, .. } => format!("float{}", u32::from(*size) * 8),
        Datatype::String { .. } => "strings".to_string(),
        Datatype::VarLen { .. } => "variable-length data".to_string(),
        Datatype::Compound { .. } => "a compound type".to_string(),
        Datatype::Array { .. } => "an array type".to_string(),
        Datatype::Enum { .. } => "an enum type".to_string(),
        Datatype::Opaque { .. } => "opaque data".to_string(),
        Datatype::Reference { .. } => "references".to_string(),
        Datatype::Bitfield { .. } => "a bitfield".to_string(),
    }
}
