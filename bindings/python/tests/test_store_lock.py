"""Tokens shared beyond one session: the app's store with its lock
(`GarminClient.resume_or_sign_in_with_lock`) and the library's own database store
(`DatabaseStore`, `resume_or_sign_in_from_database`). Two clients, one session each, over the same
tokens; the access token dies on the simulator and both sessions call the API at the same moment:
both calls succeed and the simulator counts exactly one DI refresh per round — the session holding
the lock refreshes and saves, the other waits, re-reads the store and adopts what was saved."""

import fcntl
import os
import threading

import pytest

import garmin_sso as g
from conftest import PLAIN

ROUNDS = 3


class SharedStore(g.TokenStore):
    """The app's storage, used from several threads at once."""

    def __init__(self):
        self.mu = threading.Lock()
        self.value = None
        self.saves = 0

    def load(self):
        with self.mu:
            return self.value

    def save(self, tokens_json):
        with self.mu:
            self.saves += 1
            self.value = tokens_json

    def clear(self):
        with self.mu:
            self.value = None


class FlockLock(g.TokenStoreLock):
    """flock(2) on a lock file, a descriptor per holder: excludes threads, sessions and processes
    alike, and the OS releases it when its holder dies."""

    def __init__(self, path):
        self.path = path
        self.mu = threading.Lock()
        self.fd = None
        self.taken = self.busy = self.unlocks = 0
        self.fail = False

    def try_lock(self):
        if self.fail:
            raise g.GarminError.Storage("the lock file's disk is gone")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            with self.mu:
                self.busy += 1
            return False
        with self.mu:
            assert self.fd is None, "flock gave the lock to two holders"
            self.fd = fd
            self.taken += 1
        return True

    def unlock(self):
        with self.mu:
            fd, self.fd = self.fd, None
            self.unlocks += 1
        os.close(fd)


class Prompt(g.CredentialsProvider):
    def __init__(self):
        self.asked = 0

    def credentials(self):
        self.asked += 1
        return g.Credentials(*PLAIN)

    def mfa_code(self, prompt):
        raise g.GarminError.MfaRequired("no MFA expected")


def one_refresh(sim, sessions, label):
    """Kills the access token, has every session call the API at once; one DI refresh in all."""
    before = sim.stats()["di_refreshes"]
    sim.admin("POST", "expire?what=access")
    start = threading.Barrier(len(sessions))
    results = [None] * len(sessions)

    def call(i):
        start.wait()
        try:
            results[i] = sessions[i].profile().display_name
        except g.GarminError as e:  # reported below, with the session's number
            results[i] = e

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, r in enumerate(results):
        assert isinstance(r, str) and r, f"{label}: session {i + 1} failed: {r!r}"
    refreshes = sim.stats()["di_refreshes"] - before
    assert refreshes == 1, f"{label}: {len(sessions)} sessions made {refreshes} refreshes"


def test_two_sessions_over_a_locked_app_store_refresh_once(sim, tmp_path):
    store, lock, prompt = SharedStore(), FlockLock(str(tmp_path / "tokens.lock")), Prompt()
    sessions = [
        g.GarminClient(sim.config(), None).resume_or_sign_in_with_lock(store, lock, prompt)
        for _ in range(2)
    ]
    assert prompt.asked == 1, "the second client resumed what the first saved"
    for round_ in range(1, ROUNDS + 1):
        saves = store.saves
        one_refresh(sim, sessions, f"round {round_}")
        assert store.saves == saves + 1, "the refreshed tokens were saved once"
    assert lock.fd is None and lock.unlocks == lock.taken >= ROUNDS
    assert all(s.tokens_json() == store.value for s in sessions), "both hold the stored tokens"


def test_a_failing_lock_is_a_storage_error_and_keeps_the_tokens(sim, tmp_path):
    store, lock = SharedStore(), FlockLock(str(tmp_path / "tokens.lock"))
    session = g.GarminClient(sim.config(), None).resume_or_sign_in_with_lock(store, lock, Prompt())
    stored = store.value
    lock.fail = True
    sim.admin("POST", "expire?what=access")
    with pytest.raises(g.GarminError.Storage) as e:
        session.profile()
    assert "disk is gone" in str(e.value)
    assert store.value == stored and session.tokens_json() == stored
    lock.fail = False
    assert session.profile().display_name, "the next call takes the lock and refreshes"


def test_two_clients_over_one_sqlite_file_refresh_once(sim, tmp_path):
    location = f"sqlite:{tmp_path / 'tokens.db'}"
    prompt = Prompt()
    stores = [g.DatabaseStore.open(location, "runner") for _ in range(2)]
    assert "tokens.db" in stores[0].name() and "runner" in stores[0].name()
    sessions = [
        g.GarminClient(sim.config(), None).resume_or_sign_in_from_database(s, prompt) for s in stores
    ]
    assert prompt.asked == 1, "the second client resumed what the first saved in the database"
    for round_ in range(1, ROUNDS + 1):
        one_refresh(sim, sessions, f"SQLite round {round_}")
    assert stores[1].load() == sessions[0].tokens_json() == sessions[1].tokens_json()
    stores[0].clear()
    assert stores[1].load() is None, "sign-out clears the row for every handle"


@pytest.mark.parametrize(
    "location,account,quoted",
    [
        ("mysql://app:Hunter2-db-pass@db/x", "runner", "mysql"),
        ("Hunter2-db-pass", "runner", "no scheme"),
        ("sqlite:/tmp/never.db", "", "account"),
    ],
)
def test_bad_database_locations_are_invalid_input_quoting_no_password(location, account, quoted):
    with pytest.raises(g.GarminError.InvalidInput) as e:
        g.DatabaseStore.open(location, account)
    assert quoted in str(e.value)
    assert "Hunter2-db-pass" not in str(e.value)
