//! Restock: a back-in-stock automation engine with a Voyado Engage compatible API.
#![forbid(unsafe_code)]

pub mod api;
pub mod background;
pub mod bench;
pub mod cli;
pub mod config;
pub mod console;
pub mod delivery;
pub mod domain;
pub mod dsl;
pub mod engine;
pub mod feeds;
pub mod insights;
pub mod links;
pub mod metrics;
pub mod plugins;
pub mod reload;
pub mod rules;
pub mod startup;
pub mod store;
pub mod storefront;
pub mod templates;
pub mod tracking;
pub mod unsubscribe;
pub mod web;

#[cfg(test)]
mod layers;
