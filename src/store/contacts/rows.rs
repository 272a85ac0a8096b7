//! Rows as the database returns them, and their conversion into domain types. The derived
//! `FromRow` impls are generic, so both backends share them.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::model::*;
use crate::domain::{ExternalId, Locale};
use crate::store::row::{corrupt, optional, sku};
use crate::store::StoreError;

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub id: Uuid,
    pub attributes: Json<Attributes>,
    pub source: Option<String>,
    pub accepts_email: bool,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub version: i64,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Self {
        Contact {
            id: row.id,
            attributes: row.attributes.0,
            source: row.source,
            accepts_email: row.accepts_email,
            created_on: row.created_on,
            modified_on: row.modified_on,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SubscriptionRow {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub external_id: String,
    pub created_on: DateTime<Utc>,
}

impl TryFrom<SubscriptionRow> for Subscription {
    type Error = StoreError;

    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        Ok(Subscription {
            id: row.id,
            contact_id: row.contact_id,
            sku: sku(&row.sku)?,
            locale: Locale::parse(&row.locale).map_err(|e| corrupt("locale", &row.locale, e))?,
            external_id: optional(&row.external_id, "externalId", ExternalId::parse)?,
            created_on: row.created_on,
        })
    }
}
