//! Raw bytes through the view parser and classifier: the input (after a 4-byte header) is a source
//! file, read as lossy UTF-8; the header picks an edit of it (delete, insert a piece of view
//! syntax, duplicate, move a range, insert whitespace, or none), and the file is classified
//! against its edit with every check of `devserve_fuzz::views`.
//!
//! Run with `cargo +nightly fuzz run view_bytes` from the repository root (see fuzz/README.md).

#![no_main]

use devserve_fuzz::views::{Expect, check_edit};
use libfuzzer_sys::fuzz_target;

/// What an edit may insert: view syntax, delimiters that unbalance, line breaks, multi-byte chars.
const PIECES: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "<>",
    "</>",
    "=",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "\"text\"",
    "r#\"raw\"#",
    "<p>",
    "</p>",
    "<br/>",
    "<Card x=1/>",
    "class=\"c\"",
    "on:click=go",
    "{n}",
    "view! { <i>\"v\"</i> }",
    "<!-- c -->",
    "\n",
    "\r\n",
    "é",
    "'",
    "#",
    "cx,",
    "class = STYLE,",
    "\u{feff}",
    "#!",
];

fuzz_target!(|data: &[u8]| {
    let (header, body) = data.split_at(data.len().min(4));
    let old = String::from_utf8_lossy(body);
    let [kind, lo, hi, len] = <[u8; 4]>::try_from(header).unwrap_or_default();
    let at = floor_char_boundary(&old, usize::from(u16::from_le_bytes([lo, hi])) % (old.len() + 1));
    let end = floor_char_boundary(&old, (at + usize::from(len)).min(old.len()));
    let piece = PIECES[usize::from(len) % PIECES.len()];
    let new = match kind % 6 {
        0 => format!("{}{}", &old[..at], &old[end..]),
        1 => format!("{}{piece}{}", &old[..at], &old[at..]),
        2 => format!("{}{}", &old[..end], &old[at..]),
        3 => {
            // Move the range to the end of the file.
            format!("{}{}{}", &old[..at], &old[end..], &old[at..end])
        }
        4 => format!("{} \n  {}", &old[..at], &old[at..]),
        _ => old.to_string(),
    };
    let expect = if new == old { Expect::Nothing } else { Expect::Anything };
    check_edit(&old, &new, expect);
});

/// The largest char boundary of `s` at or before `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}
