//! The trigger rule language: the conditions marketers write in an automation's `when`.
//!
//! `quantity >= 5 and locale in ["sv-SE", "fi-FI"] and not purchased` is parsed with pest
//! ([`parse`]), resolved and type-checked against a [`Schema`] (`check`), and compiled
//! into an evaluator (`compile`, `eval`) that reads a [`Record`] the engine fills, without
//! parsing, name lookup or allocation per evaluation. Problems come back as
//! [`Diagnostics`] with file, line, column, a caret and a suggestion; [`Origin`] places a
//! condition inside the YAML file it came from. The language itself — syntax, operators,
//! variables and the null rules — is described in `docs/dsl.md`.

pub mod ast;
mod check;
mod check_compare;
mod check_list;
mod compile;
mod condition;
mod decimal;
mod diagnostic;
mod eval;
mod eval_cmp;
mod eval_value;
mod ir;
mod limits;
mod literal;
mod locale;
mod lower;
mod lower_read;
mod names;
mod parse;
mod record;
mod resolve;
mod schema;
mod syntax_error;
mod time;
mod types;
mod value;

#[cfg(test)]
mod tests;

pub use condition::Condition;
pub use decimal::{Decimal, DecimalError, DECIMAL_PLACES};
pub use diagnostic::{Diagnostic, Diagnostics, Origin};
pub use limits::{MAX_DEPTH, MAX_NESTING, MAX_SOURCE_BYTES};
pub use locale::canonical_locale;
pub use names::{check_product_field_name, field_path, is_plain_name, MAX_FIELD_NAME_CHARS};
pub use parse::parse;
pub use record::Record;
pub use resolve::suggest as suggest_name;
pub use schema::{Field, Schema, SchemaError, STANDARD_PRODUCT_FIELDS};
pub use time::{Duration, Timestamp};
pub use types::{Elem, Type};
pub use value::Value;
