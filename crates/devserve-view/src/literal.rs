//! The value of a string literal token (`"a\n"`, `r#"a"#`), without syn's general literal parser
//! (which copies and parses every literal: a tenth of a view's parse time).

use proc_macro2::{Literal, TokenTree};

/// The value of `token` if it is a string literal (quoted or raw, not byte or C strings).
pub(crate) fn string_value(token: Option<&TokenTree>) -> Option<String> {
    let Some(TokenTree::Literal(literal)) = token else { return None };
    let repr = literal.to_string();
    match repr.as_bytes().first() {
        Some(b'"') => quoted(repr).or_else(|| by_syn(literal)),
        Some(b'r') => raw(&repr).or_else(|| by_syn(literal)),
        _ => None,
    }
}

/// What syn makes of an unusual literal (a suffix, an escape we do not decode).
fn by_syn(literal: &Literal) -> Option<String> {
    match syn::Lit::new(literal.clone()) {
        syn::Lit::Str(string) => Some(string.value()),
        _ => None,
    }
}

/// `"..."` with escapes decoded; `None` for anything unusual.
fn quoted(repr: String) -> Option<String> {
    let body = repr.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains(['\\', '"', '\r']) {
        // Most text: the body as written, kept in the literal's allocation.
        let len = body.len();
        let mut value = repr;
        value.truncate(1 + len);
        value.remove(0);
        return Some(value);
    }
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                '0' => value.push('\0'),
                '\\' => value.push('\\'),
                '\'' => value.push('\''),
                '"' => value.push('"'),
                '\n' => while chars.next_if(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).is_some() {},
                _ => return None, // `\x..`, `\u{..}`, `\r\n` continuation: leave them to syn
            },
            '"' => return None, // a suffix follows the closing quote
            '\r' if chars.peek() == Some(&'\n') => {}
            c => value.push(c),
        }
    }
    Some(value)
}

/// `r#"..."#`.
fn raw(repr: &str) -> Option<String> {
    let rest = repr.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest.get(hashes..)?.strip_prefix('"')?;
    let body = body.strip_suffix(&"#".repeat(hashes))?.strip_suffix('"')?;
    Some(body.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    /// Our value and syn's for the literal `src`.
    fn check(src: &str) {
        let token = TokenStream::from_str(src).unwrap().into_iter().next().unwrap();
        let TokenTree::Literal(literal) = &token else { panic!("{src} is not a literal") };
        assert_eq!(string_value(Some(&token)), by_syn(literal), "{src}");
    }

    #[test]
    fn agrees_with_syn() {
        for src in [
            r#""Hello ""#,
            r#""tab\tnew\nline \"quoted\" \\ \0 \'""#,
            "\"line \\\n      continued\"",
            "\"crlf\r\ninside\"",
            r#""\x41\u{1F600}""#,
            r#""suffix"abc"#,
            r##"r#"raw "quoted" \n"#"##,
            r#"r"plain raw""#,
            r#""ünïcödé ✓""#,
            r#""""#,
        ] {
            check(src);
        }
    }

    #[test]
    fn crlf_in_raw_strings_becomes_lf_as_rustc_reads_files() {
        let token = TokenStream::from_str("r\"raw\r\ncrlf\"").unwrap().into_iter().next();
        assert_eq!(string_value(token.as_ref()).as_deref(), Some("raw\ncrlf"));
    }

    #[test]
    fn other_literals_are_not_strings() {
        for src in [r#"b"bytes""#, r#"c"c string""#, "'c'", "42", "1.5", r#"br"raw bytes""#] {
            let token = TokenStream::from_str(src).unwrap().into_iter().next();
            assert_eq!(string_value(token.as_ref()), None, "{src}");
        }
    }
}
