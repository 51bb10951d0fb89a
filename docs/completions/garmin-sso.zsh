#compdef garmin-sso

autoload -U is-at-least

_garmin-sso() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_garmin-sso_commands" \
"*::: :->garmin-sso" \
&& ret=0
    case $state in
    (garmin-sso)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-command-$line[1]:"
        case $line[1] in
            (login)
_arguments "${_arguments_options[@]}" : \
'--email=[The account'\''s email address (not needed with --browser)]:EMAIL:_default' \
'--vault=[The vault file for --from-vault]:PATH:_files' \
'--key-file=[The vault'\''s key file for --from-vault]:PATH:_files' \
'(--browser)--mfa-code=[The MFA code, when already known]:CODE:_default' \
'--browser-path=[The Chromium/Chrome executable for --browser (default\: chromium, chromium-browser or google-chrome on PATH)]:PATH:_files' \
'--browser-timeout=[Seconds the --browser sign-in may take before giving up (exit 9)]:SECS:_default' \
'*--browser-arg=[One more command-line argument for the --browser browser (repeatable), e.g. \`--browser-arg=--proxy-server=…\`]:ARG:_default' \
'--flow=[Sign-in flow; \`auto\` tries mobile as iOS, mobile as Android, widget, then portal (Garmin rate-limits per app and account, so each is another chance)]:FLOW:(widget mobile portal auto)' \
'--tokens=[Which token family the service ticket becomes (\`oauth1\` is accepted for \`legacy\`)]:TOKENS:((auto\:"DI OAuth2; when the DI exchange fails (every DI client id refused, but also a network error or an odd answer), the legacy OAuth1→OAuth2 exchange with the same ticket"
di\:"DI OAuth2 only (docs/protocol.md §5)"
legacy\:"Legacy OAuth1 → OAuth2 (docs/protocol.md §4). \`oauth1\` is accepted for this name, which earlier versions of the CLI and C API used"))' \
'--mobile-app=[Which Garmin phone app the mobile sign-in tries first (the other stays a fallback), and the only one \`--flow mobile\` and \`--browser\` present. Default\: iOS first in the chain; Android for \`--flow mobile\` and \`--browser\`]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'--client=[Which Garmin phone app the mobile sign-in tries first (the other stays a fallback), and the only one \`--flow mobile\` and \`--browser\` present. Default\: iOS first in the chain; Android for \`--flow mobile\` and \`--browser\`]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database. Default\: the --email]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'(--browser --password-stdin)--from-vault[Use the stored session, or sign in with the credentials kept by \`vault add\` when Garmin revoked it; no password is asked for. The entry is --account (default\: --email)]' \
'(--browser)--password-stdin[Read the password from the first line of stdin (and an MFA code, when needed, from the next). Without it the password is prompted for on a terminal]' \
'--browser[Sign in in a Chromium or Chrome window instead (MFA and CAPTCHAs in the window)\: the library catches the service ticket, closes the browser and stores the tokens]' \
'--headless[Run the --browser sign-in without a window (only useful for tests and automation)]' \
'--no-sandbox[Run the browser without its sandbox (done anyway when running as root)]' \
'--json[Print exactly one JSON object on stdout instead of text, a failure included (then {"ok"\:false,"error"\:{…}} and the same exit code); fields in docs/cli.md. Never a secret]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
'--listen=[Address to listen on (loopback only; port 0 picks a free port)]:ADDR:_default' \
'*--account=[An account, EMAIL\:PASSWORD or EMAIL\:PASSWORD\:MFACODE. Repeatable]:EMAIL:PASSWORD[:MFACODE]:_default' \
'*--locked-account=[An account Garmin reports as locked, EMAIL\:PASSWORD. Repeatable]:EMAIL:PASSWORD:_default' \
'*--child-account=[A child (parent-managed) account Garmin will not sign in, EMAIL\:PASSWORD. Repeatable]:EMAIL:PASSWORD:_default' \
'--mfa-method=[How MFA codes are delivered for accounts with a code]:MFA_METHOD:(email sms totp)' \
'--consumer=[The OAuth1 consumer the simulator serves and accepts, KEY\:SECRET]:KEY:SECRET:_default' \
'*--partner-client=[A partner app (\`garmin-sso partner login\`), CLIENT_ID,SECRET,REDIRECT_URI (the secret without commas). A loopback redirect URI such as \`http\://127.0.0.1/callback\` matches any port. Repeatable]:ID,SECRET,REDIRECT_URI:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
'--token-dir=[Also save the demo'\''s tokens here (DI in DIR, legacy in DIR/legacy) to look at the file format. They are only good for the simulator, which stops when the demo ends]:DIR:_files' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(browser-url)
_arguments "${_arguments_options[@]}" : \
'--mobile-app=[Which Garmin phone app the sign-in presents itself as]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'--client=[Which Garmin phone app the sign-in presents itself as]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(exchange-ticket)
_arguments "${_arguments_options[@]}" : \
'--ticket=[The service ticket (ST-…); \`-\` reads it from stdin]:ST-…:_default' \
'--url=[The URL (or page text) the web view navigated to, carrying ticket=ST-…; \`-\` reads it from stdin]:URL:_default' \
'--mobile-app=[The app the sign-in URL was built for (the ticket is bound to its service URL)]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'--client=[The app the sign-in URL was built for (the ticket is bound to its service URL)]:MOBILE_APP:((android\:"Garmin Connect Mobile for Android (\`GCM_ANDROID_DARK\`)"
ios\:"Garmin Connect Mobile for iOS (\`GCM_IOS_DARK\`)"))' \
'--tokens=[Which token family the service ticket becomes (\`oauth1\` is accepted for \`legacy\`)]:TOKENS:((auto\:"DI OAuth2; when the DI exchange fails (every DI client id refused, but also a network error or an odd answer), the legacy OAuth1→OAuth2 exchange with the same ticket"
di\:"DI OAuth2 only (docs/protocol.md §5)"
legacy\:"Legacy OAuth1 → OAuth2 (docs/protocol.md §4). \`oauth1\` is accepted for this name, which earlier versions of the CLI and C API used"))' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(partner)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_garmin-sso__subcmd__partner_commands" \
"*::: :->partner" \
&& ret=0

    case $state in
    (partner)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-partner-command-$line[1]:"
        case $line[1] in
            (login)
_arguments "${_arguments_options[@]}" : \
'--client-id=[The client id Garmin'\''s developer portal issued]:ID:_default' \
'--redirect-uri=[The redirect URI, as registered for the app. On a loopback one without a port (or port 0) a free port is picked, as RFC 8252 allows]:URI:_default' \
'--scope=[Scopes to ask for, space-separated. Default\: the person chooses on the consent page]:SCOPES:_default' \
'--timeout=[Seconds to wait for the redirect on a loopback redirect URI before giving up (exit 9)]:SECS:_default' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'--client-secret-stdin[Read the client secret from the first line of stdin (required\: a secret is never an argument). On a terminal it is prompted for without echo]' \
'--browser[Also open the consent page with the system'\''s opener (xdg-open; open on macOS)]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_garmin-sso__subcmd__partner__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-partner-help-command-$line[1]:"
        case $line[1] in
            (login)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(get)
_arguments "${_arguments_options[@]}" : \
'*--query=[A query parameter k=v. Repeatable]:K=V:_default' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':path -- API path, e.g. /userprofile-service/socialProfile:_default' \
&& ret=0
;;
(upload)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'--json[Print exactly one JSON object on stdout instead of text, a failure included (then {"ok"\:false,"error"\:{…}} and the same exit code); fields in docs/cli.md. Never a secret]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':file -- The FIT file. Files over 4 MiB show a progress bar on stderr when it is a terminal:_files' \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--json[Print exactly one JSON object on stdout instead of text, a failure included (then {"ok"\:false,"error"\:{…}} and the same exit code); fields in docs/cli.md. Never a secret]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(refresh)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'--json[Print exactly one JSON object on stdout instead of text, a failure included (then {"ok"\:false,"error"\:{…}} and the same exit code); fields in docs/cli.md. Never a secret]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'--timeout=[Seconds each host may take to answer]:SECS:_default' \
'--json[Print exactly one JSON object on stdout instead of text, a failure included (then {"ok"\:false,"error"\:{…}} and the same exit code); fields in docs/cli.md. Never a secret]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(logout)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--account=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'--email=[The account'\''s row in a --store database (\`--email\` is accepted too)]:KEY:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(vault)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_garmin-sso__subcmd__vault_commands" \
"*::: :->vault" \
&& ret=0

    case $state in
    (vault)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-vault-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'--vault=[The vault file (one JSON file for all accounts)]:PATH:_files' \
'--key-file=[The key file, created 0600 on first use; must be outside the vault'\''s folder]:PATH:_files' \
'--email=[The account'\''s email address]:EMAIL:_default' \
'--account=[The vault entry'\''s key (and the --store row). Default\: the --email]:KEY:_default' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'--domain=[Garmin'\''s domain\: garmin.com, or garmin.cn for accounts in mainland China]:DOMAIN:_default' \
'--base-url=[Send every request (all Garmin hosts and /oauth_consumer.json) to this one origin, e.g. a simulator]:URL:_default' \
'--password-stdin[Read the password from the first line of stdin]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
'--vault=[The vault file (one JSON file for all accounts)]:PATH:_files' \
'--key-file=[The key file, created 0600 on first use; must be outside the vault'\''s folder]:PATH:_files' \
'--account=[The vault entry'\''s key (and the --store row)]:KEY:_default' \
'(--store)--token-dir=[Token folder (garth'\''s layout). Default\: a per-user data folder]:DIR:_files' \
'--store=[Instead of a folder\: json\:PATH, one account'\''s tokens in one versioned JSON file (any token family, partner included); or a database, one row per account\: sqlite\:PATH, or postgres\://USER\[\:PASSWORD\]@HOST\[\:PORT\]/DB (no TLS\: a local or private-network server). Refreshes are one at a time per account across every process using it]:json:PATH|sqlite:PATH|postgres://…:_default' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--vault=[The vault file (one JSON file for all accounts)]:PATH:_files' \
'--key-file=[The key file, created 0600 on first use; must be outside the vault'\''s folder]:PATH:_files' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(rotate-key)
_arguments "${_arguments_options[@]}" : \
'--vault=[The vault file (one JSON file for all accounts)]:PATH:_files' \
'--key-file=[The key file, created 0600 on first use; must be outside the vault'\''s folder]:PATH:_files' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_garmin-sso__subcmd__vault__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-vault-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rotate-key)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- The shell to complete for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(manpage)
_arguments "${_arguments_options[@]}" : \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_garmin-sso__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-help-command-$line[1]:"
        case $line[1] in
            (login)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(browser-url)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(exchange-ticket)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(partner)
_arguments "${_arguments_options[@]}" : \
":: :_garmin-sso__subcmd__help__subcmd__partner_commands" \
"*::: :->partner" \
&& ret=0

    case $state in
    (partner)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-help-partner-command-$line[1]:"
        case $line[1] in
            (login)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(get)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upload)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(refresh)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(logout)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(export)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(vault)
_arguments "${_arguments_options[@]}" : \
":: :_garmin-sso__subcmd__help__subcmd__vault_commands" \
"*::: :->vault" \
&& ret=0

    case $state in
    (vault)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:garmin-sso-help-vault-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rotate-key)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(manpage)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_garmin-sso_commands] )) ||
_garmin-sso_commands() {
    local commands; commands=(
'login:Sign in with email and password (password read from stdin) and store the tokens' \
'simulate:Run the Garmin simulator in the foreground until killed; prints its base URL first' \
'demo:Sign in with MFA, refresh, read the profile and upload a FIT file against an in-process simulator. Needs no input and no network' \
'browser-url:Print the URL to open in a browser or web view for a web-view sign-in' \
'exchange-ticket:Finish a web-view sign-in\: exchange its service ticket for tokens and store them' \
'partner:Partner OAuth2 with PKCE, for apps in Garmin'\''s Connect Developer Program\: the person approves the app on Garmin'\''s page in a browser; the app never sees the password' \
'get:Call the Connect API with the stored tokens and print the response body' \
'upload:Upload a FIT file and print Garmin'\''s JSON answer (exit 6 when Garmin already has it)' \
'status:Show which token family is stored and when it expires (never the tokens)' \
'refresh:Refresh the stored tokens now and store the new ones' \
'doctor:Check the setup without showing a secret\: the stored token family and expiries, the clock offset to Garmin'\''s \`Date\` header, and whether each Garmin host answers' \
'logout:Delete the stored tokens' \
'export:Print the stored tokens as one versioned JSON document (contains secrets)' \
'import:Read tokens from stdin (versioned JSON, garth'\''s base64 dump, or python-garminconnect'\''s garmin_tokens.json) and store them' \
'vault:Keep accounts'\'' email and password encrypted (XChaCha20-Poly1305) for sign-ins without a person; the key file must be outside the vault'\''s folder (see docs/vault.md)' \
'completions:Print a completion script for a shell, e.g. \`garmin-sso completions bash > ~/.local/share/bash-completion/completions/garmin-sso\`' \
'manpage:Print the man page (roff), as committed in docs/man/garmin-sso.1' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__browser-url_commands] )) ||
_garmin-sso__subcmd__browser-url_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso browser-url commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__completions_commands] )) ||
_garmin-sso__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso completions commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__demo_commands] )) ||
_garmin-sso__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso demo commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__doctor_commands] )) ||
_garmin-sso__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso doctor commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__exchange-ticket_commands] )) ||
_garmin-sso__subcmd__exchange-ticket_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso exchange-ticket commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__export_commands] )) ||
_garmin-sso__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso export commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__get_commands] )) ||
_garmin-sso__subcmd__get_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso get commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help_commands] )) ||
_garmin-sso__subcmd__help_commands() {
    local commands; commands=(
'login:Sign in with email and password (password read from stdin) and store the tokens' \
'simulate:Run the Garmin simulator in the foreground until killed; prints its base URL first' \
'demo:Sign in with MFA, refresh, read the profile and upload a FIT file against an in-process simulator. Needs no input and no network' \
'browser-url:Print the URL to open in a browser or web view for a web-view sign-in' \
'exchange-ticket:Finish a web-view sign-in\: exchange its service ticket for tokens and store them' \
'partner:Partner OAuth2 with PKCE, for apps in Garmin'\''s Connect Developer Program\: the person approves the app on Garmin'\''s page in a browser; the app never sees the password' \
'get:Call the Connect API with the stored tokens and print the response body' \
'upload:Upload a FIT file and print Garmin'\''s JSON answer (exit 6 when Garmin already has it)' \
'status:Show which token family is stored and when it expires (never the tokens)' \
'refresh:Refresh the stored tokens now and store the new ones' \
'doctor:Check the setup without showing a secret\: the stored token family and expiries, the clock offset to Garmin'\''s \`Date\` header, and whether each Garmin host answers' \
'logout:Delete the stored tokens' \
'export:Print the stored tokens as one versioned JSON document (contains secrets)' \
'import:Read tokens from stdin (versioned JSON, garth'\''s base64 dump, or python-garminconnect'\''s garmin_tokens.json) and store them' \
'vault:Keep accounts'\'' email and password encrypted (XChaCha20-Poly1305) for sign-ins without a person; the key file must be outside the vault'\''s folder (see docs/vault.md)' \
'completions:Print a completion script for a shell, e.g. \`garmin-sso completions bash > ~/.local/share/bash-completion/completions/garmin-sso\`' \
'manpage:Print the man page (roff), as committed in docs/man/garmin-sso.1' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__browser-url_commands] )) ||
_garmin-sso__subcmd__help__subcmd__browser-url_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help browser-url commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__completions_commands] )) ||
_garmin-sso__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help completions commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__demo_commands] )) ||
_garmin-sso__subcmd__help__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help demo commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__doctor_commands] )) ||
_garmin-sso__subcmd__help__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help doctor commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__exchange-ticket_commands] )) ||
_garmin-sso__subcmd__help__subcmd__exchange-ticket_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help exchange-ticket commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__export_commands] )) ||
_garmin-sso__subcmd__help__subcmd__export_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help export commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__get_commands] )) ||
_garmin-sso__subcmd__help__subcmd__get_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help get commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__help_commands] )) ||
_garmin-sso__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__import_commands] )) ||
_garmin-sso__subcmd__help__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help import commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__login_commands] )) ||
_garmin-sso__subcmd__help__subcmd__login_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help login commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__logout_commands] )) ||
_garmin-sso__subcmd__help__subcmd__logout_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help logout commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__manpage_commands] )) ||
_garmin-sso__subcmd__help__subcmd__manpage_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help manpage commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__partner_commands] )) ||
_garmin-sso__subcmd__help__subcmd__partner_commands() {
    local commands; commands=(
'login:Authorize a partner app and store its tokens (--store json\:PATH or a database\: a token folder has no place for them). Prints the consent page'\''s URL on stdout. A loopback redirect URI (\`http\://127.0.0.1\:PORT/PATH\` or \`http\://\[\:\:1\]\:PORT/PATH\`, RFC 8252) is listened on once to catch Garmin'\''s redirect; with any other, paste the address the browser was sent to as the next stdin line' \
    )
    _describe -t commands 'garmin-sso help partner commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__partner__subcmd__login_commands] )) ||
_garmin-sso__subcmd__help__subcmd__partner__subcmd__login_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help partner login commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__refresh_commands] )) ||
_garmin-sso__subcmd__help__subcmd__refresh_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help refresh commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__simulate_commands] )) ||
_garmin-sso__subcmd__help__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help simulate commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__status_commands] )) ||
_garmin-sso__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help status commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__upload_commands] )) ||
_garmin-sso__subcmd__help__subcmd__upload_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help upload commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__vault_commands] )) ||
_garmin-sso__subcmd__help__subcmd__vault_commands() {
    local commands; commands=(
'add:Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)' \
'remove:Forget an account\: its credentials in the vault and its stored tokens' \
'list:List the vault'\''s account keys (never credentials)' \
'rotate-key:Re-encrypt every entry under a new key, crash-safely' \
    )
    _describe -t commands 'garmin-sso help vault commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__vault__subcmd__add_commands] )) ||
_garmin-sso__subcmd__help__subcmd__vault__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help vault add commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__vault__subcmd__list_commands] )) ||
_garmin-sso__subcmd__help__subcmd__vault__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help vault list commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__vault__subcmd__remove_commands] )) ||
_garmin-sso__subcmd__help__subcmd__vault__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help vault remove commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__help__subcmd__vault__subcmd__rotate-key_commands] )) ||
_garmin-sso__subcmd__help__subcmd__vault__subcmd__rotate-key_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso help vault rotate-key commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__import_commands] )) ||
_garmin-sso__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso import commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__login_commands] )) ||
_garmin-sso__subcmd__login_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso login commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__logout_commands] )) ||
_garmin-sso__subcmd__logout_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso logout commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__manpage_commands] )) ||
_garmin-sso__subcmd__manpage_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso manpage commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__partner_commands] )) ||
_garmin-sso__subcmd__partner_commands() {
    local commands; commands=(
'login:Authorize a partner app and store its tokens (--store json\:PATH or a database\: a token folder has no place for them). Prints the consent page'\''s URL on stdout. A loopback redirect URI (\`http\://127.0.0.1\:PORT/PATH\` or \`http\://\[\:\:1\]\:PORT/PATH\`, RFC 8252) is listened on once to catch Garmin'\''s redirect; with any other, paste the address the browser was sent to as the next stdin line' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso partner commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__partner__subcmd__help_commands] )) ||
_garmin-sso__subcmd__partner__subcmd__help_commands() {
    local commands; commands=(
'login:Authorize a partner app and store its tokens (--store json\:PATH or a database\: a token folder has no place for them). Prints the consent page'\''s URL on stdout. A loopback redirect URI (\`http\://127.0.0.1\:PORT/PATH\` or \`http\://\[\:\:1\]\:PORT/PATH\`, RFC 8252) is listened on once to catch Garmin'\''s redirect; with any other, paste the address the browser was sent to as the next stdin line' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso partner help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__partner__subcmd__help__subcmd__help_commands] )) ||
_garmin-sso__subcmd__partner__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso partner help help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__partner__subcmd__help__subcmd__login_commands] )) ||
_garmin-sso__subcmd__partner__subcmd__help__subcmd__login_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso partner help login commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__partner__subcmd__login_commands] )) ||
_garmin-sso__subcmd__partner__subcmd__login_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso partner login commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__refresh_commands] )) ||
_garmin-sso__subcmd__refresh_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso refresh commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__simulate_commands] )) ||
_garmin-sso__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso simulate commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__status_commands] )) ||
_garmin-sso__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso status commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__upload_commands] )) ||
_garmin-sso__subcmd__upload_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso upload commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault_commands] )) ||
_garmin-sso__subcmd__vault_commands() {
    local commands; commands=(
'add:Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)' \
'remove:Forget an account\: its credentials in the vault and its stored tokens' \
'list:List the vault'\''s account keys (never credentials)' \
'rotate-key:Re-encrypt every entry under a new key, crash-safely' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso vault commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__add_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault add commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help_commands() {
    local commands; commands=(
'add:Sign in (password from stdin or a prompt) and, when that worked, keep the credentials in the vault and the tokens in the store. Accounts that need MFA are refused (exit 8)' \
'remove:Forget an account\: its credentials in the vault and its stored tokens' \
'list:List the vault'\''s account keys (never credentials)' \
'rotate-key:Re-encrypt every entry under a new key, crash-safely' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'garmin-sso vault help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help__subcmd__add_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault help add commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help__subcmd__help_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault help help commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help__subcmd__list_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault help list commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help__subcmd__remove_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault help remove commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__help__subcmd__rotate-key_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__help__subcmd__rotate-key_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault help rotate-key commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__list_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault list commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__remove_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault remove commands' commands "$@"
}
(( $+functions[_garmin-sso__subcmd__vault__subcmd__rotate-key_commands] )) ||
_garmin-sso__subcmd__vault__subcmd__rotate-key_commands() {
    local commands; commands=()
    _describe -t commands 'garmin-sso vault rotate-key commands' commands "$@"
}

if [ "$funcstack[1]" = "_garmin-sso" ]; then
    _garmin-sso "$@"
else
    compdef _garmin-sso garmin-sso
fi
