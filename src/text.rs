//! Text from users and files as it may be printed in a message.

/// `s` with control characters escaped (`\u{1b}` for ESC), so that a file name or a value holding ANSI
/// escape codes cannot recolour or rewrite the terminal that shows the message.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_control_characters_only() {
        assert_eq!(super::printable("a\u{1b}[31mb\tc é"), "a\\u{1b}[31mb\\tc é");
    }
}
