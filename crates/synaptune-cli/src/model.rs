//! The model flags as library values: `--settings`/`--config` and the
//! overrides become a `tuner_opt::TunerSpec`; `--mechanisms` a registry. The
//! notices the libraries return are printed here, on stderr.

use crate::cli::{Common, Compat, ModelArgs};
use crate::parse::name_value;
use anyhow::{Context, Result};
use mech_api::Registry;
use tuner_opt::{Convention, ModelSource, Notice, NoticeLevel, SynapseTuner, TunerSpec};

/// Print the libraries' notices as `synaptune: [notice: |warning: ]TEXT`.
pub fn print_notices(notices: &[Notice]) {
    for n in notices {
        match n.level {
            NoticeLevel::Info => eprintln!("synaptune: {}", n.text),
            NoticeLevel::Notice => eprintln!("synaptune: notice: {}", n.text),
            NoticeLevel::Warning => eprintln!("synaptune: warning: {}", n.text),
        }
    }
}

/// The convention `--compat` names.
pub fn convention(c: Compat) -> Convention {
    match c {
        Compat::Default => Convention::Default,
        Compat::Bmtool => Convention::Bmtool,
    }
}

/// The tuner the model flags describe.
pub fn spec(m: &ModelArgs, common: &Common) -> Result<TunerSpec> {
    let source = match (&m.settings, &m.config) {
        (Some(s), _) => ModelSource::Settings(s.clone()),
        (None, Some(c)) => ModelSource::Sonata {
            config: c.clone(),
            network: m.network.clone(),
            cells: m.cells.clone(),
        },
        (None, None) => anyhow::bail!("give a model: --settings FILE or --config FILE"),
    };
    let mut spec = TunerSpec::new(source);
    spec.connection = m.connection.clone();
    spec.convention = convention(m.compat);
    spec.mechanisms = common.mechanisms.clone();
    spec.json_folder = m.json_folder.clone();
    spec.vclamp = (m.vclamp || m.no_vclamp).then_some(m.vclamp);
    spec.params = m
        .set
        .iter()
        .map(|s| name_value(s, "--set", "Use=0.3"))
        .collect::<Result<_>>()?;
    spec.record = m.record.clone();
    Ok(spec)
}

/// Build the tuner the model flags describe; its notices go to stderr.
pub fn tuner(m: &ModelArgs, common: &Common) -> Result<SynapseTuner> {
    let built = spec(m, common)?.build()?;
    print_notices(&built.notices);
    Ok(built.tuner)
}

/// The standard catalogue plus every `--mechanisms` library, in order; replaced
/// built-ins are reported on stderr.
pub fn registry(common: &Common) -> Result<Registry> {
    let mut reg = standard_mechanisms::registry();
    for path in &common.mechanisms {
        let cats = mech_api::load_path(path)
            .with_context(|| format!("loading mechanisms from {}", path.display()))?;
        for cat in &cats {
            for notice in reg.add(cat) {
                eprintln!("synaptune: notice: {notice}");
            }
        }
    }
    Ok(reg)
}
