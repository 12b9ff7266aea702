//! [`Progress`]: a progress bar on stderr for jobs longer than a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A progress bar on stderr that appears only once the job has taken a second.
pub struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: Mutex<bool>,
}

impl Progress {
    /// A bar for `n` steps with a message.
    pub fn new(n: u64, msg: &str) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(n),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg.to_string());
        Progress {
            bar,
            start: Instant::now(),
            shown: Mutex::new(false),
        }
    }

    /// One step done.
    pub fn tick(&self) {
        if self.start.elapsed() > Duration::from_secs(1) {
            let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
            if !*shown {
                self.bar
                    .set_draw_target(indicatif::ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
        self.bar.inc(1);
    }

    /// Done.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
