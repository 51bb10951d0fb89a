"""What the configuration reaches on the wire, against the simulator: user agents, the iOS app
preset, per-host endpoints; the error table over the core's ErrorKind; the log sink and its filter."""

import inspect
import json
import threading

import pytest

import garmin_sso as g
from conftest import MFA, PLAIN
from test_garmin_sso import browser_sign_in, sign_in


def header(request, name):
    return next((v for k, v in request["headers"] if k.lower() == name.lower()), None)


def by_route(sim, route):
    found = [r for r in sim.requests() if r["route"] == route]
    assert found, f"no {route} request in {[r['route'] for r in sim.requests()]}"
    return found


def test_user_agents_reach_garmin(sim):
    client = g.GarminClient(
        sim.config(tokens=g.TokenPreference.DI, sso_user_agent="py-sso/1", api_user_agent="py-api/2"), None
    )
    session = sign_in(client)
    assert session.profile().display_name
    assert {header(r, "User-Agent") for r in by_route(sim, "mobile_login")} == {"py-sso/1"}
    assert {header(r, "User-Agent") for r in by_route(sim, "di_token")} == {"py-api/2"}
    assert {header(r, "User-Agent") for r in by_route(sim, "social_profile")} == {"py-api/2"}

    sim.admin("POST", "requests/clear")
    legacy = g.GarminClient(sim.config(tokens=g.TokenPreference.LEGACY, oauth_user_agent="py-oauth/3"), None)
    assert sign_in(legacy).profile().display_name
    for route in ("preauthorized", "exchange", "social_profile"):
        assert {header(r, "User-Agent") for r in by_route(sim, route)} == {"py-oauth/3"}, route


def test_the_ios_preset_signs_in_as_the_ios_app(sim):
    client = g.GarminClient(sim.config(mobile_app=g.MobileApp.IOS), None)
    assert client.webview_service_url() == "https://mobile.integration.garmin.com/gcm/ios"
    assert sign_in(client, MFA).profile().display_name
    login = by_route(sim, "mobile_login")[0]
    assert "clientId=GCM_IOS_DARK" in login["query"], login["query"]
    assert "gcm%2Fios" in login["query"], login["query"]

    url = client.browser_sign_in_url()
    assert "clientId=GCM_IOS_DARK" in url, url
    landed = browser_sign_in(url, {"username": PLAIN[0], "password": PLAIN[1]})
    assert landed.startswith(client.webview_service_url() + "?ticket=ST-"), landed
    assert client.exchange_webview(landed).profile().display_name
    # The Android preset stays the default.
    assert g.GarminClient(sim.config(), None).webview_service_url().endswith("/gcm/android")


def test_every_host_can_be_set_on_its_own(sim):
    hosts = dict(
        sso=sim.base_url,
        connectapi=sim.base_url,
        connect=sim.base_url,
        diauth=sim.base_url,
        services=sim.base_url,
        consumer_url=sim.base_url + "/oauth_consumer.json",
    )
    # No base_url: without every host pointed at the simulator, the sign-in would go to Garmin.
    config = g.GarminConfig(endpoints=g.Endpoints(**hosts), tokens=g.TokenPreference.LEGACY)
    session = sign_in(g.GarminClient(config, None))
    assert session.profile().display_name
    routes = {r["route"] for r in sim.requests()}
    assert {"consumer", "mobile_login", "preauthorized", "exchange", "social_profile"} <= routes, routes

    # One host elsewhere (a closed port), the rest at the simulator: that host is where sign-in goes.
    dead = dict(hosts, sso="http://127.0.0.1:9")
    logins = sim.stats()["requests"].get("mobile_login", 0)
    with pytest.raises(g.GarminError.Network):
        g.GarminClient(g.GarminConfig(endpoints=g.Endpoints(**dead), strategies=[g.Flow.MOBILE]), None).login(*PLAIN)
    assert sim.stats()["requests"].get("mobile_login", 0) == logins

    with pytest.raises(g.GarminError.InvalidInput):
        g.GarminClient(g.GarminConfig(endpoints=g.Endpoints(diauth="http://user:pw@127.0.0.1/")), None)


def test_every_error_kind_has_its_own_garmin_error_case():
    camel = lambda name: "".join(w.capitalize() for w in name.split("_"))
    cases = set()
    for kind in g.ErrorKind:
        case = getattr(g.GarminError, camel(kind.name))
        assert issubclass(case, g.GarminError)
        cases.add(case)
        fields = {f: None if f == "retry_after_seconds" else "m" for f in inspect.signature(case).parameters}
        assert case(**fields).kind() == kind
    assert len(cases) == len(list(g.ErrorKind))


class Recorder(g.LogSink):
    def __init__(self):
        self.records = []
        self.lock = threading.Lock()

    def log(self, level, target, message):
        with self.lock:
            self.records.append((level, target, message))


def test_the_log_sink_gets_the_library_records_without_secrets(sim):
    recorder = Recorder()
    g.set_log_sink(recorder, g.LogLevel.TRACE)
    try:
        session = sign_in(g.GarminClient(sim.config(tokens=g.TokenPreference.DI), None))
        session.refresh()
        tokens = json.loads(session.tokens_json())["di"]
    finally:
        g.set_log_sink(None, g.LogLevel.TRACE)
    assert any("refreshed" in m for _, _, m in recorder.records), recorder.records
    for level, target, message in recorder.records:
        assert target.startswith("garmin_sso") or level in (g.LogLevel.WARN, g.LogLevel.ERROR), target
        for secret in (PLAIN[1], tokens["access_token"], tokens["refresh_token"], "ticket=ST-"):
            assert secret not in message, message
    seen = len(recorder.records)
    sign_in(g.GarminClient(sim.config(), None)).refresh()
    assert len(recorder.records) == seen, "nothing after the sink was removed"
