//! List columns: a field an item repeats is stored as one cell of joined values, and
//! its column becomes a list for the whole feed.

use super::build::FeedBuilder;
use super::product::LIST_SEPARATOR;
use super::schema::Builtin;
use super::FieldType;

impl FeedBuilder {
    /// Makes a text column a list: its values so far read as lists of one.
    pub(super) fn make_list(&mut self, column: usize) {
        if column < Builtin::ALL.len() {
            return;
        }
        if let Some(target) = self.columns.get_mut(column) {
            if target.ty == FieldType::String {
                target.ty = FieldType::List;
            }
        }
    }

    /// Adds a further value of `column` to the current row, whose first is `current`.
    pub(super) fn repeat(&mut self, column: usize, current: u64, value: &str) {
        if column < Builtin::ALL.len() {
            return;
        }
        self.make_list(column);
        match self.repeated.iter_mut().find(|(c, _)| *c == column) {
            Some((_, joined)) => {
                joined.push(LIST_SEPARATOR);
                joined.push_str(value);
            }
            None => {
                let mut joined = self.arena.get(current).to_owned();
                joined.push(LIST_SEPARATOR);
                joined.push_str(value);
                self.repeated.push((column, joined));
            }
        }
    }
}
