// GarminWebSignIn in a real QtWebEngine, offscreen, against `garmin-sso simulate`: the test fills
// the simulator's sign-in form with JavaScript, the component catches the navigation to the service
// URL before it loads, and the wrapper signs in with the ticket.
#include "garmin_web_sign_in.h"
#include "garminconnect_sso.h"
#include "simulator.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWebEnginePage>
#include <QtTest>

#include <memory>
#include <vector>
#include <unistd.h>

namespace {
const QString kEmail = QStringLiteral("web@example.com");
const QString kPassword = QStringLiteral("web-pass-123");
const QString kMfaEmail = QStringLiteral("webmfa@example.com");
const QString kMfaPassword = QStringLiteral("web-mfa-pass-456");
const QString kMfaCode = QStringLiteral("246810");
constexpr int kWaitMs = 30000;

QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previous = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log << message;
    }
    if (g_previous)
        g_previous(type, context, message);
}

QStringList capturedLog()
{
    QMutexLocker lock(&g_logMutex);
    return g_log;
}

// Fills whatever form the simulator's page shows (credentials or MFA code) and submits it.
QString fillScript(const QString &email, const QString &password, const QString &code)
{
    auto js = [](const QString &s) { return QString::fromUtf8(QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact)) + QStringLiteral("[0]"); };
    return QStringLiteral("(() => {"
                          "  const f = document.getElementById('sim-login-form');"
                          "  if (!f) return 'no-form';"
                          "  const code = document.getElementById('mfa-code');"
                          "  if (code) { code.value = %3; f.submit(); return 'mfa'; }"
                          "  document.getElementById('email').value = %1;"
                          "  document.getElementById('password').value = %2;"
                          "  f.submit();"
                          "  return 'credentials';"
                          "})()")
        .arg(js(email), js(password), js(code));
}
} // namespace

class TestGarminWebSignIn : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void signsInAndNeverLoadsServiceUrl();
    void signsInWithMfaCode();
    void noTicketInLog();

private:
    // Runs a web sign-in; `forms` is how many forms the test submits (1, or 2 with MFA).
    void webSignIn(const QString &email, const QString &password, const QString &code, int forms);

    Simulator m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestGarminWebSignIn::initTestCase()
{
    QString error;
    QVERIFY2(m_sim.start({kEmail + ':' + kPassword, kMfaEmail + ':' + kMfaPassword + ':' + kMfaCode}, &error),
             qPrintable(error));
    GarminConnectSso::setLogLevel(GarminConnectSso::LogLevel::Debug);
    // Here, not in main(): QTest::qExec installs its own handler, which this one forwards to.
    g_previous = qInstallMessageHandler(captureMessage);
}

void TestGarminWebSignIn::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QString error;
    QVERIFY2(m_sim.clearRequests(&error), qPrintable(error));
}

void TestGarminWebSignIn::webSignIn(const QString &email, const QString &password, const QString &code, int forms)
{
    GarminConnectSso::Options options;
    options.settingsFile = m_dir->filePath(QStringLiteral("settings.ini"));
    options.baseUrl = m_sim.baseUrl();
    options.timeoutMs = 15000;
    GarminConnectSso garmin(options);
    QVERIFY(!garmin.isAuthenticated());

    GarminWebSignIn view(&garmin);
    view.resize(480, 720);
    view.show();
    QSignalSpy loaded(&view, &QWebEngineView::loadFinished);
    QSignalSpy ticket(&view, &GarminWebSignIn::ticketReceived);
    QSignalSpy done(&view, &GarminWebSignIn::done);
    QSignalSpy failed(&view, &GarminWebSignIn::failed);
    QSignalSpy authenticated(&garmin, &GarminConnectSso::authenticated);
    // Every URL the view committed to: the service URL must never be one of them.
    QSignalSpy shownSpy(&view, &QWebEngineView::urlChanged);

    view.start();
    for (int i = 0; i < forms; ++i) {
        QVERIFY2(loaded.wait(kWaitMs), "the sign-in page did not load");
        QVERIFY2(loaded.last().at(0).toBool(), qPrintable(view.url().host()));
        QString what;
        bool answered = false;
        view.page()->runJavaScript(fillScript(email, password, code), [&](const QVariant &v) {
            what = v.toString();
            answered = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(answered, kWaitMs);
        QCOMPARE(what, i == 0 ? QStringLiteral("credentials") : QStringLiteral("mfa"));
    }

    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() || !failed.isEmpty(), kWaitMs);
    QVERIFY2(failed.isEmpty(), qPrintable(garmin.lastError()));
    QCOMPARE(ticket.count(), 1);
    QVERIFY(failed.isEmpty());
    QCOMPARE(authenticated.count(), 1);
    QVERIFY(garmin.isAuthenticated());
    QVERIFY(view.ticketCaught());
    // The last form's navigation has ended (refused, so it failed) before the URLs are looked at: a
    // service URL that was let through would have committed by now (as an error page: its host
    // does not resolve here).
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() > forms, kWaitMs);
    for (const QList<QVariant> &u : qAsConst(shownSpy))
        QVERIFY2(!GarminConnectSso::isTicketNavigation(u.at(0).toUrl()), "the view committed to the service URL");
    QVERIFY(!GarminConnectSso::isTicketNavigation(view.url()));

    // The simulator saw the page and the form posts, and never a request for the service URL.
    QString error;
    const QJsonArray requests = m_sim.requests(&error).array();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    int posts = 0;
    QStringList paths;
    for (const QJsonValue &r : requests) {
        const QJsonObject o = r.toObject();
        const QString path = o.value(QStringLiteral("path")).toString();
        paths << o.value(QStringLiteral("method")).toString() + ' ' + path;
        QVERIFY2(!path.contains(QLatin1String("/gcm/")), qPrintable(path));
        if (o.value(QStringLiteral("method")).toString() == QLatin1String("POST") && path.endsWith(QLatin1String("/sign-in")))
            ++posts;
    }
    QVERIFY2(posts == forms, qPrintable(paths.join(QStringLiteral(", "))));
}

void TestGarminWebSignIn::signsInAndNeverLoadsServiceUrl()
{
    webSignIn(kEmail, kPassword, QString(), 1);
}

void TestGarminWebSignIn::signsInWithMfaCode()
{
    webSignIn(kMfaEmail, kMfaPassword, kMfaCode, 2);
}

void TestGarminWebSignIn::noTicketInLog()
{
    const QStringList log = capturedLog();
    QVERIFY2(log.join('\n').contains(QLatin1String("caught the service-URL navigation")), "the catch was not logged");
    for (const QString &line : log) {
        QVERIFY2(!line.contains(QLatin1String("ST-")), qPrintable(line.left(200)));
        QVERIFY2(!line.contains(QLatin1String("ticket="), Qt::CaseInsensitive), qPrintable(line.left(200)));
        QVERIFY2(!line.contains(kPassword) && !line.contains(kMfaPassword), "a password was logged");
    }
}

int main(int argc, char **argv)
{
    // Chromium's own settings, read when QtWebEngine starts: before the application object.
    // Root cannot use Chromium's sandbox; no GPU offscreen; every host but the simulator's loopback
    // unresolvable, so a service URL that did load would fail here rather than reach Garmin.
    if (geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
    flags += " --disable-gpu --disable-background-networking --no-first-run";
    qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags.trimmed());
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // No OpenGL offscreen (and none needed): QtWebEngine composites through Qt Quick's software
    // backend; Chromium itself runs with --disable-gpu.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND"))
        qputenv("QT_QUICK_BACKEND", "software");
    // QtWebEngine also reads Chromium switches from the application's arguments; this one holds
    // spaces, which QTWEBENGINE_CHROMIUM_FLAGS (split on spaces) cannot carry. QtTest gets argv as is.
    QByteArray resolverRules("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
    std::vector<char *> appArgv(argv, argv + argc);
    appArgv.push_back(resolverRules.data());
    appArgv.push_back(nullptr);
    int appArgc = argc + 1;
    QApplication app(appArgc, appArgv.data());
    TestGarminWebSignIn test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_garmin_web_sign_in.moc"
