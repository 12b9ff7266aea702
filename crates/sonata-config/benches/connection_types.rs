//! Lists the connection types of a generated network of 1,000,000 edges.
//!
//! The network is written at bench time with the pure-Rust `hdf5-writer` (CI has
//! no Python): one population of 10,000 nodes, one edges file with 1M edges of
//! 20 types in one group carrying per-edge `syn_weight`, `afferent_section_id`
//! and `afferent_section_pos`, its types CSV, dynamics files and a circuit config.
//! The bench loads the config and derives every connection type; only
//! `edge_type_id` is read whole, plus a few elements per edge type.
//!
//!     CARGO_TARGET_DIR=/work/target-sonata cargo bench -p sonata-config --bench connection_types
//!
//! Before measuring it prints the peak heap one derivation allocates (counted by
//! a global allocator wrapper): it is bounded by the slice in which
//! `edge_type_id` is scanned, not by the number of edges.

#[path = "../tests/common/sonata_writer.rs"]
mod sonata_writer;

use criterion::{criterion_group, criterion_main, Criterion};
use sonata_config::{connection_types, Config};
use sonata_writer::{temp_dir, write_edges, write_nodes, Column, EdgePop};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const EDGES: usize = 1_000_000;
const NODES: usize = 10_000;
const TYPES: u32 = 20;

fn generate(gzip_chunk: Option<u64>) -> PathBuf {
    let dir = temp_dir("bench-1m");
    let net = dir.join("network");
    std::fs::create_dir_all(&net).unwrap();
    let syn = dir.join("components/synaptic_models");
    std::fs::create_dir_all(&syn).unwrap();

    // Nodes: four node types.
    let node_types: Vec<u64> = (0..NODES).map(|i| 100 + (i % 4) as u64).collect();
    write_nodes(&net.join("net_nodes.h5"), "net", &node_types, vec![]);
    std::fs::write(
        net.join("net_node_types.csv"),
        "node_type_id pop_name model_type model_template\n\
         100 PN biophysical hoc:PNCell\n101 PV biophysical hoc:PVCell\n\
         102 SST biophysical hoc:SSTCell\n103 VIP biophysical hoc:VIPCell\n",
    )
    .unwrap();

    // Edges: a cheap deterministic shuffle of sources, targets and types.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut types = Vec::with_capacity(EDGES);
    let mut sources = Vec::with_capacity(EDGES);
    let mut targets = Vec::with_capacity(EDGES);
    for i in 0..EDGES {
        let r = next();
        // Types appear in runs, as BMTK's target-sorted files have them.
        types.push(100 + ((i / 5000) as u32 + (r % 3) as u32) % TYPES);
        sources.push(r % NODES as u64);
        targets.push((i * NODES / EDGES) as u64);
    }
    let mut pop = EdgePop::simple("net_to_net", "net", "net", &[0], sources, targets);
    pop.edge_type_id = types;
    pop.gzip_chunk = gzip_chunk;
    pop.groups[0].1 = vec![
        (
            "afferent_section_id".into(),
            Column::I64((0..EDGES as i64).map(|i| i % 7).collect()),
        ),
        (
            "afferent_section_pos".into(),
            Column::F32((0..EDGES).map(|i| (i % 10) as f32 / 10.0).collect()),
        ),
        (
            "syn_weight".into(),
            Column::F64((0..EDGES).map(|i| 1e-3 * (i % 100) as f64).collect()),
        ),
    ];
    write_edges(&net.join("net_net_edges.h5"), &[pop]);

    let mut csv = String::from("edge_type_id model_template dynamics_params delay\n");
    for t in 0..TYPES {
        let dynamics = if t % 2 == 0 {
            format!("\"syn {t}.json\"")
        } else {
            "NULL".into()
        };
        csv.push_str(&format!("{} exp2syn {dynamics} 1.5\n", 100 + t));
        if t % 2 == 0 {
            std::fs::write(
                syn.join(format!("syn {t}.json")),
                format!("{{\"level_of_detail\": \"AMPA_NMDA_STP\", \"tau_d_AMPA\": {t}.5, \"Use\": 0.3}}"),
            )
            .unwrap();
        }
    }
    std::fs::write(net.join("net_net_edge_types.csv"), csv).unwrap();
    std::fs::write(
        dir.join("circuit_config.json"),
        r#"{
  "manifest": {"$BASE_DIR": "${configdir}", "$NETWORK_DIR": "$BASE_DIR/network"},
  "components": {"synaptic_models_dir": "$BASE_DIR/components/synaptic_models"},
  "networks": {
    "nodes": [{"nodes_file": "$NETWORK_DIR/net_nodes.h5", "node_types_file": "$NETWORK_DIR/net_node_types.csv"}],
    "edges": [{"edges_file": "$NETWORK_DIR/net_net_edges.h5", "edge_types_file": "$NETWORK_DIR/net_net_edge_types.csv"}]
  }
}"#,
    )
    .unwrap();
    dir
}

fn derive(config_path: &Path) -> usize {
    let config = Config::load(config_path).expect("config");
    connection_types(&config, None)
        .expect("connection types")
        .len()
}

/// Counts live heap bytes and their peak, to measure what one derivation allocates.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak heap bytes `f` allocates beyond what was live before it.
fn peak_heap<T>(f: impl FnOnce() -> T) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed);
    drop(out);
    peak - before
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sonata-config");
    g.sample_size(20);
    // Contiguous datasets, and gzip-compressed 64K-element chunks as BMTK writes.
    for (label, chunk) in [("contiguous", None), ("gzip-chunked", Some(1u64 << 16))] {
        let dir = generate(chunk);
        let config = dir.join("circuit_config.json");
        let edges_bytes = std::fs::metadata(dir.join("network/net_net_edges.h5"))
            .map(|m| m.len())
            .unwrap_or(0);
        let n = derive(&config);
        // Even types have their own dynamics file (their own name); odd ones are named
        // "<src pop>2<tgt pop>" from their first edge, and same names replace each other.
        assert!(
            n > (TYPES / 2) as usize && n <= TYPES as usize,
            "{n} connection types"
        );
        let t = std::time::Instant::now();
        derive(&config);
        let once = t.elapsed();
        let peak = peak_heap(|| derive(&config));
        eprintln!(
            "1M edges, {label} ({:.1} MB edges file): {n} connection types; one run {:.1} ms; \
             peak heap {:.2} MB (edge_type_id alone is {:.1} MB as u32)",
            edges_bytes as f64 / 1e6,
            once.as_secs_f64() * 1e3,
            peak as f64 / 1e6,
            (EDGES * 4) as f64 / 1e6,
        );
        g.bench_function(
            format!("load config + connection types, 1M edges, {label}"),
            |b| b.iter(|| derive(&config)),
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
