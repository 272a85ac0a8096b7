//! Durations, timestamps, `now`, subscription age and purchases.

use super::{eval, Fixture, NOW};
use crate::dsl::{Duration, Timestamp};

fn days_ago(days: i64) -> Timestamp {
    NOW.checked_sub(Duration::from_days(days))
        .expect("in range")
}

#[test]
fn subscription_age_and_creation_time() {
    let fixture = Fixture::new(); // subscribed 3 days ago
    let cases = [
        ("subscription.age < 30d", true),
        ("subscription.age > 2d", true),
        ("subscription.age == 3d", true),
        ("subscription.age >= 72h", true),
        ("subscription.age < 1w - 5d", false),
        ("subscription.age * 2 == 6d", true),
        ("subscription.age / 3 == 1d", true),
        ("subscription.createdOn > now - 1w", true),
        ("subscription.createdOn < now - 4d", false),
        ("now - subscription.createdOn == subscription.age", true),
        ("subscription.createdOn + 3d == now", true),
        ("3d + subscription.createdOn == now", true),
        ("subscription.createdOn > 2024-05-01T00:00:00Z", true),
        ("subscription.createdOn > 2024-05-29T14:00:00+02:00", false),
        ("product.launch < subscription.createdOn", true),
        ("-subscription.age < 0s", true),
        ("now == 2024-06-01T14:00:00+02:00", true),
    ];
    for (source, expected) in cases {
        assert_eq!(eval(source, &fixture), expected, "{source}");
    }
}

#[test]
fn purchased_means_since_subscribing() {
    let mut fixture = Fixture::new(); // subscribed 3 days ago
    fixture.last_purchase = Some(days_ago(1));
    assert!(eval("purchased", &fixture));
    fixture.last_purchase = Some(days_ago(3));
    assert!(
        eval("purchased", &fixture),
        "a purchase at the moment of subscribing counts"
    );
    fixture.last_purchase = Some(days_ago(5));
    assert!(!eval("purchased", &fixture));
    assert!(eval("not purchased", &fixture));
}

#[test]
fn purchased_within_a_window_looks_back_from_now() {
    let mut fixture = Fixture::new();
    fixture.last_purchase = Some(days_ago(20));
    assert!(eval("purchased(within 30d)", &fixture));
    assert!(!eval("purchased(within 2w)", &fixture));
    assert!(!eval("purchased", &fixture), "bought before subscribing");
    fixture.last_purchase = None;
    assert!(!eval("purchased(within 30000d)", &fixture));
}
