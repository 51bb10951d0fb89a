# Sourced: the tools the JVM bindings build with.
#   kotlinc_path [--install]  KOTLINC, else kotlinc on the PATH, else the one npm installs into
#                             .tools/ (installed there first with --install when absent)
#   jna_jar                   JNA's jar: JNA_JAR, else Debian's (libjna-java)
_kotlin_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kotlinc_path() {
  if [ -n "${KOTLINC:-}" ]; then echo "$KOTLINC"; return; fi
  if command -v kotlinc >/dev/null 2>&1; then command -v kotlinc; return; fi
  local npm_kotlinc="$_kotlin_root/.tools/node_modules/kotlin-compiler/bin/kotlinc"
  if [ ! -x "$npm_kotlinc" ] && [ "${1:-}" = --install ]; then
    echo "installing kotlinc from npm into .tools/" >&2
    npm install --prefix "$_kotlin_root/.tools" --no-audit --no-fund --loglevel=error \
      "kotlin-compiler@${KOTLIN_COMPILER_VERSION:-2.4.20}" >&2
  fi
  echo "$npm_kotlinc"
}
jna_jar() {
  echo "${JNA_JAR:-/usr/share/java/jna.jar}"
}
