//! Which feed values are links, and which links may reach an email's `href`/`src`: only
//! absolute `http`/`https` URLs. A `javascript:` or `data:` link from a feed is dropped
//! at load (counted and warned about), so no template can write it into an email.

/// Whether a field holds a link, judged by its name: `link`, `image_link`,
/// `additional_image_link`, `mobile_link`, `url`, `imageUrl`, `video[0].url`, `href`.
/// A name counts when one of its words ends in `link` or `url`.
pub fn is_url_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            word.ends_with("link")
                || word.ends_with("url")
                || matches!(word, "links" | "urls" | "href" | "src")
        })
}

/// Whether `value` is an absolute `http` or `https` URL with a host, the only kind a
/// link in an email may have. Checked by its text rather than by a full URL parse: the
/// scheme is what decides what a browser does with a link, and this runs for every link
/// of every product at load.
pub fn is_web_url(value: &str) -> bool {
    let value = value.trim();
    let Some(rest) = strip_scheme(value, "https://").or_else(|| strip_scheme(value, "http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_and_port = authority.rsplit('@').next().unwrap_or("");
    let host = host_and_port.split(':').next().unwrap_or("");
    let bracketed_ipv6 = host_and_port.starts_with('[');
    (bracketed_ipv6 || !host.is_empty()) && !value.chars().any(char::is_control)
}

/// The link a feed value stands for, if it may reach an email: an http(s) URL as it is,
/// or a scheme-relative one (`//cdn.example/x.jpg`, common in real feeds) resolved as
/// https, as a page served over https would.
pub fn web_url(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    if is_web_url(value) {
        return Some(value.into());
    }
    let relative = value.trim().strip_prefix("//")?;
    let absolute = format!("https://{relative}");
    is_web_url(&absolute).then_some(absolute.into())
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let head = value.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &value[scheme.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_relative_links_are_resolved_as_https() {
        assert_eq!(
            web_url("//images.samsung.com/is/image/a.jpg").as_deref(),
            Some("https://images.samsung.com/is/image/a.jpg")
        );
        assert_eq!(
            web_url("https://shop.example/p").as_deref(),
            Some("https://shop.example/p")
        );
        assert!(!is_web_url("//cdn.example/x.jpg"), "not as it is");
        for bad in [
            "///nohost",
            "//",
            "//\u{0}x",
            "/local/path",
            "javascript://x",
        ] {
            assert_eq!(web_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn link_fields_are_known_by_name() {
        for name in [
            "link",
            "image_link",
            "additional_image_link",
            "url",
            "imageUrl",
            "video[0].url",
            "Mobile link",
        ] {
            assert!(is_url_field(name), "{name}");
        }
        for name in ["title", "curly", "color", "product_tags[0]"] {
            assert!(!is_url_field(name), "{name}");
        }
    }

    #[test]
    fn only_absolute_web_urls_pass() {
        assert!(is_web_url("https://shop.example/p/1?a=b&c=d"));
        assert!(is_web_url(" HTTP://shop.example/p/1 "));
        assert!(is_web_url("https://user@shop.example:8443/p"));
        assert!(is_web_url("http://[::1]/p"));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "/p/1",
            "https:///nohost",
            "https://shop.example/\u{0}",
            "\u{1}https://shop.example/",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad:?}");
        }
    }
}
