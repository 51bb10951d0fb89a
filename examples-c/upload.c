/* Upload a FIT file with saved tokens (from `signin --save`).
 *
 *   upload TOKENS.json ACTIVITY.fit
 *
 * Exit 0 when Garmin imported it, 3 when Garmin already has it, 1 on any other failure. Tokens the
 * session refreshes on the way are written back to TOKENS.json. */
#include "garmin_sso.h"

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, garmin_sso_status s) {
  fprintf(stderr, "%s failed: %s: %s\n", what, garmin_sso_status_name(s), garmin_sso_last_error_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s TOKENS.json ACTIVITY.fit\n", argv[0]);
    return 2;
  }
  garmin_sso_config *cfg = NULL;
  garmin_sso_status s = garmin_sso_config_new("garmin.com", &cfg);
  if (s) return fail("config", s);
  const char *base = getenv("GARMIN_SSO_BASE_URL");
  if (base && *base && (s = garmin_sso_config_set_base_url(cfg, base))) return fail("base URL", s);
  garmin_sso_client *client = NULL;
  s = garmin_sso_client_new(cfg, &client);
  garmin_sso_config_free(cfg);
  if (s) return fail("client", s);

  garmin_sso_session *session = NULL;
  if ((s = garmin_sso_session_load(client, GARMIN_SSO_STORE_KIND_JSON_FILE, argv[1], &session)))
    return fail("loading the tokens", s);
  if ((s = garmin_sso_session_persist_to(session, GARMIN_SSO_STORE_KIND_JSON_FILE, argv[1])))
    return fail("persist", s);

  garmin_sso_upload_result *result = NULL;
  s = garmin_sso_session_upload_fit_path(session, argv[2], &result);
  int rc = 0;
  if (s == GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY) {
    printf("Garmin already has this activity\n");
    rc = 3;
  } else if (s) {
    rc = fail("upload", s);
  } else {
    int64_t id = -1;
    size_t ok = 0, failed = 0;
    garmin_sso_upload_result_upload_id(result, &id);
    garmin_sso_upload_result_counts(result, &ok, &failed);
    printf("uploaded: upload id %lld, %zu imported, %zu refused\n", (long long)id, ok, failed);
    garmin_sso_upload_result_free(result);
  }
  garmin_sso_session_free(session);
  garmin_sso_client_free(client);
  return rc;
}
