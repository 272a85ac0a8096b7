//! What each field of a feed file means, decided once per field name: a source of a
//! built-in product field, a custom field, or ignored.

use std::collections::HashMap;

use super::build::FeedBuilder;
use super::raw::RawItem;
use super::schema::{custom_name, normalize, Builtin};
use super::{FeedSource, FieldType};
use crate::dsl::check_product_field_name;

#[derive(Clone, Copy)]
pub(super) enum Role {
    /// A source of a built-in field; `priority` 0 is preferred. When a preferred source
    /// wins, a losing source becomes a custom field, unless its name is a built-in
    /// field's own name (a `name` column beside `title`), which would be ambiguous.
    Builtin {
        field: Builtin,
        priority: usize,
        keep_if_unused: bool,
    },
    Custom {
        column: usize,
    },
    Ignored,
}

pub(super) struct Roles {
    /// The normalized field names the SKU is read from, best first.
    pub(super) sku_sources: Vec<String>,
    types: HashMap<String, FieldType>,
    roles: Vec<Role>,
}

impl Roles {
    pub(super) fn new(source: &FeedSource) -> Self {
        let sku_sources = match &source.sku_field {
            Some(field) => vec![normalize(field)],
            None => Builtin::Sku
                .sources()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let types = source
            .fields
            .iter()
            .map(|(name, ty)| (normalize(name), *ty))
            .collect();
        Self {
            sku_sources,
            types,
            roles: Vec::new(),
        }
    }

    /// The role of a field id the item has (after [`learn`](Self::learn)).
    pub(super) fn get(&self, field: u16) -> Role {
        self.roles
            .get(usize::from(field))
            .copied()
            .unwrap_or(Role::Ignored)
    }

    /// The configured type of a custom field; `string` if not configured.
    pub(super) fn type_of(&self, name: &str) -> FieldType {
        self.types
            .get(&normalize(name))
            .copied()
            .unwrap_or(FieldType::String)
    }

    /// Gives a role to each field name the file has shown for the first time. Fails with
    /// the field and why on a name that cannot be a custom field.
    pub(super) fn learn(
        &mut self,
        item: &RawItem,
        builder: &mut FeedBuilder,
    ) -> Result<(), (u16, String)> {
        while self.roles.len() < item.field_count() {
            let field = self.roles.len() as u16;
            let role = self
                .role_of(item.name(field), builder)
                .map_err(|e| (field, e))?;
            self.roles.push(role);
        }
        Ok(())
    }

    fn role_of(&self, raw: &str, builder: &mut FeedBuilder) -> Result<Role, String> {
        let key = normalize(raw);
        for field in Builtin::ALL {
            let position = if field == Builtin::Sku {
                self.sku_sources.iter().position(|s| *s == key)
            } else {
                field.sources().iter().position(|s| *s == key)
            };
            if let Some(priority) = position {
                let keep_if_unused = Builtin::ALL.iter().all(|b| normalize(b.name()) != key);
                return Ok(Role::Builtin {
                    field,
                    priority,
                    keep_if_unused,
                });
            }
        }
        if let Some(builtin) = Builtin::ALL
            .into_iter()
            .find(|b| normalize(b.name()) == key)
        {
            let from = self.sku_sources.join("`/`");
            builder.warn(format!(
                "field `{raw}` is ignored: `{}` is read from `{from}`",
                builtin.name()
            ));
            return Ok(Role::Ignored);
        }
        let name = custom_name(raw);
        check_product_field_name(name)
            .map_err(|why| format!("{raw:?} cannot be a field: {why}"))?;
        Ok(Role::Custom {
            column: builder.column(name, self.type_of(name)),
        })
    }
}
