//! `webhook: {url: https://…}` — POSTs the notification as JSON, signed with HMAC-SHA256,
//! so a channel we do not speak natively (SMS through a provider, a CRM) gets it too.
//! A 2xx answer is delivered; 408, 429, 5xx, timeouts and refused connections are tried
//! again; any other answer is a permanent failure.

mod action;
mod signature;

pub use action::WebhookAction;
pub use signature::{sign, Signer, SIGNATURE_HEADER};
