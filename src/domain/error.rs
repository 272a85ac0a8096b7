use thiserror::Error;

/// Why a raw value is not a valid domain value. The message is written for the integrator
/// who sent it; the API layer adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("must not be blank")]
    Blank,
    #[error("must not be blank: it has only invisible characters")]
    OnlyInvisible,
    #[error("must not contain invisible or bidirectional control characters (found U+{:04X})", *.0 as u32)]
    Invisible(char),
    #[error("must be at most {max} characters long")]
    TooLong { max: usize },
    #[error("must not have leading or trailing whitespace")]
    Padded,
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must not be negative")]
    Negative,
    #[error("is not a valid BCP 47 locale ({0}), e.g. sv-SE")]
    Locale(&'static str),
    #[error("is not a valid email address")]
    Email,
    #[error("is not an ISO 4217 currency code of three capital letters, e.g. SEK")]
    Currency,
    #[error("{0}")]
    Amount(&'static str),
}
