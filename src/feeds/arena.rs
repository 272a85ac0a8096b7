//! One string arena per feed: every text value lives in a single `String`, and a product
//! refers to it by packed (offset, length) cells, so 800,000 products cost a handful of
//! allocations instead of millions.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// The value of a cell that holds nothing. No text cell can take this value (it would need
/// a 4 GiB arena ending in a 4 GiB string) and no number can either (it is a NaN, which
/// the parsers reject).
pub(super) const MISSING: u64 = u64::MAX;

/// Packs a text slice of the arena into a cell.
fn pack(offset: u32, len: u32) -> u64 {
    (u64::from(offset) << 32) | u64::from(len)
}

/// Reads a text cell back; an out-of-range cell yields "" rather than a panic.
pub(super) fn text(arena: &str, cell: u64) -> &str {
    let offset = (cell >> 32) as usize;
    let len = (cell & 0xFFFF_FFFF) as usize;
    arena.get(offset..offset.saturating_add(len)).unwrap_or("")
}

/// The arena while a feed is being read. Repeated values (brand, category, currency,
/// availability, and descriptions that variants share) are stored once.
pub(super) struct ArenaBuilder {
    text: String,
    seen: HashTable<u64>,
    hasher: DefaultHashBuilder,
}

/// The arena has outgrown the 4 GiB that 32-bit offsets address.
#[derive(Debug)]
pub(super) struct ArenaFull;

impl ArenaBuilder {
    /// `capacity` is a hint: the feed file's size bounds the text it holds, and reserving
    /// it up front avoids copying a growing arena (untouched pages cost no memory).
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            text: String::with_capacity(capacity.min(u32::MAX as usize)),
            seen: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    /// Stores `value` without looking for an earlier copy: for values known to be unique,
    /// such as SKUs.
    pub(super) fn push(&mut self, value: &str) -> Result<u64, ArenaFull> {
        let offset = u32::try_from(self.text.len()).map_err(|_| ArenaFull)?;
        let len = u32::try_from(value.len()).map_err(|_| ArenaFull)?;
        if offset.checked_add(len).is_none() {
            return Err(ArenaFull);
        }
        self.text.push_str(value);
        Ok(pack(offset, len))
    }

    /// Stores `value` once, returning the earlier cell if the same text was stored before
    /// (and `true` in that case).
    pub(super) fn intern(&mut self, value: &str) -> Result<(u64, bool), ArenaFull> {
        let hash = self.hasher.hash_one(value);
        let Self {
            text: arena, seen, ..
        } = self;
        if let Some(&cell) = seen.find(hash, |&cell| text(arena, cell) == value) {
            return Ok((cell, true));
        }
        let cell = self.push(value)?;
        let Self {
            text: arena,
            seen,
            hasher,
        } = self;
        seen.insert_unique(hash, cell, |&cell| hasher.hash_one(text(arena, cell)));
        Ok((cell, false))
    }

    /// The text of a cell stored earlier.
    pub(super) fn get(&self, cell: u64) -> &str {
        text(&self.text, cell)
    }

    /// Ends the build: the de-duplication table is dropped and spare capacity returned.
    pub(super) fn finish(self) -> String {
        let mut text = self.text;
        text.shrink_to_fit();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_values_are_stored_once() {
        let mut arena = ArenaBuilder::with_capacity(0);
        let (a, _) = arena.intern("Fjällräven").unwrap();
        let (b, _) = arena.intern("H&M").unwrap();
        let (c, again) = arena.intern("Fjällräven").unwrap();
        assert_eq!(a, c);
        assert!(again);
        assert_ne!(a, b);
        assert_eq!(arena.get(a), "Fjällräven");
        assert_eq!(arena.get(b), "H&M");
        assert_eq!(arena.finish(), "FjällrävenH&M");
    }

    #[test]
    fn a_foreign_cell_reads_as_empty_not_a_panic() {
        assert_eq!(text("abc", pack(2, 10)), "");
        assert_eq!(text("abc", MISSING), "");
    }
}
