// GarminConnectSso: Garmin Connect sign-in and FIT upload for Qt apps, on top of libgarmin_sso.
//
// Same signals and method names as QDomyos-Zwift's GarminConnect, so the app keeps its connections.
// Every call returns at once; the library's blocking work runs, in call order, on a private worker
// thread, and each outcome arrives as a queued signal on the thread that owns this object (normally the GUI thread).
// All HTTP goes through QNetworkAccessManager (see qt_http_transport.h). The session (tokens) is
// saved to QSettings as the library's JSON export after each change and restored on construction,
// so isAuthenticated() is true right after an app restart.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

class GarminConnectSsoPrivate;

class GarminConnectSso : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool authenticated READ isAuthenticated NOTIFY authenticationChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString domain READ domain WRITE setDomain)

public:
    // Why the last operation failed: the library's error kinds (the core's ErrorKind, the C ABI's
    // garmin_sso_status), one value each and with the same number, so code that reacts to a kind
    // reads the same in every language. The comment says what to do.
    enum class Failure {
        None = 0,
        InvalidCredentials = 1,   // ask for email and password again
        MfaRequired = 2,          // a code is needed and this call could not ask for one; login() again
        MfaCodeRejected = 3,      // wrong code; submitMfaCode() again, the challenge is still open
        MfaChallengeEnded = 4,    // the challenge is over (expired, used, too many tries); login() again
        RateLimited = 5,          // wait (retryAfterSeconds() when Garmin said how long), or try MobileApp::Ios
        Blocked = 6,              // a bot wall (Cloudflare challenge, CAPTCHA): use the web-view sign-in
        AccountUnusable = 7,      // locked or child account: the person must fix it at Garmin
        SignInNeeded = 8,         // no session, or it can no longer be refreshed: login() again
        Network = 9,              // no HTTP answer (connect, TLS, I/O): retry later
        Timeout = 10,             // the exchange took longer than Options::timeoutMs: retry later
        DuplicateActivity = 11,   // Garmin already has this activity (409): treat the upload as done
        Storage = 12,             // the session could not be stored
        InvalidInput = 13,        // e.g. the FIT file cannot be read, an empty MFA code, bad options
        UnexpectedResponse = 14,  // Garmin answered in a way this library does not understand: retry later
        Internal = 15,            // a bug in the library, or a status this wrapper does not know
        AuthorizationDeclined = 16 // the person declined the partner app on Garmin's consent page
    };
    Q_ENUM(Failure)

    // Which of Garmin's phone apps the mobile sign-in and the web-view sign-in present themselves as
    // (the core's MobileApp). Garmin rate-limits per app and account, so Ios can get past a limit
    // the Android app met.
    enum class MobileApp {
        Android = 0, // Garmin Connect Mobile for Android (GCM_ANDROID_DARK), the default
        Ios = 1      // Garmin Connect Mobile for iOS (GCM_IOS_DARK)
    };
    Q_ENUM(MobileApp)

    // How much of the library's log reaches Qt's "garmin.sso" logging category (the library never
    // logs a secret). Process-wide; the default is Info.
    enum class LogLevel {
        Off = 0,
        Error = 1,
        Warn = 2,
        Info = 3,
        Debug = 4,
        Trace = 5
    };
    Q_ENUM(LogLevel)

    // An app in Garmin's Connect Developer Program, for the partner sign-in (OAuth2 with PKCE,
    // docs/partner.md): the person signs in and approves the app on Garmin's page in a browser, and
    // the app never sees the password. The secret is sent only to Garmin's token endpoint; the
    // wrapper never logs it and never writes it to QSettings.
    struct PartnerApp
    {
        QString clientId;     // as the developer portal issued it; empty: no partner app
        QString clientSecret;
        // Exactly as registered. A loopback http://127.0.0.1:PORT/… lets a desktop app catch the
        // redirect itself (RFC 8252); a web view can catch the navigation to it.
        QString redirectUri;
        QString scope;        // space-separated; empty leaves the choice to the person
    };

    struct Options
    {
        // Where the session is kept. Empty: the application's default QSettings(), like QDomyos-Zwift.
        QString settingsFile;
        QString settingsKey = QStringLiteral("garmin_sso/session");
        // "garmin.com" or "garmin.cn".
        QString domain = QStringLiteral("garmin.com");
        // Every Garmin host at one base URL (the simulator, a test proxy). Empty: Garmin itself.
        QString baseUrl;
        int timeoutMs = 30000;
        MobileApp mobileApp = MobileApp::Android;
        // The partner app whose secret refreshes partner tokens. Set it (the same app as
        // beginPartnerSignIn()'s) when a partner session restored from QSettings must refresh.
        PartnerApp partnerApp;
    };

    explicit GarminConnectSso(QObject *parent = nullptr);
    explicit GarminConnectSso(const Options &options, QObject *parent = nullptr);
    // Cancels the HTTP exchange in flight and waits for the worker; no signal is emitted afterwards.
    ~GarminConnectSso() override;

    // True while a session (restored or new) is held that has not been found unusable. The library
    // refreshes an expired access token by itself before an upload, so this does not go false merely
    // because an access token aged.
    bool isAuthenticated() const;
    bool isBusy() const;
    QString lastError() const;
    Failure lastFailure() const;
    // Seconds Garmin asked to wait after a rate limit, or -1.
    int retryAfterSeconds() const;
    QString domain() const;
    // Garmin's JSON answer to the last successful upload (detailedImportResult.uploadId, …).
    QJsonObject lastUploadResult() const;
    // How many HTTP exchanges went through Qt's network stack (diagnostics and tests).
    quint64 httpExchangeCount() const;
    // When the session's access token expires, in Unix seconds, as of the last call that used the
    // session (restore, sign-in, refresh, upload, API request); 0 without a session. Lets an app
    // decide whether a refresh is due without any HTTP.
    qint64 accessTokenExpiresAt() const;
    // Process-wide: sets how much of the library's log is forwarded (see LogLevel).
    static void setLogLevel(LogLevel level);

    // The page a web view opens for the web-view sign-in (README: "Web-view sign-in").
    QUrl webViewSignInUrl() const;
    // True for the navigation the web view makes at the end of sign-in (service URL with ticket=ST-…).
    static bool isTicketNavigation(const QUrl &url);
    // Partner sign-in, step 1: starts an authorization request for `app` and returns the consent
    // page to open in the person's browser (or a web view). Nothing is sent; the request's PKCE
    // verifier and state stay in this object until finishPartnerSignIn(), and a new call replaces
    // them. The URL carries the state: open it, do not log it. An empty QUrl when `app` is refused
    // (lastFailure() and lastError() say why).
    QUrl beginPartnerSignIn(const PartnerApp &app);
    // The Failure for a garmin_sso_status (NULL_ARGUMENT and INVALID_UTF8 are InvalidInput). A
    // status this wrapper does not know (a newer library) is Internal, with *known set to false.
    static Failure failureForStatus(int status, bool *known = nullptr);

public slots:
    // Emits authenticated(), mfaRequired() (then call submitMfaCode()) or authenticationFailed().
    void login(const QString &email, const QString &password);
    void submitMfaCode(const QString &code);
    // Web-view sign-in: hands the intercepted service URL (or the bare ST-… ticket) to the library.
    void signInWithWebViewTicket(const QString &urlOrTicket);
    // Partner sign-in, step 2: `callback` is the URL Garmin sent the browser to (the redirect URI
    // with code and state, or error). Emits authenticated() with a session over partner tokens
    // (it calls the partner APIs, e.g. apiRequest("GET", "/wellness-api/rest/user/id")), or
    // authenticationFailed() with lastFailure(): AuthorizationDeclined when the person declined;
    // InvalidInput when the callback is not this request's (another state: keep waiting, the
    // request stays open) or none was begun; SignInNeeded when Garmin refused the code (begin again).
    void finishPartnerSignIn(const QUrl &callback);
    // Emits uploadSucceeded() or uploadFailed(). Refreshes tokens first when needed.
    void uploadFitFile(const QString &fitFilePath);
    void uploadActivity(const QByteArray &fitData, const QString &fileName);
    // QDomyos-Zwift's tryRefreshToken(): emits authenticated() or authenticationFailed().
    void refresh();
    // A Connect API call with the session's token (refreshed when needed), e.g.
    // apiRequest("GET", "/biometric-service/biometric/powerToWeight/latest/2026-05-01").
    // `path` may carry a query. Returns an id that apiReplyReceived()/apiRequestFailed() echo.
    int apiRequest(const QByteArray &method, const QString &path, const QByteArray &body = QByteArray(),
                   const QByteArray &contentType = QByteArray());
    // Forgets the session here and in QSettings; emits loggedOut().
    void logout();
    // "garmin.com" or "garmin.cn"; applies to the next login().
    void setDomain(const QString &domain);

signals:
    void authenticated();
    void authenticationFailed(const QString &error);
    void mfaRequired();
    void uploadSucceeded();
    void uploadFailed(const QString &error);
    void loggedOut();
    // Any HTTP status arrives here; apiRequestFailed() means no answer (network, sign-in needed).
    void apiReplyReceived(int requestId, int httpStatus, const QByteArray &body);
    void apiRequestFailed(int requestId, const QString &error);
    void authenticationChanged(bool authenticated);
    void busyChanged(bool busy);

private:
    friend class GarminConnectSsoPrivate;
    std::unique_ptr<GarminConnectSsoPrivate> d;
};
