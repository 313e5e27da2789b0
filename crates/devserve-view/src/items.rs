//! Items at the token level: which `fn`, `impl`, `mod`, `trait`, `const`, `static` or item macro a
//! token stands in, to name the views found there (`App`, `impl Foo::render`, `ui::Card`).
//!
//! Parsing the whole file with syn just to learn this costs more than everything else extract
//! does, so the scanner recognises items from their keywords instead. Identities only need to
//! be a deterministic function of the code (equal code, equal ids) that reads well; the rules
//! below match syn's items on ordinary code.

use proc_macro2::{Delimiter, Spacing, TokenTree};

/// What the scanner is waiting for after an item keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// `fn name`, `mod name`, `trait Name`, `impl ..`: the next `{}` group is the item's body.
    Body { name: String, is_fn: bool },
    /// `name!` at item level: the next group is the item.
    Macro(String),
}

/// The item that `tokens[i]` starts, if it starts one (`tokens[i]` is an identifier).
pub(crate) fn item_start(tokens: &[TokenTree], i: usize, in_fn: bool) -> Option<Pending> {
    let TokenTree::Ident(keyword) = tokens.get(i)? else { return None };
    let ident_at = |k: usize| match tokens.get(k) {
        Some(TokenTree::Ident(ident)) => Some(ident.to_string()),
        _ => None,
    };
    if keyword == "fn" {
        return ident_at(i + 1).map(|name| Pending::Body { name, is_fn: true });
    }
    if keyword == "mod" && at_item_start(tokens, i) {
        return ident_at(i + 1).map(|name| Pending::Body { name, is_fn: false });
    }
    if keyword == "trait" {
        return ident_at(i + 1).map(|name| Pending::Body { name: format!("trait {name}"), is_fn: false });
    }
    if keyword == "impl" && at_item_start(tokens, i) {
        return Some(Pending::Body {
            name: impl_name(tokens.get(i + 1..).unwrap_or_default()),
            is_fn: false,
        });
    }
    if !in_fn && at_item_start(tokens, i) && is_punct(tokens.get(i + 1), '!') && keyword != "macro_rules" {
        return Some(Pending::Macro(format!("{keyword}!")));
    }
    None
}

/// `const NAME:` / `static [mut] NAME:` starting at `tokens[i]`: the item's name.
pub(crate) fn const_start(tokens: &[TokenTree], i: usize) -> Option<String> {
    let TokenTree::Ident(keyword) = tokens.get(i)? else { return None };
    if !(keyword == "const" || keyword == "static") || !at_item_start(tokens, i) {
        return None;
    }
    let mut k = i + 1;
    if matches!(tokens.get(k), Some(TokenTree::Ident(m)) if m == "mut") {
        k += 1;
    }
    match (tokens.get(k), tokens.get(k + 1)) {
        (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(colon))) if colon.as_char() == ':' => {
            Some(name.to_string())
        }
        _ => None,
    }
}

/// Whether `tokens[i]` begins an item: it follows the start, `;`, a `{}` group or an attribute,
/// with only qualifiers (`pub(crate)`, `unsafe`, `extern "C"`, ..) in between.
fn at_item_start(tokens: &[TokenTree], i: usize) -> bool {
    let mut j = i;
    while let Some(before) = j.checked_sub(1).and_then(|k| tokens.get(k)) {
        let qualifier = match before {
            TokenTree::Ident(ident) => {
                ["pub", "unsafe", "async", "const", "extern", "default", "auto"].iter().any(|q| ident == q)
            }
            TokenTree::Group(group) => {
                group.delimiter() == Delimiter::Parenthesis && is_ident(tokens, j, 2, "pub")
            }
            TokenTree::Literal(_) => is_ident(tokens, j, 2, "extern"),
            TokenTree::Punct(_) => false,
        };
        if !qualifier {
            break;
        }
        j -= 1;
    }
    match j.checked_sub(1).and_then(|k| tokens.get(k)) {
        None => true,
        Some(TokenTree::Punct(punct)) => punct.as_char() == ';',
        Some(TokenTree::Group(group)) => matches!(group.delimiter(), Delimiter::Brace | Delimiter::Bracket),
        Some(_) => false,
    }
}

/// `tokens[j - back]` is the identifier `name`.
fn is_ident(tokens: &[TokenTree], j: usize, back: usize, name: &str) -> bool {
    matches!(j.checked_sub(back).and_then(|k| tokens.get(k)), Some(TokenTree::Ident(ident)) if ident == name)
}

fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// `impl Trait for Type` from the tokens after `impl` (generics and `where` clause left out).
fn impl_name(after: &[TokenTree]) -> String {
    let mut start = 0;
    if is_punct(after.first(), '<') {
        let mut depth = 0usize;
        for (k, token) in after.iter().enumerate() {
            if let TokenTree::Punct(punct) = token {
                let arrow = punct.as_char() == '>'
                    && matches!(k.checked_sub(1).and_then(|b| after.get(b)), Some(TokenTree::Punct(p)) if p.as_char() == '-' && p.spacing() == Spacing::Joint);
                match punct.as_char() {
                    '<' => depth += 1,
                    '>' if !arrow => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            if depth == 0 {
                start = k + 1;
                break;
            }
        }
    }
    let header = after.get(start..).unwrap_or_default();
    let end = header
        .iter()
        .position(|t| {
            matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                || matches!(t, TokenTree::Ident(i) if i == "where")
        })
        .unwrap_or(header.len());
    format!("impl {}", compact(header.get(..end).unwrap_or_default()))
}

/// Tokens as text with spaces only where two words would run together: `Vec<T>`, `&'a str`.
pub(crate) fn compact(tokens: &[TokenTree]) -> String {
    let mut text = String::new();
    for token in tokens {
        let piece = match token {
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                format!("{open}{}{close}", compact(&inner))
            }
            other => other.to_string(),
        };
        if piece == "," {
            text.push_str(", ");
            continue;
        }
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        if text.ends_with(is_word) && piece.starts_with(is_word) {
            text.push(' ');
        }
        text.push_str(&piece);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    fn tokens(src: &str) -> Vec<TokenTree> {
        TokenStream::from_str(src).unwrap().into_iter().collect()
    }

    fn start(src: &str, i: usize) -> Option<Pending> {
        item_start(&tokens(src), i, false)
    }

    fn body(name: &str, is_fn: bool) -> Option<Pending> {
        Some(Pending::Body { name: name.to_owned(), is_fn })
    }

    #[test]
    fn recognises_item_keywords() {
        assert_eq!(start("pub fn App() {}", 1), body("App", true));
        assert_eq!(start("mod ui { }", 0), body("ui", false));
        assert_eq!(start("pub trait Render {}", 1), body("trait Render", false));
        assert_eq!(
            start("impl<T: Clone> fmt::Display for Wrapper<'_, T> where T: X {}", 0),
            body("impl fmt::Display for Wrapper<'_, T>", false)
        );
        assert_eq!(start("impl<F: Fn() -> u8> Foo<F> {}", 0), body("impl Foo<F>", false));
        assert_eq!(start("thread_local! { }", 0), Some(Pending::Macro("thread_local!".into())));
    }

    #[test]
    fn type_positions_are_not_items() {
        assert_eq!(start("fn a() -> impl IntoView {}", 5), None);
        assert_eq!(start("let f: fn(u8) = g;", 3), None);
        assert_eq!(item_start(&tokens("log!(x);"), 0, true), None);
    }

    #[test]
    fn consts_and_statics() {
        assert_eq!(const_start(&tokens("pub const VIEW: u8 = 1;"), 1).as_deref(), Some("VIEW"));
        assert_eq!(const_start(&tokens("static mut X: u8 = 1;"), 0).as_deref(), Some("X"));
        assert_eq!(const_start(&tokens("struct A<const N: usize>;"), 3), None);
        assert_eq!(const_start(&tokens("const fn f() {}"), 0), None);
    }
}
