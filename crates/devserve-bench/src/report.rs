//! What a benchmark found: every sample, and the table `devserve bench` prints (the post's
//! columns: mean, standard deviation, change against plain `cargo build` in seconds and percent,
//! the fastest marked).

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use serde::Serialize;

use crate::edit::EditKind;
use crate::rows::Skipped;

/// Which build a row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The server binary (the app's binary for an SSR-only app).
    Server,
    /// The wasm front end of a hydrated app.
    Front,
}

/// One profile's measurements.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    /// Profile name (its target folder under `target/devserve/`).
    pub name: String,
    /// What it is.
    pub what: String,
    /// The cargo command it runs.
    pub command: String,
    /// Server or front end.
    pub side: Side,
    /// The build that brought its target folder up to date before the edits (not counted;
    /// a clean build when the folder was new), seconds.
    pub first_build_s: Option<f64>,
    /// Counted builds, seconds, in the order they ran.
    pub samples: Vec<f64>,
    /// Why it stopped being measured (its build failed).
    pub failed: Option<String>,
    /// The profile devserve chooses by itself (`--fast=auto`).
    pub devserve: bool,
    /// The profile `devserve bench --save` saved earlier (devserve uses it now).
    pub saved: bool,
    #[serde(skip)]
    pub(crate) recipe: Option<devserve_build::Recipe>,
}

impl Measured {
    /// Mean of the samples.
    pub fn mean(&self) -> Option<f64> {
        (!self.samples.is_empty()).then(|| self.samples.iter().sum::<f64>() / self.samples.len() as f64)
    }

    /// Median of the samples (the mean of the middle two for an even count).
    pub fn median(&self) -> Option<f64> {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(sorted[n / 2]),
            _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
        }
    }

    /// Sample standard deviation (n - 1); 0 for one sample.
    pub fn sd(&self) -> Option<f64> {
        let mean = self.mean()?;
        let n = self.samples.len();
        if n < 2 {
            return Some(0.0);
        }
        let var = self.samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        Some(var.sqrt())
    }
}

/// Incremental or clean builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// After an edit, in an up-to-date target folder.
    Incremental,
    /// From an empty target folder.
    Clean,
}

/// The edit made before each round of builds.
#[derive(Debug, Clone, Serialize)]
pub struct EditInfo {
    /// Kind.
    pub kind: EditKind,
    /// File, relative to the package.
    pub file: String,
    /// Line.
    pub line: usize,
    /// What changes.
    pub change: String,
}

/// Everything a benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The app's package folder.
    pub app: PathBuf,
    /// Incremental or clean.
    pub mode: Mode,
    /// The edit (incremental builds).
    pub edit: Option<EditInfo>,
    /// Counted runs per profile.
    pub runs: usize,
    /// Uncounted rounds before them.
    pub warmup: usize,
    /// Every row, server first, then the front end's.
    pub rows: Vec<Measured>,
    /// Profiles that cannot be measured here.
    pub skipped: Vec<Skipped>,
    /// Where `--save` wrote the winner.
    pub saved_to: Option<PathBuf>,
}

impl Report {
    /// The fastest measured row of `side`.
    pub fn fastest(&self, side: Side) -> Option<&Measured> {
        self.rows
            .iter()
            .filter(|r| r.side == side && r.failed.is_none())
            .filter_map(|r| Some((r, r.mean()?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(r, _)| r)
    }

    /// The table of one side.
    fn table(&self, side: Side, out: &mut String) {
        let rows: Vec<&Measured> = self.rows.iter().filter(|r| r.side == side).collect();
        if rows.is_empty() {
            return;
        }
        let plain = rows.iter().find(|r| r.name == "off" || r.name == "front-off").and_then(|r| r.mean());
        let fastest = self.fastest(side).map(|r| r.name.clone());
        let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(7).max(7) + 2;
        let _ = writeln!(
            out,
            "{:<width$} {:>8} {:>8} {:>9} {:>8} {:>8}   what",
            "profile", "mean", "sd", "vs plain", "%", "median"
        );
        for row in rows {
            let mark = if fastest.as_deref() == Some(row.name.as_str()) { " *" } else { "" };
            let name = format!("{}{mark}", row.name);
            let mut notes = Vec::new();
            if row.devserve {
                notes.push("devserve's choice".to_owned());
            }
            if row.saved {
                notes.push("saved: devserve uses it".to_owned());
            }
            let notes = if notes.is_empty() { String::new() } else { format!(" [{}]", notes.join(", ")) };
            match (row.mean(), row.sd(), &row.failed) {
                (Some(mean), Some(sd), failed) => {
                    let median = row.median().unwrap_or(mean);
                    let delta = match plain {
                        Some(plain) if row.name != "off" && row.name != "front-off" => {
                            format!("{:>+8.2}s {:>+7.1}%", mean - plain, (mean - plain) / plain * 100.0)
                        }
                        _ => format!("{:>9} {:>8}", "-", "-"),
                    };
                    let failed = failed.as_ref().map(|f| format!(" (then failed: {f})")).unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "{name:<width$} {mean:>7.2}s {sd:>7.2}s {delta} {median:>7.2}s   {}{notes}{failed}",
                        row.what
                    );
                }
                (_, _, failed) => {
                    let why = failed.as_deref().unwrap_or("no samples");
                    let _ = writeln!(
                        out,
                        "{name:<width$} {:>8} {:>8} {:>9} {:>8} {:>8}   failed: {why}",
                        "-", "-", "-", "-", "-"
                    );
                }
            }
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let what = match (&self.mode, &self.edit) {
            (Mode::Clean, _) => "clean build (empty target folder)".to_owned(),
            (Mode::Incremental, Some(edit)) => format!(
                "rebuild after a {} edit ({} in {}:{})",
                edit.kind.name(),
                edit.change,
                edit.file,
                edit.line
            ),
            (Mode::Incremental, None) => "rebuild".to_owned(),
        };
        let rounds = format!(
            "{} counted runs per profile after {} warm-up, profiles interleaved",
            self.runs, self.warmup
        );
        for (side, title) in [(Side::Server, "server"), (Side::Front, "wasm front end")] {
            if self.rows.iter().any(|r| r.side == side) {
                let _ = writeln!(out, "\n{title}: {what}; {rounds}");
                self.table(side, &mut out);
            }
        }
        for skipped in &self.skipped {
            let _ = writeln!(out, "skipped {}: {}", skipped.name, skipped.reason);
        }
        let _ = writeln!(
            out,
            "* fastest (by mean); vs plain: mean against plain `cargo build` (off) in the same run"
        );
        if let Some(file) = &self.saved_to {
            let _ = writeln!(
                out,
                "saved the fastest server profile to {}: `devserve --hot-reload` builds with it",
                file.display()
            );
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, samples: &[f64]) -> Measured {
        Measured {
            name: name.into(),
            what: format!("{name} row"),
            command: String::new(),
            side: Side::Server,
            first_build_s: None,
            samples: samples.to_vec(),
            failed: None,
            devserve: name == "fast",
            saved: false,
            recipe: None,
        }
    }

    #[test]
    fn statistics() {
        let r = row("x", &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(r.mean(), Some(2.5));
        assert!((r.sd().unwrap() - 1.290_994).abs() < 1e-6);
        assert_eq!(row("x", &[]).mean(), None);
        assert_eq!(row("x", &[3.0, 1.0, 30.0]).median(), Some(3.0));
        assert_eq!(r.median(), Some(2.5));
    }

    #[test]
    fn table_marks_the_fastest_and_compares_with_plain() {
        let report = Report {
            app: "/app".into(),
            mode: Mode::Incremental,
            edit: None,
            runs: 2,
            warmup: 1,
            rows: vec![
                row("off", &[4.0, 4.0]),
                row("fast", &[1.0, 1.2]),
                Measured { failed: Some("boom".into()), ..row("broken", &[]) },
            ],
            skipped: vec![Skipped { name: "llvm-wild".into(), reason: "not installed: wild".into() }],
            saved_to: None,
        };
        let text = report.to_string();
        assert!(text.contains("fast *"), "{text}");
        assert!(text.contains("-2.90s"), "{text}");
        assert!(text.contains("-72.5%"), "{text}");
        assert!(text.contains("failed: boom"), "{text}");
        assert!(text.contains("skipped llvm-wild: not installed: wild"), "{text}");
        assert!(text.contains("[devserve's choice]"), "{text}");
    }
}
