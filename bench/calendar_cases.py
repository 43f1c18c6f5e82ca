#!/usr/bin/env python3
"""Writes N mixed `handshake calendar eval` cases to stdout (deterministic).

Usage: python3 bench/calendar_cases.py 5000 > /tmp/cases.csv
       time handshake calendar eval /tmp/cases.csv > /dev/null
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
rng = random.Random(7)
calendars = [
    ("America/New_York", "mon-fri 09:00-17:00", "2026-11-26|2026-12-25|2026-12-24@09:00-12:00"),
    ("Europe/Berlin", "mon-thu 08:30-12:30,13:30-17:30; fri 08:30-14:00", "2026-12-25|2026-12-26"),
    ("Asia/Kolkata", "mon-sat 09:30-18:30", "2026-10-20"),
    ("Pacific/Auckland", "mon-fri 08:00-16:30", ""),
    ("America/New_York", "mon-sun 22:00-06:00", ""),
    ("UTC", "24x7", ""),
]
print("case_id,tz,hours,holidays,start,op,arg")
for i in range(n):
    tz, hours, holidays = rng.choice(calendars)
    day = rng.randrange(1, 28)
    month = rng.randrange(1, 13)
    start = f"2026-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
    if rng.random() < 0.5:
        print(f'{i},{tz},"{hours}",{holidays},{start},add,{rng.randrange(0, 5000)}')
    else:
        end = f"2027-{month:02d}-{day:02d}T{rng.randrange(24):02d}:00:00Z"
        print(f'{i},{tz},"{hours}",{holidays},{start},elapsed,{end}')
