/* Shared helpers of the C tests: checks that stop the test with a message, the simulator's base URL
 * and admin API, and clients configured for it. Accounts match tests/with-sim.sh. */
#ifndef GARMIN_SSO_TEST_UTIL_H
#define GARMIN_SSO_TEST_UTIL_H

/* memmem, strncasecmp: the tests use POSIX/GNU extras; the library header itself is plain C99. */
#define _GNU_SOURCE

#include "garmin_sso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAIN_EMAIL "runner@example.com"
#define PLAIN_PASSWORD "correct horse"
#define MFA_EMAIL "mfa@example.com"
#define MFA_PASSWORD "mfa pass"
#define MFA_CODE "123456"

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                                \
    fprintf(stderr, __VA_ARGS__);                                                                  \
    fprintf(stderr, "\n");                                                                         \
    exit(1);                                                                                       \
  } while (0)

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) FAIL("CHECK failed: %s", #cond);                                                  \
  } while (0)

#define CHECK_STATUS(call, expected)                                                               \
  do {                                                                                             \
    garmin_sso_status s_ = (call);                                                                 \
    garmin_sso_status e_ = (expected);                                                             \
    if (s_ != e_)                                                                                  \
      FAIL("%s returned %s (\"%s\"), expected %s", #call, garmin_sso_status_name(s_),              \
           garmin_sso_last_error_message(), garmin_sso_status_name(e_));                           \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, GARMIN_SSO_STATUS_OK)

/* The simulator's base URL (set by with-sim.sh). */
const char *sim_url(void);
/* POSTs to the simulator's admin API, e.g. "/__sim/fault?target=mobile_login&kind=429". */
void sim_admin(const char *path_and_query);
/* GETs an admin JSON document (caller frees). */
char *sim_admin_get(const char *path);
/* A config pointed at the simulator (caller frees). */
garmin_sso_config *sim_config(void);
/* A client for the simulator (caller frees). */
garmin_sso_client *sim_client(void);
/* Signs in the plain account (caller frees the session). */
garmin_sso_session *sim_session(const garmin_sso_client *client);
/* A fresh path under the test's private temporary directory. */
void tmp_path(char *buf, size_t len, const char *name);
/* True when `haystack` contains `needle`. */
int contains(const char *haystack, const char *needle);

/* A log callback for garmin_sso_set_log_callback that keeps every line (thread-safe), so a test
 * can look for secrets in all of it at the end; it also checks each line's level. */
void test_log_capture(void *user_data, uint32_t level, const char *message);
/* Every captured line, '\n'-terminated ("" when none), and how many; valid until test_log_free. */
const char *test_log_text(void);
int test_log_lines(void);
void test_log_free(void);

/* A growing, NUL-terminated body for libcurl's write callback `test_collect` (free `data`). */
typedef struct {
  char *data;
  size_t len;
} test_buffer;
size_t test_collect(char *p, size_t size, size_t n, void *ud);
/* libcurl's header callback: copies a Location header's value into `ud`, a char[TEST_LOCATION_MAX]
 * (longer values are left out). */
#define TEST_LOCATION_MAX 2048
size_t test_collect_location(char *p, size_t size, size_t n, void *ud);

#endif
