/* A full day of an app against the simulator: sign in (default chain; each flow alone; MFA in two
 * calls), web-view sign-in, API calls, JSON helpers, download, FIT upload from memory and from a path,
 * refresh with the refresh callback, export/import as JSON, token files, logout — with every log line
 * captured at TRACE level and checked to hold no password, code, token or ticket. Plus the standalone
 * OAuth1 signer against a signature computed independently (Python's hmac, RFC 5849 rules). */
#include "test_util.h"
#include <strings.h>

#include <curl/curl.h>

/* ---- refresh callback ---- */
static int refreshes_seen;
static char last_refresh_json[8192];

static void on_refresh(void *user_data, const char *tokens_json) {
  CHECK(user_data == (void *)&refreshes_seen);
  refreshes_seen++;
  snprintf(last_refresh_json, sizeof last_refresh_json, "%s", tokens_json);
}

/* Copies the string value of "key" in a flat JSON text into out (for secrets to look for in logs). */
static void json_string(const char *json, const char *key, char *out, size_t len) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *p = strstr(json, pattern);
  if (!p) FAIL("no %s in the token JSON", key);
  p += strlen(pattern);
  const char *end = strchr(p, '"');
  CHECK(end != NULL && (size_t)(end - p) < len);
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
}


static size_t discard(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

/* The user's part of a web-view sign-in: submit the sign-in form the web view shows, and return where
 * Garmin navigates afterwards (the service URL with ?ticket=). */
static void webview_user_signs_in(const char *sign_in_url, char *location) {
  CURL *c = curl_easy_init();
  CHECK(c != NULL);
  location[0] = '\0';
  char *user = curl_easy_escape(c, PLAIN_EMAIL, 0);
  char *pass = curl_easy_escape(c, PLAIN_PASSWORD, 0);
  char form[512];
  snprintf(form, sizeof form, "username=%s&password=%s&embed=false", user, pass);
  curl_free(user);
  curl_free(pass);
  /* A web view loads the page (and its cookies) before the form is posted; a cold POST gets 429. */
  curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(c, CURLOPT_URL, sign_in_url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CHECK(curl_easy_perform(c) == CURLE_OK);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, test_collect_location);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, location);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CHECK(curl_easy_perform(c) == CURLE_OK);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (status != 302 || !contains(location, "ticket=ST-")) FAIL("web-view form answered %ld", status);
}

static void oauth1_known_answer(void) {
  char *h = NULL;
  CHECK(garmin_sso_oauth1_authorization("POST",
                                        "https://connectapi.garmin.com/oauth-service/oauth/exchange/user/2.0?x=1",
                                        "mfa_token=abc&audience=GARMIN+CONNECT", "ck", "cs", "tk", "ts", "n0nce",
                                        1700000000, &h) == 0);
  const char *want = "OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"n0nce\", oauth_signature_method=\"HMAC-SHA1\", "
                     "oauth_timestamp=\"1700000000\", oauth_version=\"1.0\", oauth_token=\"tk\", "
                     "oauth_signature=\"7Ivqntkf6l9czwn5WA0b%2FU2Luz0%3D\"";
  if (strcmp(h, want) != 0) FAIL("OAuth1 header\n got: %s\nwant: %s", h, want);
  garmin_sso_string_free(h);
  /* consumer-only signing (no token) works too */
  CHECK(garmin_sso_oauth1_authorization("GET", "https://connectapi.garmin.com/x", NULL, "ck", "cs", NULL, NULL, "n",
                                        1, &h) == 0);
  CHECK(contains(h, "oauth_consumer_key=\"ck\"") && !contains(h, "oauth_token="));
  garmin_sso_string_free(h);
}

static garmin_sso_session *login_each_flow(const garmin_sso_client *c) {
  uint32_t all[] = {GARMIN_SSO_FLOW_WIDGET, GARMIN_SSO_FLOW_MOBILE, GARMIN_SSO_FLOW_PORTAL};
  for (int i = 0; i < 3; i++) {
    garmin_sso_session *s = NULL;
    garmin_sso_pending_mfa *m = NULL;
    CHECK_OK(garmin_sso_client_login_with(c, all[i], PLAIN_EMAIL, PLAIN_PASSWORD, &s, &m));
    CHECK(s != NULL && m == NULL);
    garmin_sso_session_free(s);
    /* MFA in two calls, on every flow */
    CHECK_OK(garmin_sso_client_login_with(c, all[i], MFA_EMAIL, MFA_PASSWORD, &s, &m));
    CHECK(s == NULL && m != NULL);
    uint32_t flow = 99;
    CHECK_OK(garmin_sso_pending_mfa_flow(m, &flow));
    CHECK(flow == all[i]);
    char *method = NULL, *sent_to = NULL;
    CHECK_OK(garmin_sso_pending_mfa_method(m, &method));
    CHECK(strcmp(method, "email") == 0);
    CHECK_OK(garmin_sso_pending_mfa_code_sent_to(m, &sent_to));
    if (sent_to) CHECK(!contains(sent_to, MFA_EMAIL)); /* masked */
    garmin_sso_string_free(method);
    garmin_sso_string_free(sent_to);
    CHECK_OK(garmin_sso_pending_mfa_submit(m, MFA_CODE, &s));
    garmin_sso_pending_mfa_free(m);
    char *name = NULL;
    CHECK_OK(garmin_sso_session_display_name(s, &name));
    CHECK(strcmp(name, "mfa") == 0);
    garmin_sso_string_free(name);
    garmin_sso_session_free(s);
  }
  /* an explicit chain */
  uint32_t chain[] = {GARMIN_SSO_FLOW_PORTAL, GARMIN_SSO_FLOW_WIDGET};
  garmin_sso_session *s = NULL;
  CHECK_OK(garmin_sso_client_login_chain(c, chain, 2, PLAIN_EMAIL, PLAIN_PASSWORD, &s, NULL));
  garmin_sso_session_free(s);
  /* the configured chain (default: mobile as iOS, mobile as Android, widget, portal); mobile
   * rate-limited → falls through */
  sim_admin("/__sim/fault?target=mobile_login&kind=429");
  return sim_session(c);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  oauth1_known_answer();
  CHECK_OK(garmin_sso_set_log_callback(test_log_capture, NULL, GARMIN_SSO_LOG_LEVEL_TRACE));

  garmin_sso_config *cfg = sim_config();
  CHECK_OK(garmin_sso_config_set_user_agent(cfg, GARMIN_SSO_USER_AGENT_API, "c-tests/1.0"));
  garmin_sso_client *c = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &c));
  garmin_sso_config_free(cfg); /* the client keeps its own copy */

  garmin_sso_session *s = login_each_flow(c);
  uint32_t family = 99;
  CHECK_OK(garmin_sso_session_token_family(s, &family));
  CHECK(family == GARMIN_SSO_TOKEN_FAMILY_DI);
  int64_t expires = 0;
  CHECK_OK(garmin_sso_session_expires_at(s, &expires));
  CHECK(expires > 0);

  /* API request with query and headers */
  garmin_sso_header query[] = {{"start", "1"}, {"limit", "5"}};
  garmin_sso_header headers[] = {{"Accept", "application/json"}};
  garmin_sso_api_response *r = NULL;
  CHECK_OK(garmin_sso_session_request(s, "GET", "/userprofile-service/socialProfile", query, 2, headers, 1, NULL, 0, &r));
  uint16_t status = 0;
  CHECK_OK(garmin_sso_api_response_status(r, &status));
  CHECK(status == 200);
  const uint8_t *body = NULL;
  size_t body_len = 0;
  CHECK_OK(garmin_sso_api_response_body(r, &body, &body_len));
  CHECK(body_len > 0 && memmem(body, body_len, "\"displayName\"", 13) != NULL);
  const char *ct = NULL;
  CHECK_OK(garmin_sso_api_response_header(r, "content-type", &ct));
  CHECK(contains(ct, "json"));
  CHECK_OK(garmin_sso_api_response_header(r, "X-Not-There", &ct));
  CHECK(ct == NULL);
  garmin_sso_api_response_free(r);
  /* a 404 is an answer, not a failure */
  CHECK_OK(garmin_sso_session_request(s, "GET", "/no-such-service", NULL, 0, NULL, 0, NULL, 0, &r));
  CHECK_OK(garmin_sso_api_response_status(r, &status));
  CHECK(status == 404);
  garmin_sso_api_response_free(r);
  char *json = NULL;
  CHECK_OK(garmin_sso_session_get_json(s, "/userprofile-service/socialProfile", &json));
  CHECK(contains(json, "\"displayName\":\"runner\""));
  garmin_sso_string_free(json);
  CHECK_STATUS(garmin_sso_session_get_json(s, "/no-such-service", &json), GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE);
  CHECK(contains(garmin_sso_last_error_message(), "404"));

  /* FIT upload from memory, then from a path, then download */
  const uint8_t fit[] = {0x0e, 0x10, 0x43, 0x08, 0x10, 0, 0, 0, '.', 'F', 'I', 'T', 0, 0, 'r', 'i', 'd', 'e'};
  garmin_sso_upload_result *up = NULL;
  CHECK_OK(garmin_sso_session_upload_fit(s, "ride.fit", fit, sizeof fit, &up));
  int64_t upload_id = 0;
  size_t ok = 0, failed = 9;
  const char *answer = NULL;
  CHECK_OK(garmin_sso_upload_result_upload_id(up, &upload_id));
  CHECK_OK(garmin_sso_upload_result_counts(up, &ok, &failed));
  CHECK_OK(garmin_sso_upload_result_json(up, &answer));
  CHECK(upload_id > 0 && ok == 1 && failed == 0 && contains(answer, "detailedImportResult"));
  const char *iid = strstr(answer, "\"internalId\":");
  CHECK(iid != NULL);
  long activity = strtol(iid + 13, NULL, 10);
  garmin_sso_upload_result_free(up);
  char path[1024];
  tmp_path(path, sizeof path, "walk.fit");
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  fputs("\x0e\x10walk-from-a-path.FIT", f);
  fclose(f);
  CHECK_OK(garmin_sso_session_upload_fit_path(s, path, &up));
  CHECK_OK(garmin_sso_upload_result_counts(up, &ok, &failed));
  CHECK(ok == 1 && failed == 0);
  garmin_sso_upload_result_free(up);
  CHECK_STATUS(garmin_sso_session_upload_fit_path(s, path, &up), GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY);
  char dl[128];
  snprintf(dl, sizeof dl, "/download-service/files/activity/%ld", activity);
  uint8_t *zip = NULL;
  size_t zip_len = 0;
  CHECK_OK(garmin_sso_session_download(s, dl, &zip, &zip_len));
  CHECK(zip_len > 4 && memcmp(zip, "PK\x03\x04", 4) == 0 && memmem(zip, zip_len, "ride", 4) != NULL);
  garmin_sso_bytes_free(zip, zip_len);

  /* refresh: explicit, then ahead of expiry; the callback sees the rotated tokens */
  CHECK_OK(garmin_sso_session_set_refresh_callback(s, on_refresh, &refreshes_seen));
  char *json_before = NULL;
  CHECK_OK(garmin_sso_session_to_json(s, &json_before));
  CHECK_OK(garmin_sso_session_refresh(s));
  CHECK(refreshes_seen == 1);
  char *json_after = NULL;
  CHECK_OK(garmin_sso_session_to_json(s, &json_after));
  CHECK(strcmp(json_before, json_after) != 0 && strcmp(last_refresh_json, json_after) == 0);
  char token_file[1024];
  tmp_path(token_file, sizeof token_file, "tokens/session.json");
  CHECK_OK(garmin_sso_session_persist_to(s, GARMIN_SSO_STORE_KIND_JSON_FILE, token_file));
  sim_admin("/__sim/expire?what=access");
  char *name = NULL;
  CHECK_OK(garmin_sso_session_display_name(s, &name));
  garmin_sso_string_free(name);
  CHECK(refreshes_seen == 2);

  /* export / import / files */
  garmin_sso_session *loaded = NULL;
  CHECK_OK(garmin_sso_session_load(c, GARMIN_SSO_STORE_KIND_JSON_FILE, token_file, &loaded));
  char *from_file = NULL;
  CHECK_OK(garmin_sso_session_to_json(loaded, &from_file));
  CHECK(strcmp(from_file, last_refresh_json) == 0); /* persisted after the automatic refresh */
  garmin_sso_session_free(loaded);
  garmin_sso_string_free(from_file);
  char *exported = NULL;
  CHECK_OK(garmin_sso_session_to_json(s, &exported));
  garmin_sso_session *imported = NULL;
  CHECK_OK(garmin_sso_session_from_json(c, exported, &imported));
  CHECK_OK(garmin_sso_session_display_name(imported, &name));
  CHECK(strcmp(name, "runner") == 0);
  garmin_sso_string_free(name);
  char garth_dir[1024];
  tmp_path(garth_dir, sizeof garth_dir, "garth");
  CHECK_OK(garmin_sso_session_save(imported, GARMIN_SSO_STORE_KIND_GARTH_DIR, garth_dir));
  garmin_sso_session_free(imported);
  CHECK_OK(garmin_sso_session_load(c, GARMIN_SSO_STORE_KIND_GARTH_DIR, garth_dir, &loaded));
  garmin_sso_session_free(loaded);

  /* logout: the session forgets its tokens; the store is deleted */
  CHECK_OK(garmin_sso_session_logout(s));
  CHECK_STATUS(garmin_sso_session_display_name(s, &name), GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  CHECK_OK(garmin_sso_store_clear(GARMIN_SSO_STORE_KIND_JSON_FILE, token_file));
  CHECK_OK(garmin_sso_store_clear(GARMIN_SSO_STORE_KIND_JSON_FILE, token_file)); /* twice is fine */
  CHECK_STATUS(garmin_sso_session_load(c, GARMIN_SSO_STORE_KIND_JSON_FILE, token_file, &loaded),
               GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  garmin_sso_session_free(s);

  /* web view: the URL to open, the user signs in, the app hands over the navigated URL */
  char *url = NULL;
  CHECK_OK(garmin_sso_client_browser_sign_in_url(c, &url));
  CHECK(strncmp(url, sim_url(), strlen(sim_url())) == 0 && contains(url, "/mobile/sso/") && contains(url, "clientId="));
  char location[2048];
  webview_user_signs_in(url, location);
  garmin_sso_string_free(url);
  CHECK_OK(garmin_sso_client_exchange_webview(c, location, &s));
  CHECK_OK(garmin_sso_session_display_name(s, &name));
  CHECK(strcmp(name, "runner") == 0);
  garmin_sso_string_free(name);
  garmin_sso_session_free(s);
  /* a ticket is single-use */
  CHECK(garmin_sso_client_exchange_webview(c, location, &s) != GARMIN_SSO_STATUS_OK);

  /* No secret in any log line */
  CHECK_OK(garmin_sso_set_log_callback(NULL, NULL, GARMIN_SSO_LOG_LEVEL_OFF));
  char secret[4096];
  const char *log_text = test_log_text();
  int log_lines = test_log_lines();
  CHECK(log_lines > 10);
  CHECK(!contains(log_text, PLAIN_PASSWORD) && !contains(log_text, MFA_PASSWORD) && !contains(log_text, MFA_CODE));
  if (contains(log_text, "ST-")) { const char *p = strstr(log_text, "ST-"); const char *b = p; while (b > log_text && b[-1] != '\n') b--; FAIL("a log line carries a ticket-like text: %.200s", b); }
  const char *docs[] = {json_before, json_after, exported};
  const char *keys[] = {"access_token", "refresh_token"};
  for (int d = 0; d < 3; d++)
    for (int k = 0; k < 2; k++) {
      json_string(docs[d], keys[k], secret, sizeof secret);
      if (contains(log_text, secret)) FAIL("a %s appears in the log", keys[k]);
    }
  printf("%d log lines, none with a secret\n", log_lines);
  garmin_sso_string_free(json_before);
  garmin_sso_string_free(json_after);
  garmin_sso_string_free(exported);
  test_log_free();
  garmin_sso_client_free(c);
  curl_global_cleanup();
  printf("full sign-in test passed\n");
  return 0;
}
