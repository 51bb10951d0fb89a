// The generated header compiles as C++17 under -Wall -Wextra -pedantic -Werror and links from C++.
#include "garmin_sso.h"

#include <cstdio>
#include <cstring>

int main() {
  garmin_sso_config *cfg = nullptr;
  garmin_sso_status s = garmin_sso_config_new("garmin.com", &cfg);
  if (s != GARMIN_SSO_STATUS_OK || cfg == nullptr) return 1;
  garmin_sso_config_free(cfg);
  s = garmin_sso_config_new(nullptr, &cfg);
  if (s != GARMIN_SSO_STATUS_NULL_ARGUMENT) return 1;
  if (std::strstr(garmin_sso_last_error_message(), "domain") == nullptr) return 1;
  std::printf("C++ sees libgarmin_sso %s\n", garmin_sso_version());
  return 0;
}
