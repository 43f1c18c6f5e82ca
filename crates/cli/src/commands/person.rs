//! `handshake person add|import|list|remove`: the people directory. Rows
//! and flags are parsed by the core; a row with a problem is reported with
//! its CSV row number and the good rows beside it are kept; a party the
//! active agreement lacks is refused.

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::alerts::people::Person;
use handshake_server::setup::{read_people_csv, unknown_party};

use crate::cli::{Global, PersonCommand};

/// The active agreement's party ids, when one is applied.
async fn parties(
    store: &handshake_store::Store,
    ws: &handshake_store::Workspace,
) -> anyhow::Result<Option<Vec<String>>> {
    Ok(store
        .latest_agreement(ws)
        .await?
        .map(|a| a.parties.iter().map(|p| p.id.to_string()).collect()))
}

pub async fn person(global: &Global, cmd: PersonCommand) -> anyhow::Result<ExitCode> {
    let (store, ws) = super::store::open(global).await?;
    let parties = parties(&store, &ws).await?;
    match cmd {
        PersonCommand::Add {
            owner_id,
            name,
            party,
            email,
            slack,
            manager,
            calendar,
            time_zone,
            quiet_hours,
            away,
        } => {
            let text = |o: &Option<String>| o.clone().unwrap_or_default();
            let (email, slack, manager, calendar, time_zone, quiet_hours) = (
                text(&email),
                text(&slack),
                text(&manager),
                text(&calendar),
                text(&time_zone),
                text(&quiet_hours),
            );
            let person = Person::from_fields(|f| match f {
                "owner_id" => owner_id.as_str(),
                "name" => name.as_str(),
                "party" => party.as_str(),
                "email" => email.as_str(),
                "slack" => slack.as_str(),
                "manager" => manager.as_str(),
                "calendar" => calendar.as_str(),
                "time_zone" => time_zone.as_str(),
                "quiet_hours" => quiet_hours.as_str(),
                "status" => {
                    if away {
                        "away"
                    } else {
                        "active"
                    }
                }
                _ => "",
            })
            .map_err(|problems| anyhow::anyhow!(problems.join("; ")))?;
            if let Some(problem) = unknown_party(&person, parties.as_deref()) {
                anyhow::bail!(problem);
            }
            let new = store.put_people(&ws, std::slice::from_ref(&person)).await?;
            eprintln!(
                "{} {person} in workspace \"{}\"",
                if new == 1 { "added" } else { "replaced" },
                ws.as_str()
            );
        }
        PersonCommand::Import { file } => {
            let name = file.display().to_string();
            let text = std::fs::read(&file).with_context(|| format!("cannot read {name}"))?;
            let read = read_people_csv(&text, parties.as_deref())
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            for (at, p) in &read.problems {
                eprintln!("{name}: row {at}: {p}");
            }
            let (good, bad) = (read.people, read.refused);
            let new = store.put_people(&ws, &good).await?;
            eprintln!(
                "{name}: {} people imported ({new} new, {} replaced), {bad} rows refused",
                good.len(),
                good.len() - new
            );
            if bad > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        PersonCommand::List => {
            let people = store.people(&ws).await?;
            let mut out = String::new();
            for p in &people {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    p.owner_id,
                    p.name,
                    p.party,
                    p.email.as_deref().unwrap_or("-"),
                    p.manager.as_deref().unwrap_or("-"),
                    p.quiet_hours
                        .map_or_else(|| "-".to_string(), |q| format!("quiet {q}")),
                    p.presence.as_str()
                ));
            }
            let lacking: Vec<String> = store
                .event_owners(&ws)
                .await?
                .into_iter()
                .filter(|o| !people.iter().any(|p| &p.owner_id == o))
                .collect();
            if !lacking.is_empty() {
                out.push_str(&format!(
                    "\nnamed by events but not in the directory (their alerts have nowhere to go): {}\n",
                    lacking.join(", ")
                ));
            }
            if people.is_empty() && lacking.is_empty() {
                eprintln!(
                    "no one in workspace \"{}\" yet; add people with `handshake person add` or `handshake person import FILE.csv`",
                    ws.as_str()
                );
            }
            super::emit(&out);
        }
        PersonCommand::Remove { owner_id } => {
            if !store.remove_person(&ws, &owner_id).await? {
                eprintln!(
                    "workspace \"{}\" has no person \"{owner_id}\"; `handshake person list` shows them",
                    ws.as_str()
                );
                return Ok(ExitCode::from(1));
            }
            eprintln!("removed \"{owner_id}\" from workspace \"{}\"", ws.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}
