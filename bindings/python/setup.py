"""Marks the wheel as platform-specific (it carries a native library) and refuses to build a
package without that library."""

import pathlib

from setuptools import setup
from setuptools.dist import Distribution

PACKAGE = pathlib.Path(__file__).parent / "src" / "garmin_sso"
LIBRARIES = ["libgarmin_sso_uniffi.so", "libgarmin_sso_uniffi.dylib", "garmin_sso_uniffi.dll"]

if not any((PACKAGE / name).exists() for name in LIBRARIES):
    raise SystemExit(
        "garmin_sso: the native library is missing from src/garmin_sso/; "
        "run scripts/gen-bindings.sh from the repository root first"
    )


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


setup(distclass=BinaryDistribution)
