//! `synaptune serve`: the interactive tuner in the browser (the
//! `synaptune-web` crate).

use crate::cli::ServeArgs;
use crate::model::{print_notices, spec};
use synaptune_web::{App, Server};

/// Load the model, bind 127.0.0.1:PORT, print the URL on stderr and serve until
/// the process is stopped.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut spec = spec(&args.model, &args.common)?;
    // Each request has the server's own, lower budget (see tuner_opt::Budget).
    spec.budget = crate::model::budget(&args.model.budget, tuner_opt::Budget::SERVER)?;
    let (app, notices) = App::load(&spec, args.gap.as_deref())?;
    print_notices(&notices);
    let server = Server::bind(app, args.port)?;
    eprintln!("synaptune: serving on {}", server.url());
    Ok(server.run()?)
}
