"""The app's clock, token store and credentials provider written in Python, against the simulator:
refresh ahead of expiry judged by the app's clock (shared with the simulator's), and
`GarminClient.resume_or_sign_in` from an empty, a valid, a dead and an unreadable store."""

import json

import pytest

import garmin_sso as g
from conftest import MFA, PLAIN

SIGN_IN_ROUTES = ("mobile_login", "sso_signin_post", "portal_login")


class SimClock(g.GarminClock):
    """The app's clock reading the simulator's, so both agree on "now" without sleeping."""

    def __init__(self, sim):
        self.sim = sim
        self.readings = 0

    def now_unix_seconds(self):
        self.readings += 1
        return self.sim.admin("GET", "clock")["now"]


class Listener(g.RefreshListener):
    def __init__(self):
        self.saved = []

    def on_refresh(self, tokens_json):
        self.saved.append(tokens_json)


def sign_in(client, account=PLAIN):
    result = client.login(account[0], account[1])
    if isinstance(result, g.LoginResult.MFA_REQUIRED):
        return result.challenge.submit(account[2])
    return result.session


def access_token(session):
    return json.loads(session.tokens_json())["di"]["access_token"]


def routes(sim):
    return [r["route"] for r in sim.requests()]


def authorization(request):
    return next(v for k, v in request["headers"] if k.lower() == "authorization")


def sign_in_count(sim):
    counts = sim.stats()["requests"]
    return sum(counts.get(r, 0) for r in SIGN_IN_ROUTES)


# Seconds past "expires_at minus the 300 s margin": inside the margin (the server still takes the old
# token, so only the client's clock can trigger the refresh) and past expiry itself (the old token
# would get a 401, which must not happen: the refresh comes first).
@pytest.mark.parametrize("past_margin", [240, 300 + 3600], ids=["inside-margin", "past-expiry"])
def test_the_app_clock_refreshes_ahead_of_expiry_before_the_call(sim, past_margin):
    clock = SimClock(sim)
    client = g.GarminClient(sim.config(tokens=g.TokenPreference.DI), None, clock)
    session = sign_in(client)
    listener = Listener()
    session.set_refresh_listener(listener)
    old = access_token(session)
    before = sim.stats()["di_refreshes"]

    remaining = session.token_summary().expires_at - clock.now_unix_seconds()
    sim.admin("POST", f"clock/advance?secs={remaining - 300 + past_margin}")
    sim.admin("POST", "requests/clear")
    assert session.profile().display_name

    log = sim.requests()
    assert [r["route"] for r in log] == ["di_token", "social_profile"], "one refresh, then one call"
    assert "grant_type=refresh_token" in log[0]["body"]
    assert sim.stats()["di_refreshes"] == before + 1
    new = access_token(session)
    assert new != old
    assert authorization(log[1]) == f"Bearer {new}", "the only API call carried the new token"
    assert listener.saved == [session.tokens_json()]
    assert clock.readings > 1


def test_without_the_app_clock_the_same_moment_is_not_a_reason_to_refresh(sim):
    # The contrast to the test above: the system clock has not moved, so the client does not refresh
    # and the server, still inside the token's lifetime, takes the old token.
    client = g.GarminClient(sim.config(tokens=g.TokenPreference.DI), None)
    session = sign_in(client)
    old = access_token(session)
    now = sim.admin("GET", "clock")["now"]
    sim.admin("POST", f"clock/advance?secs={session.token_summary().expires_at - now - 60}")
    sim.admin("POST", "requests/clear")
    assert session.profile().display_name
    assert routes(sim) == ["social_profile"]
    assert access_token(session) == old


def test_a_throwing_clock_falls_back_to_the_system_clock(sim):
    class Broken(g.GarminClock):
        def now_unix_seconds(self):
            raise RuntimeError("no time today")

    session = sign_in(g.GarminClient(sim.config(), None, Broken()))
    assert session.profile().display_name


class MemoryStore(g.TokenStore):
    """The app's storage (Keystore, Keychain, a database) in memory."""

    def __init__(self, value=None):
        self.value = value
        self.saves = []
        self.loads = 0

    def load(self):
        self.loads += 1
        return self.value

    def save(self, tokens_json):
        self.saves.append(tokens_json)
        self.value = tokens_json

    def clear(self):
        self.value = None


class Prompt(g.CredentialsProvider):
    """The app's sign-in screen: fixed answers, recording what it was asked."""

    def __init__(self, email, password, codes=()):
        self.email, self.password = email, password
        self.codes = list(codes)
        self.credential_calls = 0
        self.prompts = []

    def credentials(self):
        self.credential_calls += 1
        return g.Credentials(self.email, self.password)

    def mfa_code(self, prompt):
        self.prompts.append(prompt)
        if not self.codes:
            raise g.GarminError.MfaRequired("the user cancelled")  # the code prompt
        return self.codes.pop(0)


def test_resume_with_nothing_stored_signs_in_with_mfa_and_saves(sim):
    store = MemoryStore()
    prompt = Prompt(MFA[0], MFA[1], codes=["000000", MFA[2]])
    session = g.GarminClient(sim.config(), None).resume_or_sign_in(store, prompt)

    assert prompt.credential_calls == 1
    assert [p.attempt for p in prompt.prompts] == [1, 2], "a rejected code is asked for again"
    assert isinstance(prompt.prompts[0].method, g.MfaMethod.EMAIL)
    assert prompt.prompts[0].flow == g.Flow.MOBILE
    assert store.saves == [session.tokens_json()]
    assert session.profile().display_name


def test_resume_with_a_valid_stored_session_makes_no_sign_in_request(sim):
    stored = sign_in(g.GarminClient(sim.config(), None)).tokens_json()
    store = MemoryStore(stored)
    prompt = Prompt(*PLAIN)
    before = sim.stats()

    session = g.GarminClient(sim.config(), None).resume_or_sign_in(store, prompt)

    after = sim.stats()
    assert after["requests_total"] == before["requests_total"], "nothing was sent at all"
    assert sign_in_count(sim) == sum(before["requests"].get(r, 0) for r in SIGN_IN_ROUTES)
    assert prompt.credential_calls == 0
    assert store.loads == 1 and store.saves == []
    assert session.tokens_json() == stored
    assert session.profile().display_name


def test_resume_when_the_stored_session_cannot_be_refreshed_signs_in_again(sim):
    clock = SimClock(sim)
    client = g.GarminClient(sim.config(tokens=g.TokenPreference.DI), None, clock)
    stored = sign_in(client).tokens_json()
    # Garmin forgets every token, and the app starts again after the access token expired: the
    # stored session needs a refresh, which Garmin refuses.
    sim.admin("POST", "expire?what=all")
    expires_at = json.loads(stored)["di"]["expires_at"]
    sim.admin("POST", f"clock/advance?secs={expires_at - clock.now_unix_seconds() + 60}")
    sim.admin("POST", "requests/clear")
    store = MemoryStore(stored)
    prompt = Prompt(*PLAIN)
    refreshes = sim.stats()["di_refreshes"]

    session = client.resume_or_sign_in(store, prompt)

    log = sim.requests()
    first = log[0]
    assert first["route"] == "di_token" and "grant_type=refresh_token" in first["body"], log[0]["route"]
    assert "mobile_login" in [r["route"] for r in log[1:]]
    assert sim.stats()["di_refreshes"] == refreshes, "the refresh was refused"
    assert prompt.credential_calls == 1
    assert store.saves == [session.tokens_json()] and store.value != stored
    assert session.profile().display_name


def test_resume_with_a_wrong_password_is_invalid_credentials_and_saves_nothing(sim):
    store = MemoryStore()
    with pytest.raises(g.GarminError.InvalidCredentials) as info:
        g.GarminClient(sim.config(), None).resume_or_sign_in(store, Prompt(PLAIN[0], "wrong-pw-x7"))
    assert "wrong-pw-x7" not in str(info.value) + repr(info.value)
    assert store.saves == [] and store.value is None


def test_unreadable_stored_json_counts_as_nothing_stored(sim):
    store = MemoryStore('{"schema_version": 1, "kind": "di", "di": ')
    prompt = Prompt(*PLAIN)
    session = g.GarminClient(sim.config(), None).resume_or_sign_in(store, prompt)
    assert prompt.credential_calls == 1
    assert store.value == session.tokens_json()


def test_what_the_app_throws_comes_back_as_typed_errors(sim):
    client = g.GarminClient(sim.config(), None)

    class LockedStore(MemoryStore):
        def load(self):
            raise OSError("keystore locked")

    with pytest.raises(g.GarminError.Storage) as info:
        client.resume_or_sign_in(LockedStore(), Prompt(*PLAIN))
    assert "keystore locked" in info.value.message

    class FullStore(MemoryStore):
        def save(self, tokens_json):
            raise g.GarminError.Storage("disk full")

    with pytest.raises(g.GarminError.Storage) as info:
        client.resume_or_sign_in(FullStore(), Prompt(*PLAIN))
    assert info.value.message == "token storage: disk full"

    class Crashing(Prompt):
        def credentials(self):
            raise ValueError("vault unavailable")

    # Not a GarminError: the app's provider is unusable as passed.
    with pytest.raises(g.GarminError.InvalidInput) as info:
        client.resume_or_sign_in(MemoryStore(), Crashing(*PLAIN))
    assert "vault unavailable" in info.value.message

    cancelled = MemoryStore()
    with pytest.raises(g.GarminError.MfaRequired) as info:
        client.resume_or_sign_in(cancelled, Prompt(MFA[0], MFA[1], codes=[]))
    assert info.value.message == "the user cancelled", "the provider's own error comes back as is"
    assert cancelled.saves == []


def test_credentials_print_without_the_password():
    c = g.Credentials("me@example.com", "hunter2-secret-pw")
    assert c.email() == "me@example.com"
    for printed in (str(c), repr(c)):
        assert "hunter2-secret-pw" not in printed
        assert "me@example.com" in printed
