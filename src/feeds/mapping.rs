//! From raw items to product rows: which feed field feeds which product field, prices
//! split into amount and currency, custom fields typed as configured, availability
//! normalised, and links that are not web URLs dropped (`mapping_values`).

use std::path::PathBuf;

use super::build::FeedBuilder;
use super::money;
use super::price::{parse_bool, parse_number, Currency};
use super::raw::{RawItem, Value};
use super::roles::{Role, Roles};
use super::schema::{custom_name, Builtin};
use super::{FeedError, FeedFormat, FeedSource, FieldType};
use crate::domain::Sku;

pub(super) struct Mapper {
    pub(super) path: PathBuf,
    pub(super) format: FeedFormat,
    roles: Roles,
    default_currency: Option<Currency>,
    pub(super) builder: FeedBuilder,
    /// Per field id, whether the current item has shown it yet: a second value makes the
    /// field a list even when a value is dropped (an unsafe link) before it is stored.
    seen: Vec<bool>,
}

/// The built-in fields stored as text as the feed writes them (links once checked).
const TEXT_BUILTINS: [Builtin; 6] = [
    Builtin::Sku,
    Builtin::Name,
    Builtin::Brand,
    Builtin::Category,
    Builtin::Url,
    Builtin::ImageUrl,
];

type Found<'a> = [Option<(usize, Value<'a>)>; Builtin::ALL.len()];

impl Mapper {
    pub(super) fn new(source: &FeedSource, format: FeedFormat, text_hint: usize) -> Self {
        Self {
            path: source.path.clone(),
            format,
            roles: Roles::new(source),
            default_currency: source.currency.as_deref().and_then(Currency::parse),
            builder: FeedBuilder::new(text_hint),
            seen: Vec::new(),
        }
    }

    /// Maps one item into a product row. An item without a SKU, or with the SKU of an
    /// earlier one, is skipped and counted: the first one wins.
    pub(super) fn map(&mut self, item: &RawItem) -> Result<(), FeedError> {
        self.roles
            .learn(item, &mut self.builder)
            .map_err(|(field, message)| self.error(item, None, field, item.line, message))?;
        let mut found: Found<'_> = Default::default();
        for value in item.values() {
            if let Role::Builtin {
                field, priority, ..
            } = self.roles.get(value.field)
            {
                let slot = &mut found[field as usize];
                if !matches!(slot, Some((best, _)) if *best <= priority) {
                    *slot = Some((priority, value));
                }
            }
        }
        let Some((_, sku)) = &found[Builtin::Sku as usize] else {
            let expected = self.roles.sku_sources.join("` or `");
            let example = || {
                format!(
                    "line {}: item {} has no `{expected}`",
                    item.line, item.number
                )
            };
            self.builder.report.without_id.add(example);
            return Ok(());
        };
        if let Err(e) = Sku::parse(sku.text) {
            let message = format!("SKU {:?} {e}", sku.text);
            return Err(self.error(item, None, sku.field, sku.line, message));
        }
        if let Some(first) = self.builder.earlier(sku.text) {
            let example = || {
                format!(
                    "line {}: item {} repeats SKU {:?} of line {first}",
                    item.line, item.number, sku.text
                )
            };
            self.builder.report.duplicate_ids.add(example);
            return Ok(());
        }
        self.map_builtins(item, &found)?;
        self.map_customs(item, &found)?;
        self.builder
            .end_row(item.line)
            .map_err(|m| self.feed_error(m))
    }

    fn map_builtins(&mut self, item: &RawItem, found: &Found<'_>) -> Result<(), FeedError> {
        let value = |field: Builtin| found[field as usize].as_ref().map(|(_, v)| v);
        let sku = value(Builtin::Sku).map(|v| v.text);
        let money = money::read(
            item,
            value(Builtin::Price),
            value(Builtin::SalePrice),
            value(Builtin::Currency),
            self.default_currency,
        )
        .map_err(|(line, field, message)| self.error(item, sku, field, line, message))?;
        if let Some(price) = money.price {
            self.builder.set_number(Builtin::Price as usize, price);
        }
        if let Some(price) = money.sale_price {
            self.builder.set_number(Builtin::SalePrice as usize, price);
        }
        if let Some(code) = money.currency {
            self.text(Builtin::Currency as usize, code.as_str(), false)?;
        }
        for field in TEXT_BUILTINS {
            if let Some((_, value)) = &found[field as usize] {
                if !matches!(field, Builtin::Url | Builtin::ImageUrl) {
                    self.text(field as usize, value.text, field == Builtin::Sku)?;
                } else if let Some(link) = self.safe_link(item, value) {
                    self.text(field as usize, &link, false)?;
                }
            }
        }
        if let Some(raw) = value(Builtin::Availability) {
            self.availability(raw)?;
        }
        Ok(())
    }

    fn map_customs(&mut self, item: &RawItem, found: &Found<'_>) -> Result<(), FeedError> {
        let sku = found[Builtin::Sku as usize].as_ref().map(|(_, v)| v.text);
        self.seen.clear();
        self.seen.resize(item.field_count(), false);
        for value in item.values() {
            let column = match self.roles.get(value.field) {
                Role::Custom { column } => column,
                Role::Builtin {
                    field,
                    keep_if_unused: true,
                    ..
                } if found[field as usize]
                    .as_ref()
                    .is_some_and(|(_, v)| v.field != value.field) =>
                {
                    let name = custom_name(item.name(value.field));
                    let ty = self.roles.type_of(name);
                    self.builder.column(name, ty)
                }
                _ => continue,
            };
            if let Some(seen) = self.seen.get_mut(usize::from(value.field)) {
                if std::mem::replace(seen, true) {
                    self.builder.make_list(column);
                }
            }
            let bad = |e: String| {
                let message = format!("{} {e}", item.name(value.field));
                self.error(item, sku, value.field, value.line, message)
            };
            match self.builder.column_type(column) {
                FieldType::String | FieldType::List => {
                    if !self.builder.is_link(column) {
                        self.text(column, value.text, false)?;
                    } else if let Some(link) = self.safe_link(item, &value) {
                        self.text(column, &link, false)?;
                    }
                }
                FieldType::Number => {
                    let number = parse_number(value.text).map_err(bad)?;
                    self.builder.set_number(column, number);
                }
                FieldType::Boolean => {
                    let flag = parse_bool(value.text).map_err(bad)?;
                    self.builder.set_bool(column, flag);
                }
            }
        }
        Ok(())
    }

    pub(super) fn text(
        &mut self,
        column: usize,
        value: &str,
        unique: bool,
    ) -> Result<(), FeedError> {
        self.builder
            .set_text(column, value, unique)
            .map_err(|_| self.feed_error("the feed holds more than 4 GiB of text".to_owned()))
    }

    fn error(
        &self,
        item: &RawItem,
        sku: Option<&str>,
        field: u16,
        line: u64,
        message: String,
    ) -> FeedError {
        FeedError::Item {
            path: self.path.clone(),
            line,
            item: item.number,
            sku: sku.map(str::to_owned),
            field: self.describe(item, field),
            message,
        }
    }

    fn feed_error(&self, message: String) -> FeedError {
        FeedError::Feed {
            path: self.path.clone(),
            message,
        }
    }
}
