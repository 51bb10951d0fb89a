# libgarmin_sso for qmake projects: one line in your .pro file
#     include(path/to/examples-qt/garmin_sso.pri)
# adds the C header, links libgarmin_sso and compiles the Qt wrapper (GarminConnectSso).
#
# Where the library is found (first match wins):
#   qmake GARMIN_SSO_LIBDIR=/dir          a directory holding libgarmin_sso.so / .a
#   environment GARMIN_SSO_LIBDIR         the same, from the environment
#   <repo>/target/release                 after `cargo build --release -p garmin-sso-ffi`
# CONFIG += garmin_sso_static links libgarmin_sso.a (Android/iOS/Windows-style single binaries).

GARMIN_SSO_ROOT = $$clean_path($$PWD/..)
isEmpty(GARMIN_SSO_INCDIR): GARMIN_SSO_INCDIR = $$GARMIN_SSO_ROOT/include
isEmpty(GARMIN_SSO_LIBDIR): GARMIN_SSO_LIBDIR = $$(GARMIN_SSO_LIBDIR)
isEmpty(GARMIN_SSO_LIBDIR): GARMIN_SSO_LIBDIR = $$GARMIN_SSO_ROOT/target/release

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

garmin_sso_static {
    LIBS += $$GARMIN_SSO_LIBDIR/libgarmin_sso.a
    PRE_TARGETDEPS += $$GARMIN_SSO_LIBDIR/libgarmin_sso.a
    # What a Rust staticlib needs from the platform.
    unix:!macx: LIBS += -lpthread -ldl -lm
    macx|ios: LIBS += -framework Security -framework CoreFoundation
} else {
    LIBS += -L$$GARMIN_SSO_LIBDIR -lgarmin_sso
    unix:!macx: QMAKE_RPATHDIR += $$GARMIN_SSO_LIBDIR
}
