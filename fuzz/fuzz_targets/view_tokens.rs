//! Structured files of `view!`s (elements, attributes, text, blocks, components, nested views)
//! and edits of them, through the view parser and classifier with every check of
//! `devserve_fuzz::views`, including the expected meaning of text-only and whitespace-only edits.
//!
//! Run with `cargo +nightly fuzz run view_tokens` from the repository root (see fuzz/README.md).

#![no_main]

use devserve_fuzz::tokens::Input;
use devserve_fuzz::views::check_edit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: Input| {
    let (old, new, expect) = input.sources();
    check_edit(&old, &new, expect);
});
