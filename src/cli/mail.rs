//! `restock mail check` and `restock mail send-test`: try the configured transport from
//! the command line, before (or without) starting the server.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use uuid::Uuid;

use crate::config::Config;
use crate::plugins::email::{test_message, Mailer, Sender};
use crate::plugins::Outcome;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Connect to the configured transport as a send would (SMTP: connect, EHLO, STARTTLS
    /// and login as configured; file: write to the mail folder), without sending; exits
    /// non-zero with the cause when it does not work.
    Check,
    /// Send one test message through the configured transport (the file transport writes
    /// the .eml and prints its path).
    SendTest(SendTestArgs),
}

#[derive(Args)]
pub struct SendTestArgs {
    /// The recipient: `someone@example.com` or `Name <someone@example.com>`.
    #[arg(long)]
    to: String,
}

/// Reports on stdout what worked, or `error: …` on stderr with a non-zero exit (a bad
/// `mail.*` setting or `--to` included).
pub async fn run(config: &Config, command: &MailCommand) -> anyhow::Result<ExitCode> {
    let mailer = match Mailer::from_config(&config.mail) {
        Ok(mailer) => mailer,
        Err(err) => return Ok(fail(&err.to_string())),
    };
    let transport = mailer.health().status().transport;
    Ok(match command {
        MailCommand::Check => match mailer.check().await {
            Ok(()) => {
                println!("the {transport} mail transport works");
                ExitCode::SUCCESS
            }
            Err(cause) => fail(&cause),
        },
        MailCommand::SendTest(args) => send_test(config, &mailer, &args.to).await,
    })
}

async fn send_test(config: &Config, mailer: &Mailer, to: &str) -> ExitCode {
    let id = Uuid::now_v7();
    let message = Sender::parse(&config.mail.from, config.mail.reply_to.as_deref())
        .and_then(|sender| test_message(&sender, to, id));
    let message = match message {
        Ok(message) => message,
        Err(err) => return fail(&err.to_string()),
    };
    match mailer.send_unrecorded(id, message).await {
        Outcome::Done => {
            match mailer.eml_path(id) {
                Some(path) => println!("wrote the test message to {}", path.display()),
                None => println!("sent the test message to {to} over SMTP"),
            }
            ExitCode::SUCCESS
        }
        Outcome::Unavailable(cause) => fail(&cause),
        Outcome::Transient(cause) => fail(&format!(
            "the server deferred the message, try again later: {cause}"
        )),
        Outcome::Permanent(cause) => fail(&format!("the server refused the message: {cause}")),
    }
}

fn fail(cause: &str) -> ExitCode {
    eprintln!("error: {cause}");
    ExitCode::FAILURE
}
