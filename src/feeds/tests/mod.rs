mod catalog;
mod config;
mod errors;
mod formats;
mod helpers;
mod mapping;
mod real;
