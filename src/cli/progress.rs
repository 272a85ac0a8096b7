//! Progress bars for long CLI jobs (bench data generation and waits, feed loading, outbox
//! retry). They draw on stderr only when stderr is a terminal: CI logs and piped output
//! stay exactly as they were, and callers can skip the work of measuring progress
//! (`bar.is_hidden()`) when nobody would see it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress would be seen.
pub fn visible() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar towards `len` items, or a hidden one when stderr is not a terminal.
pub fn bar(len: u64, message: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(message.to_owned());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {human_pos}/{human_len} ({elapsed} elapsed, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A spinner for work of unknown size, or a hidden one when stderr is not a terminal.
pub fn spinner(message: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner().with_message(message.to_owned());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        spinner.set_style(style);
    }
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_hidden_without_a_terminal() {
        // Test output is captured, so stderr is not a terminal here (nor in CI).
        if !visible() {
            assert!(bar(10, "x").is_hidden());
            assert!(spinner("x").is_hidden());
        }
    }
}
