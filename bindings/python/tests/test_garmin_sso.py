"""The Python bindings against the simulator: sign-in with and without MFA, wrong password, web-view
ticket exchange, refresh, upload, session JSON round-trip, and a urllib transport from several
threads."""

import html.parser
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

import garmin_sso as g
from conftest import MFA, PLAIN, UrllibTransport

FIT = b"\x0e\x10\x43\x08" + b"FIT-from-python" * 40


def client_for(sim, transport=None, **kw):
    return g.GarminClient(sim.config(**kw), transport)


def sign_in(client, account=PLAIN):
    result = client.login(account[0], account[1])
    if isinstance(result, g.LoginResult.MFA_REQUIRED):
        return result.challenge.submit(account[2])
    return result.session


@pytest.mark.parametrize("use_python_transport", [False, True], ids=["rust-transport", "python-transport"])
def test_sign_in_without_mfa(sim, use_python_transport):
    transport = UrllibTransport() if use_python_transport else None
    client = client_for(sim, transport)
    result = client.login(*PLAIN)
    assert isinstance(result, g.LoginResult.SIGNED_IN), result
    session = result.session
    summary = session.token_summary()
    assert summary.family in (g.TokenFamily.DI, g.TokenFamily.LEGACY)
    assert summary.expires_at > 0
    assert session.profile().display_name
    if transport:
        assert any(p.endswith("/mobile/api/login") for p in transport.paths), transport.paths
    else:
        assert sim.stats()["requests"].get("mobile_login", 0) >= 1


def test_sign_in_with_mfa_returns_a_challenge_that_survives_a_wrong_code(sim):
    client = client_for(sim)
    result = client.login(MFA[0], MFA[1])
    assert isinstance(result, g.LoginResult.MFA_REQUIRED), result
    challenge = result.challenge
    assert challenge.flow() == g.Flow.MOBILE
    assert isinstance(challenge.method(), g.MfaMethod.EMAIL)
    with pytest.raises(g.GarminError.MfaCodeRejected):
        challenge.submit("000000")
    session = challenge.submit(MFA[2])
    assert session.profile().display_name
    # A completed challenge cannot be used again.
    with pytest.raises(g.GarminError.MfaChallengeEnded):
        challenge.submit(MFA[2])


def test_wrong_password_is_invalid_credentials_and_the_message_has_no_password(sim):
    client = client_for(sim)
    with pytest.raises(g.GarminError.InvalidCredentials) as info:
        client.login(PLAIN[0], "wrong-password-x9")
    assert "wrong-password-x9" not in str(info.value) + repr(info.value)


def test_empty_password_is_invalid_input(sim):
    with pytest.raises(g.GarminError.InvalidInput) as info:
        client_for(sim).login(PLAIN[0], "")
    assert "password" in info.value.message


def test_rate_limit_carries_retry_after(sim):
    sim.admin("POST", "fault?target=mobile_login&kind=429&retry_after=17&times=always")
    client = client_for(sim, strategies=[g.Flow.MOBILE])
    with pytest.raises(g.GarminError.RateLimited) as info:
        client.login(*PLAIN)
    assert info.value.retry_after_seconds == 17
    assert info.value.kind() == g.ErrorKind.RATE_LIMITED


class _FormFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "sim-login-form":
            self.action = a.get("action")
        if tag == "input" and a.get("name"):
            self.fields.append(a["name"])


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def browser_sign_in(url, answers):
    """What a web view does: load the page, fill the form (username/password, then mfa-code), and
    stop at the redirect to the app's service URL, returning where it pointed."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar), _Stop()
    )
    page_url = url
    with browser.open(page_url, timeout=10) as r:
        page = r.read().decode()
    for _ in range(3):
        form = _FormFinder()
        form.feed(page)
        assert form.action, page[:500]
        data = urllib.parse.urlencode({f: answers[f] for f in form.fields if f in answers}).encode()
        target = urllib.parse.urljoin(page_url, form.action)
        try:
            with browser.open(urllib.request.Request(target, data=data), timeout=10) as r:
                page, page_url = r.read().decode(), target
        except urllib.error.HTTPError as e:
            if e.code in (301, 302, 303):
                return e.headers["Location"]
            raise
    raise AssertionError("the web view never redirected to the service URL")


def test_web_view_sign_in_exchanges_the_ticket(sim):
    client = client_for(sim)
    url = client.browser_sign_in_url()
    assert url.startswith(sim.base_url + "/mobile/sso/en_US/sign-in?"), url
    assert "clientId=GCM_ANDROID_DARK" in url
    landed = browser_sign_in(url, {"username": PLAIN[0], "password": PLAIN[1]})
    assert "ticket=ST-" in landed, landed
    session = client.exchange_webview(landed)
    assert session.profile().display_name
    # The ticket is single-use.
    with pytest.raises(g.GarminError):
        client.exchange_webview(landed)


def test_web_view_sign_in_with_mfa(sim):
    client = client_for(sim)
    landed = browser_sign_in(
        client.browser_sign_in_url(), {"username": MFA[0], "password": MFA[1], "mfa-code": MFA[2]}
    )
    assert client.exchange_webview(landed).profile().display_name


def test_web_view_without_a_ticket_is_invalid_input(sim):
    # No ticket yet: the app keeps watching the web view's navigations.
    with pytest.raises(g.GarminError.InvalidInput) as info:
        client_for(sim).exchange_webview("https://mobile.integration.garmin.com/gcm/android?error=cancelled")
    assert "ticket" in info.value.message


class Listener(g.RefreshListener):
    def __init__(self):
        self.saved = []

    def on_refresh(self, tokens_json):
        self.saved.append(tokens_json)


@pytest.mark.parametrize("tokens", [g.TokenPreference.DI, g.TokenPreference.LEGACY], ids=["di", "legacy"])
def test_refresh_explicit_and_after_a_401_tells_the_listener(sim, tokens):
    client = client_for(sim, tokens=tokens)
    session = sign_in(client)
    expected = g.TokenFamily.DI if tokens == g.TokenPreference.DI else g.TokenFamily.LEGACY
    assert session.token_summary().family == expected
    listener = Listener()
    session.set_refresh_listener(listener)
    counter = "di_refreshes" if tokens == g.TokenPreference.DI else "legacy_refreshes"
    before = sim.stats()[counter]

    first = session.tokens_json()
    session.refresh()
    assert sim.stats()[counter] == before + 1
    assert len(listener.saved) == 1
    assert listener.saved[0] == session.tokens_json() != first

    # The server forgets the access token: the next call gets a 401, refreshes once, retries once.
    sim.admin("POST", "expire?what=access")
    assert session.profile().display_name
    assert sim.stats()[counter] == before + 2
    assert len(listener.saved) == 2


def test_refresh_after_the_refresh_token_expired_needs_sign_in(sim):
    session = sign_in(client_for(sim, tokens=g.TokenPreference.DI))
    kept = session.tokens_json()
    sim.admin("POST", "expire?what=all")
    with pytest.raises(g.GarminError.SignInNeeded):
        session.refresh()
    assert session.tokens_json() == kept


def test_a_throwing_listener_does_not_break_refresh(sim):
    class Broken(g.RefreshListener):
        def on_refresh(self, tokens_json):
            raise RuntimeError("disk full")

    session = sign_in(client_for(sim))
    session.set_refresh_listener(Broken())
    old = session.tokens_json()
    session.refresh()
    assert session.tokens_json() != old


def test_upload_bytes_and_path_and_duplicate(sim, tmp_path):
    session = sign_in(client_for(sim))
    result = session.upload_fit("ride.fit", FIT)
    assert result.upload_id is not None
    assert len(result.successes) == 1 and not result.failures
    assert "detailedImportResult" in result.raw

    with pytest.raises(g.GarminError.DuplicateActivity) as info:
        session.upload_fit("ride.fit", FIT)
    assert "Duplicate Activity" in info.value.response

    path = tmp_path / "run.fit"
    path.write_bytes(FIT + b"another activity")
    result = session.upload_fit_path(str(path))
    assert len(result.successes) == 1
    stats = sim.stats()
    assert stats["uploads"] == 2 and stats["duplicate_uploads"] == 1

    with pytest.raises(g.GarminError):
        session.upload_fit_path(str(tmp_path / "missing.fit"))


def test_api_request_and_get_json(sim):
    session = sign_in(client_for(sim))
    r = session.request(g.ApiRequest(path="/userprofile-service/socialProfile"))
    assert r.status == 200
    assert json.loads(r.body)["displayName"] == session.profile().display_name
    assert json.loads(session.get_json("/userprofile-service/socialProfile"))["displayName"]
    missing = session.request(g.ApiRequest(method="GET", path="/no-such-service/x"))
    assert missing.status == 404
    with pytest.raises(g.GarminError.InvalidInput):
        session.request(g.ApiRequest(method="TELEPORT", path="/x"))


def test_session_json_round_trip(sim):
    client = client_for(sim)
    session = sign_in(client, MFA)
    saved = session.tokens_json()
    doc = json.loads(saved)
    assert doc["schema_version"] == 1
    assert doc["kind"] in ("di", "legacy")

    # A new process would build a new client; the stored string is all it needs.
    restored = client_for(sim).restore_session(saved)
    assert restored.tokens_json() == saved
    assert restored.token_summary() == session.token_summary()
    assert restored.profile().display_name == session.profile().display_name

    with pytest.raises(g.GarminError.InvalidInput) as info:
        client.restore_session('{"access_token": "SECRET-VALUE-123"')
    assert "SECRET-VALUE-123" not in str(info.value)


def test_python_transport_from_several_threads(sim):
    transport = UrllibTransport()
    client = client_for(sim, transport)
    n = 6
    barrier = threading.Barrier(n)
    names, errors = [], []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait(timeout=30)
            account = MFA if i % 2 else PLAIN
            session = sign_in(client, account)
            name = session.profile().display_name
            session.upload_fit(f"t{i}.fit", FIT + bytes([i]))
            with lock:
                names.append((account[0], name))
        except Exception as e:  # reported below; a thread's exception would otherwise vanish
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(names) == n
    assert len({name for email, name in names if email == PLAIN[0]}) == 1
    assert len(transport.threads) >= n, "each thread's calls go through the Python transport on that thread"
    assert all(p.startswith(sim.base_url) for p in transport.paths)
    assert sim.stats()["uploads"] == n


def test_transport_failures_become_typed_errors_not_crashes(sim):
    class Throws(g.HttpTransport):
        def send(self, request):
            raise ValueError("host stack exploded at " + request.url())

    class Refuses(g.HttpTransport):
        def send(self, request):
            raise g.TransportFailure.Connect("connection refused")

    class Slow(g.HttpTransport):
        def send(self, request):
            raise g.TransportFailure.Timeout("read timed out")

    strategies = [g.Flow.MOBILE]
    # Not a TransportFailure: the library still gets no answer, and says what the app threw.
    with pytest.raises(g.GarminError.Network) as info:
        client_for(sim, Throws(), strategies=strategies).login(*PLAIN)
    assert "the app's transport threw" in info.value.message
    assert "ValueError" in info.value.message
    with pytest.raises(g.GarminError.Network) as info:
        client_for(sim, Refuses(), strategies=strategies).login(*PLAIN)
    assert "connection refused" in info.value.message
    with pytest.raises(g.GarminError.Timeout):
        client_for(sim, Slow(), strategies=strategies).login(*PLAIN)
    # With the whole default chain (the mobile flow as each app, then widget and portal), every
    # entry fails the same way: a network failure, in which each entry says why, in the order tried.
    with pytest.raises(g.GarminError.Network) as info:
        client_for(sim, Refuses()).login(*PLAIN)
    message = info.value.message
    assert message.startswith("all sign-in strategies failed: "), message
    entries = ("mobile/ios", "mobile/android", "widget", "portal")
    positions = [message.index(f"{entry}: network error: ") for entry in entries]
    assert positions == sorted(positions), message
    assert message.count("connection refused") == len(entries), message


def test_requests_print_without_secrets(sim):
    seen = []

    class Recorder(UrllibTransport):
        def send(self, request):
            seen.append((str(request), repr(request), request.body(), request.url()))
            return super().send(request)

    sign_in(client_for(sim, Recorder(), strategies=[g.Flow.MOBILE]))
    login = [s for s in seen if "/mobile/api/login" in s[3]]
    assert login and PLAIN[1].encode() in login[0][2], "the password is in the body sent"
    for printed, debug, _, _ in seen:
        assert PLAIN[1] not in printed and PLAIN[1] not in debug
        assert "ticket=" not in printed and "ticket=" not in debug


def test_bad_config_is_refused(sim):
    with pytest.raises(g.GarminError.InvalidInput) as info:
        g.GarminClient(g.GarminConfig(base_url="ftp://example.com"), None)
    assert info.value.message.startswith("invalid configuration: "), info.value.message
    with pytest.raises(g.GarminError.InvalidInput) as info:
        g.GarminClient(g.GarminConfig(base_url=sim.base_url, timeout_seconds=0), None)
    assert "timeout" in info.value.message


def test_a_chain_rate_limited_everywhere_is_a_rate_limit(sim):
    # A throttled IP meets 429 on every sign-in endpoint; the app must learn "wait", and for how long.
    sim.admin("POST", "fault?target=mobile_login&kind=429&retry_after=20&times=always")
    sim.admin("POST", "fault?target=widget_login&kind=429&retry_after=45&times=always")
    sim.admin("POST", "fault?target=portal_login&kind=429_body&times=always")
    with pytest.raises(g.GarminError.RateLimited) as info:
        client_for(sim).login(*PLAIN)
    assert info.value.retry_after_seconds == 45
