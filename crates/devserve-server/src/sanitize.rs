//! Text from pages made safe to print in a terminal.

/// `text` with every control and escape sequence neutralised, for printing in a terminal.
///
/// Complete escape sequences (CSI such as colours and cursor moves, OSC such as window titles
/// and hyperlinks, DCS/SOS/PM/APC strings, two-character escapes such as `ESC c`), in their
/// 7-bit (`ESC [`) and 8-bit (`\u{9b}`) forms, are removed. Every other control character (C0
/// but `\n` and `\t`, DEL, C1) and the bidirectional embedding, override and isolate characters
/// are shown escaped as `\u{..}`, so nothing a page sends can move the cursor, rewrite a line,
/// ring the bell, set the title, write a hyperlink or reorder the text around it. A `\r`
/// right before `\n` is dropped.
///
/// ```
/// use devserve_server::sanitize_terminal;
///
/// assert_eq!(sanitize_terminal("\x1b[31mred\x1b[0m\tok\n"), "red\tok\n");
/// assert_eq!(sanitize_terminal("\x1b]0;pwned\x07title"), "title");
/// assert_eq!(sanitize_terminal("ding\x07 \r over"), "ding\\u{7} \\u{d} over");
/// ```
pub fn sanitize_terminal(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    // Once a search for a string's terminator failed, every later one would fail too: remember
    // it so hostile input stays linear.
    let (mut no_bel_or_st, mut no_st) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let sequence = match (c, chars.get(i + 1)) {
            ('\x1b', Some('[')) | ('\u{9b}', _) => Some(Sequence::Csi),
            ('\x1b', Some(']')) | ('\u{9d}', _) => Some(Sequence::Osc),
            ('\x1b', Some('P' | 'X' | '^' | '_')) | ('\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}', _) => {
                Some(Sequence::String)
            }
            ('\x1b', _) => Some(Sequence::Escape),
            _ => None,
        };
        let Some(sequence) = sequence else {
            match c {
                '\r' if chars.get(i + 1) == Some(&'\n') => {}
                '\n' | '\t' => out.push(c),
                c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
                c => out.push(c),
            }
            i += 1;
            continue;
        };
        let body = if c == '\x1b' && sequence != Sequence::Escape { i + 2 } else { i + 1 };
        let end = match sequence {
            Sequence::Csi => csi_end(&chars, body),
            Sequence::Escape => escape_end(&chars, body),
            Sequence::Osc if !no_bel_or_st => string_end(&chars, body, true),
            Sequence::String if !no_st => string_end(&chars, body, false),
            Sequence::Osc | Sequence::String => None,
        };
        match end {
            Some(end) => i = end,
            None => {
                match sequence {
                    Sequence::Osc => (no_bel_or_st, no_st) = (true, true),
                    Sequence::String => no_st = true,
                    Sequence::Csi | Sequence::Escape => {}
                }
                // Not a complete sequence: the introducer is shown escaped, the rest is text.
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
                i += 1;
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sequence {
    /// `ESC [` or `\u{9b}`: parameters, intermediates, one final byte.
    Csi,
    /// `ESC ]` or `\u{9d}`: a string ended by BEL or ST.
    Osc,
    /// DCS, SOS, PM, APC: a string ended by ST.
    String,
    /// `ESC`, intermediates, one final byte (`ESC c`, `ESC 7`, `ESC ( B`).
    Escape,
}

/// Control characters, and the characters that reorder text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Where a CSI sequence whose parameters start at `from` ends, if it is complete.
fn csi_end(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from;
    while chars.get(i).is_some_and(|c| ('\x30'..='\x3f').contains(c)) {
        i += 1;
    }
    while chars.get(i).is_some_and(|c| ('\x20'..='\x2f').contains(c)) {
        i += 1;
    }
    chars.get(i).filter(|c| ('\x40'..='\x7e').contains(*c)).map(|_| i + 1)
}

/// Where an `ESC` sequence whose intermediates start at `from` ends, if it is complete.
fn escape_end(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from;
    while chars.get(i).is_some_and(|c| ('\x20'..='\x2f').contains(c)) {
        i += 1;
    }
    chars.get(i).filter(|c| ('\x30'..='\x7e').contains(*c)).map(|_| i + 1)
}

/// Where a control string starting at `from` ends: after ST (`ESC \` or `\u{9c}`), or BEL too.
fn string_end(chars: &[char], from: usize, bel_ends: bool) -> Option<usize> {
    let mut i = from;
    while let Some(&c) = chars.get(i) {
        match c {
            '\u{9c}' => return Some(i + 1),
            '\x07' if bel_ends => return Some(i + 1),
            '\x1b' if chars.get(i + 1) == Some(&'\\') => return Some(i + 2),
            _ => i += 1,
        }
    }
    None
}

/// At most `max` characters of `text`, with `…` added where it was cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hostile: &str, expected: &str) {
        let safe = sanitize_terminal(hostile);
        assert_eq!(safe, expected, "from {hostile:?}");
        assert!(
            !safe.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
            "control characters left in {safe:?}"
        );
    }

    #[test]
    fn plain_text_is_untouched() {
        check("", "");
        check(
            "TypeError: x is undefined\n    at App (app.js:3:7)\tok",
            "TypeError: x is undefined\n    at App (app.js:3:7)\tok",
        );
        check("ünïcödé ✓ 日本 🎉 [brackets] \\ backslash", "ünïcödé ✓ 日本 🎉 [brackets] \\ backslash");
        check("line\r\nnext", "line\nnext");
    }

    #[test]
    fn colours_and_cursor_moves_are_removed() {
        check("\x1b[1;31merror\x1b[0m", "error");
        check("a\x1b[2Ab\x1b[10;20Hc\x1b[2Jd\x1b[Ke", "abcde");
        check("\x1b[?25lhidden cursor\x1b[?1049h", "hidden cursor");
        check("8-bit \u{9b}2A CSI", "8-bit  CSI");
        check("\x1b[38;2;255;0;0mtrue colour", "true colour");
    }

    #[test]
    fn titles_and_hyperlinks_are_removed() {
        check("\x1b]0;you have been pwned\x07after", "after");
        check("\x1b]2;title\x1b\\after", "after");
        check("\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\ please", "click here please");
        check("\x1b]8;;file:///etc/passwd\x07link\x1b]8;;\x07", "link");
        check("\u{9d}0;8-bit title\u{9c}after", "after");
        check("\x1bPdevice control\x1b\\after", "after");
        check("\x1b_application\u{9c}after", "after");
    }

    #[test]
    fn other_escapes_are_removed() {
        check("\x1bcreset", "reset");
        check("\x1b7saved\x1b8", "saved");
        check("\x1b(Bcharset", "charset");
    }

    #[test]
    fn lone_controls_are_shown_escaped() {
        check("bell\x07", "bell\\u{7}");
        check("over\rwrite", "over\\u{d}write");
        check("back\x08space\x7f", "back\\u{8}space\\u{7f}");
        check("nul\0", "nul\\u{0}");
        check("c1 \u{85} \u{8d}", "c1 \\u{85} \\u{8d}");
        check("vertical\x0bfeed\x0c", "vertical\\u{b}feed\\u{c}");
        check("\u{202e}txt.exe", "\\u{202e}txt.exe");
        check("isolate\u{2066}x\u{2069}", "isolate\\u{2066}x\\u{2069}");
    }

    #[test]
    fn incomplete_sequences_leave_their_text_visible() {
        check("\x1b", "\\u{1b}");
        check("\x1b[", "\\u{1b}[");
        check("\x1b[31", "\\u{1b}[31");
        check("\x1b[31\nm", "\\u{1b}[31\nm");
        check("\x1b]0;no end", "\\u{1b}]0;no end");
        check("\x1b]0;a\x1b]0;b\x07c", "c");
        check("\x1bPno end\x07", "\\u{1b}Pno end\\u{7}");
        check("\u{9b}", "\\u{9b}");
        check("\x1b\u{9b}", "\\u{1b}\\u{9b}");
    }

    #[test]
    fn hostile_input_stays_linear() {
        let hostile = "\x1b]\x1bP\u{9b}1;".repeat(20_000);
        let started = std::time::Instant::now();
        let safe = sanitize_terminal(&hostile);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(!safe.contains('\x1b'));
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "abc…");
        assert_eq!(truncate("日本語です", 2), "日本…");
        assert_eq!(truncate("", 0), "");
    }
}
