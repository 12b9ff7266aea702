//! `synaptune serve`: the real binary on port 0, driven over loopback with a
//! minimal HTTP/1.1 client (std's TcpStream). Every request loop is bounded.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::workspace as root;

fn settings() -> PathBuf {
    root().join("examples/fsi/settings.json")
}

/// The server, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_synaptune"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let addr = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("the server exited without printing its URL: {seen}");
        };
        seen.push_str(&line);
        seen.push('\n');
        if let Some(url) = line.strip_prefix("synaptune: serving on http://") {
            break url.trim_end_matches('/').to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    Server { child, addr }
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn request(s: &Server, method: &str, path: &str, body: Option<(&str, &[u8])>, host: &str) -> Reply {
    send(&s.addr, method, path, body, host)
}

fn send(addr: &str, method: &str, path: &str, body: Option<(&str, &[u8])>, host: &str) -> Reply {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some((ct, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some((_, b)) = body {
        bytes.extend_from_slice(b);
    }
    c.write_all(&bytes).unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let headers = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = headers.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 4 + n..];
    }
}

fn get(s: &Server, path: &str) -> Reply {
    request(s, "GET", path, None, "127.0.0.1")
}

fn post(s: &Server, path: &str, v: &Value) -> Reply {
    let b = serde_json::to_vec(v).unwrap();
    request(s, "POST", path, Some(("application/json", &b)), "127.0.0.1")
}

fn ok(r: Reply) -> Value {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn alive(s: &Server) {
    assert_eq!(get(s, "/api/health").json(), json!({"ok": true}));
}

fn cli_json(args: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_synaptune"))
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_model_has_bmtools_sliders_and_choices() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let m = ok(get(&s, "/api/model"));
    let names: Vec<&str> = m["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dep2FSI", "Fac2FSI"], "sorted as bmtool's dropdown");
    assert_eq!(m["default_connection"], "Fac2FSI");
    assert_eq!(m["networks"], json!([]));
    let param = |c: usize, n: &str| -> Value {
        m["connections"][c]["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("no {n}"))
    };
    // value v: 0…20v in steps of v/5; 0: 0…1000 in steps of 1; negative: Tk's ±20|v|.
    let dep = param(0, "Dep");
    assert_eq!(
        (f(&dep["min"]), f(&dep["max"]), f(&dep["step"])),
        (0.0, 3800.0, 38.0)
    );
    assert_eq!(dep["units"], "ms");
    let fac = param(0, "Fac");
    assert_eq!(
        (f(&fac["min"]), f(&fac["max"]), f(&fac["step"])),
        (0.0, 1000.0, 1.0)
    );
    let e = param(0, "e_GABAA");
    assert_eq!(
        (f(&e["min"]), f(&e["max"]), f(&e["step"])),
        (-1500.0, 1500.0, 15.0)
    );
    let choices = &m["choices"];
    assert_eq!(
        choices["freqs"],
        json!([
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 35.0, 50.0, 100.0, 200.0
        ])
    );
    assert_eq!(
        choices["delays"],
        json!([125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0])
    );
    assert_eq!(
        choices["durations"],
        json!([100.0, 300.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0])
    );
    assert_eq!(
        (
            f(&choices["freq"]),
            f(&choices["delay"]),
            f(&choices["duration"])
        ),
        (50.0, 250.0, 300.0)
    );
    assert_eq!(
        m["connections"][1]["record"],
        json!(["record_use", "record_Pr"])
    );
    let gap = &m["gap"];
    assert_eq!(gap["connections"][0]["name"], "FSI_gap");
    assert_eq!(
        gap["slider"],
        json!({"log10_min": -6.0, "log10_max": 0.0, "log10_step": 0.1, "g": 0.001})
    );
    // The page is in the binary.
    let page = get(&s, "/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    // Assets by relative address, so the page also works under a proxy's prefix.
    assert!(html.contains("Run Train") && html.contains(r#"src="app.js""#));
    assert!(!html.contains(r#"src="/"#) && !html.contains(r#"href="/"#));
    for asset in ["/app.js", "/plot.js", "/style.css"] {
        let r = get(&s, asset);
        assert_eq!(r.status, 200, "{asset}");
        assert!(r.body.len() > 1000, "{asset}");
    }
}

#[test]
fn a_train_matches_the_cli_and_round_trips_fast() {
    let st = settings();
    let st = st.to_str().unwrap();
    let s = start(&["--settings", st]);
    let body = json!({"connection": "Fac2FSI", "params": {"Use": 0.2}, "freq": 50, "delay": 250});
    let mut times = Vec::new();
    let mut last = Value::Null;
    for _ in 0..7 {
        let t0 = Instant::now();
        last = ok(post(&s, "/api/train", &body));
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "50 Hz train round trip over loopback: median {:.1} ms, min {:.1} ms ({} runs; simulation {:.1} ms)",
        times[times.len() / 2],
        times[0],
        times.len(),
        f(&last["elapsed_ms"])
    );
    assert_eq!(last["amplitudes_pA"].as_array().unwrap().len(), 12);
    assert_eq!(last["params"]["Use"], 0.2);
    assert_eq!(last["vclamp"], true);
    let panels = last["traces"]["panels"].as_array().unwrap();
    let titles: Vec<&str> = panels
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Synaptic current",
            "Clamp current at the soma",
            "record_use",
            "record_Pr"
        ]
    );
    let nx = last["traces"]["x"].as_array().unwrap().len();
    assert!(nx > 100 && nx <= 900, "{nx} buckets");
    assert_eq!(panels[0]["y"].as_array().unwrap().len(), 2 * nx);
    assert_eq!(panels[0]["marks"].as_array().unwrap().len(), 12);
    // The same numbers as the CLI.
    let cli = cli_json(&[
        "train",
        "--settings",
        st,
        "--connection",
        "Fac2FSI",
        "--set",
        "Use=0.2",
    ]);
    for k in ["ppr", "induction", "recovery", "stp_initial_p90"] {
        assert_eq!(last["metrics"][k], cli[k], "{k}");
    }
    assert_eq!(last["amplitudes_pA"], cli["amplitudes_pA"]);
    let t = &last["terms"];
    assert!((f(&t["a2"]) / f(&t["a1"]) - f(&last["metrics"]["ppr"])).abs() < 1e-12);
}

#[test]
fn single_events_continuous_input_and_frequencies_match_the_cli() {
    let st = settings();
    let st = st.to_str().unwrap();
    let s = start(&["--settings", st]);
    // Current clamp: the soma voltage instead of the clamp current.
    let r = ok(post(
        &s,
        "/api/single-event",
        &json!({"connection": "Dep2FSI", "vclamp": false, "record": []}),
    ));
    assert_eq!(r["traces"]["panels"][1]["title"], "Soma voltage");
    let cli = cli_json(&[
        "single-event",
        "--settings",
        st,
        "--connection",
        "Dep2FSI",
        "--no-vclamp",
    ]);
    assert_eq!(r["kinetics"]["amp"], cli["amp"]);
    assert_eq!(r["kinetics"]["decay_time"], cli["decay_time"]);

    let r = ok(post(
        &s,
        "/api/continuous",
        &json!({"connection": "Fac2FSI", "vclamp": true, "freq": 20, "duration": 1000}),
    ));
    assert_eq!(r["amplitudes_pA"].as_array().unwrap().len(), 21);
    assert!(r["metrics"]["ppr"].is_number(), "{}", r["metrics"]);

    let r = ok(post(
        &s,
        "/api/freq-response",
        &json!({"connection": "Dep2FSI", "freqs": [10, 50], "delay": 125}),
    ));
    assert_eq!(r["frequencies"], json!([10.0, 50.0]));
    assert!(f(&r["ppr"][1]) < 1.0, "Dep2FSI depresses: {}", r["ppr"]);
}

#[test]
fn the_gap_tab_matches_the_cli_and_concurrent_requests_are_answered() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let r = ok(post(&s, "/api/gap", &json!({"g": 0.001})));
    let cli = cli_json(&[
        "gap",
        "--settings",
        root().join("examples/fsi/gap.json").to_str().unwrap(),
        "--g",
        "0.001",
    ]);
    assert_eq!(r["coupling_coefficient"], cli["coupling_coefficient"]);
    assert!((f(&r["dv2"]) / f(&r["dv1"]) - f(&r["coupling_coefficient"])).abs() < 1e-12);
    let r = ok(post(&s, "/api/gap", &json!({"g": 0.001, "implicit": true})));
    assert!(f(&r["coupling_coefficient"]) > 0.0);

    let addr = s.addr.clone();
    let handles: Vec<_> = [10, 20, 50, 100]
        .into_iter()
        .map(|freq| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let b = json!({"connection": "Dep2FSI", "freq": freq}).to_string();
                let r = send(
                    &addr,
                    "POST",
                    "/api/train",
                    Some(("application/json", b.as_bytes())),
                    "127.0.0.1",
                );
                r.status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
}

/// Bad requests: (method, path, JSON body or "" for none, status, part of the message).
const BAD: &[(&str, &str, &str, u16, &str)] = &[
    (
        "POST",
        "/api/train",
        r#"{"connection": "Nope"}"#,
        404,
        "no connection `Nope`",
    ),
    (
        "POST",
        "/api/train",
        r#"{"network": "x"}"#,
        404,
        "no network",
    ),
    (
        "POST",
        "/api/train",
        r#"{"freq": "abc"}"#,
        400,
        "expected a number",
    ),
    (
        "POST",
        "/api/train",
        r#"{"params": {"Use": "x"}}"#,
        400,
        "parameter `Use`",
    ),
    (
        "POST",
        "/api/train",
        r#"{"params": {"Bogus": 1}}"#,
        422,
        "no parameter `Bogus`",
    ),
    (
        "POST",
        "/api/train",
        r#"{"params": {"Use": 1e300}}"#,
        422,
        "out of range",
    ),
    ("POST", "/api/train", r#"{"freq": -5}"#, 422, "out of range"),
    ("POST", "/api/train", r#"{"freq": 0}"#, 422, "out of range"),
    (
        "POST",
        "/api/train",
        r#"{"freq": 1e6}"#,
        422,
        "out of range",
    ),
    (
        "POST",
        "/api/train",
        r#"{"delay": -1}"#,
        422,
        "out of range",
    ),
    (
        "POST",
        "/api/continuous",
        r#"{"duration": 1e9}"#,
        422,
        "out of range",
    ),
    (
        "POST",
        "/api/train",
        r#"{"vclamp": "yes"}"#,
        400,
        "true or false",
    ),
    (
        "POST",
        "/api/train",
        r#"{"vclamp_amp": 1000}"#,
        422,
        "out of range",
    ),
    ("POST", "/api/train", r#"{"record": ["nope"]}"#, 422, "nope"),
    (
        "POST",
        "/api/train",
        r#"{"frequency": 50}"#,
        400,
        "unknown field `frequency`",
    ),
    ("POST", "/api/train", "not json", 400, "not valid JSON"),
    ("POST", "/api/train", "[1, 2]", 400, "JSON object"),
    (
        "POST",
        "/api/freq-response",
        r#"{"freqs": []}"#,
        422,
        "freqs",
    ),
    ("POST", "/api/gap", r#"{"g": -1}"#, 422, "out of range"),
    (
        "POST",
        "/api/gap",
        r#"{"connection": "none"}"#,
        404,
        "no gap-junction connection",
    ),
    // The simulation runs but there is nothing to analyse: refused, not a panic.
    (
        "POST",
        "/api/train",
        r#"{"connection": "Dep2FSI", "params": {"initW": 0}}"#,
        422,
        "",
    ),
    ("GET", "/api/train", "", 405, "not allowed"),
    ("GET", "/api/nothing", "", 404, "no route"),
    ("GET", "/api/model?network=x", "", 404, "no network"),
    (
        "GET",
        "/api/model?bogus=1",
        "",
        400,
        "unknown query parameter",
    ),
    (
        "GET",
        "/api/export/dynamics?connection=Nope",
        "",
        404,
        "no connection",
    ),
];

/// A request answered with a JSON error of `status` whose message holds
/// `needle`; the server still answers afterwards.
fn refused(
    s: &Server,
    method: &str,
    path: &str,
    body: Option<(&str, &[u8])>,
    status: u16,
    needle: &str,
) {
    let r = request(s, method, path, body, "127.0.0.1");
    let v = r.json();
    assert_eq!(r.status, status, "{method} {path}: {v}");
    assert_eq!(v["status"], status);
    let msg = v["error"].as_str().unwrap();
    assert!(
        msg.contains(needle),
        "{method} {path}: `{msg}` lacks `{needle}`"
    );
    assert!(r
        .headers
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    alive(s);
}

#[test]
fn bad_requests_get_json_errors_and_the_server_keeps_serving() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let j = "application/json";
    for (method, path, body, status, needle) in BAD {
        let body = (!body.is_empty()).then_some((j, body.as_bytes()));
        refused(&s, method, path, body, *status, needle);
    }
    let many = format!(r#"{{"freqs": {:?}}}"#, vec![1.0; 65]);
    refused(
        &s,
        "POST",
        "/api/freq-response",
        Some((j, many.as_bytes())),
        422,
        "freqs",
    );
    refused(
        &s,
        "POST",
        "/api/train",
        Some(("text/plain", b"{}")),
        415,
        "JSON",
    );
    // DNS rebinding: a foreign Host is refused.
    let r = request(&s, "GET", "/api/model", None, "evil.example:80");
    assert_eq!(r.status, 403);
    // Still serving, and the rejected values changed nothing.
    let m = ok(get(&s, "/api/model"));
    assert_eq!(m["connections"][1]["params"][3]["name"], "Use");
    assert_eq!(m["connections"][1]["params"][3]["value"], 0.13);
    ok(post(&s, "/api/train", &json!({})));
}

#[test]
fn exports_carry_the_current_parameters() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let set = ok(post(
        &s,
        "/api/params",
        &json!({"connection": "Dep2FSI", "params": {"Use": 0.3, "Dep": 400}, "vclamp_amp": -60}),
    ));
    assert_eq!(set["params"]["Use"], 0.3);
    let trained = ok(post(&s, "/api/train", &json!({"connection": "Dep2FSI"})));
    assert_eq!(trained["params"]["Dep"], 400.0, "values persist");
    assert_eq!(trained["vclamp_amp"], -60.0);

    let r = get(&s, "/api/export/dynamics?connection=Dep2FSI");
    assert_eq!(r.status, 200);
    assert!(
        r.headers.contains("attachment; filename=\"Dep2FSI.json\""),
        "{}",
        r.headers
    );
    let d = r.json();
    assert_eq!(d["level_of_detail"], "GABA_A_STP");
    assert_eq!(d["Use"], 0.3);
    assert_eq!(d["Dep"], 400.0);
    assert_eq!(d["tau_d_GABAA"], 15);

    let r = get(&s, "/api/export/settings");
    assert_eq!(r.status, 200);
    let v = r.json();
    let c = &v["conn_type_settings"]["Dep2FSI"];
    assert_eq!(c["spec_syn_param"]["Use"], 0.3);
    assert_eq!(c["spec_settings"]["vclamp_amp"], -60.0);
    assert_eq!(
        v["conn_type_settings"]["Fac2FSI"]["spec_syn_param"]["Use"],
        0.13
    );
    // The exported file is a settings file the CLI reads, with the same numbers.
    let dir = std::env::temp_dir().join(format!("synaptune-serve-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("exported.json");
    std::fs::write(&file, &r.body).unwrap();
    let cli = cli_json(&[
        "train",
        "--settings",
        file.to_str().unwrap(),
        "--connection",
        "Dep2FSI",
    ]);
    assert_eq!(cli["ppr"], trained["metrics"]["ppr"]);
    assert_eq!(cli["amplitudes_pA"], trained["amplitudes_pA"]);
    // The dynamics file works as a --json-folder file too.
    let folder = dir.join("params");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("Dep2FSI.json"),
        &get(&s, "/api/export/dynamics?connection=Dep2FSI").body,
    )
    .unwrap();
    let cli = cli_json(&[
        "train",
        "--settings",
        settings().to_str().unwrap(),
        "--connection",
        "Dep2FSI",
        "--json-folder",
        folder.to_str().unwrap(),
    ]);
    let fresh = ok(post(
        &s,
        "/api/train",
        &json!({"connection": "Dep2FSI", "vclamp_amp": -55}),
    ));
    assert_eq!(cli["ppr"], fresh["metrics"]["ppr"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_config_with_several_networks() {
    let cells = std::env::temp_dir().join(format!("synaptune-serve-cells-{}", std::process::id()));
    std::fs::create_dir_all(&cells).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/cells/ball_stick.json"),
        cells.join("PNCell.json"),
    )
    .unwrap();
    let config = root().join("tests/fixtures/sonata/basic/config.json");
    let s = start(&[
        "--config",
        config.to_str().unwrap(),
        "--network",
        "cortex_to_cortex",
        "--connection",
        "PV2PN",
        "--cells",
        cells.to_str().unwrap(),
    ]);
    let m = ok(get(&s, "/api/model"));
    assert_eq!(m["networks"].as_array().unwrap().len(), 4);
    assert_eq!(m["network"], "cortex_to_cortex");
    assert_eq!(m["default_connection"], "PV2PN");
    let r = ok(post(
        &s,
        "/api/train",
        &json!({"network": "cortex_to_cortex", "connection": "PV2PN"}),
    ));
    assert!(f(&r["metrics"]["ppr"]) < 1.0);
    // A connection whose post cell has no file: a 422 naming it.
    let r = post(
        &s,
        "/api/train",
        &json!({"network": "cortex_to_cortex", "connection": "Exc_type_100"}),
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["error"].as_str().unwrap().contains("PVCell.json"));
    // Another network opens on demand.
    let m = ok(get(&s, "/api/model?network=thalamic_input"));
    assert_eq!(m["network"], "thalamic_input");
    assert!(!m["connections"].as_array().unwrap().is_empty());
    alive(&s);
    let _ = std::fs::remove_dir_all(&cells);
}

/// A POST to `addr` (for threads: the server itself stays with the test).
fn post_to(addr: &str, path: &str, v: &Value) -> Reply {
    let b = serde_json::to_vec(v).unwrap();
    send(
        addr,
        "POST",
        path,
        Some(("application/json", &b)),
        "127.0.0.1",
    )
}

/// A train of 8 + 4 pulses 10 s apart: 4.4 million steps, seconds of work,
/// within the server's per-request budget.
fn long_train(client: Option<(&str, u64)>) -> Value {
    let mut v = json!({"connection": "Fac2FSI", "freq": 0.1, "delay": 250});
    if let Some((c, n)) = client {
        v["client"] = json!(c);
        v["seq"] = json!(n);
    }
    v
}

#[test]
fn a_request_beyond_the_budget_gets_a_422_naming_it() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let t0 = Instant::now();
    let r = post(&s, "/api/train", &json!({"freq": 0.001, "delay": 250}));
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let e = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        e.contains("steps") && e.contains("budget is 20,000,000 steps"),
        "{e}"
    );
    alive(&s);
    // serve --max-steps raises the per-request budget.
    let s = start(&[
        "--settings",
        settings().to_str().unwrap(),
        "--max-steps",
        "10",
    ]);
    let r = post(&s, "/api/single-event", &json!({}));
    assert_eq!(r.status, 422);
}

/// A newer request of the same page lane cancels the running one (409); a
/// request whose client went away is cancelled and frees its slot.
#[test]
fn superseded_and_abandoned_simulations_are_cancelled() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let addr = s.addr.clone();
    let t0 = Instant::now();
    let old = std::thread::spawn(move || {
        let r = post_to(&addr, "/api/train", &long_train(Some(("page-1/run", 1))));
        (r.status, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(400));
    let new = post(
        &s,
        "/api/single-event",
        &json!({"connection": "Fac2FSI", "client": "page-1/run", "seq": 2}),
    );
    assert_eq!(new.status, 200);
    let (status, done) = old.join().unwrap();
    assert_eq!(status, 409, "the superseded train was cancelled");
    eprintln!(
        "superseded request answered after {:?}",
        done.duration_since(t0)
    );
    // Abandoned: as many long trains as there are slots, each client closing
    // its connection at once. Were they not cancelled, the next request would
    // wait for seconds behind them.
    for _ in 0..4 {
        let mut c = TcpStream::connect(&s.addr).unwrap();
        let b = serde_json::to_vec(&long_train(None)).unwrap();
        let head = format!(
            "POST /api/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            b.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(&b).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        drop(c);
    }
    std::thread::sleep(Duration::from_millis(300));
    let t1 = Instant::now();
    let r = post(&s, "/api/train", &json!({"connection": "Fac2FSI"}));
    assert_eq!(r.status, 200);
    let waited = t1.elapsed();
    eprintln!("a train after four abandoned long ones: {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

/// The load test: `CLIENTS` clients, each sending `PER_CLIENT` mixed requests
/// in turn (trains at the page's frequencies, single events, continuous
/// input, frequency responses, gap runs, malformed bodies, unknown fields,
/// values out of range, requests beyond the budget), bounded and
/// self-stopping. Every request must get a 2xx or 4xx, none a 5xx, each
/// within `LIMIT`. `SYNAPTUNE_LOAD=CxN` runs a longer one (e.g. `8x200`).
#[test]
fn load_test_every_request_gets_a_2xx_or_4xx_in_time() {
    let (clients, per_client) = std::env::var("SYNAPTUNE_LOAD")
        .ok()
        .and_then(|v| {
            let (a, b) = v.split_once('x')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .unwrap_or((8usize, 25usize));
    const LIMIT: Duration = Duration::from_secs(30);
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let mixes: Vec<(&str, Value)> = vec![
        ("/api/train", json!({"freq": 50, "delay": 250})),
        (
            "/api/train",
            json!({"connection": "Dep2FSI", "freq": 20, "delay": 125, "params": {"Use": 0.3}}),
        ),
        ("/api/single-event", json!({"connection": "Dep2FSI"})),
        ("/api/continuous", json!({"freq": 35, "duration": 1000})),
        ("/api/gap", json!({"g": 0.002})),
        ("/api/train", json!({"freq": 0.001, "delay": 250})),
        ("/api/train", json!({"freq": "fast"})),
        ("/api/train", json!({"frequency": 50})),
        ("/api/single-event", json!({"params": {"Use": 1e12}})),
        ("/api/continuous", json!({"duration": -5})),
        (
            "/api/freq-response",
            json!({"freqs": [5, 50], "delay": 250}),
        ),
        ("/api/params", json!({"vclamp": true})),
    ];
    let mixes = std::sync::Arc::new(mixes);
    let start_all = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let addr = s.addr.clone();
            let mixes = mixes.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for k in 0..per_client {
                    let (path, body) = &mixes[(c * 7 + k * 5) % mixes.len()];
                    let t0 = Instant::now();
                    let r = if k % 11 == 3 {
                        // Not JSON at all.
                        send(
                            &addr,
                            "POST",
                            path,
                            Some(("application/json", b"{nope")),
                            "127.0.0.1",
                        )
                    } else {
                        post_to(&addr, path, body)
                    };
                    out.push((r.status, t0.elapsed(), path.to_string()));
                }
                out
            })
        })
        .collect();
    let mut all: Vec<(u16, Duration, String)> = Vec::new();
    for t in threads {
        all.extend(t.join().unwrap());
    }
    let wall = start_all.elapsed();
    let mut lat: Vec<Duration> = all.iter().map(|x| x.1).collect();
    lat.sort();
    let q = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    let ok = all.iter().filter(|x| x.0 < 300).count();
    let client_err = all.iter().filter(|x| (400..500).contains(&x.0)).count();
    let server_err: Vec<_> = all.iter().filter(|x| x.0 >= 500).collect();
    println!(
        "load test: {} clients x {} requests = {} requests in {:.1} s: {} 2xx, {} 4xx, {} 5xx; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        clients,
        per_client,
        all.len(),
        wall.as_secs_f64(),
        ok,
        client_err,
        server_err.len(),
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );
    assert!(server_err.is_empty(), "5xx answers: {server_err:?}");
    assert!(
        all.iter().all(|x| x.1 < LIMIT),
        "an answer took longer than {LIMIT:?}: max {:?}",
        lat.last()
    );
    assert!(ok > all.len() / 4, "most good requests succeed");
    alive(&s);
}

#[test]
fn the_measure_field_chooses_the_measured_current() {
    let s = start(&["--settings", settings().to_str().unwrap()]);
    let amp = |v: Value| f(&ok(post(&s, "/api/train", &v))["amplitudes_pA"][0]);
    let clamp = amp(json!({"connection": "Fac2FSI", "vclamp": true}));
    let syn = amp(json!({"connection": "Fac2FSI", "vclamp": true, "measure": "synapse"}));
    assert_eq!(
        amp(json!({"connection": "Fac2FSI", "vclamp": true, "measure": "clamp"})),
        clamp
    );
    assert!(syn > clamp, "synapse {syn} vs clamp {clamp}");
    let r = post(&s, "/api/train", &json!({"measure": "electrode"}));
    assert_eq!(r.status, 422);
    let r = post(
        &s,
        "/api/train",
        &json!({"measure": "clamp", "vclamp": false}),
    );
    assert_eq!(r.status, 422, "no clamp in current mode");
}
