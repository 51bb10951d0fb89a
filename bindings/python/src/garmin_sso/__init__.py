"""Garmin Connect sign-in for Python: the uniffi bindings of libgarmin_sso.

    from garmin_sso import GarminClient, GarminConfig, LoginResult

    client = GarminClient(GarminConfig(), None)
    result = client.login("me@example.com", "password")
    if isinstance(result, LoginResult.MFA_REQUIRED):
        session = result.challenge.submit(input("code: "))
    else:
        session = result.session
    print(session.profile().display_name)
    saved = session.tokens_json()   # store like a password; client.restore_session(saved) later
"""

from .garmin_sso_uniffi import *  # noqa: F401,F403 — the generated module is the API
from .garmin_sso_uniffi import __all__  # noqa: F401
