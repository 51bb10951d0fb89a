"""Garmin Connect sign-in for Python: the uniffi bindings of libgarmin_sso.

    import garmin_sso as g

    client = g.GarminClient(g.GarminConfig(mobile_app=g.MobileApp.ANDROID), None)
    result = client.login("me@example.com", "password")
    if isinstance(result, g.LoginResult.MFA_REQUIRED):
        session = result.challenge.submit(input("code: "))
    else:
        session = result.session
    print(session.profile().display_name)
    saved = session.tokens_json()   # store like a password; client.restore_session(saved) later

Everything is importable from this package. It is generated (by uniffi, when the wheel is built) as
two modules of one native library, in `garmin_sso._native` beside that library: `garmin_sso_core` holds the enums the core defines for every language (`Flow`, `ErrorKind`,
`TokenPreference`, `TokenFamily`, `MobileApp`, `Domain`, `TransportErrorKind`), and
`garmin_sso_uniffi` the client, session, errors and callbacks.
"""

from ._native.garmin_sso_core import *  # noqa: F401,F403
# Second, so that its InternalError (raised by the library's calls) is the one exported; the core's
# module has no calls of its own.
from ._native.garmin_sso_uniffi import *  # noqa: F401,F403
from ._native import garmin_sso_core as _core, garmin_sso_uniffi as _uniffi

__all__ = sorted(set(_core.__all__) | set(_uniffi.__all__))
del _core, _uniffi
