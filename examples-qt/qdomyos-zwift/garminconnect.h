// GarminConnect for QDomyos-Zwift, over libgarmin_sso.
//
// A drop-in for QDomyos-Zwift's src/garminconnect.h: the same class name and the same public
// members, signals and signatures its homeform.cpp uses, so homeform compiles and behaves as before
// without a changed line. Sign-in, MFA, token refresh, upload and logout are GarminConnectSso's
// (examples-qt/src), whose HTTP all goes through QNetworkAccessManager. The calls QDomyos-Zwift
// expects to block (login, tryRefreshToken, uploadFitFile, uploadActivity, logout) wait in a local
// QEventLoop, as its previous implementation did; submitMfaCode stays asynchronous.
//
// The workout and FTP members (downloadTodaysWorkout, checkFtpUpdates and their private helpers,
// garminConnectGenerateWorkoutXml, garminConnectWorkoutFileName) are declared here with their
// signals but stay QDomyos-Zwift's own code, in a file of its own (docs/qdomyos-zwift.md); their
// HTTP calls go through apiRequest(), which adds the session's token and refreshes it when needed.
//
// Settings (the app's default QSettings, or GarminConnectSso::Options::settingsFile):
//   garmin_sso_token, garmin_sso_token_domain   the session (secrets: the names contain "token", so
//                                               QDomyos-Zwift's start-up settings dump skips them)
//   garmin_access_token                         only a marker ("libgarmin_sso") while signed in, never
//                                               a token: homeform gates its workout download on it
//   garmin_domain                               read at every login(), as the app's setting
// QDomyos-Zwift's own token keys are migrated once by the constructor (signed-in users stay signed
// in, signed-out users stay out) and then removed.
#ifndef GARMINCONNECT_H
#define GARMINCONNECT_H

#include "garminconnect_sso.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QEventLoop;

class GarminConnect : public QObject
{
    Q_OBJECT

public:
    // Settings keys this class owns or reads (see the file comment).
    static const char *const SessionKey;       // "garmin_sso_token"
    static const char *const SignedInMarker;   // value of garmin_access_token while signed in

    explicit GarminConnect(QObject *parent = nullptr);
    ~GarminConnect() override;

    // Options for every GarminConnect constructed afterwards (the constructor homeform calls takes
    // none): a settings file, a base URL for every Garmin host (tests: the simulator), the phone
    // app preset, the HTTP timeout. settingsKey is always SessionKey; domain comes from
    // garmin_domain.
    static void setDefaultOptions(const GarminConnectSso::Options &options);

    // Signs in and waits. True: signed in, authenticated() was emitted. False with lastError():
    // when Garmin wants a code, mfaRequired() then authenticationFailed("MFA code required") are
    // emitted and the challenge stays open for submitMfaCode() (or pass mfaCode here to submit it
    // at once and wait for that too).
    bool login(const QString &email, const QString &password, const QString &mfaCode = QString());

    // Uploads and waits; emits uploadSucceeded() or uploadFailed(error) as well. False also for an
    // activity Garmin already has (lastFailure() == DuplicateActivity) and for a 2xx answer whose
    // detailedImportResult lists failures.
    bool uploadActivity(const QByteArray &fitData, const QString &fileName);

    // True while a session is held; an aged access token is refreshed before the next call.
    bool isAuthenticated() const;

    // Forgets the session and removes it from the settings (waits for that); emits no signal.
    void logout();

    bool uploadFitFile(const QString &fitFilePath);

    // Asynchronous, as before: authenticated() or authenticationFailed(error). A wrong code leaves
    // the challenge open and emits mfaRequired() again, so the app's code dialog comes back.
    void submitMfaCode(const QString &mfaCode);

    // True without any HTTP while the access token is good for more than a minute; otherwise
    // refreshes and waits (true when that worked). False without a session. Emits no signal.
    bool tryRefreshToken();

    // QDomyos-Zwift's own code (not part of this file's implementation).
    void downloadTodaysWorkout(const QString &saveDir);
    void checkFtpUpdates();

    QString lastError() const { return m_lastError; }
    // The library's reason for the last failure (README: "Why a call failed").
    GarminConnectSso::Failure lastFailure() const { return m_lastFailure; }

    // Overrides garmin_domain for the following sign-ins ("garmin.com" or "garmin.cn").
    void setDomain(const QString &domain) { m_domain = domain; }

    // An authenticated Connect API call for the app's workout and FTP code. `path` is relative to
    // the Connect API host and may carry a query ("/calendar-service/year/2026/month/4"). `onReply`
    // runs later on this object's thread: httpStatus and body of Garmin's answer (any status), or
    // httpStatus 0 and `error` when there was no answer (network, not signed in). Returns an id.
    using ApiReply = std::function<void(int httpStatus, const QByteArray &body, const QString &error)>;
    int apiRequest(const QByteArray &method, const QString &path, ApiReply onReply,
                   const QByteArray &body = QByteArray(), const QByteArray &contentType = QByteArray());

    // The wrapper underneath (state, diagnostics).
    GarminConnectSso *sso() const { return m_sso; }

signals:
    void authenticated();
    void authenticationFailed(const QString &error);
    void uploadSucceeded();
    void uploadFailed(const QString &error);
    void mfaRequired();
    void workoutDownloaded(const QString &filename, const QString &workoutName);
    void workoutDownloadFailed(const QString &error);
    void noWorkoutFoundToday();
    void ftpValuesAvailable(int cyclingFtp, const QString &cyclingCreateTime,
                            int runningFtp, const QString &runningCreateTime);

private:
    // What one call to the wrapper is waiting for; the wrapper answers its calls in order.
    struct Pending;
    enum class Expect { SignIn, MfaCode, Refresh, Upload, Logout };

    std::shared_ptr<Pending> expect(Expect what, bool wait);
    void waitFor(const std::shared_ptr<Pending> &pending);
    void resolve(Expect kind, int outcome, const QString &error);
    void finishMfaCode(int outcome, const QString &error);
    bool finishUpload(int outcome, const QString &error);
    void setFailure(GarminConnectSso::Failure failure, const QString &error);
    void markSignedIn(bool signedIn);
    // Returns true when a signed-in user's tokens were written to SessionKey.
    bool migrateLegacyTokens();
    Expect signInKind() const;
    QString domainForSignIn() const;

    // QDomyos-Zwift's own workout code (private helpers it declares).
    void downloadWorkoutDetails(const QString &workoutIdentifier, const QString &date,
                                const QString &workoutName, const QString &itemType,
                                const QString &sportTypeKey, const QString &saveDir,
                                bool useScheduleEndpoint = false);
    void downloadPowerCurveAndSaveWorkout(const QJsonObject &workoutPayload, const QString &date,
                                          const QString &workoutName, const QString &sportTypeKey,
                                          const QString &saveDir);
    void saveWorkoutXml(const QJsonObject &workoutPayload, const QString &date,
                        const QString &workoutName, const QString &sportTypeKey,
                        const QString &saveDir, const QMap<int, double> &powerCurve);

    GarminConnectSso::Options m_options;
    GarminConnectSso *m_sso = nullptr;
    QString m_domain;
    QString m_lastError;
    GarminConnectSso::Failure m_lastFailure = GarminConnectSso::Failure::None;
    QList<std::shared_ptr<Pending>> m_pending;
    QHash<int, ApiReply> m_apiReplies;
};

// QDomyos-Zwift's own workout conversion (not part of this file's implementation).
QString garminConnectGenerateWorkoutXml(const QJsonObject &workoutJson,
                                        const QMap<int, double> &powerCurve = QMap<int, double>());
QString garminConnectWorkoutFileName(const QString &date, const QString &workoutName, const QString &sportTypeKey);

#endif // GARMINCONNECT_H
