//! The console's Demand and Contacts pages over HTTP, signed in, on a real server and
//! database: the demand ranking with the feed's products and the last stock level,
//! filters, paging and the CSV download; finding a contact, masked addresses, revealing
//! them, the history with delivery, click and conversion, and deleting with confirmation.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::clicks::{clicked_and_bought, delivered};
use crate::console::{client, location, signed_in};
use crate::engine_helpers::{product, shop, EVERYONE};
use crate::helpers::{setup, Backend, TestApp};

/// A page's text without its tags (entities left as they are).
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each row of the table with `class`'s body, in order.
fn rows(html: &str, class: &str) -> Vec<String> {
    let start = html
        .find(&format!("<table class=\"{class}\""))
        .unwrap_or_else(|| panic!("no table.{class} in {html}"));
    let table = &html[start..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| text(&format!("<tr{row}")))
        .collect()
}

/// The `href` of the link with `rel`, unescaped, if the page has one.
fn link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let before = &html[..at];
    let href = before.rsplit("href=\"").next()?.split('"').next()?;
    Some(href.replace("&amp;", "&").replace("&#x3D;", "="))
}

/// `n` new contacts, each subscribed to `sku` in `locale`.
async fn waiting(app: &TestApp, n: usize, sku: &str, locale: &str, external: Option<&str>) {
    for _ in 0..n {
        let contact = app
            .create_contact(&format!("{}@example.com", Uuid::now_v7().simple()))
            .await;
        app.subscribe(contact, sku, locale, external).await;
    }
}

/// SKU-2/sv-SE 3 waiting (its last level was 0: `noStock`), SKU-1/sv-SE 2, SKU-9/sv-SE
/// (not in the feed: `noProductData`) 1 with externalId store-7, SKU-1/pl-PL 1.
async fn wanted(app: &TestApp) {
    waiting(app, 3, "SKU-2", "sv-SE", None).await;
    waiting(app, 2, "SKU-1", "sv-SE", None).await;
    waiting(app, 1, "SKU-9", "sv-SE", Some("store-7")).await;
    waiting(app, 1, "SKU-1", "pl-PL", None).await;
    app.stock(json!([
        {"sku": "SKU-2", "quantity": 0, "locale": "sv-SE"},
        {"sku": "SKU-9", "quantity": 5, "locale": "sv-SE", "externalId": "store-7"},
    ]))
    .await;
}

async fn demand_ranks_the_most_wanted_with_the_feed_and_the_last_stock_level(backend: Backend) {
    let app = shop(backend).spawn().await;
    wanted(&app).await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/demand").await;
    assert!(page.contains("<h1>Demand</h1>"));
    assert!(
        page.contains("href=\"/admin/demand\" aria-current=\"page\""),
        "in the navigation"
    );
    assert!(text(&page).contains("rows 1–4 of 4"), "{}", text(&page));
    let rows = rows(&page, "demand");
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert!(
        rows[0].starts_with("1 SKU-2 Tröja · image sv-SE 3 "),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("0 on "), "the last level: {}", rows[0]);
    assert!(rows[0].ends_with("noStock: 3"), "{}", rows[0]);
    assert!(
        rows[1].starts_with("2 SKU-1 Kånken · image sv-SE 2 "),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains("none reported"), "{}", rows[1]);
    // Equal counts: by SKU, then locale.
    assert!(
        rows[2].starts_with("3 SKU-1 Plecak · image pl-PL 1 "),
        "{}",
        rows[2]
    );
    assert!(
        rows[3].starts_with("4 SKU-9 not in the sv-SE feed sv-SE store-7 1 "),
        "{}",
        rows[3]
    );
    assert!(rows[3].ends_with("noProductData: 1"), "{}", rows[3]);
    assert!(
        page.contains("<a class=\"image\" href=\"https://shop.example/SKU-2.jpg\" rel=\"noopener noreferrer\" target=\"_blank\">image</a>"),
        "the image is a link, not loaded: {page}"
    );
    assert!(!page.contains("<img"), "no remote image is loaded");
    assert!(page.contains("href=\"/admin/log?sku=SKU%2D2\""));
}

async fn demand_filters_and_pages_keep_the_filters(backend: Backend) {
    let app = shop(backend).spawn().await;
    wanted(&app).await;
    let browser = signed_in(&app).await;

    let sv = rows(&browser.page("/admin/demand?locale=sv-SE").await, "demand");
    assert_eq!(sv.len(), 3, "{sv:#?}");
    assert!(sv.iter().all(|r| r.contains(" sv-SE ")), "{sv:#?}");
    let prefix = rows(
        &browser.page("/admin/demand?skuPrefix=SKU-1").await,
        "demand",
    );
    assert_eq!(prefix.len(), 2, "{prefix:#?}");
    assert!(prefix.iter().all(|r| r.contains("SKU-1")), "{prefix:#?}");
    let many = rows(&browser.page("/admin/demand?minWaiting=2").await, "demand");
    assert_eq!(many.len(), 2, "{many:#?}");
    let none = browser
        .page("/admin/demand?locale=pl-PL&minWaiting=5")
        .await;
    assert!(text(&none).contains("No subscriptions are waiting in pl-PL"));

    // Two a page, filtered to sv-SE: the next link keeps the filter and the page size.
    let first = browser
        .page("/admin/demand?locale=sv-SE&limit=2&minWaiting=1")
        .await;
    assert_eq!(rows(&first, "demand").len(), 2);
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("a next page");
    assert_eq!(next, "/admin/demand?locale=sv-SE&offset=2&limit=2");
    let second = browser.page(&next).await;
    let last = rows(&second, "demand");
    assert_eq!(last.len(), 1, "{last:#?}");
    assert!(last[0].starts_with("3 SKU-9"), "{}", last[0]);
    assert!(text(&second).contains("rows 3–3 of 3"));
    assert!(link(&second, "next").is_none());
    assert_eq!(
        link(&second, "prev").as_deref(),
        Some("/admin/demand?locale=sv-SE&offset=0&limit=2")
    );
    // The form shows the filters it was sent with.
    assert!(second.contains("id=\"locale\" name=\"locale\" value=\"sv-SE\""));
}

#[tokio::test]
async fn demand_downloads_as_csv_with_the_same_filters() {
    let app = shop(Backend::sqlite()).spawn().await;
    wanted(&app).await;
    waiting(&app, 1, "=cmd|' /C calc'!A0", "sv-SE", None).await;
    let browser = signed_in(&app).await;
    let page = browser
        .page("/admin/demand?locale=sv-SE&skuPrefix=SKU")
        .await;
    assert!(
        page.contains("href=\"/admin/demand.csv?locale&#x3D;sv-SE&amp;skuPrefix&#x3D;SKU\""),
        "{page}"
    );
    let all = browser.csv("/admin/demand.csv", "demand.csv").await;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(
        lines[0],
        "sku,locale,externalId,name,imageUrl,waiting,oldestSubscription,newestSubscription,averageWaitSeconds,lastQuantity,lastReportedOn,lastProcessed,heldBack"
    );
    assert_eq!(lines.len(), 6, "{all}");
    assert!(
        lines[1].starts_with("SKU-2,sv-SE,,Tröja,https://shop.example/SKU-2.jpg,3,"),
        "{all}"
    );
    assert!(lines[1].ends_with(",true,noStock:3"), "{all}");
    let sku9 = lines
        .iter()
        .find(|l| l.starts_with("SKU-9,"))
        .expect("SKU-9");
    assert!(
        sku9.starts_with("SKU-9,sv-SE,store-7,,,1,"),
        "not in the feed: {all}"
    );
    assert!(sku9.ends_with(",true,noProductData:1"), "{all}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("'=cmd|' /C calc'!A0,sv-SE,")),
        "a formula is made text: {all}"
    );
    let filtered = browser
        .get("/admin/demand.csv?locale=sv-SE&skuPrefix=SKU")
        .await
        .text()
        .await
        .unwrap();
    let filtered: Vec<&str> = filtered.lines().collect();
    assert_eq!(filtered.len(), 4, "{filtered:#?}");
    assert!(filtered[1..].iter().all(|l| l.contains(",sv-SE,")));
    let bad = browser.get("/admin/demand.csv?minWaiting=lots").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn hostile_skus_and_product_names_are_escaped_and_only_web_images_linked() {
    let sku = "\"><img src=x onerror=alert(1)>";
    let script = "<script>alert(2)</script>";
    let mut hostile = product(sku, "<script>alert(3)</script>", "1.00 SEK");
    hostile["image_link"] = json!("javascript:alert(4)");
    hostile["link"] = json!("javascript:alert(5)");
    let app = setup(Backend::sqlite())
        .feed(
            "sv-SE",
            &[product("SKU-1", "Kånken", "899.00 SEK"), hostile],
        )
        .rule("everyone.yaml", EVERYONE)
        .spawn()
        .await;
    waiting(&app, 2, sku, "sv-SE", None).await;
    waiting(&app, 1, script, "sv-SE", Some("<b>x</b>")).await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/demand").await;
    for raw in [
        "<img src=x",
        "<script>alert",
        "<b>x</b>",
        "javascript:",
        "onerror=alert(1)>",
    ] {
        assert!(!page.contains(raw), "{raw} unescaped in {page}");
    }
    assert!(
        page.contains("&lt;script&gt;alert(3)&lt;/script&gt;"),
        "the feed's name"
    );
    assert!(
        page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "the SKU"
    );
    assert!(page.contains("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
    let rows = rows(&page, "demand");
    assert!(
        !rows[0].contains("image"),
        "a javascript: image is not linked: {}",
        rows[0]
    );

    let contact = app.create_contact("eve@example.com").await;
    app.subscribe(contact, sku, "sv-SE", None).await;
    let history = browser.page(&format!("/admin/contacts?q={contact}")).await;
    assert!(!history.contains("<img src=x"), "{history}");
    assert!(history.contains("&quot;&gt;&lt;img src&#x3D;x"));
    let searched = browser
        .get("/admin/contacts?q=%3Cscript%3Ealert(6)%3C%2Fscript%3E")
        .await;
    assert_eq!(searched.status(), 200);
    let searched = searched.text().await.unwrap();
    assert!(!searched.contains("<script>alert(6)"), "{searched}");
    assert!(searched.contains("No contact matches &lt;script&gt;alert(6)"));
}

#[tokio::test]
async fn bad_filter_values_get_a_400_page_naming_the_field_and_change_nothing() {
    let app = shop(Backend::sqlite()).spawn().await;
    let ada = app.create_contact("ada@example.com").await;
    let browser = signed_in(&app).await;
    for (path, field) in [
        ("/admin/demand?minWaiting=lots", "minWaiting"),
        ("/admin/demand?minWaiting=-1", "minWaiting"),
        ("/admin/demand?offset=-5", "offset"),
        ("/admin/demand?limit=0", "limit"),
        ("/admin/demand?limit=100000", "limit"),
        ("/admin/demand?locale=not%20a%20locale", "locale"),
        ("/admin/demand?skuPrefix=A%07B", "skuPrefix"),
        ("/admin/demand.csv?offset=x", "offset"),
        ("/admin/contacts?q=ada%40%40example", "q"),
        ("/admin/contacts?q=a%07b", "q"),
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(&format!("<p class=\"error\" role=\"alert\">{field}: ")),
            "{path}: {page}"
        );
    }
    let id = ada.to_string();
    for (form, field) in [
        (vec![("id", id.as_str())], "confirm"),
        (vec![("id", id.as_str()), ("confirm", "no")], "confirm"),
        (vec![("id", "42"), ("confirm", "yes")], "id"),
        (vec![("confirm", "yes")], "id"),
    ] {
        let response = browser.post_form("/admin/contacts/delete", &form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!("{field}: ")), "{form:?}: {page}");
        assert!(page.contains("nothing was deleted"), "{page}");
    }
    let unknown = Uuid::now_v7().to_string();
    let response = browser
        .post_form(
            "/admin/contacts/delete",
            &[("id", &unknown), ("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("no contact has this id"));
    assert_eq!(
        app.request(Method::GET, &format!("/api/v3/contacts/{ada}"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still there"
    );
}

/// Ada, notified about SKU-1 (delivered, clicked, bought for 899 SEK), still waiting for
/// SKU-2 in pl-PL.
async fn ada(app: &TestApp) -> Uuid {
    let (ada, notification) = delivered(app, "Ada.Lovelace@example.com", "SKU-1").await;
    clicked_and_bought(app, ada, notification).await;
    app.subscribe(ada, "SKU-2", "pl-PL", Some("store-7")).await;
    ada
}

async fn a_contact_is_found_by_email_or_id_with_their_history(backend: Backend) {
    let app = shop(backend).spawn().await;
    let ada = ada(&app).await;
    let browser = signed_in(&app).await;
    let form = browser.page("/admin/contacts").await;
    assert!(form.contains("name=\"q\""));
    assert!(form.contains("href=\"/admin/contacts\" aria-current=\"page\""));

    // By the exact address (any case): the address typed is shown.
    let by_email = browser
        .page("/admin/contacts?q=ada.lovelace%40EXAMPLE.com")
        .await;
    assert!(by_email.contains(&ada.to_string()), "{by_email}");
    assert!(by_email.contains("Ada.Lovelace@example.com"));
    let history = rows(&by_email, "history");
    assert_eq!(history.len(), 2, "{history:#?}");
    assert!(
        history[0].contains("SKU-2 pl-PL store-7 waiting"),
        "newest first: {history:#?}"
    );
    assert!(
        history[1].contains("SKU-1 sv-SE triggered")
            && history[1].contains("everyone / sv-SE delivered , 1 attempts"),
        "{history:#?}"
    );
    assert!(
        history[1].ends_with(": 899.00 SEK"),
        "converted: {}",
        history[1]
    );
    let summary = text(&by_email);
    assert!(
        summary.contains("2 subscriptions: 1 waiting, 1 notified, 0 expired. Notifications: 1 delivered, 0 failed for good, 1 clicked, 1 converted."),
        "{summary}"
    );

    // By id: the same contact, the address masked until revealed.
    let by_id = browser.page(&format!("/admin/contacts?q={ada}")).await;
    assert!(by_id.contains("A•••@example.com"), "{by_id}");
    assert!(!by_id.contains("Lovelace"), "masked: {by_id}");
    assert!(!by_id.contains(">Test<"), "other attributes hidden too");
    assert_eq!(rows(&by_id, "history"), history);
    let revealed = browser
        .page(&format!("/admin/contacts?q={ada}&reveal=1"))
        .await;
    assert!(revealed.contains("Ada.Lovelace@example.com"));
    assert!(revealed.contains(">Test<"), "firstName shown: {revealed}");

    // The whole history as CSV, from the page's link.
    let download = by_id
        .split("href=\"")
        .find_map(|h| h.strip_prefix("/admin/contacts.csv?"))
        .map(|h| format!("/admin/contacts.csv?{}", &h[..h.find('"').unwrap()]))
        .map(|h| h.replace("&amp;", "&").replace("&#x3D;", "="))
        .expect("a CSV link");
    assert_eq!(download, format!("/admin/contacts.csv?q={ada}"));
    let csv = browser.csv(&download, &format!("contact-{ada}.csv")).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("subscriptionId,sku,locale,externalId,subscribedOn,status,"));
    assert!(
        lines[1].contains(",SKU-2,pl-PL,store-7,") && lines[1].contains(",waiting,"),
        "{csv}"
    );
    assert!(
        lines[2].contains(",SKU-1,sv-SE,,") && lines[2].contains(",everyone,sv-SE,delivered,1,"),
        "{csv}"
    );
    assert!(lines[2].ends_with(",899.00,SEK"), "{csv}");
    let unknown = browser
        .get(&format!("/admin/contacts.csv?q={}", Uuid::now_v7()))
        .await;
    assert_eq!(unknown.status(), 404);

    let nobody = browser
        .page(&format!("/admin/contacts?q={}", Uuid::now_v7()))
        .await;
    assert!(text(&nobody).contains("No contact matches"));
    let nobody = browser.page("/admin/contacts?q=bo%40example.com").await;
    assert!(text(&nobody).contains("No contact matches bo@example.com"));
}

async fn addresses_are_masked_in_lists_until_revealed(backend: Backend) {
    let app = shop(backend).spawn().await;
    let jane = app.create_contact("jane@example.com").await;
    let jo = app.create_contact("Jo.Smith@example.org").await;
    app.create_contact("kim@example.com").await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/contacts?q=j").await;
    let list = rows(&page, "contacts");
    assert_eq!(list.len(), 2, "{list:#?}");
    assert!(
        list[0].starts_with(&format!("j•••@example.com {jane}")),
        "{list:#?}"
    );
    assert!(
        list[1].starts_with(&format!("J•••@example.org {jo}")),
        "{list:#?}"
    );
    assert!(
        !page.contains("jane@") && !page.contains("Jo.Smith"),
        "{page}"
    );
    let csv = browser.csv("/admin/contacts.csv?q=j", "contacts.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(lines[0], "contactId,email,createdOn,acceptsEmail");
    assert!(
        lines[1].starts_with(&format!("{jane},j•••@example.com,")),
        "{csv}"
    );
    assert!(
        lines[2].starts_with(&format!("{jo},J•••@example.org,")),
        "masked: {csv}"
    );
    assert!(!csv.contains("jane@"), "{csv}");
    let revealed_csv = browser
        .csv("/admin/contacts.csv?q=j&reveal=1", "contacts.csv")
        .await;
    assert!(
        revealed_csv.contains("jane@example.com") && revealed_csv.contains("Jo.Smith@example.org")
    );
    let reveal = link_by_id(&page, "reveal");
    assert_eq!(reveal, "/admin/contacts?q=j&reveal=1");
    let revealed = browser.page(&reveal).await;
    let list = rows(&revealed, "contacts");
    assert!(list[0].starts_with("jane@example.com"), "{list:#?}");
    assert!(list[1].starts_with("Jo.Smith@example.org"), "{list:#?}");
    assert!(revealed.contains(&format!("href=\"/admin/contacts?q={jane}\"")));
}

fn link_by_id(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect("the link");
    let before = &html[..at];
    let href = before
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    href.replace("&amp;", "&").replace("&#x3D;", "=")
}

/// Rows of the contact's history, however they are kept.
async fn history_rows(app: &TestApp, contact: Uuid) -> i64 {
    let statement = "SELECT (SELECT COUNT(*) FROM backinstock_history WHERE contact_id = $1) \
                     + (SELECT COUNT(*) FROM notifications WHERE contact_id = $1) \
                     + (SELECT COUNT(*) FROM subscriptions WHERE contact_id = $1)";
    match &app.backend {
        Backend::Sqlite(_) => {
            let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
            sqlx::query_scalar(statement)
                .bind(contact)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        Backend::Postgres(_) => {
            let pool = sqlx::PgPool::connect(&app.backend.url()).await.unwrap();
            sqlx::query_scalar(statement)
                .bind(contact)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    }
}

async fn deleting_needs_the_confirmation_and_removes_the_contact_and_history(backend: Backend) {
    let app = shop(backend).spawn().await;
    let ada = ada(&app).await;
    let browser = signed_in(&app).await;
    assert!(history_rows(&app, ada).await >= 2);
    let page = browser.page(&format!("/admin/contacts?q={ada}")).await;
    assert!(page.contains("action=\"/admin/contacts/delete\""));
    assert!(page.contains(&format!("name=\"id\" value=\"{ada}\"")));
    assert!(page.contains("name=\"confirm\" value=\"yes\" required"));

    let id = ada.to_string();
    let refused = browser
        .post_form("/admin/contacts/delete", &[("id", &id)])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(history_rows(&app, ada).await >= 2, "nothing was deleted");

    let done = browser
        .post_form("/admin/contacts/delete", &[("id", &id), ("confirm", "yes")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/admin/contacts?deleted={ada}"));
    let after = browser.page(location(&done)).await;
    assert!(
        text(&after).contains(&format!("Contact {ada} was deleted")),
        "{after}"
    );
    assert_eq!(history_rows(&app, ada).await, 0, "the history went too");
    for path in [
        format!("/api/v3/contacts/{ada}"),
        format!("/api/v3/contacts/{ada}/backinstock/history"),
    ] {
        let status = app
            .request(Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{path}");
    }
    let demand = browser.page("/admin/demand").await;
    assert!(
        text(&demand).contains("No subscriptions are waiting"),
        "{demand}"
    );
}

#[tokio::test]
async fn a_cross_site_delete_is_refused_and_deletes_nothing() {
    let app = shop(Backend::sqlite()).spawn().await;
    let ada = app.create_contact("ada@example.com").await;
    app.subscribe(ada, "SKU-1", "sv-SE", None).await;
    let browser = signed_in(&app).await;
    let id = ada.to_string();
    let form = [("id", id.as_str()), ("confirm", "yes")];
    let cookie = browser.cookie.clone().unwrap();
    for (site, origin) in [
        (Some("cross-site"), None),
        (Some("same-site"), Some("https://shop.example")),
        (None, Some("https://evil.example")),
    ] {
        let mut request = client()
            .post(format!("{}/admin/contacts/delete", app.address))
            .header("cookie", &cookie)
            .form(&form);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{site:?} {origin:?}"
        );
        assert!(response.text().await.unwrap().contains("another site"));
    }
    assert_eq!(history_rows(&app, ada).await, 1, "still subscribed");
    let signed_out = client()
        .post(format!("{}/admin/contacts/delete", app.address))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER, "to the sign-in");
    assert_eq!(history_rows(&app, ada).await, 1, "still subscribed");
}

#[tokio::test]
async fn a_long_history_is_paged() {
    let app = shop(Backend::sqlite()).spawn().await;
    let ada = app.create_contact("ada@example.com").await;
    for i in 0..5 {
        app.subscribe(ada, &format!("SKU-{i:02}"), "sv-SE", None)
            .await;
    }
    let browser = signed_in(&app).await;
    let first = browser
        .page(&format!("/admin/contacts?q={ada}&limit=2&reveal=1"))
        .await;
    let rows1 = rows(&first, "history");
    assert_eq!(rows1.len(), 2);
    assert!(rows1[0].contains("SKU-04"), "newest first: {rows1:#?}");
    assert!(text(&first).contains("1–2 of 5"));
    let next = link(&first, "next").expect("a next page");
    assert_eq!(
        next,
        format!("/admin/contacts?q={ada}&reveal=1&offset=2&limit=2")
    );
    let last = browser
        .page(&format!("/admin/contacts?q={ada}&limit=2&offset=4"))
        .await;
    let rows3 = rows(&last, "history");
    assert_eq!(rows3.len(), 1);
    assert!(rows3[0].contains("SKU-00"), "{rows3:#?}");
    assert!(link(&last, "next").is_none());
    assert_eq!(
        link(&last, "prev").as_deref(),
        Some(format!("/admin/contacts?q={ada}&offset=2&limit=2").as_str())
    );
}

#[tokio::test]
async fn both_pages_carry_the_console_csp_and_no_inline_code() {
    let app = shop(Backend::sqlite()).spawn().await;
    wanted(&app).await;
    let ada = app.create_contact("ada@example.com").await;
    let browser = signed_in(&app).await;
    for path in [
        "/admin/demand".to_owned(),
        format!("/admin/contacts?q={ada}"),
        "/admin/contacts?q=a".to_owned(),
    ] {
        let response = browser.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("img-src 'self' data:;") && !csp.contains("http"),
            "one policy, no remote images: {csp}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        let html = response.text().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains(" style="),
            "{path}"
        );
        assert!(!html.contains("<img"), "{path}");
    }
}

crate::on_both_backends!(
    demand_ranks_the_most_wanted_with_the_feed_and_the_last_stock_level,
    demand_filters_and_pages_keep_the_filters,
    a_contact_is_found_by_email_or_id_with_their_history,
    addresses_are_masked_in_lists_until_revealed,
    deleting_needs_the_confirmation_and_removes_the_contact_and_history,
);
