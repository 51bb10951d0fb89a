/* Sign in to Garmin Connect, answering an MFA prompt, and optionally save the tokens.
 *
 *   signin [--save TOKENS.json] EMAIL
 *
 * The password is read from the first line of stdin (or GARMIN_SSO_PASSWORD); the MFA code, when
 * Garmin asks for one, from the next line. GARMIN_SSO_BASE_URL points the library at a simulator;
 * unset, it talks to Garmin. */
#include "garmin_sso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, garmin_sso_status s) {
  fprintf(stderr, "%s failed: %s: %s\n", what, garmin_sso_status_name(s), garmin_sso_last_error_message());
  if (s == GARMIN_SSO_STATUS_RATE_LIMITED && garmin_sso_last_error_retry_after_seconds() >= 0)
    fprintf(stderr, "try again in %lld s\n", (long long)garmin_sso_last_error_retry_after_seconds());
  return 1;
}

static int read_line(const char *prompt, char *buf, size_t len) {
  fprintf(stderr, "%s", prompt);
  if (!fgets(buf, (int)len, stdin)) return 0;
  buf[strcspn(buf, "\r\n")] = '\0';
  return 1;
}

int main(int argc, char **argv) {
  const char *save = NULL, *email = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--save") == 0 && i + 1 < argc) save = argv[++i];
    else email = argv[i];
  }
  if (!email) {
    fprintf(stderr, "usage: %s [--save TOKENS.json] EMAIL  (password on stdin)\n", argv[0]);
    return 2;
  }
  char password[256];
  const char *env_pw = getenv("GARMIN_SSO_PASSWORD");
  if (env_pw) snprintf(password, sizeof password, "%s", env_pw);
  else if (!read_line("Password: ", password, sizeof password)) return 2;

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
  garmin_sso_pending_mfa *mfa = NULL;
  s = garmin_sso_client_login(client, email, password, &session, &mfa);
  memset(password, 0, sizeof password);
  if (s) return fail("sign-in", s);
  while (mfa) {
    char *method = NULL, *sent_to = NULL;
    garmin_sso_pending_mfa_method(mfa, &method);
    garmin_sso_pending_mfa_code_sent_to(mfa, &sent_to);
    char prompt[256], code[64];
    snprintf(prompt, sizeof prompt, "MFA code (%s%s%s): ", method ? method : "?", sent_to ? ", sent to " : "",
             sent_to ? sent_to : "");
    garmin_sso_string_free(method);
    garmin_sso_string_free(sent_to);
    if (!read_line(prompt, code, sizeof code)) return 2;
    s = garmin_sso_pending_mfa_submit(mfa, code, &session);
    if (s == GARMIN_SSO_STATUS_MFA_CODE_REJECTED) {
      fprintf(stderr, "%s\n", garmin_sso_last_error_message());
      continue; /* the challenge is still open: ask again */
    }
    garmin_sso_pending_mfa_free(mfa);
    mfa = NULL;
    if (s) return fail("MFA", s);
  }

  char *name = NULL;
  if ((s = garmin_sso_session_display_name(session, &name))) return fail("profile", s);
  printf("signed in as %s\n", name);
  garmin_sso_string_free(name);
  if (save) {
    if ((s = garmin_sso_session_save(session, GARMIN_SSO_STORE_KIND_JSON_FILE, save))) return fail("save", s);
    printf("tokens saved to %s\n", save);
  }
  garmin_sso_session_free(session);
  garmin_sso_client_free(client);
  return 0;
}
