/* The credential vault through the C ABI against the simulator: a key inside the vault's folder
 * refused (INVALID_INPUT), a wrong key (STORAGE), NULL arguments, credentials kept and used to sign
 * in when no session is stored and again after Garmin revoked the session (/__sim/revoke), an MFA
 * account reported (MFA_REQUIRED), and remove wiping credentials and tokens (SIGN_IN_NEEDED). */
#include "test_util.h"

#include <curl/curl.h>

static void vault_paths(char *vault, char *key, size_t len) {
  tmp_path(vault, len, "vaultdir/vault.json");
  tmp_path(key, len, "vault.key");
}

static void refusals(void) {
  char vault[512], key[512], inside[512], other[512];
  vault_paths(vault, key, sizeof vault);
  tmp_path(inside, sizeof inside, "vaultdir/inside.key");
  tmp_path(other, sizeof other, "other.key");
  garmin_sso_vault *v = NULL;
  CHECK_STATUS(garmin_sso_vault_open(NULL, key, &v), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_vault_open(vault, inside, &v), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(v == NULL);
  CHECK_OK(garmin_sso_vault_open(vault, key, &v));
  CHECK_OK(garmin_sso_vault_add(v, "runner", PLAIN_EMAIL, PLAIN_PASSWORD));
  garmin_sso_vault_free(v);
  v = NULL;
  CHECK_STATUS(garmin_sso_vault_open(vault, other, &v), GARMIN_SSO_STATUS_STORAGE);
  CHECK(v == NULL);
}

static void resume_revoke_remove(void) {
  char vault[512], key[512], tokens[512];
  vault_paths(vault, key, sizeof vault);
  tmp_path(tokens, sizeof tokens, "vault-tokens.json");
  garmin_sso_vault *v = NULL;
  CHECK_OK(garmin_sso_vault_open(vault, key, &v));
  CHECK_OK(garmin_sso_vault_add(v, "runner", PLAIN_EMAIL, PLAIN_PASSWORD));
  CHECK_OK(garmin_sso_vault_add(v, "mfa", MFA_EMAIL, MFA_PASSWORD));
  garmin_sso_token_store *store = NULL;
  CHECK_OK(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, tokens, &store));
  garmin_sso_client *c = sim_client();
  garmin_sso_session *s = NULL;

  CHECK_OK(garmin_sso_vault_resume_or_sign_in(v, "runner", c, store, &s));
  garmin_sso_session_free(s);
  s = NULL;
  sim_admin("/__sim/revoke?email=" PLAIN_EMAIL);
  CHECK_OK(garmin_sso_vault_resume_or_sign_in(v, "runner", c, store, &s));
  char *json = NULL;
  CHECK_OK(garmin_sso_session_get_json(s, "/userprofile-service/socialProfile", &json));
  garmin_sso_string_free(json);
  garmin_sso_session_free(s);
  s = NULL;

  garmin_sso_token_store *mfa_store = NULL;
  tmp_path(tokens, sizeof tokens, "vault-mfa-tokens.json");
  CHECK_OK(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, tokens, &mfa_store));
  CHECK_STATUS(garmin_sso_vault_resume_or_sign_in(v, "mfa", c, mfa_store, &s),
               GARMIN_SSO_STATUS_MFA_REQUIRED);
  CHECK(s == NULL);

  CHECK_OK(garmin_sso_vault_remove(v, "runner", store));
  CHECK_STATUS(garmin_sso_vault_resume_or_sign_in(v, "runner", c, store, &s),
               GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  garmin_sso_token_store_free(mfa_store);
  garmin_sso_token_store_free(store);
  garmin_sso_client_free(c);
  garmin_sso_vault_free(v);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  refusals();
  resume_revoke_remove();
  curl_global_cleanup();
  printf("vault tests passed\n");
  return 0;
}
