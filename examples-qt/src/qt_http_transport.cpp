#include "qt_http_transport.h"

#include <QEventLoop>
#include <QMetaEnum>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThreadStorage>
#include <QTimer>
#include <QUrl>

namespace garmin_sso_qt {

namespace {

// The library keeps the cookie jar (it must decide which cookies go to which Garmin host); a second
// jar in Qt would send stale duplicates next to the library's Cookie header.
class NoCookieJar : public QNetworkCookieJar
{
public:
    using QNetworkCookieJar::QNetworkCookieJar;
    QList<QNetworkCookie> cookiesForUrl(const QUrl &) const override { return {}; }
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
};

QNetworkAccessManager *managerForThisThread()
{
    // QThreadStorage deletes the manager when its thread ends, on that thread.
    static QThreadStorage<QNetworkAccessManager *> managers;
    if (!managers.hasLocalData()) {
        auto *manager = new QNetworkAccessManager;
        manager->setCookieJar(new NoCookieJar(manager));
        // Qt 6 follows "safe" redirects by default; the library must see every 3xx itself because
        // it collects cookies and refuses redirects that leave Garmin.
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        managers.setLocalData(manager);
    }
    return managers.localData();
}

bool hasHeader(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

HttpResult::Failure classify(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
        return HttpResult::Failure::Connect;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::ProxyTimeoutError:
        return HttpResult::Failure::Timeout;
    case QNetworkReply::SslHandshakeFailedError:
        return HttpResult::Failure::Tls;
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ProxyConnectionClosedError:
        return HttpResult::Failure::Io;
    default:
        return HttpResult::Failure::Other;
    }
}

// QNetworkReply::errorString() often quotes the whole URL, query (ticket, tokens) included, so the
// message is rebuilt from the error's enum name and the host only.
QString describe(QNetworkReply::NetworkError error, const QUrl &url)
{
    const char *name = QMetaEnum::fromType<QNetworkReply::NetworkError>().valueToKey(error);
    return QStringLiteral("Qt network error %1 talking to %2")
        .arg(QString::fromLatin1(name ? name : "UnknownNetworkError"), url.host());
}

} // namespace

void TransportCancel::cancel()
{
    m_cancelled.store(true);
    QMutexLocker lock(&m_mutex);
    if (m_current) {
        // The reply lives on the worker thread; abort it there.
        QMetaObject::invokeMethod(m_current.data(), "abort", Qt::QueuedConnection);
    }
}

void TransportCancel::track(QNetworkReply *reply)
{
    QMutexLocker lock(&m_mutex);
    m_current = reply;
}

void TransportCancel::untrack()
{
    QMutexLocker lock(&m_mutex);
    m_current.clear();
}

HttpResult QtHttpTransport::perform(const HttpExchange &exchange, TransportCancel *cancel)
{
    HttpResult result;
    const QUrl url = QUrl::fromEncoded(exchange.url, QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty()) {
        result.failure = HttpResult::Failure::Other;
        result.message = QStringLiteral("the library asked for a URL Qt cannot parse");
        return result;
    }
    if (cancel && cancel->isCancelled()) {
        result.failure = HttpResult::Failure::Cancelled;
        result.message = QStringLiteral("cancelled: the Garmin connection is shutting down");
        return result;
    }

    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // setRawHeader replaces, so repeated names are joined the way HTTP allows.
    HeaderList merged;
    for (const auto &h : exchange.headers) {
        bool joined = false;
        for (auto &m : merged) {
            if (m.first.compare(h.first, Qt::CaseInsensitive) == 0) {
                m.second += (h.first.compare("cookie", Qt::CaseInsensitive) == 0 ? "; " : ", ") + h.second;
                joined = true;
                break;
            }
        }
        if (!joined)
            merged.append(h);
    }
    for (const auto &h : merged)
        request.setRawHeader(h.first, h.second);

    QNetworkAccessManager *manager = managerForThisThread();
    QNetworkReply *reply = nullptr;
    const QByteArray method = exchange.method.toUpper();
    if (method == "GET")
        reply = manager->get(request);
    else if (method == "HEAD")
        reply = manager->head(request);
    else
        reply = manager->sendCustomRequest(request, method, exchange.body);
    if (cancel)
        cancel->track(reply);

    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool timedOut = false;
    bool oversize = false;
    QByteArray body;
    const qint64 cap = exchange.maxResponseBytes;

    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, reply, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&] {
        if (oversize)
            return;
        body += reply->readAll();
        // Keep one byte past the cap so the library can tell "too large" from "exactly at the cap".
        if (cap > 0 && body.size() > cap) {
            body.truncate(int(cap + 1));
            oversize = true;
            reply->abort();
        }
    });
    if (exchange.timeoutMs > 0)
        deadline.start(exchange.timeoutMs);
    // The reply may have finished synchronously (e.g. an immediate connection error).
    if (!reply->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    deadline.stop();
    if (cancel)
        cancel->untrack();

    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (cancel && cancel->isCancelled()) {
        result.failure = HttpResult::Failure::Cancelled;
        result.message = QStringLiteral("cancelled: the Garmin connection is shutting down");
    } else if (timedOut) {
        result.failure = HttpResult::Failure::Timeout;
        result.message = QStringLiteral("no complete answer from %1 within %2 ms").arg(url.host()).arg(exchange.timeoutMs);
    } else if (status.isValid()) {
        if (!oversize)
            body += reply->readAll();
        result.ok = true;
        result.status = status.toInt();
        // Qt only decompresses when it added Accept-Encoding itself; the body handed back is then
        // already decoded and must not be described as gzip.
        const bool qtDecoded = !hasHeader(exchange.headers, "accept-encoding");
        const auto pairs = reply->rawHeaderPairs();
        for (const auto &h : pairs) {
            const QByteArray lname = h.first.toLower();
            if (qtDecoded && (lname == "content-encoding" || lname == "content-length"))
                continue;
            if (lname == "set-cookie") {
                // Qt joins repeated Set-Cookie headers with '\n'.
                for (const QByteArray &one : h.second.split('\n')) {
                    if (!one.isEmpty())
                        result.headers.append({h.first, one});
                }
            } else {
                result.headers.append(h);
            }
        }
        result.body = body;
    } else {
        result.failure = classify(reply->error());
        result.message = describe(reply->error(), url);
    }
    // Not inside any of the reply's signals any more, and worker threads rarely spin an event loop
    // that would run a deleteLater().
    delete reply;
    return result;
}

} // namespace garmin_sso_qt
