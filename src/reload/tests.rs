use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

/// What the test builder produces next: `Ok(n)` builds `n`, `Err(text)` fails.
type Next = Arc<Mutex<Result<u32, String>>>;

/// A reloadable whose builder returns whatever the test put in `Next`.
fn source(initial: Result<u32, &str>) -> (Next, Reloadable<u32, String>) {
    let next = Arc::new(Mutex::new(initial.map_err(str::to_owned)));
    let shared = Arc::clone(&next);
    let built = Reloadable::new("numbers", move || shared.lock().unwrap().clone());
    (next, built.expect("the first build succeeds"))
}

#[test]
fn a_good_rebuild_is_swapped_in() {
    let (next, numbers) = source(Ok(1));
    assert_eq!(*numbers.current(), 1);
    assert_eq!(numbers.status().generation, 1);

    *next.lock().unwrap() = Ok(2);
    let fresh = numbers.reload_now().expect("reload succeeds");

    assert_eq!(*fresh, 2);
    assert_eq!(*numbers.current(), 2);
    assert_eq!(numbers.status().generation, 2);
    assert!(numbers.last_error().is_none());
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_value_and_records_why() {
    let (next, numbers) = source(Ok(1));
    let before = chrono::Utc::now();

    *next.lock().unwrap() = Err("rules/vip.yaml:3:7: unknown field `prise`".into());
    let failure = numbers.reload_now().expect_err("reload fails");

    assert_eq!(*numbers.current(), 1, "the old value stays live");
    assert_eq!(numbers.status().generation, 1);
    let recorded = numbers.last_error().expect("the failure is recorded");
    assert_eq!(
        recorded.message,
        "rules/vip.yaml:3:7: unknown field `prise`"
    );
    assert_eq!(recorded.at, failure.at);
    assert!(recorded.at >= before);
    assert_eq!(
        recorded.error.as_deref().map(String::as_str),
        Some(recorded.message.as_str())
    );
    let shown = serde_json::to_value(numbers.status()).unwrap();
    assert_eq!(
        shown["lastError"]["message"],
        "rules/vip.yaml:3:7: unknown field `prise`"
    );
    assert_eq!(shown["name"], "numbers");
    assert_eq!(
        shown["lastError"]["on"],
        crate::domain::format_time(&recorded.at)
    );
    assert!(shown["loadedOn"].is_string(), "{shown}");
    assert!(
        shown.get("loadedAt").is_none(),
        "one name for the load time"
    );

    *next.lock().unwrap() = Ok(3);
    numbers.reload_now().expect("reload succeeds again");
    assert_eq!(*numbers.current(), 3);
    assert!(numbers.last_error().is_none(), "a success clears the error");
}

#[test]
fn a_snapshot_held_by_a_reader_does_not_change_under_it() {
    let (next, numbers) = source(Ok(1));
    let snapshot = numbers.current();

    *next.lock().unwrap() = Ok(2);
    numbers.reload_now().unwrap();

    assert_eq!(*snapshot, 1);
    assert_eq!(*numbers.clone().current(), 2, "clones share the value");
}

#[test]
fn a_panicking_builder_is_recorded_not_fatal() {
    let calls = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&calls);
    let numbers: Reloadable<u32, String> = Reloadable::new("panicky", move || {
        let mut calls = counter.lock().unwrap();
        *calls += 1;
        if *calls > 1 {
            panic!("bug in the builder");
        }
        Ok(7)
    })
    .unwrap();

    let failure = numbers
        .reload_now()
        .expect_err("the panic becomes a failure");

    assert_eq!(*numbers.current(), 7);
    assert!(failure.error.is_none());
    assert_eq!(failure.message, "the builder panicked: bug in the builder");
}

#[test]
fn the_first_build_must_succeed() {
    let result: Result<Reloadable<u32, String>, String> =
        Reloadable::new("broken", || Err("no such file".to_owned()));
    assert_eq!(result.err().as_deref(), Some("no such file"));
}

#[test]
fn watching_a_file_in_a_missing_folder_is_an_error() {
    let error = watch_paths(["/no/such/folder/feed.xml"], DEFAULT_DEBOUNCE, |_| {})
        .err()
        .expect("watching fails");
    assert_eq!(
        error.to_string(),
        "cannot watch /no/such/folder/feed.xml: its folder does not exist"
    );
}

/// The one test that goes through the operating system's notifications: the file is
/// replaced the way feed exporters should publish (write elsewhere, rename over).
#[test]
fn the_watcher_reloads_when_the_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("value.txt");
    std::fs::write(&path, "1").unwrap();
    let read = path.clone();
    let value: Reloadable<u32, String> = Reloadable::new("file", move || {
        let text = std::fs::read_to_string(&read).map_err(|e| e.to_string())?;
        text.trim()
            .parse()
            .map_err(|_| format!("not a number: {text:?}"))
    })
    .unwrap();
    let _guard = value.watch([&path], Duration::from_millis(50)).unwrap();

    let staged = dir.path().join("value.txt.tmp");
    std::fs::write(&staged, "2").unwrap();
    std::fs::rename(&staged, &path).unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    while *value.current() != 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        *value.current(),
        2,
        "the watcher reloaded the replaced file"
    );
}
