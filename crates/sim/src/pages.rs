//! HTML pages, shaped after recorded Garmin answers (shortened).

use crate::http::{html_escape, js_escape};
use crate::random;

/// Cloudflare's trailing "invisible challenge" script found on every SSO page.
fn cf_tail() -> String {
    format!(
        "<script>(function(){{var js = \"window['__CF$cv$params']={{r:'{}'}};_cpo=document.createElement('script');_cpo.nonce='',_cpo.src='/cdn-cgi/challenge-platform/scripts/invisible.js',document.getElementsByTagName('head')[0].appendChild(_cpo);\";}})();</script>",
        random::hex_lower(8)
    )
}

/// How the hidden `_csrf` input is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CsrfStyle {
    /// As on the recorded sign-in page.
    SignIn,
    /// As on the recorded MFA page (padded attributes).
    Mfa,
    /// One of several realistic variants, picked at random.
    Random,
}

pub(crate) fn csrf_input(csrf: &str, style: CsrfStyle) -> String {
    let style = match style {
        CsrfStyle::Random => random::range(0, 5),
        CsrfStyle::SignIn => 0,
        CsrfStyle::Mfa => 1,
    };
    match style {
        0 => format!(r##"<input type="hidden" name="_csrf" value="{csrf}" />"##),
        1 => format!(r##"<input type="hidden" name="_csrf"            value="{csrf}" />"##),
        2 => format!(r##"<input value="{csrf}" type="hidden" name="_csrf"/>"##),
        3 => format!("<input\n    type=\"hidden\"\n    name=\"_csrf\"\n    value=\"{csrf}\">"),
        _ => format!(r##"<input name='_csrf' type='hidden' value='{csrf}'>"##),
    }
}

/// `GET /sso/embed` (the recorded answer to garth's parameters is this usage page).
pub(crate) fn embed_page(query: &str) -> String {
    let ticket_note = if query.contains("ticket=") {
        "\n\t<span>Service ticket received.</span>"
    } else {
        ""
    };
    format!(
        "<html>\n\t<head>\n\t    <title>GAuth Embedded Version</title>\n\t    <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge;\" />\n\t    <style type=\"text/css\">\n\t    \t#gauth-widget {{border: none !important;}}\n\t    </style>\n\t</head>\n\t<body>\n\t\t<script type=\"text/javascript\" src=\"/sso/js/jquery/3.1.1/jquery.min.js?20210319\"></script>\n\n<div>\n\t<pre>\n\t<span>ERROR: clientId parameter must be specified!!!</span>\n\n\t<span >Usage: https://sso.garmin.com/sso/embed?clientId=&lt;clientId&gt;&amp;locale=&lt;locale&gt;...</span>{ticket_note}\n\t</pre>\n</div>\n\n\n\t{}</body>\n</html>\n",
        cf_tail()
    )
}

/// What the sign-in page shows above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignInNotice {
    None,
    InvalidCredentials,
    TooManyMfaAttempts,
}

/// `GET /sso/signin` and the 401 answer to a wrong password.
pub(crate) fn signin_page(
    service: &str,
    query: &str,
    csrf: Option<&str>,
    style: CsrfStyle,
    notice: SignInNotice,
) -> String {
    let (status, result, error) = match notice {
        SignInNotice::None => ("", "", String::new()),
        SignInNotice::InvalidCredentials => (
            "FAIL",
            "error",
            "<div id=\"status\" class=\"error\">Invalid sign in. (Passwords are case sensitive.)</div>".to_string(),
        ),
        SignInNotice::TooManyMfaAttempts => (
            "FAIL",
            "error",
            "<div id=\"status\" class=\"error\">Maximum number of logins exceeded. Please try again later.</div>".to_string(),
        ),
    };
    let failed = if notice == SignInNotice::None {
        "false"
    } else {
        "true"
    };
    let csrf_html = csrf.map(|c| csrf_input(c, style)).unwrap_or_default();
    format!(
        r##"<!DOCTYPE html>
<html lang="en" class="no-js">
    <head>
        <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
        <meta name="viewport" content="width=device-width" />
        <meta http-equiv="X-UA-Compatible" content="IE=edge;" />
        <title>GARMIN Authentication Application</title>
        <link href="/sso/css/GAuth.css?20210406" rel="stylesheet" type="text/css" media="all" />
        <script type="text/javascript" src="/sso/js/jquery/3.1.1/jquery.min.js?20210319"></script>
        <script type="text/javascript" src="/sso/js/login.js?20211102"></script>
        <script>
            var recaptchaSiteKey = null;
            var isRecaptchaEnabled = null;
            var recaptchaToken = null;
        </script>
        <script type="text/javascript">
            var parent_url      = "{parent}";
            var status 			= "{status}";
			var result          = "{result}";
			var clientId		= '';
			var embedWidget 	= true;
			var isUsernameDefined = ({failed} == true) || ({failed} == true);
        </script>
    </head>
    <body>

        <!-- begin GAuth component -->
        <div id="GAuth-component">
            <div id="login-component" class="blueForm-basic">
               <input type="hidden" id="queryString" value="{query}" />
	     	   <input type="hidden" id="contextPath" value="/sso" />
                <div id="login-state-default">
                    <h2>Sign In</h2>

                    <form method="post" id="login-form">

                        <div class="form-alert">
                            {error}
                            <div id="username-error" style="display:none;"></div>
                            <div id="password-error" style="display:none;"></div>
                        </div>
                        <div class="textfield">
							<label for="username">Email</label>
							    <input class="login_email" name="username" id="username" value="" type="email" spellcheck="false" autocorrect="off" autocapitalize="off"/>
                        </div>

                        <div class="textfield">
                            <label for="password">Password</label>
                            <a id="loginforgotpassword" class="login-forgot-password" style="cursor:pointer">(Forgot?)</a>
                            <input type="password" name="password" id="password" spellcheck="false" autocorrect="off" autocapitalize="off" />
					    </div>
                        <input type="hidden" name="embed" value="true"/>
                        {csrf_html}
                        <button type="submit" id="login-btn-signin" class="btn1" accesskey="l">Sign In</button>
                    </form>
                </div>
                <div class="clearfix"></div>
            </div>
		</div>
		<!-- end GAuth component -->
    {tail}</body>
</html>
"##,
        parent = js_escape(service),
        query = html_escape(query),
        tail = cf_tail(),
    )
}

/// What the MFA page shows above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaNotice {
    None,
    InvalidCode,
}

/// The MFA page. `code_sent_to` is empty when no code has gone out
/// (TOTP, or e-mail/SMS waiting for an explicit request).
pub(crate) struct MfaPage<'a> {
    pub service: &'a str,
    pub query: &'a str,
    pub csrf: Option<&'a str>,
    pub style: CsrfStyle,
    pub customer_guid: &'a str,
    pub mfa_method: &'a str,
    pub code_sent_to: &'a str,
    pub client_id: &'a str,
    pub notice: MfaNotice,
}

pub(crate) fn mfa_page(p: &MfaPage<'_>) -> String {
    let sent_line = if !p.code_sent_to.is_empty() {
        format!(
            "<span >Code sent to <b>{}</b></span>",
            html_escape(p.code_sent_to)
        )
    } else if p.mfa_method == "totp" {
        "<span >Enter the code from your authenticator app</span>".to_string()
    } else {
        "<span id=\"codeNotSent\">We have not sent you a code yet. Select <b>Request a new code</b> to get one.</span>".to_string()
    };
    let error = match p.notice {
        MfaNotice::None => "",
        MfaNotice::InvalidCode => {
            "<div id=\"invalidCode\" class=\"error\">Invalid code. Please enter a valid code.</div>"
        }
    };
    let csrf_html = p.csrf.map(|c| csrf_input(c, p.style)).unwrap_or_default();
    format!(
        r##"<!DOCTYPE html>
<html lang="en" class="no-js">
<head>
    <script type="text/javascript" src="/sso/js/jquery/3.1.1/jquery.min.js?20210319"></script>
    <script type="text/javascript" src="/sso/js/enterMfaCode.js?20230127"></script>
    <script type="text/javascript">
        var embedWidget = "true";
        embedWidget = (embedWidget == "true");
        var parent_url = "{parent}";
        var customerGuid = "{guid}";
        var mfaMethod = "{method}";
        var locale = "";
        var clientId = "{client_id}";
        var codeSentTo = "{sent_to}";
    </script>
    <meta charset="utf-8">
    <title>Enter MFA code for login</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link href="/sso/css/GAuth.css?20170505" rel="stylesheet" type="text/css" media="all" />
</head>
<body>
    <div id="GAuth-component">
        <h2 id="enter-mfa-code-h2">Enter security code</h2>
        <input type="hidden" id="queryString" value="{query}" />
        <input type="hidden" id="contextPath" value="/sso" />
        <div id="login-component" class="blueForm-basic">
            <div id="login-state-verifymfa">
                <td>
                    {sent_line}
                </td>
                <form id="submit-mfa-verification-code-form" name="submit-mfa-verification-code-form" method="post" novalidate="novalidate">
                    <div class="blueForm-v2">
                        <div class="form-alert">
                            {error}
                            <div id="genericError" class="error" hidden>An unexpected error has occurred.</div>
                            <div id="codeSentAttention" class="attention" hidden>A new code has been sent. You can request another code in 30 seconds.</div>
                        </div>
                        <div class="formTextField">
                            <div class="mfaFormLabel">
                                <label>
                                    <span>Security code</span>
                                    <br/>
                                    <input type="number" pattern="[0-9]*" inputmode="numeric" maxlength="6" id="mfa-code" name="mfa-code" autofocus/>
                                </label>
                            </div>
                        </div>
                        <div id="requestNewCodeWrapper" class="requestNewCode">
                            <a href="#" id="newCode">Request a new code</a>
                        </div>
                        <button type="submit" id="mfa-verification-code-submit" class="btn1">Next</button>
                    </div>
                    <input type="hidden" name="embed"            value="true"/>
                    {csrf_html}
                    <input type="hidden" name="fromPage"            value="setupEnterMfaCode"/>
                    <br/>
                </form>
            </div>
            <div class="clearfix"></div>
        </div>
    </div>
{tail}</body>
</html>
"##,
        parent = js_escape(p.service),
        guid = js_escape(p.customer_guid),
        method = js_escape(p.mfa_method),
        client_id = js_escape(p.client_id),
        sent_to = js_escape(p.code_sent_to),
        query = html_escape(p.query),
        tail = cf_tail(),
    )
}

/// The `Success` page (casEmbedSuccess). `ticket` is `None` for the malformed variant.
pub(crate) fn success_page(service: &str, ticket: Option<&str>, logintoken: &str) -> String {
    let response_url = match ticket {
        Some(t) => format!("{service}?ticket={t}"),
        None => service.to_string(),
    };
    format!(
        r##"<!DOCTYPE html>
<html class="no-js">
	<head>
		<title>Success</title>
		<meta charset="utf-8">
		<meta http-equiv="X-UA-Compatible" content="IE=edge;" />
		<script type="text/javascript" src="/sso/js/jquery/3.1.1/jquery.min.js?20210319"></script>
		<script type="text/javascript" src="/sso/js/postmessage.js?20210319"></script>
		<script type="text/javascript">
			var redirectAfterAccountLoginUrl 	  = "{service_js}";
			var redirectAfterAccountCreationUrl = "";
			var consumeServiceTicket         	  = "true";
			var service_url                  	  = "{service_js}";
			var parent_url                   	  = "{service_js}";
			var response_url                 	  = "{response_js}";
			var logintoken                   	  = "{logintoken}";
			var socialLogin                   	  = "";
			var performMFACheck                 = "";
			if (response_url.indexOf('%3A%2F%2F') != -1) {{
				response_url = decodeURIComponent(response_url);
			}}
			response_url = response_url.replace(new RegExp("&amp;", 'g'),"&");
			var service_ticket = response_url.substring(response_url.indexOf('ticket=') + 7, response_url.length);
		</script>
	</head>
	<body>
		<div id="GAuth-component">
			<img src="/sso/images/ajax-loader.gif" class="loaderImage"/>
		</div>
		<script type="text/javascript">
			jQuery(document).ready(function(){{ top.location.href = response_url; }});
		</script>
	{tail}</body>
</html>
"##,
        service_js = js_escape(service),
        response_js = js_escape(&response_url),
        tail = cf_tail(),
    )
}

/// The page a locked account gets after the right password.
pub(crate) fn locked_page() -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="en" class="no-js">
    <head>
        <meta charset="utf-8">
        <title>Account Locked</title>
    </head>
    <body>
        <div id="GAuth-component">
            <h2>Account Locked</h2>
            <div id="status" class="error">Your account has been locked. Please use the "Forgot Password?" link to request a temporary password.</div>
        </div>
    {}</body>
</html>
"##,
        cf_tail()
    )
}

/// The page a child (parent-managed) account gets.
pub(crate) fn child_page() -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="en" class="no-js">
    <head>
        <meta charset="utf-8">
        <title>Unable to sign in</title>
    </head>
    <body>
        <div id="GAuth-component">
            <h2>Unable to Sign In</h2>
            <div class="error">This application is not available for customers with an account that is managed by a parent or guardian.</div>
        </div>
    {}</body>
</html>
"##,
        cf_tail()
    )
}

/// Spring's answer to a missing, stale or made-up CSRF value (HTTP 403), stamped at `now` (the
/// simulator's clock, Unix seconds) as Spring stamps it.
pub(crate) fn csrf_error_page(session_found: bool, now: i64) -> String {
    let detail = if session_found {
        "Invalid CSRF Token was found on the request parameter &#39;_csrf&#39; or header &#39;X-CSRF-TOKEN&#39;."
    } else {
        "Could not verify the provided CSRF token because your session was not found."
    };
    format!(
        "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p><div id='created'>{}</div><div>There was an unexpected error (type=Forbidden, status=403).</div><div>{detail}</div></body></html>",
        crate::timefmt::http_date(now)
    )
}

/// Cloudflare's managed challenge (HTTP 403).
pub(crate) fn cloudflare_challenge(host: &str) -> String {
    format!(
        r##"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{{box-sizing:border-box;margin:0;padding:0}}</style><meta http-equiv="refresh" content="390"></head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content"><noscript><div id="challenge-error-title"><div class="h2"><span class="icon-wrapper"><div class="heading-icon warning-icon"></div></span><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript></div></div><script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: "{host}",cType: 'managed',cNounce: '{nonce}',cRay: '{ray}',cHash: '{hash}',cUPMDTk: "\/?__cf_chl_tk={tk}",cFPWv: 'b',cTTimeMs: '1000',cMTimeMs: '390000',cTplV: 5,cTplB: 'cf',cK: "",fa: "\/?__cf_chl_f_tk={tk}",md: "{md}",cRq: {{ru: 'aHR0cHM6Ly9zc28uZ2FybWluLmNvbS8=',ra: 'TW96aWxsYS81LjA=',d: '{md}',t: 'MTcwMDAwMDAwMC4wMDAwMDA=',cT: Math.floor(Date.now() / 1000),m: 'x'}}}};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray={ray}';window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : location.hash;document.getElementsByTagName('head')[0].appendChild(cpo);}}());</script></body></html>"##,
        host = html_escape(host),
        nonce = random::digits(5),
        ray = random::hex_lower(8),
        hash = random::hex_lower(16),
        tk = random::alnum(43),
        md = random::alnum(64),
    )
}

/// Cloudflare-style 5xx page.
pub(crate) fn server_error_page(host: &str, code: u16) -> String {
    let reason = match code {
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway time-out",
        520 => "Web server is returning an unknown error",
        _ => "Server error",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<title>{host} | {code}: {reason}</title>\n<meta charset=\"UTF-8\" />\n</head>\n<body>\n<div id=\"cf-error-details\"><h1><span class=\"inline-block\">{reason}</span> <span class=\"code-label\">Error code {code}</span></h1><p>Cloudflare Ray ID: <strong>{}</strong></p></div>\n</body>\n</html>\n",
        random::hex_lower(8),
        host = html_escape(host),
    )
}

/// The mobile/portal single-page-app shell (`Garmin SSO Portal`).
/// With `form_action` it also carries a plain HTML form so a real browser or
/// web view can sign in against the simulator.
pub(crate) fn portal_shell(
    asset_prefix: &str,
    form_action: Option<&str>,
    notice: Option<&str>,
    mfa: bool,
) -> String {
    let form = match form_action {
        None => String::new(),
        Some(action) => {
            let notice = notice
                .map(|n| {
                    format!(
                        "<div id=\"status\" class=\"error\">{}</div>",
                        html_escape(n)
                    )
                })
                .unwrap_or_default();
            let fields = if mfa {
                r##"<label for="mfa-code">Security code</label>
            <input type="text" inputmode="numeric" id="mfa-code" name="mfa-code" autocomplete="one-time-code"/>"##
            } else {
                r##"<label for="email">Email</label>
            <input type="email" id="email" name="username" autocomplete="username"/>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password"/>"##
            };
            format!(
                r##"
        <noscript>JavaScript is disabled; the plain form below still works.</noscript>
        <form id="sim-login-form" method="post" action="{}">
            {notice}
            {fields}
            <button type="submit">{}</button>
        </form>"##,
                html_escape(action),
                if mfa { "Next" } else { "Sign In" }
            )
        }
    };
    let title = if mfa {
        "Enter MFA code for login"
    } else {
        "Garmin SSO Portal"
    };
    format!(
        r##"<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
    <head>
        <title>{title}</title>
        <meta charset="UTF-8">
        <meta name="description" content="Garmin SSO Portal">
        <script type="module" crossorigin src="/{asset_prefix}/assets/index-9c0317d11cf8cf70cbae211cab04890d.js"></script>
        <link rel="stylesheet" href="/{asset_prefix}/assets/index-93cdaf716a3b89c6dddacff0ab07ac76.css">
        <script>
            var GarminAppBootstrap = {{
                messages: {{"casLoginViewPageTitle":"GARMIN Authentication Application","loginEnterMfaCodePageTitle":"Enter MFA code for login","generalLoginInvalidUsernameOrPassword":"Invalid sign in. (Passwords are case sensitive.)","codeEntryInvalid":"Invalid code. Please enter a valid code."}}
            }};
        </script>
    </head>
    <body>
        <div id="root"></div>{form}
    </body>
</html>
"##
    )
}
