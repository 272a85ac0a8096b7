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
}
