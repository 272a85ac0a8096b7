//! Counts lines as a parser consumes its input, so errors and items can name their line
//! without keeping the file in memory.

use std::io::{self, BufRead, Read};

pub(super) struct LineCounter<R> {
    inner: R,
    newlines: u64,
}

impl<R> LineCounter<R> {
    pub(super) fn new(inner: R) -> Self {
        Self { inner, newlines: 0 }
    }

    /// The 1-based line of the next byte to be consumed.
    pub(super) fn line(&self) -> u64 {
        self.newlines + 1
    }
}

fn count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += count(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The buffer is already filled (consume follows fill_buf), so this does no I/O.
        if let Ok(buffer) = self.inner.fill_buf() {
            self.newlines += count(&buffer[..amount.min(buffer.len())]);
        }
        self.inner.consume(amount);
    }
}

/// The 1-based line and character column of byte `offset` in the file: errors are rare,
/// so the file is read again to place one rather than tracking columns while parsing.
pub(super) fn position_of(path: &std::path::Path, offset: u64) -> Option<(u64, u64)> {
    let file = std::fs::File::open(path).ok()?;
    let mut before = Vec::new();
    file.take(offset).read_to_end(&mut before).ok()?;
    let line = count(&before) + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&before[start..]);
    let column = text.trim_start_matches('\u{feff}').chars().count() as u64 + 1;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_consumed_lines() {
        let mut input = LineCounter::new(io::BufReader::new("a\nb\nc".as_bytes()));
        assert_eq!(input.line(), 1);
        let mut line = String::new();
        input.read_line(&mut line).unwrap();
        assert_eq!(input.line(), 2);
        input.read_to_string(&mut line).unwrap();
        assert_eq!(input.line(), 3);
    }

    #[test]
    fn a_byte_offset_becomes_line_and_character_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.xml");
        std::fs::write(&path, "<a>\n  <bö>x</b>").unwrap();
        // `<` of `</b>` is byte 12: line 2 starts at byte 4, `<bö>` is 5 bytes.
        assert_eq!(position_of(&path, 12), Some((2, 8)));
        assert_eq!(position_of(&path, 0), Some((1, 1)));
    }
}
