//! Gives libgarmin_sso.so a SONAME, so programs linked against it record `libgarmin_sso.so` (found
//! through their RPATH or the loader path) rather than the absolute path of the build tree.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libgarmin_sso.so");
    }
}
