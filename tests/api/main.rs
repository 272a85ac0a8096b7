//! One integration test binary: every test talks HTTP to a real server on a real database.

mod helpers;

mod auth;
mod contacts;
mod durability;
mod engage_table;
mod errors;
mod health;
mod receipts;
mod stock_batches;
mod stock_levels;
mod subscriptions;
