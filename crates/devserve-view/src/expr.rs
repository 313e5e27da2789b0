//! Where a Rust expression ends in a run of token trees, for attribute values
//! (`on:click=move |_| set(1) class="a"`: the value is `move |_| set(1)`).
//!
//! rstml (Leptos's parser) lets syn parse the value as an expression and takes whatever syn
//! consumed. Running syn for every attribute costs more than the rest of the parse, so this
//! module handles the shapes attribute values take in practice: literals, paths, groups, macro
//! calls, struct literals, method chains, `?`, prefix and binary operators, and closures. For
//! anything else (`if`, `match`, `as`, turbofish, typed closures, ..) it answers `None` and the
//! caller asks syn. Groups are single token trees here, so nothing inside them matters.

use proc_macro2::{Delimiter, Spacing, TokenTree};

/// The index just past the expression that starts at `tokens[start]`, or `None` when unsure.
pub(crate) fn expr_end(tokens: &[TokenTree], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        i = operand_end(tokens, i)?;
        match binary_operator_len(tokens, i) {
            Some(len) if starts_operand(tokens.get(i + len)) => i += len,
            Some(_) => return None,
            None => return Some(i),
        }
    }
}

/// Past one operand: prefix operators, then a closure or an atom with its postfix operators.
fn operand_end(tokens: &[TokenTree], mut i: usize) -> Option<usize> {
    while let Some(TokenTree::Punct(punct)) = tokens.get(i) {
        match punct.as_char() {
            '!' | '-' | '*' => i += 1,
            '&' => {
                i += 1;
                if is_ident(tokens.get(i), "mut") {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    if is_ident(tokens.get(i), "move") {
        i += 1;
        if !is_punct(tokens.get(i), '|') {
            return None;
        }
    }
    match tokens.get(i)? {
        TokenTree::Punct(punct) if punct.as_char() == '|' => {
            i = closure_params_end(tokens, i)?;
            if is_punct(tokens.get(i), '-') {
                return None; // `|x| -> T { .. }`
            }
            // A closure's body reaches as far as an expression can.
            return expr_end(tokens, i);
        }
        TokenTree::Punct(_) => return None,
        TokenTree::Literal(_) | TokenTree::Group(_) => i += 1,
        TokenTree::Ident(ident) => {
            const NEEDS_SYN: [&str; 20] = [
                "if", "match", "loop", "while", "for", "unsafe", "async", "return", "break", "continue",
                "let", "const", "static", "yield", "box", "as", "where", "impl", "dyn", "in",
            ];
            if NEEDS_SYN.iter().any(|keyword| ident == keyword) {
                return None;
            }
            i += 1;
            while is_path_sep(tokens, i) {
                if !matches!(tokens.get(i + 2), Some(TokenTree::Ident(_))) {
                    return None; // `Vec::<T>::new`
                }
                i += 3;
            }
            if is_punct(tokens.get(i), '!') && matches!(tokens.get(i + 1), Some(TokenTree::Group(_))) {
                i += 2; // `format!(..)`
            } else if is_group(tokens.get(i), Delimiter::Brace) {
                i += 1; // `Point { x, y }`, as syn reads a path followed by a block
            }
        }
    }
    postfix_end(tokens, i)
}

/// Past `.field`, `.method(..)`, `.await`, `.0`, `?`, `(..)`, `[..]`.
fn postfix_end(tokens: &[TokenTree], mut i: usize) -> Option<usize> {
    loop {
        match tokens.get(i) {
            Some(TokenTree::Punct(punct)) if punct.as_char() == '.' && punct.spacing() == Spacing::Alone => {
                match tokens.get(i + 1) {
                    Some(TokenTree::Ident(_) | TokenTree::Literal(_)) => i += 2,
                    _ => return None,
                }
                if is_path_sep(tokens, i) {
                    return None; // `.collect::<T>()`
                }
            }
            Some(TokenTree::Punct(punct)) if punct.as_char() == '?' => i += 1,
            Some(TokenTree::Group(group)) if group.delimiter() != Delimiter::Brace => i += 1,
            Some(TokenTree::Ident(ident)) if ident == "as" => return None,
            _ => return Some(i),
        }
    }
}

/// Past `||` or `|params|`.
fn closure_params_end(tokens: &[TokenTree], i: usize) -> Option<usize> {
    if let Some(TokenTree::Punct(bar)) = tokens.get(i)
        && bar.spacing() == Spacing::Joint
        && is_punct(tokens.get(i + 1), '|')
    {
        return Some(i + 2);
    }
    let close = tokens.get(i + 1..)?.iter().position(|token| is_punct(Some(token), '|'))?;
    Some(i + 1 + close + 1)
}

/// Length in tokens of the binary operator at `tokens[i]`, if one is there.
fn binary_operator_len(tokens: &[TokenTree], i: usize) -> Option<usize> {
    const OPERATORS: [&str; 29] = [
        "+", "-", "*", "/", "%", "^", "&", "|", "&&", "||", "<<", ">>", "==", "!=", "<", "<=", ">", ">=",
        "=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "..", "..=",
    ];
    let mut op = String::new();
    let mut k = i;
    while let Some(TokenTree::Punct(punct)) = tokens.get(k) {
        op.push(punct.as_char());
        k += 1;
        if punct.spacing() == Spacing::Alone {
            break;
        }
    }
    OPERATORS.contains(&op.as_str()).then_some(k - i)
}

/// Whether an operand can start with `token`.
fn starts_operand(token: Option<&TokenTree>) -> bool {
    match token {
        Some(TokenTree::Punct(punct)) => matches!(punct.as_char(), '!' | '-' | '*' | '&' | '|'),
        Some(_) => true,
        None => false,
    }
}

fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(tokens.get(i + 1), ':')
}

fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

fn is_ident(token: Option<&TokenTree>, name: &str) -> bool {
    matches!(token, Some(TokenTree::Ident(ident)) if ident == name)
}

fn is_group(token: Option<&TokenTree>, delimiter: Delimiter) -> bool {
    matches!(token, Some(TokenTree::Group(group)) if group.delimiter() == delimiter)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;
    use syn::parse::{ParseStream, Parser};

    use super::*;

    /// The expression at the start of `src` as text, by this module and by syn.
    fn check(src: &str, expected: Option<&str>) {
        let tokens: Vec<TokenTree> = TokenStream::from_str(src).unwrap().into_iter().collect();
        let text = |end: usize| tokens[..end].iter().cloned().collect::<TokenStream>().to_string();
        let ours = expr_end(&tokens, 0).map(text);
        assert_eq!(
            ours.as_deref(),
            expected.map(|e| TokenStream::from_str(e).unwrap().to_string()).as_deref(),
            "{src}"
        );
        if let Some(ours) = ours {
            let by_syn = |input: ParseStream<'_>| {
                input.parse::<syn::Expr>()?;
                let rest: TokenStream = input.parse()?;
                Ok(tokens.len() - rest.into_iter().count())
            };
            assert_eq!(
                ours,
                text(by_syn.parse2(tokens.iter().cloned().collect()).unwrap()),
                "syn differs on {src}"
            );
        }
    }

    #[test]
    fn simple_values_end_before_the_next_attribute() {
        check(r#""a" class="b""#, Some(r#""a""#));
        check("x id=1", Some("x"));
        check("{ a + b } x", Some("{ a + b }"));
        check("count.get() disabled", Some("count.get()"));
        check("self.items[0].name? x", Some("self.items[0].name?"));
        check("Some(3) x", Some("Some(3)"));
        check("state::SIZE x", Some("state::SIZE"));
        check("format!(\"{}\", a) x", Some("format!(\"{}\", a)"));
        check("Point { x: 1 } x", Some("Point { x: 1 }"));
        check("-1 x", Some("-1"));
        check("!open.get() x", Some("!open.get()"));
        check("&mut state x", Some("&mut state"));
        check("a.0.1 x", Some("a.0.1"));
    }

    #[test]
    fn operators_continue_the_expression() {
        check("a + b * c x", Some("a + b * c"));
        check("count.get() == 3 && !done x", Some("count.get() == 3 && !done"));
        check("1..10 x", Some("1..10"));
        check("a - -b x", Some("a - -b"));
        check("a += 1 x", Some("a += 1"));
    }

    #[test]
    fn closures_take_the_longest_body() {
        check("move || count.get() * 2 class=x", Some("move || count.get() * 2"));
        check(
            "move |_| set_count.update(|n| *n += 1) id=\"a\"",
            Some("move |_| set_count.update(|n| *n += 1)"),
        );
        check("|ev| on_input(ev) x", Some("|ev| on_input(ev)"));
        check("|(a, b)| a + b x", Some("|(a, b)| a + b"));
        check("move || { a } x", Some("move || { a }"));
    }

    #[test]
    fn unusual_shapes_are_left_to_syn() {
        check("move || if a { 1 } else { 2 } x", None);
        check("x as u8 y", None);
        check("v.iter().collect::<Vec<_>>() y", None);
        check("|x| -> u8 { x } y", None);
        check("async move { a } y", None);
        check("a + y", Some("a + y"));
        check("a +", None);
    }
}
