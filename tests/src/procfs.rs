//! What Linux's `/proc` says about a process: its memory and its inotify watches, for tests and
//! benchmarks that report or bound them.
//!
//! ```
//! let memory = devserve_e2e::Memory::of(std::process::id()).unwrap();
//! assert!(memory.rss_kb > 0 && memory.hwm_kb >= memory.rss_kb);
//! ```

use crate::{HarnessError, Result};

/// A process's resident memory, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`), in KiB.
    pub rss_kb: u64,
    /// The highest resident set size so far (`VmHWM`), in KiB.
    pub hwm_kb: u64,
}

impl Memory {
    /// The memory of process `pid` now.
    pub fn of(pid: u32) -> Result<Self> {
        let path = format!("/proc/{pid}/status");
        let status =
            std::fs::read_to_string(&path).map_err(|e| HarnessError::io(format!("read {path}"), e))?;
        let field = |name: &str| {
            status_kb(&status, name).ok_or_else(|| HarnessError::Process(format!("no {name} in {path}")))
        };
        Ok(Self { rss_kb: field("VmRSS")?, hwm_kb: field("VmHWM")? })
    }
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |kb: u64| kb as f64 / 1024.0;
        write!(f, "RSS {:.1} MB (peak {:.1} MB)", mb(self.rss_kb), mb(self.hwm_kb))
    }
}

/// The value in KiB of a `Name:   123 kB` line of `/proc/<pid>/status`.
fn status_kb(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// How many inotify watches process `pid` holds (the `inotify wd:` lines of the fdinfo of its
/// inotify descriptors), as counted against `fs.inotify.max_user_watches`.
pub fn inotify_watches(pid: u32) -> Result<usize> {
    let dir = format!("/proc/{pid}/fdinfo");
    let entries = std::fs::read_dir(&dir).map_err(|e| HarnessError::io(format!("read {dir}"), e))?;
    let mut watches = 0;
    for entry in entries.flatten() {
        // A descriptor closed meanwhile is simply not counted.
        let Ok(info) = std::fs::read_to_string(entry.path()) else { continue };
        watches += watches_in(&info);
    }
    Ok(watches)
}

/// The watches listed in one descriptor's fdinfo (none unless it is an inotify descriptor).
fn watches_in(fdinfo: &str) -> usize {
    fdinfo.lines().filter(|line| line.starts_with("inotify wd:")).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read_in_kib() {
        let status = "Name:\tdevserve\nVmHWM:\t   20480 kB\nVmRSS:\t   14336 kB\nThreads:\t9\n";
        assert_eq!(status_kb(status, "VmRSS"), Some(14336));
        assert_eq!(status_kb(status, "VmHWM"), Some(20480));
        assert_eq!(status_kb(status, "VmSwap"), None);
        assert_eq!(status_kb(status, "Threads"), Some(9));
    }

    #[test]
    fn watches_are_counted_from_fdinfo() {
        let inotify = "pos:\t0\nflags:\t02004000\nmnt_id:\t15\nino:\t1057\n\
            inotify wd:2 ino:1a2b sdev:800001 mask:fce ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:2b1a\n\
            inotify wd:1 ino:1a2a sdev:800001 mask:fce ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:2a1a\n";
        assert_eq!(watches_in(inotify), 2);
        assert_eq!(watches_in("pos:\t0\nflags:\t0100002\nmnt_id:\t27\n"), 0, "a plain file");
        inotify_watches(std::process::id()).unwrap();
    }
}
