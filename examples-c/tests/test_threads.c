/* Handles shared between threads: MFA started on one thread and finished on another (after a wrong
 * code on a third), concurrent sign-ins on one client, concurrent API calls on one session, and
 * exactly one refresh when many threads meet an expired token. Last-error messages stay per thread. */
#include "test_util.h"

#include <curl/curl.h>
#include <pthread.h>

typedef struct {
  const garmin_sso_pending_mfa *mfa;
  const char *code;
  garmin_sso_status status;
  garmin_sso_session *session;
  char message[512];
} submit_job;

static void *submit(void *arg) {
  submit_job *j = arg;
  j->status = garmin_sso_pending_mfa_submit(j->mfa, j->code, &j->session);
  snprintf(j->message, sizeof j->message, "%s", garmin_sso_last_error_message());
  return NULL;
}

typedef struct {
  const garmin_sso_client *client;
  const garmin_sso_session *session;
  garmin_sso_status status;
  char name[128];
} api_job;

static void *display_name(void *arg) {
  api_job *j = arg;
  char *name = NULL;
  j->status = garmin_sso_session_display_name(j->session, &name);
  if (name) {
    snprintf(j->name, sizeof j->name, "%s", name);
    garmin_sso_string_free(name);
  }
  return NULL;
}

static void *sign_in(void *arg) {
  api_job *j = arg;
  garmin_sso_session *s = NULL;
  garmin_sso_pending_mfa *m = NULL;
  j->status = garmin_sso_client_login(j->client, PLAIN_EMAIL, PLAIN_PASSWORD, &s, &m);
  if (j->status == GARMIN_SSO_STATUS_OK) {
    char *name = NULL;
    j->status = garmin_sso_session_display_name(s, &name);
    if (name) snprintf(j->name, sizeof j->name, "%s", name);
    garmin_sso_string_free(name);
  }
  garmin_sso_session_free(s);
  garmin_sso_pending_mfa_free(m);
  return NULL;
}

static long stat_value(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(json, pattern);
  if (!p) FAIL("no %s in stats %s", key, json);
  return strtol(p + strlen(pattern), NULL, 10);
}

#define N 8

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  garmin_sso_client *client = sim_client();

  /* MFA: started here, a wrong code on one thread, the right one on another. */
  garmin_sso_session *s = NULL;
  garmin_sso_pending_mfa *mfa = NULL;
  CHECK_OK(garmin_sso_client_login(client, MFA_EMAIL, MFA_PASSWORD, &s, &mfa));
  CHECK(s == NULL && mfa != NULL);
  pthread_t t;
  submit_job wrong = {mfa, "999999", GARMIN_SSO_STATUS_OK, NULL, ""};
  CHECK(pthread_create(&t, NULL, submit, &wrong) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(wrong.status == GARMIN_SSO_STATUS_MFA_CODE_REJECTED && wrong.session == NULL);
  CHECK(strlen(wrong.message) > 0);
  /* that thread's error is not this thread's */
  CHECK(garmin_sso_last_error_status() == GARMIN_SSO_STATUS_OK && strlen(garmin_sso_last_error_message()) == 0);
  submit_job right = {mfa, MFA_CODE, GARMIN_SSO_STATUS_INTERNAL, NULL, ""};
  CHECK(pthread_create(&t, NULL, submit, &right) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  if (right.status != GARMIN_SSO_STATUS_OK) FAIL("submit on a second thread: %s", right.message);
  CHECK(right.session != NULL);
  garmin_sso_pending_mfa_free(mfa);
  char *name = NULL;
  CHECK_OK(garmin_sso_session_display_name(right.session, &name));
  CHECK(strcmp(name, "mfa") == 0);
  garmin_sso_string_free(name);
  garmin_sso_session_free(right.session);

  /* Concurrent sign-ins on one client */
  pthread_t threads[N];
  api_job jobs[N];
  for (int i = 0; i < N; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].client = client;
    CHECK(pthread_create(&threads[i], NULL, sign_in, &jobs[i]) == 0);
  }
  for (int i = 0; i < N; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(jobs[i].status == GARMIN_SSO_STATUS_OK && strcmp(jobs[i].name, "runner") == 0);
  }

  /* One session, many threads, expired access token: exactly one refresh. */
  garmin_sso_session *shared = sim_session(client);
  char *before = sim_admin_get("/__sim/stats");
  long refreshes_before = stat_value(before, "di_refreshes");
  free(before);
  sim_admin("/__sim/expire?what=access");
  for (int i = 0; i < N; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].session = shared;
    CHECK(pthread_create(&threads[i], NULL, display_name, &jobs[i]) == 0);
  }
  for (int i = 0; i < N; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(jobs[i].status == GARMIN_SSO_STATUS_OK && strcmp(jobs[i].name, "runner") == 0);
  }
  char *after = sim_admin_get("/__sim/stats");
  long refreshes = stat_value(after, "di_refreshes") - refreshes_before;
  free(after);
  if (refreshes != 1) FAIL("%d threads on an expired token made %ld refreshes, expected 1", N, refreshes);
  garmin_sso_session_free(shared);

  garmin_sso_client_free(client);
  curl_global_cleanup();
  printf("thread tests passed\n");
  return 0;
}
