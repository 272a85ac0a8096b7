//! Click tracking: the product links in emails go through `{public_url}/r/{token}`, so
//! Restock learns which notification brought a shopper back (see `docs/email.md`).
//!
//! The token names the notification, its product snapshot and the product field the
//! link came from, signed with the secret of the unsubscribe links; the redirect goes to
//! that field of the snapshot and nowhere else, so there is no open redirect to abuse.

mod bots;
mod rewrite;
mod token;

pub use bots::{is_prefetch, Hit, DEFAULT_PREFETCH_SECS};
pub use rewrite::{is_clicked_link, LinkRewriter};
pub use token::{ClickKey, ClickToken};
