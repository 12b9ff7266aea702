//! The translator's contract: every example translates; what it cannot translate
//! is a diagnostic `file:line: message`; `compile` builds the translatable files of
//! a folder into a catalogue whose descriptors are NEURON's (defaults printed with
//! `%g`, limits, ions, NET_RECEIVE arguments, globals).

use std::path::{Path, PathBuf};

fn errors(src: &str) -> Vec<String> {
    match nmodl::translate(src, "t.mod") {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(|d| d.to_string()).collect(),
    }
}

fn expect_error(src: &str, want: &str) {
    let e = errors(src);
    assert!(e.iter().any(|x| x == want), "wanted {want:?} in {e:?}");
}

#[test]
fn every_example_and_test_mechanism_translates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut n = 0;
    for dir in ["examples/nmodl", "tests/fixtures/nmodl/mods"] {
        let files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "mod"))
            .collect();
        let texts: Vec<String> = files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        // As a member of its folder (feat_re.mod's ion gets its VALENCE from feat_xo.mod).
        let valences = nmodl::folder_valences(texts.iter().map(String::as_str));
        for (p, src) in files.iter().zip(&texts) {
            {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                let t = nmodl::translate_with(src, &name, &valences)
                    .unwrap_or_else(|d| panic!("{name}: {d:?}"));
                assert!(t.source.contains("impl Mechanism for Mech"));
                n += 1;
            }
        }
    }
    assert!(n >= 19, "{n} files");
}

#[test]
fn diagnostics_name_the_file_and_line() {
    let head = "NEURON { SUFFIX d NONSPECIFIC_CURRENT i RANGE g }\nPARAMETER { g = 1 }\nASSIGNED { v i }\n";
    // undeclared variable and unknown function
    expect_error(
        &format!("{head}BREAKPOINT {{\n  i = g*(v - e_undefined)\n}}\n"),
        "t.mod:5: `e_undefined` is not declared",
    );
    expect_error(
        &format!("{head}BREAKPOINT {{\n  i = frobnicate(v)\n}}\n"),
        "t.mod:5: `frobnicate` is not a FUNCTION or PROCEDURE of this file nor a supported built-in",
    );
    // argument count
    expect_error(
        &format!("{head}FUNCTION f(x) {{ f = x }}\nBREAKPOINT {{\n  i = f(v, 1)\n}}\n"),
        "t.mod:6: `f` takes 1 argument(s), 2 given",
    );
    // C in VERBATIM
    let e = errors(&format!(
        "{head}BREAKPOINT {{ i = g*v }}\nPROCEDURE p() {{\nVERBATIM\n  hoc_execerror(\"x\", 0);\nENDVERBATIM\n}}\n"
    ));
    assert!(
        e.iter()
            .any(|x| x
                .starts_with("t.mod:6: VERBATIM block with C code (`hoc_execerror(\"x\", 0);` …)")),
        "{e:?}"
    );
    // unsupported blocks and statements
    expect_error(
        &format!("{head}BREAKPOINT {{ i = g*v }}\nBEFORE STEP {{ i = 0 }}\n"),
        "t.mod:5: BEFORE STEP block is not supported by synaptune nmodl (BEFORE BREAKPOINT, AFTER SOLVE, BEFORE INITIAL and AFTER INITIAL are)",
    );
    expect_error(
        "NEURON { POINT_PROCESS w BBCOREPOINTER vp }\nASSIGNED { vp }\n",
        "t.mod:1: BBCOREPOINTER is not supported by synaptune nmodl",
    );
    expect_error(
        &format!("{head}STATE {{ m }}\nBREAKPOINT {{\n  SOLVE s METHOD euler\n  i = g*m\n}}\nDERIVATIVE s {{ m' = -m }}\n"),
        "t.mod:6: METHOD euler is not supported (DERIVATIVE blocks: cnexp, derivimplicit)",
    );
    expect_error(
        &format!("{head}STATE {{ m n }}\nBREAKPOINT {{\n  SOLVE a METHOD cnexp\n  SOLVE b METHOD cnexp\n  i = g*m*n\n}}\nDERIVATIVE a {{ m' = -m }}\nDERIVATIVE b {{ n' = -n }}\n"),
        "t.mod:7: a second SOLVE … METHOD cnexp: nocmodl accepts one per file (use derivimplicit for the other)",
    );
    expect_error(
        "NEURON { POINT_PROCESS w }\nNET_RECEIVE(x) {\n  WATCH (v > 0) 1\n}\n",
        "t.mod:3: `WATCH` statement is not supported by synaptune nmodl",
    );
    expect_error(
        "NEURON { SUFFIX a }\nASSIGNED { x[3] }\n",
        "t.mod:2: array variable `x[3]` is not supported",
    );
    // context errors
    expect_error(
        &format!("{head}BREAKPOINT {{\n  i = g*v\n  net_send(1, 1)\n}}\n"),
        "t.mod:6: net_send is only allowed in NET_RECEIVE and INITIAL",
    );
    expect_error(
        &format!("{head}BREAKPOINT {{\n  i = flag\n}}\n"),
        "t.mod:5: `flag` is only defined in NET_RECEIVE",
    );
    // syntax
    expect_error(
        "NEURON { SUFFIX a }\nPARAMETER {\n  g = \n}\n",
        "t.mod:4: expected a number, found `}`",
    );
    expect_error(
        "NEURON { SUFFIX a }\nINITIAL {\n  x = (1 + \n}\n",
        "t.mod:4: expected an expression, found `}`",
    );
    expect_error(
        "NEURON { }\n",
        "t.mod:1: the NEURON block declares no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL",
    );
    // unit factors
    expect_error(
        "NEURON { SUFFIX a }\nUNITS {\n  X = (furlong) (coulomb)\n}\n",
        "t.mod:3: UNITS factor `X`: unknown unit `furlong`",
    );
}

#[test]
fn nocmodl_forms_are_generated() {
    let src = "NEURON { POINT_PROCESS syn NONSPECIFIC_CURRENT i RANGE tau }\n\
               PARAMETER { tau = 2 }\nASSIGNED { v i tnext }\nSTATE { g }\n\
               BREAKPOINT { SOLVE s METHOD cnexp\n i = g*v }\n\
               DERIVATIVE s { g' = -g/tau }\n\
               NET_RECEIVE(w) { tnext = t + 1  net_send(tnext - t, 1) }\n";
    let t = nmodl::translate(src, "syn.mod").unwrap();
    // cnexp: x + (1. - exp(dt*(de)))*(-(b)/(a) - x) with nocmodl's operands,
    // through the runtime's `cnexp(x, factor, target)`
    assert!(
        t.source.contains("self.f[F_g] = rt::cnexp(self.f[F_g], ((1.0f64 - rt::exp((self.dt * ((((-1.0f64)) / self.f[F_tau])))))), (((-(0.0f64)) / ((((-1.0f64)) / self.f[F_tau])))));"),
        "{}",
        t.source
    );
    // net_send(tnext - t, 1) is delivered at (t + tnext) - t
    assert!(
        t.source
            .contains("let te = ((self.t + self.f[F_tnext]) - self.t);"),
        "{}",
        t.source
    );
}

fn tmp(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
fn a_folder_compiles_into_a_catalogue_with_neurons_descriptors() {
    let mods = tmp("translate-mods");
    std::fs::write(
        mods.join("b_chan.mod"),
        "NEURON { SUFFIX chan USEION k READ ek WRITE ik RANGE gbar GLOBAL q10 }\n\
         PARAMETER { gbar = 0.0123456789 (S/cm2) <0, 1e9> q10 = 2.33333333 }\n\
         ASSIGNED { v (mV) ek (mV) ik (mA/cm2) }\nSTATE { n }\n\
         BREAKPOINT { SOLVE s METHOD cnexp\n ik = gbar*n*(v - ek) }\n\
         DERIVATIVE s { n' = (1 - n)*0.1 - n*0.2*q10 }\n",
    )
    .unwrap();
    std::fs::write(
        mods.join("a_syn.mod"),
        "NEURON { POINT_PROCESS SynT NONSPECIFIC_CURRENT i RANGE tau }\n\
         PARAMETER { tau = 2 (ms) }\nASSIGNED { v (mV) i (nA) }\nSTATE { g }\n\
         BREAKPOINT { SOLVE s METHOD cnexp\n i = g*v }\nDERIVATIVE s { g' = -g/tau }\n\
         NET_RECEIVE(w, last (ms)) { INITIAL { last = -1 } g = g + w  last = t }\n",
    )
    .unwrap();
    std::fs::write(
        mods.join("c_broken.mod"),
        "NEURON { SUFFIX broken }\nINITIAL { x = 1 }\n",
    )
    .unwrap();
    let out = tmp("translate-out");
    let r = nmodl::compile(&mods, &out, &nmodl::Options::default()).unwrap();
    let status: Vec<(&str, &str)> = r
        .files
        .iter()
        .map(|f| (f.file.as_str(), f.status.as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("a_syn.mod", "ok"),
            ("b_chan.mod", "ok"),
            ("c_broken.mod", "error")
        ]
    );
    assert_eq!(
        r.files[2].diagnostics[0].to_string(),
        "c_broken.mod:2: `x` is not declared"
    );
    assert_eq!(r.mechanisms, ["SynT", "chan"]);
    let lib = r.library.unwrap();
    let cats = mech_api::load_path(&lib).unwrap();
    let chan = cats[0]
        .mechs
        .iter()
        .find(|m| m.info.name == "chan")
        .unwrap();
    let i = &chan.info;
    assert_eq!(i.source_file, "b_chan.mod");
    assert_eq!(i.fields[0].name, "gbar");
    assert_eq!(i.fields[0].default, 0.0123457); // %g
    assert_eq!((i.fields[0].lower, i.fields[0].upper), (0.0, 1e9));
    assert_eq!(i.globals[0].name, "q10");
    assert_eq!(i.globals[0].default, 2.33333);
    assert_eq!(i.ions[0].name, "k");
    assert_eq!(
        i.ions[0].flags,
        mech_api::abi::ION_READ_E | mech_api::abi::ION_WRITE_I
    );
    let syn = cats[0]
        .mechs
        .iter()
        .find(|m| m.info.name == "SynT")
        .unwrap();
    assert_eq!(syn.info.weights, ["w", "last"]);
    assert!(syn.has_net_init());
    // Rebuilding an unchanged folder does not touch the library.
    let before = std::fs::metadata(&lib).unwrap().modified().unwrap();
    let r2 = nmodl::compile(&mods, &out, &nmodl::Options::default()).unwrap();
    assert_eq!(r2.library.unwrap(), lib);
    assert_eq!(std::fs::metadata(&lib).unwrap().modified().unwrap(), before);
}
