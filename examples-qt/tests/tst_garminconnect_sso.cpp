// GarminConnectSso against the Garmin simulator (`garmin-sso simulate`), headless:
//   QT_QPA_PLATFORM=offscreen ./tst_garminconnect_sso
// Every wait is QSignalSpy::wait on the signal the app would react to; nothing sleeps.
#include "fit_file.h"
#include "garminconnect_sso.h"
#include "mainwindow.h"
#include "simulator.h"

#include <garmin_sso.h>

#include <QApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMetaEnum>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

namespace {

const QString kMfaEmail = QStringLiteral("mfa.rider@example.com");
const QString kMfaPassword = QStringLiteral("Correct-Horse-7");
const QString kMfaCode = QStringLiteral("482913");
const QString kPlainEmail = QStringLiteral("plain.rider@example.com");
const QString kPlainPassword = QStringLiteral("Battery-Staple-9");
const int kWaitMs = 20000;
// The partner app registered with the simulator (--partner-client).
const QString kPartnerId = QStringLiteral("qt-partner-app");
const QString kPartnerSecret = QStringLiteral("qt-partner-secret-4b8a");
const QString kPartnerRedirect = QStringLiteral("http://127.0.0.1:8765/callback");

// Everything Qt logs during the run (the library's log is forwarded to the garmin.sso category),
// checked at the end for secrets.
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

} // namespace

class TestGarminConnectSso : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void failureForEveryStatus();
    void signInWithMfaCode();
    void signInWithoutMfa();
    void wrongPasswordFails();
    void wrongMfaCodeCanBeRetried();
    void uploadActivityFromMemory();
    void duplicateUploadIsReported();
    void uploadFitFileFromPath();
    void missingFitFileFails();
    void connectApiRequest();
    void tokensSurviveRestart();
    void refreshedTokensArePersisted();
    void rateLimitOnOneFlowFallsThrough();
    void rateLimitIsReported();
    void logoutForgetsTokens();
    void webViewTicketSignsIn();
    void partnerSignIn();
    void partnerSignInDeclined();
    void signInAsIosApp();
    void widgetAppSignsInWithMfa();
    void noSecretsInLogsOrErrors();

private:
    std::unique_ptr<GarminConnectSso> makeWrapper(const QString &settingsFile,
                                                  GarminConnectSso::MobileApp app = GarminConnectSso::MobileApp::Android,
                                                  const GarminConnectSso::PartnerApp &partner = {});
    static GarminConnectSso::PartnerApp partnerApp();
    // The person in the browser: opens the consent page, signs in, presses `decision` ("allow" or
    // "deny"). The redirect Garmin sends the browser to, or an empty QUrl.
    QUrl consent(const QUrl &page, const QString &decision);
    // The query items of every recorded request on `route` since the last clearRequests().
    QList<QUrlQuery> recordedQueries(const QString &route);
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("settings.ini")); }
    bool signIn(GarminConnectSso &garmin, const QString &email, const QString &password);
    qint64 stat(const QString &name);
    qint64 routeCount(const QString &route);
    QString storedSession(const QString &file);

    Simulator m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_secrets; // tokens seen in settings during the run
};

std::unique_ptr<GarminConnectSso> TestGarminConnectSso::makeWrapper(const QString &settingsFile,
                                                                   GarminConnectSso::MobileApp app,
                                                                   const GarminConnectSso::PartnerApp &partner)
{
    GarminConnectSso::Options options;
    options.settingsFile = settingsFile;
    options.baseUrl = m_sim.baseUrl();
    options.timeoutMs = 15000;
    options.mobileApp = app;
    options.partnerApp = partner;
    return std::make_unique<GarminConnectSso>(options);
}

GarminConnectSso::PartnerApp TestGarminConnectSso::partnerApp()
{
    GarminConnectSso::PartnerApp app;
    app.clientId = kPartnerId;
    app.clientSecret = kPartnerSecret;
    app.redirectUri = kPartnerRedirect;
    app.scope = QStringLiteral("ACTIVITY_EXPORT HEALTH_EXPORT");
    return app;
}

QUrl TestGarminConnectSso::consent(const QUrl &page, const QString &decision)
{
    QNetworkAccessManager browser;
    browser.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *shown = browser.get(QNetworkRequest(page));
    QSignalSpy shownDone(shown, &QNetworkReply::finished);
    if (!shown->isFinished() && !shownDone.wait(kWaitMs))
        return QUrl();
    const int shownStatus = shown->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString html = QString::fromUtf8(shown->readAll());
    delete shown;
    const QLatin1String marker("name=\"request_id\" value=\"");
    const int at = html.indexOf(marker);
    if (shownStatus != 200 || at < 0) {
        qWarning() << "consent page: HTTP" << shownStatus;
        return QUrl();
    }
    const int from = at + marker.size();
    const QString requestId = html.mid(from, html.indexOf(QLatin1Char('"'), from) - from);

    QUrlQuery form;
    form.addQueryItem(QStringLiteral("request_id"), requestId);
    form.addQueryItem(QStringLiteral("email"), kPlainEmail);
    form.addQueryItem(QStringLiteral("password"), kPlainPassword);
    form.addQueryItem(QStringLiteral("decision"), decision);
    QNetworkRequest post(QUrl(m_sim.baseUrl() + QStringLiteral("/oauth2Confirm")));
    post.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    QNetworkReply *submitted = browser.post(post, form.toString(QUrl::FullyEncoded).toUtf8());
    QSignalSpy submittedDone(submitted, &QNetworkReply::finished);
    if (!submitted->isFinished() && !submittedDone.wait(kWaitMs))
        return QUrl();
    const int status = submitted->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QUrl location = submitted->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
    delete submitted;
    if (status != 302) {
        qWarning() << "consent form: HTTP" << status;
        return QUrl();
    }
    return location;
}

QList<QUrlQuery> TestGarminConnectSso::recordedQueries(const QString &route)
{
    QString error;
    const QJsonDocument doc = m_sim.requests(&error);
    if (!error.isEmpty())
        qWarning() << error;
    QList<QUrlQuery> queries;
    for (const QJsonValue &r : doc.array()) {
        if (r.toObject().value(QStringLiteral("route")).toString() == route)
            queries << QUrlQuery(r.toObject().value(QStringLiteral("query")).toString());
    }
    return queries;
}

bool TestGarminConnectSso::signIn(GarminConnectSso &garmin, const QString &email, const QString &password)
{
    QSignalSpy ok(&garmin, &GarminConnectSso::authenticated);
    QSignalSpy failed(&garmin, &GarminConnectSso::authenticationFailed);
    garmin.login(email, password);
    if (!ok.wait(kWaitMs)) {
        qWarning() << "sign-in did not complete:" << garmin.lastError();
        return false;
    }
    return failed.isEmpty() && garmin.isAuthenticated();
}

qint64 TestGarminConnectSso::stat(const QString &name)
{
    QString error;
    const QJsonDocument doc = m_sim.stats(&error);
    if (!error.isEmpty())
        qWarning() << error;
    return doc.object().value(name).toVariant().toLongLong();
}

qint64 TestGarminConnectSso::routeCount(const QString &route)
{
    QString error;
    return m_sim.stats(&error).object().value(QStringLiteral("requests")).toObject().value(route).toVariant().toLongLong();
}

QString TestGarminConnectSso::storedSession(const QString &file)
{
    QSettings settings(file, QSettings::IniFormat);
    return settings.value(QStringLiteral("garmin_sso/session")).toString();
}

void TestGarminConnectSso::initTestCase()
{
    gPreviousHandler = qInstallMessageHandler(captureMessages);
    QString error;
    QVERIFY2(m_sim.start({kMfaEmail + ':' + kMfaPassword + ':' + kMfaCode, kPlainEmail + ':' + kPlainPassword}, &error,
                         {QStringLiteral("--partner-client"), kPartnerId + ',' + kPartnerSecret + ',' + kPartnerRedirect}),
             qPrintable(error));
    qInfo() << "simulator at" << m_sim.baseUrl();
}

void TestGarminConnectSso::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestGarminConnectSso::cleanup()
{
    QString error;
    QVERIFY2(m_sim.clearFaults(&error), qPrintable(error));
    const QString stored = storedSession(settingsFile());
    if (!stored.isEmpty()) {
        // Remember the token values so the last test can look for them in the logs.
        const QJsonObject o = QJsonDocument::fromJson(stored.toUtf8()).object();
        std::function<void(const QJsonValue &)> collect = [&](const QJsonValue &v) {
            if (v.isObject()) {
                const QJsonObject obj = v.toObject();
                for (auto it = obj.begin(); it != obj.end(); ++it) {
                    if (it.value().isString() && it.key().contains(QLatin1String("token")) && it.value().toString().size() > 8)
                        m_secrets << it.value().toString();
                    collect(it.value());
                }
            } else if (v.isArray()) {
                for (const QJsonValue &x : v.toArray())
                    collect(x);
            }
        };
        collect(o);
    }
    m_dir.reset();
}

namespace {

// "RateLimited" -> "RATE_LIMITED", the spelling of the C status names.
QString upperSnake(const char *camel)
{
    QString out;
    for (const char *c = camel; *c; ++c) {
        if (QChar::isUpper(uint(uchar(*c))) && !out.isEmpty())
            out += QLatin1Char('_');
        out += QChar::fromLatin1(*c).toUpper();
    }
    return out;
}

} // namespace

// The kind-mapping test for Qt: every status the C header declares maps to its own Failure, named
// like the core's ErrorKind and with its number; none falls to the fallback, no two kinds share one.
void TestGarminConnectSso::failureForEveryStatus()
{
    using F = GarminConnectSso::Failure;
    const QLatin1String prefix("GARMIN_SSO_STATUS_");
    const QLatin1String unknown("GARMIN_SSO_STATUS_UNKNOWN");
    // By their constants, so a status the header drops or renames stops this from compiling.
    const QList<int> kinds{
        GARMIN_SSO_STATUS_INVALID_CREDENTIALS, GARMIN_SSO_STATUS_MFA_REQUIRED,
        GARMIN_SSO_STATUS_MFA_CODE_REJECTED,   GARMIN_SSO_STATUS_MFA_CHALLENGE_ENDED,
        GARMIN_SSO_STATUS_RATE_LIMITED,        GARMIN_SSO_STATUS_BLOCKED,
        GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE,    GARMIN_SSO_STATUS_SIGN_IN_NEEDED,
        GARMIN_SSO_STATUS_NETWORK,             GARMIN_SSO_STATUS_TIMEOUT,
        GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY,  GARMIN_SSO_STATUS_STORAGE,
        GARMIN_SSO_STATUS_INVALID_INPUT,       GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE,
        GARMIN_SSO_STATUS_INTERNAL,            GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED};
    const QList<int> cOnly{GARMIN_SSO_STATUS_NULL_ARGUMENT, GARMIN_SSO_STATUS_INVALID_UTF8};
    QCOMPARE(int(kinds.size()), 16);

    // The library names exactly these statuses: one it adds must be added here (and mapped).
    QList<int> declared{GARMIN_SSO_STATUS_OK};
    declared << kinds << cOnly;
    std::sort(declared.begin(), declared.end());
    QList<int> named;
    for (int s = 0; s < 1024; ++s) {
        if (QLatin1String(garmin_sso_status_name(uint32_t(s))) != unknown)
            named << s;
    }
    QCOMPARE(named, declared);

    const QMetaEnum failures = QMetaEnum::fromType<F>();
    QCOMPARE(failures.keyCount(), 1 + int(kinds.size())); // None + one per kind, nothing else
    bool known = false;
    QCOMPARE(GarminConnectSso::failureForStatus(GARMIN_SSO_STATUS_OK, &known), F::None);
    QVERIFY(known);
    QSet<int> taken;
    for (int s : kinds) {
        const QString name = QLatin1String(garmin_sso_status_name(uint32_t(s)));
        QVERIFY2(name.startsWith(prefix) && name != unknown, qPrintable(name));
        known = false;
        const F f = GarminConnectSso::failureForStatus(s, &known);
        QVERIFY2(known, qPrintable(name + QStringLiteral(" maps to the fallback")));
        QVERIFY2(f != F::None, qPrintable(name + QStringLiteral(" maps to None")));
        QVERIFY2(!taken.contains(int(f)), qPrintable(name + QStringLiteral(" shares its Failure with another kind")));
        taken.insert(int(f));
        QCOMPARE(upperSnake(failures.valueToKey(int(f))), name.mid(prefix.size()));
        QCOMPARE(int(f), s);
    }
    for (int s : cOnly) {
        known = false;
        QCOMPARE(GarminConnectSso::failureForStatus(s, &known), F::InvalidInput);
        QVERIFY2(known, garmin_sso_status_name(uint32_t(s)));
    }
    // The fallback: a status from a newer library.
    known = true;
    QCOMPARE(GarminConnectSso::failureForStatus(9999, &known), F::Internal);
    QVERIFY(!known);
    QCOMPARE(GarminConnectSso::failureForStatus(-1, &known), F::Internal);
    QVERIFY(!known);
}

void TestGarminConnectSso::signInWithMfaCode()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(!garmin->isAuthenticated());
    const qint64 simRequestsBefore = stat(QStringLiteral("requests_total"));

    QSignalSpy mfa(garmin.get(), &GarminConnectSso::mfaRequired);
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    QThread *emittedOn = nullptr;
    connect(garmin.get(), &GarminConnectSso::mfaRequired, this, [&] { emittedOn = QThread::currentThread(); });

    garmin->login(kMfaEmail, kMfaPassword);
    // login() returns at once; the work happens on the wrapper's worker thread.
    QVERIFY(garmin->isBusy());
    QCOMPARE(mfa.count(), 0);
    QVERIFY(mfa.wait(kWaitMs));
    QCOMPARE(emittedOn, QThread::currentThread()); // queued back to the GUI thread
    QCOMPARE(ok.count(), 0);
    QCOMPARE(failed.count(), 0);
    QVERIFY(!garmin->isAuthenticated());
    QVERIFY(storedSession(settingsFile()).isEmpty());

    garmin->submitMfaCode(kMfaCode);
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(failed.count(), 0);
    QVERIFY(garmin->isAuthenticated());
    QVERIFY(!garmin->isBusy());
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::None);

    // The session is in QSettings as the library's JSON export, without the password.
    const QString stored = storedSession(settingsFile());
    QVERIFY(!stored.isEmpty());
    QVERIFY(QJsonDocument::fromJson(stored.toUtf8()).isObject());
    QVERIFY(!stored.contains(kMfaPassword));

    // Every request the simulator saw went through Qt's network stack (the transport callback).
    const qint64 simRequests = stat(QStringLiteral("requests_total")) - simRequestsBefore;
    QVERIFY(simRequests > 0);
    QCOMPARE(qint64(garmin->httpExchangeCount()), simRequests);
}

void TestGarminConnectSso::signInWithoutMfa()
{
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy mfa(garmin.get(), &GarminConnectSso::mfaRequired);
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    QCOMPARE(mfa.count(), 0);
    QVERIFY(!storedSession(settingsFile()).isEmpty());
}

void TestGarminConnectSso::wrongPasswordFails()
{
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    const QString wrong = QStringLiteral("Wrong-Password-1");
    garmin->login(kPlainEmail, wrong);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(ok.count(), 0);
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidCredentials);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY(!message.isEmpty());
    QVERIFY(!message.contains(wrong));
    QVERIFY(!garmin->isAuthenticated());
    QVERIFY(storedSession(settingsFile()).isEmpty());
}

void TestGarminConnectSso::wrongMfaCodeCanBeRetried()
{
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy mfa(garmin.get(), &GarminConnectSso::mfaRequired);
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    garmin->login(kMfaEmail, kMfaPassword);
    QVERIFY(mfa.wait(kWaitMs));

    garmin->submitMfaCode(QStringLiteral("000000"));
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::MfaCodeRejected);
    QVERIFY(!garmin->isAuthenticated());

    // The challenge is still open: the right code completes the same sign-in.
    garmin->submitMfaCode(kMfaCode);
    QVERIFY(ok.wait(kWaitMs));
    QVERIFY(garmin->isAuthenticated());
}

void TestGarminConnectSso::uploadActivityFromMemory()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    const qint64 uploadsBefore = stat(QStringLiteral("uploads"));

    QSignalSpy ok(garmin.get(), &GarminConnectSso::uploadSucceeded);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::uploadFailed);
    garmin->uploadActivity(makeFitFile(1001), QStringLiteral("morning-ride.fit"));
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(stat(QStringLiteral("uploads")), uploadsBefore + 1);
    const QJsonObject result = garmin->lastUploadResult().value(QStringLiteral("detailedImportResult")).toObject();
    QVERIFY(result.value(QStringLiteral("uploadId")).toVariant().toLongLong() > 0);
    QCOMPARE(result.value(QStringLiteral("fileName")).toString(), QStringLiteral("morning-ride.fit"));
    QCOMPARE(result.value(QStringLiteral("successes")).toArray().size(), 1);
}

void TestGarminConnectSso::duplicateUploadIsReported()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    const QByteArray fit = makeFitFile(2002);
    QSignalSpy ok(garmin.get(), &GarminConnectSso::uploadSucceeded);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::uploadFailed);
    garmin->uploadActivity(fit, QStringLiteral("ride.fit"));
    QVERIFY(ok.wait(kWaitMs));

    const qint64 duplicatesBefore = stat(QStringLiteral("duplicate_uploads"));
    garmin->uploadActivity(fit, QStringLiteral("ride.fit"));
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(ok.count(), 1);
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::DuplicateActivity);
    QVERIFY(!failed.at(0).at(0).toString().isEmpty());
    QCOMPARE(stat(QStringLiteral("duplicate_uploads")), duplicatesBefore + 1);
    // A duplicate is not a session problem.
    QVERIFY(garmin->isAuthenticated());
}

void TestGarminConnectSso::uploadFitFileFromPath()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    const QString path = m_dir->filePath(QStringLiteral("evening-run.fit"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(makeFitFile(3003));
    file.close();

    const qint64 uploadsBefore = stat(QStringLiteral("uploads"));
    QSignalSpy ok(garmin.get(), &GarminConnectSso::uploadSucceeded);
    garmin->uploadFitFile(path);
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(stat(QStringLiteral("uploads")), uploadsBefore + 1);
    const QJsonObject result = garmin->lastUploadResult().value(QStringLiteral("detailedImportResult")).toObject();
    QCOMPARE(result.value(QStringLiteral("fileName")).toString(), QStringLiteral("evening-run.fit"));
}

void TestGarminConnectSso::missingFitFileFails()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    const qint64 uploadsBefore = stat(QStringLiteral("uploads"));
    QSignalSpy failed(garmin.get(), &GarminConnectSso::uploadFailed);
    garmin->uploadFitFile(m_dir->filePath(QStringLiteral("no-such.fit")));
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("no-such.fit")));
    QCOMPARE(stat(QStringLiteral("uploads")), uploadsBefore);
}

void TestGarminConnectSso::connectApiRequest()
{
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy failedEarly(garmin.get(), &GarminConnectSso::apiRequestFailed);
    const int early = garmin->apiRequest("GET", QStringLiteral("/userprofile-service/socialProfile"));
    QVERIFY(failedEarly.wait(kWaitMs));
    QCOMPARE(failedEarly.at(0).at(0).toInt(), early);
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::SignInNeeded);

    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    QSignalSpy replied(garmin.get(), &GarminConnectSso::apiReplyReceived);
    const int id = garmin->apiRequest("GET", QStringLiteral("/userprofile-service/socialProfile"));
    QVERIFY(id != early);
    QVERIFY(replied.wait(kWaitMs));
    QCOMPARE(replied.at(0).at(0).toInt(), id);
    QCOMPARE(replied.at(0).at(1).toInt(), 200);
    const QJsonObject profile = QJsonDocument::fromJson(replied.at(0).at(2).toByteArray()).object();
    QVERIFY(!profile.value(QStringLiteral("displayName")).toString().isEmpty());
}

void TestGarminConnectSso::tokensSurviveRestart()
{
    {
        auto first = makeWrapper(settingsFile());
        QVERIFY(signIn(*first, kPlainEmail, kPlainPassword));
    } // the app quits

    const qint64 ticketsBefore = stat(QStringLiteral("tickets_issued"));
    auto restarted = makeWrapper(settingsFile());
    // Restored in the constructor, without any HTTP.
    QVERIFY(restarted->isAuthenticated());
    QCOMPARE(restarted->httpExchangeCount(), quint64(0));

    QSignalSpy ok(restarted.get(), &GarminConnectSso::uploadSucceeded);
    QSignalSpy failed(restarted.get(), &GarminConnectSso::uploadFailed);
    restarted->uploadActivity(makeFitFile(4004), QStringLiteral("after-restart.fit"));
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(failed.count(), 0);
    // No new sign-in happened: the stored tokens were used.
    QCOMPARE(stat(QStringLiteral("tickets_issued")), ticketsBefore);
}

void TestGarminConnectSso::refreshedTokensArePersisted()
{
    {
        auto first = makeWrapper(settingsFile());
        QVERIFY(signIn(*first, kPlainEmail, kPlainPassword));
    }
    const QString before = storedSession(settingsFile());
    QVERIFY(!before.isEmpty());

    // Garmin stops accepting the access token: the next upload must refresh (401 → refresh → retry).
    {
        auto second = makeWrapper(settingsFile());
        QVERIFY(second->isAuthenticated());
        QSignalSpy ok(second.get(), &GarminConnectSso::uploadSucceeded);
        // Expire access tokens on the server side.
        QNetworkAccessManager nam;
        QNetworkRequest expire(QUrl(m_sim.baseUrl() + QStringLiteral("/__sim/expire?what=access")));
        expire.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("text/plain"));
        QNetworkReply *reply = nam.post(expire, QByteArray());
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(kWaitMs));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;

        const qint64 refreshesBefore = stat(QStringLiteral("di_refreshes")) + stat(QStringLiteral("legacy_refreshes"));
        second->uploadActivity(makeFitFile(5005), QStringLiteral("needs-refresh.fit"));
        QVERIFY(ok.wait(kWaitMs));
        QCOMPARE(stat(QStringLiteral("di_refreshes")) + stat(QStringLiteral("legacy_refreshes")), refreshesBefore + 1);
    }
    const QString after = storedSession(settingsFile());
    QVERIFY(!after.isEmpty());
    QVERIFY2(after != before, "the refreshed tokens were not written back to QSettings");

    // A third start uses the refreshed tokens without signing in again.
    const qint64 ticketsBefore = stat(QStringLiteral("tickets_issued"));
    auto third = makeWrapper(settingsFile());
    QSignalSpy ok(third.get(), &GarminConnectSso::uploadSucceeded);
    third->uploadActivity(makeFitFile(5006), QStringLiteral("third-start.fit"));
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(stat(QStringLiteral("tickets_issued")), ticketsBefore);
}

void TestGarminConnectSso::rateLimitOnOneFlowFallsThrough()
{
    QString error;
    QVERIFY2(m_sim.injectFault(QStringLiteral("mobile_login"), QStringLiteral("429"), QStringLiteral("1"), &error),
             qPrintable(error));
    const qint64 faultsBefore = stat(QStringLiteral("faults_injected"));
    auto garmin = makeWrapper(settingsFile());
    // The first flow is throttled; the library moves on to the next one by itself.
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    QCOMPARE(stat(QStringLiteral("faults_injected")), faultsBefore + 1);
}

void TestGarminConnectSso::rateLimitIsReported()
{
    QString error;
    QVERIFY2(m_sim.injectFault(QStringLiteral("any"), QStringLiteral("429"), QStringLiteral("always"), &error,
                                QStringLiteral("retry_after=120")),
             qPrintable(error));
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    garmin->login(kPlainEmail, kPlainPassword);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(ok.count(), 0);
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::RateLimited);
    QCOMPARE(garmin->retryAfterSeconds(), 120);
    QVERIFY(!garmin->isAuthenticated());
}

void TestGarminConnectSso::logoutForgetsTokens()
{
    auto garmin = makeWrapper(settingsFile());
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    QVERIFY(!storedSession(settingsFile()).isEmpty());

    QSignalSpy out(garmin.get(), &GarminConnectSso::loggedOut);
    QSignalSpy changed(garmin.get(), &GarminConnectSso::authenticationChanged);
    garmin->logout();
    QVERIFY(out.wait(kWaitMs));
    QVERIFY(!garmin->isAuthenticated());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toBool(), false);
    QVERIFY(storedSession(settingsFile()).isEmpty());

    QSignalSpy failed(garmin.get(), &GarminConnectSso::uploadFailed);
    garmin->uploadActivity(makeFitFile(6006), QStringLiteral("after-logout.fit"));
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::SignInNeeded);

    // And a restart stays signed out.
    auto restarted = makeWrapper(settingsFile());
    QVERIFY(!restarted->isAuthenticated());
}

void TestGarminConnectSso::webViewTicketSignsIn()
{
    auto garmin = makeWrapper(settingsFile());
    const QUrl page = garmin->webViewSignInUrl();
    QVERIFY2(page.toString().startsWith(m_sim.baseUrl()), qPrintable(page.toString()));

    // What the web view does: show the page, the user submits the form, Garmin navigates to the
    // service URL with the ticket. Redirects are not followed so the navigation can be caught.
    QNetworkAccessManager browser;
    browser.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *shown = browser.get(QNetworkRequest(page));
    QSignalSpy shownDone(shown, &QNetworkReply::finished);
    QVERIFY(shownDone.wait(kWaitMs));
    QCOMPARE(shown->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    delete shown;

    QUrlQuery form;
    form.addQueryItem(QStringLiteral("username"), kPlainEmail);
    form.addQueryItem(QStringLiteral("password"), kPlainPassword);
    QNetworkRequest post(page);
    post.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    QNetworkReply *submitted = browser.post(post, form.toString(QUrl::FullyEncoded).toUtf8());
    QSignalSpy submittedDone(submitted, &QNetworkReply::finished);
    QVERIFY(submittedDone.wait(kWaitMs));
    QCOMPARE(submitted->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 302);
    const QUrl navigation = submitted->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
    delete submitted;
    QVERIFY(GarminConnectSso::isTicketNavigation(navigation));
    QVERIFY(!GarminConnectSso::isTicketNavigation(page));

    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    garmin->signInWithWebViewTicket(navigation.toString(QUrl::FullyEncoded));
    QVERIFY(ok.wait(kWaitMs));
    QVERIFY(garmin->isAuthenticated());
    QVERIFY(!storedSession(settingsFile()).isEmpty());
}

// Partner sign-in (OAuth2 with PKCE): the URL to open, the person allows in the browser, the app
// hands over the redirect; a callback with another state is ignored and the request stays open; the
// session calls a partner API, survives a restart and refreshes with Options::partnerApp.
void TestGarminConnectSso::partnerSignIn()
{
    auto garmin = makeWrapper(settingsFile(), GarminConnectSso::MobileApp::Android, partnerApp());
    const QUrl page = garmin->beginPartnerSignIn(partnerApp());
    QVERIFY2(page.isValid(), qPrintable(garmin->lastError()));
    QVERIFY(page.toString().startsWith(m_sim.baseUrl() + QStringLiteral("/oauth2Confirm?")));
    const QUrlQuery asked(page);
    QCOMPARE(asked.queryItemValue(QStringLiteral("client_id")), kPartnerId);
    QCOMPARE(asked.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
    QVERIFY(!page.toString().contains(kPartnerSecret));
    const QString state = asked.queryItemValue(QStringLiteral("state"));
    QVERIFY(!state.isEmpty());

    const qint64 grantsBefore = stat(QStringLiteral("partner_token_grants"));
    const QUrl callback = consent(page, QStringLiteral("allow"));
    QVERIFY2(callback.toString().startsWith(kPartnerRedirect + '?'), qPrintable(callback.toString()));

    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    QUrl forged(callback);
    QUrlQuery forgedQuery(forged);
    forgedQuery.removeQueryItem(QStringLiteral("state"));
    forgedQuery.addQueryItem(QStringLiteral("state"), QStringLiteral("forged"));
    forged.setQuery(forgedQuery);
    garmin->finishPartnerSignIn(forged);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);
    QVERIFY(!garmin->isAuthenticated());

    garmin->finishPartnerSignIn(callback);
    QVERIFY(ok.wait(kWaitMs));
    QCOMPARE(failed.count(), 1);
    QVERIFY(garmin->isAuthenticated());
    QCOMPARE(stat(QStringLiteral("partner_token_grants")), grantsBefore + 1);
    const QString stored = storedSession(settingsFile());
    QVERIFY(!stored.isEmpty());
    QVERIFY(!stored.contains(kPartnerSecret));

    QSignalSpy replied(garmin.get(), &GarminConnectSso::apiReplyReceived);
    const int id = garmin->apiRequest("GET", QStringLiteral("/wellness-api/rest/user/id"));
    QVERIFY(replied.wait(kWaitMs));
    QCOMPARE(replied.at(0).at(0).toInt(), id);
    QCOMPARE(replied.at(0).at(1).toInt(), 200);
    QVERIFY(!QJsonDocument::fromJson(replied.at(0).at(2).toByteArray()).object().value(QStringLiteral("userId")).toString().isEmpty());

    // The same callback again: the request is over (and the code spent).
    garmin->finishPartnerSignIn(callback);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);
    QVERIFY(garmin->isAuthenticated());
    garmin.reset(); // the app quits

    // A restart restores the partner session; its refresh uses Options::partnerApp's secret.
    auto restarted = makeWrapper(settingsFile(), GarminConnectSso::MobileApp::Android, partnerApp());
    QVERIFY(restarted->isAuthenticated());
    const qint64 refreshesBefore = stat(QStringLiteral("partner_refreshes"));
    QSignalSpy refreshed(restarted.get(), &GarminConnectSso::authenticated);
    restarted->refresh();
    QVERIFY2(refreshed.wait(kWaitMs), qPrintable(restarted->lastError()));
    QCOMPARE(stat(QStringLiteral("partner_refreshes")), refreshesBefore + 1);
    QVERIFY(storedSession(settingsFile()) != stored); // the rotated refresh token was saved
}

// The person declines: AuthorizationDeclined. Also: finishing with nothing begun, and an app the
// library refuses (never with the secret in the message).
void TestGarminConnectSso::partnerSignInDeclined()
{
    auto garmin = makeWrapper(settingsFile());
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QSignalSpy failed(garmin.get(), &GarminConnectSso::authenticationFailed);
    garmin->finishPartnerSignIn(QUrl(kPartnerRedirect + QStringLiteral("?code=abc&state=xyz")));
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);

    GarminConnectSso::PartnerApp bad = partnerApp();
    bad.redirectUri = QStringLiteral("/callback");
    QVERIFY(garmin->beginPartnerSignIn(bad).isEmpty());
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);
    QVERIFY(!garmin->lastError().isEmpty());
    QVERIFY(!garmin->lastError().contains(kPartnerSecret));
    QVERIFY(garmin->beginPartnerSignIn(GarminConnectSso::PartnerApp()).isEmpty());
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::InvalidInput);

    const QUrl page = garmin->beginPartnerSignIn(partnerApp());
    QVERIFY2(page.isValid(), qPrintable(garmin->lastError()));
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::None);
    const QUrl callback = consent(page, QStringLiteral("deny"));
    QCOMPARE(QUrlQuery(callback).queryItemValue(QStringLiteral("error")), QStringLiteral("access_denied"));
    garmin->finishPartnerSignIn(callback);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(ok.count(), 0);
    QCOMPARE(garmin->lastFailure(), GarminConnectSso::Failure::AuthorizationDeclined);
    QVERIFY(garmin->lastError().contains(QLatin1String("access_denied")));
    QVERIFY(!garmin->lastError().contains(kPartnerSecret));
    QVERIFY(!garmin->isAuthenticated());
    QVERIFY(storedSession(settingsFile()).isEmpty());
}

void TestGarminConnectSso::signInAsIosApp()
{
    QString error;
    // The default presents itself as the Android app ...
    {
        auto android = makeWrapper(settingsFile());
        QCOMPARE(QUrlQuery(android->webViewSignInUrl()).queryItemValue(QStringLiteral("clientId")),
                 QStringLiteral("GCM_ANDROID_DARK"));
        QVERIFY2(m_sim.clearRequests(&error), qPrintable(error));
        QVERIFY(signIn(*android, kPlainEmail, kPlainPassword));
        const QList<QUrlQuery> logins = recordedQueries(QStringLiteral("mobile_login"));
        QVERIFY(!logins.isEmpty());
        for (const QUrlQuery &q : logins)
            QCOMPARE(q.queryItemValue(QStringLiteral("clientId")), QStringLiteral("GCM_ANDROID_DARK"));
        QSignalSpy out(android.get(), &GarminConnectSso::loggedOut);
        android->logout();
        QVERIFY(out.wait(kWaitMs));
    }
    // ... Options::mobileApp = Ios as the iOS app: its client id and service URL, in the web-view
    // page and in the mobile sign-in the simulator saw.
    auto garmin = makeWrapper(settingsFile(), GarminConnectSso::MobileApp::Ios);
    const QUrlQuery page(garmin->webViewSignInUrl());
    QCOMPARE(page.queryItemValue(QStringLiteral("clientId")), QStringLiteral("GCM_IOS_DARK"));
    QVERIFY2(m_sim.clearRequests(&error), qPrintable(error));
    QVERIFY(signIn(*garmin, kPlainEmail, kPlainPassword));
    const QList<QUrlQuery> logins = recordedQueries(QStringLiteral("mobile_login"));
    QVERIFY(!logins.isEmpty());
    for (const QUrlQuery &q : logins) {
        QCOMPARE(q.queryItemValue(QStringLiteral("clientId")), QStringLiteral("GCM_IOS_DARK"));
        const QString service = q.queryItemValue(QStringLiteral("service"), QUrl::FullyDecoded);
        QVERIFY2(service.endsWith(QLatin1String("/gcm/ios")), qPrintable(service));
    }
    QVERIFY(!storedSession(settingsFile()).isEmpty());
}

void TestGarminConnectSso::widgetAppSignsInWithMfa()
{
    auto garmin = makeWrapper(settingsFile());
    MainWindow window(garmin.get());
    window.show();
    auto *email = window.findChild<QLineEdit *>(QStringLiteral("email"));
    auto *password = window.findChild<QLineEdit *>(QStringLiteral("password"));
    auto *code = window.findChild<QLineEdit *>(QStringLiteral("mfaCode"));
    auto *signInButton = window.findChild<QPushButton *>(QStringLiteral("signIn"));
    auto *submit = window.findChild<QPushButton *>(QStringLiteral("submitCode"));
    auto *upload = window.findChild<QPushButton *>(QStringLiteral("upload"));
    QVERIFY(email && password && code && signInButton && submit && upload);
    QVERIFY(!upload->isEnabled());
    QVERIFY(!code->isEnabled());

    QSignalSpy mfa(garmin.get(), &GarminConnectSso::mfaRequired);
    QSignalSpy ok(garmin.get(), &GarminConnectSso::authenticated);
    QTest::keyClicks(email, kMfaEmail);
    QTest::keyClicks(password, kMfaPassword);
    QTest::mouseClick(signInButton, Qt::LeftButton);
    QVERIFY(mfa.wait(kWaitMs));
    QVERIFY(code->isEnabled());
    QVERIFY(window.statusText().contains(QLatin1String("code")));

    QTest::keyClicks(code, kMfaCode);
    QTest::mouseClick(submit, Qt::LeftButton);
    QVERIFY(ok.wait(kWaitMs));
    QVERIFY(upload->isEnabled());
    QVERIFY(password->text().isEmpty());
    QCOMPARE(window.statusText(), QStringLiteral("Signed in to Garmin Connect."));
}

void TestGarminConnectSso::noSecretsInLogsOrErrors()
{
    QVERIFY2(!m_secrets.isEmpty(), "earlier tests stored no tokens to look for");
    QStringList secrets = m_secrets;
    secrets << kMfaPassword << kPlainPassword << QStringLiteral("Wrong-Password-1") << kPartnerSecret;
    QMutexLocker lock(&gLogMutex);
    QVERIFY(!gLog.isEmpty());
    for (const QString &line : std::as_const(gLog)) {
        for (const QString &secret : std::as_const(secrets))
            QVERIFY2(!line.contains(secret), "a secret appeared in the log output");
        QVERIFY2(!line.contains(QLatin1String("ticket=ST-")), "a service ticket appeared in the log output");
    }
}

QTEST_MAIN(TestGarminConnectSso)
#include "tst_garminconnect_sso.moc"
