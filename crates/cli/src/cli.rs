//! The command line: every command, option and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Handshake: the sales and marketing SLA engine.
///
/// The agreement between marketing and sales lives in a TOML file; Handshake
/// checks it, explains it, and answers the business-time questions its
/// guarantees ask.
#[derive(Debug, Parser)]
#[command(name = "handshake", version, propagate_version = true)]
#[command(
    after_help = "Start here:\n  handshake serve --demo          # a demo company, its dashboard at http://127.0.0.1:8080\n  handshake check --explain examples/agreement.toml"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Where Handshake keeps its data: a file path (handshake.db, ./data/x.db) or a URL
    /// (sqlite://FILE, postgres://USER@HOST/DB).
    #[arg(
        long,
        global = true,
        env = "HANDSHAKE_DB",
        default_value = "sqlite://handshake.db"
    )]
    pub db: String,

    /// The workspace (tenant) every command acts in.
    #[arg(
        long,
        global = true,
        env = "HANDSHAKE_WORKSPACE",
        default_value = "default"
    )]
    pub workspace: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write your own agreement from a few answers: asks in the terminal, or takes flags.
    #[command(
        after_help = "Examples:\n  handshake init                      # asks each question in the terminal\n  handshake init --yes --company \"Acme\" \\\n    --marketing-contact \"Dana Reyes <dana@acme.example>\" \\\n    --sales-contact \"Sam Lee <sam@acme.example>\" \\\n    --office \"new-york|America/New_York|mon-fri 09:00-17:00|US-NY\" \\\n    --segment \"enterprise|1 business hour|segment=Enterprise\" \\\n    --segment \"smb|1 business day|segment=SMB,Mid-Market\" \\\n    --mql-target 400 --cancel-after 3\n  handshake init --revenue-goal \"2000000 USD\" --deal-size 25000 ...   # the planner sizes the MQL goal\n  handshake init --from-crm contacts.csv --preset hubspot ...        # suggests stages and segments\n\nThe file passes `handshake check`; init prints it in plain words and, with --apply (or a\nyes at the prompt), makes it the workspace's agreement. Without a terminal, or with --yes,\nnothing is asked: a missing answer is an error naming its flag. See docs/getting-started.md."
    )]
    Init(Box<InitArgs>),

    /// Check an agreement file: every error at once, each with file:line:col.
    #[command(
        after_help = "Examples:\n  handshake check examples/agreement.toml\n  handshake check --explain examples/agreement.toml > AGREEMENT.md\n\nExit status: 0 valid (warnings allowed), 1 errors found, 2 could not run."
    )]
    Check(CheckArgs),

    /// Run the dashboard and the HTTP API: takes lead events in, shows the scorecard.
    #[command(
        after_help = "Examples:\n  handshake serve --demo\n  handshake serve\n  handshake serve --bind 0.0.0.0:8080 --db postgres://handshake@db/handshake\n\nThe dashboard is at http://ADDRESS/ (sign in with a token); the API is described at\nhttp://ADDRESS/api/v1/docs. With --demo an empty store is filled with the demo company\nfirst, and a sign-in token is printed. Stop with Ctrl-C."
    )]
    Serve {
        /// The address to listen on (port 0 picks a free one).
        #[arg(long, env = "HANDSHAKE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the demo company when the workspace is empty, and print a sign-in token.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (HTTPS only). Set it behind a TLS proxy; without it they are
        /// Secure only when the proxy sends X-Forwarded-Proto: https. See docs/deployment.md.
        #[arg(long, env = "HANDSHAKE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Connections served at once; more wait in the listen backlog. Keep it under `ulimit -n`.
        #[arg(long, env = "HANDSHAKE_MAX_CONNECTIONS", default_value_t = 4096)]
        max_connections: usize,
        /// A reverse proxy's address whose X-Forwarded-For names the client (repeat, or
        /// comma-separate); failed sign-ins are then counted per real client, not per proxy.
        #[arg(long, env = "HANDSHAKE_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// The dashboard's address as people reach it, e.g. https://handshake.example.com: alerts
        /// link to lead pages under it. Without it they link to the listening address.
        #[arg(long, env = "HANDSHAKE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Where a lead's CRM record opens, with {id} for its record id, e.g.
        /// https://app.hubspot.com/contacts/PORTAL/record/0-1/{id}: the lists behind each number
        /// link every lead to it.
        #[arg(long, env = "HANDSHAKE_CRM_RECORD_URL", value_name = "URL")]
        crm_record_url: Option<String>,
        /// Seconds a server holds the notifications it claimed before another server may send
        /// them: the longest a notification waits after a server dies mid-delivery.
        #[arg(long, env = "HANDSHAKE_DELIVERY_LEASE", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        delivery_lease: u64,
        /// A file holding the HubSpot app's client secret: HubSpot's webhook deliveries to
        /// /api/v1/hooks/hubspot/WORKSPACE are then accepted when their v3 signature matches
        /// (docs/events.md). Without it that endpoint answers 404.
        #[arg(long, env = "HANDSHAKE_HUBSPOT_SECRET_FILE")]
        hubspot_secret_file: Option<PathBuf>,
        /// The portal's custom lifecycle stages as HubSpot sends them, each with the agreement's
        /// stage: "1234567=mql,7654321=sql". The standard ones (marketingqualifiedlead, ...)
        /// need no entry. A custom deal pipeline's closed stages map to won or lost:
        /// "9001=won,9002=lost" (closedwon and closedlost need no entry).
        #[arg(long, env = "HANDSHAKE_HUBSPOT_STAGE_MAP")]
        hubspot_stage_map: Option<String>,
        /// The contact property HubSpot deliveries carry the lead's score in, when the portal
        /// scores with a property of its own (default: HubSpot's own hubspotscore).
        #[arg(
            long,
            env = "HANDSHAKE_HUBSPOT_SCORE_PROPERTY",
            value_name = "PROPERTY"
        )]
        hubspot_score_property: Option<String>,
        /// The currency of CRM deal amounts that name none (HubSpot deals without
        /// deal_currency_code, Salesforce opportunities without CurrencyIsoCode): the CRM's
        /// company currency, ISO 4217.
        #[arg(long, env = "HANDSHAKE_DEAL_CURRENCY", default_value = "USD")]
        deal_currency: String,
        /// The Salesforce organisation id (00D..., 15 or 18 characters) whose Outbound Messages
        /// to /api/v1/hooks/salesforce/WORKSPACE are taken (docs/events.md). Without it that
        /// endpoint answers 404.
        #[arg(long, env = "HANDSHAKE_SALESFORCE_ORG_ID")]
        salesforce_org_id: Option<String>,
        /// A file holding a HubSpot private app's access token (scope crm.objects.contacts.write):
        /// each HubSpot contact's clock is then written back to its handshake_* properties
        /// (docs/integrations.md). Read at each round, never logged.
        #[arg(
            long,
            env = "HANDSHAKE_HUBSPOT_TOKEN_FILE",
            conflicts_with = "hubspot_token_env"
        )]
        hubspot_token_file: Option<PathBuf>,
        /// The name of an environment variable holding the HubSpot access token (instead of
        /// --hubspot-token-file), e.g. HUBSPOT_TOKEN.
        #[arg(long, value_name = "VARIABLE")]
        hubspot_token_env: Option<String>,
        /// HubSpot's API address, for the write-back (a test stand-in, a proxy).
        #[arg(long, env = "HANDSHAKE_HUBSPOT_API", default_value = handshake_server::HUBSPOT_API)]
        hubspot_api: String,
        /// A file holding a Salesforce OAuth access token: each Salesforce Lead's clock is then
        /// written back to its Handshake_*__c fields (docs/integrations.md). Needs
        /// --salesforce-instance. Read at each round, never logged.
        #[arg(
            long,
            env = "HANDSHAKE_SALESFORCE_TOKEN_FILE",
            requires = "salesforce_instance",
            conflicts_with = "salesforce_token_env"
        )]
        salesforce_token_file: Option<PathBuf>,
        /// The name of an environment variable holding the Salesforce access token (instead of
        /// --salesforce-token-file). Needs --salesforce-instance.
        #[arg(long, value_name = "VARIABLE", requires = "salesforce_instance")]
        salesforce_token_env: Option<String>,
        /// The Salesforce org's instance address, e.g. https://acme.my.salesforce.com.
        #[arg(long, env = "HANDSHAKE_SALESFORCE_INSTANCE")]
        salesforce_instance: Option<String>,
        /// The least seconds between two write-back rounds (each sends only what changed).
        #[arg(long, env = "HANDSHAKE_WRITEBACK_EVERY", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        writeback_every: u64,
    },

    /// Generate a realistic demo company into the store, under the example agreement.
    #[command(
        after_help = "Examples:\n  handshake demo\n  handshake demo --seed 42 --leads 100000 --db sqlite://big.db\n\nTwelve months of Northwind Cloud ending now: seven lead sources of different quality,\nenterprise and mid-market segments with New York and Berlin office hours and holidays, eight\nreps with their habits (rep-ava is fast, rep-carlos slow, rep-hugo ignores SMB leads),\nrejections, recycled leads, opportunities and deals. The same --seed, --leads and --as-of\ngive the same events; loading them twice stores nothing new. The example goals are sized\nfor the default 12,000 leads."
    )]
    Demo(DemoArgs),

    /// Store a new version of the agreement, after checking it.
    #[command(
        after_help = "Example:\n  handshake apply examples/agreement.toml\n  applied examples/agreement.toml as version 1 of workspace \"default\"\n\nThe file is checked first (as `handshake check`); nothing is stored when it has errors.\nAn alert step naming a channel the workspace lacks is a warning: its alerts wait in the\noutbox until `handshake channel add` sets the channel up (see docs/alerts.md)."
    )]
    Apply {
        /// The agreement file (TOML).
        file: PathBuf,
    },

    /// List the stored agreement versions, or show one.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  handshake agreement list\n  handshake agreement show 2 > agreement-v2.toml"
    )]
    Agreement(AgreementCommand),

    /// Manage API tokens.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  handshake token create --name hubspot-webhook\n  handshake token list\n  handshake token revoke 3f9a0c1b2d4e"
    )]
    Token(TokenCommand),

    /// Where alerts go: signed JSON webhooks and Slack incoming webhooks (docs/alerts.md).
    #[command(
        after_help = "Examples:\n  handshake channel add ops --webhook https://hooks.example/x --secret-file ops.secret\n  handshake channel add sales-room --slack https://hooks.slack.com/services/T000/B000/XXXX\n  handshake channel list\n  handshake channel test ops\n  handshake channel remove ops"
    )]
    #[command(subcommand)]
    Channel(ChannelCommand),

    /// Who is who: the people alerts reach, keyed by the CRM's owner ids (docs/alerts.md).
    #[command(
        after_help = "Examples:\n  handshake person add rep-ava --name \"Ava Chen\" --party sales --email ava@northwind.example --manager rep-lead\n  handshake person import people.csv\n  handshake person list\n  handshake person remove rep-ava"
    )]
    #[command(subcommand)]
    Person(PersonCommand),

    /// Load events from an NDJSON file (or - for stdin), with the API's validation and summary.
    #[command(
        after_help = "Example:\n  handshake events examples/events.ndjson\n  {\"accepted\":120,\"duplicates\":0,\"rejected\":[]}\n\nEach line is one event (docs/events.md). A bad line is reported with its number and does not cost the others.\nExit status: 0 when every line was stored or a duplicate, 1 when some were rejected."
    )]
    Events {
        /// The NDJSON file, or - for stdin.
        file: String,
    },

    /// Report on the agreement: guarantees, goals, streaks and findings for a period.
    #[command(
        after_help = "Examples:\n  handshake report                      (this month, as of now)\n  handshake report --period 2027-Q1 --format md\n  handshake report --period 2027-W05      (an ISO week, Monday to Sunday)\n  handshake report --period 2027-01 --goal mql-volume --format csv   (the leads behind a number)\n  handshake report --from 2027-01-01 --to 2027-04-01 --as-of 2027-04-01T00:00:00Z --format json\n\nThe JSON is documented in docs/report.md. The agreement is the latest applied version.\nWith --goal, the rows add up to the number: their count is the count, a rate's denominator or a median's cases."
    )]
    Report(ReportArgs),

    /// Evaluate a draft agreement against the same events, side by side with the active one.
    #[command(
        after_help = "Examples:\n  handshake whatif draft.toml --period 2027-Q1\n  handshake whatif draft.toml --period 2027-Q1 --format json > evidence.json\n\nThe draft is checked first; nothing is stored. Rates show one decimal; a duration goal's\nactual is in its target's unit. JSON is {\"active\": report, \"draft\": report} (docs/report.md)."
    )]
    Whatif {
        /// The draft agreement (TOML).
        draft: PathBuf,
        #[command(flatten)]
        range: RangeArgs,
        /// Output format.
        #[arg(long, default_value = "table", value_parser = ["table", "json", "md"])]
        format: String,
    },

    /// Plan the funnel: leads, MQLs, SQLs and opportunities needed per month for a revenue goal.
    #[command(
        after_help = "Examples:\n  handshake plan --goal \"2000000 USD\" --horizon 2027 --deal-size 20000 --share 50% \\\n    --lead-to-mql 20% --mql-to-sql 50% --sql-to-opp 50% --opp-to-won 25% --cycle 60\n  handshake plan plan.toml --emit-goals >> agreement.toml\n  handshake plan --goal \"2000000 USD\" --horizon 2027 --from-history --window 6m --pace\n\nThe math, worked by hand, is in docs/planner.md."
    )]
    Plan(Box<PlanArgs>),

    /// Import a CRM export (CSV) as events: HubSpot and Salesforce presets, or a mapping file.
    #[command(
        after_help = "Examples:\n  handshake import examples/hubspot-contacts.csv --preset hubspot\n  handshake import examples/hubspot-activities.csv --preset hubspot-activities\n  handshake import leads.csv --preset salesforce --tz America/Chicago\n  handshake import people.csv --mapping pipedrive.toml\n\nEvent ids are SOURCE:RECORD:FIELD, so importing the same export twice creates nothing new.\nDates read off a snapshot (\"Became an MQL Date\") become events marked inferred.\nRows that cannot be read go to FILE.rejects.csv beside the input, with their line and reason.\nExit status: 0 when every row was imported, 1 when some were rejected. See docs/events.md."
    )]
    Import(ImportArgs),

    /// Business-time arithmetic: deadlines and elapsed time in a business calendar.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  handshake calendar add --tz America/New_York --hours 'mon-fri 09:00-17:00' --start 2026-11-20T16:00:00-05:00 --duration 4h\n  handshake calendar eval cases.csv > results.csv"
    )]
    Calendar(CalendarCommand),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The agreement file (TOML).
    pub file: PathBuf,

    /// Print the agreement in plain language, ready to paste into a wiki.
    #[arg(long)]
    pub explain: bool,

    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// A calendar given on the command line.
#[derive(Debug, Args)]
pub struct CalendarSpec {
    /// IANA time zone, e.g. America/New_York.
    #[arg(long)]
    pub tz: String,

    /// Weekly hours, e.g. "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00" or "24x7".
    #[arg(long)]
    pub hours: String,

    /// Holidays separated by |, e.g. "2026-12-25|2026-12-24@09:00-12:00" (a partial day).
    #[arg(long, default_value = "")]
    pub holidays: String,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// When is it due? The start plus a business duration.
    #[command(
        after_help = "Example:\n  handshake calendar add --tz America/New_York --hours 'mon-fri 09:00-17:00' \\\n    --start 2026-11-20T16:00:00-05:00 --duration 4h30m\n  2026-11-23T12:30:00-05:00"
    )]
    Add {
        #[command(flatten)]
        calendar: CalendarSpec,
        /// The start instant, RFC 3339 (e.g. 2026-11-20T16:00:00-05:00).
        #[arg(long)]
        start: String,
        /// Business time to add: 4h30m, 90m, 45s.
        #[arg(long)]
        duration: String,
    },

    /// How much business time passed between two instants?
    #[command(
        after_help = "Example:\n  handshake calendar elapsed --tz Europe/Berlin --hours 'mon-fri 09:00-17:00' \\\n    --start 2026-11-20T16:00:00+01:00 --end 2026-11-23T10:00:00+01:00\n  2h"
    )]
    Elapsed {
        #[command(flatten)]
        calendar: CalendarSpec,
        /// The start instant, RFC 3339.
        #[arg(long)]
        start: String,
        /// The end instant, RFC 3339.
        #[arg(long)]
        end: String,
    },

    /// Answer many cases from a CSV file (or - for stdin); one result row per case.
    #[command(
        after_help = "Input columns (with a header): case_id,tz,hours,holidays,start,op,arg\n  op add:     arg is whole minutes; result is an RFC 3339 instant with the calendar's offset\n  op elapsed: arg is the end instant; result is whole minutes (floored)\nOutput: case_id,result; a bad row gives `case_id,error: <reason>` and the rest go on.\n\nExample:\n  printf 'case_id,tz,hours,holidays,start,op,arg\\n1,America/New_York,mon-fri 09:00-17:00,,2026-03-06T16:00:00-05:00,add,120\\n' \\\n    | handshake calendar eval -\n  case_id,result\n  1,2026-03-09T10:00:00-04:00"
    )]
    Eval {
        /// The CSV file, or - for stdin.
        file: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// List every stored version: number, name, when applied.
    List,
    /// Print the file of one version, as applied.
    Show {
        /// The version number.
        #[arg(value_name = "VERSION")]
        number: i64,
    },
    /// What changed between two versions: items added, removed and changed field by field.
    #[command(
        after_help = "Examples:\n  handshake agreement diff 1 2\n  goal mql-volume: target 400 → 450\n  handshake agreement diff 1 2 --text     # the lines, as in diff -u"
    )]
    Diff {
        /// The older version.
        from: i64,
        /// The newer version.
        to: i64,
        /// The line diff of the files instead.
        #[arg(long)]
        text: bool,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Any number: the same seed gives the same company.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Leads over the twelve months.
    #[arg(long, default_value_t = handshake_core::demo::DEFAULT_LEADS)]
    pub leads: usize,
    /// The demo's "now" (RFC 3339); default the current time.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person, or replace the one with that owner id.
    #[command(
        after_help = "Example:\n  handshake person add rep-ava --name \"Ava Chen\" --party sales --email ava@northwind.example --slack U024BE7LH --manager rep-lead --time-zone America/New_York --quiet-hours 20:00-08:00"
    )]
    Add {
        /// The owner id the CRM writes on leads, e.g. rep-ava.
        owner_id: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// The party of the agreement they belong to, e.g. sales.
        #[arg(long)]
        party: String,
        /// Their e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Their Slack member id, e.g. U024BE7LH.
        #[arg(long)]
        slack: Option<String>,
        /// Their manager's owner id.
        #[arg(long)]
        manager: Option<String>,
        /// Their own calendar, one of the agreement's.
        #[arg(long)]
        calendar: Option<String>,
        /// Their time zone, e.g. America/New_York.
        #[arg(long)]
        time_zone: Option<String>,
        /// When Slack and e-mail messages to them wait (HH:MM-HH:MM in their zone), e.g. 20:00-08:00.
        #[arg(long, value_name = "HH:MM-HH:MM")]
        quiet_hours: Option<String>,
        /// Mark them away: their alerts go to their manager.
        #[arg(long)]
        away: bool,
    },
    /// Add or replace people from a CSV with the columns owner_id, name, email, slack, party, manager, calendar, time_zone, quiet_hours, status.
    #[command(
        after_help = "Example:\n  handshake person import people.csv\n\nA row with a problem is reported with its row number and not imported; the good rows beside it are. status is active (or empty) or away; quiet_hours is HH:MM-HH:MM in the person's zone (e.g. 20:00-08:00) or empty."
    )]
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// List the directory, then the owners the events name that it lacks.
    #[command(after_help = "Example:\n  handshake person list")]
    List,
    /// Remove a person by owner id.
    #[command(after_help = "Example:\n  handshake person remove rep-ava")]
    Remove {
        /// The owner id.
        owner_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// Add a channel: a JSON webhook (every delivery signed with the secret), a Slack incoming webhook, e-mail over SMTP, or the server's log.
    #[command(
        group(clap::ArgGroup::new("target").required(true).args(["webhook", "slack", "email", "log"])),
        after_help = "Examples:\n  handshake channel add ops --webhook https://hooks.example/x --secret-file ops.secret\n  handshake channel add ops --webhook https://hooks.example/x --secret-env OPS_WEBHOOK_SECRET\n  handshake channel add sales-room --slack https://hooks.slack.com/services/T000/B000/XXXX\n  handshake channel add mail --email smtps://alerts@mail.example.com:465 --from alerts@northwind.example --secret-file smtp.pass\n  handshake channel add relay --email smtp://127.0.0.1:25 --from alerts@northwind.example\n  handshake channel add try-out --log\n\nThe secret is never stored: the channel keeps where to read it, and the server that delivers reads it there. A receiver checks each delivery's Handshake-Signature header as docs/alerts.md shows."
    )]
    Add {
        /// The channel's name: lowercase letters, digits and dashes, e.g. ops or sales-room.
        name: String,
        /// A receiver's URL for signed JSON POSTs.
        #[arg(long, requires = "secret")]
        webhook: Option<String>,
        /// A Slack incoming webhook URL (Block Kit messages).
        #[arg(long, conflicts_with_all = ["secret_file", "secret_env"])]
        slack: Option<String>,
        /// An SMTP server for e-mail to each recipient's address: smtps://USER@HOST:465,
        /// smtp://USER@HOST:587?tls=required (STARTTLS), or smtp://HOST:25 (a relay, no TLS). The
        /// password, if any, comes from --secret-file or --secret-env.
        #[arg(long, requires = "from")]
        email: Option<String>,
        /// The sender of e-mail, e.g. alerts@northwind.example or "Handshake <alerts@northwind.example>".
        #[arg(long, requires = "email")]
        from: Option<String>,
        /// Write each notification to the log of the server that delivers it (to try a ladder out).
        #[arg(long, conflicts_with_all = ["secret_file", "secret_env"])]
        log: bool,
        /// A file whose content is the webhook's signing secret.
        #[arg(long, group = "secret")]
        secret_file: Option<PathBuf>,
        /// An environment variable of the server that holds the signing secret.
        #[arg(long, group = "secret")]
        secret_env: Option<String>,
        /// At most this many sends a minute, by all servers together; more wait for the next
        /// minute. Default 60 for Slack (its limit of one a second), none for the others.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        per_minute: Option<u32>,
    },
    /// List the workspace's channels: name, kind, URL (a Slack URL's host only), where the secret is read, rate limit and health.
    #[command(
        after_help = "Example:\n  handshake channel list\n\nHealth is ok, failing (refused attempts in a row, since when) or suspended: a channel whose receiver refused 10 attempts in a row over 6 hours is suspended, and its notifications wait until `handshake channel resume NAME`."
    )]
    List,
    /// Resume a suspended channel: its waiting notifications are tried at once.
    #[command(
        after_help = "Example:\n  handshake channel test ops\n  handshake channel resume ops\n\nFix the receiver first (`channel test` says what it answers)."
    )]
    Resume {
        /// The channel's name.
        name: String,
    },
    /// Remove a channel by name.
    #[command(after_help = "Example:\n  handshake channel remove ops")]
    Remove {
        /// The channel's name.
        name: String,
    },
    /// Send one test delivery to a channel (signed, for a webhook) and say what the receiver answered.
    #[command(
        after_help = "Example:\n  handshake channel test ops\n\nExits 0 when the receiver answers 2xx, 1 otherwise."
    )]
    Test {
        /// The channel's name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for the workspace; it is printed once and stored only hashed.
    #[command(
        after_help = "Examples:\n  handshake token create --name hubspot-webhook\n  handshake token create --name ops --role admin --expires 90d\n  handshake token create --name contractor --expires 2027-03-31T23:59:59Z\n\nThe token is printed once on stdout; only its hash is stored."
    )]
    Create {
        /// A name that says who uses it, e.g. hubspot-webhook.
        #[arg(long)]
        name: String,
        /// admin may also list, create and revoke tokens (over the API too); member may not.
        #[arg(long, value_parser = ["admin", "member"], default_value = "member")]
        role: String,
        /// When it stops working: a span from now (90d, 12h, "2 weeks") or an RFC 3339 instant.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the workspace's tokens: id, name, role, created, expires, state. Never a secret.
    #[command(after_help = "Example:\n  handshake token list")]
    List,
    /// Revoke a token by its id: it fails at its next request on every server, and its dashboard sessions end.
    #[command(
        after_help = "Example:\n  handshake token list\n  handshake token revoke 3f9a0c1b2d4e\n\nThe id is the part after hs_ and before the second _ (as `token list` shows it)."
    )]
    Revoke {
        /// The token's public id (12 hex digits).
        id: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("layout").required(true).args(["preset", "mapping"])))]
pub struct ImportArgs {
    /// The CSV export.
    pub file: PathBuf,
    /// The export's layout: hubspot (contacts export), hubspot-activities (calls, e-mails and
    /// meetings: touches of the contacts), salesforce (leads export, reports and Data Loader),
    /// pipelinedeals (people export) or activedemand (contacts export, with MQL and SQL dates).
    #[arg(long, value_parser = ["hubspot", "hubspot-activities", "salesforce", "pipelinedeals", "activedemand"])]
    pub preset: Option<String>,
    /// A mapping file (TOML) for any other layout; see docs/events.md.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// The time zone of dates written without an offset (default: the mapping's, else UTC).
    #[arg(long)]
    pub tz: Option<String>,
    /// Slashed dates are day first (13/10/2026 is 13 October). Without it they are month first,
    /// as US exports write them; a file that is clearly the other way round is refused whole.
    #[arg(long)]
    pub day_first: bool,
    /// The one format dates without an offset are written in, as strftime, e.g. "%d/%m/%Y %H:%M"
    /// or "%Y%m%d": for a file whose dates the usual forms would misread.
    #[arg(long, conflicts_with = "day_first")]
    pub date_format: Option<String>,
}

/// The answers `handshake init` asks for; each question is also a flag.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the agreement.
    #[arg(long, default_value = "handshake.toml")]
    pub out: PathBuf,
    /// Overwrite --out when it exists.
    #[arg(long)]
    pub force: bool,
    /// Ask nothing: take the flags and defaults; a missing required answer is an error.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Make the written agreement the workspace's version in force (in --db).
    #[arg(long)]
    pub apply: bool,
    /// The company, e.g. "Northwind Cloud".
    #[arg(long)]
    pub company: Option<String>,
    /// What marketing calls itself.
    #[arg(long, default_value = "Marketing")]
    pub marketing_name: String,
    /// Who speaks for marketing: "Name <e-mail>".
    #[arg(long)]
    pub marketing_contact: Option<String>,
    /// What sales calls itself.
    #[arg(long, default_value = "Sales")]
    pub sales_name: String,
    /// Who speaks for sales: "Name <e-mail>".
    #[arg(long)]
    pub sales_contact: Option<String>,
    /// An office, repeatable: "id|IANA zone|hours|country[-region]", e.g.
    /// "berlin|Europe/Berlin|mon-fri 09:00-18:00|DE-BE". Hours default to mon-fri 09:00-17:00;
    /// the country (ISO code) brings its public holidays. The first office is the agreement's zone.
    #[arg(long)]
    pub office: Vec<String>,
    /// A segment with its own first-touch promise, repeatable: "id|promise|attribute=v1,v2[|office]",
    /// e.g. "enterprise|1 business hour|segment=Enterprise". None: one 4-business-hour promise.
    #[arg(long)]
    pub segment: Vec<String>,
    /// MQLs marketing promises each month.
    #[arg(long, conflicts_with = "revenue_goal")]
    pub mql_target: Option<u64>,
    /// Or a revenue goal for the year, e.g. "2000000 USD": the planner works out the MQLs.
    #[arg(long, requires = "deal_size")]
    pub revenue_goal: Option<String>,
    /// The average deal, for --revenue-goal, e.g. 25000.
    #[arg(long)]
    pub deal_size: Option<String>,
    /// Missed MQL months in a row after which either side may end the agreement (0: no such term).
    #[arg(long)]
    pub cancel_after: Option<u32>,
    /// The first day in force, YYYY-MM-DD (default: the first of next month).
    #[arg(long)]
    pub starts: Option<String>,
    /// A CRM export (CSV) whose stages, sources, segments and owners suggest the stage map and segments.
    #[arg(long)]
    pub from_crm: Option<PathBuf>,
    /// The export's layout, for --from-crm: hubspot, salesforce, pipelinedeals or activedemand.
    #[arg(long, value_parser = ["hubspot", "salesforce", "pipelinedeals", "activedemand"], requires = "from_crm")]
    pub preset: Option<String>,
    /// A mapping file (TOML) for any other export layout, for --from-crm.
    #[arg(long, requires = "from_crm", conflicts_with = "preset")]
    pub mapping: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn every_command_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}

/// Which stretch of time a report covers.
#[derive(Debug, Args)]
pub struct RangeArgs {
    /// A period: 2027-W05 (ISO week), 2027-01 (month), 2027-Q1 (quarter) or 2027 (year). Default: the month of --as-of.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// First day (inclusive), YYYY-MM-DD in the agreement's time zone.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Last day (exclusive), YYYY-MM-DD in the agreement's time zone.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// The instant to evaluate at, RFC 3339 (default: now). Events after it do not exist for the report.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    /// Output format (a goal's rows: table, json or csv).
    #[arg(long, default_value = "table", value_parser = ["table", "json", "csv", "md"])]
    pub format: String,
    /// Instead of the report, the rows behind this goal's number in --period: each lead,
    /// opportunity, deal or clock it counted (as the dashboard's list and the API give them).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub goal: Option<String>,
    /// With --goal: only this owner's rows; "(no owner)" for rows of no owner.
    #[arg(long, requires = "goal")]
    pub owner: Option<String>,
    /// With --goal on a rate: yes for the rows in its numerator (met in time, accepted,
    /// converted), no for the others.
    #[arg(long, requires = "goal", value_parser = ["yes", "no"])]
    pub counted: Option<String>,
    /// With --goal: a link to each lead's CRM record, {id} standing for its id, e.g.
    /// https://app.hubspot.com/contacts/123/record/0-1/{id} (as the server's --crm-record-url).
    #[arg(long, requires = "goal")]
    pub crm_record_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A plan file (TOML) with the same keys as the options (goal, horizon, weights, deal_size,
    /// lead_to_mql, mql_to_sql, sql_to_opportunity, opportunity_to_won, marketing_share, cycle, pipeline); options override it.
    pub file: Option<PathBuf>,
    /// The revenue goal with its currency, e.g. "2000000 USD".
    #[arg(long, allow_hyphen_values = true)]
    pub goal: Option<String>,
    /// A year (2027) or a quarter (2027-Q1).
    #[arg(long)]
    pub horizon: Option<String>,
    /// Relative weight of each month for seasonality, e.g. 1,1,2 (default even).
    #[arg(long)]
    pub weights: Option<String>,
    /// Average deal size, e.g. 25000.
    #[arg(long)]
    pub deal_size: Option<String>,
    /// Lead to MQL rate, e.g. 20%.
    #[arg(long)]
    pub lead_to_mql: Option<String>,
    /// MQL to SQL rate.
    #[arg(long)]
    pub mql_to_sql: Option<String>,
    /// SQL to opportunity rate.
    #[arg(long)]
    pub sql_to_opp: Option<String>,
    /// Opportunity to won rate.
    #[arg(long)]
    pub opp_to_won: Option<String>,
    /// Share of revenue from marketing-sourced leads (default 100%).
    #[arg(long)]
    pub share: Option<String>,
    /// Days from MQL to won: 90, or a spread such as 30%:30,50%:60,20%:90.
    #[arg(long)]
    pub cycle: Option<String>,
    /// Open pipeline expected to close, e.g. 2027-01:200000,2027-02:50000.
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Take the rates, deal size and cycle not given from the store's events (by cohort).
    #[arg(long)]
    pub from_history: bool,
    /// The history window, in months before --as-of: 6m.
    #[arg(long, default_value = "6m")]
    pub window: String,
    /// Compare with actuals so far from the store: revenue won and MQLs per month.
    #[arg(long)]
    pub pace: bool,
    /// The instant for history and pace, RFC 3339 (default now).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json", "csv"])]
    pub format: String,
    /// Print [[goals]] blocks for the agreement instead of the plan.
    #[arg(long)]
    pub emit_goals: bool,
}
