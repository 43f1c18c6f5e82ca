#!/usr/bin/env python3
"""Writes examples/hubspot-activities.csv: the calls, e-mails and meetings
sales logged on the contacts of examples/hubspot-contacts.csv, as HubSpot's
activities export lays them out, so follow-up can be measured from files;
and the same for the getting-started guide's sample
(docs/getting-started/sample-contacts.csv, 52 weeks earlier).

Deterministic (a fixed seed): running it again writes the same file.
Most MQLs are touched within a few business hours by their owner, some take
days, some are never touched; a few rows are tasks and notes (not touches).

    python3 scripts/examples/hubspot_activities.py
"""

import csv
import datetime as dt
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAIRS = [
    (ROOT / "examples" / "hubspot-contacts.csv", ROOT / "examples" / "hubspot-activities.csv"),
    (
        ROOT / "docs" / "getting-started" / "sample-contacts.csv",
        ROOT / "docs" / "getting-started" / "sample-activities.csv",
    ),
]


def main() -> None:
    for contacts, out in PAIRS:
        write(contacts, out)


def write(CONTACTS: pathlib.Path, OUT: pathlib.Path) -> None:
    rng = random.Random(18)
    rows = []
    next_id = 90000
    with CONTACTS.open(newline="") as f:
        for c in csv.DictReader(f):
            mql = c["Became a Marketing Qualified Lead Date"].strip()
            if not mql:
                continue
            at = dt.datetime.strptime(mql, "%Y-%m-%d %H:%M")
            roll = rng.random()
            if roll < 0.12:
                continue  # never touched
            if roll < 0.70:
                delay = dt.timedelta(minutes=rng.randint(5, 180))
            elif roll < 0.90:
                delay = dt.timedelta(hours=rng.randint(4, 30))
            else:
                delay = dt.timedelta(days=rng.randint(2, 9))
            kinds = ["CALL", "EMAIL", "MEETING"]
            first = at + delay
            for n in range(rng.choice([1, 1, 2, 3])):
                kind = kinds[0] if n == 0 and rng.random() < 0.6 else rng.choice(kinds)
                when = first + dt.timedelta(days=2 * n, minutes=rng.randint(0, 90) * n)
                rows.append((next_id, when, kind, c["Record ID"], c["Contact owner"]))
                next_id += 1
            if rng.random() < 0.1:
                when = first + dt.timedelta(hours=1)
                rows.append((next_id, when, rng.choice(["TASK", "NOTE"]), c["Record ID"], c["Contact owner"]))
                next_id += 1
    rows.sort(key=lambda r: (r[1], r[0]))
    with OUT.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Activity ID", "Activity date", "Activity type", "Associated Contact IDs", "Activity assigned to"])
        for i, when, kind, contact, owner in rows:
            w.writerow([i, when.strftime("%Y-%m-%d %H:%M"), kind, contact, owner])


if __name__ == "__main__":
    main()
