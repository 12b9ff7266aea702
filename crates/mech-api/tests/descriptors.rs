//! Validation of raw descriptors: every malformed table is a `DescriptorError`
//! naming what is wrong, never a crash; a well-formed one round-trips.

use mech_api::abi::{self, RawCatalogue, RawField, RawMech};
use mech_api::export::{build_catalogue, entry};
use mech_api::{Catalogue, Kind, MechInfo, Mechanism, Origin, Registry};
use std::ffi::CString;

struct Leak;
impl Mechanism for Leak {
    fn info() -> MechInfo {
        MechInfo::density("leaky")
            .source("leaky.mod")
            .param("g", "S/cm2", 1e-4)
            .limits(0.0, 1e9)
            .param("e", "mV", -70.0)
            .assigned("i", "mA/cm2")
            .ion("na", 1, abi::ION_READ_E)
            .global("scale", "", 2.0)
    }
}

struct Syn;
impl Mechanism for Syn {
    fn info() -> MechInfo {
        MechInfo::point("Syn")
            .param("tau", "ms", 2.0)
            .state("g", "uS")
            .net_receive(&["weight", "x"])
            .net_init()
    }
}

#[test]
fn a_built_catalogue_reads_back_as_declared() {
    let raw = build_catalogue("demo", "1.2.3", vec![entry::<Leak>(), entry::<Syn>()]);
    let cat = Catalogue::from_static(raw.get()).unwrap();
    assert_eq!(cat.name, "demo");
    assert_eq!(cat.version, "1.2.3");
    assert_eq!(cat.origin, Origin::Static);
    assert_eq!(cat.mechs[0].info, Leak::info());
    assert_eq!(cat.mechs[1].info, Syn::info());
    assert_eq!(cat.mechs[1].info.kind, Kind::Point);
    assert!(cat.mechs[1].has_net_init());
    assert!(!cat.mechs[0].has_net_init());
}

#[test]
fn registry_replaces_with_a_notice_and_keeps_order() {
    let a = build_catalogue("a", "1", vec![entry::<Leak>(), entry::<Syn>()]);
    let b = build_catalogue("b", "1", vec![entry::<Syn>()]);
    let mut r = Registry::new();
    assert!(r.add(&Catalogue::from_static(a.get()).unwrap()).is_empty());
    let notes = r.add(&Catalogue::from_static(b.get()).unwrap());
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("`Syn` from b") && notes[0].contains("replaces the one from a"));
    assert_eq!(r.get("Syn").unwrap().catalogue, "b");
    assert_eq!(r.names(), vec!["Syn".to_string(), "leaky".to_string()]);
}

#[test]
fn an_unavailable_mechanism_keeps_its_reason_until_added() {
    let mut r = Registry::new();
    r.mark_unavailable("Syn", "syn.mod:3: VERBATIM block");
    assert_eq!(r.unavailable("Syn"), Some("syn.mod:3: VERBATIM block"));
    assert_eq!(r.unavailable("Other"), None);
    let b = build_catalogue("b", "1", vec![entry::<Syn>()]);
    r.add(&Catalogue::from_static(b.get()).unwrap());
    assert_eq!(r.unavailable("Syn"), None);
    assert!(r.get("Syn").is_some());
}

fn cstr(s: &str) -> *const std::ffi::c_char {
    Box::leak(CString::new(s).unwrap().into_boxed_c_str()).as_ptr()
}

fn mech(name: *const std::ffi::c_char) -> RawMech {
    RawMech {
        name,
        kind: abi::KIND_DENSITY,
        flags: 0,
        builtin_rank: -1,
        source_file: std::ptr::null(),
        n_fields: 0,
        fields: std::ptr::null(),
        n_globals: 0,
        globals: std::ptr::null(),
        n_ions: 0,
        ions: std::ptr::null(),
        n_weights: 0,
        weight_names: std::ptr::null(),
        scratch_len: 0,
        init: None,
        current: None,
        state: None,
        net_receive: None,
        net_init: None,
        time_horizon: None,
    }
}

fn read(mechs: Vec<RawMech>) -> Result<Catalogue, mech_api::DescriptorError> {
    let n = mechs.len() as u32;
    let cat = Box::leak(Box::new(RawCatalogue {
        name: cstr("raw"),
        version: std::ptr::null(),
        n_mechs: n,
        mechs: Box::leak(mechs.into_boxed_slice()).as_ptr(),
    }));
    // SAFETY: everything the catalogue points to is leaked above.
    unsafe { Catalogue::from_raw(cat, Origin::Static) }
}

#[test]
fn malformed_descriptors_are_named() {
    let e = unsafe { Catalogue::from_raw(std::ptr::null(), Origin::Static) }.unwrap_err();
    assert!(e.message.contains("null"), "{e}");

    let e = read(vec![mech(std::ptr::null())]).unwrap_err();
    assert!(
        e.message.contains("mechanism name is a null pointer"),
        "{e}"
    );

    let bad_utf8 = Box::leak(Box::new([0xffu8, 0xfe, 0]));
    let e = read(vec![mech(bad_utf8.as_ptr() as *const _)]).unwrap_err();
    assert!(e.message.contains("not valid UTF-8"), "{e}");

    let mut m = mech(cstr("k"));
    m.kind = 9;
    assert!(read(vec![m])
        .unwrap_err()
        .message
        .contains("unknown kind code 9"));

    let mut m = mech(cstr("f"));
    m.n_fields = 3;
    assert!(read(vec![m])
        .unwrap_err()
        .message
        .contains("pointer is null"));

    let mut m = mech(cstr("f"));
    let fields = Box::leak(Box::new([RawField {
        name: cstr("g"),
        units: std::ptr::null(),
        kind: 7,
        default: 0.0,
        lower: 0.0,
        upper: 1.0,
    }]));
    m.n_fields = 1;
    m.fields = fields.as_ptr();
    assert!(read(vec![m])
        .unwrap_err()
        .message
        .contains("unknown field kind 7"));

    // FIELD_EVENT_ONLY marks parameters only (ABI 1.2).
    let field = |kind: u32| RawField {
        name: cstr("u"),
        units: std::ptr::null(),
        kind,
        default: 0.0,
        lower: 0.0,
        upper: 1.0,
    };
    let mut m = mech(cstr("s"));
    m.n_fields = 1;
    m.fields = Box::leak(Box::new([field(abi::FIELD_STATE | abi::FIELD_EVENT_ONLY)])).as_ptr();
    assert!(read(vec![m])
        .unwrap_err()
        .message
        .contains("unknown field kind 257"));
    let mut m = mech(cstr("p"));
    m.n_fields = 1;
    m.fields = Box::leak(Box::new([field(
        abi::FIELD_PARAMETER | abi::FIELD_EVENT_ONLY,
    )]))
    .as_ptr();
    let ok = read(vec![m]).unwrap();
    assert!(ok.mechs[0].info.fields[0].event_only);

    let mut m = mech(cstr("w"));
    m.kind = abi::KIND_POINT;
    m.n_weights = 1;
    let names = Box::leak(Box::new([cstr("weight")]));
    m.weight_names = names.as_ptr();
    assert!(read(vec![m])
        .unwrap_err()
        .message
        .contains("no NET_RECEIVE function"));

    let e = read(vec![mech(cstr("same")), mech(cstr("same"))]).unwrap_err();
    assert!(e.message.contains("`same` appears twice"), "{e}");

    let e = read(vec![mech(cstr("bad name!"))]).unwrap_err();
    assert!(e.message.contains("ASCII letters"), "{e}");
}
