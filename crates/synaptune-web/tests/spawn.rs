//! `Server::spawn`: the page served on a thread until `Handle::stop`, with
//! proxy host names allowed by `Server::allow_hosts`.

use std::io::{Read, Write};
use std::net::TcpStream;
use synaptune_web::{App, Server};
use tuner_opt::{ModelSource, TunerSpec};

fn app() -> App {
    let settings = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fsi/settings.json"
    );
    let spec = TunerSpec::new(ModelSource::Settings(settings.into()));
    App::load(&spec, None).unwrap().0
}

/// The status code of `GET path` sent with `Host: host`.
fn status(port: u16, path: &str, host: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_spawned_server_serves_until_stopped() {
    let mut h = Server::bind(app(), 0).unwrap().spawn().unwrap();
    let port = h.port();
    assert_eq!(h.url(), format!("http://127.0.0.1:{port}/"));
    assert!(h.is_running());
    assert_eq!(status(port, "/api/health", "127.0.0.1"), 200);
    assert_eq!(status(port, "/", "localhost"), 200);
    assert_eq!(status(port, "/api/health", "hub.example.org"), 403);
    h.stop().unwrap();
    assert!(!h.is_running());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    h.stop().unwrap();
}

#[test]
fn allowed_hosts_are_answered_and_others_still_refused() {
    let h = Server::bind(app(), 0)
        .unwrap()
        .allow_hosts(vec!["hub.example.org".into()])
        .spawn()
        .unwrap();
    assert_eq!(status(h.port(), "/api/health", "hub.example.org:443"), 200);
    assert_eq!(status(h.port(), "/api/health", "HUB.example.org"), 200);
    assert_eq!(status(h.port(), "/api/health", "evil.example.com"), 403);
    // Dropping the handle stops the server.
    let port = h.port();
    drop(h);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
