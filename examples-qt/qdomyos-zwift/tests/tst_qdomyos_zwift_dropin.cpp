// The QDomyos-Zwift drop-in (examples-qt/qdomyos-zwift/garminconnect.h) driven the way homeform
// drives it (HomeformCompat), against the Garmin simulator, headless:
//   QT_QPA_PLATFORM=offscreen ./tst_qdomyos_zwift_dropin
// Settings are the application's default QSettings (an INI file in a fresh folder per test), as in
// the app. Every wait is QSignalSpy::wait or the drop-in's own blocking call; nothing sleeps.
#include "fit_file.h"
#include "garminconnect.h"
#include "homeform_compat.h"
#include "simulator.h"

#include <garmin_sso.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {

const QString kMfaEmail = QStringLiteral("mfa.rider@example.com");
const QString kMfaPassword = QStringLiteral("Correct-Horse-7");
const QString kMfaCode = QStringLiteral("482913");
const QString kPlainEmail = QStringLiteral("plain.rider@example.com");
const QString kPlainPassword = QStringLiteral("Battery-Staple-9");
const int kWaitMs = 20000;

QMutex gLogMutex;
QStringList gLog;
QtMessageHandler gPreviousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&gLogMutex);
        gLog.append(message);
    }
    if (gPreviousHandler)
        gPreviousHandler(type, context, message);
}

// QDomyos-Zwift's main.cpp prints every settings key at start-up except these.
bool appPrintsKey(const QString &s)
{
    return !s.contains(QStringLiteral("password")) && !s.contains("user_email") && !s.contains("username")
           && !s.contains("token") && !s.contains("garmin_device_serial") && !s.contains("garmin_email");
}

// Every string value in a JSON tree whose key names a secret.
void collectSecrets(const QJsonValue &v, QStringList *out)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.value().isString() && (it.key().contains(QLatin1String("token")) || it.key().contains(QLatin1String("secret"))))
                out->append(it.value().toString());
            collectSecrets(it.value(), out);
        }
    } else if (v.isArray()) {
        for (const QJsonValue &x : v.toArray())
            collectSecrets(x, out);
    }
}

} // namespace

class TestQdomyosZwiftDropIn : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void libraryWithoutTransportSaysSo();
    void signInAsksForMfaThenCode();
    void wrongCodeLeavesTheChallengeOpen();
    void uploadThenDuplicate();
    void restartSignedInWithoutNetwork();
    void expiringTokenIsRefreshedByTryRefreshToken();
    void logoutStaysLoggedOut();
    void domainIsReadAtEachSignIn();
    void migratesSignedInUserThenUploads();
    void migrationKeepsLoggedOutUserOut();
    void uploadAnswered2xxWithFailuresFails();
    void apiRequestForWorkoutCode();
    void settingsDumpShowsNoToken();
    void noSecretsInLogs();

private:
    void setCredentials(const QString &email, const QString &password);
    // Signs in through HomeformCompat (with the code when the account has MFA).
    bool signIn(HomeformCompat &home, bool mfa);
    QJsonArray recordedRequests();
    // Routes of recorded requests other than the app's own data calls (FTP check, workouts), which
    // homeform makes on authenticated(): sign-in, token and refresh traffic.
    QStringList recordedAuthRoutes();
    bool clearRequests();
    qint64 stat(const QString &name);
    QString fitFile(quint32 serial);
    // Legacy (OAuth1 + OAuth2) tokens issued by the simulator, through the CLI: garth's two files.
    bool legacyTokensFromSimulator(QJsonObject *oauth1, QJsonObject *oauth2);
    // Writes them under QDomyos-Zwift's own keys, as its previous GarminConnect did.
    void writeQdzTokens(const QJsonObject &oauth1, const QJsonObject &oauth2, qint64 expiresAt);
    void rememberSecrets();

    Simulator m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_secrets;
};

void TestQdomyosZwiftDropIn::initTestCase()
{
    gPreviousHandler = qInstallMessageHandler(captureMessages);
    // The library's debug records too, so noSecretsInLogs checks them as well.
    GarminConnectSso::setLogLevel(GarminConnectSso::LogLevel::Debug);
    QCoreApplication::setOrganizationName(QStringLiteral("qdz-dropin-test"));
    QCoreApplication::setApplicationName(QStringLiteral("qdomyos-zwift"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QString error;
    QVERIFY2(m_sim.start({kMfaEmail + ':' + kMfaPassword + ':' + kMfaCode, kPlainEmail + ':' + kPlainPassword}, &error),
             qPrintable(error));
    GarminConnectSso::Options options;
    options.baseUrl = m_sim.baseUrl();
    options.timeoutMs = 15000;
    GarminConnect::setDefaultOptions(options);
}

void TestQdomyosZwiftDropIn::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    // The app's own QSettings(), in a fresh folder per test.
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir->path());
    QSettings settings;
    settings.clear();
    settings.setValue(QStringLiteral("garmin_upload_enabled"), true);
    settings.setValue(QStringLiteral("garmin_download_workouts_on_start"), true);
    settings.sync();
}

void TestQdomyosZwiftDropIn::cleanup()
{
    rememberSecrets();
    QString error;
    m_sim.clearFaults(&error);
}

void TestQdomyosZwiftDropIn::setCredentials(const QString &email, const QString &password)
{
    QSettings settings;
    settings.setValue(QStringLiteral("garmin_email"), email);
    settings.setValue(QStringLiteral("garmin_password"), password);
    settings.sync();
}

bool TestQdomyosZwiftDropIn::signIn(HomeformCompat &home, bool mfa)
{
    home.garmin_connect_login();
    if (!mfa)
        return home.garminConnect && home.garminConnect->isAuthenticated();
    if (!home.mfaDialogShown)
        return false;
    QSignalSpy ok(home.garminConnect, &GarminConnect::authenticated);
    home.garmin_submit_mfa_code(kMfaCode);
    return ok.wait(kWaitMs) && home.garminConnect->isAuthenticated();
}

QJsonArray TestQdomyosZwiftDropIn::recordedRequests()
{
    QString error;
    const QJsonDocument doc = m_sim.requests(&error);
    if (!error.isEmpty())
        qWarning() << error;
    return doc.isArray() ? doc.array() : doc.object().value(QStringLiteral("requests")).toArray();
}

QStringList TestQdomyosZwiftDropIn::recordedAuthRoutes()
{
    static const QStringList dataRoutes = {QStringLiteral("user_settings"), QStringLiteral("calendar"),
                                           QStringLiteral("workout")};
    QStringList routes;
    for (const QJsonValue &r : recordedRequests()) {
        const QString route = r.toObject().value(QStringLiteral("route")).toString();
        if (!dataRoutes.contains(route))
            routes << route + QLatin1Char(' ') + r.toObject().value(QStringLiteral("method")).toString() + QLatin1Char(' ')
                          + r.toObject().value(QStringLiteral("path")).toString();
    }
    return routes;
}

bool TestQdomyosZwiftDropIn::clearRequests()
{
    QString error;
    return m_sim.clearRequests(&error);
}

qint64 TestQdomyosZwiftDropIn::stat(const QString &name)
{
    QString error;
    return m_sim.stats(&error).object().value(name).toVariant().toLongLong();
}

QString TestQdomyosZwiftDropIn::fitFile(quint32 serial)
{
    const QString path = m_dir->filePath(QStringLiteral("ride-%1.fit").arg(serial));
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(makeFitFile(serial));
    return path;
}

bool TestQdomyosZwiftDropIn::legacyTokensFromSimulator(QJsonObject *oauth1, QJsonObject *oauth2)
{
    const QString dir = m_dir->filePath(QStringLiteral("garth"));
    QProcess cli;
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(Simulator::binary(), {QStringLiteral("login"), QStringLiteral("--email"), kPlainEmail,
                                    QStringLiteral("--password-stdin"), QStringLiteral("--tokens"),
                                    QStringLiteral("legacy"), QStringLiteral("--base-url"), m_sim.baseUrl(),
                                    QStringLiteral("--token-dir"), dir});
    if (!cli.waitForStarted(10000))
        return false;
    cli.write((kPlainPassword + '\n').toUtf8());
    cli.closeWriteChannel();
    if (!cli.waitForFinished(30000) || cli.exitCode() != 0) {
        qWarning() << "garmin-sso login exited with" << cli.exitCode();
        return false;
    }
    QFile f1(QDir(dir).filePath(QStringLiteral("oauth1_token.json")));
    QFile f2(QDir(dir).filePath(QStringLiteral("oauth2_token.json")));
    if (!f1.open(QIODevice::ReadOnly) || !f2.open(QIODevice::ReadOnly))
        return false;
    *oauth1 = QJsonDocument::fromJson(f1.readAll()).object();
    *oauth2 = QJsonDocument::fromJson(f2.readAll()).object();
    m_secrets << oauth1->value(QStringLiteral("oauth_token")).toString()
              << oauth1->value(QStringLiteral("oauth_token_secret")).toString()
              << oauth2->value(QStringLiteral("access_token")).toString()
              << oauth2->value(QStringLiteral("refresh_token")).toString();
    return !oauth1->value(QStringLiteral("oauth_token")).toString().isEmpty()
           && !oauth2->value(QStringLiteral("access_token")).toString().isEmpty();
}

void TestQdomyosZwiftDropIn::writeQdzTokens(const QJsonObject &oauth1, const QJsonObject &oauth2, qint64 expiresAt)
{
    QSettings settings;
    settings.setValue(QStringLiteral("garmin_access_token"), oauth2.value(QStringLiteral("access_token")).toString());
    settings.setValue(QStringLiteral("garmin_refresh_token"), oauth2.value(QStringLiteral("refresh_token")).toString());
    settings.setValue(QStringLiteral("garmin_token_type"), oauth2.value(QStringLiteral("token_type")).toString());
    settings.setValue(QStringLiteral("garmin_expires_at"), expiresAt);
    settings.setValue(QStringLiteral("garmin_refresh_token_expires_at"),
                      oauth2.value(QStringLiteral("refresh_token_expires_at")).toVariant().toLongLong());
    settings.setValue(QStringLiteral("garmin_oauth1_token"), oauth1.value(QStringLiteral("oauth_token")).toString());
    settings.setValue(QStringLiteral("garmin_oauth1_token_secret"),
                      oauth1.value(QStringLiteral("oauth_token_secret")).toString());
    settings.setValue(QStringLiteral("garmin_domain"), QStringLiteral("garmin.com"));
    settings.setValue(QStringLiteral("garmin_last_refresh"), QDateTime::currentDateTime());
    settings.sync();
}

void TestQdomyosZwiftDropIn::rememberSecrets()
{
    QSettings settings;
    const QString session = settings.value(QString::fromLatin1(GarminConnect::SessionKey)).toString();
    if (!session.isEmpty())
        collectSecrets(QJsonDocument::fromJson(session.toUtf8()).object(), &m_secrets);
    m_secrets.removeAll(QString());
    m_secrets.removeDuplicates();
}

// --- Tests -------------------------------------------------------------------------------------

void TestQdomyosZwiftDropIn::libraryWithoutTransportSaysSo()
{
    // scripts/test-qt.sh runs this suite a second time against the library built without its own
    // HTTP stack (cargo --no-default-features) and says so in GARMIN_SSO_EXPECT_NO_TRANSPORT.
    const bool noTransport =
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("GARMIN_SSO_EXPECT_NO_TRANSPORT")) == QLatin1String("1");
    garmin_sso_config *config = nullptr;
    QCOMPARE(garmin_sso_config_new("garmin.com", &config), uint32_t(GARMIN_SSO_STATUS_OK));
    garmin_sso_client *client = nullptr;
    const uint32_t status = garmin_sso_client_new(config, &client);
    const QString message = QString::fromUtf8(garmin_sso_last_error_message());
    garmin_sso_client_free(client);
    garmin_sso_config_free(config);
    if (noTransport) {
        QCOMPARE(status, uint32_t(GARMIN_SSO_STATUS_INVALID_INPUT));
        QVERIFY2(message.contains(QLatin1String("garmin_sso_config_set_transport")), qPrintable(message));
    } else {
        QCOMPARE(status, uint32_t(GARMIN_SSO_STATUS_OK));
    }
}

void TestQdomyosZwiftDropIn::signInAsksForMfaThenCode()
{
    setCredentials(kMfaEmail, kMfaPassword);
    HomeformCompat home;
    home.garmin_connect_login(); // blocks like the old login(); returns with the MFA dialog shown
    QVERIFY(home.garminConnect);
    QVERIFY(home.mfaDialogShown);
    QVERIFY(!home.garminConnect->isAuthenticated());
    QVERIFY(home.garminConnect->lastError().contains(QLatin1String("MFA")));
    QCOMPARE(home.garminConnect->lastFailure(), GarminConnectSso::Failure::MfaRequired);
    // homeform's own "Login failed - …" toast is skipped for MFA; its authenticationFailed toast shows.
    QVERIFY(!home.toasts.join('\n').contains(QLatin1String("Login failed -")));
    QVERIFY(home.toasts.contains(QStringLiteral("Garmin Connect Login Failed: MFA code required")));

    QSignalSpy ok(home.garminConnect, &GarminConnect::authenticated);
    QSignalSpy ftp(home.garminConnect, &GarminConnect::ftpValuesAvailable);
    home.garmin_submit_mfa_code(kMfaCode);
    QVERIFY(!home.mfaDialogShown);
    QVERIFY(ok.wait(kWaitMs));
    QVERIFY(home.garminConnect->isAuthenticated());
    QCOMPARE(home.garminConnect->lastFailure(), GarminConnectSso::Failure::None);
    // homeform checks FTP on authenticated(); that call goes through apiRequest with the new session.
    QVERIFY(ftp.count() > 0 || ftp.wait(kWaitMs));

    // The sign-in traffic is visible in the simulator's log (what the restart test expects to be empty).
    QVERIFY(!recordedAuthRoutes().isEmpty());

    QSettings settings;
    QCOMPARE(settings.value(QStringLiteral("garmin_access_token")).toString(),
             QString::fromLatin1(GarminConnect::SignedInMarker));
    const QString session = settings.value(QString::fromLatin1(GarminConnect::SessionKey)).toString();
    QVERIFY(session.contains(QLatin1String("\"schema_version\"")));
    QVERIFY(!session.contains(kMfaPassword));
    QVERIFY(home.workoutDownloadOnStartWouldRun());
}

void TestQdomyosZwiftDropIn::wrongCodeLeavesTheChallengeOpen()
{
    setCredentials(kMfaEmail, kMfaPassword);
    HomeformCompat home;
    home.garmin_connect_login();
    QVERIFY(home.mfaDialogShown);

    QSignalSpy failed(home.garminConnect, &GarminConnect::authenticationFailed);
    QSignalSpy askedAgain(home.garminConnect, &GarminConnect::mfaRequired);
    home.garmin_submit_mfa_code(QStringLiteral("000000"));
    QVERIFY(!home.mfaDialogShown);
    QVERIFY(askedAgain.wait(kWaitMs));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(home.garminConnect->lastFailure(), GarminConnectSso::Failure::MfaCodeRejected);
    QVERIFY(home.mfaDialogShown); // the dialog is back for another try
    QVERIFY(!home.garminConnect->isAuthenticated());

    const qint64 codeRequestsBefore = stat(QStringLiteral("mfa_code_requests"));
    QSignalSpy ok(home.garminConnect, &GarminConnect::authenticated);
    home.garmin_submit_mfa_code(kMfaCode);
    QVERIFY(ok.wait(kWaitMs));
    QVERIFY(home.garminConnect->isAuthenticated());
    // The same challenge took the code: no new sign-in, no new code sent.
    QCOMPARE(stat(QStringLiteral("mfa_code_requests")), codeRequestsBefore);
}

void TestQdomyosZwiftDropIn::uploadThenDuplicate()
{
    setCredentials(kPlainEmail, kPlainPassword);
    HomeformCompat home;
    QVERIFY(signIn(home, false));
    const QString ride = fitFile(7001);
    const qint64 uploadsBefore = stat(QStringLiteral("uploads"));

    QSignalSpy succeeded(home.garminConnect, &GarminConnect::uploadSucceeded);
    QSignalSpy failed(home.garminConnect, &GarminConnect::uploadFailed);
    home.garmin_upload_file_prepare(ride);
    QCOMPARE(succeeded.count(), 1); // emitted before uploadFitFile() returned, as before
    QCOMPARE(failed.count(), 0);
    QCOMPARE(home.toasts.last(), QStringLiteral("Garmin: Upload successful!"));
    QCOMPARE(stat(QStringLiteral("uploads")), uploadsBefore + 1);

    home.uploadHistoricalWorkoutToGarmin(ride);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(home.garminConnect->lastFailure(), GarminConnectSso::Failure::DuplicateActivity);
    QVERIFY(home.toasts.last().startsWith(QLatin1String("Garmin: Upload failed - ")));
    QVERIFY(home.garminConnect->isAuthenticated());

    // A file that is not there fails at once, naming it.
    QVERIFY(!home.garminConnect->uploadFitFile(m_dir->filePath(QStringLiteral("missing.fit"))));
    QVERIFY(home.garminConnect->lastError().contains(QLatin1String("missing.fit")));
}

void TestQdomyosZwiftDropIn::restartSignedInWithoutNetwork()
{
    setCredentials(kMfaEmail, kMfaPassword);
    {
        HomeformCompat first;
        QVERIFY(signIn(first, true));
    }
    QVERIFY(clearRequests());
    const quint64 grantsBefore = quint64(stat(QStringLiteral("di_refreshes")) + stat(QStringLiteral("legacy_refreshes")));

    // The app starts again: homeform's start-up check calls garmin_connect_login().
    HomeformCompat home;
    home.garmin_connect_login();
    QVERIFY(home.garminConnect->isAuthenticated());
    QVERIFY(!home.mfaDialogShown);
    QVERIFY(home.toasts.contains(QStringLiteral("Garmin Connect: Authenticated!")));
    QCOMPARE(recordedAuthRoutes().join(QLatin1Char(',')), QString());

    // tryRefreshToken() again: still no HTTP while the token is good.
    const quint64 exchanges = home.garminConnect->sso()->httpExchangeCount();
    QVERIFY(home.garminConnect->tryRefreshToken());
    QCOMPARE(home.garminConnect->sso()->httpExchangeCount(), exchanges);
    QCOMPARE(recordedAuthRoutes().join(QLatin1Char(',')), QString());
    QCOMPARE(quint64(stat(QStringLiteral("di_refreshes")) + stat(QStringLiteral("legacy_refreshes"))), grantsBefore);

    // The start-up workout download is gated on garmin_access_token, and works with the session.
    QVERIFY(home.workoutDownloadOnStartWouldRun());
    QSignalSpy saved(home.garminConnect, &GarminConnect::workoutDownloaded);
    home.garmin_download_todays_workout(m_dir->filePath(QStringLiteral("training")));
    QVERIFY(saved.wait(kWaitMs));
    QVERIFY(QFile::exists(saved.first().at(0).toString()));
    QCOMPARE(saved.first().at(1).toString(), QStringLiteral("Sim Tempo Run"));
}

void TestQdomyosZwiftDropIn::expiringTokenIsRefreshedByTryRefreshToken()
{
    QJsonObject oauth1, oauth2;
    QVERIFY(legacyTokensFromSimulator(&oauth1, &oauth2));
    // Tokens whose access token QDomyos-Zwift recorded as expiring in a minute: the drop-in refreshes.
    writeQdzTokens(oauth1, oauth2, QDateTime::currentSecsSinceEpoch() + 60);
    const qint64 refreshesBefore = stat(QStringLiteral("legacy_refreshes"));
    GarminConnect garmin;
    QSignalSpy announced(&garmin, &GarminConnect::authenticated);
    QVERIFY(garmin.isAuthenticated());
    QVERIFY(garmin.tryRefreshToken());
    QCOMPARE(stat(QStringLiteral("legacy_refreshes")), refreshesBefore + 1);
    QVERIFY(garmin.sso()->accessTokenExpiresAt() > QDateTime::currentSecsSinceEpoch() + 600);
    QCOMPARE(announced.count(), 0); // homeform announces it itself
    // Fresh now: the next call stays off the network.
    const quint64 exchanges = garmin.sso()->httpExchangeCount();
    QVERIFY(garmin.tryRefreshToken());
    QCOMPARE(garmin.sso()->httpExchangeCount(), exchanges);
}

void TestQdomyosZwiftDropIn::logoutStaysLoggedOut()
{
    setCredentials(kPlainEmail, kPlainPassword);
    {
        HomeformCompat home;
        QVERIFY(signIn(home, false));
        QSignalSpy announced(home.garminConnect, &GarminConnect::authenticated);
        home.garmin_connect_logout();
        QVERIFY(!home.garminConnect->isAuthenticated());
        QCOMPARE(announced.count(), 0);
        QSettings settings;
        QVERIFY(!settings.contains(QStringLiteral("garmin_access_token")));
        QVERIFY(!settings.contains(QString::fromLatin1(GarminConnect::SessionKey)));
        QVERIFY(!home.workoutDownloadOnStartWouldRun());
        QVERIFY(!home.garminConnect->uploadFitFile(fitFile(7101)));
        QCOMPARE(home.garminConnect->lastFailure(), GarminConnectSso::Failure::SignInNeeded);
    }
    QVERIFY(clearRequests());
    GarminConnect restarted;
    QVERIFY(!restarted.isAuthenticated());
    QVERIFY(!restarted.tryRefreshToken());
    QCOMPARE(recordedRequests().size(), 0);
}

void TestQdomyosZwiftDropIn::domainIsReadAtEachSignIn()
{
    setCredentials(kPlainEmail, kPlainPassword);
    HomeformCompat home;
    QVERIFY(signIn(home, false));
    QCOMPARE(home.garminConnect->sso()->domain(), QStringLiteral("garmin.com"));
    home.garmin_connect_logout();

    // The user switches to the Chinese servers in the app's settings; the same object signs in there.
    {
        QSettings settings;
        settings.setValue(QStringLiteral("garmin_domain"), QStringLiteral("garmin.cn"));
    }
    QVERIFY(clearRequests());
    home.garmin_connect_login();
    QCOMPARE(home.garminConnect->sso()->domain(), QStringLiteral("garmin.cn"));
    bool sawCn = false;
    for (const QJsonValue &r : recordedRequests()) {
        const QString text = QString::fromUtf8(QJsonDocument(r.toObject()).toJson());
        sawCn = sawCn || text.contains(QLatin1String("garmin.cn"));
    }
    QVERIFY2(sawCn, "no request named garmin.cn");
}

void TestQdomyosZwiftDropIn::migratesSignedInUserThenUploads()
{
    QJsonObject oauth1, oauth2;
    QVERIFY(legacyTokensFromSimulator(&oauth1, &oauth2));
    const qint64 expiresAt = oauth2.value(QStringLiteral("expires_at")).toVariant().toLongLong();
    QVERIFY(expiresAt > QDateTime::currentSecsSinceEpoch() + 600);
    writeQdzTokens(oauth1, oauth2, expiresAt);
    setCredentials(kPlainEmail, kPlainPassword);
    QVERIFY(clearRequests());

    // The first start with the new GarminConnect: signed in at once, no sign-in, no HTTP.
    HomeformCompat home;
    home.garmin_connect_login();
    QVERIFY(home.garminConnect->isAuthenticated());
    QCOMPARE(recordedAuthRoutes().join(QLatin1Char(',')), QString());
    {
        QSettings settings;
        for (const char *key : {"garmin_refresh_token", "garmin_token_type", "garmin_expires_at",
                                "garmin_refresh_token_expires_at", "garmin_oauth1_token",
                                "garmin_oauth1_token_secret", "garmin_last_refresh"})
            QVERIFY2(!settings.contains(QLatin1String(key)), key);
        QCOMPARE(settings.value(QStringLiteral("garmin_access_token")).toString(),
                 QString::fromLatin1(GarminConnect::SignedInMarker));
        QCOMPARE(settings.value(QStringLiteral("garmin_domain")).toString(), QStringLiteral("garmin.com"));
        const QString session = settings.value(QString::fromLatin1(GarminConnect::SessionKey)).toString();
        QVERIFY(session.contains(oauth1.value(QStringLiteral("oauth_token")).toString()));
    }

    // The carried-over token uploads.
    const qint64 uploadsBefore = stat(QStringLiteral("uploads"));
    QVERIFY(home.garminConnect->uploadFitFile(fitFile(7201)));
    QCOMPARE(stat(QStringLiteral("uploads")), uploadsBefore + 1);

    // Once only: a second start finds nothing to migrate and keeps the session.
    delete home.garminConnect;
    home.garminConnect = nullptr;
    GarminConnect again;
    QVERIFY(again.isAuthenticated());
    QVERIFY(again.tryRefreshToken());
}

void TestQdomyosZwiftDropIn::migrationKeepsLoggedOutUserOut()
{
    QJsonObject oauth1, oauth2;
    QVERIFY(legacyTokensFromSimulator(&oauth1, &oauth2));
    writeQdzTokens(oauth1, oauth2, QDateTime::currentSecsSinceEpoch() + 3600);
    {
        // What QDomyos-Zwift's logout left: the OAuth2 keys gone, the OAuth1 pair still there.
        QSettings settings;
        for (const char *key : {"garmin_access_token", "garmin_refresh_token", "garmin_token_type", "garmin_expires_at",
                                "garmin_refresh_token_expires_at", "garmin_last_refresh"})
            settings.remove(QLatin1String(key));
    }
    QVERIFY(clearRequests());
    GarminConnect garmin;
    QVERIFY(!garmin.isAuthenticated());
    QVERIFY(!garmin.tryRefreshToken());
    QCOMPARE(recordedRequests().size(), 0);
    QSettings settings;
    QVERIFY(!settings.contains(QStringLiteral("garmin_oauth1_token")));
    QVERIFY(!settings.contains(QStringLiteral("garmin_oauth1_token_secret")));
    QVERIFY(!settings.contains(QStringLiteral("garmin_access_token")));
    QVERIFY(!settings.contains(QString::fromLatin1(GarminConnect::SessionKey)));
}

void TestQdomyosZwiftDropIn::uploadAnswered2xxWithFailuresFails()
{
    // Garmin may answer 202 and still list the activity under failures. The simulator answers 409
    // for that case, so a one-route server plays Garmin here, with a session made up for it.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, &server, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer] {
            buffer->append(socket->readAll());
            const int headerEnd = buffer->indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const QByteArray head = buffer->left(headerEnd).toLower();
            const int at = head.indexOf("content-length:");
            const int length = at < 0 ? 0 : head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toInt();
            if (buffer->size() < headerEnd + 4 + length)
                return;
            const QByteArray body =
                R"({"detailedImportResult":{"uploadId":1,"successes":[],"failures":[{"internalId":null,"messages":[{"code":501,"content":"Unsupported file content."}]}]}})";
            socket->write("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    });
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonObject doc{{"schema_version", 1},
                          {"kind", "di"},
                          {"di", QJsonObject{{"client_id", "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"},
                                             {"token_type", "Bearer"},
                                             {"access_token", "made-up-access"},
                                             {"refresh_token", "made-up-refresh"},
                                             {"expires_at", now + 3600},
                                             {"refresh_token_expires_at", now + 86400}}}};
    {
        QSettings settings;
        settings.setValue(QString::fromLatin1(GarminConnect::SessionKey), QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Compact)));
    }
    GarminConnectSso::Options options;
    options.baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort());
    options.timeoutMs = 15000;
    GarminConnect::setDefaultOptions(options);
    std::unique_ptr<GarminConnect> garmin(new GarminConnect);
    GarminConnectSso::Options simOptions;
    simOptions.baseUrl = m_sim.baseUrl();
    simOptions.timeoutMs = 15000;
    GarminConnect::setDefaultOptions(simOptions);

    QVERIFY(garmin->isAuthenticated());
    QSignalSpy succeeded(garmin.get(), &GarminConnect::uploadSucceeded);
    QSignalSpy failed(garmin.get(), &GarminConnect::uploadFailed);
    QVERIFY(!garmin->uploadActivity(makeFitFile(7301), QStringLiteral("ride.fit")));
    QCOMPARE(succeeded.count(), 0);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(garmin->lastError().contains(QLatin1String("Unsupported file content.")), qPrintable(garmin->lastError()));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::UnexpectedResponse);
}

void TestQdomyosZwiftDropIn::apiRequestForWorkoutCode()
{
    setCredentials(kPlainEmail, kPlainPassword);
    GarminConnect garmin;
    int status = -1;
    QString error;
    QSignalSpy dummy(&garmin, &GarminConnect::noWorkoutFoundToday);
    // Before sign-in: no answer, the reason in `error`.
    bool called = false;
    garmin.apiRequest("GET", QStringLiteral("/userprofile-service/socialProfile"),
                      [&](int s, const QByteArray &, const QString &e) {
                          called = true;
                          status = s;
                          error = e;
                      });
    QTRY_VERIFY_WITH_TIMEOUT(called, kWaitMs);
    QCOMPARE(status, 0);
    QVERIFY(!error.isEmpty());

    QVERIFY(garmin.login(kPlainEmail, kPlainPassword));
    called = false;
    QByteArray body;
    garmin.apiRequest("GET", QStringLiteral("/userprofile-service/socialProfile"),
                      [&](int s, const QByteArray &b, const QString &e) {
                          called = true;
                          status = s;
                          body = b;
                          error = e;
                      });
    QTRY_VERIFY_WITH_TIMEOUT(called, kWaitMs);
    QCOMPARE(status, 200);
    QVERIFY(error.isEmpty());
    QVERIFY(QJsonDocument::fromJson(body).object().contains(QStringLiteral("displayName")));
}

void TestQdomyosZwiftDropIn::settingsDumpShowsNoToken()
{
    setCredentials(kMfaEmail, kMfaPassword);
    HomeformCompat home;
    QVERIFY(signIn(home, true));
    home.garmin_upload_file_prepare(fitFile(7401));
    rememberSecrets();
    QVERIFY(!m_secrets.isEmpty());

    // What QDomyos-Zwift's main.cpp prints at start-up: every key its filter lets through.
    QSettings settings;
    QStringList printed;
    for (const QString &key : settings.allKeys()) {
        if (appPrintsKey(key))
            printed << key + QStringLiteral(" = ") + settings.value(key).toString();
    }
    const QString dump = printed.join('\n');
    for (const QString &secret : std::as_const(m_secrets))
        QVERIFY2(!dump.contains(secret), qPrintable(QStringLiteral("a token value is in the printed settings")));
    QVERIFY(!dump.contains(kMfaPassword));
    // The session itself is there, under a key the filter skips.
    QVERIFY(settings.contains(QString::fromLatin1(GarminConnect::SessionKey)));
    QVERIFY(!appPrintsKey(QString::fromLatin1(GarminConnect::SessionKey)));
    QVERIFY(!appPrintsKey(QString::fromLatin1(GarminConnect::SessionKey) + QStringLiteral("_domain")));
}

void TestQdomyosZwiftDropIn::noSecretsInLogs()
{
    rememberSecrets();
    QStringList log;
    {
        QMutexLocker lock(&gLogMutex);
        log = gLog;
    }
    const QString all = log.join('\n');
    QVERIFY(!m_secrets.isEmpty());
    for (const QString &secret : std::as_const(m_secrets))
        QVERIFY2(!all.contains(secret), "a token value was logged");
    QVERIFY(!all.contains(kMfaPassword));
    QVERIFY(!all.contains(kPlainPassword));
    QVERIFY(!all.contains(QLatin1String("ticket=ST-")));
}

QTEST_GUILESS_MAIN(TestQdomyosZwiftDropIn)
#include "tst_qdomyos_zwift_dropin.moc"
