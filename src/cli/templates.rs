//! `restock templates render NAME --locale L --sku S --contact C`: the email a contact
//! would get, rendered from the real feed and contact, without sending anything.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use uuid::Uuid;

use crate::config::Config;
use crate::domain::{Locale, Sku};
use crate::plugins::email::{preview, PreviewContact, PreviewRequest};
use crate::startup::{build_engine, connect_store, load_templates, unsubscribe_key};

#[derive(Args)]
pub struct RenderArgs {
    /// The template name rules use, e.g. back-in-stock.
    name: String,
    #[arg(long)]
    locale: String,
    #[arg(long)]
    sku: String,
    /// The contact's id.
    #[arg(long)]
    contact: Uuid,
    /// The stock level to show as `quantity`.
    #[arg(long, default_value_t = 1)]
    quantity: i64,
}

pub async fn render(config: &Config, args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let locale = Locale::parse(&args.locale).map_err(|e| anyhow::anyhow!("--locale {e}"))?;
    let sku = Sku::parse(&args.sku).map_err(|e| anyhow::anyhow!("--sku {e}"))?;
    let templates = load_templates(config)?.with_context(|| {
        format!(
            "templates_dir {} does not exist",
            config.templates_dir.display()
        )
    })?;
    let store = connect_store(config).await?;
    let engine = build_engine(config, store.clone())?;
    let key = unsubscribe_key(config)?;
    let request = PreviewRequest {
        name: &args.name,
        locale: &locale,
        sku: sku.as_str(),
        contact: PreviewContact::Stored(args.contact),
        quantity: args.quantity,
    };
    let public_url = config.public_url.trim_end_matches('/');
    let rendered = preview(
        &request,
        &templates.current(),
        engine.catalog(),
        &*store,
        (&key, public_url),
    )
    .await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Subject: {}", rendered.subject)?;
    writeln!(out, "Locale used: {}\n", rendered.locale_used)?;
    writeln!(out, "--- text ---\n{}", rendered.text)?;
    writeln!(out, "--- html ---\n{}", rendered.html)?;
    Ok(ExitCode::SUCCESS)
}
