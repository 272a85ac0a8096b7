//! The SKU → row index: a hash table of row numbers that compares by the SKU text in the
//! arena, so it costs about 5 bytes per product and no string copies.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

#[derive(Default)]
pub(super) struct SkuIndex {
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl SkuIndex {
    /// The row whose SKU is `sku`; `sku_of` reads a row's SKU.
    pub(super) fn find<'a>(&self, sku: &str, sku_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = self.hasher.hash_one(sku);
        self.table.find(hash, |&row| sku_of(row) == sku).copied()
    }

    /// Adds a row whose SKU is known to be new.
    pub(super) fn insert<'a>(&mut self, row: u32, sku: &str, sku_of: impl Fn(u32) -> &'a str) {
        let hash = self.hasher.hash_one(sku);
        let hasher = &self.hasher;
        self.table
            .insert_unique(hash, row, |&r| hasher.hash_one(sku_of(r)));
    }

    pub(super) fn heap_bytes(&self) -> usize {
        // hashbrown keeps one control byte per bucket beside the value.
        self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}
