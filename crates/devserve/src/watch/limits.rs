//! The kernel's inotify limits, which every program of a user shares: how many folders they may
//! watch (`fs.inotify.max_user_watches`) and how many watchers they may open
//! (`fs.inotify.max_user_instances`). An editor, a language server and a few dev servers can use
//! them up; then the watcher falls back to polling (see `watcher`) and says so once, with the
//! command that raises the limit.

use std::time::Duration;

/// Linux's `ENOSPC`: `inotify_add_watch` with no watch left (notify reports it as
/// `MaxFilesWatch`; this catches it should it come as a plain I/O error).
const ENOSPC: i32 = 28;
/// Linux's `EMFILE`: `inotify_init1` with no instance left (or no file descriptor left).
const EMFILE: i32 = 24;

/// Which limit a watcher ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// `fs.inotify.max_user_watches`: no folder can get a watch.
    Watches,
    /// `fs.inotify.max_user_instances`: no watcher can be opened.
    Instances,
}

impl Limit {
    /// The limit that `err` says was reached, `None` for any other error.
    pub(crate) fn of(err: &notify::Error) -> Option<Self> {
        match &err.kind {
            notify::ErrorKind::MaxFilesWatch => Some(Self::Watches),
            notify::ErrorKind::Io(io) => match io.raw_os_error() {
                Some(ENOSPC) => Some(Self::Watches),
                Some(EMFILE) => Some(Self::Instances),
                _ => None,
            },
            _ => None,
        }
    }

    /// The sysctl that sets it.
    pub(crate) fn sysctl(self) -> &'static str {
        match self {
            Self::Watches => "fs.inotify.max_user_watches",
            Self::Instances => "fs.inotify.max_user_instances",
        }
    }

    /// Where the running kernel shows its value.
    pub(crate) fn proc_file(self) -> &'static str {
        match self {
            Self::Watches => "/proc/sys/fs/inotify/max_user_watches",
            Self::Instances => "/proc/sys/fs/inotify/max_user_instances",
        }
    }

    /// The value to suggest, given the current one: what IDEs suggest (524288 watches, 1024
    /// instances), or twice the current value when that is already as high.
    pub(crate) fn suggested(self, current: Option<u64>) -> u64 {
        let usual = match self {
            Self::Watches => 524_288,
            Self::Instances => 1024,
        };
        current.map_or(usual, |current| usual.max(current.saturating_mul(2)))
    }

    /// The one message devserve prints when it falls back to polling every `interval`.
    pub(crate) fn message(self, current: Option<u64>, interval: Duration) -> String {
        let sysctl = self.sysctl();
        let value = self.suggested(current);
        let what = match self {
            Self::Watches => format!("the inotify watch limit is reached ({sysctl})"),
            Self::Instances => format!(
                "no inotify watcher can be opened: the inotify instance limit is reached ({sysctl}; or \
                 devserve's open-file limit, `ulimit -n`)"
            ),
        };
        format!(
            "{what}. devserve keeps working by polling the app's files every {} ms instead, so a save \
             shows up to that much later. To raise the limit: `sudo sysctl {sysctl}={value}`; to keep \
             it after a reboot: `echo {sysctl}={value} | sudo tee /etc/sysctl.d/90-inotify.conf`; then \
             restart devserve.",
            interval.as_millis()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_are_told_from_other_errors() {
        let io = |code| notify::Error::io(std::io::Error::from_raw_os_error(code));
        assert_eq!(Limit::of(&notify::Error::new(notify::ErrorKind::MaxFilesWatch)), Some(Limit::Watches));
        assert_eq!(Limit::of(&io(ENOSPC)), Some(Limit::Watches));
        assert_eq!(Limit::of(&io(EMFILE)), Some(Limit::Instances));
        assert_eq!(Limit::of(&io(2)), None, "ENOENT");
        assert_eq!(Limit::of(&notify::Error::path_not_found()), None);
        assert_eq!(Limit::of(&notify::Error::generic("no")), None);
    }

    #[test]
    fn the_suggestion_raises_the_limit() {
        assert_eq!(Limit::Watches.suggested(None), 524_288);
        assert_eq!(Limit::Watches.suggested(Some(8192)), 524_288);
        assert_eq!(Limit::Watches.suggested(Some(524_288)), 1_048_576);
        assert_eq!(Limit::Instances.suggested(Some(128)), 1024);
        assert_eq!(Limit::Instances.suggested(Some(u64::MAX)), u64::MAX);
    }

    #[test]
    fn the_message_names_the_sysctl_the_fallback_and_how_to_keep_the_setting() {
        let message = Limit::Watches.message(Some(8192), Duration::from_millis(500));
        assert_eq!(
            message,
            "the inotify watch limit is reached (fs.inotify.max_user_watches). devserve keeps working by \
             polling the app's files every 500 ms instead, so a save shows up to that much later. To raise \
             the limit: `sudo sysctl fs.inotify.max_user_watches=524288`; to keep it after a reboot: `echo \
             fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-inotify.conf`; then restart \
             devserve."
        );
        let message = Limit::Instances.message(None, Duration::from_millis(500));
        assert!(message.starts_with("no inotify watcher can be opened"), "{message}");
        assert!(message.contains("`sudo sysctl fs.inotify.max_user_instances=1024`"), "{message}");
    }
}
