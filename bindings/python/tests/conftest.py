"""Fixtures: a Garmin simulator in a subprocess (`garmin-sso simulate`), its admin API, and a
transport written in Python on urllib."""

import json
import os
import pathlib
import selectors
import socket
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

import garmin_sso as g

PLAIN = ("runner@example.com", "hunter22-plain")
MFA = ("mfa@example.com", "hunter22-mfa", "246810")
REPO = pathlib.Path(__file__).resolve().parents[3]


def _simulator_binary():
    explicit = os.environ.get("GARMIN_SSO_BIN")
    if explicit:
        return explicit
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    candidate = target / "release" / "garmin-sso"
    if not candidate.exists():
        pytest.fail(
            f"no simulator binary at {candidate}; build it (cargo build --release -p garmin-sso-cli) "
            "or set GARMIN_SSO_BIN"
        )
    return str(candidate)


class Simulator:
    """One `garmin-sso simulate` process; the first stdout line is its base URL."""

    def __init__(self, extra=()):
        accounts = [f"{PLAIN[0]}:{PLAIN[1]}", f"{MFA[0]}:{MFA[1]}:{MFA[2]}"]
        args = [_simulator_binary(), "simulate", "--listen", "127.0.0.1:0"]
        for a in accounts:
            args += ["--account", a]
        args += list(extra)
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        # A bound on start-up, not a synchronisation sleep: the line arrives as soon as it listens.
        if not sel.select(timeout=30):
            self.close()
            pytest.fail("the simulator printed no base URL within 30 s")
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.close()
            pytest.fail(f"the simulator did not start: first line {line!r}, stderr {err!r}")
        self.base_url = line

    def admin(self, method, path):
        req = urllib.request.Request(self.base_url + "/__sim/" + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def stats(self):
        return self.admin("GET", "stats")

    def requests(self):
        return self.admin("GET", "requests")

    def config(self, **kw):
        return g.GarminConfig(base_url=self.base_url, **kw)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()


@pytest.fixture
def sim():
    s = Simulator()
    try:
        yield s
    finally:
        s.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the library follows redirects itself (it owns the cookies)


class UrllibTransport(g.HttpTransport):
    """The app's HTTP stack, Python edition: urllib without redirects, cookies or proxies. Records
    which threads called it and which URLs (without query) it was asked for."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
        self.lock = threading.Lock()
        self.threads = set()
        self.paths = []

    def send(self, request):
        with self.lock:
            self.threads.add(threading.get_ident())
            self.paths.append(request.url().split("?")[0])
        req = urllib.request.Request(
            request.url(),
            data=request.body() if request.method() not in ("GET", "HEAD") else None,
            method=request.method(),
        )
        for h in request.headers():
            req.add_header(h.name, h.value)
        try:
            resp = self.opener.open(req, timeout=request.timeout_ms() / 1000)
        except urllib.error.HTTPError as e:  # 3xx (not followed), 4xx, 5xx: all are responses
            resp = e
        except socket.timeout as e:
            raise g.TransportFailure.Timeout(str(e)) from None
        except urllib.error.URLError as e:
            raise g.TransportFailure.Connect(str(e.reason)) from None
        except OSError as e:
            raise g.TransportFailure.Io(str(e)) from None
        with resp:
            body = resp.read(request.max_response_bytes() + 1)
            headers = [g.HttpHeader(name=k, value=v) for k, v in resp.headers.items()]
            return g.HttpResponse(status=resp.status, headers=headers, body=body)


@pytest.fixture
def py_transport():
    return UrllibTransport()
