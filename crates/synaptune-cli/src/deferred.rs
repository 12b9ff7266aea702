//! [`Deferred`]: a subcommand's arguments defined only when that subcommand
//! is the one invoked.
//!
//! clap's derive builds every subcommand's arguments before it parses any,
//! which here (17 commands, a few hundred arguments with their help) took
//! about a third of a millisecond of every run; with [`clap::Command::defer`]
//! only the invoked command's arguments are built (and all of them for
//! `--help` and the completeness checks, which build everything).

use clap::{ArgMatches, Args, Command, Error, FromArgMatches};

/// The arguments `T` of one subcommand, built when clap enters it.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, Error> {
        T::from_arg_matches(m).map(Deferred)
    }

    fn from_arg_matches_mut(m: &mut ArgMatches) -> Result<Self, Error> {
        T::from_arg_matches_mut(m).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), Error> {
        self.0.update_from_arg_matches(m)
    }

    fn update_from_arg_matches_mut(&mut self, m: &mut ArgMatches) -> Result<(), Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }

    fn augment_args(cmd: Command) -> Command {
        cmd.defer(|c| keeping_about(c, T::augment_args))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        cmd.defer(|c| keeping_about(c, T::augment_args_for_update))
    }
}

/// `add(c)` with `c`'s help text kept: the subcommand's (its variant's doc
/// comment, set before the deferred arguments are added), not that of the
/// arguments' struct, as without deferral.
fn keeping_about(c: Command, add: fn(Command) -> Command) -> Command {
    let (about, long) = (c.get_about().cloned(), c.get_long_about().cloned());
    let c = add(c);
    let c = match about {
        Some(a) => c.about(a),
        None => c.about(None::<&'static str>),
    };
    match long {
        Some(l) => c.long_about(l),
        None => c.long_about(None::<&'static str>),
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::CommandFactory;

    #[test]
    fn deferred_commands_are_complete_and_keep_their_help() {
        let mut cmd = Cli::command();
        cmd.build();
        cmd.clone().debug_assert();
        let se = cmd.find_subcommand("single-event").unwrap();
        assert_eq!(
            se.get_about().map(|a| a.to_string()).as_deref(),
            Some("A single synaptic event at tstart: kinetics (bmtool's SingleEvent)")
        );
        assert!(se.get_arguments().any(|a| a.get_long() == Some("settings")));
        assert!(cmd.get_subcommands().all(|s| s.get_about().is_some()));
    }
}
