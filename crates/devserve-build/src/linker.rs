//! The linkers and codegen backends devserve knows, and the rustc flags that select them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A way to link, selected by rustc flags only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Linker {
    /// Whatever rustc does by default: on x86_64 Linux since Rust 1.90 that is its own bundled
    /// `rust-lld` (through `cc`), elsewhere `cc` with the system linker.
    RustcDefault,
    /// mold, through `cc -fuse-ld=mold`.
    Mold,
    /// wild, through `clang --ld-path=wild`.
    Wild,
    /// The system's lld through clang: `-C linker=clang -C link-arg=-fuse-ld=lld`.
    ClangLld,
    /// The system's lld through cc: `-C link-arg=-fuse-ld=lld`.
    SystemLld,
}

impl Linker {
    /// Every linker, in the order the probe tries them (the default first: it tells whether
    /// the toolchain links with its own lld).
    pub const ALL: [Linker; 5] =
        [Linker::RustcDefault, Linker::Mold, Linker::Wild, Linker::ClangLld, Linker::SystemLld];

    /// Short name, used in profile names (`cranelift-mold`).
    pub fn name(self) -> &'static str {
        match self {
            Linker::RustcDefault => "default",
            Linker::Mold => "mold",
            Linker::Wild => "wild",
            Linker::ClangLld => "clang-lld",
            Linker::SystemLld => "lld",
        }
    }

    /// Programs that must be in `PATH` for this linker.
    pub fn tools(self) -> &'static [&'static str] {
        match self {
            Linker::RustcDefault => &["cc"],
            Linker::Mold => &["cc", "mold", "ld.mold"],
            Linker::Wild => &["clang", "wild"],
            Linker::ClangLld => &["clang", "ld.lld"],
            Linker::SystemLld => &["cc", "ld.lld"],
        }
    }

    /// The rustc flags selecting this linker. `default_is_lld`: rustc links with its bundled
    /// rust-lld by default, which `cc`-based alternatives must switch off
    /// (`-C linker-features=-lld`, stable since Rust 1.90) or it stays first in cc's search path.
    pub fn rustflags(self, default_is_lld: bool) -> Vec<String> {
        let no_rust_lld: &[&str] = if default_is_lld { &["-C", "linker-features=-lld"] } else { &[] };
        let flags: Vec<&str> = match self {
            Linker::RustcDefault => vec![],
            Linker::Mold => [no_rust_lld, &["-C", "link-arg=-fuse-ld=mold"]].concat(),
            Linker::Wild => vec!["-C", "linker=clang", "-C", "link-arg=--ld-path=wild"],
            Linker::ClangLld => vec!["-C", "linker=clang", "-C", "link-arg=-fuse-ld=lld"],
            Linker::SystemLld => [no_rust_lld, &["-C", "link-arg=-fuse-ld=lld"]].concat(),
        };
        flags.into_iter().map(str::to_owned).collect()
    }

    /// Bytes the linker writes into the `.comment` section of what it links, to check that the
    /// flags really selected it (a flag can be silently ignored).
    pub(crate) fn signature(self) -> Option<&'static [u8]> {
        match self {
            Linker::Mold => Some(b"mold "),
            Linker::ClangLld | Linker::SystemLld => Some(b"LLD "),
            Linker::RustcDefault | Linker::Wild => None,
        }
    }
}

impl fmt::Display for Linker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Linker::RustcDefault => "rustc's default linker",
            Linker::Mold => "mold",
            Linker::Wild => "wild (via clang)",
            Linker::ClangLld => "lld (clang -fuse-ld=lld)",
            Linker::SystemLld => "lld (cc -fuse-ld=lld)",
        })
    }
}

/// A rustc code generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// rustc's default, LLVM.
    Llvm,
    /// Cranelift: much faster debug codegen; nightly only, with the
    /// `rustc-codegen-cranelift-preview` component.
    Cranelift,
}

impl Backend {
    /// Short name, used in profile names.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Llvm => "llvm",
            Backend::Cranelift => "cranelift",
        }
    }

    /// cargo arguments selecting this backend for the dev profile.
    pub fn cargo_args(self) -> Vec<String> {
        match self {
            Backend::Llvm => vec![],
            Backend::Cranelift => {
                vec![
                    "-Zcodegen-backend".into(),
                    "--config".into(),
                    r#"profile.dev.codegen-backend="cranelift""#.into(),
                ]
            }
        }
    }

    /// What a binary built with this backend carries in `.comment`.
    pub(crate) fn signature(self) -> Option<&'static [u8]> {
        match self {
            Backend::Llvm => None,
            Backend::Cranelift => Some(b"with cranelift"),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Llvm => "LLVM",
            Backend::Cranelift => "Cranelift",
        })
    }
}

/// Whether `haystack` contains `needle`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linker_flags() {
        let check = |linker: Linker, default_is_lld: bool, expected: &str| {
            assert_eq!(linker.rustflags(default_is_lld).join(" "), expected, "{linker:?} {default_is_lld}");
        };
        check(Linker::RustcDefault, true, "");
        check(Linker::Mold, true, "-C linker-features=-lld -C link-arg=-fuse-ld=mold");
        check(Linker::Mold, false, "-C link-arg=-fuse-ld=mold");
        check(Linker::SystemLld, true, "-C linker-features=-lld -C link-arg=-fuse-ld=lld");
        check(Linker::ClangLld, true, "-C linker=clang -C link-arg=-fuse-ld=lld");
        check(Linker::Wild, false, "-C linker=clang -C link-arg=--ld-path=wild");
    }

    #[test]
    fn signatures_are_searched_as_bytes() {
        assert!(contains(b"xx\0mold 1.10.1 (compatible with GNU ld)\0", Linker::Mold.signature().unwrap()));
        assert!(!contains(b"Linker: LLD 22.1.2", Linker::Mold.signature().unwrap()));
        assert!(contains(b"rustc version 1.93.0-nightly with cranelift 0.125.1", b"with cranelift"));
        assert!(!contains(b"abc", b""));
    }
}
