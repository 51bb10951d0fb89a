# Sourced: what the scripts need to know about the workspace, from `cargo metadata` (so
# CARGO_TARGET_DIR and .cargo/config are honoured the way cargo honours them).
#   workspace_target_dir   the absolute target directory
#   workspace_version      the version every crate shares ([workspace.package] in Cargo.toml)
#   c_soname               the C library's SONAME for that version, as cargo-c names it:
#                          libgarmin_sso.so.MAJOR.MINOR before 1.0 (a 0.x minor release may break
#                          the ABI), libgarmin_sso.so.MAJOR from 1.0 on
#   uniffi_lib_file        the file name of the bindings' library (libgarmin_sso_uniffi) on this OS
#   forget_uniffi_lib DIR  removes that library from DIR/release before a build with other features:
#                          cargo names a cdylib without a hash, so builds with different features
#                          (the wheel's sqlite, the jar's defaults) overwrite the same file and a
#                          later build may wrongly think it current; without the file it links anew
workspace_target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}
workspace_version() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "garmin-sso-core"))'
}
c_soname() {
  local major minor _
  IFS=. read -r major minor _ <<<"$(workspace_version)"
  if [ "$major" = 0 ]; then echo "libgarmin_sso.so.$major.$minor"; else echo "libgarmin_sso.so.$major"; fi
}
uniffi_lib_file() {
  case "$(uname -s)" in
    Darwin) echo libgarmin_sso_uniffi.dylib ;;
    *) echo libgarmin_sso_uniffi.so ;;
  esac
}
forget_uniffi_lib() {
  rm -f "$1"/release/{deps/,}libgarmin_sso_uniffi.{so,dylib}
}
