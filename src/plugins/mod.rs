//! Actions are plugins: each implements [`Action`] and is registered by the name rules
//! files use (`email`, `webhook`, `log`). A new channel is one new module here and one
//! `register` call; nothing else changes.

pub mod email;
pub mod log;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::store::OutboxItem;

/// How one execution of an action ended. The delivery worker turns it into the
/// notification's next state: done, retried later, dead-lettered with the reason, or put
/// back untouched while the channel itself is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// This notification may succeed later (a 4xx SMTP reply, a webhook timeout): it
    /// spends one of its retries.
    Transient(String),
    /// Trying again cannot help (a 5xx SMTP reply, an invalid address, bad settings).
    Permanent(String),
    /// Nothing could have been delivered, whatever the notification (the mail server
    /// refuses connections, offers no TLS, refuses the login; the mail folder cannot be
    /// written): the notification goes back without spending an attempt, and the worker
    /// pauses, probing the action with [`Action::probe`] until it answers again.
    Unavailable(String),
}

#[async_trait]
pub trait Action: Send + Sync + 'static {
    /// The name rules files use for this action.
    fn name(&self) -> &'static str;
    /// Runs the action for one notification with the settings its rule gave
    /// (`email: {template: back-in-stock}` gives `{"template": "back-in-stock"}`).
    async fn execute(&self, item: &OutboxItem, settings: &serde_json::Value) -> Outcome;
    /// Whether the action could run now, checked while delivery is paused after an
    /// [`Outcome::Unavailable`]; the cause when not. Actions that never answer
    /// `Unavailable` need not implement it.
    async fn probe(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The actions this process can run, by name.
#[derive(Clone, Default)]
pub struct Registry {
    actions: HashMap<&'static str, Arc<dyn Action>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, action: impl Action) -> &mut Self {
        self.actions.insert(action.name(), Arc::new(action));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Action>> {
        self.actions.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.actions.keys().copied()
    }
}
