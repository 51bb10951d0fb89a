/* One secrets test for the C ABI: planted secrets (passwords, MFA codes, a ticket, tokens in broken
 * JSON) and the tokens of every session signed in must appear in no last-error message and no log
 * line (TRACE level) on any error path: each flow x token family x simulator fault on each target,
 * wrong passwords and codes, MFA under faults, refresh and API calls under faults and with expired
 * tokens, broken token JSON, base URLs with a password, a web-view URL with a foreign ticket.
 * test_signin.c checks the logs of the paths that succeed; this one is about failures. */
#include "test_util.h"

#include <pthread.h>

#define WRONG_PASSWORD "c-wrong-Pa55word-planted"
#define WRONG_CODE "975310"
#define PLANTED_TICKET "ST-0975310-plantedticket-cas"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *text; /* every log line and last-error message, newline separated */
static size_t text_len;
static int log_lines, errors;

static void append(const char *s) {
  size_t n = strlen(s);
  pthread_mutex_lock(&lock);
  char *grown = realloc(text, text_len + n + 2);
  if (!grown) FAIL("out of memory");
  text = grown;
  memcpy(text + text_len, s, n);
  text_len += n;
  text[text_len++] = '\n';
  text[text_len] = '\0';
  pthread_mutex_unlock(&lock);
}

static void on_log(void *user_data, uint32_t level, const char *message) {
  (void)user_data;
  (void)level;
  append(message);
  log_lines++;
}

/* Records the last error of a failed call. */
static garmin_sso_status seen(garmin_sso_status s) {
  if (s != GARMIN_SSO_STATUS_OK) {
    append(garmin_sso_last_error_message());
    errors++;
  }
  return s;
}

#define MAX_SECRETS 4096
static char *secrets[MAX_SECRETS];
static int n_secrets;

static void plant(const char *s) {
  if (n_secrets < MAX_SECRETS && s && strlen(s) >= 6) secrets[n_secrets++] = strdup(s);
}

/* Keeps the string values of the token fields of a session's JSON as secrets. */
static void keep_tokens(const garmin_sso_session *s) {
  char *json = NULL;
  if (garmin_sso_session_to_json(s, &json) != GARMIN_SSO_STATUS_OK) return;
  static const char *keys[] = {"access_token", "refresh_token", "oauth_token_secret", "oauth_token"};
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", keys[k]);
    for (const char *p = strstr(json, pattern); p; p = strstr(p + 1, pattern)) {
      const char *v = p + strlen(pattern);
      const char *end = strchr(v, '"');
      if (!end) break;
      char *value = strndup(v, (size_t)(end - v));
      plant(value);
      free(value);
    }
  }
  garmin_sso_string_free(json);
}

static garmin_sso_client *client_for(uint32_t flow, uint32_t family) {
  garmin_sso_config *cfg = sim_config();
  CHECK_OK(garmin_sso_config_set_flows(cfg, &flow, 1));
  CHECK_OK(garmin_sso_config_set_token_preference(cfg, family));
  garmin_sso_client *c = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &c));
  garmin_sso_config_free(cfg);
  return c;
}

/* Signs in (answering MFA with a wrong code, then the right one); the session or NULL. */
static garmin_sso_session *login(const garmin_sso_client *c, uint32_t flow, const char *email,
                                 const char *password) {
  garmin_sso_session *s = NULL;
  garmin_sso_pending_mfa *m = NULL;
  if (seen(garmin_sso_client_login_with(c, flow, email, password, &s, &m)) != GARMIN_SSO_STATUS_OK)
    return NULL;
  if (m) {
    seen(garmin_sso_pending_mfa_submit(m, WRONG_CODE, &s));
    seen(garmin_sso_pending_mfa_submit(m, MFA_CODE, &s));
    garmin_sso_pending_mfa_free(m);
  }
  if (s) keep_tokens(s);
  return s;
}

static void api_calls(garmin_sso_session *s) {
  char *json = NULL;
  if (seen(garmin_sso_session_get_json(s, "/userprofile-service/socialProfile", &json)) ==
      GARMIN_SSO_STATUS_OK)
    garmin_sso_string_free(json);
  seen(garmin_sso_session_refresh(s));
  keep_tokens(s);
}

int main(void) {
  CHECK_OK(garmin_sso_set_log_callback(on_log, NULL, GARMIN_SSO_LOG_LEVEL_TRACE));
  static const char *targets[] = {"widget_page", "widget_login", "mobile_page", "mobile_login",
                                  "portal_page", "portal_login", "consumer",    "preauthorized",
                                  "exchange",    "di_token",     "it_token",    "api"};
  static const char *faults[] = {"429&retry_after=7", "429_body", "403", "5xx&code=502",
                                 "malformed",         "captcha"};
  const uint32_t flows[] = {GARMIN_SSO_FLOW_WIDGET, GARMIN_SSO_FLOW_MOBILE, GARMIN_SSO_FLOW_PORTAL};
  const uint32_t families[] = {GARMIN_SSO_TOKEN_PREFERENCE_LEGACY, GARMIN_SSO_TOKEN_PREFERENCE_DI};
  garmin_sso_session *kept[2] = {NULL, NULL};

  for (size_t f = 0; f < 3; f++)
    for (size_t t = 0; t < 2; t++) {
      garmin_sso_client *c = client_for(flows[f], families[t]);
      garmin_sso_session *s = login(c, flows[f], PLAIN_EMAIL, PLAIN_PASSWORD);
      CHECK(s != NULL);
      if (f == 0) kept[t] = s;
      else garmin_sso_session_free(s);
      s = login(c, flows[f], MFA_EMAIL, MFA_PASSWORD);
      CHECK(s != NULL);
      garmin_sso_session_free(s);
      CHECK(login(c, flows[f], PLAIN_EMAIL, WRONG_PASSWORD) == NULL);
      /* The fault matrix for widget+legacy, mobile+DI and portal+DI (every target each): the
       * other pairs add time under valgrind, not paths. */
      int matrix = (f == 0) == (families[t] == GARMIN_SSO_TOKEN_PREFERENCE_LEGACY);
      for (size_t g = 0; matrix && g < sizeof targets / sizeof *targets; g++)
        for (size_t k = 0; k < sizeof faults / sizeof *faults; k++) {
          char q[160];
          snprintf(q, sizeof q, "/__sim/fault?target=%s&kind=%s&times=always", targets[g], faults[k]);
          sim_admin(q);
          garmin_sso_session *a = login(c, flows[f], PLAIN_EMAIL, PLAIN_PASSWORD);
          garmin_sso_session *b = login(c, flows[f], MFA_EMAIL, MFA_PASSWORD);
          for (size_t j = 0; j < 2; j++)
            if (kept[j]) api_calls(kept[j]);
          garmin_sso_session_free(a);
          garmin_sso_session_free(b);
          sim_admin("/__sim/clear");
          sim_admin("/__sim/ratelimit/clear");
        }
      garmin_sso_client_free(c);
    }
  sim_admin("/__sim/expire?what=all");
  for (size_t t = 0; t < 2; t++) {
    api_calls(kept[t]);
    garmin_sso_session_free(kept[t]);
  }

  /* Broken token JSON that carries secrets; base URLs with a password; a planted ticket. */
  garmin_sso_client *c = client_for(GARMIN_SSO_FLOW_MOBILE, GARMIN_SSO_TOKEN_PREFERENCE_DI);
  static const char *broken[] = {
      "{\"schema_version\":1,\"kind\":\"" WRONG_PASSWORD "\"}",
      "{\"schema_version\":1,\"kind\":\"di\",\"di\":{\"access_token\":\"" WRONG_PASSWORD "\"}}",
      "{\"schema_version\":\"" WRONG_PASSWORD "\"}",
      "{\"oauth1\":{\"oauth_token_secret\":\"" WRONG_PASSWORD "\",\"x\":",
      "\"" WRONG_PASSWORD "\\u001b[31m\"",
  };
  for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
    garmin_sso_session *s = NULL;
    CHECK(seen(garmin_sso_session_from_json(c, broken[i], &s)) != GARMIN_SSO_STATUS_OK);
  }
  garmin_sso_session *s = NULL;
  CHECK(seen(garmin_sso_client_exchange_webview(
            c, "https://mobile.integration.garmin.com/gcm/android?ticket=" PLANTED_TICKET, &s)) !=
        GARMIN_SSO_STATUS_OK);
  garmin_sso_client_free(c);
  garmin_sso_config *cfg = NULL;
  CHECK_OK(garmin_sso_config_new("garmin.com", &cfg));
  CHECK(seen(garmin_sso_config_set_base_url(cfg, "http://user:" WRONG_PASSWORD "@127.0.0.1:1/")) !=
        GARMIN_SSO_STATUS_OK);
  CHECK(seen(garmin_sso_config_set_base_url(cfg, "http://127.0.0.1:1/?password=" WRONG_PASSWORD)) !=
        GARMIN_SSO_STATUS_OK);
  garmin_sso_config_free(cfg);
  CHECK_OK(garmin_sso_set_log_callback(NULL, NULL, GARMIN_SSO_LOG_LEVEL_OFF));

  plant(PLAIN_PASSWORD);
  plant(MFA_PASSWORD);
  plant(MFA_CODE);
  plant(WRONG_PASSWORD);
  plant(WRONG_CODE);
  plant(PLANTED_TICKET);
  int leaks = 0;
  for (int i = 0; i < n_secrets; i++) {
    const char *p = strstr(text, secrets[i]);
    if (p) {
      const char *b = p;
      while (b > text && b[-1] != '\n') b--;
      fprintf(stderr, "a secret of %zu bytes in: %.160s\n", strlen(secrets[i]), b);
      leaks++;
    }
    free(secrets[i]);
  }
  printf("%d errors, %d log lines, %d secrets: %d leaks\n", errors, log_lines, n_secrets, leaks);
  CHECK(errors > 100);
  CHECK(log_lines > 0);
  CHECK(leaks == 0);
  free(text);
  return 0;
}
