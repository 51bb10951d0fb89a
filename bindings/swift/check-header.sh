#!/usr/bin/env bash
# Checks the generated Swift FFI headers against a built library:
#   1. include/garmin_sso_uniffiFFI.h and include/garmin_sso_coreFFI.h (the library's two uniffi
#      components) compile as C, together in one translation unit as Swift's importer sees them
#      (cc -fsyntax-only, warnings are errors);
#   2. every header module.modulemap names exists, and every function the headers declare is
#      exported by the library (nm -D), so Swift cannot link against a symbol that does not exist.
# Usage: bindings/swift/check-header.sh path/to/libgarmin_sso_uniffi.so
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
headers=("$here/include/garmin_sso_uniffiFFI.h" "$here/include/garmin_sso_coreFFI.h")
lib="${1:?usage: check-header.sh LIBRARY}"
[ -f "$lib" ] || { echo "check-header: no library at $lib" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for h in "${headers[@]}"; do
  [ -f "$h" ] || { echo "check-header: no header $h" >&2; exit 1; }
  grep -q "header \"$(basename "$h")\"" "$here/include/module.modulemap" \
    || { echo "check-header: module.modulemap does not name $(basename "$h")" >&2; exit 1; }
  printf '#include "%s"\n' "$h"
done >"$tmp/use.c"
while read -r named; do
  [ -f "$here/include/$named" ] || { echo "check-header: module.modulemap names missing $named" >&2; exit 1; }
done < <(grep -oE 'header "[^"]+"' "$here/include/module.modulemap" | cut -d'"' -f2)
compiler="${CC:-cc}"
flags=(-std=c11 -Wall -Wextra -Werror -fsyntax-only)
# The header uses clang's nullability qualifiers (_Nonnull, _Nullable), as Swift's importer is clang.
# GCC has none, so with GCC they are defined away; everything else is checked as written.
if ! "$compiler" -dM -E -x c /dev/null | grep -q '__clang__'; then
  flags+=(-D_Nonnull= -D_Nullable= -D_Null_unspecified=)
fi
"$compiler" "${flags[@]}" "$tmp/use.c"
echo "check-header: ${#headers[@]} headers compile together with $compiler"

# Function declarations: the identifier right before "(" on lines that are not macros or comments.
cat "${headers[@]}" | grep -v '^[[:space:]]*#' \
  | grep -oE '\b(uniffi|ffi)_[A-Za-z0-9_]+[[:space:]]*\(' \
  | sed -E 's/[[:space:]]*\($//' | sort -u >"$tmp/declared"
case "$(uname -s)" in
  Darwin) nm -gU "$lib" | awk '{print $3}' | sed 's/^_//' ;;
  *) nm -D --defined-only "$lib" | awk '{print $3}' ;;
esac | sort -u >"$tmp/exported"
declared=$(wc -l <"$tmp/declared")
[ "$declared" -gt 0 ] || { echo "check-header: found no declarations in the header" >&2; exit 1; }
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$missing" ]; then
  echo "check-header: declared in the header but not exported by $lib:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "check-header: all $declared declared functions are exported by $(basename "$lib")"
