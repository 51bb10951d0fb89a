/* Every function, given NULL for each pointer it needs, answers NULL_ARGUMENT; given a string that is
 * not UTF-8, answers INVALID_UTF8; given an out-of-range enum value, INVALID_INPUT — and leaves its
 * out-parameters untouched. Free functions accept NULL. */
#include "test_util.h"

#include <curl/curl.h>

#define NUL(call) CHECK_STATUS(call, GARMIN_SSO_STATUS_NULL_ARGUMENT)
#define BAD(call) CHECK_STATUS(call, GARMIN_SSO_STATUS_INVALID_UTF8)
#define INV(call) CHECK_STATUS(call, GARMIN_SSO_STATUS_INVALID_INPUT)

static const char B[] = "bad \xc3\x28 utf8";
#define S "x"

/* Untouched-out-parameter sentinels */
#define SENT ((void *)0x5a5a)

static int transport_checks_ran;

static uint32_t checking_transport(void *ud, const garmin_sso_transport_request *req, garmin_sso_transport_response *r) {
  (void)ud;
  (void)req;
  NUL(garmin_sso_transport_response_add_header(r, NULL, "v"));
  NUL(garmin_sso_transport_response_add_header(r, "n", NULL));
  BAD(garmin_sso_transport_response_add_header(r, B, "v"));
  BAD(garmin_sso_transport_response_add_header(r, "n", B));
  INV(garmin_sso_transport_response_add_header(r, "bad name:", "v"));
  NUL(garmin_sso_transport_response_append_body(r, NULL, 3));
  CHECK_OK(garmin_sso_transport_response_append_body(r, NULL, 0));
  INV(garmin_sso_transport_response_set_status(r, 42));
  NUL(garmin_sso_transport_response_set_error_message(r, NULL));
  BAD(garmin_sso_transport_response_set_error_message(r, B));
  CHECK_OK(garmin_sso_transport_response_set_error_message(r, "checked"));
  transport_checks_ran = 1;
  return GARMIN_SSO_TRANSPORT_RESULT_OTHER;
}

static void config_functions(void) {
  garmin_sso_config *out = SENT;
  NUL(garmin_sso_config_new(NULL, &out));
  BAD(garmin_sso_config_new(B, &out));
  NUL(garmin_sso_config_new("garmin.com", NULL));
  CHECK(out == SENT);
  garmin_sso_config *c = NULL;
  CHECK_OK(garmin_sso_config_new("garmin.cn", &c));

  NUL(garmin_sso_config_set_base_url(NULL, "http://127.0.0.1:1"));
  NUL(garmin_sso_config_set_base_url(c, NULL));
  BAD(garmin_sso_config_set_base_url(c, B));
  INV(garmin_sso_config_set_base_url(c, "ftp://x"));
  NUL(garmin_sso_config_set_endpoint(NULL, GARMIN_SSO_ENDPOINT_SSO, "http://127.0.0.1:1"));
  NUL(garmin_sso_config_set_endpoint(c, GARMIN_SSO_ENDPOINT_SSO, NULL));
  BAD(garmin_sso_config_set_endpoint(c, GARMIN_SSO_ENDPOINT_SSO, B));
  INV(garmin_sso_config_set_endpoint(c, 99, "http://127.0.0.1:1"));
  CHECK_OK(garmin_sso_config_set_endpoint(c, GARMIN_SSO_ENDPOINT_CONSUMER_URL, "http://127.0.0.1:1/c.json"));
  NUL(garmin_sso_config_set_consumer(NULL, S, S));
  NUL(garmin_sso_config_set_consumer(c, NULL, S));
  NUL(garmin_sso_config_set_consumer(c, S, NULL));
  BAD(garmin_sso_config_set_consumer(c, B, S));
  BAD(garmin_sso_config_set_consumer(c, S, B));
  INV(garmin_sso_config_set_consumer(c, "", S));
  NUL(garmin_sso_config_set_timeout_ms(NULL, 1));
  INV(garmin_sso_config_set_timeout_ms(c, 0));
  NUL(garmin_sso_config_set_max_response_bytes(NULL, 1));
  INV(garmin_sso_config_set_max_response_bytes(c, 0));
  NUL(garmin_sso_config_set_refresh_margin_seconds(NULL, 1));
  NUL(garmin_sso_config_set_user_agent(NULL, GARMIN_SSO_USER_AGENT_API, S));
  NUL(garmin_sso_config_set_user_agent(c, GARMIN_SSO_USER_AGENT_API, NULL));
  BAD(garmin_sso_config_set_user_agent(c, GARMIN_SSO_USER_AGENT_API, B));
  INV(garmin_sso_config_set_user_agent(c, 7, S));
  INV(garmin_sso_config_set_user_agent(c, GARMIN_SSO_USER_AGENT_SSO, "two\nlines"));
  uint32_t flows[] = {GARMIN_SSO_FLOW_WIDGET};
  uint32_t bad_flows[] = {GARMIN_SSO_FLOW_WIDGET, 3};
  NUL(garmin_sso_config_set_flows(NULL, flows, 1));
  NUL(garmin_sso_config_set_flows(c, NULL, 1));
  INV(garmin_sso_config_set_flows(c, NULL, 0));
  INV(garmin_sso_config_set_flows(c, bad_flows, 2));
  CHECK(contains(garmin_sso_last_error_message(), "garmin_sso_flow"));
  CHECK_OK(garmin_sso_config_set_flows(c, flows, 1));
  NUL(garmin_sso_config_set_token_preference(NULL, GARMIN_SSO_TOKEN_PREFERENCE_DI));
  INV(garmin_sso_config_set_token_preference(c, 3));
  CHECK_OK(garmin_sso_config_set_token_preference(c, GARMIN_SSO_TOKEN_PREFERENCE_LEGACY));
  NUL(garmin_sso_config_set_mobile_app(NULL, GARMIN_SSO_MOBILE_APP_IOS));
  INV(garmin_sso_config_set_mobile_app(c, 2));
  CHECK_OK(garmin_sso_config_set_mobile_app(c, GARMIN_SSO_MOBILE_APP_IOS));
  const char *ids[] = {"A", NULL};
  const char *bad_ids[] = {"A", B};
  NUL(garmin_sso_config_set_di_client_ids(NULL, ids, 1));
  NUL(garmin_sso_config_set_di_client_ids(c, NULL, 1));
  NUL(garmin_sso_config_set_di_client_ids(c, ids, 2));
  BAD(garmin_sso_config_set_di_client_ids(c, bad_ids, 2));
  INV(garmin_sso_config_set_di_client_ids(c, ids, 0));
  NUL(garmin_sso_config_set_transport(NULL, NULL, NULL));

  garmin_sso_client *client = SENT;
  NUL(garmin_sso_client_new(NULL, &client));
  NUL(garmin_sso_client_new(c, NULL));
  CHECK(client == SENT);

  /* The transport setters, inside a real callback */
  CHECK_OK(garmin_sso_config_set_transport(c, checking_transport, NULL));
  CHECK_OK(garmin_sso_config_set_base_url(c, "http://127.0.0.1:1"));
  CHECK_OK(garmin_sso_client_new(c, &client));
  garmin_sso_session *s = SENT;
  CHECK_STATUS(garmin_sso_client_login_with(client, GARMIN_SSO_FLOW_MOBILE, "a@b.c", "pw", &s, NULL),
               GARMIN_SSO_STATUS_NETWORK);
  CHECK(contains(garmin_sso_last_error_message(), "checked"));
  CHECK(transport_checks_ran && s == SENT);
  garmin_sso_client_free(client);

  NUL(garmin_sso_transport_response_set_status(NULL, 200));
  NUL(garmin_sso_transport_response_add_header(NULL, "n", "v"));
  NUL(garmin_sso_transport_response_append_body(NULL, (const uint8_t *)"x", 1));
  NUL(garmin_sso_transport_response_set_error_message(NULL, "m"));
  garmin_sso_config_free(c);
  garmin_sso_config_free(NULL);
}

static void client_functions(garmin_sso_client *c) {
  garmin_sso_session *s = SENT;
  garmin_sso_pending_mfa *m = SENT;
  NUL(garmin_sso_client_login(NULL, S, S, &s, &m));
  NUL(garmin_sso_client_login(c, NULL, S, &s, &m));
  NUL(garmin_sso_client_login(c, S, NULL, &s, &m));
  NUL(garmin_sso_client_login(c, S, S, NULL, &m));
  BAD(garmin_sso_client_login(c, B, S, &s, &m));
  BAD(garmin_sso_client_login(c, S, B, &s, &m));
  uint32_t chain[] = {GARMIN_SSO_FLOW_MOBILE};
  uint32_t bad_chain[] = {17};
  NUL(garmin_sso_client_login_chain(NULL, chain, 1, S, S, &s, &m));
  NUL(garmin_sso_client_login_chain(c, NULL, 1, S, S, &s, &m));
  NUL(garmin_sso_client_login_chain(c, chain, 1, NULL, S, &s, &m));
  NUL(garmin_sso_client_login_chain(c, chain, 1, S, NULL, &s, &m));
  NUL(garmin_sso_client_login_chain(c, chain, 1, S, S, NULL, &m));
  BAD(garmin_sso_client_login_chain(c, chain, 1, B, S, &s, &m));
  BAD(garmin_sso_client_login_chain(c, chain, 1, S, B, &s, &m));
  INV(garmin_sso_client_login_chain(c, bad_chain, 1, S, S, &s, &m));
  INV(garmin_sso_client_login_chain(c, chain, 0, S, S, &s, &m));
  NUL(garmin_sso_client_login_with(NULL, 0, S, S, &s, &m));
  NUL(garmin_sso_client_login_with(c, 0, NULL, S, &s, &m));
  NUL(garmin_sso_client_login_with(c, 0, S, NULL, &s, &m));
  NUL(garmin_sso_client_login_with(c, 0, S, S, NULL, &m));
  BAD(garmin_sso_client_login_with(c, 0, B, S, &s, &m));
  BAD(garmin_sso_client_login_with(c, 0, S, B, &s, &m));
  INV(garmin_sso_client_login_with(c, 9, S, S, &s, &m));
  INV(garmin_sso_client_login_with(c, 0, "", S, &s, &m));
  char *url = SENT;
  NUL(garmin_sso_client_browser_sign_in_url(NULL, &url));
  NUL(garmin_sso_client_browser_sign_in_url(c, NULL));
  NUL(garmin_sso_client_exchange_webview(NULL, S, &s));
  NUL(garmin_sso_client_exchange_webview(c, NULL, &s));
  NUL(garmin_sso_client_exchange_webview(c, S, NULL));
  BAD(garmin_sso_client_exchange_webview(c, B, &s));
  NUL(garmin_sso_client_exchange_ticket(NULL, "ST-1", NULL, &s));
  NUL(garmin_sso_client_exchange_ticket(c, NULL, NULL, &s));
  NUL(garmin_sso_client_exchange_ticket(c, "ST-1", NULL, NULL));
  BAD(garmin_sso_client_exchange_ticket(c, B, NULL, &s));
  BAD(garmin_sso_client_exchange_ticket(c, "ST-1", B, &s));
  INV(garmin_sso_client_exchange_ticket(c, "TGT-1", NULL, &s));
  NUL(garmin_sso_session_from_json(NULL, "{}", &s));
  NUL(garmin_sso_session_from_json(c, NULL, &s));
  NUL(garmin_sso_session_from_json(c, "{}", NULL));
  BAD(garmin_sso_session_from_json(c, B, &s));
  INV(garmin_sso_session_from_json(c, "{\"schema_version\":1,\"kind\":\"di\",\"di\":{\"access_token\":\"SECRETVALUE\"}}", &s));
  CHECK(!contains(garmin_sso_last_error_message(), "SECRETVALUE"));
  NUL(garmin_sso_session_load(NULL, 0, "/x", &s));
  NUL(garmin_sso_session_load(c, 0, NULL, &s));
  NUL(garmin_sso_session_load(c, 0, "/x", NULL));
  BAD(garmin_sso_session_load(c, 0, B, &s));
  INV(garmin_sso_session_load(c, 5, "/x", &s));
  NUL(garmin_sso_store_clear(0, NULL));
  BAD(garmin_sso_store_clear(0, B));
  INV(garmin_sso_store_clear(2, "/x"));
  CHECK(s == SENT && m == SENT && url == SENT);
  NUL(garmin_sso_client_new(NULL, NULL));
  garmin_sso_client_free(NULL);
}

static void mfa_functions(garmin_sso_pending_mfa *m) {
  garmin_sso_session *s = SENT;
  char *str = SENT;
  uint32_t u = 77;
  NUL(garmin_sso_pending_mfa_submit(NULL, "1", &s));
  NUL(garmin_sso_pending_mfa_submit(m, NULL, &s));
  NUL(garmin_sso_pending_mfa_submit(m, "1", NULL));
  BAD(garmin_sso_pending_mfa_submit(m, B, &s));
  INV(garmin_sso_pending_mfa_submit(m, "", &s));
  NUL(garmin_sso_pending_mfa_method(NULL, &str));
  NUL(garmin_sso_pending_mfa_method(m, NULL));
  NUL(garmin_sso_pending_mfa_code_sent_to(NULL, &str));
  NUL(garmin_sso_pending_mfa_code_sent_to(m, NULL));
  NUL(garmin_sso_pending_mfa_flow(NULL, &u));
  NUL(garmin_sso_pending_mfa_flow(m, NULL));
  CHECK(s == SENT && str == SENT && u == 77);
  garmin_sso_pending_mfa_free(NULL);
}

static void session_functions(garmin_sso_session *s) {
  char *str = SENT;
  uint32_t u = 77;
  int64_t i = 77;
  NUL(garmin_sso_session_to_json(NULL, &str));
  NUL(garmin_sso_session_to_json(s, NULL));
  NUL(garmin_sso_session_token_family(NULL, &u));
  NUL(garmin_sso_session_token_family(s, NULL));
  NUL(garmin_sso_session_expires_at(NULL, &i));
  NUL(garmin_sso_session_expires_at(s, NULL));
  NUL(garmin_sso_session_refresh(NULL));
  NUL(garmin_sso_session_logout(NULL));
  NUL(garmin_sso_session_set_refresh_callback(NULL, NULL, NULL));
  garmin_sso_header good[] = {{"a", "b"}};
  garmin_sso_header null_name[] = {{NULL, "b"}};
  garmin_sso_header null_value[] = {{"a", NULL}};
  garmin_sso_header bad_name[] = {{B, "b"}};
  garmin_sso_header bad_value[] = {{"a", B}};
  garmin_sso_api_response *r = SENT;
  NUL(garmin_sso_session_request(NULL, "GET", "/x", NULL, 0, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, NULL, "/x", NULL, 0, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", NULL, NULL, 0, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", NULL, 1, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", null_name, 1, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", null_value, 1, NULL, 0, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", good, 1, NULL, 1, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", good, 1, null_name, 1, NULL, 0, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", good, 1, good, 1, NULL, 4, &r));
  NUL(garmin_sso_session_request(s, "GET", "/x", good, 1, good, 1, NULL, 0, NULL));
  BAD(garmin_sso_session_request(s, B, "/x", NULL, 0, NULL, 0, NULL, 0, &r));
  BAD(garmin_sso_session_request(s, "GET", B, NULL, 0, NULL, 0, NULL, 0, &r));
  BAD(garmin_sso_session_request(s, "GET", "/x", bad_name, 1, NULL, 0, NULL, 0, &r));
  BAD(garmin_sso_session_request(s, "GET", "/x", bad_value, 1, NULL, 0, NULL, 0, &r));
  BAD(garmin_sso_session_request(s, "GET", "/x", NULL, 0, bad_name, 1, NULL, 0, &r));
  BAD(garmin_sso_session_request(s, "GET", "/x", NULL, 0, bad_value, 1, NULL, 0, &r));
  INV(garmin_sso_session_request(s, "BREW", "/x", NULL, 0, NULL, 0, NULL, 0, &r));
  {
    /* a long argument is cut in the message, never repeated whole */
    char method[2048];
    memset(method, 'M', sizeof method - 1);
    method[sizeof method - 1] = '\0';
    INV(garmin_sso_session_request(s, method, "/x", NULL, 0, NULL, 0, NULL, 0, &r));
    CHECK(strlen(garmin_sso_last_error_message()) < 200);
  }
  NUL(garmin_sso_session_get_json(NULL, "/x", &str));
  NUL(garmin_sso_session_get_json(s, NULL, &str));
  NUL(garmin_sso_session_get_json(s, "/x", NULL));
  BAD(garmin_sso_session_get_json(s, B, &str));
  uint8_t *data = SENT;
  size_t len = 77;
  NUL(garmin_sso_session_download(NULL, "/x", &data, &len));
  NUL(garmin_sso_session_download(s, NULL, &data, &len));
  NUL(garmin_sso_session_download(s, "/x", NULL, &len));
  NUL(garmin_sso_session_download(s, "/x", &data, NULL));
  BAD(garmin_sso_session_download(s, B, &data, &len));
  NUL(garmin_sso_session_display_name(NULL, &str));
  NUL(garmin_sso_session_display_name(s, NULL));
  garmin_sso_upload_result *up = SENT;
  NUL(garmin_sso_session_upload_fit(NULL, "a.fit", (const uint8_t *)"x", 1, &up));
  NUL(garmin_sso_session_upload_fit(s, NULL, (const uint8_t *)"x", 1, &up));
  NUL(garmin_sso_session_upload_fit(s, "a.fit", NULL, 1, &up));
  NUL(garmin_sso_session_upload_fit(s, "a.fit", (const uint8_t *)"x", 1, NULL));
  BAD(garmin_sso_session_upload_fit(s, B, (const uint8_t *)"x", 1, &up));
  INV(garmin_sso_session_upload_fit(s, "a.fit", NULL, 0, &up));
  NUL(garmin_sso_session_upload_fit_path(NULL, "/x.fit", &up));
  NUL(garmin_sso_session_upload_fit_path(s, NULL, &up));
  NUL(garmin_sso_session_upload_fit_path(s, "/x.fit", NULL));
  BAD(garmin_sso_session_upload_fit_path(s, B, &up));
  INV(garmin_sso_session_upload_fit_path(s, "/nonexistent/x.fit", &up));
  NUL(garmin_sso_session_save(NULL, 0, "/x"));
  NUL(garmin_sso_session_save(s, 0, NULL));
  BAD(garmin_sso_session_save(s, 0, B));
  INV(garmin_sso_session_save(s, 4, "/x"));
  NUL(garmin_sso_session_persist_to(NULL, 0, "/x"));
  NUL(garmin_sso_session_persist_to(s, 0, NULL));
  BAD(garmin_sso_session_persist_to(s, 0, B));
  INV(garmin_sso_session_persist_to(s, 4, "/x"));
  CHECK(str == SENT && u == 77 && i == 77 && r == SENT && data == SENT && len == 77 && up == SENT);
  garmin_sso_session_free(NULL);
}

static void response_functions(garmin_sso_api_response *r) {
  uint16_t st = 77;
  const uint8_t *data = SENT;
  size_t len = 77;
  const char *v = SENT;
  NUL(garmin_sso_api_response_status(NULL, &st));
  NUL(garmin_sso_api_response_status(r, NULL));
  NUL(garmin_sso_api_response_body(NULL, &data, &len));
  NUL(garmin_sso_api_response_body(r, NULL, &len));
  NUL(garmin_sso_api_response_body(r, &data, NULL));
  NUL(garmin_sso_api_response_header(NULL, "a", &v));
  NUL(garmin_sso_api_response_header(r, NULL, &v));
  NUL(garmin_sso_api_response_header(r, "a", NULL));
  BAD(garmin_sso_api_response_header(r, B, &v));
  CHECK(st == 77 && data == SENT && len == 77 && v == SENT);
  garmin_sso_api_response_free(NULL);
}

static void upload_functions(garmin_sso_upload_result *u) {
  int64_t id = 77;
  size_t a = 77, b = 77;
  const char *j = SENT;
  NUL(garmin_sso_upload_result_upload_id(NULL, &id));
  NUL(garmin_sso_upload_result_upload_id(u, NULL));
  NUL(garmin_sso_upload_result_counts(NULL, &a, &b));
  NUL(garmin_sso_upload_result_counts(u, NULL, &b));
  NUL(garmin_sso_upload_result_counts(u, &a, NULL));
  NUL(garmin_sso_upload_result_json(NULL, &j));
  NUL(garmin_sso_upload_result_json(u, NULL));
  CHECK(id == 77 && a == 77 && b == 77 && j == SENT);
  garmin_sso_upload_result_free(NULL);
}

static void oauth1_function(void) {
  char *h = SENT;
  const char *M = "GET", *U = "https://connectapi.garmin.com/x", *K = "key", *C = "secret", *N = "nonce";
  CHECK(garmin_sso_oauth1_authorization(NULL, U, NULL, K, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(M, NULL, NULL, K, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, NULL, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, NULL, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, NULL, NULL, NULL, 1, &h) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, NULL, NULL, N, 1, NULL) == GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(garmin_sso_oauth1_authorization(B, U, NULL, K, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, B, NULL, K, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, B, K, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, B, C, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, B, NULL, NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, B, "s", N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, "t", B, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, NULL, NULL, B, 1, &h) == GARMIN_SSO_STATUS_INVALID_UTF8);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, "t", NULL, N, 1, &h) == GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, K, C, NULL, NULL, N, -1, &h) == GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(garmin_sso_oauth1_authorization(M, "not a url", NULL, K, C, NULL, NULL, N, 1, &h) != 0);
  CHECK(garmin_sso_oauth1_authorization(M, U, NULL, "", C, NULL, NULL, N, 1, &h) != 0);
  CHECK(h == SENT);
}

static void global_functions(void) {
  garmin_sso_string_free(NULL);
  garmin_sso_bytes_free(NULL, 0);
  CHECK(garmin_sso_version() != NULL && strlen(garmin_sso_version()) > 0);
  INV(garmin_sso_set_log_callback(NULL, NULL, 6));
  CHECK_OK(garmin_sso_set_log_callback(NULL, NULL, GARMIN_SSO_LOG_LEVEL_OFF));
}

static void partner_functions(void) {
  garmin_sso_config *c = sim_config();
  NUL(garmin_sso_config_set_partner(NULL, S, S, "http://127.0.0.1/cb", NULL));
  NUL(garmin_sso_config_set_partner(c, NULL, S, "http://127.0.0.1/cb", NULL));
  NUL(garmin_sso_config_set_partner(c, S, NULL, "http://127.0.0.1/cb", NULL));
  NUL(garmin_sso_config_set_partner(c, S, S, NULL, NULL));
  BAD(garmin_sso_config_set_partner(c, B, S, "http://127.0.0.1/cb", NULL));
  BAD(garmin_sso_config_set_partner(c, S, B, "http://127.0.0.1/cb", NULL));
  BAD(garmin_sso_config_set_partner(c, S, S, B, NULL));
  BAD(garmin_sso_config_set_partner(c, S, S, "http://127.0.0.1/cb", B));
  INV(garmin_sso_config_set_partner(c, S, S, "not a URL", NULL));
  CHECK_OK(garmin_sso_config_set_partner(c, S, S, "http://127.0.0.1/cb", NULL));
  garmin_sso_client *client = NULL;
  CHECK_OK(garmin_sso_client_new(c, &client));
  garmin_sso_config_free(c);
  garmin_sso_partner_authorization *a = SENT;
  NUL(garmin_sso_partner_authorization_new(NULL, &a));
  NUL(garmin_sso_partner_authorization_new(client, NULL));
  CHECK(a == SENT);
  CHECK_OK(garmin_sso_partner_authorization_new(client, &a));
  garmin_sso_client_free(client);
  char *url = SENT;
  NUL(garmin_sso_partner_authorization_url(NULL, &url));
  NUL(garmin_sso_partner_authorization_url(a, NULL));
  CHECK(url == SENT);
  garmin_sso_session *s = SENT;
  NUL(garmin_sso_partner_authorization_finish(NULL, "http://127.0.0.1/cb?code=x&state=y", &s));
  NUL(garmin_sso_partner_authorization_finish(a, NULL, &s));
  NUL(garmin_sso_partner_authorization_finish(a, "http://127.0.0.1/cb?code=x&state=y", NULL));
  BAD(garmin_sso_partner_authorization_finish(a, B, &s));
  INV(garmin_sso_partner_authorization_finish(a, "http://127.0.0.1/cb?code=x&state=y", &s));
  CHECK(s == SENT);
  garmin_sso_partner_authorization_free(a);
  garmin_sso_partner_authorization_free(NULL);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  config_functions();
  oauth1_function();
  global_functions();
  partner_functions();

  garmin_sso_client *c = sim_client();
  client_functions(c);

  garmin_sso_session *s = NULL;
  garmin_sso_pending_mfa *m = NULL;
  CHECK_OK(garmin_sso_client_login(c, MFA_EMAIL, MFA_PASSWORD, &s, &m));
  CHECK(m != NULL);
  mfa_functions(m);
  garmin_sso_pending_mfa_free(m);

  s = sim_session(c);
  session_functions(s);
  garmin_sso_api_response *r = NULL;
  CHECK_OK(garmin_sso_session_request(s, "GET", "/userprofile-service/socialProfile", NULL, 0, NULL, 0, NULL, 0, &r));
  response_functions(r);
  garmin_sso_api_response_free(r);
  garmin_sso_upload_result *u = NULL;
  CHECK_OK(garmin_sso_session_upload_fit(s, "args.fit", (const uint8_t *)"FITDATA", 7, &u));
  upload_functions(u);
  garmin_sso_upload_result_free(u);
  garmin_sso_session_free(s);
  garmin_sso_client_free(c);
  curl_global_cleanup();
  printf("argument checks passed\n");
  return 0;
}
