#include "garminconnect_sso.h"

#include "qt_http_transport.h"

#include <garmin_sso.h>

#include <QDebug>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QRunnable>
#include <QSettings>
#include <QThreadPool>
#include <QUrlQuery>

#include <atomic>
#include <climits>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

Q_LOGGING_CATEGORY(lcGarminSso, "garmin.sso")

namespace {

using garmin_sso_qt::HttpExchange;
using garmin_sso_qt::HttpResult;
using garmin_sso_qt::QtHttpTransport;
using Failure = GarminConnectSso::Failure;

// Strings the library hands out are freed by the library.
struct LibString
{
    char *p = nullptr;
    ~LibString() { garmin_sso_string_free(p); }
    QString text() const { return p ? QString::fromUtf8(p) : QString(); }
    QByteArray bytes() const { return p ? QByteArray(p) : QByteArray(); }
};

// One outcome of a library call, captured on the worker thread (the error text is per thread).
struct Outcome
{
    bool ok = true;
    Failure failure = Failure::None;
    QString message;
    int retryAfter = -1;

    static Outcome success() { return {}; }
    static Outcome failed(Failure f, const QString &message) { return {false, f, message, -1}; }
};

// Reads the calling thread's last error right after a failed call.
Outcome outcomeOf(uint32_t status)
{
    if (status == GARMIN_SSO_STATUS_OK)
        return Outcome::success();
    Outcome o;
    o.ok = false;
    o.failure = GarminConnectSso::failureForStatus(int(status));
    o.message = QString::fromUtf8(garmin_sso_last_error_message());
    o.retryAfter = int(garmin_sso_last_error_retry_after_seconds());
    if (o.message.isEmpty())
        o.message = QString::fromLatin1(garmin_sso_status_name(status));
    return o;
}

uint32_t transportResultOf(HttpResult::Failure f)
{
    switch (f) {
    case HttpResult::Failure::Connect:
        return GARMIN_SSO_TRANSPORT_RESULT_CONNECT;
    case HttpResult::Failure::Timeout:
        return GARMIN_SSO_TRANSPORT_RESULT_TIMEOUT;
    case HttpResult::Failure::Tls:
        return GARMIN_SSO_TRANSPORT_RESULT_TLS;
    case HttpResult::Failure::Io:
        return GARMIN_SSO_TRANSPORT_RESULT_IO;
    default:
        return GARMIN_SSO_TRANSPORT_RESULT_OTHER;
    }
}

uint32_t mobileAppOf(GarminConnectSso::MobileApp app)
{
    switch (app) {
    case GarminConnectSso::MobileApp::Ios:
        return GARMIN_SSO_MOBILE_APP_IOS;
    case GarminConnectSso::MobileApp::Android:
        break;
    }
    return GARMIN_SSO_MOBILE_APP_ANDROID;
}

std::atomic<uint32_t> gLogLevel{GARMIN_SSO_LOG_LEVEL_INFO};

void forwardLog(void *, uint32_t level, const char *message)
{
    // The library promises its messages carry no secrets.
    const QString text = QString::fromUtf8(message);
    switch (level) {
    case GARMIN_SSO_LOG_LEVEL_ERROR:
        qCCritical(lcGarminSso).noquote() << text;
        break;
    case GARMIN_SSO_LOG_LEVEL_WARN:
        qCWarning(lcGarminSso).noquote() << text;
        break;
    case GARMIN_SSO_LOG_LEVEL_INFO:
        qCInfo(lcGarminSso).noquote() << text;
        break;
    default:
        qCDebug(lcGarminSso).noquote() << text;
        break;
    }
}

} // namespace

class GarminConnectSsoPrivate
{
public:
    GarminConnectSsoPrivate(GarminConnectSso *q, const GarminConnectSso::Options &options)
        : q(q)
        , options(options)
        , domain(options.domain)
    {
        // One thread: calls run in the order the app made them, and the session, the pending MFA
        // challenge and the client are only ever touched there (or before/after it runs).
        pool.setMaxThreadCount(1);
        pool.setExpiryTimeout(-1);
    }

    ~GarminConnectSsoPrivate()
    {
        garmin_sso_partner_authorization_free(partnerAuth);
        garmin_sso_pending_mfa_free(pending);
        garmin_sso_session_free(session);
        garmin_sso_client_free(client);
    }

    std::unique_ptr<QSettings> openSettings() const
    {
        if (options.settingsFile.isEmpty())
            return std::make_unique<QSettings>();
        return std::make_unique<QSettings>(options.settingsFile, QSettings::IniFormat);
    }
    QString domainKey() const { return options.settingsKey + QStringLiteral("_domain"); }

    // --- Any thread ---------------------------------------------------------------------------

    static uint32_t transport(void *userData, const garmin_sso_transport_request *req,
                              garmin_sso_transport_response *resp) noexcept;
    static void refreshed(void *userData, const char *tokensJson) noexcept;
    // A config with the app's options (domain, base URL, timeout, mobile app), `partner` (when it
    // has a client id) and no transport.
    Outcome newConfig(const QString &wantedDomain, const GarminConnectSso::PartnerApp &partner,
                      garmin_sso_config **out) const;
    // Swaps the open partner authorization request with `auth` and returns the one it replaces.
    garmin_sso_partner_authorization *swapPartnerAuth(garmin_sso_partner_authorization *auth);

    // --- Worker thread only -------------------------------------------------------------------

    // (Re)creates the client when none exists or the domain changed.
    Outcome ensureClient(const QString &wantedDomain);
    // Replaces the session and returns its JSON export for QSettings.
    Outcome adoptSession(garmin_sso_session *fresh, QByteArray *json);
    Outcome uploadWith(const std::function<uint32_t(garmin_sso_upload_result **)> &call, QJsonObject *answer);
    // Reads the session's access-token expiry (after a call: never from inside the refresh callback).
    void noteExpiry();

    // --- GUI thread (the thread owning q) -----------------------------------------------------

    void enqueue(std::function<void()> work);
    // Posts `done` to q's thread; it runs only while q exists.
    void deliver(std::function<void()> done);
    void finishJob();
    void record(const Outcome &o);
    // Ends a sign-in job: stores the session and announces the outcome.
    void finishSignIn(const Outcome &o, const QByteArray &sessionJson);
    void finishUpload(const Outcome &o, const QJsonObject &answer);
    void setAuthenticated(bool value);
    void saveSession(const QByteArray &json);
    void forgetSession();

    GarminConnectSso *q;
    GarminConnectSso::Options options;
    QThreadPool pool;
    garmin_sso_qt::TransportCancel cancel;
    std::atomic<quint64> exchanges{0};
    std::atomic<qint64> expiresAt{0};

    // Worker-owned library handles.
    garmin_sso_client *client = nullptr;
    QString clientDomain;
    garmin_sso_session *session = nullptr;
    garmin_sso_pending_mfa *pending = nullptr;

    // The open partner authorization request: made on q's thread by beginPartnerSignIn(), taken by
    // the worker's finish job, hence the mutex. Whoever takes it out owns it.
    std::mutex partnerMutex;
    garmin_sso_partner_authorization *partnerAuth = nullptr;

    // GUI-thread state.
    QString domain;
    bool authenticated = false;
    int jobs = 0;
    QString lastError;
    Failure lastFailure = Failure::None;
    int retryAfter = -1;
    QJsonObject lastUpload;
    int nextRequestId = 1;
};

uint32_t GarminConnectSsoPrivate::transport(void *userData, const garmin_sso_transport_request *req,
                                            garmin_sso_transport_response *resp) noexcept
{
    auto *d = static_cast<GarminConnectSsoPrivate *>(userData);
    try {
        HttpExchange ex;
        ex.method = QByteArray(req->method);
        ex.url = QByteArray(req->url);
        for (size_t i = 0; i < req->header_count; ++i)
            ex.headers.append({QByteArray(req->headers[i].name), QByteArray(req->headers[i].value)});
        if (req->body && req->body_len > 0)
            ex.body = QByteArray(reinterpret_cast<const char *>(req->body), int(req->body_len));
        ex.timeoutMs = req->timeout_ms > uint64_t(INT_MAX) ? INT_MAX : int(req->timeout_ms);
        ex.maxResponseBytes = qint64(req->max_response_bytes);

        d->exchanges.fetch_add(1);
        const HttpResult r = QtHttpTransport::perform(ex, &d->cancel);
        if (!r.ok) {
            garmin_sso_transport_response_set_error_message(resp, r.message.toUtf8().constData());
            return transportResultOf(r.failure);
        }
        if (garmin_sso_transport_response_set_status(resp, uint16_t(r.status)) != GARMIN_SSO_STATUS_OK)
            return GARMIN_SSO_TRANSPORT_RESULT_OTHER;
        for (const auto &h : r.headers)
            garmin_sso_transport_response_add_header(resp, h.first.constData(), h.second.constData());
        if (!r.body.isEmpty()
            && garmin_sso_transport_response_append_body(resp, reinterpret_cast<const uint8_t *>(r.body.constData()),
                                                         size_t(r.body.size()))
                   != GARMIN_SSO_STATUS_OK) {
            garmin_sso_transport_response_set_error_message(
                resp, "the response body is larger than the library accepts (max_response_bytes)");
            return GARMIN_SSO_TRANSPORT_RESULT_IO;
        }
        return GARMIN_SSO_TRANSPORT_RESULT_OK;
    } catch (...) {
        // Nothing may unwind into the library.
        garmin_sso_transport_response_set_error_message(resp, "the Qt transport failed unexpectedly");
        return GARMIN_SSO_TRANSPORT_RESULT_OTHER;
    }
}

void GarminConnectSsoPrivate::refreshed(void *userData, const char *tokensJson) noexcept
{
    // DI refresh tokens rotate: the new export must reach QSettings or the next start signs out.
    auto *d = static_cast<GarminConnectSsoPrivate *>(userData);
    try {
        const QByteArray json(tokensJson);
        d->deliver([d, json] { d->saveSession(json); });
    } catch (...) {
    }
}

Outcome GarminConnectSsoPrivate::newConfig(const QString &wantedDomain, const GarminConnectSso::PartnerApp &partner,
                                           garmin_sso_config **out) const
{
    garmin_sso_config *config = nullptr;
    uint32_t st = garmin_sso_config_new(wantedDomain.toUtf8().constData(), &config);
    if (st == GARMIN_SSO_STATUS_OK && !options.baseUrl.isEmpty())
        st = garmin_sso_config_set_base_url(config, options.baseUrl.toUtf8().constData());
    if (st == GARMIN_SSO_STATUS_OK && options.timeoutMs > 0)
        st = garmin_sso_config_set_timeout_ms(config, uint64_t(options.timeoutMs));
    if (st == GARMIN_SSO_STATUS_OK)
        st = garmin_sso_config_set_mobile_app(config, mobileAppOf(options.mobileApp));
    if (st == GARMIN_SSO_STATUS_OK && !partner.clientId.isEmpty()) {
        QByteArray secret = partner.clientSecret.toUtf8();
        const QByteArray scope = partner.scope.trimmed().toUtf8();
        st = garmin_sso_config_set_partner(config, partner.clientId.toUtf8().constData(), secret.constData(),
                                           partner.redirectUri.toUtf8().constData(),
                                           scope.isEmpty() ? nullptr : scope.constData());
        secret.fill('\0'); // the config keeps its own copy
    }
    const Outcome o = outcomeOf(st); // before anything else can touch this thread's last error
    if (!o.ok) {
        garmin_sso_config_free(config);
        config = nullptr;
    }
    *out = config;
    return o;
}

Outcome GarminConnectSsoPrivate::ensureClient(const QString &wantedDomain)
{
    if (client && clientDomain == wantedDomain)
        return Outcome::success();
    garmin_sso_config *config = nullptr;
    Outcome o = newConfig(wantedDomain, options.partnerApp, &config);
    garmin_sso_client *fresh = nullptr;
    if (o.ok)
        o = outcomeOf(garmin_sso_config_set_transport(config, &GarminConnectSsoPrivate::transport, this));
    if (o.ok)
        o = outcomeOf(garmin_sso_client_new(config, &fresh));
    garmin_sso_config_free(config);
    if (!o.ok)
        return o;
    garmin_sso_client_free(client);
    client = fresh;
    clientDomain = wantedDomain;
    return o;
}

garmin_sso_partner_authorization *GarminConnectSsoPrivate::swapPartnerAuth(garmin_sso_partner_authorization *auth)
{
    std::lock_guard<std::mutex> lock(partnerMutex);
    std::swap(partnerAuth, auth);
    return auth;
}

void GarminConnectSsoPrivate::noteExpiry()
{
    int64_t at = 0;
    if (!session || garmin_sso_session_expires_at(session, &at) != GARMIN_SSO_STATUS_OK)
        at = 0;
    expiresAt.store(qint64(at));
}

Outcome GarminConnectSsoPrivate::adoptSession(garmin_sso_session *fresh, QByteArray *json)
{
    garmin_sso_session_free(session);
    session = fresh;
    garmin_sso_session_set_refresh_callback(session, &GarminConnectSsoPrivate::refreshed, this);
    noteExpiry();
    LibString exported;
    const Outcome o = outcomeOf(garmin_sso_session_to_json(session, &exported.p));
    if (o.ok)
        *json = exported.bytes();
    return o;
}

Outcome GarminConnectSsoPrivate::uploadWith(const std::function<uint32_t(garmin_sso_upload_result **)> &call,
                                            QJsonObject *answer)
{
    if (!session)
        return Outcome::failed(Failure::SignInNeeded, QStringLiteral("not signed in to Garmin Connect; sign in first"));
    garmin_sso_upload_result *result = nullptr;
    const Outcome o = outcomeOf(call(&result));
    noteExpiry(); // the upload may have refreshed the tokens first
    if (o.ok) {
        const char *json = nullptr;
        if (garmin_sso_upload_result_json(result, &json) == GARMIN_SSO_STATUS_OK && json)
            *answer = QJsonDocument::fromJson(QByteArray(json)).object();
    }
    garmin_sso_upload_result_free(result);
    return o;
}

void GarminConnectSsoPrivate::enqueue(std::function<void()> work)
{
    if (jobs++ == 0)
        emit q->busyChanged(true);
    pool.start(QRunnable::create(std::move(work)));
}

void GarminConnectSsoPrivate::deliver(std::function<void()> done)
{
    // Queued to q's thread; Qt drops the call if q is gone by then.
    QMetaObject::invokeMethod(q, std::move(done), Qt::QueuedConnection);
}

void GarminConnectSsoPrivate::finishJob()
{
    if (--jobs == 0)
        emit q->busyChanged(false);
}

void GarminConnectSsoPrivate::finishSignIn(const Outcome &o, const QByteArray &sessionJson)
{
    record(o);
    finishJob();
    if (!o.ok) {
        emit q->authenticationFailed(o.message);
        return;
    }
    saveSession(sessionJson);
    setAuthenticated(true);
    emit q->authenticated();
}

void GarminConnectSsoPrivate::finishUpload(const Outcome &o, const QJsonObject &answer)
{
    record(o);
    finishJob();
    if (o.failure == Failure::SignInNeeded)
        setAuthenticated(false);
    if (!o.ok) {
        emit q->uploadFailed(o.message);
        return;
    }
    lastUpload = answer;
    emit q->uploadSucceeded();
}

void GarminConnectSsoPrivate::record(const Outcome &o)
{
    lastFailure = o.failure;
    lastError = o.message;
    retryAfter = o.retryAfter;
}

void GarminConnectSsoPrivate::setAuthenticated(bool value)
{
    if (authenticated == value)
        return;
    authenticated = value;
    emit q->authenticationChanged(value);
}

void GarminConnectSsoPrivate::saveSession(const QByteArray &json)
{
    auto settings = openSettings();
    settings->setValue(options.settingsKey, QString::fromUtf8(json));
    settings->setValue(domainKey(), domain);
    settings->sync();
}

void GarminConnectSsoPrivate::forgetSession()
{
    auto settings = openSettings();
    settings->remove(options.settingsKey);
    settings->remove(domainKey());
    settings->sync();
}

// --- GarminConnectSso ------------------------------------------------------------------------

GarminConnectSso::GarminConnectSso(QObject *parent)
    : GarminConnectSso(Options(), parent)
{
}

GarminConnectSso::GarminConnectSso(const Options &options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<GarminConnectSsoPrivate>(this, options))
{
    static std::once_flag logOnce;
    std::call_once(logOnce, [] { garmin_sso_set_log_callback(&forwardLog, nullptr, gLogLevel.load()); });

    // Restoring is parsing only (no HTTP), so it happens here and isAuthenticated() is right at once.
    auto settings = d->openSettings();
    const QByteArray json = settings->value(options.settingsKey).toString().toUtf8();
    d->domain = settings->value(d->domainKey(), options.domain).toString();
    if (json.isEmpty())
        return;
    Outcome o = d->ensureClient(d->domain);
    garmin_sso_session *restored = nullptr;
    if (o.ok)
        o = outcomeOf(garmin_sso_session_from_json(d->client, json.constData(), &restored));
    if (!o.ok) {
        // A stored session this library cannot read is useless; keep the reason for the app.
        qCWarning(lcGarminSso) << "stored Garmin session not restored:" << o.message;
        d->record(o);
        return;
    }
    d->session = restored;
    garmin_sso_session_set_refresh_callback(d->session, &GarminConnectSsoPrivate::refreshed, d.get());
    d->noteExpiry();
    d->authenticated = true;
}

GarminConnectSso::~GarminConnectSso()
{
    d->cancel.cancel();
    d->pool.clear();
    d->pool.waitForDone();
}

bool GarminConnectSso::isAuthenticated() const { return d->authenticated; }
bool GarminConnectSso::isBusy() const { return d->jobs > 0; }
QString GarminConnectSso::lastError() const { return d->lastError; }
GarminConnectSso::Failure GarminConnectSso::lastFailure() const { return d->lastFailure; }
int GarminConnectSso::retryAfterSeconds() const { return d->retryAfter; }
QString GarminConnectSso::domain() const { return d->domain; }
QJsonObject GarminConnectSso::lastUploadResult() const { return d->lastUpload; }
quint64 GarminConnectSso::httpExchangeCount() const { return d->exchanges.load(); }
qint64 GarminConnectSso::accessTokenExpiresAt() const { return d->expiresAt.load(); }

void GarminConnectSso::setLogLevel(LogLevel level)
{
    gLogLevel.store(uint32_t(level));
    garmin_sso_set_log_callback(&forwardLog, nullptr, uint32_t(level));
}

QUrl GarminConnectSso::webViewSignInUrl() const
{
    // Asked of a throw-away client (no HTTP involved) so the page and service URL are the library's.
    garmin_sso_config *config = nullptr;
    garmin_sso_client *client = nullptr;
    LibString url;
    Outcome o = d->newConfig(d->domain, d->options.partnerApp, &config);
    // Never used for this, but a library built without its own HTTP makes no client without one.
    if (o.ok)
        o = outcomeOf(garmin_sso_config_set_transport(config, &GarminConnectSsoPrivate::transport, d.get()));
    if (o.ok)
        o = outcomeOf(garmin_sso_client_new(config, &client));
    if (o.ok)
        o = outcomeOf(garmin_sso_client_browser_sign_in_url(client, &url.p));
    if (!o.ok)
        qCWarning(lcGarminSso) << "no web-view sign-in URL:" << o.message;
    garmin_sso_client_free(client);
    garmin_sso_config_free(config);
    return QUrl(url.text());
}

QUrl GarminConnectSso::beginPartnerSignIn(const PartnerApp &app)
{
    // Pure (no HTTP), so it answers at once. The request keeps a client of its own, configured for
    // `app` and with the Qt transport, which the finish job and the session it gives then use.
    garmin_sso_config *config = nullptr;
    garmin_sso_client *client = nullptr;
    garmin_sso_partner_authorization *auth = nullptr;
    LibString url;
    Outcome o = d->newConfig(d->domain, app, &config);
    if (o.ok)
        o = outcomeOf(garmin_sso_config_set_transport(config, &GarminConnectSsoPrivate::transport, d.get()));
    if (o.ok)
        o = outcomeOf(garmin_sso_client_new(config, &client));
    garmin_sso_config_free(config);
    if (o.ok)
        o = outcomeOf(garmin_sso_partner_authorization_new(client, &auth));
    garmin_sso_client_free(client); // the request keeps what it needs
    if (o.ok)
        o = outcomeOf(garmin_sso_partner_authorization_url(auth, &url.p));
    d->record(o);
    if (!o.ok) {
        garmin_sso_partner_authorization_free(auth);
        qCWarning(lcGarminSso) << "no partner sign-in URL:" << o.message;
        return QUrl();
    }
    // The previous request, if any, is over: its callback no longer finishes anything.
    garmin_sso_partner_authorization_free(d->swapPartnerAuth(auth));
    // As the library encoded it: the PKCE challenge and state must reach Garmin unchanged.
    return QUrl::fromEncoded(url.bytes(), QUrl::StrictMode);
}

bool GarminConnectSso::isTicketNavigation(const QUrl &url)
{
    return QUrlQuery(url).queryItemValue(QStringLiteral("ticket")).startsWith(QLatin1String("ST-"));
}

GarminConnectSso::Failure GarminConnectSso::failureForStatus(int status, bool *known)
{
    // One row per garmin_sso_status; tst_garminconnect_sso's failureForEveryStatus walks them all.
    if (known)
        *known = true;
    switch (status) {
    case GARMIN_SSO_STATUS_OK:
        return Failure::None;
    case GARMIN_SSO_STATUS_INVALID_CREDENTIALS:
        return Failure::InvalidCredentials;
    case GARMIN_SSO_STATUS_MFA_REQUIRED:
        return Failure::MfaRequired;
    case GARMIN_SSO_STATUS_MFA_CODE_REJECTED:
        return Failure::MfaCodeRejected;
    case GARMIN_SSO_STATUS_MFA_CHALLENGE_ENDED:
        return Failure::MfaChallengeEnded;
    case GARMIN_SSO_STATUS_RATE_LIMITED:
        return Failure::RateLimited;
    case GARMIN_SSO_STATUS_BLOCKED:
        return Failure::Blocked;
    case GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE:
        return Failure::AccountUnusable;
    case GARMIN_SSO_STATUS_SIGN_IN_NEEDED:
        return Failure::SignInNeeded;
    case GARMIN_SSO_STATUS_NETWORK:
        return Failure::Network;
    case GARMIN_SSO_STATUS_TIMEOUT:
        return Failure::Timeout;
    case GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY:
        return Failure::DuplicateActivity;
    case GARMIN_SSO_STATUS_STORAGE:
        return Failure::Storage;
    case GARMIN_SSO_STATUS_INVALID_INPUT:
    case GARMIN_SSO_STATUS_NULL_ARGUMENT:
    case GARMIN_SSO_STATUS_INVALID_UTF8:
        return Failure::InvalidInput;
    case GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE:
        return Failure::UnexpectedResponse;
    case GARMIN_SSO_STATUS_INTERNAL:
        return Failure::Internal;
    case GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED:
        return Failure::AuthorizationDeclined;
    default:
        if (known)
            *known = false;
        return Failure::Internal;
    }
}

void GarminConnectSso::login(const QString &email, const QString &password)
{
    const QString domain = d->domain;
    // Copies for the worker; the password lives only as long as the job.
    const QByteArray emailUtf8 = email.toUtf8();
    QByteArray passwordUtf8 = password.toUtf8();
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, domain, emailUtf8, passwordUtf8]() mutable {
        Outcome o = dp->ensureClient(domain);
        garmin_sso_session *fresh = nullptr;
        garmin_sso_pending_mfa *challenge = nullptr;
        if (o.ok)
            o = outcomeOf(garmin_sso_client_login(dp->client, emailUtf8.constData(), passwordUtf8.constData(),
                                                  &fresh, &challenge));
        passwordUtf8.fill('\0');
        QByteArray json;
        bool needsCode = false;
        if (o.ok && challenge) {
            garmin_sso_pending_mfa_free(dp->pending);
            dp->pending = challenge;
            needsCode = true;
        } else if (o.ok) {
            o = dp->adoptSession(fresh, &json);
        }
        dp->deliver([dp, o, json, needsCode] {
            if (o.ok && needsCode) {
                dp->record(o);
                dp->finishJob();
                emit dp->q->mfaRequired();
            } else {
                dp->finishSignIn(o, json);
            }
        });
    });
}

void GarminConnectSso::submitMfaCode(const QString &code)
{
    const QByteArray codeUtf8 = code.trimmed().toUtf8();
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, codeUtf8] {
        Outcome o;
        QByteArray json;
        if (!dp->pending) {
            o = Outcome::failed(Failure::MfaChallengeEnded, QStringLiteral("no MFA challenge is open; sign in again"));
        } else if (codeUtf8.isEmpty()) {
            o = Outcome::failed(Failure::InvalidInput, QStringLiteral("the MFA code is empty"));
        } else {
            garmin_sso_session *fresh = nullptr;
            o = outcomeOf(garmin_sso_pending_mfa_submit(dp->pending, codeUtf8.constData(), &fresh));
            // A rejected code leaves the challenge open for another try; anything else ends it.
            if (o.failure != Failure::MfaCodeRejected) {
                garmin_sso_pending_mfa_free(dp->pending);
                dp->pending = nullptr;
            }
            if (o.ok)
                o = dp->adoptSession(fresh, &json);
        }
        dp->deliver([dp, o, json] { dp->finishSignIn(o, json); });
    });
}

void GarminConnectSso::signInWithWebViewTicket(const QString &urlOrTicket)
{
    const QString domain = d->domain;
    const QByteArray text = urlOrTicket.trimmed().toUtf8();
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, domain, text] {
        Outcome o = dp->ensureClient(domain);
        garmin_sso_session *fresh = nullptr;
        QByteArray json;
        if (o.ok) {
            // A bare ticket was issued for the web view's service URL (NULL = the library's default).
            o = outcomeOf(text.startsWith("ST-")
                              ? garmin_sso_client_exchange_ticket(dp->client, text.constData(), nullptr, &fresh)
                              : garmin_sso_client_exchange_webview(dp->client, text.constData(), &fresh));
        }
        if (o.ok)
            o = dp->adoptSession(fresh, &json);
        dp->deliver([dp, o, json] { dp->finishSignIn(o, json); });
    });
}

void GarminConnectSso::finishPartnerSignIn(const QUrl &callback)
{
    const QByteArray text = callback.toString(QUrl::FullyEncoded).toUtf8();
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, text] {
        // Taken out while in use, so a beginPartnerSignIn() meanwhile cannot free it under us.
        garmin_sso_partner_authorization *auth = dp->swapPartnerAuth(nullptr);
        Outcome o;
        QByteArray json;
        if (!auth) {
            o = Outcome::failed(Failure::InvalidInput,
                                QStringLiteral("no partner sign-in is open; call beginPartnerSignIn() first"));
        } else {
            garmin_sso_session *fresh = nullptr;
            o = outcomeOf(garmin_sso_partner_authorization_finish(auth, text.constData(), &fresh));
            if (o.ok)
                o = dp->adoptSession(fresh, &json);
            // A callback that is not this request's leaves it open for the right one, unless a new
            // request was begun meanwhile; anything else ends it (a code works once).
            if (o.failure == Failure::InvalidInput) {
                std::lock_guard<std::mutex> lock(dp->partnerMutex);
                if (!dp->partnerAuth)
                    std::swap(dp->partnerAuth, auth);
            }
            garmin_sso_partner_authorization_free(auth);
        }
        dp->deliver([dp, o, json] { dp->finishSignIn(o, json); });
    });
}

void GarminConnectSso::uploadFitFile(const QString &fitFilePath)
{
    const QFileInfo info(fitFilePath);
    if (!info.isFile() || !info.isReadable()) {
        // Checked here so the message can name the path; the library would only say "cannot read".
        const Outcome o = Outcome::failed(Failure::InvalidInput, tr("cannot read the FIT file %1").arg(fitFilePath));
        d->record(o);
        QMetaObject::invokeMethod(this, [this, o] { emit uploadFailed(o.message); }, Qt::QueuedConnection);
        return;
    }
    const QByteArray path = QFile::encodeName(info.absoluteFilePath());
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, path] {
        QJsonObject answer;
        const Outcome o = dp->uploadWith(
            [dp, &path](garmin_sso_upload_result **r) {
                return garmin_sso_session_upload_fit_path(dp->session, path.constData(), r);
            },
            &answer);
        dp->deliver([dp, o, answer] { dp->finishUpload(o, answer); });
    });
}

void GarminConnectSso::uploadActivity(const QByteArray &fitData, const QString &fileName)
{
    const QByteArray name = (fileName.isEmpty() ? QStringLiteral("activity.fit") : fileName).toUtf8();
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, fitData, name] {
        QJsonObject answer;
        const Outcome o = dp->uploadWith(
            [dp, &fitData, &name](garmin_sso_upload_result **r) {
                return garmin_sso_session_upload_fit(dp->session, name.constData(),
                                                     reinterpret_cast<const uint8_t *>(fitData.constData()),
                                                     size_t(fitData.size()), r);
            },
            &answer);
        dp->deliver([dp, o, answer] { dp->finishUpload(o, answer); });
    });
}

void GarminConnectSso::refresh()
{
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp] {
        const Outcome o = dp->session ? outcomeOf(garmin_sso_session_refresh(dp->session))
                                      : Outcome::failed(Failure::SignInNeeded, QStringLiteral("not signed in to Garmin Connect"));
        dp->noteExpiry();
        // The refresh callback already queued the new tokens for QSettings.
        dp->deliver([dp, o] {
            dp->record(o);
            dp->finishJob();
            if (!o.ok) {
                if (o.failure == Failure::SignInNeeded)
                    dp->setAuthenticated(false);
                emit dp->q->authenticationFailed(o.message);
                return;
            }
            emit dp->q->authenticated();
        });
    });
}

int GarminConnectSso::apiRequest(const QByteArray &method, const QString &path, const QByteArray &body,
                                 const QByteArray &contentType)
{
    const int id = d->nextRequestId++;
    const QUrl url(path);
    const QByteArray pathUtf8 = url.path(QUrl::FullyDecoded).toUtf8();
    QList<QPair<QByteArray, QByteArray>> query;
    for (const auto &item : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        query.append({item.first.toUtf8(), item.second.toUtf8()});
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp, id, method, pathUtf8, query, body, contentType] {
        Outcome o;
        int status = 0;
        QByteArray answer;
        if (!dp->session) {
            o = Outcome::failed(Failure::SignInNeeded, QStringLiteral("not signed in to Garmin Connect; sign in first"));
        } else {
            std::vector<garmin_sso_header> queryC;
            for (const auto &q : query)
                queryC.push_back({q.first.constData(), q.second.constData()});
            std::vector<garmin_sso_header> headersC;
            if (!contentType.isEmpty())
                headersC.push_back({"Content-Type", contentType.constData()});
            garmin_sso_api_response *response = nullptr;
            o = outcomeOf(garmin_sso_session_request(
                dp->session, method.constData(), pathUtf8.constData(), queryC.empty() ? nullptr : queryC.data(),
                queryC.size(), headersC.empty() ? nullptr : headersC.data(), headersC.size(),
                body.isEmpty() ? nullptr : reinterpret_cast<const uint8_t *>(body.constData()), size_t(body.size()),
                &response));
            if (o.ok) {
                uint16_t httpStatus = 0;
                const uint8_t *data = nullptr;
                size_t len = 0;
                garmin_sso_api_response_status(response, &httpStatus);
                garmin_sso_api_response_body(response, &data, &len);
                status = httpStatus;
                answer = QByteArray(reinterpret_cast<const char *>(data), int(len));
            }
            garmin_sso_api_response_free(response);
            dp->noteExpiry();
        }
        dp->deliver([dp, id, o, status, answer] {
            dp->record(o);
            dp->finishJob();
            if (o.failure == Failure::SignInNeeded)
                dp->setAuthenticated(false);
            if (!o.ok) {
                emit dp->q->apiRequestFailed(id, o.message);
                return;
            }
            emit dp->q->apiReplyReceived(id, status, answer);
        });
    });
    return id;
}

void GarminConnectSso::logout()
{
    // Off the GUI thread like everything else: it waits for a call in progress on the session.
    GarminConnectSsoPrivate *dp = d.get();
    d->enqueue([dp] {
        if (dp->session) {
            garmin_sso_session_logout(dp->session);
            garmin_sso_session_free(dp->session);
            dp->session = nullptr;
        }
        dp->expiresAt.store(0);
        garmin_sso_pending_mfa_free(dp->pending);
        dp->pending = nullptr;
        garmin_sso_partner_authorization_free(dp->swapPartnerAuth(nullptr));
        dp->deliver([dp] {
            dp->record(Outcome::success());
            dp->finishJob();
            dp->forgetSession();
            dp->setAuthenticated(false);
            emit dp->q->loggedOut();
        });
    });
}

void GarminConnectSso::setDomain(const QString &domain)
{
    d->domain = domain.trimmed().toLower();
}
