#include "simulator.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>
#include <QTimer>
#include <QUrl>

Simulator::~Simulator()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString Simulator::binary()
{
    const QString fromEnv = QProcessEnvironment::systemEnvironment().value(QStringLiteral("GARMIN_SSO_BIN"));
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QStringLiteral(GARMIN_SSO_DEFAULT_BIN);
}

bool Simulator::start(const QStringList &accounts, QString *error, const QStringList &extraArgs)
{
    QStringList args{QStringLiteral("simulate"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
    for (const QString &a : accounts)
        args << QStringLiteral("--account") << a;
    args << extraArgs;
    // The simulator's log goes to our stderr, where QtTest output stays readable.
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(binary(), args, QIODevice::ReadOnly);
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary(), m_process.errorString());
        return false;
    }
    // Contract with `garmin-sso simulate`: the first stdout line is the base URL.
    const QDeadlineTimer deadline(20000);
    while (!m_process.canReadLine()) {
        if (m_process.state() == QProcess::NotRunning || deadline.hasExpired()
            || !m_process.waitForReadyRead(int(deadline.remainingTime()))) {
            *error = QStringLiteral("%1 printed no base URL").arg(binary());
            return false;
        }
    }
    m_baseUrl = QString::fromUtf8(m_process.readLine()).trimmed();
    if (!m_baseUrl.startsWith(QLatin1String("http://127.0.0.1:"))) {
        *error = QStringLiteral("unexpected first line from the simulator: %1").arg(m_baseUrl);
        return false;
    }
    return true;
}

QByteArray Simulator::admin(const QByteArray &method, const QString &pathAndQuery, int *status, QString *error)
{
    // A manager of its own: the wrapper's transport must be the only thing touching its managers.
    QNetworkAccessManager manager;
    QNetworkRequest request(QUrl(m_baseUrl + pathAndQuery));
    QNetworkReply *reply = manager.sendCustomRequest(request, method, QByteArray());
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    const QByteArray body = reply->readAll();
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (*status != 200)
        *error = QStringLiteral("%1 %2 → HTTP %3: %4")
                     .arg(QString::fromLatin1(method), pathAndQuery)
                     .arg(*status)
                     .arg(QString::fromUtf8(body));
    delete reply;
    return body;
}

bool Simulator::injectFault(const QString &target, const QString &kind, const QString &times, QString *error,
                            const QString &extraQuery)
{
    int status = 0;
    QString path = QStringLiteral("/__sim/fault?target=%1&kind=%2&times=%3").arg(target, kind, times);
    if (!extraQuery.isEmpty())
        path += '&' + extraQuery;
    admin("POST", path, &status, error);
    return status == 200;
}

bool Simulator::clearFaults(QString *error)
{
    int status = 0;
    admin("POST", QStringLiteral("/__sim/clear"), &status, error);
    return status == 200;
}

QJsonDocument Simulator::stats(QString *error)
{
    int status = 0;
    const QByteArray body = admin("GET", QStringLiteral("/__sim/stats"), &status, error);
    return status == 200 ? QJsonDocument::fromJson(body) : QJsonDocument();
}

QJsonDocument Simulator::requests(QString *error)
{
    int status = 0;
    const QByteArray body = admin("GET", QStringLiteral("/__sim/requests"), &status, error);
    return status == 200 ? QJsonDocument::fromJson(body) : QJsonDocument();
}

bool Simulator::clearRequests(QString *error)
{
    int status = 0;
    admin("POST", QStringLiteral("/__sim/requests/clear"), &status, error);
    return status == 200;
}
