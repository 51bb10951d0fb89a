"""Partner OAuth2 with PKCE (docs/partner.md) from Python: the person consents on the simulator's
page (played here with urllib), the app finishes with the redirect, calls the partner API and
refreshes; a declined consent and a forged callback are typed errors; the client secret never
reaches the token JSON or an error."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

import garmin_sso as g
from conftest import PLAIN, Simulator

CLIENT_ID, SECRET = "py-partner-app", "py-partner-secret-7c1d"
# Registered without a port: a loopback redirect URI matches any port (RFC 8252 §7.3).
REGISTERED = "http://127.0.0.1/callback"
REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture
def psim():
    s = Simulator(extra=["--partner-client", f"{CLIENT_ID},{SECRET},{REGISTERED}"])
    try:
        yield s
    finally:
        s.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def consent(sim, url, decision, password=PLAIN[1]):
    """What the person does in the browser; the Location Garmin redirects to."""
    with urllib.request.urlopen(url, timeout=10) as r:
        page = r.read().decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"request_id": request_id, "email": PLAIN[0], "password": password, "decision": decision}
    ).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(urllib.request.Request(sim.base_url + "/oauth2Confirm", data=form), timeout=10)
    assert answer.value.code == 302
    return answer.value.headers["Location"]


def client_for(sim, secret=SECRET):
    app = g.PartnerApp(client_id=CLIENT_ID, client_secret=secret, redirect_uri=REDIRECT, scope="ACTIVITY_EXPORT")
    return g.GarminClient(sim.config(partner=app), None)


def test_consent_finish_api_call_and_rotating_refresh(psim):
    client = client_for(psim)
    auth = client.partner_authorization()
    assert auth.url().startswith(psim.base_url + "/oauth2Confirm?")
    assert auth.redirect_uri() == REDIRECT
    callback = consent(psim, auth.url(), "allow")
    assert callback.startswith(REDIRECT + "?")

    session = auth.finish(callback)
    assert session.token_summary().family == g.TokenFamily.PARTNER
    assert json.loads(session.get_json("/wellness-api/rest/user/id", []))["userId"]
    saved = session.tokens_json()
    assert json.loads(saved)["kind"] == "partner"
    assert SECRET not in saved, "the app's secret is not part of the person's tokens"

    with pytest.raises(g.GarminError.SignInNeeded):
        auth.finish(callback)  # a code works once

    session.refresh()
    assert psim.stats()["partner_refreshes"] == 1
    assert session.tokens_json() != saved, "the rotated refresh token is kept"
    with pytest.raises(g.GarminError.SignInNeeded):
        client.restore_session(saved).refresh()  # the spent refresh token is dead
    restored = client_for(psim).restore_session(session.tokens_json())
    assert json.loads(restored.get_json("/wellness-api/rest/user/id", []))["userId"]


def test_declined_forged_and_misconfigured(psim):
    client = client_for(psim)
    auth = client.partner_authorization()
    denied = consent(psim, auth.url(), "deny")
    with pytest.raises(g.GarminError.AuthorizationDeclined) as e:
        auth.finish(denied)
    assert e.value.kind() == g.ErrorKind.AUTHORIZATION_DECLINED

    # A code stolen from one request: with a made-up state it is refused before anything is sent;
    # with another request's own state it reaches Garmin with the wrong PKCE verifier, which Garmin
    # refuses (and the code is spent for its rightful request too).
    victim, attacker = client.partner_authorization(), client.partner_authorization()
    stolen = consent(psim, victim.url(), "allow")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(stolen).query)["code"][0]
    with pytest.raises(g.GarminError.InvalidInput):
        attacker.finish(f"{REDIRECT}?code={code}&state=forged")
    attacker_state = urllib.parse.parse_qs(urllib.parse.urlparse(attacker.url()).query)["state"][0]
    with pytest.raises(g.GarminError.SignInNeeded):
        attacker.finish(f"{REDIRECT}?code={code}&state={attacker_state}")
    with pytest.raises(g.GarminError.SignInNeeded):
        victim.finish(stolen)
    assert psim.stats()["partner_token_grants"] == 0

    wrong = client_for(psim, secret="not-the-secret")
    attempt = wrong.partner_authorization()
    with pytest.raises(g.GarminError.InvalidInput) as e:
        attempt.finish(consent(psim, attempt.url(), "allow"))
    assert "not-the-secret" not in str(e.value)

    with pytest.raises(g.GarminError.InvalidInput):
        g.GarminClient(psim.config(), None).partner_authorization()
