//! The interactive page served in-process: [`ServerHandle`] over
//! `synaptune_web::Handle`.

use crate::errors::err;
use pyo3::prelude::*;
use std::path::Path;
use synaptune_web::{App, Handle, Server};
use tuner_opt::TunerSpec;

/// The interactive tuner's page, served on 127.0.0.1 by a thread of this
/// process until `stop()` (or until the handle is garbage-collected).
#[pyclass(module = "synaptune._native")]
pub struct ServerHandle {
    handle: Handle,
    notices: Vec<String>,
}

/// Load the page's model from `spec` and serve it on a thread.
pub fn spawn(
    py: Python<'_>,
    spec: &TunerSpec,
    gap: Option<&Path>,
    port: u16,
    hosts: Vec<String>,
) -> PyResult<ServerHandle> {
    let (app, notices) = py.detach(|| App::load(spec, gap)).map_err(err)?;
    let handle = Server::bind(app, port)
        .and_then(|s| s.allow_hosts(hosts).spawn())
        .map_err(err)?;
    Ok(ServerHandle {
        handle,
        notices: notices.into_iter().map(|n| n.text).collect(),
    })
}

#[pymethods]
impl ServerHandle {
    /// `http://127.0.0.1:PORT/`.
    #[getter]
    fn url(&self) -> String {
        self.handle.url().to_string()
    }

    /// The port.
    #[getter]
    fn port(&self) -> u16 {
        self.handle.port()
    }

    /// Whether it is still serving.
    #[getter]
    fn running(&self) -> bool {
        self.handle.is_running()
    }

    /// What loading the model reported (as the CLI prints them).
    #[getter]
    fn notices(&self) -> Vec<String> {
        self.notices.clone()
    }

    /// Stop serving and close the port (requests in flight finish first).
    fn stop(&mut self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.handle.stop()).map_err(err)
    }

    fn __repr__(&self) -> String {
        format!(
            "<synaptune interactive tuner at {} ({})>",
            self.handle.url(),
            if self.handle.is_running() {
                "running"
            } else {
                "stopped"
            }
        )
    }
}
