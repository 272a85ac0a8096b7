//! Who a sign-up comes from. Directly connected, the TCP peer; through a reverse proxy the
//! configuration trusts (`storefront.trusted_proxies`), the address its `X-Forwarded-For`
//! names, read from the right: each trusted hop wrote the one before it, and the first
//! hop that is not trusted is the shopper (anything left of it, the client may have
//! written itself).

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::config::Network;

/// The shopper's address, given the TCP peer and the request's headers.
pub fn shopper(peer: IpAddr, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let trusts = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !trusts(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut shopper = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            // Not an address (a port, `unknown`): nothing further left is to be believed.
            break;
        };
        shopper = ip;
        if !trusts(ip) {
            break;
        }
    }
    shopper
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_shopper() {
        let trusted = [Network::parse("10.0.0.0/8").unwrap()];
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        // Not through a trusted proxy: the header is anyone's word.
        assert_eq!(
            shopper(stranger, &headers(&["1.2.3.4"]), &trusted),
            stranger
        );
        // Through one: the address it saw, not what the client prepended.
        let forwarded = headers(&["1.2.3.4, 203.0.113.9, 10.0.0.2"]);
        assert_eq!(
            shopper(proxy, &forwarded, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let split = headers(&["203.0.113.9", "10.0.0.2"]);
        assert_eq!(
            shopper(proxy, &split, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(shopper(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(shopper(proxy, &headers(&["garbage"]), &trusted), proxy);
        assert_eq!(
            shopper(proxy, &headers(&["10.0.0.9"]), &trusted),
            "10.0.0.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            shopper(proxy, &headers(&["1.2.3.4"]), &[]),
            proxy,
            "nobody trusted"
        );
    }
}
