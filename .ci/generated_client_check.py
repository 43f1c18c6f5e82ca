"""Calls every endpoint of a live Handshake server through the client generated from its
OpenAPI document, and checks that each answer is the documented status parsed into the
documented model. BASE and TOKEN come from the environment (.ci/live-server)."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time

from handshake_client import AuthenticatedClient, Client
from handshake_client.api.engine import clocks, scorecard, whatif
from handshake_client.api.events import batch, hubspot, one, salesforce, salesforce_cdc
from handshake_client.api.leads import lead
from handshake_client.api.operations import healthz, readyz
from handshake_client.api.planner import plan
from handshake_client.api.tokens import create, list_, revoke
import handshake_client.api.channels.add
import handshake_client.api.channels.list_
import handshake_client.api.channels.remove
import handshake_client.api.channels.resume
import handshake_client.api.channels.test
import handshake_client.api.people.import_
import handshake_client.api.people.list_
import handshake_client.api.people.put
import handshake_client.api.people.remove
from handshake_client.api import channels, people
from handshake_client.models import (
    BatchAnswer, ChannelDoc, ChannelList, ClocksPage, ClocksState, CreatedToken, EventDoc, Health,
    HookAnswer, ImportAnswer, LeadAnswer, NewChannelDoc, NewTokenDoc, OneAnswer, PeopleList, PersonDoc,
    PlanOut, PlanRequest, Ready, Report, TestAnswer, TokenList, WhatIf,
)
from handshake_client.types import File

BASE, TOKEN = os.environ["BASE"], os.environ["TOKEN"]
client = AuthenticatedClient(base_url=BASE, token=TOKEN, raise_on_unexpected_status=True)
called = []


def expect(name, response, status, model):
    assert response.status_code == status, f"{name}: {response.status_code} {response.content!r}"
    if model is not None:
        assert isinstance(response.parsed, model), f"{name}: parsed {type(response.parsed)}"
    called.append(name)
    return response.parsed


expect("healthz", healthz.sync_detailed(client=Client(base_url=BASE)), 200, Health)
expect("readyz", readyz.sync_detailed(client=Client(base_url=BASE)), 200, Ready)

event = EventDoc.from_dict({
    "id": "gen-1", "type": "lead.created", "lead_id": "L-gen",
    "occurred_at": "2027-01-12T15:00:00Z", "attributes": {"segment": "enterprise"},
})
expect("events.one", one.sync_detailed(client=client, body=event), 201, OneAnswer)
again = expect("events.one again", one.sync_detailed(client=client, body=event), 200, OneAnswer)
assert again.status == "duplicate"

ndjson = (
    b'{"id":"gen-2","type":"lead.stage_changed","lead_id":"L-gen","occurred_at":"2027-01-12T15:00:00Z","stage":"mql"}\n'
    b'not json\n'
)
answer = expect("events.batch", batch.sync_detailed(client=client, body=File(payload=ndjson)), 200, BatchAnswer)
assert (answer.accepted, len(answer.rejected), answer.rejected[0].line) == (1, 1, 2), answer

# A HubSpot webhook delivery, signed as HubSpot signs it (v3), through the same client.
delivery = json.dumps([{"eventId": 7001, "subscriptionType": "contact.creation", "objectId": 9001,
                        "occurredAt": 1799000000000, "portalId": 1, "attemptNumber": 0}]).encode()
stamp = str(int(time.time() * 1000))
uri = f"{BASE}/api/v1/hooks/hubspot/default"
signature = base64.b64encode(hmac.new(os.environ["HUBSPOT_SECRET"].encode(),
                                      b"POST" + uri.encode() + delivery + stamp.encode(),
                                      hashlib.sha256).digest()).decode()
hubspot_client = Client(base_url=BASE).with_headers(
    {"X-HubSpot-Request-Timestamp": stamp, "X-HubSpot-Signature-v3": signature})
hooked = expect("events.hubspot", hubspot.sync_detailed("default", client=hubspot_client,
                                                        body=File(payload=delivery)), 200, HookAnswer)
assert (hooked.accepted, hooked.duplicates) == (1, 0), hooked
refused = hubspot.sync_detailed("default", client=Client(base_url=BASE), body=File(payload=delivery))
assert refused.status_code == 401, refused

# A Salesforce Outbound Message from the server's organisation: acknowledged.
message = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">
  <OrganizationId>00D5e000000abcdEAA</OrganizationId>
  <Notification><Id>04l5e00000GEN01</Id>
   <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
    <sf:Id>00Q5e00000GEN01</sf:Id><sf:CreatedDate>2027-01-12T15:00:00.000Z</sf:CreatedDate>
   </sObject></Notification>
 </notifications></soapenv:Body></soapenv:Envelope>"""
acked = salesforce.sync_detailed("default", client=Client(base_url=BASE), body=File(payload=message))
assert acked.status_code == 200 and b"<Ack>true</Ack>" in acked.content, acked
called.append("events.salesforce")
foreign = salesforce.sync_detailed("default", client=Client(base_url=BASE),
                                   body=File(payload=message.replace(b"00D5e000000abcdEAA", b"00D5e000000zzzzEAA")))
assert foreign.status_code == 403, foreign

# Salesforce Change Data Capture, as a relay posts it with a token.
change = json.dumps({"ChangeEventHeader": {"entityName": "Lead", "recordIds": ["00Q5e00000GEN02"],
                                           "changeType": "CREATE", "transactionKey": "gen-1",
                                           "sequenceNumber": 1, "commitTimestamp": 1799000000000,
                                           "changedFields": []}}).encode()
changed = expect("events.salesforce_cdc", salesforce_cdc.sync_detailed(client=client, body=File(payload=change)), 200, HookAnswer)
assert (changed.accepted, changed.duplicates) == (1, 0), changed

got = expect("leads.lead", lead.sync_detailed("L-gen", client=client), 200, LeadAnswer)
assert len(got.timeline) == 2 and got.state.stage == "mql", got

march = datetime.datetime(2027, 3, 1, tzinfo=datetime.timezone.utc)
report = expect("engine.scorecard", scorecard.sync_detailed(client=client, period="2027-01", as_of=march), 200, Report)
assert report.period == "2027-01" and report.agreement.version == 1, report
assert any(g.id == "mql-volume" for g in report.goals)

page = expect("engine.clocks", clocks.sync_detailed(client=client, state=ClocksState.ALL, as_of=march, limit=2), 200, ClocksPage)
seen = list(page.clocks)
while isinstance(page.next_, str):
    page = expect("engine.clocks next", clocks.sync_detailed(
        client=client, state=ClocksState.ALL, as_of=march, limit=2, cursor=page.next_), 200, ClocksPage)
    seen.extend(page.clocks)
assert len(seen) > 2 and any(c.lead == "L-gen" for c in seen), [c.lead for c in seen]

with open("examples/agreement.toml", "rb") as f:
    draft = f.read().replace(b"target = 400", b"target = 2", 1)
both = expect("engine.whatif", whatif.sync_detailed(client=client, body=File(payload=draft), period="2027-01", as_of=march), 200, WhatIf)
assert both.active.agreement.version == 1 and not isinstance(both.draft.agreement.version, int)

request = PlanRequest.from_dict({
    "goal": "2000000 USD", "horizon": "2027", "deal_size": 20000, "lead_to_mql": "20%",
    "mql_to_sql": "50%", "sql_to_opportunity": "50%", "opportunity_to_won": "25%", "cycle": 61,
})
planned = expect("planner.plan", plan.sync_detailed(client=client, body=request), 200, PlanOut)
assert planned.months_in_horizon == 12 and planned.totals.mqls > 0

person = PersonDoc.from_dict({"name": "Gen Rep", "party": "sales", "email": "gen@northwind.example",
                               "quiet_hours": "20:00-08:00"})
put = expect("people.put", people.put.sync_detailed("rep-gen", client=client, body=person), 201, PersonDoc)
assert put.owner_id == "rep-gen" and put.quiet_hours == "20:00-08:00", put
csv = b"owner_id,name,party\nrep-csv,Csv Rep,sales\nrep bad,Bad,sales\n"
imported = expect("people.import", people.import_.sync_detailed(client=client, body=File(payload=csv)), 200, ImportAnswer)
assert (imported.imported, imported.refused, imported.problems[0].row) == (1, 1, 3), imported
directory = expect("people.list", people.list_.sync_detailed(client=client), 200, PeopleList)
assert [p.owner_id for p in directory.people] == ["rep-csv", "rep-gen"], directory
expect("people.remove", people.remove.sync_detailed("rep-csv", client=client), 204, None)

added = expect("channels.add", channels.add.sync_detailed(
    client=client, body=NewChannelDoc.from_dict({"name": "gen-log", "log": True, "per_minute": 30})), 201, ChannelDoc)
assert (added.kind, added.per_minute, added.health) == ("log", 30, "ok"), added
listed_channels = expect("channels.list", channels.list_.sync_detailed(client=client), 200, ChannelList)
assert [c.name for c in listed_channels.channels] == ["gen-log"], listed_channels
tested = expect("channels.test", channels.test.sync_detailed("gen-log", client=client), 200, TestAnswer)
assert tested.accepted and len(tested.delivery) == 32, tested
expect("channels.resume", channels.resume.sync_detailed("gen-log", client=client), 204, None)
expect("channels.remove", channels.remove.sync_detailed("gen-log", client=client), 204, None)

made = expect("tokens.create", create.sync_detailed(client=client, body=NewTokenDoc(name="generated")), 201, CreatedToken)
assert made.token.startswith("hs_" + made.id) and made.role == "member"
listed = expect("tokens.list", list_.sync_detailed(client=client), 200, TokenList)
assert [t.name for t in listed.tokens] == ["ci", "generated"]
expect("tokens.revoke", revoke.sync_detailed(made.id, client=client), 204, None)
member = AuthenticatedClient(base_url=BASE, token=made.token)
assert healthz.sync_detailed(client=member).status_code == 200
assert lead.sync_detailed("L-gen", client=member).status_code == 401, "a revoked token stops at once"

endpoints = {op for op in called if " " not in op}
print(f"generated client: {len(endpoints)} endpoints called, {len(called)} calls, every answer as documented")
print(f"{len(called)} passed, 0 failed")
sys.exit(0)
