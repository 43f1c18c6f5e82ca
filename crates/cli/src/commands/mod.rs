//! One module per command; each parses its input, calls the core or the
//! store, and prints. Commands that touch the store run on a tokio runtime.

mod calendar;
mod channel;
mod check;
mod demo;
mod drill;
mod import;
mod init;
mod person;
mod plan;
mod report;
mod store;
mod token;

use anyhow::Context;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Writes `text` to stdout; a reader that went away (`| head`) ends the
/// program quietly instead of with a panic.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Runs the chosen command; `Err` means it could not run at all (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = cli.global;
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Init(args) => init::run(&global, &args),
        Command::Calendar(cmd) => calendar::run(cmd),
        Command::Serve {
            bind,
            demo,
            secure_cookies,
            max_connections,
            trusted_proxy,
            public_url,
            crm_record_url,
            delivery_lease,
            hubspot_secret_file,
            hubspot_stage_map,
            deal_currency,
            hubspot_score_property,
            salesforce_org_id,
            hubspot_token_file,
            hubspot_token_env,
            hubspot_api,
            salesforce_token_file,
            salesforce_token_env,
            salesforce_instance,
            writeback_every,
        } => {
            let url = |u: &str, flag: &str| {
                handshake_core::alerts::channel::parse_url(u).with_context(|| flag.to_string())
            };
            use handshake_core::alerts::channel::SecretSource;
            let source = |file: Option<std::path::PathBuf>, var: Option<String>| {
                file.map(SecretSource::File).or(var.map(SecretSource::Env))
            };
            let salesforce_token = source(salesforce_token_file, salesforce_token_env);
            if salesforce_instance.is_some() && salesforce_token.is_none() {
                anyhow::bail!(
                    "--salesforce-instance needs the token too: --salesforce-token-file FILE or --salesforce-token-env VARIABLE"
                );
            }
            let writeback = handshake_server::WriteBackSettings {
                hubspot: source(hubspot_token_file, hubspot_token_env)
                    .map(|token| -> anyhow::Result<_> {
                        Ok(handshake_server::CrmTarget {
                            base: url(&hubspot_api, "--hubspot-api")?,
                            token,
                        })
                    })
                    .transpose()?,
                salesforce: match (salesforce_token, salesforce_instance) {
                    (Some(token), Some(instance)) => Some(handshake_server::CrmTarget {
                        base: url(&instance, "--salesforce-instance")?,
                        token,
                    }),
                    _ => None,
                },
                every: std::time::Duration::from_secs(writeback_every),
            };
            if let Some(org) = &salesforce_org_id
                && !(matches!(org.len(), 15 | 18)
                    && org.starts_with("00D")
                    && org.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                anyhow::bail!(
                    "--salesforce-org-id {org:?} is not an organisation id; expected 15 or 18 letters and digits starting 00D (Setup > Company Information)"
                );
            }
            let hubspot_stages = handshake_core::hubspot::StageMap::parse(
                hubspot_stage_map.as_deref().unwrap_or_default(),
            )
            .map_err(|e| anyhow::anyhow!("--hubspot-stage-map: {e}"))?
            .with_score_property(hubspot_score_property);
            handshake_core::event::Money::check_currency(&deal_currency.to_ascii_uppercase())
                .map_err(|e| anyhow::anyhow!("--deal-currency: {e}"))?;
            let settings = handshake_server::Settings {
                secure_cookies,
                limits: handshake_server::Limits {
                    max_connections,
                    ..handshake_server::Limits::default()
                },
                trusted_proxies: trusted_proxy,
                public_url: public_url
                    .map(|u| handshake_core::alerts::channel::parse_url(&u))
                    .transpose()
                    .context("--public-url")?,
                crm_record_url: crm_record_url
                    .map(|u| handshake_core::lead::RecordUrl::parse(&u))
                    .transpose()
                    .context("--crm-record-url")?,
                salesforce_org: salesforce_org_id,
                writeback,
                deal_terms: hubspot_stages.deal_terms(&deal_currency),
                hubspot_stages,
                hubspot_secret: hubspot_secret_file
                    .map(handshake_core::alerts::channel::SecretSource::File),
                delivery: handshake_server::DeliverySettings {
                    lease: std::time::Duration::from_secs(delivery_lease),
                    ..handshake_server::DeliverySettings::default()
                },
            };
            store::runtime()?.block_on(store::serve(&global, &bind, demo, settings))
        }
        Command::Demo(args) => store::runtime()?.block_on(demo::run(&global, &args)),
        Command::Apply { file } => store::runtime()?.block_on(store::apply(&global, &file)),
        Command::Agreement(cmd) => store::runtime()?.block_on(store::agreement(&global, cmd)),
        Command::Token(cmd) => store::runtime()?.block_on(token::token(&global, cmd)),
        Command::Channel(cmd) => store::runtime()?.block_on(channel::channel(&global, cmd)),
        Command::Person(cmd) => store::runtime()?.block_on(person::person(&global, cmd)),
        Command::Report(args) => store::runtime()?.block_on(report::report(&global, &args)),
        Command::Whatif {
            draft,
            range,
            format,
        } => store::runtime()?.block_on(report::whatif(&global, &draft, &range, &format)),
        Command::Plan(args) => plan::run(&global, &args),
        Command::Import(args) => store::runtime()?.block_on(import::run(&global, &args)),
        Command::Events { file } => store::runtime()?.block_on(store::events(&global, &file)),
    }
}
