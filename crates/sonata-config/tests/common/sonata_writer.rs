//! Writes small SONATA nodes/edges HDF5 files with the pure-Rust `hdf5-writer`
//! (contiguous datasets, groups, a string attribute): used by the bad-input
//! tests and by the 1M-edge bench, which cannot use Python.
#![allow(dead_code)]

use hdf5_writer::{
    AttributeBuilder, DatasetBuilder, FilterDescription, Hdf5Builder, Hdf5Writer, WriteOptions,
    FILTER_DEFLATE,
};
use std::path::Path;

/// One column of a node or edge group.
pub enum Column {
    /// float64
    F64(Vec<f64>),
    /// float32
    F32(Vec<f32>),
    /// int64
    I64(Vec<i64>),
    /// variable-length strings
    Str(Vec<String>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::F32(v) => v.len(),
            Column::I64(v) => v.len(),
            Column::Str(v) => v.len(),
        }
    }

    fn dataset(&self, path: &str) -> DatasetBuilder {
        match self {
            Column::F64(v) => DatasetBuilder::typed_data(path, [v.len() as u64], v),
            Column::F32(v) => DatasetBuilder::typed_data(path, [v.len() as u64], v),
            Column::I64(v) => DatasetBuilder::typed_data(path, [v.len() as u64], v),
            Column::Str(v) => DatasetBuilder::vlen_string_data(path, [v.len() as u64], v),
        }
        .expect("dataset")
    }
}

/// One edge population.
pub struct EdgePop {
    pub name: String,
    pub source_population: Option<String>,
    pub target_population: Option<String>,
    pub edge_type_id: Vec<u32>,
    pub source_node_id: Vec<u64>,
    pub target_node_id: Vec<u64>,
    pub edge_group_id: Vec<u16>,
    pub edge_group_index: Vec<u32>,
    /// (group id, columns); a column name with a `/` goes into a subgroup
    /// (`dynamics_params/tau1`).
    pub groups: Vec<(i64, Vec<(String, Column)>)>,
    /// Core datasets to leave out (to make broken files).
    pub omit: Vec<&'static str>,
    /// Write every dataset gzip-compressed in chunks of this many elements (as
    /// BMTK/h5py do) instead of contiguous.
    pub gzip_chunk: Option<u64>,
}

fn layout(d: DatasetBuilder, gzip_chunk: Option<u64>, len: usize) -> DatasetBuilder {
    match gzip_chunk {
        Some(c) if len > 0 => d.chunked([c.min(len as u64)]).filter(FilterDescription {
            id: FILTER_DEFLATE,
            name: None,
            client_data: vec![4],
        }),
        _ => d,
    }
}

impl EdgePop {
    /// `n` edges of one group 0, all of type `types[i % len]`, with no group columns.
    pub fn simple(
        name: &str,
        src: &str,
        tgt: &str,
        types: &[u32],
        sources: Vec<u64>,
        targets: Vec<u64>,
    ) -> Self {
        let n = sources.len();
        EdgePop {
            name: name.to_string(),
            source_population: Some(src.to_string()),
            target_population: Some(tgt.to_string()),
            edge_type_id: (0..n).map(|i| types[i % types.len()]).collect(),
            source_node_id: sources,
            target_node_id: targets,
            edge_group_id: vec![0; n],
            edge_group_index: (0..n as u32).collect(),
            groups: vec![(0, Vec::new())],
            omit: Vec::new(),
            gzip_chunk: None,
        }
    }
}

fn finish(path: &Path, mut b: Hdf5Builder) {
    // An empty group cannot be declared on its own: give each a marker attribute.
    b = b.attribute(AttributeBuilder::fixed_string(
        "written_by",
        "sonata-config tests",
    ));
    let plan = b.into_plan().expect("plan");
    let file = std::fs::File::create(path).expect("create");
    Hdf5Writer::new(file, WriteOptions::default())
        .finish(plan)
        .expect("write");
}

/// Writes an edges file holding `pops`.
pub fn write_edges(path: &Path, pops: &[EdgePop]) {
    let mut b = Hdf5Builder::new();
    for p in pops {
        let base = format!("edges/{}", p.name);
        let keep = |d: &str| !p.omit.contains(&d);
        let z = |d: DatasetBuilder, len: usize| layout(d, p.gzip_chunk, len);
        fn ints<T: hdf5_writer::H5WriteElement>(path: String, v: &[T]) -> DatasetBuilder {
            DatasetBuilder::typed_data(path, [v.len() as u64], v).unwrap()
        }
        if keep("edge_type_id") {
            b = b.dataset(z(
                ints(format!("{base}/edge_type_id"), &p.edge_type_id),
                p.edge_type_id.len(),
            ));
        }
        for (name, ids, pop) in [
            ("source_node_id", &p.source_node_id, &p.source_population),
            ("target_node_id", &p.target_node_id, &p.target_population),
        ] {
            if keep(name) {
                let mut d = ints(format!("{base}/{name}"), ids);
                if let Some(pop) = pop {
                    d = d.attribute(AttributeBuilder::fixed_string("node_population", pop));
                }
                b = b.dataset(z(d, ids.len()));
            }
        }
        if keep("edge_group_id") {
            b = b.dataset(z(
                ints(format!("{base}/edge_group_id"), &p.edge_group_id),
                p.edge_group_id.len(),
            ));
        }
        if keep("edge_group_index") {
            b = b.dataset(z(
                ints(format!("{base}/edge_group_index"), &p.edge_group_index),
                p.edge_group_index.len(),
            ));
        }
        for (gid, cols) in &p.groups {
            if cols.is_empty() {
                b = b.group_attribute(
                    format!("{base}/{gid}"),
                    AttributeBuilder::fixed_string("empty", "yes"),
                );
            }
            for (name, col) in cols {
                b = b.dataset(z(col.dataset(&format!("{base}/{gid}/{name}")), col.len()));
            }
        }
    }
    finish(path, b);
}

/// Writes a nodes file with one population whose nodes all sit in group 0.
pub fn write_nodes(path: &Path, pop: &str, node_type_ids: &[u64], group0: Vec<(String, Column)>) {
    let n = node_type_ids.len() as u64;
    let base = format!("nodes/{pop}");
    let mut b = Hdf5Builder::new()
        .dataset(
            DatasetBuilder::typed_data(format!("{base}/node_type_id"), [n], node_type_ids).unwrap(),
        )
        .dataset(
            DatasetBuilder::typed_data(
                format!("{base}/node_id"),
                [n],
                &(0..n).collect::<Vec<u64>>(),
            )
            .unwrap(),
        )
        .dataset(
            DatasetBuilder::typed_data(
                format!("{base}/node_group_id"),
                [n],
                &vec![0u32; n as usize],
            )
            .unwrap(),
        )
        .dataset(
            DatasetBuilder::typed_data(
                format!("{base}/node_group_index"),
                [n],
                &(0..n).collect::<Vec<u64>>(),
            )
            .unwrap(),
        );
    if group0.is_empty() {
        b = b.group_attribute(
            format!("{base}/0"),
            AttributeBuilder::fixed_string("empty", "yes"),
        );
    }
    for (name, col) in group0 {
        b = b.dataset(col.dataset(&format!("{base}/0/{name}")));
    }
    finish(path, b);
}

/// A fresh empty folder under the system's temporary folder.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sonata-config-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}
