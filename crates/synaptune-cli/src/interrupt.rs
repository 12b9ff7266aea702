//! Ctrl-C. The tuner commands *arm* the cancel flag their simulations watch:
//! the first Ctrl-C sets it, the simulations stop within a few hundred steps,
//! and the command exits with status 130 without writing anything. A second
//! Ctrl-C, or the first during a command that did not arm the flag, exits at
//! once. Either way the temporary files of outputs being written (every
//! output goes through a temporary file renamed into place) are removed, so
//! no partial output file is left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

fn cancel() -> &'static Arc<AtomicBool> {
    static C: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    C.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

static ARMED: AtomicBool = AtomicBool::new(false);

fn temps() -> &'static Mutex<Vec<PathBuf>> {
    static T: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    T.get_or_init(|| Mutex::new(Vec::new()))
}

fn remove_temps() {
    let list = temps().lock().unwrap_or_else(|e| e.into_inner());
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// Install the handler (once, at start).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        let first = !cancel().swap(true, Ordering::SeqCst);
        if first && ARMED.load(Ordering::SeqCst) {
            eprintln!(
                "synaptune: interrupted: stopping the simulations (Ctrl-C again quits at once)"
            );
            return;
        }
        remove_temps();
        eprintln!("synaptune: interrupted");
        std::process::exit(130);
    });
}

/// The cancel flag, armed: Ctrl-C now sets it instead of exiting.
pub fn flag() -> Arc<AtomicBool> {
    ARMED.store(true, Ordering::SeqCst);
    cancel().clone()
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    cancel().load(Ordering::SeqCst)
}

/// A temporary output file now exists (removed on Ctrl-C).
pub fn track(p: &Path) {
    temps()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(p.to_path_buf());
}

/// A temporary output file is gone (renamed into place or removed).
pub fn forget(p: &Path) {
    temps()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|x| x != p);
}
