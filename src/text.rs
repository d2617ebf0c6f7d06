//! Text from a KMS or a peer made safe to report: every text the client puts in an event or
//! an error (a KMS's ErrorMsg, a key set's UserUri, a parser's message naming an element)
//! goes through [`reportable`], so that it cannot forge log lines or reorder what a user
//! reads, and cannot grow without bound.

/// The most octets [`reportable`] returns, the truncation mark included.
pub const MAX_REPORTED_BYTES: usize = 512;

/// Appended when a text was cut to [`MAX_REPORTED_BYTES`].
const CUT: &str = "...";

/// `text` with every control character (C0, DEL, C1 such as U+0085 and U+009B) and every
/// bidirectional or invisible format character (U+061C, U+200B-U+200F, U+2028-U+202E,
/// U+2060-U+2069, U+FEFF, U+FFF9-U+FFFB) written as `\u{hex}`, a backslash as `\\`, and the
/// result cut to at most [`MAX_REPORTED_BYTES`] octets (ending in `...` when cut).
pub fn reportable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_REPORTED_BYTES));
    for c in text.chars() {
        let piece = if c == '\\' {
            "\\\\".to_owned()
        } else if must_escape(c) {
            format!("\\u{{{:x}}}", u32::from(c))
        } else {
            c.to_string()
        };
        if out.len() + piece.len() > MAX_REPORTED_BYTES - CUT.len() {
            out.push_str(CUT);
            return out;
        }
        out.push_str(&piece);
    }
    out
}

fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(reportable("plain text: ok"), "plain text: ok");
        assert_eq!(
            reportable("a\nb\rc\u{85}d\u{9b}e\u{202e}f\u{1b}[2J\u{7f}\\"),
            "a\\u{a}b\\u{d}c\\u{85}d\\u{9b}e\\u{202e}f\\u{1b}[2J\\u{7f}\\\\"
        );
        assert_eq!(
            reportable("\u{2066}x\u{2069}\u{feff}"),
            "\\u{2066}x\\u{2069}\\u{feff}"
        );
        assert_eq!(reportable("sip:élise@example.org"), "sip:élise@example.org");
    }

    #[test]
    fn length_is_bounded() {
        let long = "x".repeat(10_000);
        let r = reportable(&long);
        assert_eq!(r.len(), MAX_REPORTED_BYTES);
        assert!(r.ends_with("..."));
        let r = reportable(&"\n".repeat(10_000));
        assert!(r.len() <= MAX_REPORTED_BYTES && r.ends_with("..."));
        let r = reportable(&"é".repeat(1_000));
        assert!(r.len() <= MAX_REPORTED_BYTES);
        assert_eq!(
            reportable(&"y".repeat(MAX_REPORTED_BYTES)).len(),
            MAX_REPORTED_BYTES
        );
    }
}
