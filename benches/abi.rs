//! Cost of a mechanism call through the plugin ABI versus a direct Rust call
//! (criterion). `hh`'s current function over n instances, three ways:
//! `direct` (the trait method, monomorphised), `abi_static` (the catalogue's
//! `extern "C"` trampoline linked in), `abi_dynamic` (the same catalogue loaded
//! from the cdylib). Run: `cargo bench --bench abi`.

#[path = "../tests/common/build.rs"]
mod build;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mech_api::abi::{HostApi, IonState, PPack};
use mech_api::{MechType, Mechanism, Pack};
use std::ffi::c_void;
use std::sync::Arc;

unsafe extern "C" fn no_send(_: *mut c_void, _: u32, _: f64, _: f64, _: *mut f64) {}
unsafe extern "C" fn no_event(_: *mut c_void, _: u32, _: f64) {}
unsafe extern "C" fn no_error(_: *mut c_void, _: *const u8, _: usize) {}
unsafe extern "C" fn no_move(_: *mut c_void, _: u32, _: f64) {}

/// Host-owned storage for n hh instances on n nodes.
struct Store {
    nodes: Vec<u32>,
    v: Vec<f64>,
    rhs: Vec<f64>,
    d: Vec<f64>,
    area: Vec<f64>,
    data: Vec<f64>,
    ptrs: Vec<*mut f64>,
    globals: Vec<f64>,
    scratch: Vec<f64>,
    ion_arrays: Vec<Vec<f64>>,
    ions: Vec<IonState>,
    host: Box<HostApi>,
}

impl Store {
    fn new(t: &MechType, n: usize) -> Store {
        let nf = t.info.fields.len();
        let mut data = vec![0.0; nf * n];
        for (f, fi) in t.info.fields.iter().enumerate() {
            data[f * n..(f + 1) * n].fill(fi.default);
        }
        let m = t.info.field_index("m").unwrap();
        let h = t.info.field_index("h").unwrap();
        let nn = t.info.field_index("n").unwrap();
        data[m * n..(m + 1) * n].fill(0.05);
        data[h * n..(h + 1) * n].fill(0.6);
        data[nn * n..(nn + 1) * n].fill(0.32);
        let mut s = Store {
            nodes: (0..n as u32).collect(),
            v: (0..n).map(|i| -65.0 + (i % 7) as f64).collect(),
            rhs: vec![0.0; n],
            d: vec![0.0; n],
            area: vec![300.0; n],
            data,
            ptrs: Vec::new(),
            globals: t.info.globals.iter().map(|g| g.default).collect(),
            scratch: vec![0.0; t.info.scratch_len],
            ion_arrays: (0..10)
                .map(|k| vec![if k % 5 == 0 { 50.0 } else { 0.0 }; n])
                .collect(),
            ions: Vec::new(),
            host: Box::new(HostApi {
                ctx: std::ptr::null_mut(),
                net_send: no_send,
                net_event: no_event,
                report_error: no_error,
                net_move: no_move,
            }),
        };
        let base = s.data.as_mut_ptr();
        s.ptrs = (0..nf).map(|f| unsafe { base.add(f * n) }).collect();
        for ion in 0..2 {
            let a = &mut s.ion_arrays[ion * 5..ion * 5 + 5];
            s.ions.push(IonState {
                e: a[0].as_mut_ptr(),
                i: a[1].as_mut_ptr(),
                didv: a[2].as_mut_ptr(),
                ci: a[3].as_mut_ptr(),
                co: a[4].as_mut_ptr(),
            });
        }
        s
    }

    fn pack(&mut self) -> PPack {
        PPack {
            n: self.nodes.len() as u32,
            n_nodes: self.v.len() as u32,
            n_fields: self.ptrs.len() as u32,
            n_globals: self.globals.len() as u32,
            n_ions: self.ions.len() as u32,
            scratch_len: self.scratch.len() as u32,
            n_weights: 0,
            node_index: self.nodes.as_ptr(),
            v: self.v.as_ptr(),
            rhs: self.rhs.as_mut_ptr(),
            d: self.d.as_mut_ptr(),
            area: self.area.as_ptr(),
            t: 1.0,
            dt: 0.025,
            celsius: 6.3,
            secondorder: 0,
            fields: self.ptrs.as_ptr(),
            globals: self.globals.as_mut_ptr(),
            scratch: self.scratch.as_mut_ptr(),
            ions: self.ions.as_ptr(),
            host: &*self.host,
            inst_vec: std::ptr::null(),
            inst_vec_len: std::ptr::null(),
        }
    }
}

fn hh_of(reg: &mech_api::Registry) -> Arc<MechType> {
    reg.get("hh").unwrap().clone()
}

fn bench(c: &mut Criterion) {
    let stat = hh_of(&standard_mechanisms::registry());
    let lib = build::build(
        &["--release", "-p", "standard-mechanisms"],
        "plugin-bench",
        &std::path::Path::new("release").join(build::lib_name("standard_mechanisms")),
        "standard_bench",
    );
    let mut dynreg = mech_api::Registry::new();
    for cat in mech_api::load_path(&lib).unwrap() {
        dynreg.add(&cat);
    }
    let dynamic = hh_of(&dynreg);
    let mut g = c.benchmark_group("hh_current");
    for n in [1usize, 10, 1000] {
        g.throughput(Throughput::Elements(n as u64));
        let mut s = Store::new(&stat, n);
        g.bench_with_input(BenchmarkId::new("direct", n), &n, |b, _| {
            b.iter(|| {
                let mut pp = s.pack();
                // SAFETY: the store owns every array the pack points to.
                let mut p = unsafe { Pack::from_raw(&mut pp) };
                <standard_mechanisms::Hh as Mechanism>::current(&mut p);
            })
        });
        let mut s = Store::new(&stat, n);
        g.bench_with_input(BenchmarkId::new("abi_static", n), &n, |b, _| {
            b.iter(|| {
                let mut pp = s.pack();
                // SAFETY: as above.
                unsafe { stat.call_current(&mut pp) }
            })
        });
        let mut s = Store::new(&dynamic, n);
        g.bench_with_input(BenchmarkId::new("abi_dynamic", n), &n, |b, _| {
            b.iter(|| {
                let mut pp = s.pack();
                // SAFETY: as above.
                unsafe { dynamic.call_current(&mut pp) }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
