//! The first read of every JSON body: is it JSON at all, and does any object give a key
//! twice? Checked for the whole body before its fields are, so that a truncated body is
//! never reported as a field error, and a repeated key is never silently "last wins".

use std::borrow::Cow;
use std::collections::HashSet;

/// Marks the error [`WellFormed`] raises for a repeated key; the key follows.
pub const DUPLICATE: &str = "duplicate key: ";

/// Any JSON value, read only to check that it is JSON and that no object repeats a key.
pub struct WellFormed;

impl<'de> serde::Deserialize<'de> for WellFormed {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(WellFormed)
    }
}

impl<'de> serde::de::Visitor<'de> for WellFormed {
    type Value = WellFormed;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<WellFormed>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        // Most objects have a handful of keys (a stock level four, and a call carries up
        // to 10,000 of them): compared one by one in a small array they cost no hashing and
        // no allocation, where a set per object cost more than reading the body's fields.
        // An object with more keys moves them into a set, so a long one stays linear.
        let mut few: [Option<Key<'de>>; FEW] = Default::default();
        let mut seen = 0;
        let mut many: Option<HashSet<Key<'de>>> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let repeated = match &many {
                Some(set) => set.contains(&key),
                None => few[..seen].iter().flatten().any(|k| *k == key),
            };
            if repeated {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{}", key.0)));
            }
            match &mut many {
                Some(set) => {
                    set.insert(key);
                }
                None if seen < FEW => {
                    few[seen] = Some(key);
                    seen += 1;
                }
                None => {
                    let mut set: HashSet<Key<'de>> =
                        few.iter_mut().filter_map(Option::take).collect();
                    set.insert(key);
                    many = Some(set);
                }
            }
            map.next_value::<WellFormed>()?;
        }
        Ok(self)
    }
}

/// Keys an object's are compared with one by one before they go into a set.
const FEW: usize = 8;

/// An object key, borrowed from the body unless it has escapes: this pass runs over every
/// key of every body (10,000 stock levels a call), so it copies none it need not.
#[derive(PartialEq, Eq, Hash)]
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }
    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }
    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}
