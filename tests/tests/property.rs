//! The core property of the hot-patch loop, in a real browser on the bundled example: after any
//! sequence of static edits saved one by one (texts, attributes, static elements inserted,
//! removed and moved; in several views and two files; edits that revert earlier ones; views on
//! and off the page), the page patched in place equals the page the rebuilt app serves, and no
//! reload happened on the way.
//!
//! Each sequence: random edits applied as saves (each waited for: devserve says it patched), then
//! the background build lands, the patched DOM is read, the page is reloaded and the fresh DOM
//! read; both are normalised (comments, whitespace-only text and devserve's own elements
//! removed, whitespace collapsed, the visit counter blanked) and must be equal.
//!
//! `cargo test -p devserve-e2e --test e2e property` runs [`SEQUENCES`] sequences; the soak run
//! (`DEVSERVE_PROPERTY_SEQUENCES=1000 cargo test -p devserve-e2e --test e2e property -- --nocapture`)
//! runs as many as asked and prints how many diverged, with the first counterexample shrunk.
//! `DEVSERVE_PROPERTY_SEED` replays a run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::Value;

/// Sequences in a regular test run.
const SEQUENCES: usize = 20;
/// Longest sequence.
const MAX_EDITS: usize = 6;
/// How long a save may take to be patched.
const PATCH: Duration = Duration::from_secs(10);
/// How long the background build may take to land.
const BUILD: Duration = Duration::from_secs(5 * 60);

const COMPONENTS: &str = "src/components.rs";
const APP: &str = "src/app.rs";

/// A place in the sources that a static edit may change.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A static text: the quoted literal is replaced by another.
    Text { file: &'static str, original: &'static str },
    /// A static attribute value.
    Attr { file: &'static str, original: &'static str },
    /// A place right after `after` where static elements are inserted.
    Children { file: &'static str, after: &'static str },
}

/// The example's static places: on the page (header, list items rendered four times, the form,
/// the intro, the footer) and off it (the router's fallback, the greeting branch not taken).
const SLOTS: &[Slot] = &[
    Slot::Text { file: COMPONENTS, original: r#""Hello from Leptos""# },
    Slot::Text { file: COMPONENTS, original: r#""Edit a view and watch it change.""# },
    Slot::Text { file: COMPONENTS, original: r#""Items""# },
    Slot::Text { file: COMPONENTS, original: r#"" is item number ""# },
    Slot::Text { file: COMPONENTS, original: r#""Your name""# },
    Slot::Text { file: COMPONENTS, original: r#""Nobody greeted yet.""# },
    Slot::Text { file: COMPONENTS, original: r#""Hello, ""# },
    Slot::Text { file: APP, original: r#""Page not found.""# },
    Slot::Text { file: APP, original: r#""Made with Leptos 0.8.""# },
    Slot::Attr { file: COMPONENTS, original: r#"class="tagline""# },
    Slot::Attr { file: COMPONENTS, original: r#"class="item-label""# },
    Slot::Attr { file: COMPONENTS, original: r#"placeholder="Ferris""# },
    Slot::Children { file: COMPONENTS, after: r#"<h1 id="title">"# },
    Slot::Children { file: COMPONENTS, after: "<h2>" },
    Slot::Children { file: COMPONENTS, after: "<li class=\"item\" data-index=index>" },
    Slot::Children { file: APP, after: r#"<footer id="footer">"# },
];

const WORDS: &[&str] = &["alpha", "Bravo two", "charlie", "delta echo", "Foxtrot", "golf", "hotel india"];

/// One edit of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Edit {
    /// Slot `slot` gets value `value` (text and attribute slots).
    Set { slot: usize, value: String },
    /// Element `id` inserted at position `at` of a children slot.
    Insert { slot: usize, at: usize, id: u32 },
    /// The element at position `at` removed.
    Remove { slot: usize, at: usize },
    /// The element at `from` moved to `to`.
    Move { slot: usize, from: usize, to: usize },
}

/// What the sources say now: a value per text/attribute slot, a list of inserted element ids per
/// children slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Model {
    values: BTreeMap<usize, String>,
    children: BTreeMap<usize, Vec<u32>>,
}

impl Model {
    fn apply(&mut self, edit: &Edit) {
        match edit {
            Edit::Set { slot, value } => {
                self.values.insert(*slot, value.clone());
            }
            Edit::Insert { slot, at, id } => self.children.entry(*slot).or_default().insert(*at, *id),
            Edit::Remove { slot, at } => {
                self.children.entry(*slot).or_default().remove(*at);
            }
            Edit::Move { slot, from, to } => {
                let list = self.children.entry(*slot).or_default();
                let id = list.remove(*from);
                list.insert(*to, id);
            }
        }
    }

    /// Whether `edit` can be applied (positions exist).
    fn allows(&self, edit: &Edit) -> bool {
        let len = |slot: &usize| self.children.get(slot).map_or(0, Vec::len);
        match edit {
            Edit::Set { slot, value } => self.value(*slot) != *value,
            Edit::Insert { slot, at, .. } => *at <= len(slot),
            Edit::Remove { slot, at } => *at < len(slot),
            Edit::Move { slot, from, to } => from != to && *from < len(slot) && *to < len(slot),
        }
    }

    /// What a text or attribute slot holds now (the example's own value until an edit set one).
    fn value(&self, slot: usize) -> String {
        if let Some(value) = self.values.get(&slot) {
            return value.clone();
        }
        match SLOTS[slot] {
            Slot::Text { original, .. } => original.trim_matches('"').to_owned(),
            Slot::Attr { original, .. } => {
                original.split_once('=').map_or("", |(_, v)| v).trim_matches('"').to_owned()
            }
            Slot::Children { .. } => String::new(),
        }
    }

    /// The content of `file` for this model, from its original text.
    fn render(&self, file: &str, original: &str) -> String {
        let mut text = original.to_owned();
        for (i, slot) in SLOTS.iter().enumerate() {
            match *slot {
                Slot::Text { file: f, original } if f == file => {
                    if let Some(value) = self.values.get(&i) {
                        text = text.replacen(original, &format!("\"{value}\""), 1);
                    }
                }
                Slot::Attr { file: f, original } if f == file => {
                    if let Some(value) = self.values.get(&i) {
                        let (name, _) = original.split_once('=').unwrap();
                        text = text.replacen(original, &format!("{name}=\"{value}\""), 1);
                    }
                }
                Slot::Children { file: f, after } if f == file => {
                    let ids = self.children.get(&i).map(Vec::as_slice).unwrap_or_default();
                    let inserted: String = ids
                        .iter()
                        .map(|id| format!(r#"<span class="gen">"generated {id}"</span> "#))
                        .collect();
                    text = text.replacen(after, &format!("{after}{inserted}"), 1);
                }
                _ => {}
            }
        }
        text
    }
}

/// A small deterministic generator (xorshift64*), seeded per run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random edit the model allows; reverting edits (a value back to the original) included.
fn random_edit(rng: &mut Rng, model: &Model, next_id: &mut u32) -> Edit {
    loop {
        let slot = rng.below(SLOTS.len());
        let edit = match SLOTS[slot] {
            Slot::Text { original, .. } => {
                let value = match rng.below(4) {
                    0 => original.trim_matches('"').to_owned(),
                    _ => WORDS[rng.below(WORDS.len())].to_owned(),
                };
                Edit::Set { slot, value }
            }
            Slot::Attr { original, .. } => {
                let (_, value) = original.split_once('=').unwrap();
                let value = match rng.below(3) {
                    0 => value.trim_matches('"').to_owned(),
                    _ => format!(
                        "{} {}",
                        value.trim_matches('"'),
                        WORDS[rng.below(WORDS.len())].replace(' ', "-")
                    ),
                };
                Edit::Set { slot, value }
            }
            Slot::Children { .. } => {
                let len = model.children.get(&slot).map_or(0, Vec::len);
                match rng.below(3) {
                    0 if len > 0 => Edit::Remove { slot, at: rng.below(len) },
                    1 if len > 1 => Edit::Move { slot, from: rng.below(len), to: rng.below(len) },
                    _ if len < 3 => {
                        *next_id += 1;
                        Edit::Insert { slot, at: rng.below(len + 1), id: *next_id }
                    }
                    _ => continue,
                }
            }
        };
        if model.allows(&edit) {
            return edit;
        }
    }
}

/// devserve on the example, a page on `/`, and the example's original sources.
struct Bench {
    app: DevserveApp,
    page: Page,
    originals: BTreeMap<&'static str, String>,
    model: Model,
    _browser: Browser,
}

/// How one sequence ended.
#[derive(Debug)]
enum Outcome {
    Equal,
    /// The patched page differs from the fresh one, or was reloaded, or a save was not patched.
    Diverged(String),
}

impl Bench {
    async fn start() -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
        let page = browser.page().await.unwrap();
        app.open(&page, "/").await.unwrap();
        let originals = [COMPONENTS, APP].into_iter().map(|f| (f, app.read(f).unwrap())).collect();
        Some(Self { app, page, originals, model: Model::default(), _browser: browser })
    }

    /// Saves the model's sources (only files that change).
    fn save(&self, before: &Model) -> usize {
        let mut saved = 0;
        for (file, original) in &self.originals {
            let (old, new) = (before.render(file, original), self.model.render(file, original));
            if old != new {
                std::fs::write(self.app.path(file), new).unwrap();
                saved += 1;
            }
        }
        saved
    }

    /// Applies `edits` from the current model as saves, then compares the patched page with the
    /// rebuilt one.
    async fn run(&mut self, edits: &[Edit]) -> Outcome {
        self.page.mark().await.unwrap();
        let mark = self.app.log().len();
        let start = self.model.clone();
        for edit in edits {
            let before = self.model.clone();
            self.model.apply(edit);
            if let Err(why) = self.save_and_wait(&before).await {
                return Outcome::Diverged(format!("{edit:?}: {why}"));
            }
        }
        // Sources that end as they started need no build (and get none).
        let changed = self
            .originals
            .iter()
            .any(|(file, original)| start.render(file, original) != self.model.render(file, original));
        if changed && let Err(why) = self.settle(mark).await {
            return Outcome::Diverged(why);
        }
        if !self.page.same_document().await.unwrap() {
            return Outcome::Diverged(format!(
                "the page was reloaded before the final reload\n{}",
                self.app.log()
            ));
        }
        let patched = normalised_dom(&self.page).await;
        self.app.open(&self.page, "/").await.unwrap();
        let fresh = normalised_dom(&self.page).await;
        if patched == fresh {
            Outcome::Equal
        } else {
            Outcome::Diverged(format!("patched:\n{patched}\nfresh:\n{fresh}"))
        }
    }

    /// Saves what changed from `before` and waits until devserve has patched it.
    async fn save_and_wait(&self, before: &Model) -> Result<(), String> {
        let patched_before = self.app.count_log(": patched ");
        if self.save(before) == 0 {
            return Ok(());
        }
        let start = Instant::now();
        while self.app.count_log(": patched ") <= patched_before {
            if self.app.count_log("devserve: rebuild: ") > 0 {
                return Err(format!("a static edit asked for a rebuild:\n{}", self.app.log()));
            }
            if start.elapsed() > PATCH {
                return Err(format!("not patched within {PATCH:?}\n{}", self.app.log()));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// Waits until a build landed after log position `mark` and none started after it.
    async fn settle(&self, mark: usize) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let log = self.app.log();
            let after = &log[mark.min(log.len())..];
            let landed = ["app restarted in", "binary unchanged"].iter().filter_map(|n| after.rfind(n)).max();
            let started = after
                .match_indices("devserve: build ")
                .filter(|(i, _)| after[*i..].lines().next().is_some_and(|l| l.ends_with(" started")))
                .map(|(i, _)| i)
                .last();
            if after.contains(" failed after ") {
                return Err(format!("a build failed:\n{log}"));
            }
            if let Some(landed) = landed
                && started.is_none_or(|started| started < landed)
            {
                return Ok(());
            }
            if start.elapsed() > BUILD {
                return Err(format!("the background build did not land:\n{log}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The sources of `model`, built and shown in a freshly loaded page.
    async fn restore(&mut self, model: Model) {
        let before = std::mem::replace(&mut self.model, model);
        let mark = self.app.log().len();
        if self.save(&before) == 0 {
            return;
        }
        let _ = self.save_and_wait(&before).await;
        let _ = self.settle(mark).await;
        self.app.open(&self.page, "/").await.unwrap();
    }
}

/// The page's body as text: elements with sorted attributes, text with whitespace collapsed;
/// comments, whitespace-only text, devserve's own elements and the visit counter left out.
async fn normalised_dom(page: &Page) -> String {
    let script = "
        const out = [];
        const walk = (node, depth) => {
          for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE) {
              const text = child.data.replace(/\\s+/g, ' ').trim();
              if (text) out.push('  '.repeat(depth) + JSON.stringify(text));
            } else if (child.nodeType === Node.ELEMENT_NODE) {
              if (child.localName.startsWith('devserve-') || child.localName === 'script') continue;
              const attrs = [...child.attributes].map((a) => `${a.name}=${JSON.stringify(a.value)}`).sort();
              out.push('  '.repeat(depth) + `<${child.localName} ${attrs.join(' ')}>`);
              if (child.id !== 'visits-value') walk(child, depth + 1);
            }
          }
        };
        walk(document.body, 0);
        return out.join('\\n');";
    match page.exec(script, Vec::new()).await.unwrap() {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// Tries shorter versions of a diverging sequence (one edit left out at a time, each from the
/// sequence's start state) and returns the shortest that still diverges.
async fn shrink(bench: &mut Bench, start: &Model, mut edits: Vec<Edit>) -> (Vec<Edit>, String) {
    let mut why = String::new();
    let mut i = 0;
    while i < edits.len() {
        let mut shorter = edits.clone();
        shorter.remove(i);
        // Positions in later edits may no longer exist: skip those candidates.
        let mut model = start.clone();
        if !shorter.iter().all(|e| {
            let ok = model.allows(e);
            model.apply(e);
            ok
        }) {
            i += 1;
            continue;
        }
        bench.restore(start.clone()).await;
        match bench.run(&shorter).await {
            Outcome::Diverged(reason) => {
                edits = shorter;
                why = reason;
            }
            Outcome::Equal => i += 1,
        }
    }
    (edits, why)
}

#[tokio::test]
async fn patched_pages_equal_rebuilt_pages_after_random_static_edits() {
    let sequences =
        std::env::var("DEVSERVE_PROPERTY_SEQUENCES").ok().and_then(|n| n.parse().ok()).unwrap_or(SEQUENCES);
    let seed =
        std::env::var("DEVSERVE_PROPERTY_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
    eprintln!("property: {sequences} sequences, DEVSERVE_PROPERTY_SEED={seed}");
    let Some(mut bench) = Bench::start().await else { return };
    let mut rng = Rng(seed);
    let mut next_id = 0;
    let mut diverged = Vec::new();
    for n in 0..sequences {
        let length = 1 + rng.below(MAX_EDITS);
        let mut model = bench.model.clone();
        let edits: Vec<Edit> = (0..length)
            .map(|_| {
                let edit = random_edit(&mut rng, &model, &mut next_id);
                model.apply(&edit);
                edit
            })
            .collect();
        let start_model = bench.model.clone();
        eprintln!("sequence {n}: {edits:?}");
        match bench.run(&edits).await {
            Outcome::Equal => {}
            Outcome::Diverged(why) => {
                eprintln!("sequence {n} diverged (from {start_model:?}): {edits:?}\n{why}");
                diverged.push((start_model, edits));
                // Later sequences start from a known state.
                bench.restore(Model::default()).await;
            }
        }
    }
    eprintln!("property: {} of {sequences} sequences diverged (seed {seed})", diverged.len());
    if let Some((start, edits)) = diverged.first().cloned() {
        let (shrunk, why) = shrink(&mut bench, &start, edits).await;
        panic!(
            "{} of {sequences} sequences diverged; the first, shrunk, from {start:?}: {shrunk:?}\n{why}",
            diverged.len()
        );
    }
    bench.restore(Model::default()).await;
    bench.app.stop().await.unwrap();
}
