"""One secrets test for the Python bindings: planted secrets (passwords, MFA codes, a ticket, tokens
in broken JSON), every token of every session, and every secret the simulator saw on the wire
(cookies, tickets, bearer tokens, refresh tokens, codes) appear in no error (str, repr, message) and
no log line at TRACE, on every error path: each flow x token family x simulator fault on each
target, wrong passwords and codes, MFA under faults, refresh and API calls under faults and with
expired tokens, a Python transport whose failures quote the URL and body, broken token JSON, base
URLs with a password. The other tests check the logs of the paths that succeed."""

import json
import threading
import urllib.parse

import pytest

import garmin_sso as g
from conftest import MFA, PLAIN, UrllibTransport

WRONG_PASSWORD = "py-wrong-Pa55word-planted"
WRONG_CODE = "975310"
PLANTED_TICKET = "ST-0975310-plantedticket-cas"
TARGETS = ["widget_page", "widget_login", "mobile_page", "mobile_login", "portal_page", "portal_login",
           "consumer", "preauthorized", "exchange", "di_token", "it_token", "api"]
FAULTS = ["429&retry_after=7", "429_body", "403", "5xx&code=502", "malformed", "captcha"]
FLOWS = [g.Flow.WIDGET, g.Flow.MOBILE, g.Flow.PORTAL]
FAMILIES = [g.TokenPreference.LEGACY, g.TokenPreference.DI]
SECRET_FIELDS = {"password", "ticket", "service_ticket", "serviceTicket", "refresh_token", "mfa_token",
                 "mfaToken", "code", "mfa-code", "verificationCode", "_csrf", "oauth_token",
                 "oauth_signature", "serviceTicketId"}


class Sink(g.LogSink):
    def __init__(self):
        self.lines = []
        self.lock = threading.Lock()

    def log(self, level, target, message):
        with self.lock:
            self.lines.append(message)


class Tattler(UrllibTransport):
    """Every third request fails with the request quoted (URL plain and JSON-escaped, headers with
    cookies and Authorization, and the body when `with_body`), as careless host stacks do."""

    def __init__(self, with_body=False):
        super().__init__()
        self.n = 0
        self.with_body = with_body

    def send(self, request):
        self.n += 1
        if self.n % 3 == 0:
            headers = "; ".join(f"{h.name}: {h.value}" for h in request.headers())
            body = f" {request.body()!r}" if self.with_body else ""
            quoted = f"failed {json.dumps(request.url())}{body} {request.url()} {headers}"
            raise g.TransportFailure.Other(quoted)
        return super().send(request)


def test_no_secret_in_any_error_or_log_line(sim):
    sink = Sink()
    texts = []
    secrets = {PLAIN[1], MFA[1], MFA[2], WRONG_PASSWORD, WRONG_CODE, PLANTED_TICKET}

    def attempt(fn):
        try:
            return fn()
        except g.GarminError as e:
            texts.extend([str(e), repr(e), getattr(e, "message", "")])
            return None

    def keep_tokens(session):
        doc = json.loads(session.tokens_json())
        for part in doc.values():
            if isinstance(part, dict):
                for k, v in part.items():
                    if k in ("access_token", "refresh_token", "oauth_token_secret") and v:
                        secrets.add(v)

    def login(client, account, password):
        r = attempt(lambda: client.login(account[0], password))
        if isinstance(r, g.LoginResult.MFA_REQUIRED):
            attempt(lambda: r.challenge.submit(WRONG_CODE))
            s = attempt(lambda: r.challenge.submit(MFA[2]))
        elif isinstance(r, g.LoginResult.SIGNED_IN):
            s = r.session
        else:
            s = None
        if s is not None:
            keep_tokens(s)
        return s

    g.set_log_sink(sink, g.LogLevel.TRACE)
    try:
        kept = []
        for flow in FLOWS:
            for family in FAMILIES:
                client = g.GarminClient(sim.config(strategies=[flow], tokens=family), None)
                s = login(client, PLAIN, PLAIN[1])
                assert s is not None
                if flow == g.Flow.WIDGET:
                    kept.append(s)
                assert login(client, MFA, MFA[1]) is not None
                assert login(client, PLAIN, WRONG_PASSWORD) is None
                for target in TARGETS:
                    for fault in FAULTS:
                        sim.admin("POST", f"fault?target={target}&kind={fault}&times=always")
                        login(client, PLAIN, PLAIN[1])
                        login(client, MFA, MFA[1])
                        for k in kept:
                            attempt(k.refresh)
                            attempt(k.profile)
                        sim.admin("POST", "clear")
                        sim.admin("POST", "ratelimit/clear")
                tattling = g.GarminClient(sim.config(strategies=[flow], tokens=family), Tattler())
                for _ in range(3):
                    login(tattling, PLAIN, PLAIN[1])
                    login(tattling, MFA, MFA[1])
        sim.admin("POST", "expire?what=all")
        for k in kept:
            attempt(k.refresh)
            attempt(k.profile)
        client = g.GarminClient(sim.config(), None)
        for broken in (
            json.dumps({"schema_version": 1, "kind": WRONG_PASSWORD}),
            json.dumps({"schema_version": 1, "kind": "di", "di": {"access_token": WRONG_PASSWORD}}),
            json.dumps({"schema_version": WRONG_PASSWORD}),
            '{"oauth1":{"oauth_token_secret":"' + WRONG_PASSWORD + '","x":',
            json.dumps(WRONG_PASSWORD + "\u001b[31m"),
        ):
            attempt(lambda: client.restore_session(broken))
        attempt(lambda: client.exchange_webview(
            f"https://mobile.integration.garmin.com/gcm/android?ticket={PLANTED_TICKET}"))
        for base in (f"http://user:{WRONG_PASSWORD}@127.0.0.1:1/", f"http://127.0.0.1:1/?password={WRONG_PASSWORD}"):
            attempt(lambda: g.GarminClient(g.GarminConfig(base_url=base), None))
    finally:
        g.set_log_sink(None, g.LogLevel.TRACE)

    for r in sim.requests():
        for name, value in r["headers"]:
            if name.lower() == "cookie":
                secrets.update(v for _, _, v in (p.strip().partition("=") for p in value.split(";")))
            if name.lower() == "authorization" and value.startswith("Bearer "):
                secrets.add(value[len("Bearer "):])
        pairs = urllib.parse.parse_qsl(r["query"]) + urllib.parse.parse_qsl(r["body"])
        try:
            body = json.loads(r["body"])
            if isinstance(body, dict):
                pairs += [(k, v) for k, v in body.items() if isinstance(v, str)]
        except ValueError:
            pass
        secrets.update(v for k, v in pairs if k in SECRET_FIELDS)
    secrets = {s for s in secrets if len(s) >= 6}
    haystack = "\n".join(texts + sink.lines)
    leaks = [s[:3] for s in secrets if s in haystack]
    print(f"{len(texts) // 3} errors, {len(sink.lines)} log lines, {len(secrets)} secrets")
    assert len(texts) > 600, "the scenarios produced errors"
    assert sink.lines, "the sink saw log lines"
    assert not leaks, f"{len(leaks)} secrets leaked (first bytes {leaks[:5]})"


def test_a_transport_failure_quoting_the_mfa_body_keeps_the_code_out(sim):
    client = g.GarminClient(sim.config(strategies=[g.Flow.MOBILE]), Tattler(with_body=True))
    messages = []
    for _ in range(6):
        try:
            r = client.login(MFA[0], MFA[1])
            if isinstance(r, g.LoginResult.MFA_REQUIRED):
                for code in (WRONG_CODE, WRONG_CODE, WRONG_CODE):
                    try:
                        r.challenge.submit(code)
                    except g.GarminError as e:
                        messages.append(str(e))
        except g.GarminError as e:
            messages.append(str(e))
    assert any("verifyCode" in m for m in messages), "a verifyCode request failed in the transport"
    assert not any(WRONG_CODE in m for m in messages), [m for m in messages if WRONG_CODE in m][:1]
