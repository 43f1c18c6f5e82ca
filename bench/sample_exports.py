#!/usr/bin/env python3
"""Writes the sample CRM exports (deterministic; rerun to regenerate).

examples/hubspot-contacts.csv and examples/salesforce-leads.csv hold 2027, the
year of examples/agreement.toml and examples/events.ndjson. The getting-started
guide's sample, docs/getting-started/sample-contacts.csv, is the same contacts
52 weeks earlier (2026, so that it is history on the day a reader follows the
guide, for an agreement written with `init --starts 2026-01-01`). Weekdays and
hours are the same in both, so business-time clocks agree. The 2027 files also
carry a Segment column (enterprise, mid-market, smb), the attribute the
example agreement's segments and first-touch promises read.

Usage: python3 bench/sample_exports.py
       python3 scripts/examples/hubspot_activities.py   # the activities of both
"""
import csv
import datetime as dt
import random

rng = random.Random(2027)
sources = ["Organic Search", "Paid Social", "Email Marketing", "Referrals", "Direct Traffic", "Offline Sources"]
owners = ["Ava Chen", "Ben Okafor", "Carla Diaz", "Dev Patel", "Emma Rossi", "Finn Walsh", "Grace Kim", "Hugo Blanc"]
companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka", "Tyrell"]
start_2026 = dt.datetime(2026, 1, 5, 8, 0)
start = start_2026 + dt.timedelta(weeks=52)


def when(base, days_min, days_max):
    return base + dt.timedelta(days=rng.randint(days_min, days_max), minutes=rng.randint(0, 600))


def segment(i):
    """A lead's segment, from its own seed (the other columns' draws stay as they were)."""
    return random.Random(i).choice(["enterprise", "mid-market", "mid-market", "smb"])


def hubspot_contacts(path, start, segments):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Record ID", "First Name", "Last Name", "Email", "Company Name", "Create Date", "Lifecycle Stage",
                    "Became a Lead Date", "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
                    "Became an Opportunity Date", "Became a Customer Date", "Original Source", "Contact owner", "Lead Status"]
                   + (["Segment"] if segments else []))
        for i in range(300):
            created = when(start, 0, 300)
            stages = []
            t = created
            lifecycle = "lead"
            dates = {}
            dates["lead"] = created
            for stage, p in [("marketingqualifiedlead", 0.55), ("salesqualifiedlead", 0.45), ("opportunity", 0.6), ("customer", 0.35)]:
                if rng.random() < p:
                    t = when(t, 0, 20)
                    dates[stage] = t
                    lifecycle = stage
                else:
                    break
            fmt = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
            company = rng.choice(companies)
            w.writerow([str(5000 + i), f"First{i}", f"Last{i}", f"person{i}@{company.lower()}.example", company, fmt(created), lifecycle,
                        fmt(dates.get("lead")), fmt(dates.get("marketingqualifiedlead")), fmt(dates.get("salesqualifiedlead")),
                        fmt(dates.get("opportunity")), fmt(dates.get("customer")), rng.choice(sources), rng.choice(owners),
                        rng.choice(["New", "Open", "In Progress", "Connected", "Unqualified"])]
                       + ([segment(i)] if segments else []))

for path, begins, segments in [("docs/getting-started/sample-contacts.csv", start_2026, False),
                               ("examples/hubspot-contacts.csv", start, True)]:
    rng.seed(2027)
    hubspot_contacts(path, begins, segments)

with open("examples/salesforce-leads.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Lead ID", "First Name", "Last Name", "Company", "Email", "Lead Status", "Lead Source", "Lead Owner",
                "Rating", "Created Date", "Converted", "Converted Date", "Segment"])
    for i in range(250):
        created = when(start, 0, 300)
        converted = rng.random() < 0.3
        conv_date = when(created, 1, 40) if converted else None
        company = rng.choice(companies)
        status = "Closed - Converted" if converted else rng.choice(["Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"])
        fmt = lambda d: f"{d.month}/{d.day}/{d.year} {d.strftime('%I:%M %p')}" if d else ""
        w.writerow([f"00Q5e00000{i:05d}", f"First{i}", f"Last{i}", company, f"lead{i}@{company.lower()}.example", status,
                    rng.choice(["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show"]),
                    rng.choice(owners), rng.choice(["Hot", "Warm", "Cold"]), fmt(created), "true" if converted else "false", fmt(conv_date),
                    segment(10000 + i)])
