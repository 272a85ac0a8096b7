//! `availability` as one of four values, whichever vocabulary the feed uses: Google's
//! `in stock` / `in_stock`, schema.org's `InStock` or `https://schema.org/InStock`,
//! Meta's `available for order`. Rules compare against the four values; the text as
//! written stays readable as `availabilityRaw`.

/// The values `availability` can have, as rules compare them.
pub const AVAILABILITY_VALUES: [&str; 4] = ["in_stock", "out_of_stock", "preorder", "backorder"];

/// The normalised availability of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    InStock,
    OutOfStock,
    Preorder,
    Backorder,
}

impl Availability {
    /// Every value, in the order documentation lists them.
    pub const ALL: [Availability; 4] = [
        Availability::InStock,
        Availability::OutOfStock,
        Availability::Preorder,
        Availability::Backorder,
    ];

    /// The value rules and the API see.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::InStock => "in_stock",
            Availability::OutOfStock => "out_of_stock",
            Availability::Preorder => "preorder",
            Availability::Backorder => "backorder",
        }
    }

    /// Reads any of the spellings feeds use; `None` for text that is none of them.
    /// Case, spaces, `_` and `-` do not matter, nor a schema.org prefix.
    pub fn parse(raw: &str) -> Option<Availability> {
        let text = raw.trim();
        let lower = text.to_ascii_lowercase();
        let local = ["https://schema.org/", "http://schema.org/", "schema:"]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))
            .unwrap_or(&lower);
        let key: String = local
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .collect();
        Some(match key.as_str() {
            "instock" | "available" | "limitedavailability" | "onlineonly" | "instoreonly" => {
                Availability::InStock
            }
            "outofstock" | "soldout" | "discontinued" | "unavailable" => Availability::OutOfStock,
            "preorder" | "presale" => Availability::Preorder,
            "backorder" | "availablefororder" | "madetoorder" => Availability::Backorder,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_values_are_those_rules_may_compare_with() {
        let values: Vec<&str> = Availability::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(values, AVAILABILITY_VALUES);
    }

    #[test]
    fn every_vocabulary_reads_alike() {
        for raw in [
            "in stock",
            "in_stock",
            "InStock",
            "https://schema.org/InStock",
            "http://schema.org/InStock",
            " IN-STOCK ",
        ] {
            assert_eq!(
                Availability::parse(raw),
                Some(Availability::InStock),
                "{raw:?}"
            );
        }
        assert_eq!(
            Availability::parse("available for order"),
            Some(Availability::Backorder)
        );
        assert_eq!(
            Availability::parse("https://schema.org/PreOrder"),
            Some(Availability::Preorder)
        );
        assert_eq!(
            Availability::parse("out of stock"),
            Some(Availability::OutOfStock)
        );
        assert_eq!(Availability::parse("maybe tomorrow"), None);
    }
}
