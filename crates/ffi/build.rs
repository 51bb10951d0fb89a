//! Gives `cargo build`'s libgarmin_sso.so a SONAME, so programs linked against it record
//! `libgarmin_sso.so` (found through their RPATH or the loader path) rather than the absolute path
//! of the build tree.
//!
//! Not under cargo-c (`cargo cinstall`, scripts/install-c.sh): it passes its own versioned
//! `-soname` (libgarmin_sso.so.0.1 for 0.1.x), and cargo puts a build script's link arguments
//! after cargo-c's, so ours would win and the installed library would lose its version. cargo-c
//! exports CARGO_C_CARGO to everything it runs, build scripts included.

fn main() {
    println!("cargo:rerun-if-env-changed=CARGO_C_CARGO");
    if std::env::var_os("CARGO_C_CARGO").is_some() {
        return;
    }
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libgarmin_sso.so");
    }
}
