//! `[agreement]` and `[parties]`: the head of the file and who is bound.

use toml::de::DeValue;

use super::super::model::*;
use super::{Parser, capitalise};
use crate::toml_read::{Span, Table, Value};

impl Parser<'_> {
    #[allow(clippy::type_complexity)]
    pub(super) fn head(
        &mut self,
        t: Table<'_, '_>,
    ) -> Option<(
        String,
        String,
        Effective,
        Zone,
        Option<Review>,
        Option<String>,
    )> {
        self.r.keys(
            t,
            &[
                "name",
                "summary",
                "effective",
                "time_zone",
                "review",
                "ideal_customer_profile",
            ],
            "[agreement]",
        );
        let name = self.req_string(
            t,
            "name",
            "[agreement]",
            "\"Acme sales and marketing SLA 2027\"",
        );
        let summary = self.req_string(
            t,
            "summary",
            "[agreement]",
            "a sentence on what each side promises",
        );
        let effective = self
            .r
            .req(
                t,
                "effective",
                "[agreement]",
                "{ from = \"2027-01-01\", to = \"2027-12-31\" }",
            )
            .and_then(|v| self.effective(v));
        let time_zone = self
            .r
            .req(t, "time_zone", "[agreement]", "\"America/New_York\"")
            .and_then(|v| self.zone(v));
        let review = self.r.get(t, "review").and_then(|v| {
            let rt = self.r.table(v, "review", "{ every = \"quarter\" }")?;
            self.r.keys(rt, &["every"], "review");
            let every = self
                .r
                .req(rt, "every", "review", "\"month\", \"quarter\" or \"year\"")?;
            Some(Review {
                every: self.period(every, "review every")?,
            })
        });
        let icp = self.opt_string(t, "ideal_customer_profile");
        Some((name?, summary?, effective?, time_zone?, review, icp))
    }

    pub(super) fn effective(&mut self, v: &Value<'_>) -> Option<Effective> {
        let t = self.r.table(
            v,
            "effective",
            "{ from = \"2027-01-01\", to = \"2027-12-31\" }",
        )?;
        self.r.keys(t, &["from", "to"], "effective");
        let from = self
            .r
            .req(t, "from", "effective", "\"2027-01-01\"")
            .and_then(|v| self.date(v, "effective from"));
        let to_value = self.r.get(t, "to");
        let to = to_value.and_then(|v| self.date(v, "effective to"));
        if let (Some(from), Some(to), Some(v)) = (from, to, to_value)
            && to < from
        {
            self.r.error(
                Span::of(v),
                format!("effective to {to} is before effective from {from}"),
                format!("a date on or after {from}"),
            );
        }
        Some(Effective { from: from?, to })
    }

    pub(super) fn party(&mut self, id: String, _span: Span, v: &Value<'_>) -> Option<Party> {
        let what = format!("party \"{id}\"");
        let t = self.r.table(v, &what, "a table with contact and needs")?;
        self.r
            .keys(t, &["name", "role", "contact", "contacts", "needs"], &what);
        let name = self
            .opt_string(t, "name")
            .unwrap_or_else(|| capitalise(&id));
        let role = self.opt_string(t, "role");
        let mut contacts = Vec::new();
        let contact_value = self
            .r
            .get(t, "contact")
            .or_else(|| self.r.get(t, "contacts"));
        match contact_value {
            None => self.r.error(t.span, format!("{what} has no contact"), "contact = { name = \"Dana Ortiz\", email = \"dana@acme.example\", role = \"VP Marketing\" }"),
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        contacts.extend(self.contact(item, &what));
                    }
                }
                _ => contacts.extend(self.contact(v, &what)),
            },
        }
        let needs = match self.r.get(t, "needs") {
            Some(v) => self
                .r
                .strings(v, "needs", "a list of strings")
                .into_iter()
                .map(|s| s.text.to_string())
                .collect(),
            None => Vec::new(),
        };
        Some(Party {
            id: PartyId(id),
            name,
            role,
            contacts,
            needs,
        })
    }

    pub(super) fn contact(&mut self, v: &Value<'_>, party: &str) -> Option<Contact> {
        let what = format!("contact of {party}");
        let t = self.r.table(
            v,
            &what,
            "{ name = \"Dana Ortiz\", email = \"dana@acme.example\", role = \"VP Marketing\" }",
        )?;
        self.r.keys(t, &["name", "email", "role"], &what);
        let name = self.req_string(t, "name", &what, "\"Dana Ortiz\"");
        let email = self
            .r
            .req(t, "email", &what, "\"dana@acme.example\"")
            .and_then(|v| {
                let s = self.r.string(v, "email", "an e-mail address")?;
                let ok = s.text.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty()
                        && host.contains('.')
                        && !host.starts_with('.')
                        && !host.ends_with('.')
                });
                if !ok {
                    self.r.error(
                        s.span,
                        format!("\"{}\" is not an e-mail address", s.text),
                        "an address like dana@acme.example",
                    );
                    return None;
                }
                Some(s.text.to_string())
            });
        let role = self.opt_string(t, "role");
        Some(Contact {
            name: name?,
            email: email?,
            role,
        })
    }
}
