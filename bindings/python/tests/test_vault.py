"""The credential vault (docs/vault.md) from Python: credentials sealed at rest, kept only after a
sign-in worked, and used again only when Garmin no longer accepts the stored session."""

import os
import shutil

import pytest

import garmin_sso as g
from conftest import MFA, PLAIN


class MemoryStore(g.TokenStore):
    def __init__(self):
        self.value = None

    def load(self):
        return self.value

    def save(self, tokens_json):
        self.value = tokens_json

    def clear(self):
        self.value = None


@pytest.fixture
def places(tmp_path):
    (tmp_path / "vault").mkdir()
    (tmp_path / "keys").mkdir()
    return str(tmp_path / "vault" / "vault.json"), str(tmp_path / "keys" / "vault.key")


def test_enroll_resume_revoke_and_remove(sim, places):
    path, key = places
    vault, store = g.Vault.open(path, key), MemoryStore()
    client = g.GarminClient(sim.config(), None)

    with pytest.raises(g.GarminError.InvalidCredentials):
        vault.enroll("runner", client, store, PLAIN[0], "wrong-password-1")
    assert vault.accounts() == [] and store.value is None, "a failed sign-in keeps nothing"

    assert vault.enroll("runner", client, store, *PLAIN).profile().display_name
    assert vault.accounts() == ["runner"] and store.value
    with open(path, encoding="utf-8") as f:
        sealed = f.read()
    assert PLAIN[0] not in sealed and PLAIN[1] not in sealed
    assert os.stat(key).st_mode & 0o777 == 0o600

    tickets = sim.stats()["tickets_issued"]
    assert vault.resume_or_sign_in("runner", client, store).profile().display_name
    assert sim.stats()["tickets_issued"] == tickets, "a live stored session needs no sign-in"

    sim.admin("POST", f"revoke?email={PLAIN[0]}")
    session = vault.resume_or_sign_in("runner", client, store)
    assert session.profile().display_name
    assert sim.stats()["tickets_issued"] == tickets + 1, "one sign-in with the stored credentials"
    assert store.value == session.tokens_json()

    vault.remove("runner", store)
    assert vault.accounts() == [] and store.value is None
    with pytest.raises(g.GarminError.SignInNeeded):
        vault.resume_or_sign_in("runner", client, store)


def test_an_account_that_needs_mfa_is_reported_and_not_kept(sim, places):
    vault, store = g.Vault.open(*places), MemoryStore()
    with pytest.raises(g.GarminError.MfaRequired):
        vault.enroll("m", g.GarminClient(sim.config(), None), store, MFA[0], MFA[1])
    assert vault.accounts() == [] and store.value is None


def test_wrong_key_rotation_and_a_key_inside_the_folder(places, tmp_path):
    path, key = places
    vault = g.Vault.open(path, key)
    vault.add("a", "a@example.com", "Hunter2-vault-pass")
    old_key = str(tmp_path / "keys" / "old.key")
    shutil.copy(key, old_key)

    vault.rotate_key()
    assert g.Vault.open(path, key).accounts() == ["a"], "the new key opens every entry"
    with pytest.raises(g.GarminError.Storage) as e:
        g.Vault.open(path, old_key)
    assert "Hunter2-vault-pass" not in str(e.value)

    with pytest.raises(g.GarminError.InvalidInput) as e:
        g.Vault.open(path, str(tmp_path / "vault" / "inside.key"))
    assert not os.path.exists(tmp_path / "vault" / "inside.key"), "no key written where data is served"
    assert "Hunter2-vault-pass" not in repr(vault)
