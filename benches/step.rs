//! Per-step cost of the fixed-step loop (criterion). Figures go to
//! `benches/README.md`. Run: `cargo bench --bench step`.

use cable_core::{CellSpec, Loc, ModelBuilder, SimOptions, Simulation};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn cable(nseg: usize) -> CellSpec {
    let text = format!(
        r#"{{"format": "synaptune-cell/1", "sections": [
        {{"name": "soma", "L": 20, "diam": 20, "mechanisms": {{"hh": {{}}}}}},
        {{"name": "cable", "parent": {{"section": "soma", "x": 1}}, "L": {l}, "diam": 1, "nseg": {nseg},
          "Ra": 100, "mechanisms": {{"hh": {{}}, "pas": {{"g": 1e-5}}}}}}]}}"#,
        l = nseg as f64 * 10.0
    );
    CellSpec::from_json_str(&text, "<bench>").unwrap()
}

fn sim(cell: &CellSpec) -> Simulation {
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(cell).unwrap();
    b.add_point(
        "IClamp",
        Loc::new(c, "soma", 0.5),
        &[("del", 0.0), ("dur", 1e9), ("amp", 0.2)],
    )
    .unwrap();
    let mut s = b
        .build(SimOptions {
            celsius: 6.3,
            ..SimOptions::default()
        })
        .unwrap();
    s.finitialize(-65.0).unwrap();
    s
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("fadvance");
    for nseg in [1usize, 10, 100, 1000, 10000] {
        let cell = cable(nseg);
        let mut s = sim(&cell);
        g.throughput(Throughput::Elements((nseg + 1) as u64));
        g.bench_with_input(
            BenchmarkId::new("hh_cable_compartments", nseg + 1),
            &nseg,
            |b, _| b.iter(|| s.fadvance().unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
