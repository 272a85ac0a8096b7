//! One integration test binary: every test talks HTTP to a real server on a real database.

mod helpers;

mod auth;
mod concurrent_writes;
mod contacts;
mod crash;
mod delivery;
mod durability;
mod email;
mod email_files;
mod engage_table;
mod engine_churn;
mod engine_concurrency;
mod engine_design;
mod engine_helpers;
mod engine_resume;
mod engine_rules;
mod errors;
mod feeds_real;
mod health;
mod metrics;
mod rate_limit;
mod receipts;
mod smtp_server;
mod stock_batches;
mod stock_levels;
mod subscriptions;
mod webhook;
