# libgarmin_sso for qmake projects: one line in your .pro file
#     include(path/to/examples-qt/garmin_sso.pri)
# adds the C header, links libgarmin_sso for the platform being built and compiles the Qt wrapper
# (GarminConnectSso).
#
# Where the library is found (first match wins):
#   qmake GARMIN_SSO_LIBDIR=/dir          a directory holding the library (all platforms)
#   environment GARMIN_SSO_LIBDIR         the same, from the environment
#   <repo>/target/<triple>/release        cross builds: `cargo build --release -p garmin-sso-ffi
#                                         --target <triple>`, the triple chosen per platform/ABI below
#                                         (qmake GARMIN_SSO_TARGET=<triple> overrides it)
#   <repo>/target/release                 host builds (Linux, macOS): `cargo build --release -p garmin-sso-ffi`
#
# Per platform (the Rust triples are what `rustup target add` takes):
#   Linux            shared libgarmin_sso.so with an rpath (CONFIG += garmin_sso_static: the .a)
#   Android          shared, one library per ABI in ANDROID_ABIS (Qt 5.14+ multi-ABI builds) or the
#                    single QT_ARCH; each is linked for its ABI and packaged with ANDROID_EXTRA_LIBS:
#                    arm64-v8a aarch64-linux-android, armeabi-v7a armv7-linux-androideabi,
#                    x86 i686-linux-android, x86_64 x86_64-linux-android
#   iOS              static libgarmin_sso.a (apps may not ship their own dylibs), aarch64-apple-ios;
#                    for the simulator build aarch64-apple-ios-sim / x86_64-apple-ios, or a `lipo`
#                    of them in GARMIN_SSO_LIBDIR
#   macOS            static libgarmin_sso.a from the host build (or GARMIN_SSO_LIBDIR, e.g. a
#                    `lipo` of aarch64-apple-darwin and x86_64-apple-darwin)
#   Windows, MinGW   static libgarmin_sso.a of x86_64-pc-windows-gnu (i686-pc-windows-gnu for 32-bit
#                    Qt) plus the system libraries Rust's standard library needs
#   Windows, MSVC    garmin_sso.dll.lib + garmin_sso.dll of x86_64-pc-windows-msvc (garmin_sso_static:
#                    garmin_sso.lib)
# CONFIG += garmin_sso_static forces the static library where a shared one is the default.
#
# This wrapper brings its own HTTP (QNetworkAccessManager), so link the transport-free build:
# `cargo build --release -p garmin-sso-ffi --no-default-features [--target <triple>]` — no ureq and
# no TLS library, which also cross-compiles for Android and iOS without OpenSSL or ring (README,
# "Transport-free library"). The default build's built-in transport uses the platform's TLS: linked
# statically, it also needs -lssl -lcrypto on Linux and crypt32, secur32, ncrypt on Windows (Apple:
# the Security framework below); Android has no public system TLS library, so a built-in transport
# there is `--no-default-features --features rustls`.

GARMIN_SSO_ROOT = $$clean_path($$PWD/..)
isEmpty(GARMIN_SSO_INCDIR): GARMIN_SSO_INCDIR = $$GARMIN_SSO_ROOT/include
isEmpty(GARMIN_SSO_LIBDIR): GARMIN_SSO_LIBDIR = $$(GARMIN_SSO_LIBDIR)

!exists($$GARMIN_SSO_INCDIR/garmin_sso.h): error("garmin_sso.pri: no garmin_sso.h in $$GARMIN_SSO_INCDIR")

QT *= core network
CONFIG *= c++17
INCLUDEPATH += $$GARMIN_SSO_INCDIR $$PWD/src
DEPENDPATH += $$PWD/src

HEADERS += \
    $$PWD/src/garminconnect_sso.h \
    $$PWD/src/qt_http_transport.h
SOURCES += \
    $$PWD/src/garminconnect_sso.cpp \
    $$PWD/src/qt_http_transport.cpp

# The Rust target triple of an Android ABI.
defineReplace(garminSsoAndroidTriple) {
    equals(1, arm64-v8a): return(aarch64-linux-android)
    equals(1, armeabi-v7a): return(armv7-linux-androideabi)
    equals(1, x86): return(i686-linux-android)
    equals(1, x86_64): return(x86_64-linux-android)
    error("garmin_sso.pri: no Rust target known for Android ABI $$1")
}
# The library folder for a triple (empty: the host build).
defineReplace(garminSsoLibDir) {
    !isEmpty(GARMIN_SSO_LIBDIR): return($$GARMIN_SSO_LIBDIR)
    isEmpty(1): return($$GARMIN_SSO_ROOT/target/release)
    return($$GARMIN_SSO_ROOT/target/$$1/release)
}

android {
    # One library per ABI. Qt 5.14+ runs qmake once per ABI with QT_ARCH set to it.
    GARMIN_SSO_ABI = $$QT_ARCH
    isEmpty(GARMIN_SSO_ABI): GARMIN_SSO_ABI = $$first(ANDROID_ABIS)
    isEmpty(GARMIN_SSO_TARGET): GARMIN_SSO_TARGET = $$garminSsoAndroidTriple($$GARMIN_SSO_ABI)
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    garmin_sso_static {
        LIBS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a -llog -ldl -lm
    } else {
        LIBS += -L$$GARMIN_SSO_LIB_FOLDER -lgarmin_sso
        # Packaged for every ABI the APK/AAB carries (androiddeployqt takes the ones of each ABI).
        isEmpty(ANDROID_ABIS): ANDROID_ABIS = $$GARMIN_SSO_ABI
        for(abi, ANDROID_ABIS) {
            isEmpty(GARMIN_SSO_LIBDIR) {
                ANDROID_EXTRA_LIBS += $$GARMIN_SSO_ROOT/target/$$garminSsoAndroidTriple($$abi)/release/libgarmin_sso.so
            } else {
                ANDROID_EXTRA_LIBS += $$GARMIN_SSO_LIBDIR/libgarmin_sso.so
            }
        }
    }
} else:ios {
    isEmpty(GARMIN_SSO_TARGET): GARMIN_SSO_TARGET = aarch64-apple-ios
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    LIBS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a -framework Security -framework CoreFoundation
} else:macx {
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    LIBS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a -framework Security -framework CoreFoundation
    PRE_TARGETDEPS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a
} else:win32-g++ {
    isEmpty(GARMIN_SSO_TARGET) {
        contains(QT_ARCH, i386): GARMIN_SSO_TARGET = i686-pc-windows-gnu
        else: GARMIN_SSO_TARGET = x86_64-pc-windows-gnu
    }
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    # What a Rust staticlib needs from Windows (`--print native-static-libs` lists them).
    LIBS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a -lws2_32 -luserenv -lbcrypt -lntdll -ladvapi32 -lkernel32
    PRE_TARGETDEPS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a
} else:win32 {
    isEmpty(GARMIN_SSO_TARGET): GARMIN_SSO_TARGET = x86_64-pc-windows-msvc
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    garmin_sso_static {
        LIBS += $$GARMIN_SSO_LIB_FOLDER/garmin_sso.lib -lws2_32 -luserenv -lbcrypt -lntdll -ladvapi32 -lkernel32
    } else {
        LIBS += $$GARMIN_SSO_LIB_FOLDER/garmin_sso.dll.lib
    }
} else {
    # Linux and other Unix hosts: the host build.
    GARMIN_SSO_LIB_FOLDER = $$garminSsoLibDir($$GARMIN_SSO_TARGET)
    garmin_sso_static {
        LIBS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a -lpthread -ldl -lm
        PRE_TARGETDEPS += $$GARMIN_SSO_LIB_FOLDER/libgarmin_sso.a
    } else {
        LIBS += -L$$GARMIN_SSO_LIB_FOLDER -lgarmin_sso
        QMAKE_RPATHDIR += $$GARMIN_SSO_LIB_FOLDER
    }
}
