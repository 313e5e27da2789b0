//! Puts the client's `<script>` tag into an HTML document as it streams past.

use bytes::{Bytes, BytesMut};

/// Where the client script is served.
pub(crate) const CLIENT_PATH: &str = "/__devserve/client.js";

/// The tag that loads the client, with the settings it reads from `document.currentScript`.
pub(crate) fn script_tag(token: &str, build_id: &str, applied_version: u64) -> String {
    format!(
        r#"<script src="{CLIENT_PATH}" data-token="{}" data-build-id="{}" data-applied-version="{applied_version}"></script>"#,
        escape_attr(token),
        escape_attr(build_id),
    )
}

fn escape_attr(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// The most bytes held back: `</head` before the byte that says whether it is the tag.
const MAX_HELD: usize = "</head".len();

/// Inserts a tag into an HTML document that arrives in chunks: right before its real `</head>`,
/// else before its `<body>` start tag, else at its end.
///
/// "Real" means the tag a browser sees: a `</head>` inside a comment, an attribute value, a
/// `<script>`, `<style>`, `<title>`, `<textarea>` (or another raw-text element) or a `<template>`
/// is not the end of the head. An [`HtmlScanner`] follows the document byte by byte to tell them
/// apart. At most the few bytes that may be the start of a split `</head` or `<body` are held
/// back; everything else passes through as soon as it arrives.
pub(crate) struct Injector {
    tag: Option<Bytes>,
    carry: BytesMut,
    html: HtmlScanner,
}

impl Injector {
    pub(crate) fn new(tag: impl Into<Bytes>) -> Self {
        Injector { tag: Some(tag.into()), carry: BytesMut::new(), html: HtmlScanner::default() }
    }

    /// The bytes to pass on for the next chunk (possibly empty).
    pub(crate) fn push(&mut self, chunk: Bytes) -> Bytes {
        let Some(tag) = &self.tag else { return chunk };
        // The held bytes were scanned already; only the chunk is new.
        let held = self.carry.len();
        let buf = if held == 0 {
            chunk
        } else {
            self.carry.extend_from_slice(&chunk);
            self.carry.split().freeze()
        };
        for i in held..buf.len() {
            if let Some(back) = self.html.step(buf[i]) {
                let at = i - back;
                let mut out = BytesMut::with_capacity(buf.len() + tag.len());
                out.extend_from_slice(&buf[..at]);
                out.extend_from_slice(tag);
                out.extend_from_slice(&buf[at..]);
                self.tag = None;
                return out.freeze();
            }
        }
        let keep = self.html.candidate_len();
        debug_assert!(keep <= MAX_HELD);
        self.carry.extend_from_slice(&buf[buf.len() - keep..]);
        buf.slice(..buf.len() - keep)
    }

    /// The bytes that end the document: what was held back, and the tag if it is still due.
    pub(crate) fn finish(&mut self) -> Bytes {
        let mut out = self.carry.split();
        if let Some(tag) = self.tag.take() {
            out.extend_from_slice(&tag);
        }
        out.freeze()
    }
}

/// Elements whose content is text up to their own end tag (WHATWG HTML, 13.2.5: RCDATA,
/// RAWTEXT, script data and PLAINTEXT; `noscript` as in a browser that runs scripts).
const RAW_TEXT: [&[u8]; 10] = [
    b"script",
    b"style",
    b"title",
    b"textarea",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
    b"plaintext",
];

/// The longest tag name worth remembering ("plaintext"); longer names are none of ours.
const NAME_MAX: usize = 9;

/// Just enough of the HTML tokenizer (WHATWG HTML, 13.2.5) to find the tags that end a head:
/// text, tags with their attribute values, comments, doctypes and raw-text elements (with the
/// escaped states of script data), plus the `<template>`s around. Fed one byte at a time, so a
/// chunk may end anywhere.
#[derive(Debug, Default)]
struct HtmlScanner {
    state: State,
    /// The tag name being read, lower-cased (its first [`NAME_MAX`] bytes).
    name: [u8; NAME_MAX],
    /// Its length, which may exceed [`NAME_MAX`].
    name_len: usize,
    /// The tag being read is an end tag.
    end_tag: bool,
    /// How many `<template>` elements are open: a browser ignores a `</head>` or `<body>` in
    /// one.
    templates: usize,
    /// In a raw-text element: its last bytes, lower-cased, to spot its end tag.
    recent: [u8; NAME_MAX + 2],
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Data,
    /// After `<`.
    TagOpen,
    /// After `</`.
    EndTagOpen,
    TagName,
    /// Inside a tag, after its name.
    Attrs(Attr),
    /// After `<!` and this many `-`.
    MarkupOpen(u8),
    /// Right after `<!--` and this many more `-` (`<!-->` and `<!--->` are whole comments).
    CommentStart(u8),
    /// Inside `<!-- -->`: how many `-` just passed (at most 2), and whether `--!` did.
    Comment {
        dashes: u8,
        bang: bool,
    },
    /// `<!DOCTYPE ..>`, `<?..>`, `</ ..>`: up to the next `>`.
    Bogus,
    /// Inside the raw-text element `RAW_TEXT[kind]`.
    RawText {
        kind: usize,
        script: Script,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attr {
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    DoubleQuoted,
    SingleQuoted,
    Unquoted,
    AfterQuoted,
}

/// Script data's own states: after `<!--`, a `<script>` opens a "double-escaped" part in which
/// `</script>` does not end the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Plain,
    Escaped,
    DoubleEscaped,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

impl HtmlScanner {
    /// Takes the next byte. Returns `Some(n)` when it completes `</head` or `<body` as a real
    /// tag: the insertion point is `n` bytes before this byte.
    fn step(&mut self, b: u8) -> Option<usize> {
        self.state = match self.state {
            State::Data if b == b'<' => State::TagOpen,
            State::Data => State::Data,
            State::TagOpen => match b {
                b'!' => State::MarkupOpen(0),
                b'/' => State::EndTagOpen,
                b'?' => State::Bogus,
                b'<' => State::TagOpen,
                _ if b.is_ascii_alphabetic() => self.start_name(b, false),
                _ => State::Data,
            },
            State::EndTagOpen => match b {
                b'>' => State::Data,
                _ if b.is_ascii_alphabetic() => self.start_name(b, true),
                _ => State::Bogus,
            },
            State::TagName if is_space(b) || b == b'/' || b == b'>' => {
                let found = self.name_complete();
                self.state = State::Attrs(Attr::BeforeName);
                if b == b'>' {
                    self.tag_complete();
                }
                return found;
            }
            State::TagName => {
                if let Some(slot) = self.name.get_mut(self.name_len) {
                    *slot = b.to_ascii_lowercase();
                }
                self.name_len += 1;
                State::TagName
            }
            State::Attrs(attr) => match self.attr(attr, b) {
                Some(attr) => State::Attrs(attr),
                None => {
                    self.tag_complete();
                    return None;
                }
            },
            State::MarkupOpen(0) if b == b'-' => State::MarkupOpen(1),
            State::MarkupOpen(_) if b == b'-' => State::CommentStart(0),
            State::MarkupOpen(_) | State::Bogus if b == b'>' => State::Data,
            State::MarkupOpen(_) | State::Bogus => State::Bogus,
            State::CommentStart(_) if b == b'>' => State::Data,
            State::CommentStart(0) if b == b'-' => State::CommentStart(1),
            State::CommentStart(_) if b == b'-' => State::Comment { dashes: 2, bang: false },
            State::CommentStart(_) => State::Comment { dashes: 0, bang: false },
            State::Comment { dashes, bang } => match b {
                // `-->`, and `--!>`.
                b'>' if dashes == 2 || bang => State::Data,
                b'-' => State::Comment { dashes: (dashes + 1).min(2), bang: false },
                b'!' if dashes == 2 => State::Comment { dashes: 0, bang: true },
                _ => State::Comment { dashes: 0, bang: false },
            },
            State::RawText { kind, script } => {
                self.raw_text(kind, script, b);
                return None;
            }
        };
        None
    }

    /// How many of the bytes scanned last may be the start of `</head` or `<body`: the bytes a
    /// caller holds back (at most [`MAX_HELD`]).
    fn candidate_len(&self) -> usize {
        match self.state {
            State::TagOpen => 1,
            State::EndTagOpen => 2,
            State::TagName if self.name_len <= 4 && self.wanted().starts_with(self.name()) => {
                1 + usize::from(self.end_tag) + self.name_len
            }
            _ => 0,
        }
    }

    /// The tag that ends the head, by the kind of tag being read.
    fn wanted(&self) -> &'static [u8] {
        if self.end_tag { b"head" } else { b"body" }
    }

    fn start_name(&mut self, first: u8, end_tag: bool) -> State {
        self.end_tag = end_tag;
        self.name[0] = first.to_ascii_lowercase();
        self.name_len = 1;
        State::TagName
    }

    /// The tag's name; empty if it is longer than any name of interest.
    fn name(&self) -> &[u8] {
        self.name.get(..self.name_len).unwrap_or_default()
    }

    /// The tag's name is complete: whether this is the tag to insert before, and how many bytes
    /// back it started.
    fn name_complete(&mut self) -> Option<usize> {
        if self.name() == b"template" {
            self.templates = if self.end_tag { self.templates.saturating_sub(1) } else { self.templates + 1 };
        }
        (self.name() == self.wanted() && self.templates == 0)
            .then(|| 1 + usize::from(self.end_tag) + self.name_len)
    }

    /// The tag's `>`: back to text, or into the text of the raw-text element it opened.
    fn tag_complete(&mut self) {
        self.state = match RAW_TEXT.iter().position(|raw| *raw == self.name()) {
            Some(kind) if !self.end_tag => {
                self.recent = Default::default();
                State::RawText { kind, script: Script::Plain }
            }
            _ => State::Data,
        };
    }

    /// The attribute state after `b`, or `None` when `b` ends the tag.
    fn attr(&self, attr: Attr, b: u8) -> Option<Attr> {
        let space = is_space(b);
        Some(match attr {
            Attr::DoubleQuoted if b == b'"' => Attr::AfterQuoted,
            Attr::SingleQuoted if b == b'\'' => Attr::AfterQuoted,
            Attr::DoubleQuoted | Attr::SingleQuoted => attr,
            _ if b == b'>' => return None,
            Attr::BeforeName if space || b == b'/' => attr,
            Attr::Name | Attr::AfterName if b == b'=' => Attr::BeforeValue,
            Attr::Name | Attr::AfterName | Attr::AfterQuoted if b == b'/' => Attr::BeforeName,
            Attr::Name | Attr::AfterName if space => Attr::AfterName,
            Attr::AfterQuoted if space => Attr::BeforeName,
            // A name starts (even with `=`, at the start of a name) or goes on.
            Attr::BeforeName | Attr::Name | Attr::AfterName | Attr::AfterQuoted => Attr::Name,
            Attr::BeforeValue if b == b'"' => Attr::DoubleQuoted,
            Attr::BeforeValue if b == b'\'' => Attr::SingleQuoted,
            Attr::BeforeValue if space => attr,
            Attr::BeforeValue => Attr::Unquoted,
            Attr::Unquoted if space => Attr::BeforeName,
            Attr::Unquoted => attr,
        })
    }

    fn raw_text(&mut self, kind: usize, script: Script, b: u8) {
        let name = RAW_TEXT[kind];
        if name == b"plaintext" {
            // Text to the end of the document.
            return;
        }
        let delimiter = is_space(b) || b == b'/' || b == b'>';
        let end_tag = delimiter && self.recent_ends_with(b"</", name);
        let script_tag = delimiter && self.recent_ends_with(b"<", b"script");
        self.recent.copy_within(1.., 0);
        self.recent[NAME_MAX + 1] = b.to_ascii_lowercase();
        let script = match script {
            _ if name != b"script" && end_tag => return self.raw_text_end(b),
            _ if name != b"script" => script,
            Script::Plain | Script::Escaped if end_tag => return self.raw_text_end(b),
            Script::Plain if self.recent_ends_with(b"<!--", b"") => Script::Escaped,
            Script::Escaped if script_tag => Script::DoubleEscaped,
            Script::DoubleEscaped if end_tag => Script::Escaped,
            Script::Escaped | Script::DoubleEscaped if self.recent_ends_with(b"-->", b"") => Script::Plain,
            _ => script,
        };
        self.state = State::RawText { kind, script };
    }

    fn recent_ends_with(&self, prefix: &[u8], name: &[u8]) -> bool {
        let Some(start) = self.recent.len().checked_sub(prefix.len() + name.len()) else { return false };
        let (head, tail) = self.recent[start..].split_at(prefix.len());
        head == prefix && tail == name
    }

    /// The raw-text element's end tag is read up to `b`: the rest of it is read as a tag's.
    fn raw_text_end(&mut self, b: u8) {
        self.end_tag = true;
        self.state = State::Attrs(Attr::BeforeName);
        if b == b'>' {
            self.tag_complete();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `chunks` through an injector of the tag `<T>` and compares the whole output, and
    /// checks that nothing before the insertion point is held back longer than needed.
    fn check(chunks: &[&str], expected: &str) {
        let mut injector = Injector::new("<T>");
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend_from_slice(&injector.push(Bytes::copy_from_slice(chunk.as_bytes())));
            let held = injector.carry.len();
            assert!(held <= MAX_HELD, "held back {held} bytes");
        }
        out.extend_from_slice(&injector.finish());
        assert_eq!(String::from_utf8(out).unwrap(), expected, "chunks: {chunks:?}");
    }

    #[test]
    fn before_the_first_close_head() {
        check(
            &["<html><head><title>x</title></head><body></body></html>"],
            "<html><head><title>x</title><T></head><body></body></html>",
        );
        check(
            &[r#"<head></head><body><script>"</head>"</script></body>"#],
            r#"<head><T></head><body><script>"</head>"</script></body>"#,
        );
    }

    #[test]
    fn any_case_and_whitespace_before_the_bracket() {
        check(&["<HEAD></HEAD>"], "<HEAD><T></HEAD>");
        check(&["<head></Head >"], "<head><T></Head >");
        check(&["<head></head\n>"], "<head><T></head\n>");
    }

    #[test]
    fn not_before_look_alikes() {
        check(&["<header></header><head></head>"], "<header></header><head><T></head>");
        check(&["</headline>"], "</headline><T>");
    }

    #[test]
    fn split_across_chunks() {
        let whole = "<html><head><meta></head><body>hi</body></html>";
        let expected = "<html><head><meta><T></head><body>hi</body></html>";
        for cut in 0..=whole.len() {
            check(&[&whole[..cut], &whole[cut..]], expected);
        }
        check(&["<head><", "/", "he", "a", "d", ">"], "<head><T></head>");
        check(&["<head></HE", "AD>"], "<head><T></HEAD>");
    }

    #[test]
    fn at_the_end_without_close_head() {
        check(&["<p>no head</p>"], "<p>no head</p><T>");
        check(&["<p>ends with </head"], "<p>ends with </head<T>");
        check(&[], "<T>");
        check(&["", ""], "<T>");
    }

    #[test]
    fn once_only() {
        check(&["<head></head>", "</head>"], "<head><T></head></head>");
    }

    #[test]
    fn chunks_pass_through_untouched_when_nothing_is_held() {
        let mut injector = Injector::new("<T>");
        assert_eq!(injector.push(Bytes::from_static(b"<html><head>")), "<html><head>");
        assert_eq!(injector.push(Bytes::from_static(b"<title>a</title></")), "<title>a</title>");
        assert_eq!(injector.push(Bytes::from_static(b"head><body>")), "<T></head><body>");
        assert_eq!(injector.push(Bytes::from_static(b"</head>")), "</head>");
        assert_eq!(injector.finish(), "");
    }

    /// Every way of cutting `whole` into three chunks (so two chunks, and cuts at each byte, are
    /// covered too), and one byte at a time, gives `expected`.
    fn check_every_split(whole: &str, expected: &str) {
        let bytes = whole.as_bytes();
        let run = |chunks: &[&[u8]]| {
            let mut injector = Injector::new("<T>");
            let mut out = Vec::new();
            for chunk in chunks {
                out.extend_from_slice(&injector.push(Bytes::copy_from_slice(chunk)));
                assert!(injector.carry.len() <= MAX_HELD, "held back {} bytes", injector.carry.len());
            }
            out.extend_from_slice(&injector.finish());
            String::from_utf8(out).unwrap()
        };
        for first in 0..=bytes.len() {
            for second in first..=bytes.len() {
                let chunks = [&bytes[..first], &bytes[first..second], &bytes[second..]];
                assert_eq!(run(&chunks), expected, "cut at {first} and {second}: {chunks:?}");
            }
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(run(&singles), expected, "one byte at a time");
    }

    /// `document` with `<T>` where the marker `|` is (removed from the input).
    fn check_traps(document: &str) {
        let whole = document.replacen('|', "", 1);
        let expected = document.replacen('|', "<T>", 1);
        check_every_split(&whole, &expected);
    }

    #[test]
    fn not_inside_scripts_styles_and_other_raw_text() {
        check_traps(r#"<head><script>var s = "</head>";</script>|</head><body>"#);
        check_traps(r#"<head><script>if (a<b) x = '</scripty></head>';</script>|</head>"#);
        check_traps(r#"<HEAD><SCRIPT>"</HEAD>"</SCRIPT>|</HEAD>"#);
        check_traps(r#"<head><style>a::after { content: "</head>" }</STYLE >|</head>"#);
        check_traps("<head><title>a </head> title</title>|</head>");
        check_traps("<head><title>x</title foo=\">\"></head>".replace("</head>", "|</head>").as_str());
        check_traps("<head><textarea></head><body></textarea>|</head>");
        check_traps(r#"<head><noscript><link href="x"></head></noscript>|</head>"#);
        check_traps("<head><xmp></head></xmp><iframe></head></iframe><noembed></head></noembed>|</head>");
        check_traps("<head><noframes><body></noframes>|</head>");
    }

    #[test]
    fn not_inside_escaped_script_data() {
        // After `<!--`, a `<script>` inside a script makes the next `</script>` part of the text.
        check_traps(r#"<head><script><!--<script>"</script>"</head>--></script>|</head>"#);
        check_traps(r#"<head><script><!-- "</head>" --></script>|</head>"#);
        check_traps(r#"<head><script><!--></script>|</head>"#);
        check_traps(r#"<head><script><!--<script></script></script>|</head>"#);
    }

    #[test]
    fn not_inside_comments() {
        check_traps("<head><!-- </head> -->|</head>");
        check_traps("<!DOCTYPE html><!-- <head></head><body> --><html><head>|</head>");
        check_traps("<head><!-- a --!>|</head>");
        check_traps("<head><!-- a --!- </head> -->|</head>");
        check_traps("<head><!---->|</head>");
        check_traps("<head><!-->|</head>");
        check_traps("<head><!--->|</head>");
        check_traps("<head><!--!></head>-->|</head>");
        check_traps("<head><!-- -- > </head> -- -->|</head>");
        check_traps("<head><!x </head>|</head>");
        check_traps("<?xml </head> ?><head>|</head>");
    }

    #[test]
    fn not_inside_attribute_values() {
        check_traps(r#"<head><meta content="</head>">|</head>"#);
        check_traps(r#"<head><meta content='a > </head>'>|</head>"#);
        check_traps(r#"<head><meta content = "</head>" x='<body>'>|</head>"#);
        check_traps(r#"<head><meta a="x"b='</head>'>|</head>"#);
        // Quotes start a value only after `=`; elsewhere they are part of a name.
        check_traps(r#"<head><meta a"b>|</head>"#);
        check_traps(r#"<head><meta content=</head>|</head>"#);
        check_traps(r#"<head><link/>|</head>"#);
    }

    #[test]
    fn not_inside_templates() {
        check_traps("<head><template></head><body></template>|</head>");
        check_traps("<head><template><template></template></head></template>|</head>");
        check_traps("<head></template>|</head>");
    }

    #[test]
    fn the_real_one_in_plain_documents() {
        check_traps(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>|</head><body>hi</body></html>",
        );
        check_traps("<html><head>a < b|</head>");
        check_traps("<head>|</head/><body>");
        check_traps("<head>|</head\t>");
        check_traps("<head><headx></headx>|</head>");
    }

    #[test]
    fn before_the_body_when_the_head_is_not_closed() {
        check_traps("<!DOCTYPE html><html><head><title>x</title>|<body>hi</body></html>");
        check_traps("<html>|<BODY class=\"a\">");
        check_traps("|<body>");
        check_traps("<p>x</p><bodyx></bodyx><!-- <body> --><script>'<body>'</script>|<body\n>");
        check_traps("<template><body></template>|<body>");
    }

    #[test]
    fn at_the_end_without_head_or_body() {
        check_traps("<p>no head</p>|");
        check_traps("<head><title>x</title><!-- </head>|");
        check_traps("<head><script>'</head><body>'|");
        check_traps("<plaintext></head><body>|");
        check_traps("<head></head|");
        check_traps("<head><body|");
    }

    #[test]
    fn the_tag_carries_escaped_settings() {
        assert_eq!(
            script_tag("ab12", r#"b"1"#, 7),
            r#"<script src="/__devserve/client.js" data-token="ab12" data-build-id="b&quot;1" data-applied-version="7"></script>"#
        );
    }
}
