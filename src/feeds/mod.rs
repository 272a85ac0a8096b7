//! Per-locale product feeds.
