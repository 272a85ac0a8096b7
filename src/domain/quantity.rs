use super::DomainError;

/// A stock quantity: zero or more units. Zero is a valid report (sold out); it simply never
/// triggers a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(i64);

impl Quantity {
    pub fn new(units: i64) -> Result<Self, DomainError> {
        if units < 0 {
            return Err(DomainError::Negative);
        }
        Ok(Self(units))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_positive_are_quantities_negative_is_not() {
        assert_eq!(Quantity::new(0).unwrap().get(), 0);
        assert_eq!(Quantity::new(i64::MAX).unwrap().get(), i64::MAX);
        assert_eq!(Quantity::new(-1), Err(DomainError::Negative));
    }
}
