// The example app. Against Garmin:   garmin-sso-qt-example
// Against the simulator:             garmin-sso-qt-example --base-url http://127.0.0.1:PORT
// Screenshot for the docs:           QT_QPA_PLATFORM=offscreen garmin-sso-qt-example --screenshot out.png
#include "garminconnect_sso.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("libgarmin_sso"));
    QCoreApplication::setApplicationName(QStringLiteral("garmin-sso-qt-example"));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral("Sign in to Garmin Connect and upload FIT files (libgarmin_sso example)."));
    cli.addHelpOption();
    const QCommandLineOption baseUrl(QStringLiteral("base-url"), QStringLiteral("Every Garmin host at this base URL (the simulator)."), QStringLiteral("url"));
    const QCommandLineOption settings(QStringLiteral("settings"), QStringLiteral("Keep the session in this INI file instead of the default settings."), QStringLiteral("file"));
    const QCommandLineOption domain(QStringLiteral("domain"), QStringLiteral("garmin.com (default) or garmin.cn."), QStringLiteral("domain"), QStringLiteral("garmin.com"));
    const QCommandLineOption email(QStringLiteral("email"), QStringLiteral("Prefill the email field."), QStringLiteral("email"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Render the window, save it as PNG and quit."), QStringLiteral("png"));
    cli.addOptions({baseUrl, settings, domain, email, screenshot});
    cli.process(app);

    GarminConnectSso::Options options;
    options.baseUrl = cli.value(baseUrl);
    options.settingsFile = cli.value(settings);
    options.domain = cli.value(domain);
    GarminConnectSso garmin(options);

    MainWindow window(&garmin);
    window.setEmail(cli.value(email));
    window.show();

    if (cli.isSet(screenshot)) {
        const QString path = cli.value(screenshot);
        QTimer::singleShot(0, &window, [&window, path] {
            const bool saved = window.grab().save(path, "PNG");
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
