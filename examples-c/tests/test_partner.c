/* Partner OAuth2 with PKCE (docs/partner.md) through the C ABI, against the simulator's partner app
 * (registered by tests/with-sim.sh): the app configures its partner credentials, opens the consent
 * page's URL, the person allows (played here with libcurl: GET the page, POST the form, take the
 * redirect's Location), the app finishes with that callback and calls a partner API with the
 * session. Then what can go wrong: a declined consent, a callback with another state, a code used
 * twice, a wrong client secret, a restored session whose client has no partner app, NULL and
 * non-UTF-8 arguments. No last-error message and no log line (TRACE) ever carries the client
 * secret, the password, the code or the state. */
#include "test_util.h"
#include <strings.h>

#include <curl/curl.h>

/* Matches the --partner-client of tests/with-sim.sh. */
#define PARTNER_ID "c-partner-app"
#define PARTNER_SECRET "c-partner-secret-7d1e"
#define PARTNER_REDIRECT "http://127.0.0.1:8765/callback"

static const char BAD_UTF8[] = "bad \xc3\x28 utf8";
#define SENT ((void *)0x5a5a)

/* The thread's last error must never repeat the client secret; checked after every failure. */
static void check_message_keeps_secrets(void) {
  const char *m = garmin_sso_last_error_message();
  CHECK(m != NULL);
  if (contains(m, PARTNER_SECRET) || contains(m, "wrong-" PARTNER_SECRET))
    FAIL("the last error carries the client secret: %s", m);
}

#define EXPECT(call, status)                                                                       \
  do {                                                                                             \
    CHECK_STATUS(call, status);                                                                    \
    check_message_keeps_secrets();                                                                 \
  } while (0)

/* ---- the person's browser ---- */

/* Opens the consent page, signs in and presses `decision` ("allow" or "deny"); `location` receives
 * the redirect Garmin sends the browser to (the callback the app gets). */
static void person_consents(const char *auth_url, const char *decision, char *location) {
  CURL *c = curl_easy_init();
  CHECK(c != NULL);
  test_buffer page = {NULL, 0};
  curl_easy_setopt(c, CURLOPT_URL, auth_url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, test_collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
  CHECK(curl_easy_perform(c) == CURLE_OK);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) FAIL("the consent page answered HTTP %ld", status);
  const char *marker = "name=\"request_id\" value=\"";
  const char *id = page.data ? strstr(page.data, marker) : NULL;
  CHECK(id != NULL);
  id += strlen(marker);
  const char *end = strchr(id, '"');
  CHECK(end != NULL && end - id > 0 && end - id < 128);
  char request_id[128];
  memcpy(request_id, id, (size_t)(end - id));
  request_id[end - id] = '\0';
  free(page.data);

  char *email = curl_easy_escape(c, PLAIN_EMAIL, 0);
  char *password = curl_easy_escape(c, PLAIN_PASSWORD, 0);
  char form[1024];
  snprintf(form, sizeof form, "request_id=%s&email=%s&password=%s&decision=%s", request_id, email, password,
           decision);
  curl_free(email);
  curl_free(password);
  char action[1024];
  snprintf(action, sizeof action, "%s/oauth2Confirm", sim_url());
  test_buffer answer = {NULL, 0};
  location[0] = '\0';
  curl_easy_setopt(c, CURLOPT_URL, action);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, test_collect_location);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, location);
  CHECK(curl_easy_perform(c) == CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  free(answer.data);
  if (status != 302 || strncmp(location, PARTNER_REDIRECT "?", strlen(PARTNER_REDIRECT) + 1) != 0)
    FAIL("the consent form answered HTTP %ld", status);
}

/* The value of `name` in a URL's query (no decoding needed: the simulator's codes and states are
 * URL-safe). */
static void query_value(const char *url, const char *name, char *out, size_t len) {
  char key[32];
  snprintf(key, sizeof key, "%s=", name);
  const char *p = strchr(url, '?');
  while (p) {
    p++;
    if (strncmp(p, key, strlen(key)) == 0) {
      p += strlen(key);
      size_t n = strcspn(p, "&#");
      CHECK(n < len);
      memcpy(out, p, n);
      out[n] = '\0';
      return;
    }
    p = strchr(p, '&');
  }
  FAIL("no %s in the URL", name);
}

/* ---- the app ---- */
static garmin_sso_client *partner_client(const char *secret) {
  garmin_sso_config *cfg = sim_config();
  EXPECT(garmin_sso_config_set_partner(cfg, PARTNER_ID, secret, PARTNER_REDIRECT, "ACTIVITY_EXPORT HEALTH_EXPORT"),
         GARMIN_SSO_STATUS_OK);
  garmin_sso_client *client = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &client));
  garmin_sso_config_free(cfg); /* the client keeps its own copy, the partner app included */
  return client;
}

static char *consent_url(const garmin_sso_partner_authorization *auth) {
  char *url = NULL;
  CHECK_OK(garmin_sso_partner_authorization_url(auth, &url));
  return url;
}

/* Secrets seen along the way, looked for in the log at the end. */
static char seen_code[256], seen_state[256];

static void allow_finish_call_refresh(void) {
  garmin_sso_client *client = partner_client(PARTNER_SECRET);
  garmin_sso_partner_authorization *auth = NULL;
  CHECK_OK(garmin_sso_partner_authorization_new(client, &auth));
  garmin_sso_client_free(client); /* the authorization keeps what it needs */
  char *url = consent_url(auth);
  char expected_prefix[1024];
  snprintf(expected_prefix, sizeof expected_prefix, "%s/oauth2Confirm?", sim_url());
  CHECK(strncmp(url, expected_prefix, strlen(expected_prefix)) == 0);
  CHECK(contains(url, "client_id=" PARTNER_ID) && contains(url, "code_challenge_method=S256"));
  CHECK(contains(url, "scope=ACTIVITY_EXPORT+HEALTH_EXPORT") || contains(url, "scope=ACTIVITY_EXPORT%20HEALTH_EXPORT"));
  CHECK(!contains(url, PARTNER_SECRET) && !contains(url, "code_verifier"));
  query_value(url, "state", seen_state, sizeof seen_state);

  char callback[2048];
  person_consents(url, "allow", callback);
  garmin_sso_string_free(url);
  query_value(callback, "code", seen_code, sizeof seen_code);

  /* A callback with another state is not this request's: refused before any exchange, and the
   * request can still be finished with the right one. */
  char forged[2048];
  snprintf(forged, sizeof forged, "%s?code=%s&state=forged-state", PARTNER_REDIRECT, seen_code);
  garmin_sso_session *session = SENT;
  EXPECT(garmin_sso_partner_authorization_finish(auth, forged, &session), GARMIN_SSO_STATUS_INVALID_INPUT);
  EXPECT(garmin_sso_partner_authorization_finish(auth, "http://127.0.0.1:8765/callback?code=abc", &session),
         GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(session == SENT);

  CHECK_OK(garmin_sso_partner_authorization_finish(auth, callback, &session));
  CHECK(session != NULL && session != SENT);
  uint32_t family = 99;
  CHECK_OK(garmin_sso_session_token_family(session, &family));
  CHECK(family == GARMIN_SSO_TOKEN_FAMILY_PARTNER);

  /* One partner API call through the session. */
  char *json = NULL;
  CHECK_OK(garmin_sso_session_get_json(session, "/wellness-api/rest/user/id", &json));
  CHECK(contains(json, "\"userId\":\""));
  garmin_sso_string_free(json);
  garmin_sso_api_response *r = NULL;
  CHECK_OK(garmin_sso_session_request(session, "GET", "/wellness-api/rest/user/id", NULL, 0, NULL, 0, NULL, 0, &r));
  uint16_t status = 0;
  CHECK_OK(garmin_sso_api_response_status(r, &status));
  CHECK(status == 200);
  garmin_sso_api_response_free(r);

  /* The code works once. */
  garmin_sso_session *again = SENT;
  EXPECT(garmin_sso_partner_authorization_finish(auth, callback, &again), GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  CHECK(again == SENT);
  garmin_sso_partner_authorization_free(auth);

  /* The refresh uses the partner app of the client the session came from (freed above). */
  CHECK_OK(garmin_sso_session_refresh(session));
  char *exported = NULL;
  CHECK_OK(garmin_sso_session_to_json(session, &exported));
  CHECK(!contains(exported, PARTNER_SECRET));

  /* Restored on a later start: through a client with the partner app it works and refreshes... */
  client = partner_client(PARTNER_SECRET);
  garmin_sso_session *restored = NULL;
  CHECK_OK(garmin_sso_session_from_json(client, exported, &restored));
  CHECK_OK(garmin_sso_session_refresh(restored));
  CHECK_OK(garmin_sso_session_get_json(restored, "/wellness-api/rest/user/id", &json));
  garmin_sso_string_free(json);
  garmin_sso_session_free(restored);
  garmin_sso_client_free(client);
  /* ...through one without, the refresh says what is missing. */
  client = sim_client();
  CHECK_OK(garmin_sso_session_from_json(client, exported, &restored));
  EXPECT(garmin_sso_session_refresh(restored), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(contains(garmin_sso_last_error_message(), "partner"));
  garmin_sso_session_free(restored);
  garmin_sso_client_free(client);
  garmin_sso_string_free(exported);
  garmin_sso_session_free(session);
  printf("partner sign-in: consent, finish, /wellness-api/rest/user/id, refresh: ok\n");
}

static void declined(void) {
  garmin_sso_client *client = partner_client(PARTNER_SECRET);
  garmin_sso_partner_authorization *auth = NULL;
  CHECK_OK(garmin_sso_partner_authorization_new(client, &auth));
  char *url = consent_url(auth);
  char callback[2048];
  person_consents(url, "deny", callback);
  garmin_sso_string_free(url);
  CHECK(contains(callback, "error=access_denied"));
  garmin_sso_session *session = SENT;
  EXPECT(garmin_sso_partner_authorization_finish(auth, callback, &session), GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED);
  CHECK(session == SENT);
  CHECK(garmin_sso_last_error_status() == GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED);
  CHECK(strcmp(garmin_sso_status_name(GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED),
               "GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED") == 0);
  garmin_sso_partner_authorization_free(auth);
  garmin_sso_client_free(client);
  printf("partner sign-in declined: AUTHORIZATION_DECLINED\n");
}

/* A code stolen from one request and presented with another request's own state: the state check
 * passes, and Garmin refuses the other request's PKCE verifier; the attempt spends the code, so the
 * rightful request cannot use it either. */
static void stolen_code_meets_the_wrong_verifier(void) {
  garmin_sso_client *client = partner_client(PARTNER_SECRET);
  garmin_sso_partner_authorization *victim = NULL, *attacker = NULL;
  CHECK_OK(garmin_sso_partner_authorization_new(client, &victim));
  CHECK_OK(garmin_sso_partner_authorization_new(client, &attacker));
  char *victim_url = consent_url(victim), *attacker_url = consent_url(attacker);
  char callback[2048], code[256], attacker_state[256], forged[2048];
  person_consents(victim_url, "allow", callback);
  query_value(callback, "code", code, sizeof code);
  query_value(attacker_url, "state", attacker_state, sizeof attacker_state);
  snprintf(forged, sizeof forged, "%s?code=%s&state=%s", PARTNER_REDIRECT, code, attacker_state);
  garmin_sso_session *session = SENT;
  EXPECT(garmin_sso_partner_authorization_finish(attacker, forged, &session), GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  CHECK(session == SENT);
  EXPECT(garmin_sso_partner_authorization_finish(victim, callback, &session), GARMIN_SSO_STATUS_SIGN_IN_NEEDED);
  CHECK(session == SENT);
  garmin_sso_string_free(victim_url);
  garmin_sso_string_free(attacker_url);
  garmin_sso_partner_authorization_free(victim);
  garmin_sso_partner_authorization_free(attacker);
  garmin_sso_client_free(client);
  printf("a stolen code with another request's verifier: SIGN_IN_NEEDED, and the code is spent\n");
}

/* A client secret Garmin refuses: the message says so without repeating it. */
static void wrong_secret(void) {
  garmin_sso_client *client = partner_client("wrong-" PARTNER_SECRET);
  garmin_sso_partner_authorization *auth = NULL;
  CHECK_OK(garmin_sso_partner_authorization_new(client, &auth));
  char *url = consent_url(auth);
  char callback[2048];
  person_consents(url, "allow", callback);
  garmin_sso_string_free(url);
  garmin_sso_session *session = SENT;
  EXPECT(garmin_sso_partner_authorization_finish(auth, callback, &session), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(contains(garmin_sso_last_error_message(), "secret"));
  CHECK(session == SENT);
  garmin_sso_partner_authorization_free(auth);
  garmin_sso_client_free(client);
}

static void bad_arguments(void) {
  garmin_sso_config *cfg = sim_config();
#define NUL(call) EXPECT(call, GARMIN_SSO_STATUS_NULL_ARGUMENT)
#define BAD(call) EXPECT(call, GARMIN_SSO_STATUS_INVALID_UTF8)
#define INV(call) EXPECT(call, GARMIN_SSO_STATUS_INVALID_INPUT)
  NUL(garmin_sso_config_set_partner(NULL, PARTNER_ID, PARTNER_SECRET, PARTNER_REDIRECT, NULL));
  NUL(garmin_sso_config_set_partner(cfg, NULL, PARTNER_SECRET, PARTNER_REDIRECT, NULL));
  NUL(garmin_sso_config_set_partner(cfg, PARTNER_ID, NULL, PARTNER_REDIRECT, NULL));
  NUL(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, NULL, NULL));
  BAD(garmin_sso_config_set_partner(cfg, BAD_UTF8, PARTNER_SECRET, PARTNER_REDIRECT, NULL));
  BAD(garmin_sso_config_set_partner(cfg, PARTNER_ID, BAD_UTF8, PARTNER_REDIRECT, NULL));
  BAD(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, BAD_UTF8, NULL));
  BAD(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, PARTNER_REDIRECT, BAD_UTF8));
  INV(garmin_sso_config_set_partner(cfg, "", PARTNER_SECRET, PARTNER_REDIRECT, NULL));
  INV(garmin_sso_config_set_partner(cfg, PARTNER_ID, "", PARTNER_REDIRECT, NULL));
  INV(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, "/callback", NULL));
  INV(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, "http://127.0.0.1/cb#fragment", NULL));

  /* No partner app configured: starting says so. */
  garmin_sso_client *plain = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &plain));
  garmin_sso_partner_authorization *auth = SENT;
  INV(garmin_sso_partner_authorization_new(plain, &auth));
  CHECK(auth == SENT && contains(garmin_sso_last_error_message(), "partner"));
  garmin_sso_client_free(plain);

  CHECK_OK(garmin_sso_config_set_partner(cfg, PARTNER_ID, PARTNER_SECRET, PARTNER_REDIRECT, NULL));
  garmin_sso_client *client = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &client));
  garmin_sso_config_free(cfg);
  NUL(garmin_sso_partner_authorization_new(NULL, &auth));
  NUL(garmin_sso_partner_authorization_new(client, NULL));
  CHECK(auth == SENT);
  CHECK_OK(garmin_sso_partner_authorization_new(client, &auth));
  char *url = SENT;
  NUL(garmin_sso_partner_authorization_url(NULL, &url));
  NUL(garmin_sso_partner_authorization_url(auth, NULL));
  CHECK(url == SENT);
  garmin_sso_session *session = SENT;
  NUL(garmin_sso_partner_authorization_finish(NULL, PARTNER_REDIRECT "?code=a&state=b", &session));
  NUL(garmin_sso_partner_authorization_finish(auth, NULL, &session));
  NUL(garmin_sso_partner_authorization_finish(auth, PARTNER_REDIRECT "?code=a&state=b", NULL));
  BAD(garmin_sso_partner_authorization_finish(auth, BAD_UTF8, &session));
  /* Not at the redirect URI; neither code nor error (with the right state). */
  INV(garmin_sso_partner_authorization_finish(auth, "https://elsewhere.example/callback?code=a", &session));
  url = consent_url(auth);
  char state[256], only_state[512];
  query_value(url, "state", state, sizeof state);
  garmin_sso_string_free(url);
  snprintf(only_state, sizeof only_state, "%s?state=%s", PARTNER_REDIRECT, state);
  EXPECT(garmin_sso_partner_authorization_finish(auth, only_state, &session), GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE);
  CHECK(session == SENT);
  garmin_sso_partner_authorization_free(auth);
  garmin_sso_partner_authorization_free(NULL);
  garmin_sso_client_free(client);
#undef NUL
#undef BAD
#undef INV
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CHECK_OK(garmin_sso_set_log_callback(test_log_capture, NULL, GARMIN_SSO_LOG_LEVEL_TRACE));

  bad_arguments();
  allow_finish_call_refresh();
  declined();
  stolen_code_meets_the_wrong_verifier();
  wrong_secret();

  CHECK_OK(garmin_sso_set_log_callback(NULL, NULL, GARMIN_SSO_LOG_LEVEL_OFF));
  const char *log_text = test_log_text();
  CHECK(test_log_lines() > 0);
  CHECK(!contains(log_text, PARTNER_SECRET) && !contains(log_text, PLAIN_PASSWORD));
  CHECK(seen_code[0] && !contains(log_text, seen_code));
  CHECK(seen_state[0] && !contains(log_text, seen_state));
  printf("no client secret, password, code or state in %zu bytes of TRACE log\n", strlen(log_text));
  test_log_free();
  curl_global_cleanup();
  return 0;
}
