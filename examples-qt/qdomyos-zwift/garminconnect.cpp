// GarminConnect for QDomyos-Zwift over GarminConnectSso: see garminconnect.h.
#include "garminconnect.h"

#include <QDateTime>
#include <QDebug>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSettings>
#include <QStringList>

#include <memory>

Q_LOGGING_CATEGORY(lcGarminConnect, "garmin.connect")

namespace {

using Failure = GarminConnectSso::Failure;

// QDomyos-Zwift's settings keys (src/qzsettings.cpp), spelled out so this file needs no app header.
const QString kDomainKey = QStringLiteral("garmin_domain");
const QString kAccessTokenKey = QStringLiteral("garmin_access_token");
const QString kRefreshTokenKey = QStringLiteral("garmin_refresh_token");
const QString kTokenTypeKey = QStringLiteral("garmin_token_type");
const QString kExpiresAtKey = QStringLiteral("garmin_expires_at");
const QString kRefreshExpiresAtKey = QStringLiteral("garmin_refresh_token_expires_at");
const QString kOAuth1TokenKey = QStringLiteral("garmin_oauth1_token");
const QString kOAuth1SecretKey = QStringLiteral("garmin_oauth1_token_secret");
const QString kLastRefreshKey = QStringLiteral("garmin_last_refresh");

// Every key of QDomyos-Zwift's own token storage except garmin_access_token (the marker's key).
const QStringList kLegacyTokenKeys = {kRefreshTokenKey, kTokenTypeKey,   kExpiresAtKey,  kRefreshExpiresAtKey,
                                      kOAuth1TokenKey,  kOAuth1SecretKey, kLastRefreshKey};

// The library refreshes this long before expiry (garmin_sso_config_set_refresh_margin_seconds'
// default); tryRefreshToken() agrees with it, so it never refreshes what the library would not.
const qint64 kRefreshMarginSeconds = 300;

enum Outcome { Ok = 0, Failed = 1, MfaNeeded = 2 };

GarminConnectSso::Options &defaultOptions()
{
    static GarminConnectSso::Options options;
    return options;
}

} // namespace

const char *const GarminConnect::SessionKey = "garmin_sso_token";
const char *const GarminConnect::SignedInMarker = "libgarmin_sso";

struct GarminConnect::Pending
{
    Expect kind;
    bool waited = false;
    bool done = false;
    int outcome = Failed;
    QString error;
    QEventLoop *loop = nullptr;
};

void GarminConnect::setDefaultOptions(const GarminConnectSso::Options &options) { defaultOptions() = options; }

static std::unique_ptr<QSettings> openSettings(const GarminConnectSso::Options &options)
{
    if (options.settingsFile.isEmpty())
        return std::make_unique<QSettings>();
    return std::make_unique<QSettings>(options.settingsFile, QSettings::IniFormat);
}

GarminConnect::GarminConnect(QObject *parent)
    : QObject(parent)
    , m_options(defaultOptions())
{
    m_options.settingsKey = QString::fromLatin1(SessionKey);
    {
        auto settings = openSettings(m_options);
        m_options.domain = settings->value(kDomainKey, QStringLiteral("garmin.com")).toString().trimmed().toLower();
    }
    const bool migrated = migrateLegacyTokens();

    m_sso = new GarminConnectSso(m_options, this);
    if (migrated && !m_sso->isAuthenticated()) {
        qCWarning(lcGarminConnect) << "QDomyos-Zwift's Garmin tokens could not be carried over; sign in again";
        auto settings = openSettings(m_options);
        settings->remove(m_options.settingsKey);
        settings->remove(m_options.settingsKey + QStringLiteral("_domain"));
    }

    // authenticated() and authenticationFailed() answer a sign-in, an MFA code or a refresh.
    connect(m_sso, &GarminConnectSso::authenticated, this, [this] { resolve(signInKind(), Ok, QString()); });
    connect(m_sso, &GarminConnectSso::authenticationFailed, this,
            [this](const QString &error) { resolve(signInKind(), Failed, error); });
    connect(m_sso, &GarminConnectSso::mfaRequired, this, [this] { resolve(Expect::SignIn, MfaNeeded, QString()); });
    connect(m_sso, &GarminConnectSso::uploadSucceeded, this, [this] { resolve(Expect::Upload, Ok, QString()); });
    connect(m_sso, &GarminConnectSso::uploadFailed, this,
            [this](const QString &error) { resolve(Expect::Upload, Failed, error); });
    connect(m_sso, &GarminConnectSso::loggedOut, this, [this] { resolve(Expect::Logout, Ok, QString()); });
    connect(m_sso, &GarminConnectSso::apiReplyReceived, this, [this](int id, int status, const QByteArray &body) {
        const ApiReply reply = m_apiReplies.take(id);
        if (reply)
            reply(status, body, QString());
    });
    connect(m_sso, &GarminConnectSso::apiRequestFailed, this, [this](int id, const QString &error) {
        const ApiReply reply = m_apiReplies.take(id);
        if (reply)
            reply(0, QByteArray(), error);
    });

    // The marker follows the session: set while one is held, gone when it could not be restored.
    markSignedIn(m_sso->isAuthenticated());
}

GarminConnect::~GarminConnect()
{
    // A wait still running (the object deleted from a slot inside it) must not outlive us.
    for (const auto &p : std::as_const(m_pending)) {
        p->done = true;
        if (p->loop)
            p->loop->quit();
    }
}

// --- One-time migration from QDomyos-Zwift's own token keys ------------------------------------

GarminConnect::Expect GarminConnect::signInKind() const
{
    if (!m_pending.isEmpty()) {
        const Expect front = m_pending.first()->kind;
        if (front == Expect::MfaCode || front == Expect::Refresh)
            return front;
    }
    return Expect::SignIn;
}

bool GarminConnect::migrateLegacyTokens()
{
    auto settings = openSettings(m_options);
    const QString access = settings->value(kAccessTokenKey).toString();
    const QString oauth1 = settings->value(kOAuth1TokenKey).toString();
    const QString oauth1Secret = settings->value(kOAuth1SecretKey).toString();
    bool anyLegacy = false;
    for (const QString &key : kLegacyTokenKeys)
        anyLegacy = anyLegacy || settings->contains(key);

    // Only QDomyos-Zwift's own sign-in ever wrote a token to garmin_access_token; its logout
    // removed it but left the OAuth1 pair behind. So: a real access token plus the OAuth1 pair is a
    // signed-in user to carry over; OAuth1 keys without it are a signed-out user's leftovers.
    const bool signedIn = !access.isEmpty() && access != QLatin1String(SignedInMarker);
    if (signedIn && !oauth1.isEmpty() && !oauth1Secret.isEmpty()) {
        const QString domain = m_options.domain;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const qint64 expiresAt = settings->value(kExpiresAtKey).toLongLong();
        QString tokenType = settings->value(kTokenTypeKey).toString();
        if (tokenType.isEmpty())
            tokenType = QStringLiteral("Bearer");
        // Schema version 1 of the library's token document, legacy family (docs/token-files.md).
        const QJsonObject doc{
            {QStringLiteral("schema_version"), 1},
            {QStringLiteral("kind"), QStringLiteral("legacy")},
            {QStringLiteral("oauth1"),
             QJsonObject{{QStringLiteral("oauth_token"), oauth1},
                         {QStringLiteral("oauth_token_secret"), oauth1Secret},
                         {QStringLiteral("domain"), domain}}},
            {QStringLiteral("oauth2"),
             QJsonObject{{QStringLiteral("token_type"), tokenType},
                         {QStringLiteral("access_token"), access},
                         {QStringLiteral("refresh_token"), settings->value(kRefreshTokenKey).toString()},
                         {QStringLiteral("expires_in"), qMax<qint64>(0, expiresAt - now)},
                         {QStringLiteral("expires_at"), expiresAt},
                         {QStringLiteral("refresh_token_expires_at"),
                          settings->value(kRefreshExpiresAtKey).toLongLong()}}}};
        settings->setValue(m_options.settingsKey, QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Compact)));
        settings->setValue(m_options.settingsKey + QStringLiteral("_domain"), domain);
        qCInfo(lcGarminConnect) << "carried QDomyos-Zwift's Garmin sign-in over to libgarmin_sso";
    } else if (signedIn) {
        qCInfo(lcGarminConnect) << "QDomyos-Zwift's Garmin tokens lack the OAuth1 pair; sign in again";
    } else if (!anyLegacy) {
        return false;
    }
    // The secrets now live in the session key only (or nowhere, for a signed-out user).
    for (const QString &key : kLegacyTokenKeys)
        settings->remove(key);
    if (signedIn)
        settings->remove(kAccessTokenKey); // markSignedIn() writes the marker if the session loads
    settings->sync();
    return signedIn && !oauth1.isEmpty() && !oauth1Secret.isEmpty();
}

// --- Waiting for the wrapper -------------------------------------------------------------------

std::shared_ptr<GarminConnect::Pending> GarminConnect::expect(Expect what, bool wait)
{
    auto p = std::make_shared<Pending>();
    p->kind = what;
    p->waited = wait;
    m_pending.append(p);
    return p;
}

void GarminConnect::waitFor(const std::shared_ptr<Pending> &pending)
{
    // The wrapper's HTTP has its own timeout (Options::timeoutMs), so an answer always comes.
    QPointer<GarminConnect> self(this);
    while (!pending->done) {
        QEventLoop loop;
        pending->loop = &loop;
        const int rc = loop.exec();
        pending->loop = nullptr;
        if (rc != 0 || !self)
            break; // the application is quitting, or we were deleted meanwhile
    }
    if (!pending->done) {
        pending->done = true;
        pending->outcome = Failed;
        pending->error = QStringLiteral("interrupted before Garmin Connect answered");
    }
}

void GarminConnect::resolve(Expect kind, int outcome, const QString &error)
{
    // The wrapper runs its calls one after another and answers them in order, so the answer is the
    // oldest open call's.
    if (m_pending.isEmpty()) {
        qCWarning(lcGarminConnect) << "an answer from the Garmin wrapper that no call waits for";
        return;
    }
    const std::shared_ptr<Pending> p = m_pending.takeFirst();
    if (p->kind != kind)
        qCWarning(lcGarminConnect) << "the Garmin wrapper answered another kind of call than expected";
    p->done = true;
    p->outcome = outcome;
    p->error = error;
    if (p->kind == Expect::MfaCode && !p->waited) {
        finishMfaCode(outcome, error);
        return;
    }
    if (p->loop)
        p->loop->quit();
}

void GarminConnect::setFailure(Failure failure, const QString &error)
{
    m_lastFailure = failure;
    m_lastError = error;
}

void GarminConnect::markSignedIn(bool signedIn)
{
    auto settings = openSettings(m_options);
    if (signedIn)
        settings->setValue(kAccessTokenKey, QString::fromLatin1(SignedInMarker));
    else
        settings->remove(kAccessTokenKey);
    settings->sync();
}

QString GarminConnect::domainForSignIn() const
{
    if (!m_domain.isEmpty())
        return m_domain;
    // Re-read each time: the user may have switched between garmin.com and garmin.cn meanwhile.
    auto settings = openSettings(m_options);
    const QString domain = settings->value(kDomainKey, QStringLiteral("garmin.com")).toString().trimmed();
    return domain.isEmpty() ? QStringLiteral("garmin.com") : domain;
}

// --- Sign-in -----------------------------------------------------------------------------------

bool GarminConnect::login(const QString &email, const QString &password, const QString &mfaCode)
{
    setFailure(Failure::None, QString());
    m_sso->setDomain(domainForSignIn());
    auto p = expect(Expect::SignIn, true);
    m_sso->login(email, password);
    waitFor(p);

    if (p->outcome == MfaNeeded && !mfaCode.isEmpty()) {
        p = expect(Expect::MfaCode, true);
        m_sso->submitMfaCode(mfaCode);
        waitFor(p);
        if (p->outcome != Ok && m_sso->lastFailure() == Failure::MfaCodeRejected) {
            // The challenge is still open: the app's code dialog can ask again.
            setFailure(Failure::MfaCodeRejected, p->error);
            emit authenticationFailed(m_lastError);
            emit mfaRequired();
            return false;
        }
    }
    if (p->outcome == Ok) {
        markSignedIn(true);
        emit authenticated();
        return true;
    }
    if (p->outcome == MfaNeeded) {
        // QDomyos-Zwift shows its code dialog on mfaRequired() and keeps quiet about failures whose
        // text contains "MFA".
        setFailure(Failure::MfaRequired, QStringLiteral("MFA code required"));
        emit mfaRequired();
        emit authenticationFailed(m_lastError);
        return false;
    }
    setFailure(m_sso->lastFailure(), p->error);
    emit authenticationFailed(m_lastError);
    return false;
}

void GarminConnect::submitMfaCode(const QString &mfaCode)
{
    setFailure(Failure::None, QString());
    expect(Expect::MfaCode, false);
    m_sso->submitMfaCode(mfaCode);
}

void GarminConnect::finishMfaCode(int outcome, const QString &error)
{
    if (outcome == Ok) {
        setFailure(Failure::None, QString());
        markSignedIn(true);
        emit authenticated();
        return;
    }
    setFailure(m_sso->lastFailure(), error);
    emit authenticationFailed(m_lastError);
    if (m_lastFailure == Failure::MfaCodeRejected)
        emit mfaRequired(); // the same challenge takes another code
}

bool GarminConnect::isAuthenticated() const { return m_sso->isAuthenticated(); }

bool GarminConnect::tryRefreshToken()
{
    if (!m_sso->isAuthenticated()) {
        setFailure(Failure::SignInNeeded, QStringLiteral("not signed in to Garmin Connect"));
        return false;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (m_sso->accessTokenExpiresAt() > now + kRefreshMarginSeconds)
        return true; // still good: no HTTP at all
    auto p = expect(Expect::Refresh, true);
    m_sso->refresh();
    waitFor(p);
    if (p->outcome == Ok) {
        markSignedIn(true);
        return true;
    }
    setFailure(m_sso->lastFailure(), p->error);
    if (!m_sso->isAuthenticated())
        markSignedIn(false);
    qCInfo(lcGarminConnect) << "Garmin token refresh failed:" << m_lastError;
    return false;
}

void GarminConnect::logout()
{
    auto p = expect(Expect::Logout, true);
    m_sso->logout();
    waitFor(p);
    setFailure(Failure::None, QString());
    markSignedIn(false);
}

// --- Upload ------------------------------------------------------------------------------------

bool GarminConnect::uploadFitFile(const QString &fitFilePath)
{
    setFailure(Failure::None, QString());
    const QFileInfo info(fitFilePath);
    if (!info.isFile() || !info.isReadable()) {
        setFailure(Failure::InvalidInput, QStringLiteral("FIT file does not exist or cannot be read: %1").arg(fitFilePath));
        emit uploadFailed(m_lastError);
        return false;
    }
    if (!m_sso->isAuthenticated()) {
        setFailure(Failure::SignInNeeded, QStringLiteral("Not authenticated. Please login first."));
        emit uploadFailed(m_lastError);
        return false;
    }
    auto p = expect(Expect::Upload, true);
    m_sso->uploadFitFile(fitFilePath);
    waitFor(p);
    return finishUpload(p->outcome, p->error);
}

bool GarminConnect::uploadActivity(const QByteArray &fitData, const QString &fileName)
{
    setFailure(Failure::None, QString());
    if (!m_sso->isAuthenticated()) {
        setFailure(Failure::SignInNeeded, QStringLiteral("Not authenticated. Please login first."));
        emit uploadFailed(m_lastError);
        return false;
    }
    auto p = expect(Expect::Upload, true);
    m_sso->uploadActivity(fitData, fileName);
    waitFor(p);
    return finishUpload(p->outcome, p->error);
}

bool GarminConnect::finishUpload(int outcome, const QString &error)
{
    if (outcome != Ok) {
        setFailure(m_sso->lastFailure(), error);
        if (!m_sso->isAuthenticated())
            markSignedIn(false);
        emit uploadFailed(m_lastError);
        return false;
    }
    // Garmin can answer 2xx and still refuse the activity: detailedImportResult.failures says so.
    const QJsonArray failures =
        m_sso->lastUploadResult().value(QStringLiteral("detailedImportResult")).toObject().value(QStringLiteral("failures")).toArray();
    if (!failures.isEmpty()) {
        QStringList reasons;
        bool duplicate = false;
        for (const QJsonValue &f : failures) {
            for (const QJsonValue &m : f.toObject().value(QStringLiteral("messages")).toArray()) {
                const QJsonObject message = m.toObject();
                duplicate = duplicate || message.value(QStringLiteral("code")).toInt() == 202;
                const QString content = message.value(QStringLiteral("content")).toString().left(200);
                if (!content.isEmpty())
                    reasons << content;
            }
        }
        setFailure(duplicate ? Failure::DuplicateActivity : Failure::UnexpectedResponse,
                   QStringLiteral("Garmin did not import the activity: %1")
                       .arg(reasons.isEmpty() ? QStringLiteral("no reason given") : reasons.join(QStringLiteral("; "))));
        emit uploadFailed(m_lastError);
        return false;
    }
    emit uploadSucceeded();
    return true;
}

// --- Connect API for the app's workout and FTP code ----------------------------------------------

int GarminConnect::apiRequest(const QByteArray &method, const QString &path, ApiReply onReply,
                              const QByteArray &body, const QByteArray &contentType)
{
    const int id = m_sso->apiRequest(method, path, body, contentType);
    m_apiReplies.insert(id, std::move(onReply));
    return id;
}
