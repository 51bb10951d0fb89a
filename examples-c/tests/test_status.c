/* Every garmin_sso_status value is reachable through the public API, each with a message, against
 * the simulator (faults injected through its admin API; locked and child accounts from
 * `simulate --locked-account/--child-account`) or, where only a misbehaving network can produce the
 * answer (an unreachable host, a redirect off Garmin, a redirect loop), through a host transport.
 * Statuses are the core's error kinds, so several failures share one (an unexpected answer, an
 * unusable account); their messages still say which failure it was, and the test checks that.
 * GARMIN_SSO_STATUS_INTERNAL is the one code no valid use can reach; crates/ffi/src/panic.rs tests
 * that a panic becomes it. */
#include "test_util.h"

#include <curl/curl.h>

#define MAX_STATUS 256
static int seen[MAX_STATUS];

static void expect(garmin_sso_status got, garmin_sso_status want, const char *what) {
  if (got != want)
    FAIL("%s: got %s (\"%s\"), expected %s", what, garmin_sso_status_name(got), garmin_sso_last_error_message(),
         garmin_sso_status_name(want));
  CHECK(garmin_sso_last_error_status() == want);
  if (want != GARMIN_SSO_STATUS_OK) CHECK(strlen(garmin_sso_last_error_message()) > 0);
  else CHECK(strlen(garmin_sso_last_error_message()) == 0);
  seen[want] = 1;
  printf("%-40s %s: %s\n", garmin_sso_status_name(want), what, garmin_sso_last_error_message());
}

static void expect_message(const char *part) {
  if (!contains(garmin_sso_last_error_message(), part))
    FAIL("the message \"%s\" does not say \"%s\"", garmin_sso_last_error_message(), part);
}

static garmin_sso_status login_with(const garmin_sso_client *c, uint32_t flow, const char *email, const char *pw) {
  garmin_sso_session *s = (garmin_sso_session *)0x1;
  garmin_sso_pending_mfa *m = (garmin_sso_pending_mfa *)0x1;
  garmin_sso_status st = garmin_sso_client_login_with(c, flow, email, pw, &s, &m);
  if (st != GARMIN_SSO_STATUS_OK) {
    /* out-parameters are untouched on failure */
    CHECK(s == (garmin_sso_session *)0x1 && m == (garmin_sso_pending_mfa *)0x1);
  } else {
    garmin_sso_session_free(s);
    garmin_sso_pending_mfa_free(m);
  }
  return st;
}

/* A host transport for what only a misbehaving network produces. */
static uint32_t fake_transport(void *user_data, const garmin_sso_transport_request *req,
                               garmin_sso_transport_response *resp) {
  const char *mode = user_data;
  if (strcmp(mode, "foreign") == 0) {
    garmin_sso_transport_response_set_status(resp, 302);
    garmin_sso_transport_response_add_header(resp, "Location", "https://evil.example/steal");
    return GARMIN_SSO_TRANSPORT_RESULT_OK;
  }
  if (strcmp(mode, "loop") == 0) {
    garmin_sso_transport_response_set_status(resp, 302);
    garmin_sso_transport_response_add_header(resp, "Location", req->url);
    return GARMIN_SSO_TRANSPORT_RESULT_OK;
  }
  if (strcmp(mode, "no-status") == 0) return GARMIN_SSO_TRANSPORT_RESULT_OK;
  garmin_sso_transport_response_set_error_message(resp, "the host's network is down");
  return GARMIN_SSO_TRANSPORT_RESULT_CONNECT;
}

static garmin_sso_client *fake_client(const char *mode) {
  garmin_sso_config *cfg = sim_config();
  CHECK_OK(garmin_sso_config_set_transport(cfg, fake_transport, (void *)mode));
  garmin_sso_client *c = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &c));
  garmin_sso_config_free(cfg);
  return c;
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  garmin_sso_client *client = sim_client();

  /* Argument checks */
  garmin_sso_config *cfg = NULL;
  expect(garmin_sso_config_new("garmin.com", &cfg), GARMIN_SSO_STATUS_OK, "config for garmin.com");
  expect(garmin_sso_config_new(NULL, &cfg), GARMIN_SSO_STATUS_NULL_ARGUMENT, "NULL domain");
  expect(garmin_sso_config_new("garmin.\xff", &cfg), GARMIN_SSO_STATUS_INVALID_UTF8, "domain not UTF-8");
  expect(garmin_sso_config_new("garmin.org", &cfg), GARMIN_SSO_STATUS_INVALID_INPUT, "unknown domain");
  garmin_sso_config_free(cfg);

  /* Account answers */
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, "wrong"), GARMIN_SSO_STATUS_INVALID_CREDENTIALS,
         "wrong password");
  garmin_sso_session *s = NULL;
  expect(garmin_sso_client_login(client, MFA_EMAIL, MFA_PASSWORD, &s, NULL), GARMIN_SSO_STATUS_MFA_REQUIRED,
         "MFA account, caller cannot do MFA");
  garmin_sso_pending_mfa *mfa = NULL;
  CHECK_OK(garmin_sso_client_login(client, MFA_EMAIL, MFA_PASSWORD, &s, &mfa));
  CHECK(s == NULL && mfa != NULL);
  expect(garmin_sso_pending_mfa_submit(mfa, "000000", &s), GARMIN_SSO_STATUS_MFA_CODE_REJECTED, "wrong MFA code");
  CHECK_OK(garmin_sso_pending_mfa_submit(mfa, MFA_CODE, &s));
  garmin_sso_session_free(s);
  s = NULL;
  expect(garmin_sso_pending_mfa_submit(mfa, MFA_CODE, &s), GARMIN_SSO_STATUS_MFA_CHALLENGE_ENDED,
         "MFA challenge already completed");
  CHECK(s == NULL);
  garmin_sso_pending_mfa_free(mfa);

  /* Accounts Garmin refuses to sign in, on both the JSON and the HTML paths */
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, "locked@example.com", "locked pass"),
         GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE, "locked account");
  expect_message("locked");
  expect(login_with(client, GARMIN_SSO_FLOW_WIDGET, "locked@example.com", "locked pass"),
         GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE, "locked account");
  expect_message("locked");
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, "child@example.com", "child pass"),
         GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE, "cannot sign in");
  expect_message("cannot sign in");
  CHECK(!contains(garmin_sso_last_error_message(), "locked"));
  expect(login_with(client, GARMIN_SSO_FLOW_WIDGET, "child@example.com", "child pass"),
         GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE, "cannot sign in");
  expect_message("cannot sign in");
  CHECK(!contains(garmin_sso_last_error_message(), "locked"));

  /* Garmin's front */
  sim_admin("/__sim/fault?target=mobile_login&kind=429&retry_after=7");
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_RATE_LIMITED,
         "429 with Retry-After");
  CHECK(garmin_sso_last_error_retry_after_seconds() == 7);
  sim_admin("/__sim/fault?target=mobile_login&kind=cloudflare");
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_BLOCKED,
         "Cloudflare challenge");
  CHECK(garmin_sso_last_error_retry_after_seconds() == -1);
  sim_admin("/__sim/fault?target=mobile_login&kind=malformed");
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD),
         GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "truncated JSON");
  sim_admin("/__sim/fault?target=mobile_login&kind=500");
  expect(login_with(client, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD),
         GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "HTTP 500");
  expect_message("HTTP 500");
  /* A chain's status is what its failures have in common (computed by the core); the message lists
   * every flow and why. */
  uint32_t chain[] = {GARMIN_SSO_FLOW_MOBILE, GARMIN_SSO_FLOW_WIDGET, GARMIN_SSO_FLOW_PORTAL};
  sim_admin("/__sim/fault?target=any&kind=503&times=always");
  s = NULL;
  expect(garmin_sso_client_login_chain(client, chain, 3, PLAIN_EMAIL, PLAIN_PASSWORD, &s, NULL),
         GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "every flow answered 503");
  CHECK(s == NULL);
  expect_message("mobile");
  expect_message("widget");
  expect_message("portal");
  expect_message("503");
  sim_admin("/__sim/clear");
  sim_admin("/__sim/fault?target=any&kind=429&retry_after=9&times=always");
  expect(garmin_sso_client_login_chain(client, chain, 3, PLAIN_EMAIL, PLAIN_PASSWORD, &s, NULL),
         GARMIN_SSO_STATUS_RATE_LIMITED, "every flow rate-limited");
  CHECK(garmin_sso_last_error_retry_after_seconds() == 9);
  expect_message("mobile");
  expect_message("portal");
  sim_admin("/__sim/clear");

  /* Transport */
  {
    garmin_sso_config *c2 = NULL;
    garmin_sso_client *closed = NULL;
    CHECK_OK(garmin_sso_config_new("garmin.com", &c2));
    CHECK_OK(garmin_sso_config_set_base_url(c2, "http://127.0.0.1:1"));
    CHECK_OK(garmin_sso_client_new(c2, &closed));
    expect(login_with(closed, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_NETWORK,
           "connection refused");
    garmin_sso_client_free(closed);
    CHECK_OK(garmin_sso_config_set_base_url(c2, sim_url()));
    CHECK_OK(garmin_sso_config_set_timeout_ms(c2, 200));
    CHECK_OK(garmin_sso_client_new(c2, &closed));
    sim_admin("/__sim/fault?target=mobile_page&kind=delay&ms=2000");
    expect(login_with(closed, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_TIMEOUT,
           "answer slower than the timeout");
    garmin_sso_client_free(closed);
    CHECK_OK(garmin_sso_config_set_timeout_ms(c2, 20000));
    CHECK_OK(garmin_sso_config_set_max_response_bytes(c2, 16));
    CHECK_OK(garmin_sso_client_new(c2, &closed));
    expect(login_with(closed, GARMIN_SSO_FLOW_WIDGET, PLAIN_EMAIL, PLAIN_PASSWORD),
           GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "page larger than max_response_bytes");
    expect_message("too large");
    garmin_sso_client_free(closed);
    garmin_sso_config_free(c2);
  }
  garmin_sso_client *host_down = fake_client("down");
  expect(login_with(host_down, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_NETWORK,
         "host transport failed");
  CHECK(contains(garmin_sso_last_error_message(), "the host's network is down"));
  garmin_sso_client_free(host_down);
  garmin_sso_client *no_status = fake_client("no-status");
  expect(login_with(no_status, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD), GARMIN_SSO_STATUS_NETWORK,
         "host transport set no status");
  garmin_sso_client_free(no_status);
  garmin_sso_client *foreign = fake_client("foreign");
  expect(login_with(foreign, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD),
         GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "redirect off Garmin");
  expect_message("refused to follow a redirect");
  CHECK(contains(garmin_sso_last_error_message(), "evil.example") && !contains(garmin_sso_last_error_message(), "steal"));
  garmin_sso_client_free(foreign);
  garmin_sso_client *loop = fake_client("loop");
  expect(login_with(loop, GARMIN_SSO_FLOW_MOBILE, PLAIN_EMAIL, PLAIN_PASSWORD),
         GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE, "redirect loop");
  expect_message("too many redirects");
  garmin_sso_client_free(loop);

  /* Web view */
  s = NULL;
  expect(garmin_sso_client_exchange_webview(client, "https://mobile.integration.garmin.com/gcm/android?state=1", &s),
         GARMIN_SSO_STATUS_INVALID_INPUT, "web-view URL without a ticket");
  expect_message("no service ticket");
  CHECK(s == NULL);

  /* Partner sign-in (test_partner.c plays the browser): the redirect Garmin sends when the person
   * declines carries error=access_denied and the request's state. */
  {
    garmin_sso_config *pc = sim_config();
    CHECK_OK(garmin_sso_config_set_partner(pc, "c-partner-app", "c-partner-secret-7d1e",
                                           "http://127.0.0.1:8765/callback", NULL));
    garmin_sso_client *partner = NULL;
    CHECK_OK(garmin_sso_client_new(pc, &partner));
    garmin_sso_config_free(pc);
    garmin_sso_partner_authorization *auth = NULL;
    CHECK_OK(garmin_sso_partner_authorization_new(partner, &auth));
    char *url = NULL;
    CHECK_OK(garmin_sso_partner_authorization_url(auth, &url));
    const char *state = strstr(url, "&state=");
    CHECK(state != NULL);
    state += 7;
    char callback[1024];
    snprintf(callback, sizeof callback, "http://127.0.0.1:8765/callback?error=access_denied&state=%.*s",
             (int)strcspn(state, "&"), state);
    garmin_sso_string_free(url);
    s = NULL;
    expect(garmin_sso_partner_authorization_finish(auth, callback, &s), GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED,
           "partner app declined");
    expect_message("access_denied");
    CHECK(s == NULL);
    garmin_sso_partner_authorization_free(auth);
    garmin_sso_client_free(partner);
  }

  /* Sessions */
  garmin_sso_session *session = sim_session(client);
  const uint8_t fit[] = {0x0e, 0x10, 0x43, 0x08, 0x00, 0x00, 0x00, 0x00, '.', 'F', 'I', 'T', 0x00, 0x00, 's', 't'};
  garmin_sso_upload_result *up = NULL;
  CHECK_OK(garmin_sso_session_upload_fit(session, "status.fit", fit, sizeof fit, &up));
  garmin_sso_upload_result_free(up);
  up = NULL;
  expect(garmin_sso_session_upload_fit(session, "status.fit", fit, sizeof fit, &up),
         GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY, "same activity again");
  CHECK(up == NULL);

  char path[1024];
  tmp_path(path, sizeof path, "a-file");
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  fclose(f);
  tmp_path(path, sizeof path, "a-file/tokens.json");
  expect(garmin_sso_session_save(session, GARMIN_SSO_STORE_KIND_JSON_FILE, path), GARMIN_SSO_STATUS_STORAGE,
         "store inside a regular file");

  sim_admin("/__sim/expire?what=all");
  expect(garmin_sso_session_refresh(session), GARMIN_SSO_STATUS_SIGN_IN_NEEDED, "refresh token expired");
  CHECK_OK(garmin_sso_session_logout(session));
  char *json = NULL;
  expect(garmin_sso_session_to_json(session, &json), GARMIN_SSO_STATUS_SIGN_IN_NEEDED, "after logout");
  CHECK(json == NULL);
  garmin_sso_session_free(session);

  /* Every status the library names, except INTERNAL, was reached. */
  int named = 0;
  for (uint32_t i = 0; i < MAX_STATUS; i++) {
    if (strcmp(garmin_sso_status_name(i), "GARMIN_SSO_STATUS_UNKNOWN") == 0) continue;
    named++;
    if (!seen[i] && i != GARMIN_SSO_STATUS_INTERNAL) FAIL("status %s was not reached", garmin_sso_status_name(i));
  }
  CHECK(named == 19); /* OK, 16 kinds, NULL_ARGUMENT, INVALID_UTF8 */
  CHECK(strcmp(garmin_sso_status_name(GARMIN_SSO_STATUS_INTERNAL), "GARMIN_SSO_STATUS_INTERNAL") == 0);
  CHECK(strcmp(garmin_sso_status_name(9999), "GARMIN_SSO_STATUS_UNKNOWN") == 0);
  garmin_sso_client_free(client);
  curl_global_cleanup();
  printf("every status except INTERNAL reached\n");
  return 0;
}
