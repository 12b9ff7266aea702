//! Loading plugin catalogues from shared libraries.
//!
//! The handshake static is read and checked before any function of the library is
//! called; only then is the catalogue function called and its descriptors
//! validated. Libraries are never unloaded: descriptors and function pointers stay
//! valid for the life of the process.

use crate::abi::{self, AbiHeader, RawCatalogue};
use crate::catalogue::{Catalogue, Origin};
use crate::error::LoadError;
use std::path::{Path, PathBuf};

/// Whether `path` has a shared-library extension of this platform (or any common one).
pub fn is_library_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("so") | Some("dylib") | Some("dll")
    )
}

/// Check a handshake against this host's ABI.
pub fn check_header(path: &Path, h: &AbiHeader) -> Result<(), LoadError> {
    if h.magic != abi::ABI_MAGIC {
        return Err(LoadError::BadMagic {
            path: path.to_path_buf(),
            found: h.magic,
        });
    }
    if h.major != abi::ABI_VERSION_MAJOR || h.minor > abi::ABI_VERSION_MINOR {
        return Err(LoadError::AbiMismatch {
            path: path.to_path_buf(),
            found_major: h.major,
            found_minor: h.minor,
            expected_major: abi::ABI_VERSION_MAJOR,
            expected_minor: abi::ABI_VERSION_MINOR,
        });
    }
    let ours = AbiHeader::CURRENT;
    let pairs: [(&'static str, u32, u32); 9] = [
        ("AbiHeader", h.size_header, ours.size_header),
        ("RawCatalogue", h.size_catalogue, ours.size_catalogue),
        ("RawMech", h.size_mech, ours.size_mech),
        ("RawField", h.size_field, ours.size_field),
        ("RawIon", h.size_ion, ours.size_ion),
        ("PPack", h.size_ppack, ours.size_ppack),
        ("IonState", h.size_ion_state, ours.size_ion_state),
        ("HostApi", h.size_host, ours.size_host),
        ("AbiHeader (again)", h.size_header, ours.size_header),
    ];
    for (what, found, expected) in pairs {
        // Minor 0 predates `RawMech::time_horizon`: its descriptors are shorter.
        // Minors before 3 predate `HostApi::net_move`: they see a shorter HostApi.
        let legacy = (what == "RawMech" && h.minor == 0 && found == abi::RAW_MECH_SIZE_1_0)
            || (what == "HostApi" && h.minor < 3 && found == abi::HOST_API_SIZE_1_2);
        if found != expected && !legacy {
            return Err(LoadError::LayoutMismatch {
                path: path.to_path_buf(),
                major: h.major,
                minor: h.minor,
                what,
                found,
                expected,
            });
        }
    }
    Ok(())
}

/// Load one catalogue library.
pub fn load_library(path: &Path) -> Result<Catalogue, LoadError> {
    if !path.exists() {
        return Err(LoadError::FileMissing {
            path: path.to_path_buf(),
        });
    }
    let path_buf = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    // SAFETY: loading a library runs its initialisers. Rust cdylibs built with
    // `export_catalogue!` have none; that is part of the plugin contract (ABI.md).
    let lib = unsafe { libloading::Library::new(&path_buf) }.map_err(|e| LoadError::Open {
        path: path_buf.clone(),
        message: e.to_string(),
    })?;
    // SAFETY: the symbol is a static AbiHeader (plain data). libloading hands a
    // data symbol out as a pointer-sized value: `Symbol<*const AbiHeader>`
    // dereferences to the static's address. We copy the header out without
    // calling any code of the library.
    let header: AbiHeader = unsafe {
        let sym = lib
            .get::<*const AbiHeader>(abi::HEADER_SYMBOL.as_bytes())
            .map_err(|_| LoadError::SymbolMissing {
                path: path_buf.clone(),
                symbol: abi::HEADER_SYMBOL.to_string(),
            })?;
        let p: *const AbiHeader = *sym;
        if p.is_null() {
            return Err(LoadError::SymbolMissing {
                path: path_buf.clone(),
                symbol: abi::HEADER_SYMBOL.to_string(),
            });
        }
        std::ptr::read_unaligned(p)
    };
    check_header(&path_buf, &header)?;
    // SAFETY: the handshake matched, so the symbol has the documented signature.
    let raw: *const RawCatalogue = unsafe {
        let f = lib
            .get::<unsafe extern "C" fn() -> *const RawCatalogue>(abi::CATALOGUE_SYMBOL.as_bytes())
            .map_err(|_| LoadError::SymbolMissing {
                path: path_buf.clone(),
                symbol: abi::CATALOGUE_SYMBOL.to_string(),
            })?;
        f()
    };
    // SAFETY: header checked; the library stays loaded forever (forget below).
    let origin = Origin::Library(path_buf.clone());
    let cat = unsafe { Catalogue::from_raw_sized(raw, origin, header.size_mech as usize) }
        .map_err(|source| LoadError::BadDescriptor {
            path: path_buf.clone(),
            source,
        })?;
    // Never unload: descriptors and function pointers must stay valid.
    std::mem::forget(lib);
    Ok(cat)
}

/// Load a library, or every library in a folder (sorted by file name).
pub fn load_path(path: &Path) -> Result<Vec<Catalogue>, LoadError> {
    if path.is_dir() {
        let mut libs: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| LoadError::Open {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_library_file(p))
            .collect();
        libs.sort();
        if libs.is_empty() {
            return Err(LoadError::EmptyFolder {
                path: path.to_path_buf(),
            });
        }
        libs.iter().map(|p| load_library(p)).collect()
    } else {
        load_library(path).map(|c| vec![c])
    }
}
