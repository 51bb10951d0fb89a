// The example window: email, password, MFA code, upload a FIT file, a status line.
#pragma once

#include "garminconnect_sso.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

class MainWindow : public QWidget
{
    Q_OBJECT

public:
    explicit MainWindow(GarminConnectSso *garmin, QWidget *parent = nullptr);

    // For scripted runs (screenshots, tests): fill the form as a user would.
    void setEmail(const QString &email);
    QString statusText() const;

private slots:
    void signIn();
    void submitCode();
    void chooseAndUpload();

private:
    void setStatus(const QString &text);
    void refreshEnabled();

    GarminConnectSso *m_garmin;
    QLineEdit *m_email;
    QLineEdit *m_password;
    QLineEdit *m_mfaCode;
    QPushButton *m_signIn;
    QPushButton *m_submitCode;
    QPushButton *m_upload;
    QPushButton *m_signOut;
    QLabel *m_status;
    bool m_waitingForCode = false;
};
