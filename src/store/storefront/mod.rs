//! Sign-ups from the shop's own pages, [`StorefrontStore`]: pending subscriptions and the
//! confirmation emails they send, consent records, spent proofs of work and the sign-up
//! limits.

pub(crate) mod model;
pub(crate) mod sql;

pub use model::{
    ConfirmationMail, Confirmed, Consent, MailFinish, NewSignup, PendingSubscription, SignupLimit,
    SignupOutcome, StorefrontPurge, StorefrontStore, DOUBLE_OPT_IN, SINGLE_OPT_IN,
};
