//! The handlers of the JSON API (documented in the crate docs), one file per
//! part of the page.

mod common;
mod export;
mod gap;
mod model;
mod runs;

pub use export::{export_dynamics, export_settings};
pub use gap::gap;
pub use model::{health, model, params};
pub use runs::{continuous, freq_response, single_event, train};
