//! One integration test binary: every test talks HTTP to a real server on a real database.

mod helpers;

mod auth;
mod binary;
mod cli_output;
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
mod feeds_status;
mod health;
mod metrics;
mod rate_limit;
mod readme;
mod receipts;
mod served_log;
mod smtp_server;
mod stock_batches;
mod stock_levels;
mod subscriptions;
mod unsubscribe_pages;
mod webhook;
