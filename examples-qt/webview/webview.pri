# The QtWebEngine web-view sign-in (GarminWebSignIn) for qmake projects that already
# include(examples-qt/garmin_sso.pri). Needs QtWebEngine (Debian: qtwebengine5-dev).
QT *= webenginewidgets
INCLUDEPATH += $$PWD
HEADERS += $$PWD/garmin_web_sign_in.h
SOURCES += $$PWD/garmin_web_sign_in.cpp
