//! The RFC 8058 headers lettre does not define. Their values are checked for CR and LF
//! when made, so nothing that reaches them can add a header of its own.

use lettre::message::header::{Header, HeaderName, HeaderValue};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <https://…/unsubscribe/{token}>`
#[derive(Debug, Clone)]
pub struct ListUnsubscribe(String);

impl ListUnsubscribe {
    /// `None` when the URL contains a line break or angle bracket.
    pub fn new(url: &str) -> Option<Self> {
        (!url.contains(['\r', '\n', '<', '>'])).then(|| Self(format!("<{url}>")))
    }
}

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, BoxError> {
        let url = s
            .trim()
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .ok_or("List-Unsubscribe must be <url>")?;
        Self::new(url).ok_or_else(|| "List-Unsubscribe contains a line break".into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: mail clients may unsubscribe
/// with one POST to the List-Unsubscribe URL, without opening a page.
#[derive(Debug, Clone)]
pub struct ListUnsubscribePost;

const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(s: &str) -> Result<Self, BoxError> {
        if s.trim() == ONE_CLICK {
            Ok(Self)
        } else {
            Err(format!("List-Unsubscribe-Post must be {ONE_CLICK}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), ONE_CLICK.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_never_reach_a_header() {
        assert!(ListUnsubscribe::new("https://a.example/u/x").is_some());
        assert!(ListUnsubscribe::new("https://a.example/u/x\r\nBcc: evil@x").is_none());
        assert!(ListUnsubscribe::parse("<https://a.example/u/x>").is_ok());
        assert!(ListUnsubscribePost::parse(ONE_CLICK).is_ok());
    }
}
