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

/// `</head` followed by `>` or whitespace, matched case-insensitively.
const CLOSE_HEAD: &[u8] = b"</head";

/// Inserts a tag right before the first `</head>` of a document that arrives in chunks, or at
/// its end if it has none. Holds back at most the few bytes that may be the start of a split
/// `</head>`; everything else passes through as soon as it arrives.
pub(crate) struct Injector {
    tag: Option<Bytes>,
    carry: BytesMut,
}

impl Injector {
    pub(crate) fn new(tag: impl Into<Bytes>) -> Self {
        Injector { tag: Some(tag.into()), carry: BytesMut::new() }
    }

    /// The bytes to pass on for the next chunk (possibly empty).
    pub(crate) fn push(&mut self, chunk: Bytes) -> Bytes {
        let Some(tag) = &self.tag else { return chunk };
        let buf = if self.carry.is_empty() {
            chunk
        } else {
            self.carry.extend_from_slice(&chunk);
            self.carry.split().freeze()
        };
        if let Some(at) = find_close_head(&buf) {
            let mut out = BytesMut::with_capacity(buf.len() + tag.len());
            out.extend_from_slice(&buf[..at]);
            out.extend_from_slice(tag);
            out.extend_from_slice(&buf[at..]);
            self.tag = None;
            return out.freeze();
        }
        let keep = partial_close_head_len(&buf);
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

fn find_close_head(buf: &[u8]) -> Option<usize> {
    buf.windows(CLOSE_HEAD.len() + 1).position(|window| {
        let (name, after) = window.split_at(CLOSE_HEAD.len());
        name.eq_ignore_ascii_case(CLOSE_HEAD) && (after[0] == b'>' || after[0].is_ascii_whitespace())
    })
}

/// The length of the longest tail of `buf` that a later chunk could complete into `</head>`.
fn partial_close_head_len(buf: &[u8]) -> usize {
    let start = buf.len().saturating_sub(CLOSE_HEAD.len());
    (start..buf.len())
        .find(|&i| {
            let tail = &buf[i..];
            tail.eq_ignore_ascii_case(&CLOSE_HEAD[..tail.len()])
        })
        .map_or(0, |i| buf.len() - i)
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
            assert!(held <= CLOSE_HEAD.len(), "held back {held} bytes");
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

    #[test]
    fn the_tag_carries_escaped_settings() {
        assert_eq!(
            script_tag("ab12", r#"b"1"#, 7),
            r#"<script src="/__devserve/client.js" data-token="ab12" data-build-id="b&quot;1" data-applied-version="7"></script>"#
        );
    }
}
