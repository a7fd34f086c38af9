//! Record text is data, never terminal commands: control and bidi characters are shown
//! escaped before anything reaches a terminal.

/// Replaces control characters (ESC, CR, backspace, C1 controls) and bidi overrides with
/// visible escapes such as `\x1b`, keeping everything else.
pub fn for_terminal(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let n = c as u32;
            if n <= 0xff {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(for_terminal("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(for_terminal("x\ry\x08"), "x\\x0dy\\x08");
        assert_eq!(for_terminal("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(for_terminal("Iván"), "Iván");
    }
}
