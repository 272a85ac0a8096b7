//! The console's Templates page over HTTP against the real server: which file each
//! locale actually uses, the preview with the feed's product and a stored contact (and
//! its sandboxed frame), saving a template through the whole set's check with history,
//! the history's diff and restore — for templates and for rules files — and the refusals
//! (a broken template, a read-only folder, a cross-site request).

use std::path::{Path, PathBuf};

use reqwest::header::CONTENT_SECURITY_POLICY;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::binary::own_templates;
use crate::console::{signed_in, Browser};
use crate::engine_helpers::{product, shop};
use crate::helpers::{Backend, TestApp};

const TEXT: &str = "sv-SE/back-in-stock.txt.hbs";

/// The example shop with its own copy of the shipped templates, and a German feed: no
/// `de-DE` templates, so German falls back to `en-US`.
async fn shop_with_templates(backend: Backend) -> TestApp {
    shop(backend)
        .feed(
            "de-DE",
            &[product(
                "SKU-1",
                "<script>alert('de')</script> Rucksack",
                "89.00 EUR",
            )],
        )
        .config(|c| {
            own_templates(c);
        })
        .spawn()
        .await
}

/// The table row of `template` × `locale`.
fn row<'a>(page: &'a str, template: &str, locale: &str) -> &'a str {
    let start = format!("<th scope=\"row\">{template}</th><td>{locale}</td>");
    let at = page
        .find(&start)
        .unwrap_or_else(|| panic!("no row {template} × {locale} in\n{page}"));
    let end = page[at..].find("</tr>").map_or(page.len(), |e| at + e);
    &page[at..end]
}

fn templates_dir(app: &TestApp) -> PathBuf {
    app.config.templates_dir.clone()
}

fn kept(dir: &Path, file: &str) -> Vec<(String, String)> {
    let place = dir.join(".history").join(file);
    let (folder, name) = (place.parent().unwrap(), place.file_name().unwrap());
    let prefix = format!("{}.", name.to_string_lossy());
    let mut found: Vec<(String, String)> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    let version = n.strip_prefix(&prefix)?.to_owned();
                    Some((version, std::fs::read_to_string(e.path()).unwrap()))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

async fn save(browser: &Browser<'_>, file: &str, text: &str) -> reqwest::Response {
    let form = [("file", file), ("text", text), ("action", "save")];
    browser.post_form("/admin/templates/edit", &form).await
}

fn emails(app: &TestApp) -> Vec<String> {
    let dir = app.files.path().join("outbox");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test]
async fn the_table_shows_the_file_each_locale_actually_uses_and_the_last_load_error() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/templates").await;
    assert!(page.contains("aria-current=\"page\">Templates</a>"), "nav");

    let sv = row(&page, "back-in-stock", "sv-SE");
    assert!(sv.contains("its own"), "{sv}");
    assert!(
        sv.contains("<code>sv-SE/back-in-stock.html.hbs</code>"),
        "{sv}"
    );
    let de = row(&page, "back-in-stock", "de-DE");
    assert!(de.contains("en-US (fallback)"), "{de}");
    assert!(
        de.contains("href=\"/admin/templates/edit?file=en-US/back-in-stock.subject.hbs\""),
        "{de}"
    );
    // fi-FI has templates but no feed; pl-PL both: every configured locale is listed.
    assert!(row(&page, "back-in-stock", "fi-FI").contains("its own"));
    assert!(row(&page, "back-in-stock", "pl-PL").contains("its own"));
    let unsubscribe = row(&page, "unsubscribe", "de-DE");
    assert!(unsubscribe.contains("en-US (fallback)"), "{unsubscribe}");
    // The same table as CSV, from the page's link.
    assert!(page.contains("href=\"/admin/templates.csv\" download"));
    let csv = browser.csv("/admin/templates.csv", "templates.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "template,locale,localeUsed,own,files,error");
    assert!(
        lines.contains(&"back-in-stock,de-DE,en-US,false,en-US/back-in-stock.subject.hbs; en-US/back-in-stock.html.hbs; en-US/back-in-stock.txt.hbs,"),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("back-in-stock,sv-SE,sv-SE,true,")),
        "{csv}"
    );

    // A broken edit on disk: the reload fails, the page says why in red.
    let broken = templates_dir(&app).join("pl-PL/back-in-stock.txt.hbs");
    std::fs::write(&broken, "{{#if product.name}}never closed").unwrap();
    assert!(app.templates.as_ref().unwrap().reload_now().is_err());
    let page = browser.page("/admin/templates").await;
    let alert = page
        .split("<p class=\"error\" role=\"alert\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no error shown:\n{page}"));
    assert!(
        alert.starts_with("The last reload failed")
            && alert.contains("pl-PL/back-in-stock.txt.hbs"),
        "{alert}"
    );
}

async fn a_preview_shows_the_feeds_product_escaped_and_frames_it_sandboxed(backend: Backend) {
    let app = shop_with_templates(backend).await;
    let response = app
        .post_contact(
            json!({"email": "Bo@Example.com", "firstName": "<img src=x onerror=alert(1)>Bo"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let browser = signed_in(&app).await;

    // By email address (any case), in the German feed whose product name is hostile.
    let page = browser
        .page("/admin/templates?template=back-in-stock&locale=de-DE&sku=SKU-1&contact=bo%40example.com")
        .await;
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;de&#x27;)&lt;/script&gt; Rucksack"),
        "the feed's product name, escaped:\n{page}"
    );
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img src=x"), "{page}");
    assert!(
        page.contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;Bo"),
        "{page}"
    );
    let used = page
        .split("<dt>Template locale used</dt><dd>")
        .nth(1)
        .unwrap();
    assert!(used.starts_with("en-US</dd>"), "{used}");
    assert!(
        page.contains("<iframe class=\"email\" sandbox src=\""),
        "{page}"
    );
    let csp = browser.get("/admin/templates").await.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-src 'self'"), "{csp}");

    // The frame: the HTML part alone, under its own sandboxed policy.
    let src = page
        .split("sandbox src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x3D;", "=");
    assert!(src.starts_with("/admin/templates/frame?"), "{src}");
    let frame = browser.get(&src).await;
    assert_eq!(frame.status(), 200, "{src}");
    let csp = frame.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("sandbox")
            && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(
        csp.contains("img-src https: data:") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
    assert_eq!(frame.headers()["x-frame-options"], "SAMEORIGIN");
    let html = frame.text().await.unwrap();
    assert!(
        html.contains("Rucksack") && !html.contains("<script>"),
        "{html}"
    );
    assert!(
        html.contains("<!DOCTYPE html>") || html.contains("<!doctype html>"),
        "{html}"
    );

    // No contact: the locale's sample contact, with the real product.
    let page = browser
        .page("/admin/templates?template=back-in-stock&locale=sv-SE&sku=SKU-1")
        .await;
    assert!(
        page.contains("Kånken") && page.contains("Hej Astrid!"),
        "{page}"
    );

    // What cannot be previewed says why, with the form kept.
    let missing = browser
        .get("/admin/templates?template=back-in-stock&locale=sv-SE&sku=NOPE-9")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let page = missing.text().await.unwrap();
    assert!(
        page.contains("the sv-SE feed has no product with SKU NOPE-9"),
        "{page}"
    );
    assert!(page.contains("value=\"NOPE-9\""), "{page}");
    let stranger = browser
        .get("/admin/templates?locale=sv-SE&sku=SKU-1&contact=nobody%40example.com")
        .await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    assert!(stranger
        .text()
        .await
        .unwrap()
        .contains("no contact with the email address nobody@example.com"));
    assert_eq!(app.outbox().await.len(), 0, "a preview sends nothing");
}

crate::on_both_backends!(a_preview_shows_the_feeds_product_escaped_and_frames_it_sandboxed);

#[tokio::test]
async fn a_template_that_does_not_compile_is_refused_with_its_line_and_nothing_is_written() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let path = templates_dir(&app).join(TEXT);
    let original = std::fs::read_to_string(&path).unwrap();
    let generation = app.templates.as_ref().unwrap().status().generation;

    let response = save(
        &browser,
        TEXT,
        "Hej!\n\n{{#if product.name}}\nnever closed\n",
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("Not saved"), "{page}");
    assert!(
        page.contains("<code>sv-SE/back-in-stock.txt.hbs</code>, line "),
        "the file and line:\n{page}"
    );

    let response = save(&browser, TEXT, "Hej {{shout contact.email}}\n").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("no helper named &quot;shout&quot;"), "{page}");
    assert!(page.contains("line 1, column 5"), "{page}");

    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "unchanged"
    );
    assert!(kept(&templates_dir(&app), TEXT).is_empty(), "no history");
    assert_eq!(
        app.templates.as_ref().unwrap().status().generation,
        generation
    );
    assert!(
        !page.contains("restock-template-check"),
        "the check's copy is never named"
    );
}

#[tokio::test]
async fn a_saved_template_is_written_kept_and_used_by_the_next_email() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let path = templates_dir(&app).join(TEXT);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = format!("EDITED-IN-THE-CONSOLE {{{{quantity}}}}\n{original}");

    let response = save(&browser, TEXT, &edited).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Saved and live") && page.contains("The previous text is kept as version"),
        "{page}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    let history = kept(&templates_dir(&app), TEXT);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].1, original, "the replaced text is kept");
    let link = format!(
        "href=\"/admin/templates/diff?file={TEXT}&amp;version={}\"",
        history[0].0
    );
    assert!(page.contains(&link), "listed with a diff link: {page}");

    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 7, "locale": "sv-SE"}]))
        .await;
    app.delivery.run_pending().await.unwrap();
    let sent = emails(&app);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("EDITED-IN-THE-CONSOLE 7"), "{}", sent[0]);
}

/// Makes `dir` and everything in it unwritable even for root (`chattr +i`), undone on
/// drop; `None` (with a note) where neither that nor `chmod` can.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn make(dir: &Path) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let guard = ReadOnly(dir.to_owned());
        if tempfile::tempfile_in(dir).is_ok() {
            let made = std::process::Command::new("chattr")
                .args(["-R", "+i"])
                .arg(dir)
                .status();
            if !made.is_ok_and(|s| s.success()) || tempfile::tempfile_in(dir).is_ok() {
                crate::helpers::announce_skip(
                    "read-only templates folder",
                    "this user can write into a 0555 folder and chattr +i is not available",
                );
                return None;
            }
        }
        Some(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::process::Command::new("chattr")
            .args(["-R", "-i"])
            .arg(&self.0)
            .status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[tokio::test]
async fn a_read_only_templates_folder_is_said_and_saving_is_refused() {
    let files = tempfile::tempdir().unwrap();
    let dir = files.path().join("templates");
    crate::binary::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &dir,
    );
    let Some(_read_only) = ReadOnly::make(&dir) else {
        return;
    };
    let templates = dir.clone();
    let app = shop(Backend::sqlite())
        .config(move |c| c.templates_dir = templates)
        .spawn()
        .await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/templates").await;
    assert!(
        page.contains("Read-only: this server cannot write into"),
        "{page}"
    );
    let editor = browser
        .page(&format!("/admin/templates/edit?file={TEXT}"))
        .await;
    assert!(
        editor.contains("saving is off") && !editor.contains("id=\"save\""),
        "{editor}"
    );
    let original = std::fs::read_to_string(dir.join(TEXT)).unwrap();
    let response = save(&browser, TEXT, "Hej\n").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Not saved: this server cannot write"));
    assert_eq!(std::fs::read_to_string(dir.join(TEXT)).unwrap(), original);
}

#[tokio::test]
async fn the_history_diffs_a_template_and_restore_brings_it_back_keeping_the_replaced_one() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let dir = templates_dir(&app);
    let original = std::fs::read_to_string(dir.join(TEXT)).unwrap();
    let edited = original.replacen("Goda nyheter", "Fantastiska <nyheter> & mer", 1);
    assert_ne!(edited, original);
    assert_eq!(save(&browser, TEXT, &edited).await.status(), 200);
    let version = kept(&dir, TEXT)[0].0.clone();

    let page = browser
        .page(&format!(
            "/admin/templates/diff?file={TEXT}&version={version}"
        ))
        .await;
    assert!(page.contains("<table class=\"diff\">"), "{page}");
    let removed = "<tr class=\"del\"><td class=\"num\">3</td><td class=\"num\"></td><td class=\"sign\">-</td><td><code>Goda nyheter:";
    assert!(
        page.contains(removed),
        "the kept line 3, removed since:\n{page}"
    );
    let added = "<tr class=\"add\"><td class=\"num\"></td><td class=\"num\">3</td><td class=\"sign\">+</td><td><code>Fantastiska &lt;nyheter&gt; &amp; mer:";
    assert!(page.contains(added), "the current line 3, escaped:\n{page}");
    assert!(page.contains("−1</span> lines only in version"), "{page}");
    assert!(
        !page.contains("<tr class=\"same\"><td class=\"num\">16<"),
        "only context lines"
    );

    // Restore needs the confirmation box.
    let form = [("file", TEXT), ("version", version.as_str())];
    let response = browser.post_form("/admin/templates/restore", &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(std::fs::read_to_string(dir.join(TEXT)).unwrap(), edited);

    let form = [
        ("file", TEXT),
        ("version", version.as_str()),
        ("confirm", "yes"),
    ];
    let response = browser.post_form("/admin/templates/restore", &form).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&format!("Restored version {version}")),
        "{page}"
    );
    assert_eq!(std::fs::read_to_string(dir.join(TEXT)).unwrap(), original);
    let history = kept(&dir, TEXT);
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[1].1, edited, "the replaced text is kept in turn");
    assert!(
        page.contains("The text it replaced is kept as version"),
        "{page}"
    );

    // The live set is the restored one.
    let preview = browser
        .page("/admin/templates?template=back-in-stock&locale=sv-SE&sku=SKU-1")
        .await;
    assert!(preview.contains("Goda nyheter") && !preview.contains("Fantastiska"));

    // A version that is not kept, or a path out of the folder: refused.
    let form = [
        ("file", TEXT),
        ("version", "20000101T000000.000Z"),
        ("confirm", "yes"),
    ];
    let response = browser.post_form("/admin/templates/restore", &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let form = [
        ("file", "../rules/everyone.yaml"),
        ("version", version.as_str()),
        ("confirm", "yes"),
    ];
    let response = browser.post_form("/admin/templates/restore", &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_broken_version_is_not_restored() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let dir = templates_dir(&app);
    // A history entry that no longer loads (a helper since removed, say).
    let broken = "Hej {{gone_helper contact.email}}\n";
    std::fs::create_dir_all(dir.join(".history/sv-SE")).unwrap();
    let version = "20261201T100000.000Z";
    std::fs::write(dir.join(format!(".history/{TEXT}.{version}")), broken).unwrap();
    let current = std::fs::read_to_string(dir.join(TEXT)).unwrap();
    let form = [("file", TEXT), ("version", version), ("confirm", "yes")];
    let response = browser.post_form("/admin/templates/restore", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Not restored") && page.contains("no helper named &quot;gone_helper&quot;"),
        "{page}"
    );
    assert_eq!(std::fs::read_to_string(dir.join(TEXT)).unwrap(), current);
    assert_eq!(kept(&dir, TEXT).len(), 1, "nothing new kept");
}

const CHEAP: &str = "id: cheap\nname: Cheap things\npriority: 5\nwhen: product.price < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";

#[tokio::test]
async fn a_rules_file_has_the_same_history_diff_and_restore() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let rules = app.files.path().join("rules");
    let form = |text: &'static str| [("file", "cheap.yaml"), ("text", text), ("action", "save")];
    assert_eq!(
        browser
            .post_form("/admin/automations/edit", &form(CHEAP))
            .await
            .status(),
        200
    );
    let cheaper = "id: cheap\nname: Cheaper things\npriority: 5\nwhen: product.price < 50\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
    let page = browser
        .post_form("/admin/automations/edit", &form(cheaper))
        .await
        .text()
        .await
        .unwrap();
    let history = kept(&rules, "cheap.yaml");
    assert_eq!(history.len(), 1);
    let version = &history[0].0;
    let link = format!("href=\"/admin/automations/diff?file=cheap.yaml&amp;version={version}\"");
    assert!(
        page.contains(&link),
        "the editor lists it with a diff link:\n{page}"
    );
    assert!(
        page.contains(&format!("<td class=\"num\">{}</td>", CHEAP.len())),
        "its size"
    );

    let diff = browser
        .page(&format!(
            "/admin/automations/diff?file=cheap.yaml&version={version}"
        ))
        .await;
    assert!(
        diff.contains("<td class=\"sign\">-</td><td><code>name: Cheap things</code>"),
        "{diff}"
    );
    assert!(
        diff.contains("<td class=\"sign\">+</td><td><code>when: product.price &lt; 50</code>"),
        "{diff}"
    );

    let restore = [
        ("file", "cheap.yaml"),
        ("version", version.as_str()),
        ("confirm", "yes"),
    ];
    let response = browser
        .post_form("/admin/automations/restore", &restore)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        std::fs::read_to_string(rules.join("cheap.yaml")).unwrap(),
        CHEAP
    );
    let history = kept(&rules, "cheap.yaml");
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].1, cheaper, "the replaced text is kept in turn");
    let live = app.call(Method::GET, "/api/v3/automations").await;
    assert!(live.to_string().contains("Cheap things"), "{live}");
}

#[tokio::test]
async fn the_live_check_loads_the_set_with_the_text_and_says_where_it_breaks() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let path = templates_dir(&app).join(TEXT);
    let original = std::fs::read_to_string(&path).unwrap();
    let check = |file: &'static str, text: &'static str| {
        browser
            .request(Method::POST, "/admin/templates/check")
            .json(&json!({"file": file, "text": text}))
            .send()
    };
    let body: Value = check(TEXT, "Hej!\n\n{{#if product.name}}\nnever closed\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["problems"][0]["file"], TEXT, "{body}");
    assert!(body["problems"][0]["line"].is_u64(), "{body}");
    let body: Value = check(TEXT, "Hej {{shout contact.email}}\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let problem = &body["problems"][0];
    assert_eq!(
        (&problem["line"], &problem["column"]),
        (&json!(1), &json!(5)),
        "{body}"
    );
    assert!(problem["message"]
        .as_str()
        .unwrap()
        .contains("no helper named \"shout\""));
    let body: Value = check(TEXT, "Hej {{default product.name \"du\"}}!\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(
        body["summary"],
        "No problems: the templates load with this text."
    );
    let outside = check("../restock.yaml", "x").await.unwrap();
    assert_eq!(outside.status(), 400);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "a check writes nothing"
    );
    let page = browser
        .page(&format!("/admin/templates/edit?file={TEXT}"))
        .await;
    assert!(
        page.contains("data-check-url=\"/admin/templates/check\"")
            && page.contains("id=\"gutter\""),
        "the editor asks for the live check: {page}"
    );
}

#[tokio::test]
async fn cross_site_saves_and_restores_are_refused() {
    let app = shop_with_templates(Backend::sqlite()).await;
    let browser = signed_in(&app).await;
    let dir = templates_dir(&app);
    let original = std::fs::read_to_string(dir.join(TEXT)).unwrap();
    for (path, form) in [
        (
            "/admin/templates/edit",
            vec![("file", TEXT), ("text", "pwned"), ("action", "save")],
        ),
        (
            "/admin/templates/restore",
            vec![
                ("file", TEXT),
                ("version", "20261201T100000.000Z"),
                ("confirm", "yes"),
            ],
        ),
        (
            "/admin/templates/check",
            vec![("file", TEXT), ("text", "x")],
        ),
        (
            "/admin/automations/restore",
            vec![
                ("file", "everyone.yaml"),
                ("version", "20261201T100000.000Z"),
                ("confirm", "yes"),
            ],
        ),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", app.address))
            .header("cookie", browser.cookie.clone().unwrap())
            .header("sec-fetch-site", "cross-site")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(std::fs::read_to_string(dir.join(TEXT)).unwrap(), original);
    assert!(kept(&dir, TEXT).is_empty());
    // And without a session, not even the preview's frame.
    let anonymous = Browser::new(&app);
    let response = anonymous
        .get("/admin/templates/frame?locale=sv-SE&sku=SKU-1")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
