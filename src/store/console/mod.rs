//! What the web console keeps and lists: its sign-in sessions ([`SessionStore`]) and the
//! paged lists of its log and outbox pages ([`ConsoleListStore`]).

pub(crate) mod lists;
pub(crate) mod sessions;

pub use lists::{ConsoleListStore, Keyset, LevelKey, LogFilter, Page};
pub use sessions::{ConsoleSession, SessionStore};
