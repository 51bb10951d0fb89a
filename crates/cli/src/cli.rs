//! The command line, as clap derives it. Only parsing lives here; each command group has its own
//! module.

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use garmin_sso_core::{Flow, MobileApp, TokenPreference};
use std::path::PathBuf;

/// Sign in to Garmin Connect, call its API, and run a local Garmin simulator.
#[derive(Debug, Parser)]
#[command(
    name = "garmin-sso",
    version,
    about,
    propagate_version = true,
    after_help = crate::exit::HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with email and password (password read from stdin) and store the tokens.
    Login(LoginArgs),
    /// Run the Garmin simulator in the foreground until killed; prints its base URL first.
    Simulate(SimulateArgs),
    /// Sign in with MFA, refresh, read the profile and upload a FIT file against an in-process
    /// simulator. Needs no input and no network.
    Demo(DemoArgs),
    /// Print the URL to open in a browser or web view for a web-view sign-in.
    BrowserUrl(BrowserUrlArgs),
    /// Finish a web-view sign-in: exchange its service ticket for tokens and store them.
    ExchangeTicket(ExchangeTicketArgs),
    /// Partner OAuth2 with PKCE, for apps in Garmin's Connect Developer Program: the person
    /// approves the app on Garmin's page in a browser; the app never sees the password.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Call the Connect API with the stored tokens and print the response body.
    #[command(after_help = PARTNER_SECRET_HELP)]
    Get(GetArgs),
    /// Upload a FIT file and print Garmin's JSON answer (exit 6 when Garmin already has it).
    #[command(after_help = PARTNER_SECRET_HELP)]
    Upload(UploadArgs),
    /// Show which token family is stored and when it expires (never the tokens).
    Status(StatusArgs),
    /// Refresh the stored tokens now and store the new ones.
    #[command(after_help = PARTNER_SECRET_HELP)]
    Refresh(RefreshArgs),
    /// Check the setup without showing a secret: the stored token family and expiries, the clock
    /// offset to Garmin's `Date` header, and whether each Garmin host answers.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// Delete the stored tokens.
    Logout(StoreArgs),
    /// Print the stored tokens as one versioned JSON document (contains secrets).
    Export(StoreArgs),
    /// Read tokens from stdin (versioned JSON, garth's base64 dump, or python-garminconnect's
    /// garmin_tokens.json) and store them.
    Import(ImportArgs),
    /// Keep accounts' email and password encrypted (XChaCha20-Poly1305) for sign-ins without a
    /// person; the key file must be outside the vault's folder (see docs/vault.md).
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Print a completion script for a shell, e.g.
    /// `garmin-sso completions bash > ~/.local/share/bash-completion/completions/garmin-sso`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), as committed in docs/man/garmin-sso.1.
    #[command(hide = true)]
    Manpage,
}

/// How the commands that refresh learn a partner app's secret (`--help` of each).
pub const PARTNER_SECRET_HELP: &str = "Partner tokens (from `garmin-sso partner login`) refresh \
with their app's client secret, which is never stored: set GARMIN_SSO_PARTNER_CLIENT_SECRET to it \
(the client id comes from the stored tokens). Without it, partner tokens work until their access \
token expires.";

/// `doctor --help`: what makes it fail.
pub const DOCTOR_HELP: &str = "Exit codes: 0 nothing wrong; 9 a Garmin host did not answer; \
7 no tokens stored, or the refresh token has expired (sign in again); 11 the token store cannot be \
read; 1 this machine's clock is more than 120 s off Garmin's. When several are wrong, the first in \
this order decides.";

/// `--json`, on the commands scripts read.
#[derive(Debug, Clone, Copy, Args)]
pub struct JsonArg {
    /// Print exactly one JSON object on stdout instead of text, a failure included (then
    /// {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret.
    #[arg(long)]
    pub json: bool,
}

/// `garmin-sso status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `garmin-sso refresh`.
#[derive(Debug, Clone, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `garmin-sso doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Seconds each host may take to answer.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    #[command(flatten)]
    pub json: JsonArg,
}

/// `garmin-sso partner …`.
#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Authorize a partner app and store its tokens (--store json:PATH or a database: a token
    /// folder has no place for them). Prints the consent page's URL on stdout. A loopback redirect URI
    /// (`http://127.0.0.1:PORT/PATH` or `http://[::1]:PORT/PATH`, RFC 8252) is listened on once
    /// to catch Garmin's redirect; with any other, paste the address the browser was sent to as
    /// the next stdin line.
    Login(PartnerLoginArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PartnerLoginArgs {
    /// The client id Garmin's developer portal issued.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Read the client secret from the first line of stdin (required: a secret is never an
    /// argument). On a terminal it is prompted for without echo.
    #[arg(long, required = true)]
    pub client_secret_stdin: bool,
    /// The redirect URI, as registered for the app. On a loopback one without a port (or port
    /// 0) a free port is picked, as RFC 8252 allows.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: String,
    /// Scopes to ask for, space-separated. Default: the person chooses on the consent page.
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,
    /// Also open the consent page with the system's opener (xdg-open; open on macOS).
    #[arg(long)]
    pub browser: bool,
    /// Seconds to wait for the redirect on a loopback redirect URI before giving up (exit 9).
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `garmin-sso completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `garmin-sso vault …`.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in
    /// the vault and the tokens in the store. Accounts that need MFA are refused (exit 8).
    Add(VaultAddArgs),
    /// Forget an account: its credentials in the vault and its stored tokens.
    Remove(VaultRemoveArgs),
    /// List the vault's account keys (never credentials).
    List(VaultPlace),
    /// Re-encrypt every entry under a new key, crash-safely.
    RotateKey(VaultPlace),
}

/// The vault file and its key file.
#[derive(Debug, Clone, Args)]
pub struct VaultPlace {
    /// The vault file (one JSON file for all accounts).
    #[arg(long = "vault", value_name = "PATH")]
    pub vault: PathBuf,
    /// The key file, created 0600 on first use; must be outside the vault's folder.
    #[arg(long, value_name = "PATH")]
    pub key_file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct VaultAddArgs {
    #[command(flatten)]
    pub place: VaultPlace,
    /// The account's email address.
    #[arg(long)]
    pub email: String,
    /// The vault entry's key (and the --store row). Default: the --email.
    #[arg(long, value_name = "KEY")]
    pub account: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StorePlace,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VaultRemoveArgs {
    #[command(flatten)]
    pub place: VaultPlace,
    /// The vault entry's key (and the --store row).
    #[arg(long, value_name = "KEY")]
    pub account: String,
    #[command(flatten)]
    pub store: StorePlace,
}

/// Where Garmin is.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Garmin's domain: garmin.com, or garmin.cn for accounts in mainland China.
    #[arg(long, default_value = "garmin.com", value_name = "DOMAIN")]
    pub domain: String,
    /// Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a
    /// simulator.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// Where tokens are stored.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    #[command(flatten)]
    pub place: StorePlace,
    /// The account's row in a --store database (`--email` is accepted too).
    #[arg(long, visible_alias = "email", value_name = "KEY")]
    pub account: Option<String>,
}

/// A token folder or a database: the part of [`StoreArgs`] that `login` shares (its `--email` is
/// the account).
#[derive(Debug, Clone, Args)]
pub struct StorePlace {
    /// Token folder (garth's layout). Default: a per-user data folder.
    #[arg(long, value_name = "DIR", conflicts_with = "store")]
    pub token_dir: Option<PathBuf>,
    /// Instead of a folder: json:PATH, one account's tokens in one versioned JSON file (any token
    /// family, partner included); or a database, one row per account: sqlite:PATH, or
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server).
    /// Refreshes are one at a time per account across every process using it.
    #[arg(long, value_name = "json:PATH|sqlite:PATH|postgres://…")]
    pub store: Option<String>,
}

/// Stored tokens plus where Garmin is: what every API command needs.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `--flow`: one flow, or `auto` for the configured chain (mobile as iOS, mobile as Android,
/// widget, portal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowChoice(pub Option<Flow>);

fn flow_choice() -> impl clap::builder::TypedValueParser<Value = FlowChoice> {
    let names: Vec<&'static str> = Flow::ALL.iter().map(|f| f.name()).chain(["auto"]).collect();
    clap::builder::PossibleValuesParser::new(names).map(|s| FlowChoice(s.parse::<Flow>().ok()))
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// The account's email address (not needed with --browser).
    #[arg(long, required_unless_present_any = ["browser", "from_vault"])]
    pub email: Option<String>,
    /// Use the stored session, or sign in with the credentials kept by `vault add` when Garmin
    /// revoked it; no password is asked for. The entry is --account (default: --email).
    #[arg(long, requires_all = ["vault", "key_file"], conflicts_with_all = ["browser", "password_stdin"])]
    pub from_vault: bool,
    /// The vault file for --from-vault.
    #[arg(long = "vault", value_name = "PATH", requires = "from_vault")]
    pub vault: Option<PathBuf>,
    /// The vault's key file for --from-vault.
    #[arg(long, value_name = "PATH", requires = "from_vault")]
    pub key_file: Option<PathBuf>,
    /// Read the password from the first line of stdin (and an MFA code, when needed, from the
    /// next). Without it the password is prompted for on a terminal.
    #[arg(long, conflicts_with = "browser")]
    pub password_stdin: bool,
    /// The MFA code, when already known.
    #[arg(long, value_name = "CODE", conflicts_with = "browser")]
    pub mfa_code: Option<String>,
    /// Sign in in a Chromium or Chrome window instead (MFA and CAPTCHAs in the window): the
    /// library catches the service ticket, closes the browser and stores the tokens.
    #[arg(long)]
    pub browser: bool,
    /// The Chromium/Chrome executable for --browser (default: chromium, chromium-browser or
    /// google-chrome on PATH).
    #[arg(long, value_name = "PATH", requires = "browser")]
    pub browser_path: Option<PathBuf>,
    /// Run the --browser sign-in without a window (only useful for tests and automation).
    #[arg(long, requires = "browser")]
    pub headless: bool,
    /// Run the browser without its sandbox (done anyway when running as root).
    #[arg(long, requires = "browser")]
    pub no_sandbox: bool,
    /// Seconds the --browser sign-in may take before giving up (exit 9).
    #[arg(long, value_name = "SECS", default_value_t = 300, requires = "browser")]
    pub browser_timeout: u64,
    /// One more command-line argument for the --browser browser (repeatable), e.g.
    /// `--browser-arg=--proxy-server=…`.
    #[arg(
        long,
        value_name = "ARG",
        requires = "browser",
        allow_hyphen_values = true
    )]
    pub browser_arg: Vec<String>,
    /// Sign-in flow; `auto` tries mobile as iOS, mobile as Android, widget, then portal (Garmin
    /// rate-limits per app and account, so each is another chance).
    #[arg(long, default_value = "auto", value_parser = flow_choice())]
    pub flow: FlowChoice,
    /// Which token family the service ticket becomes (`oauth1` is accepted for `legacy`).
    #[arg(long, value_enum, default_value = "auto")]
    pub tokens: TokenPreference,
    /// Which Garmin phone app the mobile sign-in tries first (the other stays a fallback), and
    /// the only one `--flow mobile` and `--browser` present. Default: iOS first in the chain;
    /// Android for `--flow mobile` and `--browser`.
    #[arg(long, visible_alias = "client", value_enum)]
    pub mobile_app: Option<MobileApp>,
    #[command(flatten)]
    pub store: StorePlace,
    /// The account's row in a --store database. Default: the --email.
    #[arg(long, value_name = "KEY")]
    pub account: Option<String>,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub json: JsonArg,
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Address to listen on (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,
    /// An account, EMAIL:PASSWORD or EMAIL:PASSWORD:MFACODE. Repeatable.
    #[arg(long = "account", value_name = "EMAIL:PASSWORD[:MFACODE]")]
    pub accounts: Vec<String>,
    /// An account Garmin reports as locked, EMAIL:PASSWORD. Repeatable.
    #[arg(long = "locked-account", value_name = "EMAIL:PASSWORD")]
    pub locked_accounts: Vec<String>,
    /// A child (parent-managed) account Garmin will not sign in, EMAIL:PASSWORD. Repeatable.
    #[arg(long = "child-account", value_name = "EMAIL:PASSWORD")]
    pub child_accounts: Vec<String>,
    /// How MFA codes are delivered for accounts with a code.
    #[arg(long, value_enum, default_value = "email")]
    pub mfa_method: MfaMethodArg,
    /// The OAuth1 consumer the simulator serves and accepts, KEY:SECRET.
    #[arg(long, value_name = "KEY:SECRET")]
    pub consumer: Option<String>,
    /// A partner app (`garmin-sso partner login`), CLIENT_ID,SECRET,REDIRECT_URI (the secret
    /// without commas). A loopback redirect URI such as `http://127.0.0.1/callback` matches any
    /// port. Repeatable.
    #[arg(long = "partner-client", value_name = "ID,SECRET,REDIRECT_URI")]
    pub partner_clients: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MfaMethodArg {
    Email,
    Sms,
    Totp,
}

#[derive(Debug, Clone, Args)]
pub struct BrowserUrlArgs {
    /// Which Garmin phone app the sign-in presents itself as.
    #[arg(long, visible_alias = "client", value_enum, default_value = "android")]
    pub mobile_app: MobileApp,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["ticket", "url"])))]
pub struct ExchangeTicketArgs {
    /// The service ticket (ST-…); `-` reads it from stdin.
    #[arg(long, value_name = "ST-…")]
    pub ticket: Option<String>,
    /// The URL (or page text) the web view navigated to, carrying ticket=ST-…; `-` reads it from
    /// stdin.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The app the sign-in URL was built for (the ticket is bound to its service URL).
    #[arg(long, visible_alias = "client", value_enum, default_value = "android")]
    pub mobile_app: MobileApp,
    /// Which token family the service ticket becomes (`oauth1` is accepted for `legacy`).
    #[arg(long, value_enum, default_value = "auto")]
    pub tokens: TokenPreference,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Clone, Args)]
pub struct GetArgs {
    /// API path, e.g. /userprofile-service/socialProfile.
    pub path: String,
    /// A query parameter k=v. Repeatable.
    #[arg(long = "query", value_name = "K=V")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// The FIT file. Files over 4 MiB show a progress bar on stderr when it is a terminal.
    pub file: PathBuf,
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(flatten)]
    pub json: JsonArg,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Also save the demo's tokens here (DI in DIR, legacy in DIR/legacy) to look at the file format.
    /// They are only good for the simulator, which stops when the demo ends.
    #[arg(long, value_name = "DIR")]
    pub token_dir: Option<PathBuf>,
}
