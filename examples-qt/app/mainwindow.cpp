#include "mainwindow.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

MainWindow::MainWindow(GarminConnectSso *garmin, QWidget *parent)
    : QWidget(parent)
    , m_garmin(garmin)
    , m_email(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_mfaCode(new QLineEdit(this))
    , m_signIn(new QPushButton(tr("Sign in"), this))
    , m_submitCode(new QPushButton(tr("Submit code"), this))
    , m_upload(new QPushButton(tr("Upload a FIT file…"), this))
    , m_signOut(new QPushButton(tr("Sign out"), this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Garmin Connect — libgarmin_sso Qt example"));
    // Names let tests (and accessibility tools) find the controls.
    m_email->setObjectName(QStringLiteral("email"));
    m_password->setObjectName(QStringLiteral("password"));
    m_mfaCode->setObjectName(QStringLiteral("mfaCode"));
    m_signIn->setObjectName(QStringLiteral("signIn"));
    m_submitCode->setObjectName(QStringLiteral("submitCode"));
    m_upload->setObjectName(QStringLiteral("upload"));
    m_signOut->setObjectName(QStringLiteral("signOut"));
    m_status->setObjectName(QStringLiteral("status"));
    m_email->setPlaceholderText(tr("you@example.com"));
    m_password->setEchoMode(QLineEdit::Password);
    m_mfaCode->setPlaceholderText(tr("6-digit code from email or app"));
    m_mfaCode->setMaxLength(12);
    m_status->setWordWrap(true);
    m_status->setMinimumHeight(m_status->fontMetrics().height() * 2);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("Email"), m_email);
    form->addRow(tr("Password"), m_password);
    auto *codeRow = new QHBoxLayout;
    codeRow->addWidget(m_mfaCode, 1);
    codeRow->addWidget(m_submitCode);
    form->addRow(tr("MFA code"), codeRow);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_signIn);
    buttons->addWidget(m_upload);
    buttons->addStretch(1);
    buttons->addWidget(m_signOut);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    resize(480, sizeHint().height());

    connect(m_signIn, &QPushButton::clicked, this, &MainWindow::signIn);
    connect(m_password, &QLineEdit::returnPressed, this, &MainWindow::signIn);
    connect(m_submitCode, &QPushButton::clicked, this, &MainWindow::submitCode);
    connect(m_mfaCode, &QLineEdit::returnPressed, this, &MainWindow::submitCode);
    connect(m_upload, &QPushButton::clicked, this, &MainWindow::chooseAndUpload);
    connect(m_signOut, &QPushButton::clicked, m_garmin, &GarminConnectSso::logout);

    connect(m_garmin, &GarminConnectSso::authenticated, this, [this] {
        m_waitingForCode = false;
        m_password->clear();
        m_mfaCode->clear();
        setStatus(tr("Signed in to Garmin Connect."));
    });
    connect(m_garmin, &GarminConnectSso::authenticationFailed, this, [this](const QString &error) {
        // A rejected code leaves the challenge open: keep the code field usable.
        m_waitingForCode = m_garmin->lastFailure() == GarminConnectSso::Failure::MfaCodeRejected;
        setStatus(tr("Sign-in failed: %1").arg(error));
    });
    connect(m_garmin, &GarminConnectSso::mfaRequired, this, [this] {
        m_waitingForCode = true;
        setStatus(tr("Garmin sent a verification code. Enter it and press Submit code."));
        m_mfaCode->setFocus();
    });
    connect(m_garmin, &GarminConnectSso::uploadSucceeded, this, [this] {
        const QJsonObject result = m_garmin->lastUploadResult().value(QStringLiteral("detailedImportResult")).toObject();
        setStatus(tr("Upload accepted by Garmin Connect (upload id %1).")
                      .arg(result.value(QStringLiteral("uploadId")).toVariant().toString()));
    });
    connect(m_garmin, &GarminConnectSso::uploadFailed, this, [this](const QString &error) {
        setStatus(tr("Upload failed: %1").arg(error));
    });
    connect(m_garmin, &GarminConnectSso::loggedOut, this, [this] {
        m_waitingForCode = false;
        setStatus(tr("Signed out; tokens removed from settings."));
    });
    connect(m_garmin, &GarminConnectSso::busyChanged, this, &MainWindow::refreshEnabled);
    connect(m_garmin, &GarminConnectSso::authenticationChanged, this, &MainWindow::refreshEnabled);

    setStatus(m_garmin->isAuthenticated() ? tr("Signed in (session restored from settings).")
                                          : tr("Not signed in."));
}

void MainWindow::setEmail(const QString &email)
{
    m_email->setText(email);
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::signIn()
{
    if (m_email->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        setStatus(tr("Enter your Garmin email and password."));
        return;
    }
    setStatus(tr("Signing in…"));
    m_garmin->login(m_email->text().trimmed(), m_password->text());
}

void MainWindow::submitCode()
{
    if (m_mfaCode->text().trimmed().isEmpty())
        return;
    setStatus(tr("Checking the code…"));
    m_garmin->submitMfaCode(m_mfaCode->text().trimmed());
}

void MainWindow::chooseAndUpload()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Upload a FIT file"), QString(),
                                                      tr("FIT activities (*.fit *.FIT)"));
    if (path.isEmpty())
        return;
    setStatus(tr("Uploading %1…").arg(QFileInfo(path).fileName()));
    m_garmin->uploadFitFile(path);
}

void MainWindow::setStatus(const QString &text)
{
    m_status->setText(text);
    refreshEnabled();
}

void MainWindow::refreshEnabled()
{
    const bool busy = m_garmin->isBusy();
    const bool signedIn = m_garmin->isAuthenticated();
    m_signIn->setEnabled(!busy);
    m_mfaCode->setEnabled(m_waitingForCode);
    m_submitCode->setEnabled(m_waitingForCode && !busy);
    m_upload->setEnabled(signedIn && !busy);
    m_signOut->setEnabled(signedIn && !busy);
}
