//! `handshake person add|import|list|remove`: the people directory. Rows
//! and flags are parsed by the core; a row with a problem is reported with
//! its CSV row number and the good rows beside it are kept; a party the
//! active agreement lacks is refused.

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::alerts::people::{COLUMNS, Person};

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

/// A party check: `None` when the person's party is one of the agreement's.
fn unknown_party(p: &Person, parties: Option<&Vec<String>>) -> Option<String> {
    let known = parties?;
    (!known.contains(&p.party)).then(|| {
        format!(
            "party {:?}: the agreement's parties are {}",
            p.party,
            known.join(", ")
        )
    })
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
            if let Some(problem) = unknown_party(&person, parties.as_ref()) {
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
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(&file)
                .with_context(|| format!("cannot read {name}"))?;
            let headers: Vec<String> = reader
                .headers()
                .with_context(|| format!("{name}: no header row"))?
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            let missing: Vec<&str> = ["owner_id", "name", "party"]
                .into_iter()
                .filter(|c| !headers.iter().any(|h| h == c))
                .collect();
            anyhow::ensure!(
                missing.is_empty(),
                "{name}: no column {}; expected the columns {}",
                missing.join(", "),
                COLUMNS.join(",")
            );
            let (mut good, mut bad) = (Vec::new(), 0);
            for (i, row) in reader.records().enumerate() {
                // Row 1 is the header.
                let at = i + 2;
                let row = match row {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("{name}: row {at}: {e}");
                        bad += 1;
                        continue;
                    }
                };
                let cell = |f: &str| {
                    headers
                        .iter()
                        .position(|h| h == f)
                        .and_then(|i| row.get(i))
                        .unwrap_or("")
                };
                let person = Person::from_fields(cell).and_then(|p| {
                    match unknown_party(&p, parties.as_ref()) {
                        Some(problem) => Err(vec![problem]),
                        None => Ok(p),
                    }
                });
                match person {
                    Ok(p) => good.push(p),
                    Err(problems) => {
                        for p in problems {
                            eprintln!("{name}: row {at}: {p}");
                        }
                        bad += 1;
                    }
                }
            }
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
