//! The model flags as library values: `--settings`/`--config` and the
//! overrides become a `tuner_opt::TunerSpec`; `--mechanisms` a registry. The
//! notices the libraries return are printed here, on stderr.

use crate::cli::{BudgetArgs, Common, Compat, MeasureArg, ModelArgs};
use crate::parse::name_value;
use anyhow::Result;
use mech_api::Registry;
use tuner_opt::{
    Budget, Convention, Measure, ModelSource, Notice, NoticeLevel, SynapseTuner, TunerSpec,
};

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
    spec.templates = m.templates.clone();
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
    spec.current_name = m.current_name.clone();
    spec.measure = m.measure.map(|x| match x {
        MeasureArg::Synapse => Measure::Synapse,
        MeasureArg::Clamp => Measure::Clamp,
    });
    spec.budget = budget(&m.budget, Budget::DEFAULT)?;
    Ok(spec)
}

/// `--max-steps` and `--max-memory` over `default`.
pub fn budget(b: &BudgetArgs, default: Budget) -> Result<Budget> {
    let mut out = default;
    if let Some(n) = b.max_steps {
        if n.is_nan() || n < 1.0 {
            anyhow::bail!("--max-steps {n}: expected a number of steps ≥ 1");
        }
        out.max_steps = if n >= u64::MAX as f64 {
            u64::MAX
        } else {
            n as u64
        };
    }
    if let Some(m) = b.max_memory {
        if m.is_nan() || m <= 0.0 {
            anyhow::bail!("--max-memory {m}: expected MiB > 0");
        }
        let bytes = m * (1u64 << 20) as f64;
        out.max_memory = if bytes >= u64::MAX as f64 {
            u64::MAX
        } else {
            bytes as u64
        };
    }
    Ok(out)
}

/// Build the tuner the model flags describe, its simulations stopped by
/// Ctrl-C; its notices go to stderr.
pub fn tuner(m: &ModelArgs, common: &Common) -> Result<SynapseTuner> {
    let mut spec = spec(m, common)?;
    spec.cancel = Some(crate::interrupt::flag());
    let built = spec.build()?;
    print_notices(&built.notices);
    Ok(built.tuner)
}

/// The standard catalogue plus every `--mechanisms` catalogue (a library, a
/// folder of them or a folder of `.mod` files), in order; the notices go to
/// stderr.
pub fn registry(common: &Common) -> Result<Registry> {
    let mut reg = standard_mechanisms::registry();
    for path in &common.mechanisms {
        let context = format!("loading mechanisms from {}", path.display());
        print_notices(&tuner_opt::load_mechanisms(&mut reg, path, &context)?);
    }
    Ok(reg)
}
