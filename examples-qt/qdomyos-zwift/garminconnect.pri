# QDomyos-Zwift's GarminConnect over libgarmin_sso, for its qmake build:
#     include(path/to/libgarmin_sso/examples-qt/qdomyos-zwift/garminconnect.pri)
# brings in garmin_sso.pri (the C library for the platform, the Qt wrapper) and this folder's
# garminconnect.h/.cpp, which replace QDomyos-Zwift's src/garminconnect.h/.cpp. Its workout and
# FTP code stays the app's own file (docs/qdomyos-zwift.md).
include($$PWD/../garmin_sso.pri)

INCLUDEPATH += $$PWD
DEPENDPATH += $$PWD
HEADERS += $$PWD/garminconnect.h
SOURCES += $$PWD/garminconnect.cpp
