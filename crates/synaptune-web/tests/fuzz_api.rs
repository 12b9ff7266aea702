//! The JSON API fuzzed in-process (`router` + tower's `oneshot`): request
//! bodies mutated from valid ones (any field replaced by any JSON value,
//! fields removed or added, the text cut or edited), on every POST route.
//! Every answer must be 2xx or 4xx with a JSON body (`{"error", "status"}` for
//! the 4xx), never a 5xx, never a hang. The server's budget is set low here
//! so that accepted requests stay short.
//!
//! CI runs a few hundred cases (printed); `SYNAPTUNE_FUZZ_SCALE=20` runs
//! twenty times as many.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;
use tuner_opt::{Budget, ModelSource, TunerSpec};

fn app() -> Arc<synaptune_web::App> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json");
    let mut spec = TunerSpec::new(ModelSource::Settings(p));
    spec.budget = Budget {
        max_steps: 200_000,
        max_memory: 64 << 20,
    };
    Arc::new(synaptune_web::App::load(&spec, None).unwrap().0)
}

/// Valid bodies of every POST route.
fn bases() -> Vec<(&'static str, Value)> {
    vec![
        (
            "/api/train",
            json!({"connection": "Fac2FSI", "freq": 50, "delay": 250, "params": {"Use": 0.3}, "vclamp": true, "client": "p/run", "seq": 1}),
        ),
        (
            "/api/single-event",
            json!({"connection": "Dep2FSI", "vclamp_amp": -60, "record": ["record_Pr"]}),
        ),
        ("/api/continuous", json!({"freq": 20, "duration": 300})),
        (
            "/api/freq-response",
            json!({"freqs": [10, 50], "delay": 250}),
        ),
        ("/api/gap", json!({"g": 0.001, "implicit": false})),
        ("/api/params", json!({"params": {"Dep": 100}})),
    ]
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn any_value(r: &mut Rng) -> Value {
    let nums = [
        0.0, -1.0, 1e-9, 0.001, 1e6, 1e300, -1e300, 20000.0, 1000.0, 0.5,
    ];
    match r.below(8) {
        0 => Value::Null,
        1 => json!(r.below(2) == 0),
        2 | 3 => json!(nums[r.below(nums.len())]),
        4 => json!(["", "Fac2FSI", "nope", "i", "record_Pr", "\u{0}"][r.below(6)]),
        5 => json!([1, "x", null]),
        6 => json!({"Use": "high", "tau": 1e9}),
        _ => json!(r.next() as i64),
    }
}

fn mutate(base: &Value, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut v = base.clone();
    let keys = [
        "connection",
        "network",
        "freq",
        "delay",
        "duration",
        "freqs",
        "params",
        "vclamp",
        "vclamp_amp",
        "record",
        "g",
        "implicit",
        "client",
        "seq",
        "bogus",
    ];
    for _ in 0..=r.below(3) {
        let k = keys[r.below(keys.len())];
        match r.below(3) {
            0 => {
                v.as_object_mut().unwrap().remove(k);
            }
            _ => {
                v[k] = any_value(&mut r);
            }
        }
    }
    let mut text = serde_json::to_vec(&v).unwrap();
    if r.below(6) == 0 && !text.is_empty() {
        let i = r.below(text.len());
        text.truncate(i);
    }
    text
}

#[test]
fn api_bodies_get_2xx_or_4xx_json() {
    let app = app();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let bases = bases();
    let n = 240
        * std::env::var("SYNAPTUNE_FUZZ_SCALE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1u32);
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    let counts = std::sync::Mutex::new([0usize; 6]);
    runner
        .run(&any::<u64>(), |seed| {
            let (path, base) = &bases[(seed % bases.len() as u64) as usize];
            let body = mutate(base, seed);
            let req = Request::post(*path)
                .header("host", "127.0.0.1")
                .header("content-type", "application/json")
                .body(Body::from(body.clone()))
                .unwrap();
            let router = synaptune_web::router(app.clone());
            let (status, bytes) = rt.block_on(async {
                let res =
                    tokio::time::timeout(std::time::Duration::from_secs(60), router.oneshot(req))
                        .await
                        .expect("an answer within 60 s")
                        .unwrap();
                let st = res.status();
                (st, res.into_body().collect().await.unwrap().to_bytes())
            });
            let text = String::from_utf8_lossy(&body);
            prop_assert!(
                status.as_u16() < 500,
                "{path} {text}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| TestCaseError::fail(format!("{path} {text}: not JSON: {e}")))?;
            if status != StatusCode::OK {
                prop_assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
                prop_assert_eq!(v["status"].as_u64(), Some(status.as_u16() as u64));
            }
            counts.lock().unwrap()[(status.as_u16() / 100) as usize] += 1;
            Ok(())
        })
        .unwrap();
    let c = counts.into_inner().unwrap();
    println!("fuzz API: {n} requests: {} 2xx, {} 4xx", c[2], c[4]);
    assert!(c[2] > 0 && c[4] > 0, "both kinds of answer were exercised");
}
