//! An item as a parser read it, before mapping: (field, value) pairs in reused buffers,
//! so reading 800,000 items does not allocate per value.

use hashbrown::HashMap;

/// More distinct field names than any real feed has; past it the input is most likely
/// not a product feed, and every extra column would cost 8 bytes per product.
pub(super) const MAX_FIELDS: usize = 1024;

/// The item a parser is filling. Field names are interned to small ids for the whole
/// file, so the mapper decides what a field means once, not once per item.
#[derive(Default)]
pub(super) struct RawItem {
    ids: HashMap<Box<str>, u16>,
    names: Vec<Box<str>>,
    text: String,
    spans: Vec<Span>,
    /// For each field id, 1 + the index of its span in this item, or 0.
    slots: Vec<u32>,
    /// The line the item starts on.
    pub(super) line: u64,
    /// 1-based position of the item in the file.
    pub(super) number: u64,
}

struct Span {
    field: u16,
    rank: u8,
    /// A repeat of a lower rank, dropped when a higher-ranked value came.
    dead: bool,
    line: u64,
    start: usize,
    end: usize,
}

/// A field value with where it was read.
pub(super) struct Value<'a> {
    pub(super) field: u16,
    pub(super) text: &'a str,
    pub(super) line: u64,
}

impl RawItem {
    /// The id of a field name, assigning one on first sight.
    pub(super) fn field(&mut self, name: &str) -> Result<u16, String> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        if self.names.len() >= MAX_FIELDS {
            return Err(format!(
                "more than {MAX_FIELDS} distinct field names; is this a product feed?"
            ));
        }
        let id = self.names.len() as u16;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        Ok(id)
    }

    /// How many distinct field names the file has shown so far.
    pub(super) fn field_count(&self) -> usize {
        self.names.len()
    }

    pub(super) fn name(&self, field: u16) -> &str {
        self.names.get(usize::from(field)).map_or("", |n| n)
    }

    /// Starts the next item.
    pub(super) fn begin(&mut self, line: u64) {
        for span in &self.spans {
            self.slots[usize::from(span.field)] = 0;
        }
        self.text.clear();
        self.spans.clear();
        self.line = line;
        self.number += 1;
    }

    /// Records a value. Surrounding whitespace is dropped and an empty value counts as
    /// absent. If the field already has a value, a higher `rank` replaces it and its
    /// repeats (in XML, a `g:` element beats a plain one: Atom's `<id>` is not the product
    /// id), a lower one is ignored, and one of the same rank is a repeat: the field has
    /// several values (`additional_image_link`), kept in order.
    pub(super) fn set(&mut self, field: u16, rank: u8, value: &str, line: u64) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let start = self.text.len();
        let span = Span {
            field,
            rank,
            dead: false,
            line,
            start,
            end: start + value.len(),
        };
        let index = usize::from(field);
        if self.slots.len() <= index {
            self.slots.resize(index + 1, 0);
        }
        match self.slots[index] {
            0 => {
                self.spans.push(span);
                self.slots[index] = self.spans.len() as u32;
            }
            slot => {
                let first = slot as usize - 1;
                let existing = self.spans[first].rank;
                if existing > rank {
                    return;
                }
                if existing == rank {
                    self.spans.push(span);
                } else {
                    for repeat in self.spans[first + 1..].iter_mut() {
                        repeat.dead |= repeat.field == field;
                    }
                    self.spans[first] = span;
                }
            }
        }
        self.text.push_str(value);
    }

    /// The values recorded for this item, in the order first seen; a repeated field
    /// yields each of its values.
    pub(super) fn values(&self) -> impl Iterator<Item = Value<'_>> {
        self.spans.iter().filter(|s| !s.dead).map(|s| Value {
            field: s.field,
            text: self.text.get(s.start..s.end).unwrap_or(""),
            line: s.line,
        })
    }

    /// The value of one field, if recorded.
    #[cfg(test)]
    pub(super) fn get(&self, field: u16) -> Option<Value<'_>> {
        self.values().find(|v| v.field == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_stays_unless_a_higher_rank_comes() {
        let mut item = RawItem::default();
        let id = item.field("id").unwrap();
        item.begin(1);
        item.set(id, 0, " tag:shop,2024:1 ", 2);
        item.set(id, 1, "SKU-1", 3);
        let value = item.get(id).unwrap();
        assert_eq!((value.text, value.line), ("SKU-1", 3));
        assert_eq!(item.number, 1);
    }

    #[test]
    fn a_repeated_field_keeps_every_value_of_the_best_rank() {
        let mut item = RawItem::default();
        let link = item.field("additional_image_link").unwrap();
        item.begin(1);
        item.set(link, 0, "plain", 1);
        item.set(link, 1, "a.jpg", 2);
        item.set(link, 1, "b.jpg", 3);
        item.set(link, 0, "late plain", 4);
        let texts: Vec<&str> = item.values().map(|v| v.text).collect();
        assert_eq!(texts, ["a.jpg", "b.jpg"]);
        item.begin(5);
        item.set(link, 0, "x", 5);
        item.set(link, 0, "y", 5);
        item.set(link, 1, "z", 6);
        let texts: Vec<&str> = item.values().map(|v| v.text).collect();
        assert_eq!(texts, ["z"]);
    }

    #[test]
    fn blank_values_are_absent() {
        let mut item = RawItem::default();
        let brand = item.field("brand").unwrap();
        item.begin(1);
        item.set(brand, 0, "  \n ", 1);
        assert!(item.get(brand).is_none());
    }
}
