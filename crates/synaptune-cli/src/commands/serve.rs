//! `synaptune serve`: the interactive tuner in the browser (see [`crate::serve`]).

use crate::cli::{Common, ModelArgs};
use clap::Args;
use std::path::PathBuf;

/// `synaptune serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Gap-junction settings for the page's gap-junction tab (default: `gap.json`
    /// beside --settings when there is one, else the model's post cells coupled at
    /// section 0 with bmtool's gap-tuner defaults).
    #[arg(long, value_name = "FILE")]
    pub gap: Option<PathBuf>,
    /// Port on 127.0.0.1 (0: any free port). Nothing listens on other interfaces.
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    #[command(flatten)]
    pub common: Common,
}

/// Load the model, bind 127.0.0.1:PORT, print the URL on stderr and serve until
/// the process is stopped.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let state = crate::serve::state::Shared::load(&args.model, &args.common, args.gap.as_deref())?;
    crate::serve::serve(state, args.port)
}
