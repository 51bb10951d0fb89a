#include "garmin_web_sign_in.h"

#include "garminconnect_sso.h"

#include <QLoggingCategory>
#include <QTimer>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineUrlRequestInfo>
#include <QWebEngineUrlRequestInterceptor>

Q_LOGGING_CATEGORY(lcGarminWeb, "garmin.sso.webview")

// First catcher: the page's navigation decision. Server redirects (the sign-in POST's 302 to the
// service URL) arrive here as NavigationTypeRedirect (Qt >= 5.14).
class GarminSignInPage : public QWebEnginePage
{
public:
    GarminSignInPage(QWebEngineProfile *profile, GarminWebSignIn *owner)
        : QWebEnginePage(profile, owner), m_owner(owner)
    {
    }

protected:
    bool acceptNavigationRequest(const QUrl &url, NavigationType type, bool isMainFrame) override
    {
        if (isMainFrame && m_owner->catchTicket(url))
            return false; // the service URL itself is never loaded
        return QWebEnginePage::acceptNavigationRequest(url, type, isMainFrame);
    }

    // Pages may print anything; keep it out of the app's log unless asked for.
    void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel, const QString &, int, const QString &) override {}

private:
    GarminWebSignIn *m_owner;
};

// Second catcher: every request the profile makes. Installed with setUrlRequestInterceptor (Qt >= 5.13)
// it runs on the UI thread. Blocks a ticket URL even if a navigation path bypassed the page, so no
// request for it leaves; on its own it would still let the view commit an error page at that URL,
// which is why the page's refusal above comes first.
class GarminTicketInterceptor : public QWebEngineUrlRequestInterceptor
{
public:
    explicit GarminTicketInterceptor(GarminWebSignIn *owner) : QWebEngineUrlRequestInterceptor(owner), m_owner(owner) {}

    void interceptRequest(QWebEngineUrlRequestInfo &info) override
    {
        if (GarminConnectSso::isTicketNavigation(info.requestUrl())) {
            info.block(true);
            m_owner->catchTicket(info.requestUrl());
        }
    }

private:
    GarminWebSignIn *m_owner;
};

GarminWebSignIn::GarminWebSignIn(GarminConnectSso *garmin, QWidget *parent)
    : QWebEngineView(parent), m_garmin(garmin)
{
    m_profile = new QWebEngineProfile(this); // no storage name: off the record
    m_interceptor = new GarminTicketInterceptor(this);
    m_profile->setUrlRequestInterceptor(m_interceptor);
    m_page = new GarminSignInPage(m_profile, this);
    setPage(m_page);

    connect(garmin, &GarminConnectSso::authenticated, this, [this] {
        if (m_caught)
            emit done();
    });
    connect(garmin, &GarminConnectSso::authenticationFailed, this, [this](const QString &why) {
        if (m_caught)
            emit failed(why);
    });
}

GarminWebSignIn::~GarminWebSignIn()
{
    // The page before its profile (QtWebEngine warns, and may crash, the other way round).
    m_profile->setUrlRequestInterceptor(nullptr);
    delete m_page;
    m_page = nullptr;
}

void GarminWebSignIn::start()
{
    m_caught = false;
    const QUrl url = m_garmin ? m_garmin->webViewSignInUrl() : QUrl();
    if (!url.isValid() || url.isEmpty()) {
        QTimer::singleShot(0, this, [this] { emit failed(QStringLiteral("no web-view sign-in URL")); });
        return;
    }
    qCInfo(lcGarminWeb) << "opening the sign-in page on" << url.host();
    load(url);
}

bool GarminWebSignIn::catchTicket(const QUrl &url)
{
    if (!GarminConnectSso::isTicketNavigation(url))
        return false;
    if (m_caught)
        return true; // the other catcher already handed it over
    m_caught = true;
    // Never log the URL: the ticket is a credential. The host is enough to follow what happened.
    qCInfo(lcGarminWeb) << "caught the service-URL navigation to" << url.host() << "; finishing the sign-in";
    const QString text = url.toString(QUrl::FullyEncoded);
    // Out of the navigation callback before the page is touched.
    QTimer::singleShot(0, this, [this, text] {
        triggerPageAction(QWebEnginePage::Stop);
        emit ticketReceived();
        if (m_garmin)
            m_garmin->signInWithWebViewTicket(text);
        else
            emit failed(QStringLiteral("the GarminConnectSso object is gone"));
    });
    return true;
}
