/* Sign in with every HTTP request performed by the app itself, here with libcurl — the way a Qt app
 * routes the library through QNetworkAccessManager or a mobile app through its platform stack.
 *
 *   curl_transport EMAIL PASSWORD
 *
 * GARMIN_SSO_BASE_URL points the library at a simulator; unset, it talks to Garmin. */
#include "garmin_sso.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  garmin_sso_transport_response *response;
  int too_large;
} transfer;

/* Header lines ("Name: value\r\n") become response headers; a new status line (after a 1xx) starts
 * the header list over, which curl does not do for us. */
static size_t on_header(char *line, size_t size, size_t n, void *user_data) {
  transfer *t = user_data;
  size_t len = size * n;
  char buf[8192];
  if (len >= sizeof buf) return len; /* an absurd header: skip it */
  memcpy(buf, line, len);
  buf[len] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  char *colon = strchr(buf, ':');
  if (colon && strncmp(buf, "HTTP/", 5) != 0) {
    *colon = '\0';
    garmin_sso_transport_response_add_header(t->response, buf, colon + 1);
  }
  return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *user_data) {
  transfer *t = user_data;
  if (garmin_sso_transport_response_append_body(t->response, (const uint8_t *)data, size * n) != GARMIN_SSO_STATUS_OK) {
    t->too_large = 1;
    return 0; /* stop reading: past max_response_bytes */
  }
  return size * n;
}

/* The transport callback: one request in, one response out. No redirects, no cookies, no auth: the
 * library does those. Never log the URL, headers or body: they carry tickets, cookies and tokens. */
static uint32_t curl_transport(void *user_data, const garmin_sso_transport_request *req,
                               garmin_sso_transport_response *response) {
  int *count = user_data;
  (*count)++;
  CURL *c = curl_easy_init();
  if (!c) return GARMIN_SSO_TRANSPORT_RESULT_OTHER;
  struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
  for (size_t i = 0; i < req->header_count; i++) {
    size_t len = strlen(req->headers[i].name) + strlen(req->headers[i].value) + 3;
    char *line = malloc(len);
    snprintf(line, len, "%s: %s", req->headers[i].name, req->headers[i].value);
    headers = curl_slist_append(headers, line);
    free(line);
  }
  transfer t = {response, 0};
  curl_easy_setopt(c, CURLOPT_URL, req->url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
  if (strcmp(req->method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (req->body_len > 0) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* hand over decoded bodies */
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);

  if (rc == CURLE_OK) {
    garmin_sso_transport_response_set_status(response, (uint16_t)status);
    return GARMIN_SSO_TRANSPORT_RESULT_OK;
  }
  garmin_sso_transport_response_set_error_message(response, t.too_large ? "response too large" : curl_easy_strerror(rc));
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
    return GARMIN_SSO_TRANSPORT_RESULT_CONNECT;
  case CURLE_OPERATION_TIMEDOUT:
    return GARMIN_SSO_TRANSPORT_RESULT_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
    return GARMIN_SSO_TRANSPORT_RESULT_TLS;
  default:
    return GARMIN_SSO_TRANSPORT_RESULT_IO;
  }
}

static int fail(const char *what, garmin_sso_status s) {
  fprintf(stderr, "%s failed: %s: %s\n", what, garmin_sso_status_name(s), garmin_sso_last_error_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s EMAIL PASSWORD\n", argv[0]);
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int requests = 0;
  garmin_sso_config *cfg = NULL;
  garmin_sso_status s = garmin_sso_config_new("garmin.com", &cfg);
  if (s) return fail("config", s);
  const char *base = getenv("GARMIN_SSO_BASE_URL");
  if (base && *base && (s = garmin_sso_config_set_base_url(cfg, base))) return fail("base URL", s);
  if ((s = garmin_sso_config_set_transport(cfg, curl_transport, &requests))) return fail("transport", s);
  garmin_sso_client *client = NULL;
  s = garmin_sso_client_new(cfg, &client);
  garmin_sso_config_free(cfg);
  if (s) return fail("client", s);

  garmin_sso_session *session = NULL;
  if ((s = garmin_sso_client_login(client, argv[1], argv[2], &session, NULL))) return fail("sign-in", s);
  char *name = NULL;
  if ((s = garmin_sso_session_display_name(session, &name))) return fail("profile", s);
  printf("signed in as %s (%d requests through libcurl)\n", name, requests);
  garmin_sso_string_free(name);
  garmin_sso_session_free(session);
  garmin_sso_client_free(client);
  curl_global_cleanup();
  return requests > 0 ? 0 : 1;
}
