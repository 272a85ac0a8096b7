//! The default of `public_url` and the warning when that default cannot be right.

use std::net::SocketAddr;

use super::Config;

/// `http://{listen}`: the links in emails reach this server at least from its own
/// machine, and follow a changed port or address.
pub(super) fn from_listen(listen: SocketAddr) -> String {
    format!("http://{listen}")
}

impl Config {
    /// Why the links in emails may not work, when `public_url` was not configured and
    /// `listen` is not a loopback address: shoppers follow links from their own devices,
    /// and `http://0.0.0.0:8080` or an internal address is not somewhere they can go.
    pub fn public_url_warning(&self) -> Option<String> {
        (self.public_url_from_listen && !self.listen.ip().is_loopback()).then(|| {
            format!(
                "public_url is not set, so links in emails (unsubscribe) point at {}, \
                 which shoppers may not reach; set public_url to the address they use",
                self.public_url
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use crate::config::load;

    fn load_with(yaml: &str, env: &[(&str, &str)]) -> crate::config::Config {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        write!(file, "{yaml}").unwrap();
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        load(Some(file.path()), env).unwrap()
    }

    #[test]
    fn an_unset_public_url_follows_listen() {
        let config = load_with("", &[("RESTOCK_LISTEN", "127.0.0.1:9123")]);
        assert_eq!(config.public_url, "http://127.0.0.1:9123");
        assert_eq!(config.public_url_warning(), None, "loopback is fine");

        let config = load_with("listen: \"[::1]:9000\"\n", &[]);
        assert_eq!(config.public_url, "http://[::1]:9000");
    }

    #[test]
    fn a_set_public_url_is_kept_and_never_warned_about() {
        let config = load_with(
            "listen: 0.0.0.0:9000\n",
            &[("RESTOCK_PUBLIC_URL", "https://shop.example/restock")],
        );
        assert_eq!(config.public_url, "https://shop.example/restock");
        assert_eq!(config.public_url_warning(), None);
    }

    #[test]
    fn a_public_listen_address_without_public_url_is_warned_about() {
        let config = load_with("listen: 0.0.0.0:9000\n", &[]);
        assert_eq!(config.public_url, "http://0.0.0.0:9000");
        let warning = config.public_url_warning().expect("a warning");
        assert!(warning.contains("http://0.0.0.0:9000"), "{warning}");
        assert!(warning.contains("set public_url"), "{warning}");
    }
}
