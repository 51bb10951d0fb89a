#include "test_util.h"

#include <curl/curl.h>
#include <pthread.h>

static pthread_mutex_t captured_lock = PTHREAD_MUTEX_INITIALIZER;
static char *captured;
static size_t captured_len;
static int captured_lines;

void test_log_capture(void *user_data, uint32_t level, const char *message) {
  (void)user_data;
  CHECK(level >= GARMIN_SSO_LOG_LEVEL_ERROR && level <= GARMIN_SSO_LOG_LEVEL_TRACE);
  pthread_mutex_lock(&captured_lock);
  size_t n = strlen(message);
  char *grown = realloc(captured, captured_len + n + 2);
  CHECK(grown != NULL);
  captured = grown;
  memcpy(captured + captured_len, message, n);
  captured_len += n;
  captured[captured_len++] = '\n';
  captured[captured_len] = '\0';
  captured_lines++;
  pthread_mutex_unlock(&captured_lock);
}

const char *test_log_text(void) { return captured ? captured : ""; }

int test_log_lines(void) { return captured_lines; }

void test_log_free(void) {
  free(captured);
  captured = NULL;
  captured_len = 0;
  captured_lines = 0;
}

const char *sim_url(void) {
  const char *u = getenv("GARMIN_SSO_BASE_URL");
  if (!u || !*u) FAIL("GARMIN_SSO_BASE_URL is not set: run the test through tests/with-sim.sh");
  return u;
}

size_t test_collect(char *p, size_t size, size_t n, void *ud) {
  test_buffer *b = ud;
  size_t add = size * n;
  char *grown = realloc(b->data, b->len + add + 1);
  if (!grown) return 0;
  b->data = grown;
  memcpy(b->data + b->len, p, add);
  b->len += add;
  b->data[b->len] = '\0';
  return add;
}

size_t test_collect_location(char *p, size_t size, size_t n, void *ud) {
  char *location = ud;
  size_t len = size * n;
  if (len > 10 && strncasecmp(p, "Location:", 9) == 0) {
    const char *v = p + 9;
    while (*v == ' ') v++;
    size_t vl = len - (size_t)(v - p);
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n')) vl--;
    if (vl < TEST_LOCATION_MAX) {
      memcpy(location, v, vl);
      location[vl] = '\0';
    }
  }
  return len;
}

static char *admin(const char *method, const char *path) {
  char url[1024];
  snprintf(url, sizeof url, "%s%s", sim_url(), path);
  CURL *c = curl_easy_init();
  CHECK(c != NULL);
  test_buffer b = {NULL, 0};
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (strcmp(method, "POST") == 0) curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, test_collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK || status != 200) FAIL("admin %s %s failed: curl %d, HTTP %ld", method, path, (int)rc, status);
  if (!b.data) b.data = calloc(1, 1);
  return b.data;
}

void sim_admin(const char *path_and_query) { free(admin("POST", path_and_query)); }

char *sim_admin_get(const char *path) { return admin("GET", path); }

garmin_sso_config *sim_config(void) {
  garmin_sso_config *cfg = NULL;
  CHECK_OK(garmin_sso_config_new("garmin.com", &cfg));
  CHECK_OK(garmin_sso_config_set_base_url(cfg, sim_url()));
  CHECK_OK(garmin_sso_config_set_timeout_ms(cfg, 20000));
  return cfg;
}

garmin_sso_client *sim_client(void) {
  garmin_sso_config *cfg = sim_config();
  garmin_sso_client *client = NULL;
  CHECK_OK(garmin_sso_client_new(cfg, &client));
  garmin_sso_config_free(cfg);
  return client;
}

garmin_sso_session *sim_session(const garmin_sso_client *client) {
  garmin_sso_session *s = NULL;
  garmin_sso_pending_mfa *mfa = NULL;
  CHECK_OK(garmin_sso_client_login(client, PLAIN_EMAIL, PLAIN_PASSWORD, &s, &mfa));
  CHECK(s != NULL && mfa == NULL);
  return s;
}

void tmp_path(char *buf, size_t len, const char *name) {
  const char *dir = getenv("GARMIN_SSO_TEST_TMP");
  if (!dir || !*dir) FAIL("GARMIN_SSO_TEST_TMP is not set: run the test through tests/with-sim.sh");
  snprintf(buf, len, "%s/%s", dir, name);
}

int contains(const char *haystack, const char *needle) { return haystack && strstr(haystack, needle) != NULL; }
