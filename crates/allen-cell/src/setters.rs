//! BMTK's `model_processing` functions (`bmtk/simulator/bionet/default_setters/
//! cell_models.py`, BMTK 1.2.0), statement by statement:
//!
//! * `fix_axon_peri`: the reconstructed axon is deleted and two sections
//!   `axon[0]`, `axon[1]` of L = 30 µm, diam = 1 µm are created, appended to
//!   `axonal` and `all`, connected `axon[0](0)` to `soma[0](0.5)` and `axon[1](0)`
//!   to `axon[0](1)`, then `h.define_shape()` gives them points;
//! * `fix_axon_allactive`: the same, connected at `soma[0](1)`, with the
//!   diameters `axon[0].diam` and the last axon section's `diam` (segment means
//!   at nseg = 1) instead of 1;
//! * `set_params_peri`: every section gets `Ra = passive.ra`, `cm` of its type
//!   from `passive.cm` (a type without an entry fails, as Python's `KeyError`),
//!   `pas` with `e = passive.e_pas`; each `genome` entry inserts its mechanism
//!   into the sections of its type and sets `name = value`; each
//!   `conditions.erev` entry sets `ena` and `ek` in the sections of its type
//!   (NEURON refuses if the section has no sodium or potassium mechanism);
//! * `set_params_allactive`: `pas` everywhere; `e_pas`, `ra`, `cm` only if
//!   given; genome values read with `float()` (strings allowed), `glob` entries
//!   skipped with a warning; `ek`/`ena` only where the ion is present.
//!
//! A section's type is BMTK's `sec.name().split(".")[1][:4]`. `name = value` is
//! NEURON's `setattr(sec, name, value)`: `cm`, `Ra`, a parameter
//! `<param>_<mechanism>` of a mechanism inserted in the section, or an ion's
//! `e<ion>`, `<ion>i`, `<ion>o`.

use crate::dynamics::{Dynamics, Field};
use crate::error::Error;
use crate::hoccell::{Geom, HocCell};
use cable_core::cell::{CellSpec, Geometry, IonSetting, MechInsert, SectionSpec};
use std::collections::BTreeMap;

/// Which ions each mechanism uses (`USEION`), to decide what NEURON's
/// `ismembrane("na_ion")` says and where `sec.ena = ...` fails.
pub type IonTable = BTreeMap<String, Vec<String>>;

/// The [`IonTable`] of every mechanism a registry holds (NEURON's `USEION`).
pub fn ion_table(reg: &mech_api::Registry) -> IonTable {
    reg.types()
        .iter()
        .map(|t| {
            let ions = t.info.ions.iter().map(|i| i.name.clone()).collect();
            (t.info.name.clone(), ions)
        })
        .collect()
}

/// The sections of `all` whose type key is `key`, in `all` order.
fn of_type(cell: &HocCell, key: &str) -> Vec<usize> {
    cell.all
        .iter()
        .copied()
        .filter(|&k| cell.secs[k].key() == key)
        .collect()
}

/// `soma[0]`, which the axon stubs attach to.
fn soma0(cell: &HocCell, name: &str) -> Result<usize, Error> {
    cell.all
        .iter()
        .copied()
        .find(|&k| cell.secs[k].name == "soma[0]")
        .ok_or_else(|| Error::Processing {
            name: name.into(),
            message: "the morphology has no soma (SWC type 1); the axon stub attaches to soma[0]"
                .into(),
        })
}

/// Delete the reconstructed axon (`for sec in hobj.axon: h.delete_section()`).
fn delete_axon(cell: &mut HocCell, name: &str) -> Result<(), Error> {
    let axon: Vec<usize> = (0..cell.secs.len())
        .filter(|&k| cell.secs[k].alive && cell.secs[k].name.starts_with("axon["))
        .collect();
    if axon.is_empty() {
        return Err(Error::Processing {
            name: name.into(),
            message: "the morphology has no axon (SWC type 2); BMTK replaces the axon and NEURON \
                      stops on a cell without one (\"section in the object was deleted\")"
                .into(),
        });
    }
    for k in 0..cell.secs.len() {
        let s = &cell.secs[k];
        if let (true, Some((p, _))) = (s.alive, s.parent) {
            if axon.contains(&p) && !axon.contains(&k) {
                return Err(Error::Processing {
                    name: name.into(),
                    message: format!(
                        "{} is attached to {}: deleting the axon would leave it disconnected \
                         (a second tree)",
                        s.name, cell.secs[p].name
                    ),
                });
            }
        }
    }
    for k in axon {
        cell.delete(k);
    }
    Ok(())
}

/// Create `axon[0]`, `axon[1]` (L = 30 µm and the given diameters), append them
/// to `axonal` and `all`, connect them at `soma[0](x)` and `axon[0](1)`, and
/// give them points with `define_shape()`.
fn axon_stub(cell: &mut HocCell, soma: usize, x: f64, diams: [f64; 2]) {
    let a0 = cell.create("axon[0]".into(), 30.0, diams[0]);
    let a1 = cell.create("axon[1]".into(), 30.0, diams[1]);
    for a in [a0, a1] {
        if let Some((_, l)) = cell.lists.iter_mut().find(|(n, _)| n == "axonal") {
            l.push(a);
        }
        cell.all.push(a);
    }
    cell.connect(a0, soma, x);
    cell.connect(a1, a0, 1.0);
    cell.define_shape();
}

/// `fix_axon_peri`.
pub(crate) fn fix_axon_peri(cell: &mut HocCell) -> Result<(), Error> {
    const NAME: &str = "aibs_perisomatic";
    let soma = soma0(cell, NAME)?;
    delete_axon(cell, NAME)?;
    axon_stub(cell, soma, 0.5, [1.0, 1.0]);
    Ok(())
}

/// `fix_axon_allactive`.
pub(crate) fn fix_axon_allactive(cell: &mut HocCell) -> Result<(), Error> {
    const NAME: &str = "aibs_allactive";
    let soma = soma0(cell, NAME)?;
    let axon0 =
        (0..cell.secs.len()).find(|&k| cell.secs[k].alive && cell.secs[k].name == "axon[0]");
    let last_axon = cell
        .all
        .iter()
        .copied()
        .rfind(|&k| cell.secs[k].key() == "axon");
    let diams = match (axon0, last_axon) {
        (Some(a), Some(b)) => [segment_diam(cell, a), segment_diam(cell, b)],
        _ => [0.0, 0.0], // delete_axon reports the missing axon
    };
    delete_axon(cell, NAME)?;
    axon_stub(cell, soma, 1.0, diams);
    Ok(())
}

/// `sec.diam` of a section with one segment: NEURON's mean diameter over its
/// pt3d points (cable-core's discretisation computes it as NEURON does).
fn segment_diam(cell: &HocCell, k: usize) -> f64 {
    let s = &cell.secs[k];
    let geometry = match &s.geom {
        Geom::Pt3d { points, arcs } => Geometry::PointsArcs {
            points: points.clone(),
            arcs: arcs.clone(),
        },
        Geom::Cylinder { diam, .. } => return *diam,
    };
    let one = CellSpec {
        name: String::new(),
        sections: vec![SectionSpec {
            name: s.name.clone(),
            parent: None,
            geometry,
            nseg: 1,
            cm: 1.0.into(),
            ra: 35.4,
            mechanisms: Vec::new(),
            ions: Vec::new(),
        }],
        section_lists: Vec::new(),
        connection_order: None,
        globals: Vec::new(),
        celsius: None,
        source: Default::default(),
    };
    cable_core::geometry::discretize(&[&one]).seg_diam[0][0][0]
}

/// The setters' shared context: the file (for errors), the ion table, notes.
pub(crate) struct Setter<'a> {
    pub d: &'a Dynamics,
    pub ions: Option<&'a IonTable>,
    pub notes: &'a mut Vec<String>,
}

impl Setter<'_> {
    fn fail(&self, field: &Field, cell: &HocCell, k: usize, message: String) -> Error {
        Error::Setter {
            file: self.d.file.clone(),
            field: field.path().to_string(),
            section: cell.secs[k].name.clone(),
            message,
        }
    }

    /// Whether section `k` has ion `ion` (`ismembrane("<ion>_ion")`), when the
    /// ion table covers all its mechanisms.
    fn has_ion(&self, cell: &HocCell, k: usize, ion: &str) -> Option<bool> {
        let table = self.ions?;
        let mut any = false;
        for m in &cell.secs[k].mechs {
            if m.name == "pas" {
                continue;
            }
            let ions = table.get(&m.name)?;
            any |= ions.iter().any(|i| i == ion);
        }
        Some(any)
    }

    /// `setattr(sec, name, value)` on section `k`.
    fn set(
        &self,
        cell: &mut HocCell,
        k: usize,
        name: &str,
        value: f64,
        at: &Field,
    ) -> Result<(), Error> {
        match name {
            "cm" | "Ra" => {
                let ok = if name == "cm" { value >= 0.0 } else { value > 0.0 };
                if !ok {
                    let need = if name == "cm" { "≥ 0" } else { "> 0" };
                    return Err(self.fail(at, cell, k, format!("{name} = {value}: must be {need}")));
                }
                let s = &mut cell.secs[k];
                if name == "cm" {
                    s.cm = value;
                } else {
                    s.ra = value;
                }
                return Ok(());
            }
            "L" | "diam" | "nseg" | "rallbranch" => {
                return Err(self.fail(
                    at,
                    cell,
                    k,
                    format!("setting `{name}` changes the geometry, which synaptune does not take from dynamics_params"),
                ))
            }
            _ => {}
        }
        if let Some((mech, param)) = mechanism_parameter(&cell.secs[k].mechs, name) {
            let m = cell.secs[k]
                .mechs
                .iter_mut()
                .find(|m| m.name == mech)
                .expect("found among the section's mechanisms");
            set_param(m, &param, value);
            return Ok(());
        }
        if let Some((ion, what)) = ion_variable(name) {
            if self.has_ion(cell, k, &ion) == Some(false) {
                return Err(self.fail(
                    at,
                    cell,
                    k,
                    format!("{name}, the mechanism does not exist at {}(0.5) (no mechanism of the section uses {ion}; NEURON refuses)", cell.secs[k].name),
                ));
            }
            set_ion(&mut cell.secs[k].ions, &ion, what, value);
            return Ok(());
        }
        let inserted: Vec<&str> = cell.secs[k].mechs.iter().map(|m| m.name.as_str()).collect();
        Err(self.fail(
            at,
            cell,
            k,
            format!(
                "`{name}` is not cm, Ra, an ion variable or `<parameter>_<mechanism>` of a mechanism \
                 inserted in the section (inserted: {})",
                inserted.join(", ")
            ),
        ))
    }
}

/// `sec.insert(mech)` (once).
fn insert(cell: &mut HocCell, k: usize, mech: &str) {
    let s = &mut cell.secs[k];
    if !s.mechs.iter().any(|m| m.name == mech) {
        s.mechs.push(MechInsert {
            name: mech.to_string(),
            params: Vec::new(),
        });
    }
}

fn set_param(m: &mut MechInsert, param: &str, value: f64) {
    match m.params.iter_mut().find(|(p, _)| p == param) {
        Some(slot) => slot.1 = value.into(),
        None => m.params.push((param.to_string(), value.into())),
    }
}

/// Which ion setting a name is: `e<ion>` (0), `<ion>i` (1), `<ion>o` (2).
fn ion_variable(name: &str) -> Option<(String, u8)> {
    let ok = |ion: &str| {
        !ion.is_empty()
            && ion
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if let Some(ion) = name.strip_prefix('e') {
        if ok(ion) {
            return Some((ion.to_string(), 0));
        }
    }
    if let Some(ion) = name.strip_suffix('i') {
        if ok(ion) {
            return Some((ion.to_string(), 1));
        }
    }
    if let Some(ion) = name.strip_suffix('o') {
        if ok(ion) {
            return Some((ion.to_string(), 2));
        }
    }
    None
}

fn set_ion(ions: &mut Vec<IonSetting>, ion: &str, what: u8, value: f64) {
    let i = match ions.iter().position(|s| s.ion == ion) {
        Some(i) => i,
        None => {
            ions.push(IonSetting {
                ion: ion.to_string(),
                e: None,
                ci: None,
                co: None,
            });
            ions.len() - 1
        }
    };
    let s = &mut ions[i];
    match what {
        0 => s.e = Some(value.into()),
        1 => s.ci = Some(value.into()),
        _ => s.co = Some(value.into()),
    }
}

/// `<param>_<mech>` for a mechanism of the section (the longest name that fits).
fn mechanism_parameter(mechs: &[MechInsert], name: &str) -> Option<(String, String)> {
    mechs
        .iter()
        .filter_map(|m| {
            let param = name.strip_suffix(m.name.as_str())?.strip_suffix('_')?;
            (!param.is_empty()).then(|| (m.name.clone(), param.to_string()))
        })
        .max_by_key(|(m, _)| m.len())
}

/// A genome entry's section type, mechanism (`""` for none) and name.
fn genome_entry<'a>(
    g: &Field<'a>,
    mechanism_required: bool,
) -> Result<(&'a str, &'a str, &'a str), Error> {
    let section = g.get("section")?.string()?;
    let mech = if mechanism_required {
        g.get("mechanism")?.string()?
    } else {
        match g.opt("mechanism")? {
            Some(m) => m.string()?,
            None => "",
        }
    };
    Ok((section, mech, g.get("name")?.string()?))
}

/// `set_params_peri`.
pub(crate) fn set_params_peri(cell: &mut HocCell, st: &mut Setter) -> Result<(), Error> {
    let d = st.d;
    let passive = d.top("passive")?.first()?;
    let conditions = d.top("conditions")?.first()?;
    let genome = d.top("genome")?;
    let mut cm_dict: Vec<(String, f64, Field)> = Vec::new();
    for c in passive.get("cm")?.items()? {
        let section = c.get("section")?.string()?.to_string();
        let cm = c.get("cm")?.number()?;
        cm_dict.retain(|(s, _, _)| *s != section);
        cm_dict.push((section, cm, c));
    }
    for k in cell.all.clone() {
        let ra = passive.get("ra")?;
        st.set(cell, k, "Ra", ra.number()?, &ra)?;
        let key = cell.secs[k].key().to_string();
        let Some((_, cm, at)) = cm_dict.iter().find(|(s, _, _)| *s == key) else {
            return Err(st.fail(
                &passive.get("cm")?,
                cell,
                k,
                format!("no entry for section type `{key}` (BMTK: KeyError '{key}')"),
            ));
        };
        st.set(cell, k, "cm", *cm, &at.clone())?;
        insert(cell, k, "pas");
        let e = passive.get("e_pas")?;
        st.set(cell, k, "e_pas", e.number()?, &e)?;
    }
    for g in genome.items()? {
        let (section, mech, name) = genome_entry(&g, true)?;
        let value = g.get("value")?;
        for k in of_type(cell, section) {
            if !mech.is_empty() {
                insert(cell, k, mech);
            }
            st.set(cell, k, name, value.number()?, &g)?;
        }
    }
    for erev in conditions.get("erev")?.items()? {
        let section = erev.get("section")?.string()?;
        for k in of_type(cell, section) {
            let ena = erev.get("ena")?;
            st.set(cell, k, "ena", ena.number()?, &ena)?;
            let ek = erev.get("ek")?;
            st.set(cell, k, "ek", ek.number()?, &ek)?;
        }
    }
    Ok(())
}

/// `set_params_allactive`.
pub(crate) fn set_params_allactive(cell: &mut HocCell, st: &mut Setter) -> Result<(), Error> {
    let d = st.d;
    let passive = d.top("passive")?.first()?;
    let genome = d.top("genome")?;
    let conditions = d.top("conditions")?.first()?;
    for k in cell.all.clone() {
        insert(cell, k, "pas");
    }
    if let Some(e) = passive.opt("e_pas")? {
        for k in cell.all.clone() {
            st.set(cell, k, "e_pas", e.number()?, &e)?;
        }
    }
    if let Some(ra) = passive.opt("ra")? {
        for k in cell.all.clone() {
            st.set(cell, k, "Ra", ra.number()?, &ra)?;
        }
    }
    if let Some(cms) = passive.opt("cm")? {
        for c in cms.items()? {
            let cm = c.get("cm")?;
            for k in of_type(cell, c.get("section")?.string()?) {
                st.set(cell, k, "cm", cm.number()?, &cm)?;
            }
        }
    }
    for g in genome.items()? {
        if g.get("section")?.string()? == "glob" {
            st.notes.push(format!(
                "{}: {}: section `glob` skipped (BMTK: \"There is a section called glob, probably old json file\")",
                d.file.display(),
                g.path()
            ));
            continue;
        }
        let value = g.get("value")?.float()?;
        let (section, mech, name) = genome_entry(&g, false)?;
        for k in of_type(cell, section) {
            if !mech.is_empty() {
                insert(cell, k, mech);
            }
            st.set(cell, k, name, value, &g)?;
        }
    }
    for erev in conditions.get("erev")?.items()? {
        let section = erev.get("section")?.string()?;
        let (ena, ek) = (erev.get("ena")?, erev.get("ek")?);
        let secs = of_type(cell, section);
        if secs.is_empty() {
            st.notes.push(format!(
                "{}: {}: no section of type `{section}` (BMTK: \"Can't set erev for {section}, section array doesn't exist\")",
                d.file.display(),
                erev.path()
            ));
        }
        for k in secs {
            if st.has_ion(cell, k, "k") != Some(false) {
                st.set(cell, k, "ek", ek.number()?, &ek)?;
            }
            if st.has_ion(cell, k, "na") != Some(false) {
                st.set(cell, k, "ena", ena.number()?, &ena)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_neuron_attributes() {
        let mechs = vec![
            MechInsert {
                name: "pas".into(),
                params: vec![],
            },
            MechInsert {
                name: "HVA".into(),
                params: vec![],
            },
            MechInsert {
                name: "Ca_HVA".into(),
                params: vec![],
            },
        ];
        assert_eq!(
            mechanism_parameter(&mechs, "g_pas"),
            Some(("pas".into(), "g".into()))
        );
        assert_eq!(
            mechanism_parameter(&mechs, "gbar_Ca_HVA"),
            Some(("Ca_HVA".into(), "gbar".into()))
        );
        assert_eq!(mechanism_parameter(&mechs, "gbar_NaTs"), None);
        assert_eq!(mechanism_parameter(&mechs, "_pas"), None);
        assert_eq!(ion_variable("ena"), Some(("na".into(), 0)));
        assert_eq!(ion_variable("cai"), Some(("ca".into(), 1)));
        assert_eq!(ion_variable("ko"), Some(("k".into(), 2)));
        assert_eq!(ion_variable("gbar_X"), None);
    }
}
