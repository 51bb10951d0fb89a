/* garmin_sso_resume_or_sign_in over an app's own token storage (callbacks over a string in memory,
 * as a keychain or QSettings would hold it) and its credentials prompt (callbacks answering email,
 * password and MFA code): the first run signs in through the callbacks and saves the tokens, the
 * next run resumes without asking; MFA with a rejected code first; refreshes are saved to the app's
 * store; a dead stored session or unreadable stored JSON leads to a new sign-in; declined callbacks,
 * failing storage and misused setters give their statuses. Plus a file store, and the iOS app preset,
 * checked in the simulator's request log. */
#include "test_util.h"

#include <curl/curl.h>

/* ---- the app's token storage: one string in memory ---- */
typedef struct {
  char *json;  /* what is stored, or NULL */
  int loads, saves, clears;
  int fail_load, fail_save;
  const char *garbage; /* when set, load hands this over instead */
} app_store;

static int store_load(void *user_data, garmin_sso_loaded_tokens *loaded) {
  app_store *st = user_data;
  st->loads++;
  if (st->fail_load) return 5;
  const char *json = st->garbage ? st->garbage : st->json;
  if (json && garmin_sso_loaded_tokens_set_json(loaded, json) != GARMIN_SSO_STATUS_OK) return 1;
  return 0;
}

static void store_forget(app_store *st) {
  if (st->json) memset(st->json, 0, strlen(st->json)); /* it held tokens */
  free(st->json);
  st->json = NULL;
}

static int store_save(void *user_data, const char *tokens_json) {
  app_store *st = user_data;
  st->saves++;
  if (st->fail_save) return 7;
  store_forget(st);
  st->json = strdup(tokens_json);
  return st->json ? 0 : 1;
}

static int store_clear(void *user_data) {
  app_store *st = user_data;
  st->clears++;
  store_forget(st);
  return 0;
}

/* Every `..._expires_at` in the stored JSON set to 1 (1970): tokens the library must judge dead
 * without asking Garmin. */
static void age_stored(app_store *st) {
  const char *key = "expires_at\":";
  char *out = calloc(strlen(st->json) + 1, 1);
  CHECK(out != NULL);
  const char *in = st->json;
  char *o = out;
  int aged = 0;
  while (*in) {
    if (strncmp(in, key, strlen(key)) == 0) {
      memcpy(o, key, strlen(key));
      o += strlen(key);
      in += strlen(key);
      while (*in == ' ') in++;
      while (*in >= '0' && *in <= '9') in++;
      *o++ = '1';
      aged++;
    } else {
      *o++ = *in++;
    }
  }
  CHECK(aged >= 2);
  store_forget(st);
  st->json = out;
}

static garmin_sso_token_store *new_app_store(app_store *st) {
  garmin_sso_token_store_callbacks cb = {store_load, store_save, store_clear};
  garmin_sso_token_store *store = NULL;
  CHECK_OK(garmin_sso_token_store_new_callbacks(&cb, st, &store));
  return store;
}

/* ---- the app's credentials prompt ---- */
typedef struct {
  const char *email, *password;
  const char *codes[4]; /* answered in turn */
  int asked_credentials, asked_codes;
  int decline_credentials, forget_to_answer, misuse_setter;
  char method[32], sent_to[128];
  uint32_t flow, last_attempt;
  garmin_sso_status misuse_status;
} app_prompt;

static int ask_credentials(void *user_data, garmin_sso_credentials *credentials) {
  app_prompt *p = user_data;
  p->asked_credentials++;
  if (p->decline_credentials) return 1;
  if (p->forget_to_answer) return 0;
  if (p->misuse_setter) p->misuse_status = garmin_sso_credentials_set_mfa_code(credentials, "123456");
  char password[64]; /* the app's own copy, wiped once handed over */
  snprintf(password, sizeof password, "%s", p->password);
  garmin_sso_status s = garmin_sso_credentials_set_login(credentials, p->email, password);
  memset(password, 0, sizeof password);
  return s == GARMIN_SSO_STATUS_OK ? 0 : 1;
}

static int ask_mfa_code(void *user_data, const garmin_sso_mfa_prompt *prompt, garmin_sso_credentials *credentials) {
  app_prompt *p = user_data;
  CHECK(prompt != NULL && prompt->method != NULL);
  snprintf(p->method, sizeof p->method, "%s", prompt->method);
  snprintf(p->sent_to, sizeof p->sent_to, "%s", prompt->code_sent_to ? prompt->code_sent_to : "");
  p->flow = prompt->flow;
  p->last_attempt = prompt->attempt;
  const char *code = p->codes[p->asked_codes++];
  if (!code) return 1; /* the user cancelled */
  if (p->misuse_setter)
    p->misuse_status = garmin_sso_credentials_set_login(credentials, "x@example.com", "pw");
  return garmin_sso_credentials_set_mfa_code(credentials, code) == GARMIN_SSO_STATUS_OK ? 0 : 1;
}

static const garmin_sso_credentials_callbacks PROMPT = {ask_credentials, ask_mfa_code};

static char *display_name(const garmin_sso_session *s) {
  char *name = NULL;
  CHECK_OK(garmin_sso_session_display_name(s, &name));
  return name;
}

static void expect_name(const garmin_sso_session *s, const char *want) {
  char *name = display_name(s);
  if (strcmp(name, want) != 0) FAIL("signed in as %s, expected %s", name, want);
  garmin_sso_string_free(name);
}

static garmin_sso_session *resume(const garmin_sso_client *c, const garmin_sso_token_store *store,
                                  const garmin_sso_credentials_callbacks *cb, app_prompt *p) {
  garmin_sso_session *s = NULL;
  CHECK_OK(garmin_sso_resume_or_sign_in(c, store, cb, p, &s));
  CHECK(s != NULL);
  return s;
}

static garmin_sso_status resume_fails(const garmin_sso_client *c, const garmin_sso_token_store *store,
                                      const garmin_sso_credentials_callbacks *cb, app_prompt *p) {
  garmin_sso_session *s = (garmin_sso_session *)0x5a5a;
  garmin_sso_status st = garmin_sso_resume_or_sign_in(c, store, cb, p, &s);
  CHECK(st != GARMIN_SSO_STATUS_OK && s == (garmin_sso_session *)0x5a5a); /* untouched on failure */
  CHECK(strlen(garmin_sso_last_error_message()) > 0);
  return st;
}

static void plain_account(const garmin_sso_client *c) {
  app_store st = {0};
  garmin_sso_token_store *store = new_app_store(&st);

  /* first run: nothing stored → the app is asked, the tokens are saved */
  app_prompt p = {PLAIN_EMAIL, PLAIN_PASSWORD, {NULL}, 0, 0, 0, 0, 0, "", "", 0, 0, GARMIN_SSO_STATUS_OK};
  garmin_sso_session *s = resume(c, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 1 && p.asked_codes == 0);
  CHECK(st.loads == 1 && st.saves == 1 && st.json != NULL && contains(st.json, "\"schema_version\""));
  expect_name(s, "runner");
  garmin_sso_session_free(s);

  /* next run, another client: resumed from the store without asking */
  garmin_sso_client *c2 = sim_client();
  p.asked_credentials = 0;
  s = resume(c2, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 0 && st.loads == 2 && st.saves == 1);
  expect_name(s, "runner");

  /* a refresh of the resumed session is saved to the app's store */
  char *before = strdup(st.json);
  sim_admin("/__sim/expire?what=access");
  expect_name(s, "runner");
  CHECK(st.saves == 2 && strcmp(before, st.json) != 0);
  char *now = NULL;
  CHECK_OK(garmin_sso_session_to_json(s, &now));
  CHECK(strcmp(now, st.json) == 0);
  garmin_sso_string_free(now);
  free(before);
  garmin_sso_session_free(s);

  /* a stored session that can no longer be refreshed (both credentials past their expiry, as after
   * a long time offline): sign in again, save the new tokens */
  sim_admin("/__sim/expire?what=all");
  age_stored(&st);
  s = resume(c2, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 1 && st.saves == 3);
  expect_name(s, "runner");
  garmin_sso_session_free(s);

  /* stored JSON the library cannot read counts as nothing stored */
  st.garbage = "{\"schema_version\":1,\"kind\":\"di\"";
  p.asked_credentials = 0;
  s = resume(c2, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 1 && st.saves == 4);
  garmin_sso_session_free(s);
  st.garbage = NULL;

  /* signing out for good goes through the clear callback */
  CHECK_OK(garmin_sso_token_store_clear(store));
  CHECK(st.clears == 1 && st.json == NULL);

  /* declined, unanswered, failing */
  p.decline_credentials = 1;
  CHECK_STATUS(resume_fails(c2, store, &PROMPT, &p), GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  p.decline_credentials = 0;
  p.forget_to_answer = 1;
  CHECK_STATUS(resume_fails(c2, store, &PROMPT, &p), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(contains(garmin_sso_last_error_message(), "garmin_sso_credentials_set_login"));
  p.forget_to_answer = 0;
  p.misuse_setter = 1;
  s = resume(c2, store, &PROMPT, &p); /* the misused setter fails; the right one still works */
  CHECK(p.misuse_status == GARMIN_SSO_STATUS_INVALID_INPUT);
  garmin_sso_session_free(s);
  p.misuse_setter = 0;
  CHECK_OK(garmin_sso_token_store_clear(store));
  int saves = st.saves;
  p.password = "wrong";
  CHECK_STATUS(resume_fails(c2, store, &PROMPT, &p), GARMIN_SSO_STATUS_INVALID_CREDENTIALS);
  CHECK(st.saves == saves && st.json == NULL); /* nothing saved after a failed sign-in */
  p.password = PLAIN_PASSWORD;
  st.fail_save = 1;
  CHECK_STATUS(resume_fails(c2, store, &PROMPT, &p), GARMIN_SSO_STATUS_STORAGE);
  CHECK(contains(garmin_sso_last_error_message(), "save"));
  st.fail_save = 0;
  st.fail_load = 1;
  p.asked_credentials = 0;
  CHECK_STATUS(resume_fails(c2, store, &PROMPT, &p), GARMIN_SSO_STATUS_STORAGE);
  CHECK(p.asked_credentials == 0); /* a store that cannot be read could not keep new tokens either */
  st.fail_load = 0;

  /* no secret in any message */
  CHECK(!contains(garmin_sso_last_error_message(), PLAIN_PASSWORD));
  garmin_sso_token_store_free(store);
  garmin_sso_client_free(c2);
  store_forget(&st);
}

static void mfa_account(const garmin_sso_client *c) {
  app_store st = {0};
  garmin_sso_token_store *store = new_app_store(&st);
  app_prompt p = {MFA_EMAIL, MFA_PASSWORD, {"000000", MFA_CODE, NULL}, 0, 0, 0, 0, 0, "", "", 99, 0,
                  GARMIN_SSO_STATUS_OK};
  garmin_sso_session *s = resume(c, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 1 && p.asked_codes == 2 && p.last_attempt == 2);
  CHECK(strcmp(p.method, "email") == 0 && !contains(p.sent_to, MFA_EMAIL));
  CHECK(p.flow == GARMIN_SSO_FLOW_MOBILE); /* the default chain starts with the mobile flow */
  CHECK(st.saves == 1);
  expect_name(s, "mfa");
  garmin_sso_session_free(s);

  /* next run: no password, no code */
  p.asked_credentials = p.asked_codes = 0;
  s = resume(c, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 0 && p.asked_codes == 0);
  expect_name(s, "mfa");
  garmin_sso_session_free(s);

  /* no code: cancelled, or no MFA callback at all */
  CHECK_OK(garmin_sso_token_store_clear(store));
  app_prompt cancel = {MFA_EMAIL, MFA_PASSWORD, {NULL}, 0, 0, 0, 0, 0, "", "", 0, 0, GARMIN_SSO_STATUS_OK};
  CHECK_STATUS(resume_fails(c, store, &PROMPT, &cancel), GARMIN_SSO_STATUS_MFA_REQUIRED);
  CHECK(cancel.asked_codes == 1);
  garmin_sso_credentials_callbacks no_mfa = {ask_credentials, NULL};
  CHECK_STATUS(resume_fails(c, store, &no_mfa, &cancel), GARMIN_SSO_STATUS_MFA_REQUIRED);
  /* three wrong codes */
  app_prompt wrong = {MFA_EMAIL, MFA_PASSWORD, {"000000", "000001", "000002", MFA_CODE}, 0, 0, 0, 0, 0, "", "", 0, 0,
                      GARMIN_SSO_STATUS_OK};
  CHECK_STATUS(resume_fails(c, store, &PROMPT, &wrong), GARMIN_SSO_STATUS_MFA_CODE_REJECTED);
  CHECK(wrong.asked_codes == 3 && wrong.last_attempt == 3 && st.json == NULL);
  /* the code setter belongs in the MFA callback only */
  app_prompt misuse = {MFA_EMAIL, MFA_PASSWORD, {MFA_CODE, NULL}, 0, 0, 0, 0, 1, "", "", 0, 0, GARMIN_SSO_STATUS_OK};
  s = resume(c, store, &PROMPT, &misuse);
  CHECK(misuse.misuse_status == GARMIN_SSO_STATUS_INVALID_INPUT);
  garmin_sso_session_free(s);
  garmin_sso_token_store_free(store);
  store_forget(&st);
}

static void file_store(const garmin_sso_client *c) {
  char path[1024];
  tmp_path(path, sizeof path, "resume/tokens.json");
  garmin_sso_token_store *store = NULL;
  CHECK_OK(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, path, &store));
  app_prompt p = {PLAIN_EMAIL, PLAIN_PASSWORD, {NULL}, 0, 0, 0, 0, 0, "", "", 0, 0, GARMIN_SSO_STATUS_OK};
  garmin_sso_session *s = resume(c, store, &PROMPT, &p);
  garmin_sso_session_free(s);
  garmin_sso_token_store_free(store); /* a second handle on the same file */
  CHECK_OK(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, path, &store));
  s = resume(c, store, &PROMPT, &p);
  CHECK(p.asked_credentials == 1);
  expect_name(s, "runner");
  garmin_sso_session_free(s);
  CHECK_OK(garmin_sso_token_store_clear(store));
  garmin_sso_session *loaded = NULL;
  CHECK_STATUS(garmin_sso_session_load(c, GARMIN_SSO_STORE_KIND_JSON_FILE, path, &loaded),
               GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  garmin_sso_token_store_free(store);
}

/* The iOS preset: the mobile flow and the web-view URL present Garmin's iOS app. */
static void ios_preset(void) {
  garmin_sso_config *cfg = sim_config();
  CHECK_OK(garmin_sso_config_set_mobile_app(cfg, GARMIN_SSO_MOBILE_APP_IOS));
  garmin_sso_client *c = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &c));
  garmin_sso_config_free(cfg);
  sim_admin("/__sim/requests/clear");
  garmin_sso_session *s = NULL;
  CHECK_OK(garmin_sso_client_login_with(c, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD, &s, NULL));
  expect_name(s, "runner");
  garmin_sso_session_free(s);
  char *log = sim_admin_get("/__sim/requests");
  CHECK(contains(log, "GCM_IOS_DARK") && contains(log, "gcm%2Fios"));
  CHECK(!contains(log, "GCM_ANDROID_DARK") && !contains(log, "gcm%2Fandroid"));
  free(log);
  char *url = NULL;
  CHECK_OK(garmin_sso_client_browser_sign_in_url(c, &url));
  CHECK(contains(url, "GCM_IOS_DARK") && contains(url, "gcm%2Fios"));
  garmin_sso_string_free(url);
  garmin_sso_client_free(c);

  /* and the default is Android */
  c = sim_client();
  sim_admin("/__sim/requests/clear");
  CHECK_OK(garmin_sso_client_login_with(c, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD, &s, NULL));
  garmin_sso_session_free(s);
  log = sim_admin_get("/__sim/requests");
  CHECK(contains(log, "GCM_ANDROID_DARK") && !contains(log, "GCM_IOS_DARK"));
  free(log);
  garmin_sso_client_free(c);
}

/* NULL checks of the store and credentials functions */
static void arguments(const garmin_sso_client *c) {
  app_store st = {0};
  garmin_sso_token_store *store = new_app_store(&st);
  garmin_sso_token_store *out = (garmin_sso_token_store *)0x5a5a;
  garmin_sso_token_store_callbacks no_load = {NULL, store_save, NULL};
  garmin_sso_token_store_callbacks no_save = {store_load, NULL, NULL};
  CHECK_STATUS(garmin_sso_token_store_new_callbacks(NULL, &st, &out), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_callbacks(&no_load, &st, &out), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_callbacks(&no_save, &st, &out), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(contains(garmin_sso_last_error_message(), "save"));
  CHECK_STATUS(garmin_sso_token_store_new_callbacks(&no_save, &st, NULL), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, NULL, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, "bad \xc3\x28", &out),
               GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK_STATUS(garmin_sso_token_store_new_file(9, "/x", &out), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK_STATUS(garmin_sso_token_store_new_file(GARMIN_SSO_STORE_KIND_JSON_FILE, "/x", NULL),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(out == (garmin_sso_token_store *)0x5a5a);
  CHECK_STATUS(garmin_sso_token_store_clear(NULL), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  garmin_sso_token_store_callbacks no_clear = {store_load, store_save, NULL};
  garmin_sso_token_store *unclearable = NULL;
  CHECK_OK(garmin_sso_token_store_new_callbacks(&no_clear, &st, &unclearable));
  CHECK_STATUS(garmin_sso_token_store_clear(unclearable), GARMIN_SSO_STATUS_STORAGE);
  garmin_sso_token_store_free(unclearable);
  CHECK_STATUS(garmin_sso_loaded_tokens_set_json(NULL, "{}"), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_credentials_set_login(NULL, "a", "b"), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_credentials_set_mfa_code(NULL, "1"), GARMIN_SSO_STATUS_NULL_ARGUMENT);

  app_prompt p = {PLAIN_EMAIL, PLAIN_PASSWORD, {NULL}, 0, 0, 0, 0, 0, "", "", 0, 0, GARMIN_SSO_STATUS_OK};
  garmin_sso_credentials_callbacks none = {NULL, ask_mfa_code};
  garmin_sso_session *s = (garmin_sso_session *)0x5a5a;
  CHECK_STATUS(garmin_sso_resume_or_sign_in(NULL, store, &PROMPT, &p, &s), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_resume_or_sign_in(c, NULL, &PROMPT, &p, &s), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_resume_or_sign_in(c, store, NULL, &p, &s), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_resume_or_sign_in(c, store, &none, &p, &s), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_resume_or_sign_in(c, store, &PROMPT, &p, NULL), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(s == (garmin_sso_session *)0x5a5a && p.asked_credentials == 0 && st.loads == 0);
  garmin_sso_token_store_free(store);
  garmin_sso_token_store_free(NULL);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  garmin_sso_client *c = sim_client();
  arguments(c);
  plain_account(c);
  mfa_account(c);
  file_store(c);
  ios_preset();
  garmin_sso_client_free(c);
  curl_global_cleanup();
  printf("resume tests passed\n");
  return 0;
}
