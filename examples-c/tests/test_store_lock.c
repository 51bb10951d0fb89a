/* An app's token store with a lock (garmin_sso_token_store_new_callbacks_with_lock): two clients,
 * one session each, resumed from one store whose tokens they share; the access token expires on
 * the simulator and both sessions call the API at the same moment, in several rounds. Each round
 * the simulator counts exactly one DI refresh and both calls succeed: the session that takes the
 * store's lock refreshes and saves, the other waits for the lock, re-reads the store and adopts
 * the saved tokens without a refresh of its own.
 *
 * The lock is what an app would use across processes: flock(2) on a lock file next to the tokens
 * (released by the OS when its holder dies). Without lock callbacks
 * (garmin_sso_token_store_new_callbacks) nothing would make the second session wait: both would
 * present the same refresh token, the simulator (like Garmin) rotates it on the first refresh and
 * refuses the spent one, so only one session would survive and the other would need a new sign-in.
 * That race is timing-dependent, so it is not asserted here.
 *
 * The same over the library's own SQLite store, opened twice over one file.
 *
 * Also: a failing try_lock is a STORAGE error naming the callback, and the argument checks. */
#include "test_util.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

/* ---- the app's token storage: a string in memory plus a lock file ---- */
typedef struct {
  pthread_mutex_t mu; /* guards every field below (the callbacks run on several threads at once) */
  char *json;
  char lock_path[1024];
  int lock_fd; /* the holder's descriptor, -1 when free */
  int locks_taken, lock_busy, unlocks, saves, loads;
  int fail_lock;
} shared_store;

static int store_load(void *user_data, garmin_sso_loaded_tokens *loaded) {
  shared_store *st = user_data;
  int rc = 0;
  pthread_mutex_lock(&st->mu);
  st->loads++;
  if (st->json && garmin_sso_loaded_tokens_set_json(loaded, st->json) != GARMIN_SSO_STATUS_OK) rc = 1;
  pthread_mutex_unlock(&st->mu);
  return rc;
}

static void forget(shared_store *st) {
  if (st->json) memset(st->json, 0, strlen(st->json)); /* it held tokens */
  free(st->json);
  st->json = NULL;
}

/* Replaces the stored JSON in one step (a real store: write a temporary file, fsync, rename). */
static int store_save(void *user_data, const char *tokens_json) {
  shared_store *st = user_data;
  char *copy = strdup(tokens_json);
  if (!copy) return 1;
  pthread_mutex_lock(&st->mu);
  st->saves++;
  forget(st);
  st->json = copy;
  pthread_mutex_unlock(&st->mu);
  return 0;
}

/* flock on a descriptor of its own: excludes other threads, sessions and processes alike. */
static int store_try_lock(void *user_data, int *acquired) {
  shared_store *st = user_data;
  pthread_mutex_lock(&st->mu);
  int fail = st->fail_lock;
  pthread_mutex_unlock(&st->mu);
  if (fail) return 3;
  int fd = open(st->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return 2;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    pthread_mutex_lock(&st->mu);
    st->lock_busy++;
    pthread_mutex_unlock(&st->mu);
    *acquired = 0;
    return 0;
  }
  pthread_mutex_lock(&st->mu);
  CHECK(st->lock_fd == -1); /* flock held it for us alone */
  st->lock_fd = fd;
  st->locks_taken++;
  pthread_mutex_unlock(&st->mu);
  *acquired = 1;
  return 0;
}

static void store_unlock(void *user_data) {
  shared_store *st = user_data;
  pthread_mutex_lock(&st->mu);
  int fd = st->lock_fd;
  CHECK(fd >= 0);
  st->lock_fd = -1;
  st->unlocks++;
  pthread_mutex_unlock(&st->mu);
  close(fd); /* releases the flock */
}

static const garmin_sso_token_store_callbacks STORE = {store_load, store_save, NULL};
static const garmin_sso_token_store_lock_callbacks LOCK = {store_try_lock, store_unlock};

/* ---- sign-in prompt for the first run ---- */
static int ask_credentials(void *user_data, garmin_sso_credentials *credentials) {
  int *asked = user_data;
  (*asked)++;
  return garmin_sso_credentials_set_login(credentials, PLAIN_EMAIL, PLAIN_PASSWORD) == GARMIN_SSO_STATUS_OK ? 0 : 1;
}
static const garmin_sso_credentials_callbacks PROMPT = {ask_credentials, NULL};

/* ---- two sessions calling the API at once ---- */
typedef struct {
  const garmin_sso_session *session;
  pthread_barrier_t *start;
  garmin_sso_status status;
  char name[128];
  char message[512];
} api_job;

static void *display_name(void *arg) {
  api_job *j = arg;
  pthread_barrier_wait(j->start);
  char *name = NULL;
  j->status = garmin_sso_session_display_name(j->session, &name);
  snprintf(j->message, sizeof j->message, "%s", garmin_sso_last_error_message());
  if (name) {
    snprintf(j->name, sizeof j->name, "%s", name);
    garmin_sso_string_free(name);
  }
  return NULL;
}

static long stat_value(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(json, pattern);
  if (!p) FAIL("no %s in stats %s", key, json);
  return strtol(p + strlen(pattern), NULL, 10);
}

static long di_refreshes(void) {
  char *stats = sim_admin_get("/__sim/stats");
  long n = stat_value(stats, "di_refreshes");
  free(stats);
  return n;
}

/* Expires the access token on the simulator and has both sessions call the API at once: both
 * calls succeed and the simulator counts exactly one DI refresh. */
static void one_refresh(const garmin_sso_session *s1, const garmin_sso_session *s2, int round, const char *over) {
  long before = di_refreshes();
  sim_admin("/__sim/expire?what=access");
  pthread_barrier_t start;
  CHECK(pthread_barrier_init(&start, NULL, 2) == 0);
  api_job jobs[2] = {{s1, &start, GARMIN_SSO_STATUS_INTERNAL, "", ""},
                     {s2, &start, GARMIN_SSO_STATUS_INTERNAL, "", ""}};
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&threads[i], NULL, display_name, &jobs[i]) == 0);
  for (int i = 0; i < 2; i++) CHECK(pthread_join(threads[i], NULL) == 0);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < 2; i++) {
    if (jobs[i].status != GARMIN_SSO_STATUS_OK)
      FAIL("%s, round %d: session %d failed with %s: %s", over, round, i + 1, garmin_sso_status_name(jobs[i].status),
           jobs[i].message);
    CHECK(strcmp(jobs[i].name, "runner") == 0);
  }
  long refreshes = di_refreshes() - before;
  printf("round %d: 2 sessions over %s, %ld DI refresh(es)\n", round, over, refreshes);
  if (refreshes != 1) FAIL("%s, round %d: two sessions made %ld refreshes, expected 1", over, round, refreshes);
}

#define ROUNDS 3

static void two_sessions_one_refresh(void) {
  shared_store st;
  memset(&st, 0, sizeof st);
  CHECK(pthread_mutex_init(&st.mu, NULL) == 0);
  st.lock_fd = -1;
  tmp_path(st.lock_path, sizeof st.lock_path, "store-lock-tokens.lock");

  garmin_sso_token_store *store = NULL;
  CHECK_OK(garmin_sso_token_store_new_callbacks_with_lock(&STORE, &LOCK, &st, &store));

  /* first run signs in and saves; the second client resumes from the store without asking */
  garmin_sso_client *c1 = sim_client(), *c2 = sim_client();
  int asked = 0;
  garmin_sso_session *s1 = NULL, *s2 = NULL;
  CHECK_OK(garmin_sso_resume_or_sign_in(c1, store, &PROMPT, &asked, &s1));
  CHECK_OK(garmin_sso_resume_or_sign_in(c2, store, &PROMPT, &asked, &s2));
  CHECK(asked == 1 && st.saves == 1);

  for (int round = 1; round <= ROUNDS; round++) {
    int saves = st.saves;
    one_refresh(s1, s2, round, "a locked callback store");
    CHECK(st.saves == saves + 1);
  }
  CHECK(st.lock_fd == -1 && st.unlocks == st.locks_taken && st.locks_taken >= ROUNDS);

  /* both sessions now hold the stored tokens */
  char *j1 = NULL, *j2 = NULL;
  CHECK_OK(garmin_sso_session_to_json(s1, &j1));
  CHECK_OK(garmin_sso_session_to_json(s2, &j2));
  CHECK(strcmp(j1, st.json) == 0 && strcmp(j2, st.json) == 0);
  garmin_sso_string_free(j1);
  garmin_sso_string_free(j2);

  /* a lock that cannot be taken: the refresh fails with STORAGE naming the callback, and the
   * tokens stay as they were */
  st.fail_lock = 1;
  int saves = st.saves;
  sim_admin("/__sim/expire?what=access");
  char *name = NULL;
  CHECK_STATUS(garmin_sso_session_display_name(s1, &name), GARMIN_SSO_STATUS_STORAGE);
  CHECK(contains(garmin_sso_last_error_message(), "try_lock"));
  CHECK(st.saves == saves);
  st.fail_lock = 0;
  CHECK_OK(garmin_sso_session_display_name(s1, &name));
  garmin_sso_string_free(name);

  garmin_sso_session_free(s1);
  garmin_sso_session_free(s2);
  garmin_sso_client_free(c1);
  garmin_sso_client_free(c2);
  garmin_sso_token_store_free(store);
  forget(&st);
  pthread_mutex_destroy(&st.mu);
}

static void arguments(void) {
  int user_data = 0;
  garmin_sso_token_store *out = (garmin_sso_token_store *)0x5a5a;
  garmin_sso_token_store_lock_callbacks no_unlock = {store_try_lock, NULL};
  garmin_sso_token_store_lock_callbacks no_try = {NULL, store_unlock};
  garmin_sso_token_store_callbacks no_save = {store_load, NULL, NULL};
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(&STORE, NULL, &user_data, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(NULL, &LOCK, &user_data, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(&no_save, &LOCK, &user_data, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(contains(garmin_sso_last_error_message(), "save"));
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(&STORE, &no_unlock, &user_data, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(contains(garmin_sso_last_error_message(), "unlock"));
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(&STORE, &no_try, &user_data, &out),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(contains(garmin_sso_last_error_message(), "try_lock"));
  CHECK_STATUS(garmin_sso_token_store_new_callbacks_with_lock(&STORE, &LOCK, &user_data, NULL),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(out == (garmin_sso_token_store *)0x5a5a);
}

/* The library's own SQLite store (garmin_sso_token_store_new_database), opened twice over one
 * file as two processes would: its built-in lock makes their refreshes one. */
static void database_store(void) {
  char db[1024], location[1100];
  tmp_path(db, sizeof db, "store-lock-tokens.db");
  unlink(db);
  snprintf(location, sizeof location, "sqlite:%s", db);
  garmin_sso_token_store *d1 = NULL, *d2 = NULL;
  /* scripts/test-c.sh builds the library with the cargo feature `sqlite` */
  CHECK_OK(garmin_sso_token_store_new_database(location, "runner", &d1));
  CHECK_OK(garmin_sso_token_store_new_database(location, "runner", &d2));
  garmin_sso_client *c1 = sim_client(), *c2 = sim_client();
  int asked = 0;
  garmin_sso_session *s1 = NULL, *s2 = NULL;
  CHECK_OK(garmin_sso_resume_or_sign_in(c1, d1, &PROMPT, &asked, &s1));
  CHECK_OK(garmin_sso_resume_or_sign_in(c2, d2, &PROMPT, &asked, &s2));
  CHECK(asked == 1); /* the second resumed what the first saved in the database */
  for (int round = 1; round <= ROUNDS; round++) one_refresh(s1, s2, round, "one SQLite file");

  /* sign-out clears the row: the next resume asks for credentials again */
  CHECK_OK(garmin_sso_token_store_clear(d1));
  garmin_sso_session *s3 = NULL;
  CHECK_OK(garmin_sso_resume_or_sign_in(c1, d2, &PROMPT, &asked, &s3));
  CHECK(asked == 2);
  garmin_sso_session_free(s3);

  garmin_sso_session_free(s1);
  garmin_sso_session_free(s2);
  garmin_sso_client_free(c1);
  garmin_sso_client_free(c2);
  garmin_sso_token_store_free(d1);
  garmin_sso_token_store_free(d2);
  unlink(db);
}

/* Bad locations: typed errors that quote the scheme, never the rest (it may hold a password). */
static void database_arguments(void) {
  garmin_sso_token_store *out = (garmin_sso_token_store *)0x5a5a;
  CHECK_STATUS(garmin_sso_token_store_new_database("mysql://app:Hunter2-db-pass@db/x", "runner", &out),
               GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(contains(garmin_sso_last_error_message(), "mysql"));
  CHECK(!contains(garmin_sso_last_error_message(), "Hunter2-db-pass"));
  CHECK_STATUS(garmin_sso_token_store_new_database("sqlite:/tmp/x.db", "", &out), GARMIN_SSO_STATUS_INVALID_INPUT);
  CHECK(contains(garmin_sso_last_error_message(), "account"));
  CHECK_STATUS(garmin_sso_token_store_new_database(NULL, "runner", &out), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_database("sqlite:/tmp/x.db", NULL, &out), GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(garmin_sso_token_store_new_database("sqlite:/tmp/x.db", "runner", NULL),
               GARMIN_SSO_STATUS_NULL_ARGUMENT);
  CHECK(out == (garmin_sso_token_store *)0x5a5a);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  arguments();
  two_sessions_one_refresh();
  database_arguments();
  database_store();
  curl_global_cleanup();
  printf("store lock tests passed\n");
  return 0;
}
