// See homeform_compat.h. Each block names the homeform.cpp function it mirrors; the calls on
// garminConnect are character for character homeform's.
#include "homeform_compat.h"

#include "garminconnect.h"

#include <QDebug>
#include <QFile>
#include <QSettings>

HomeformCompat::HomeformCompat(QObject *parent)
    : QObject(parent)
{
}

// homeform::garmin_connect_login()
void HomeformCompat::garmin_connect_login()
{
    QSettings settings;
    QString email = settings.value(QStringLiteral("garmin_email"), QString()).toString();
    QString password = settings.value(QStringLiteral("garmin_password"), QString()).toString();
    if (email.isEmpty() || password.isEmpty()) {
        setToastRequested("Garmin credentials not configured.");
        return;
    }

    if (!garminConnect) {
        garminConnect = new GarminConnect(this);

        connect(garminConnect, &GarminConnect::authenticated, this, [this]() {
            setToastRequested("Garmin Connect: Authentication successful!");
            garminConnect->checkFtpUpdates();
        });
        connect(garminConnect, &GarminConnect::authenticationFailed, this, [this](const QString &error) {
            setToastRequested("Garmin Connect Login Failed: " + error);
        });
        connect(garminConnect, &GarminConnect::uploadSucceeded, this, [this]() {
            setToastRequested("Garmin Connect: Upload successful!");
        });
        connect(garminConnect, &GarminConnect::uploadFailed, this, [this](const QString &error) {
            setToastRequested("Garmin Connect Upload Failed: " + error);
        });
        connect(garminConnect, &GarminConnect::mfaRequired, this, [this]() {
            setGarminMfaRequested(true);
        });
        connect(garminConnect, &GarminConnect::workoutDownloaded, this,
                [this](const QString &filename, const QString &workoutName) {
                    setToastRequested(QString("Garmin workout saved: %1").arg(workoutName));
                    downloadedWorkouts << filename;
                });
        connect(garminConnect, &GarminConnect::workoutDownloadFailed, this,
                [](const QString &error) { qDebug() << "Garmin: Workout download failed:" << error; });
        connect(garminConnect, &GarminConnect::noWorkoutFoundToday, this, [this]() {
            setToastRequested("Garmin: no workout today");
        });
        connect(garminConnect, &GarminConnect::ftpValuesAvailable, this,
                [this](int cyclingFtp, const QString &cyclingCreateTime, int runningFtp,
                       const QString &runningCreateTime) {
                    Q_UNUSED(cyclingFtp)
                    Q_UNUSED(cyclingCreateTime)
                    Q_UNUSED(runningFtp)
                    Q_UNUSED(runningCreateTime)
                    ++ftpChecks;
                });
    }

    if (garminConnect->tryRefreshToken()) {
        setToastRequested("Garmin Connect: Authenticated!");
        emit garminConnect->authenticated();
        return;
    }

    if (garminConnect->isAuthenticated()) {
        setToastRequested("Garmin Connect: Authenticated!");
        emit garminConnect->authenticated();
        return;
    }

    bool success = garminConnect->login(email, password);
    if (!success) {
        if (!garminConnect->lastError().contains("MFA", Qt::CaseInsensitive)) {
            setToastRequested("Garmin Connect: Login failed - " + garminConnect->lastError());
        }
    }
}

// homeform::garmin_submit_mfa_code()
void HomeformCompat::garmin_submit_mfa_code(const QString &mfaCode)
{
    if (!garminConnect) {
        setToastRequested("Garmin Connect not initialized");
        return;
    }
    if (mfaCode.isEmpty()) {
        setToastRequested("Please enter a valid MFA code");
        return;
    }
    setGarminMfaRequested(false);
    setToastRequested("Submitting MFA code...");
    garminConnect->submitMfaCode(mfaCode);
}

// homeform::garmin_connect_logout()
void HomeformCompat::garmin_connect_logout()
{
    if (garminConnect) {
        garminConnect->logout();
    }
}

// homeform::garmin_upload_file_prepare()
void HomeformCompat::garmin_upload_file_prepare(const QString &lastFitFileSaved)
{
    if (!garminConnect) {
        garmin_connect_login();
    } else if (!garminConnect->isAuthenticated()) {
        garmin_connect_login();
    }

    if (!garminConnect || !garminConnect->isAuthenticated()) {
        setToastRequested("Garmin: Not authenticated. Please login first.");
        return;
    }

    setToastRequested("Uploading to Garmin Connect...");
    bool success = garminConnect->uploadFitFile(lastFitFileSaved);
    if (success) {
        setToastRequested("Garmin: Upload successful!");
    } else {
        setToastRequested("Garmin: Upload failed - " + garminConnect->lastError());
    }
}

// homeform::uploadHistoricalWorkoutToGarmin()
void HomeformCompat::uploadHistoricalWorkoutToGarmin(const QString &filePath)
{
    if (filePath.isEmpty() || !QFile::exists(filePath)) {
        setToastRequested("Garmin: FIT file not found");
        return;
    }
    if (!garminConnect || !garminConnect->isAuthenticated()) {
        garmin_connect_login();
    }
    if (!garminConnect || !garminConnect->isAuthenticated()) {
        setToastRequested("Garmin: Not authenticated. Please login first.");
        return;
    }
    setToastRequested("Uploading to Garmin Connect...");
    if (!garminConnect->uploadFitFile(filePath)) {
        setToastRequested("Garmin: Upload failed - " + garminConnect->lastError());
    }
}

// homeform::garmin_download_todays_workout()
void HomeformCompat::garmin_download_todays_workout(const QString &trainingDir)
{
    if (!garminConnect) {
        return;
    }
    setToastRequested("Downloading Garmin daily workout...");
    garminConnect->downloadTodaysWorkout(trainingDir);
}

// The 15-second start-up timer in homeform's constructor.
bool HomeformCompat::workoutDownloadOnStartWouldRun() const
{
    QSettings settings;
    QString token = settings.value(QStringLiteral("garmin_access_token")).toString();
    return !token.isEmpty();
}
