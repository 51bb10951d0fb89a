// Web-view sign-in with QtWebEngine: shows Garmin's sign-in page, catches the final navigation to
// the app's service URL (…?ticket=ST-…) before it loads, and hands it to GarminConnectSso.
#pragma once

#include <QPointer>
#include <QUrl>
#include <QWebEngineView>

class GarminConnectSso;
class QWebEngineProfile;
class GarminSignInPage;
class GarminTicketInterceptor;

class GarminWebSignIn : public QWebEngineView
{
    Q_OBJECT
public:
    // `garmin` must outlive this view. The view uses a fresh off-the-record profile of its own (no
    // cookies of earlier sign-ins, nothing written to disk).
    explicit GarminWebSignIn(GarminConnectSso *garmin, QWidget *parent = nullptr);
    ~GarminWebSignIn() override;

    // Opens GarminConnectSso::webViewSignInUrl().
    void start();
    // True once the service-URL navigation was caught (and blocked) and handed over.
    bool ticketCaught() const { return m_caught; }

signals:
    // The navigation to the service URL was caught and blocked; the sign-in is being finished.
    // Carries no URL: the ticket is a credential.
    void ticketReceived();
    // GarminConnectSso signed in with the ticket (it also emitted authenticated()).
    void done();
    // The ticket exchange failed (or the page had no URL); the message never holds the ticket.
    void failed(const QString &message);

private:
    friend class GarminSignInPage;
    friend class GarminTicketInterceptor;
    // Both catchers end here; the first call wins. Returns true when `url` is the ticket navigation.
    bool catchTicket(const QUrl &url);

    QPointer<GarminConnectSso> m_garmin;
    QWebEngineProfile *m_profile = nullptr;
    GarminSignInPage *m_page = nullptr;
    GarminTicketInterceptor *m_interceptor = nullptr;
    bool m_caught = false;
};
