//! Helpers shared by the checkpoint tests.

/// Each record of `got` equals the same record of `want`, sample for
/// sample (as bits), and has its length; `what` names the case.
pub fn assert_same_records(got: &[Vec<u64>], want: &[Vec<u64>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: records");
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        let first = a.iter().zip(b).position(|(x, y)| x != y);
        assert_eq!(a.len(), b.len(), "{what}: record {k} length");
        assert!(first.is_none(), "{what}: record {k} differs at {first:?}");
    }
}
