//! [`TunerSpec`]: the one way to build a [`SynapseTuner`] — from a settings
//! file or from a SONATA/BMTK config, with the overrides a user gives (the
//! arguments of bmtool's `SynapseTuner(...)`). The CLI, the web tuner and the
//! Python package all build through it.

use crate::settings::TunerSettings;
use crate::{load_mechanisms, Budget, Cancel, Convention, Measure, SynapseTuner, TunerError};
use mech_api::Registry;
use std::path::{Path, PathBuf};

/// Where a tuner's connections come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// A settings file (bmtool's dictionaries plus the cell files).
    Settings(PathBuf),
    /// A SONATA/BMTK simulation or circuit config.
    Sonata {
        /// The config.
        config: PathBuf,
        /// The network (edge population); `None`: every network.
        network: Option<String>,
        /// The folder of `<post_cell>.json` cell files (default: the config's
        /// `components.templates_dir`).
        cells: Option<PathBuf>,
    },
    /// A settings file's contents given as JSON (bmtool's dictionaries passed
    /// from Python): `label` names it in messages, relative paths resolve
    /// against `base`.
    Json {
        /// The settings (`general_settings`, `conn_type_settings`, `cells`, ...).
        settings: serde_json::Value,
        /// What messages call it (`path()` returns it).
        label: PathBuf,
        /// The folder relative cell and mechanism paths start from.
        base: PathBuf,
    },
}

impl ModelSource {
    /// The settings this source describes.
    pub fn load(&self) -> Result<TunerSettings, TunerError> {
        match self {
            ModelSource::Settings(p) => Ok(TunerSettings::from_file(p)?),
            ModelSource::Sonata {
                config,
                network,
                cells,
            } => TunerSettings::from_sonata(config, network.as_deref(), cells.as_deref()),
            ModelSource::Json {
                settings,
                label,
                base,
            } => Ok(TunerSettings::from_value(settings, label, base)?),
        }
    }

    /// The networks a config has, as bmtool lists them (none for a settings file).
    pub fn networks(&self) -> Result<Vec<String>, TunerError> {
        match self {
            ModelSource::Settings(_) | ModelSource::Json { .. } => Ok(Vec::new()),
            ModelSource::Sonata { config, .. } => {
                let cfg = sonata_config::Config::load(config)?;
                Ok(sonata_config::networks(&cfg))
            }
        }
    }

    /// The same source restricted to `network` (a settings file has none).
    pub fn with_network(&self, network: &str) -> ModelSource {
        match self {
            ModelSource::Settings(_) | ModelSource::Json { .. } => self.clone(),
            ModelSource::Sonata { config, cells, .. } => ModelSource::Sonata {
                config: config.clone(),
                network: Some(network.to_string()),
                cells: cells.clone(),
            },
        }
    }

    /// The file the model is read from.
    pub fn path(&self) -> &Path {
        match self {
            ModelSource::Settings(p) => p,
            ModelSource::Sonata { config, .. } => config,
            ModelSource::Json { label, .. } => label,
        }
    }
}

/// How a [`Notice`] should be presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    /// Something done on the user's behalf (parameters read from a folder).
    Info,
    /// Something the user may not expect (a built-in mechanism replaced).
    Notice,
    /// Probably a mistake (a parameter the synapse does not have, ignored).
    Warning,
}

/// A message for the user from building a tuner; the library prints nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How to present it.
    pub level: NoticeLevel,
    /// What happened.
    pub text: String,
}

impl Notice {
    pub(crate) fn new(level: NoticeLevel, text: impl Into<String>) -> Notice {
        Notice {
            level,
            text: text.into(),
        }
    }
}

/// A built tuner and what the user should be told about it.
#[derive(Debug, Clone)]
pub struct Built {
    /// The tuner, on its connection with every override applied.
    pub tuner: SynapseTuner,
    /// Notices, in the order they arose.
    pub notices: Vec<Notice>,
}

/// Everything that says which tuner to build.
#[derive(Debug, Clone)]
pub struct TunerSpec {
    /// The model.
    pub source: ModelSource,
    /// The connection (default: the first).
    pub connection: Option<String>,
    /// Which definitions the metrics use.
    pub convention: Convention,
    /// Extra mechanism catalogues (shared libraries or folders of them), loaded
    /// over the standard catalogue before the settings' own `mechanisms`.
    pub mechanisms: Vec<PathBuf>,
    /// A folder of `<connection>.json` parameter files (bmtool's `json_folder_path`).
    pub json_folder: Option<PathBuf>,
    /// Voltage-clamp mode (default: `general_settings.vclamp`).
    pub vclamp: Option<bool>,
    /// Synaptic parameters to set on the connection.
    pub params: Vec<(String, f64)>,
    /// Extra synapse variables to record (`record_Pr`, ...).
    pub record: Vec<String>,
    /// Which synapse variable is its current (bmtool's `current_name`;
    /// default: the settings' `current_name`, else `i`).
    pub current_name: Option<String>,
    /// Which current the responses are measured on (default: the
    /// convention's choice; see [`Measure`]).
    pub measure: Option<Measure>,
    /// bmtool's `templates_dir`: a `.hoc` file or a folder of them, read for
    /// every post cell the settings give no existing cell file (see
    /// [`crate::load_cell_file`]).
    pub templates: Option<PathBuf>,
    /// The work every protocol may ask for (see [`Budget`]).
    pub budget: Budget,
    /// Set this flag to stop the tuner's simulations (Ctrl-C, a client gone).
    pub cancel: Option<Cancel>,
}

impl TunerSpec {
    /// A spec of `source` with nothing overridden.
    pub fn new(source: ModelSource) -> TunerSpec {
        TunerSpec {
            source,
            connection: None,
            convention: Convention::Default,
            mechanisms: Vec::new(),
            json_folder: None,
            vclamp: None,
            params: Vec::new(),
            record: Vec::new(),
            current_name: None,
            measure: None,
            templates: None,
            budget: Budget::default(),
            cancel: None,
        }
    }

    /// The standard catalogue plus `mechanisms` and the settings' own
    /// catalogues, in that order; a replaced built-in is a notice.
    fn registry(
        &self,
        settings: &TunerSettings,
        notices: &mut Vec<Notice>,
    ) -> Result<Registry, TunerError> {
        let mut reg = standard_mechanisms::registry();
        for p in &self.mechanisms {
            let context = format!("loading mechanisms from {}", p.display());
            notices.extend(load_mechanisms(&mut reg, p, &context)?);
        }
        for p in &settings.mechanisms {
            let context = format!("loading mechanisms listed in {}", settings.source.display());
            notices.extend(load_mechanisms(&mut reg, p, &context)?);
        }
        Ok(reg)
    }

    /// Build the tuner: load the model and the mechanisms, apply the
    /// parameter folder, choose the connection, apply the overrides.
    pub fn build(&self) -> Result<Built, TunerError> {
        let mut notices = Vec::new();
        let mut settings = self.source.load()?;
        let reg = self.registry(&settings, &mut notices)?;
        if let Some(dir) = &self.json_folder {
            let done = settings.apply_json_folder(dir)?;
            notices.push(Notice::new(
                NoticeLevel::Info,
                format!(
                    "updated {} connection(s) from {}",
                    done.len(),
                    dir.display()
                ),
            ));
        }
        if let Some(n) = &self.current_name {
            settings.current_name = Some(n.clone());
        }
        if let Some(t) = &self.templates {
            settings.use_templates(t);
        }
        let mut t = SynapseTuner::new(reg, settings, self.connection.as_deref(), self.convention)?;
        if let Some(v) = self.vclamp {
            t.set_vclamp(v);
        }
        t.set_measure(self.measure);
        t.set_budget(self.budget);
        t.set_cancel(self.cancel.clone());
        for (k, v) in &self.params {
            t.set_param(k, *v)?;
        }
        t.set_extra_records(&self.record)?;
        notices.extend(
            t.warnings()
                .iter()
                .map(|w| Notice::new(NoticeLevel::Warning, w.clone())),
        );
        if let Some(text) = t.random_notice() {
            notices.push(Notice::new(NoticeLevel::Notice, text));
        }
        Ok(Built { tuner: t, notices })
    }
}
