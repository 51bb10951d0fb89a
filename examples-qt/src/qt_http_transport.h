// HTTP for libgarmin_sso through Qt's own network stack.
//
// The library never opens a socket itself when a transport callback is installed: it hands every
// request to the host. Routing them through QNetworkAccessManager keeps Qt's TLS backend, proxy
// settings and platform fingerprint, which matters since Garmin's Cloudflare front started judging
// clients by their TLS handshake (2026).
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QPointer>
#include <QString>

#include <atomic>

class QNetworkReply;

namespace garmin_sso_qt {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One request exactly as the library built it.
struct HttpExchange
{
    QByteArray method;
    QByteArray url; // absolute and already percent-encoded; OAuth1 signatures cover it
    HeaderList headers;
    QByteArray body;
    int timeoutMs = 30000;
    qint64 maxResponseBytes = 0; // 0 = no cap
};

// What came back. Any HTTP status, 4xx/5xx included, is a completed exchange (ok == true).
struct HttpResult
{
    enum class Failure { None, Connect, Timeout, Tls, Io, Cancelled, Other };

    bool ok = false;
    int status = 0;
    HeaderList headers; // repeated names (Set-Cookie) kept as separate entries
    QByteArray body;
    Failure failure = Failure::None;
    QString message; // secret-free: never a URL query, header value or body
};

// Lets the owner of a worker thread abort the exchange in flight (used on shutdown so that a
// destructor does not wait for a 30-second timeout).
class TransportCancel
{
public:
    void cancel();
    bool isCancelled() const { return m_cancelled.load(); }
    void reset() { m_cancelled.store(false); }

private:
    friend class QtHttpTransport;
    void track(QNetworkReply *reply);
    void untrack();

    std::atomic_bool m_cancelled{false};
    QMutex m_mutex;
    QPointer<QNetworkReply> m_current;
};

class QtHttpTransport
{
public:
    // Performs one exchange on the calling thread, blocking it in a local QEventLoop. Each thread gets
    // its own QNetworkAccessManager (a manager may only be used from the thread that created it).
    // Redirects are returned, not followed, and no cookies are stored or added: the library owns both.
    static HttpResult perform(const HttpExchange &exchange, TransportCancel *cancel = nullptr);
};

} // namespace garmin_sso_qt
