use serde::{Deserialize, Serialize};

/// The type of a declared contact attribute (`contact_attributes` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    String,
    Boolean,
    Integer,
    Number,
    Timestamp,
    Locale,
}
