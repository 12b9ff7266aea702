//! # synaptune-web
//!
//! bmtool's `InteractiveTuner` as a local web page (`synaptune serve`, and the
//! Python package's `InteractiveTuner()`), on the library APIs only: every
//! number on the page comes from `tuner-opt` and `stp-analysis`.
//!
//! The server binds `127.0.0.1:PORT` only ([`Server::bind`]; port 0 takes any
//! free port; `synaptune serve` prints the URL on stderr). [`Server::run`]
//! serves until the process stops (the CLI); [`Server::spawn`] serves on a
//! thread of its own until [`Handle::stop`] (the Python package's
//! `InteractiveTuner()` in a notebook). The page uses relative URLs, so it
//! also works under a proxy's prefix (jupyter-server-proxy's
//! `/user/NAME/proxy/PORT/`); [`Server::allow_hosts`] names the proxy's public
//! host, whose `Host` header the proxy forwards. The page
//! (`assets/`: `index.html`, `app.js`, `plot.js`, `style.css`) is compiled into
//! the binary and needs nothing from the network. Requests whose `Host` is not
//! 127.0.0.1, localhost, `[::1]` or an allowed proxy host are refused (403: no DNS
//! rebinding), and POST
//! bodies must be `application/json` (415: no cross-site form posts).
//!
//! The server holds the tuner's state as bmtool's tuner object does: parameter
//! values and holding potentials sent with a request persist (per network and
//! connection) and are what the exports write.
//!
//! # JSON API
//!
//! Every error is `{"error": "one paragraph", "status": N}`: 400 for a body that is
//! not a JSON object, a field of the wrong type or an unknown field; 404 for an
//! unknown network, connection or route; 405 for a wrong method; 415 for a POST
//! that is not JSON; 422 for a value out of range, an unknown parameter or
//! variable, a request beyond the per-request work budget, or a model the
//! simulation or its analysis refuses; 409 for a request superseded by a newer
//! one of the same page lane (its simulation cancelled); 429 when more than 16
//! requests already wait for a simulation slot (one per core); 500 only for a
//! bug (a panic in a simulation is caught and the server keeps serving).
//!
//! Every POST body may carry `client` (a page lane's id: the page sends one
//! for its runs, one for its frequency response, one for its gap junction)
//! and `seq` (the request's number in the lane): a newer request cancels the
//! older one's simulation. A request whose client goes away is cancelled too
//! (the handler future's drop sets the simulation's cancel flag). Each request
//! is checked against the server's budget (`tuner_opt::Budget::SERVER` unless
//! `synaptune serve --max-steps/--max-memory` say otherwise) before it runs.
//!
//! | route | request | answer |
//! |---|---|---|
//! | `GET /api/model[?network=N]` | | source, convention, `networks`, `network`, `connections` (sorted by name as bmtool's dropdown: mechanism, post cell, `vclamp_amp`, `params` with `value`, `initial`, `units` and bmtool's slider `min`/`max`/`step`, `variables`, default `record`), `default_connection`, `vclamp`, `general`, `choices` (bmtool's frequencies, delays, durations and initial values), `limits`, `gap` (connections, bmtool's log slider) |
//! | `POST /api/params` | model fields | applies them without simulating: `{connection, network, params, vclamp, vclamp_amp}` |
//! | `POST /api/single-event` | model fields | `kinetics`, `traces` from tstart − 5 to tstart + tdur |
//! | `POST /api/train` | model fields, `freq` (Hz, 0 < f ≤ 1000, default 50), `delay` (ms, 0 ≤ d ≤ 20000, default 250) | `amplitudes_pA`, `metrics` (`ppr`, `induction`, `recovery`, `simple_ppr`, `max_amplitude_pA`, the `*_p90` variants), `terms` (a1, a2, the means, max, p90), `traces` from tstart − interval/3 (bmtool's window) with numbered pulses (up to 24) |
//! | `POST /api/continuous` | model fields, `freq`, `duration` (ms, 0 < d ≤ 20000, default 300) | `amplitudes_pA`, `metrics` when there are ≥ 12 pulses (bmtool computes them on continuous input too), `traces` |
//! | `POST /api/freq-response` | model fields, `freqs` (default bmtool's 16, at most 64), `delay` | `frequencies`, `ppr`, `induction`, `recovery` and the bmtool 0.8 variants |
//! | `POST /api/gap` | `connection`, `g` (µS, 0 ≤ g ≤ 100, default 1e-3), `implicit` (bool) | `coupling_coefficient`, `iclamp_amp`, traces of both somata from tstart − 100 to tstart + tdur + 100 |
//! | `GET /api/export/dynamics?connection=C[&network=N]` | | the connection's current parameters as a BMTK dynamics_params file (`level_of_detail` + `spec_syn_param`; also a `--json-folder` file), as an attachment |
//! | `GET /api/export/settings[?network=N]` | | the current model as a settings file (`--settings`; cell paths absolute) |
//! | `GET /api/health` | | `{"ok": true}` |
//!
//! Model fields: `network`, `connection` (default: the network's first),
//! `params` (`{name: number}`, a parameter of the synapse, finite, within the
//! mechanism's limits and |value| ≤ 1e9), `vclamp` (bool), `vclamp_amp` (mV,
//! −200…200), `record` (extra synapse variables; default `--record`, else the
//! synapse's `record_*` variables), `measure` (`"synapse"` or `"clamp"`: the
//! current the responses are measured on; default `serve --measure`, else the
//! clamp's under voltage clamp), `client` and `seq` (the page lane, below). Every answer to a run also carries
//! `connection`, `network`, `vclamp`, `vclamp_amp`, `params` (all current values),
//! `record` and `elapsed_ms` (the simulation and analysis on the server).
//!
//! Traces are decimated: at most 900 buckets, two values each.
//!
//! ## Use
//!
//! ```no_run
//! use synaptune_web::{App, Server};
//! use tuner_opt::{ModelSource, TunerSpec};
//! let spec = TunerSpec::new(ModelSource::Settings("examples/fsi/settings.json".into()));
//! let (app, notices) = App::load(&spec, None)?;
//! let server = Server::bind(app, 0)?;
//! println!("open {}", server.url());
//! server.run()?;
//! # Ok::<(), synaptune_web::LoadError>(())
//! ```
//!
//! ## Dependencies
//!
//! * `axum` — routes and extractors of the HTTP server, bound to 127.0.0.1.
//! * `tokio` — axum's runtime; simulations run on its blocking pool so the
//!   server stays responsive.
//! * `serde_json` — requests and answers.
//! * `thiserror` — [`LoadError`].
//! * `tuner-opt`, `stp-analysis`, `mech-api` — the model, the runs, the
//!   metrics and the mechanisms' descriptions.
//!
//! Dev-dependencies: `tower` (the fuzz test drives the router in-process with
//! `oneshot`), `http-body-util` (reading its answers), `proptest`,
//! `standard-mechanisms`.
#![deny(missing_docs)]

mod api;
mod error;
mod export;
mod model;
mod request;
mod server;
mod state;
mod traces;

pub use error::LoadError;
pub use server::{router, Handle, Server};
pub use state::App;
