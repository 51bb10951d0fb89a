// The part of QDomyos-Zwift's homeform that talks to GarminConnect, rebuilt for the tests: every
// call is written exactly as homeform.cpp writes it (the same expressions on a `garminConnect`
// pointer, the same settings keys), so compiling this file proves the drop-in keeps homeform's
// interface, and running it drives the drop-in the way the app does. The UI (toasts, the MFA
// dialog, the workout prompt) is recorded instead of shown.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class GarminConnect;

class HomeformCompat : public QObject
{
    Q_OBJECT

public:
    explicit HomeformCompat(QObject *parent = nullptr);

    // homeform::garmin_connect_login(): credentials from QSettings, create + connect on first use,
    // tryRefreshToken(), isAuthenticated(), then login(email, password).
    void garmin_connect_login();
    void garmin_submit_mfa_code(const QString &mfaCode);
    void garmin_connect_logout();
    // homeform::garmin_upload_file_prepare() without its fixed two-second waits.
    void garmin_upload_file_prepare(const QString &lastFitFileSaved);
    void uploadHistoricalWorkoutToGarmin(const QString &filePath);
    void garmin_download_todays_workout(const QString &trainingDir);
    // The start-up workout download's condition (homeform's 15-second timer).
    bool workoutDownloadOnStartWouldRun() const;

    GarminConnect *garminConnect = nullptr;
    QStringList toasts;
    bool mfaDialogShown = false;
    QStringList downloadedWorkouts;
    int ftpChecks = 0;

    void setToastRequested(const QString &text) { toasts << text; }
    void setGarminMfaRequested(bool shown) { mfaDialogShown = shown; }
};
