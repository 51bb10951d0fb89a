// The Garmin simulator as a child process (`garmin-sso simulate`) plus its admin API (/__sim/).
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>

class Simulator
{
public:
    Simulator() = default;
    ~Simulator();
    Simulator(const Simulator &) = delete;
    Simulator &operator=(const Simulator &) = delete;

    // The CLI binary: $GARMIN_SSO_BIN, else the one next to the library the build linked.
    static QString binary();

    // Starts the simulator with accounts given as EMAIL:PASSWORD[:MFACODE], plus `extraArgs` for
    // `garmin-sso simulate` (e.g. --partner-client ID,SECRET,REDIRECT_URI). False with *error set
    // when it did not start or did not print its base URL.
    bool start(const QStringList &accounts, QString *error, const QStringList &extraArgs = QStringList());
    QString baseUrl() const { return m_baseUrl; }

    // POST /__sim/fault?target=…&kind=…&times=…  (see crates/sim/src/admin.rs)
    bool injectFault(const QString &target, const QString &kind, const QString &times, QString *error,
                     const QString &extraQuery = QString());
    bool clearFaults(QString *error);
    // GET /__sim/stats
    QJsonDocument stats(QString *error);
    // GET /__sim/requests: every recorded request (route, method, path, query, headers, body)
    QJsonDocument requests(QString *error);
    // POST /__sim/requests/clear (the counters of stats() are kept)
    bool clearRequests(QString *error);

private:
    QByteArray admin(const QByteArray &method, const QString &pathAndQuery, int *status, QString *error);

    QProcess m_process;
    QString m_baseUrl;
};
