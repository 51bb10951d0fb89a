# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_garmin_sso_global_optspecs
    string join \n h/help V/version
end

function __fish_garmin_sso_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_garmin_sso_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_garmin_sso_using_subcommand
    set -l cmd (__fish_garmin_sso_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "login" -d 'Sign in with email and password (password read from stdin) and store the tokens'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "simulate" -d 'Run the Garmin simulator in the foreground until killed; prints its base URL first'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "demo" -d 'Sign in with MFA, refresh, read the profile and upload a FIT file against an in-process simulator. Needs no input and no network'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "browser-url" -d 'Print the URL to open in a browser or web view for a web-view sign-in'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "exchange-ticket" -d 'Finish a web-view sign-in: exchange its service ticket for tokens and store them'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "partner" -d 'Partner OAuth2 with PKCE, for apps in Garmin\'s Connect Developer Program: the person approves the app on Garmin\'s page in a browser; the app never sees the password'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "get" -d 'Call the Connect API with the stored tokens and print the response body'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "upload" -d 'Upload a FIT file and print Garmin\'s JSON answer (exit 6 when Garmin already has it)'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "status" -d 'Show which token family is stored and when it expires (never the tokens)'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "refresh" -d 'Refresh the stored tokens now and store the new ones'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "doctor" -d 'Check the setup without showing a secret: the stored token family and expiries, the clock offset to Garmin\'s `Date` header, and whether each Garmin host answers'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "logout" -d 'Delete the stored tokens'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "export" -d 'Print the stored tokens as one versioned JSON document (contains secrets)'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "import" -d 'Read tokens from stdin (versioned JSON, garth\'s base64 dump, or python-garminconnect\'s garmin_tokens.json) and store them'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "vault" -d 'Keep accounts\' email and password encrypted (XChaCha20-Poly1305) for sign-ins without a person; the key file must be outside the vault\'s folder (see docs/vault.md)'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "completions" -d 'Print a completion script for a shell, e.g. `garmin-sso completions bash > ~/.local/share/bash-completion/completions/garmin-sso`'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "manpage" -d 'Print the man page (roff), as committed in docs/man/garmin-sso.1'
complete -c garmin-sso -n "__fish_garmin_sso_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l email -d 'The account\'s email address (not needed with --browser)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l vault -d 'The vault file for --from-vault' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l key-file -d 'The vault\'s key file for --from-vault' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l mfa-code -d 'The MFA code, when already known' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l browser-path -d 'The Chromium/Chrome executable for --browser (default: chromium, chromium-browser or google-chrome on PATH)' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l browser-timeout -d 'Seconds the --browser sign-in may take before giving up (exit 9)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l browser-arg -d 'One more command-line argument for the --browser browser (repeatable), e.g. `--browser-arg=--proxy-server=…`' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l flow -d 'Sign-in flow; `auto` tries mobile as iOS, mobile as Android, widget, then portal (Garmin rate-limits per app and account, so each is another chance)' -r -f -a "widget\t''
mobile\t''
portal\t''
auto\t''"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l tokens -d 'Which token family the service ticket becomes (`oauth1` is accepted for `legacy`)' -r -f -a "auto\t'DI OAuth2; when the DI exchange fails (every DI client id refused, but also a network error or an odd answer), the legacy OAuth1→OAuth2 exchange with the same ticket'
di\t'DI OAuth2 only (docs/protocol.md §5)'
legacy\t'Legacy OAuth1 → OAuth2 (docs/protocol.md §4). `oauth1` is accepted for this name, which earlier versions of the CLI and C API used'"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l mobile-app -l client -d 'Which Garmin phone app the mobile sign-in tries first (the other stays a fallback), and the only one `--flow mobile` and `--browser` present. Default: iOS first in the chain; Android for `--flow mobile` and `--browser`' -r -f -a "android\t'Garmin Connect Mobile for Android (`GCM_ANDROID_DARK`)'
ios\t'Garmin Connect Mobile for iOS (`GCM_IOS_DARK`)'"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l account -d 'The account\'s row in a --store database. Default: the --email' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l from-vault -d 'Use the stored session, or sign in with the credentials kept by `vault add` when Garmin revoked it; no password is asked for. The entry is --account (default: --email)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l password-stdin -d 'Read the password from the first line of stdin (and an MFA code, when needed, from the next). Without it the password is prompted for on a terminal'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l browser -d 'Sign in in a Chromium or Chrome window instead (MFA and CAPTCHAs in the window): the library catches the service ticket, closes the browser and stores the tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l headless -d 'Run the --browser sign-in without a window (only useful for tests and automation)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l no-sandbox -d 'Run the browser without its sandbox (done anyway when running as root)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -l json -d 'Print exactly one JSON object on stdout instead of text, a failure included (then {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand login" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l listen -d 'Address to listen on (loopback only; port 0 picks a free port)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l account -d 'An account, EMAIL:PASSWORD or EMAIL:PASSWORD:MFACODE. Repeatable' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l locked-account -d 'An account Garmin reports as locked, EMAIL:PASSWORD. Repeatable' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l child-account -d 'A child (parent-managed) account Garmin will not sign in, EMAIL:PASSWORD. Repeatable' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l mfa-method -d 'How MFA codes are delivered for accounts with a code' -r -f -a "email\t''
sms\t''
totp\t''"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l consumer -d 'The OAuth1 consumer the simulator serves and accepts, KEY:SECRET' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -l partner-client -d 'A partner app (`garmin-sso partner login`), CLIENT_ID,SECRET,REDIRECT_URI (the secret without commas). A loopback redirect URI such as `http://127.0.0.1/callback` matches any port. Repeatable' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand demo" -l token-dir -d 'Also save the demo\'s tokens here (DI in DIR, legacy in DIR/legacy) to look at the file format. They are only good for the simulator, which stops when the demo ends' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand demo" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand demo" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand browser-url" -l mobile-app -l client -d 'Which Garmin phone app the sign-in presents itself as' -r -f -a "android\t'Garmin Connect Mobile for Android (`GCM_ANDROID_DARK`)'
ios\t'Garmin Connect Mobile for iOS (`GCM_IOS_DARK`)'"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand browser-url" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand browser-url" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand browser-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand browser-url" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l ticket -d 'The service ticket (ST-…); `-` reads it from stdin' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l url -d 'The URL (or page text) the web view navigated to, carrying ticket=ST-…; `-` reads it from stdin' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l mobile-app -l client -d 'The app the sign-in URL was built for (the ticket is bound to its service URL)' -r -f -a "android\t'Garmin Connect Mobile for Android (`GCM_ANDROID_DARK`)'
ios\t'Garmin Connect Mobile for iOS (`GCM_IOS_DARK`)'"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l tokens -d 'Which token family the service ticket becomes (`oauth1` is accepted for `legacy`)' -r -f -a "auto\t'DI OAuth2; when the DI exchange fails (every DI client id refused, but also a network error or an odd answer), the legacy OAuth1→OAuth2 exchange with the same ticket'
di\t'DI OAuth2 only (docs/protocol.md §5)'
legacy\t'Legacy OAuth1 → OAuth2 (docs/protocol.md §4). `oauth1` is accepted for this name, which earlier versions of the CLI and C API used'"
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand exchange-ticket" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and not __fish_seen_subcommand_from login help" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and not __fish_seen_subcommand_from login help" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and not __fish_seen_subcommand_from login help" -f -a "login" -d 'Authorize a partner app and store its tokens (--store json:PATH or a database: a token folder has no place for them). Prints the consent page\'s URL on stdout. A loopback redirect URI (`http://127.0.0.1:PORT/PATH` or `http://[::1]:PORT/PATH`, RFC 8252) is listened on once to catch Garmin\'s redirect; with any other, paste the address the browser was sent to as the next stdin line'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and not __fish_seen_subcommand_from login help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l client-id -d 'The client id Garmin\'s developer portal issued' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l redirect-uri -d 'The redirect URI, as registered for the app. On a loopback one without a port (or port 0) a free port is picked, as RFC 8252 allows' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l scope -d 'Scopes to ask for, space-separated. Default: the person chooses on the consent page' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l timeout -d 'Seconds to wait for the redirect on a loopback redirect URI before giving up (exit 9)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l client-secret-stdin -d 'Read the client secret from the first line of stdin (required: a secret is never an argument). On a terminal it is prompted for without echo'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -l browser -d 'Also open the consent page with the system\'s opener (xdg-open; open on macOS)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "login" -d 'Authorize a partner app and store its tokens (--store json:PATH or a database: a token folder has no place for them). Prints the consent page\'s URL on stdout. A loopback redirect URI (`http://127.0.0.1:PORT/PATH` or `http://[::1]:PORT/PATH`, RFC 8252) is listened on once to catch Garmin\'s redirect; with any other, paste the address the browser was sent to as the next stdin line'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l query -d 'A query parameter k=v. Repeatable' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand get" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -l json -d 'Print exactly one JSON object on stdout instead of text, a failure included (then {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand upload" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -l json -d 'Print exactly one JSON object on stdout instead of text, a failure included (then {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand status" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -l json -d 'Print exactly one JSON object on stdout instead of text, a failure included (then {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand refresh" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l timeout -d 'Seconds each host may take to answer' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -l json -d 'Print exactly one JSON object on stdout instead of text, a failure included (then {"ok":false,"error":{…}} and the same exit code); fields in docs/cli.md. Never a secret'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand logout" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand logout" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand logout" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand logout" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand logout" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand export" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand export" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand export" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand export" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand export" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand import" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand import" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand import" -l account -l email -d 'The account\'s row in a --store database (`--email` is accepted too)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand import" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand import" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -f -a "add" -d 'Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -f -a "remove" -d 'Forget an account: its credentials in the vault and its stored tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -f -a "list" -d 'List the vault\'s account keys (never credentials)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -f -a "rotate-key" -d 'Re-encrypt every entry under a new key, crash-safely'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and not __fish_seen_subcommand_from add remove list rotate-key help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l vault -d 'The vault file (one JSON file for all accounts)' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l key-file -d 'The key file, created 0600 on first use; must be outside the vault\'s folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l email -d 'The account\'s email address' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l account -d 'The vault entry\'s key (and the --store row). Default: the --email' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l domain -d 'Garmin\'s domain: garmin.com, or garmin.cn for accounts in mainland China' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l base-url -d 'Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from the first line of stdin'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -l vault -d 'The vault file (one JSON file for all accounts)' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -l key-file -d 'The key file, created 0600 on first use; must be outside the vault\'s folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -l account -d 'The vault entry\'s key (and the --store row)' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -l token-dir -d 'Token folder (garth\'s layout). Default: a per-user data folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -l store -d 'Instead of a folder: json:PATH, one account\'s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (no TLS: a local or private-network server). Refreshes are one at a time per account across every process using it' -r
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from list" -l vault -d 'The vault file (one JSON file for all accounts)' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from list" -l key-file -d 'The key file, created 0600 on first use; must be outside the vault\'s folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from rotate-key" -l vault -d 'The vault file (one JSON file for all accounts)' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from rotate-key" -l key-file -d 'The key file, created 0600 on first use; must be outside the vault\'s folder' -r -F
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from rotate-key" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from rotate-key" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "add" -d 'Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Forget an account: its credentials in the vault and its stored tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the vault\'s account keys (never credentials)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "rotate-key" -d 'Re-encrypt every entry under a new key, crash-safely'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand vault; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand completions" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand completions" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand manpage" -s h -l help -d 'Print help'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand manpage" -s V -l version -d 'Print version'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "login" -d 'Sign in with email and password (password read from stdin) and store the tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "simulate" -d 'Run the Garmin simulator in the foreground until killed; prints its base URL first'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "demo" -d 'Sign in with MFA, refresh, read the profile and upload a FIT file against an in-process simulator. Needs no input and no network'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "browser-url" -d 'Print the URL to open in a browser or web view for a web-view sign-in'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "exchange-ticket" -d 'Finish a web-view sign-in: exchange its service ticket for tokens and store them'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "partner" -d 'Partner OAuth2 with PKCE, for apps in Garmin\'s Connect Developer Program: the person approves the app on Garmin\'s page in a browser; the app never sees the password'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "get" -d 'Call the Connect API with the stored tokens and print the response body'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "upload" -d 'Upload a FIT file and print Garmin\'s JSON answer (exit 6 when Garmin already has it)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "status" -d 'Show which token family is stored and when it expires (never the tokens)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "refresh" -d 'Refresh the stored tokens now and store the new ones'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "doctor" -d 'Check the setup without showing a secret: the stored token family and expiries, the clock offset to Garmin\'s `Date` header, and whether each Garmin host answers'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "logout" -d 'Delete the stored tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "export" -d 'Print the stored tokens as one versioned JSON document (contains secrets)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "import" -d 'Read tokens from stdin (versioned JSON, garth\'s base64 dump, or python-garminconnect\'s garmin_tokens.json) and store them'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "vault" -d 'Keep accounts\' email and password encrypted (XChaCha20-Poly1305) for sign-ins without a person; the key file must be outside the vault\'s folder (see docs/vault.md)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "completions" -d 'Print a completion script for a shell, e.g. `garmin-sso completions bash > ~/.local/share/bash-completion/completions/garmin-sso`'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "manpage" -d 'Print the man page (roff), as committed in docs/man/garmin-sso.1'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and not __fish_seen_subcommand_from login simulate demo browser-url exchange-ticket partner get upload status refresh doctor logout export import vault completions manpage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and __fish_seen_subcommand_from partner" -f -a "login" -d 'Authorize a partner app and store its tokens (--store json:PATH or a database: a token folder has no place for them). Prints the consent page\'s URL on stdout. A loopback redirect URI (`http://127.0.0.1:PORT/PATH` or `http://[::1]:PORT/PATH`, RFC 8252) is listened on once to catch Garmin\'s redirect; with any other, paste the address the browser was sent to as the next stdin line'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and __fish_seen_subcommand_from vault" -f -a "add" -d 'Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and __fish_seen_subcommand_from vault" -f -a "remove" -d 'Forget an account: its credentials in the vault and its stored tokens'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and __fish_seen_subcommand_from vault" -f -a "list" -d 'List the vault\'s account keys (never credentials)'
complete -c garmin-sso -n "__fish_garmin_sso_using_subcommand help; and __fish_seen_subcommand_from vault" -f -a "rotate-key" -d 'Re-encrypt every entry under a new key, crash-safely'
