// Stands in, in the test build only, for QDomyos-Zwift's own workout and FTP code (which the app
// keeps in a file of its own; docs/qdomyos-zwift.md). It shows the shape those functions take over
// GarminConnect::apiRequest(): no token, no QNetworkAccessManager, one callback per answer.
#include "garminconnect.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

void GarminConnect::checkFtpUpdates()
{
    apiRequest("GET", QStringLiteral("/userprofile-service/userprofile/user-settings"),
               [this](int httpStatus, const QByteArray &body, const QString &error) {
                   Q_UNUSED(body)
                   if (httpStatus == 200 && error.isEmpty())
                       emit ftpValuesAvailable(0, QString(), 0, QString());
               });
}

void GarminConnect::downloadTodaysWorkout(const QString &saveDir)
{
    const QDate today = QDateTime::currentDateTimeUtc().date();
    const QString path =
        QStringLiteral("/calendar-service/year/%1/month/%2").arg(today.year()).arg(today.month() - 1);
    apiRequest("GET", path, [this, today, saveDir](int httpStatus, const QByteArray &body, const QString &error) {
        if (httpStatus != 200) {
            emit workoutDownloadFailed(error.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : error);
            return;
        }
        const QString date = today.toString(Qt::ISODate);
        for (const QJsonValue &item : QJsonDocument::fromJson(body).object().value(QStringLiteral("calendarItems")).toArray()) {
            const QJsonObject o = item.toObject();
            if (o.value(QStringLiteral("itemType")).toString() != QLatin1String("workout")
                || o.value(QStringLiteral("date")).toString() != date)
                continue;
            downloadWorkoutDetails(QString::number(o.value(QStringLiteral("workoutId")).toVariant().toLongLong()), date,
                                   o.value(QStringLiteral("title")).toString(), o.value(QStringLiteral("itemType")).toString(),
                                   o.value(QStringLiteral("sportTypeKey")).toString(), saveDir);
            return;
        }
        emit noWorkoutFoundToday();
    });
}

void GarminConnect::downloadWorkoutDetails(const QString &workoutIdentifier, const QString &date,
                                           const QString &workoutName, const QString &itemType,
                                           const QString &sportTypeKey, const QString &saveDir,
                                           bool useScheduleEndpoint)
{
    Q_UNUSED(itemType)
    Q_UNUSED(useScheduleEndpoint)
    apiRequest("GET", QStringLiteral("/workout-service/workout/%1").arg(workoutIdentifier),
               [=](int httpStatus, const QByteArray &body, const QString &error) {
                   if (httpStatus != 200) {
                       emit workoutDownloadFailed(error.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : error);
                       return;
                   }
                   saveWorkoutXml(QJsonDocument::fromJson(body).object(), date, workoutName, sportTypeKey, saveDir,
                                  QMap<int, double>());
               });
}

void GarminConnect::saveWorkoutXml(const QJsonObject &workoutPayload, const QString &date,
                                   const QString &workoutName, const QString &sportTypeKey,
                                   const QString &saveDir, const QMap<int, double> &powerCurve)
{
    Q_UNUSED(powerCurve)
    QDir().mkpath(saveDir);
    const QString file = QDir(saveDir).filePath(date + QStringLiteral(" - ") + sportTypeKey + QStringLiteral(".json"));
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        emit workoutDownloadFailed(QStringLiteral("cannot write %1").arg(file));
        return;
    }
    out.write(QJsonDocument(workoutPayload).toJson());
    out.close();
    emit workoutDownloaded(file, workoutName);
}

void GarminConnect::downloadPowerCurveAndSaveWorkout(const QJsonObject &workoutPayload, const QString &date,
                                                     const QString &workoutName, const QString &sportTypeKey,
                                                     const QString &saveDir)
{
    saveWorkoutXml(workoutPayload, date, workoutName, sportTypeKey, saveDir, QMap<int, double>());
}
