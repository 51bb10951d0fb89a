// The Kotlin bindings on the JVM (JNA) against the simulator: sign-in with MFA, upload, refresh,
// session JSON, typed errors (one GarminException per core ErrorKind), an HTTP transport written in
// Kotlin (HttpURLConnection, redirects off) called from several threads, refresh ahead of expiry by
// a Kotlin clock, resumeOrSignIn with a Kotlin token store and credentials provider, user agents,
// the iOS app preset, per-host endpoints and the log sink.
//
// Usage: java -cp garmin-sso-VERSION.jar:jna.jar:<this program's jar> MainKt <garmin-sso binary>
// (the library jar of scripts/package-kotlin.sh carries libgarmin_sso_uniffi where JNA finds it).
// Prints one line per check and a closing "N passed, M failed"; exits non-zero when anything failed.

import garmin.sso.Credentials
import garmin.sso.CredentialsProvider
import garmin.sso.Endpoints
import garmin.sso.GarminClient
import garmin.sso.GarminClock
import garmin.sso.GarminConfig
import garmin.sso.GarminException
import garmin.sso.HttpHeader
import garmin.sso.HttpRequest
import garmin.sso.HttpResponse
import garmin.sso.HttpTransport
import garmin.sso.LogLevel
import garmin.sso.LogSink
import garmin.sso.LoginResult
import garmin.sso.MfaMethod
import garmin.sso.MfaPrompt
import garmin.sso.RefreshListener
import garmin.sso.Session
import garmin.sso.TokenStore
import garmin.sso.TransportFailure
import garmin.sso.core.ErrorKind
import garmin.sso.core.Flow
import garmin.sso.core.MobileApp
import garmin.sso.core.TokenFamily
import garmin.sso.core.TokenPreference
import garmin.sso.setLogSink
import java.io.BufferedReader
import java.io.IOException
import java.io.InputStreamReader
import java.net.ConnectException
import java.net.HttpURLConnection
import java.net.Proxy
import java.net.SocketTimeoutException
import java.net.URI
import java.util.Collections
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.system.exitProcess

const val PLAIN_EMAIL = "kotlin@example.com"
const val PLAIN_PASSWORD = "kotlin-pw-1"
const val MFA_EMAIL = "kotlin-mfa@example.com"
const val MFA_PASSWORD = "kotlin-pw-2"
const val MFA_CODE = "135790"

/** The app's HTTP stack: HttpURLConnection without redirects, cookies or proxies. */
class UrlConnectionTransport : HttpTransport {
    val calls = AtomicInteger()
    val threads: MutableSet<Long> = Collections.synchronizedSet(mutableSetOf())

    // HttpURLConnection computes these itself and refuses to set them.
    private val restricted = setOf("content-length", "host", "connection")

    override fun send(request: HttpRequest): HttpResponse {
        calls.incrementAndGet()
        threads.add(Thread.currentThread().id)
        try {
            val conn = URI(request.url()).toURL().openConnection(Proxy.NO_PROXY) as HttpURLConnection
            conn.instanceFollowRedirects = false
            conn.useCaches = false
            conn.requestMethod = request.method()
            val timeout = request.timeoutMs().toLong().coerceAtMost(Int.MAX_VALUE.toLong()).toInt()
            conn.connectTimeout = timeout
            conn.readTimeout = timeout
            for (h in request.headers()) {
                if (h.name.lowercase() !in restricted) conn.addRequestProperty(h.name, h.value)
            }
            val body = request.body()
            if (body.isNotEmpty()) {
                conn.doOutput = true
                // No setFixedLengthStreamingMode: in streaming mode HttpURLConnection drops the body
                // of a 401, and the library needs it (it says why a sign-in was refused).
                conn.outputStream.use { it.write(body) }
            }
            val status = conn.responseCode
            val headers = conn.headerFields.flatMap { (name, values) ->
                if (name == null) emptyList() else values.map { HttpHeader(name, it) }
            }
            val stream = if (status >= 400) conn.errorStream else conn.inputStream
            val bytes = stream?.use { it.readNBytes(request.maxResponseBytes().toLong().coerceAtMost(64L shl 20).toInt() + 1) }
                ?: ByteArray(0)
            conn.disconnect()
            return HttpResponse(status.toUShort(), headers, bytes)
        } catch (e: SocketTimeoutException) {
            throw TransportFailure.Timeout(e.toString())
        } catch (e: ConnectException) {
            throw TransportFailure.Connect(e.toString())
        } catch (e: IOException) {
            throw TransportFailure.Io(e.toString())
        }
    }
}

class Simulator(binary: String) : AutoCloseable {
    private val process: Process = ProcessBuilder(
        binary, "simulate", "--listen", "127.0.0.1:0",
        "--account", "$PLAIN_EMAIL:$PLAIN_PASSWORD",
        "--account", "$MFA_EMAIL:$MFA_PASSWORD:$MFA_CODE",
    ).redirectError(ProcessBuilder.Redirect.DISCARD).start()
    val baseUrl: String

    init {
        process.outputStream.close()
        val line = BufferedReader(InputStreamReader(process.inputStream)).readLine()
        check(line != null && line.startsWith("http://127.0.0.1:")) { "the simulator did not start: $line" }
        baseUrl = line
    }

    fun admin(method: String, path: String): String {
        val conn = URI("$baseUrl/__sim/$path").toURL().openConnection(Proxy.NO_PROXY) as HttpURLConnection
        conn.requestMethod = method
        if (method == "POST") {
            conn.doOutput = true
            conn.outputStream.close()
        }
        return conn.inputStream.use { String(it.readAllBytes()) }
    }

    fun stat(name: String): Long =
        Regex("\"$name\"\\s*:\\s*(\\d+)").find(admin("GET", "stats"))?.groupValues?.get(1)?.toLong()
            ?: error("no $name in the simulator stats")

    /** The simulator's clock (what a Kotlin `GarminClock` shares with it). */
    fun now(): Long =
        Regex("\"now\"\\s*:\\s*(-?\\d+)").find(admin("GET", "clock"))?.groupValues?.get(1)?.toLong()
            ?: error("no now in the simulator clock")

    /** The routes of the recorded requests, in order. */
    fun routes(): List<String> =
        Regex("\"route\"\\s*:\\s*\"([a-z_]+)\"").findAll(admin("GET", "requests")).map { it.groupValues[1] }.toList()

    /** The recorded requests as (route, headers JSON, query), in order. */
    fun recorded(): List<Triple<String, String, String>> =
        Regex("\"headers\":(\\[.*?\\]\\]),\"method\":\"[A-Z]+\",\"path\":\"[^\"]*\",\"query\":\"([^\"]*)\",\"remote\":[^,]*,\"route\":\"([a-z_]+)\"")
            .findAll(admin("GET", "requests")).map { Triple(it.groupValues[3], it.groupValues[1], it.groupValues[2]) }.toList()

    /** The User-Agent headers of the recorded requests of one route. */
    fun userAgents(route: String): Set<String> =
        recorded().filter { it.first == route }.map {
            Regex("\\[\"(?i:user-agent)\"\\s*,\\s*\"([^\"]*)\"\\]").find(it.second)?.groupValues?.get(1) ?: "(none)"
        }.toSet()

    /** The Bearer tokens the recorded requests carried, in order. */
    fun bearers(): List<String> =
        Regex("\\[\"(?i:authorization)\"\\s*,\\s*\"Bearer ([^\"]+)\"\\]").findAll(admin("GET", "requests"))
            .map { it.groupValues[1] }.toList()

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

var passed = 0
var failed = 0

fun test(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("PASS $name")
    } catch (t: Throwable) {
        failed++
        println("FAIL $name: $t")
    }
}

fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun signIn(client: GarminClient, email: String, password: String, code: String? = null): Session =
    when (val r = client.login(email, password)) {
        is LoginResult.SignedIn -> r.session
        is LoginResult.MfaRequired -> r.challenge.submit(code ?: error("unexpected MFA for $email"))
    }

fun diAccessToken(session: Session): String =
    Regex("\"access_token\"\\s*:\\s*\"([^\"]+)\"").find(session.tokensJson())?.groupValues?.get(1)
        ?: error("no access token in the session JSON")

/** The app's token storage (Keystore, a database) in memory. */
class MemoryStore(var value: String? = null) : TokenStore {
    val saves = Collections.synchronizedList(mutableListOf<String>())
    override fun load(): String? = value
    override fun save(tokensJson: String) {
        saves.add(tokensJson)
        value = tokensJson
    }
    override fun clear() {
        value = null
    }
}

/** The app's sign-in screen: fixed answers, recording what it was asked. */
class Prompt(private val email: String, private val password: String, codes: List<String> = emptyList()) : CredentialsProvider {
    private val codes = ArrayDeque(codes)
    val prompts = Collections.synchronizedList(mutableListOf<MfaPrompt>())
    val credentialCalls = AtomicInteger()
    override fun credentials(): Credentials {
        credentialCalls.incrementAndGet()
        return Credentials(email, password)
    }
    override fun mfaCode(prompt: MfaPrompt): String {
        prompts.add(prompt)
        return codes.removeFirstOrNull() ?: throw GarminException.MfaRequired("the user cancelled")
    }
}

fun main(args: Array<String>) {
    val binary = args.firstOrNull() ?: run {
        System.err.println("usage: MainKt <garmin-sso binary>")
        exitProcess(2)
    }
    Simulator(binary).use { sim ->
        val transport = UrlConnectionTransport()
        val client = GarminClient(GarminConfig(baseUrl = sim.baseUrl), transport)
        val fit = ByteArray(600) { (it * 7 + 3).toByte() }

        test("MFA sign-in through the Kotlin transport; a wrong code leaves the challenge open") {
            val result = client.login(MFA_EMAIL, MFA_PASSWORD)
            expect(result is LoginResult.MfaRequired) { "expected an MFA challenge, got $result" }
            val challenge = (result as LoginResult.MfaRequired).challenge
            expect(challenge.method() is MfaMethod.Email) { "method ${challenge.method()}" }
            expect(challenge.flow() == Flow.MOBILE) { "flow ${challenge.flow()}" }
            val rejected = expectThrows<GarminException.MfaCodeRejected> { challenge.submit("000000") }
            expect(rejected.kind() == ErrorKind.MFA_CODE_REJECTED) { "kind ${rejected.kind()}" }
            val session = challenge.submit(MFA_CODE)
            expect(session.profile().displayName.isNotBlank()) { "no display name" }
            expect(transport.calls.get() > 0) { "the Kotlin transport was not used" }
            expectThrows<GarminException.MfaChallengeEnded> { challenge.submit(MFA_CODE) }
        }

        test("upload, then the same file again is DuplicateActivity") {
            val session = signIn(client, MFA_EMAIL, MFA_PASSWORD, MFA_CODE)
            val uploaded = session.uploadFit("kotlin.fit", fit)
            expect(uploaded.uploadId != null) { "no upload id in ${uploaded.raw}" }
            expect(uploaded.successes.size == 1 && uploaded.failures.isEmpty()) { "result $uploaded" }
            val dup = expectThrows<GarminException.DuplicateActivity> { session.uploadFit("kotlin.fit", fit) }
            expect(dup.response.contains("Duplicate Activity")) { "response ${dup.response}" }
            expect(sim.stat("uploads") == 1L && sim.stat("duplicate_uploads") == 1L) { "simulator counts" }
        }

        test("wrong password is InvalidCredentials") {
            expectThrows<GarminException.InvalidCredentials> { client.login(PLAIN_EMAIL, "not-the-password") }
        }

        test("refresh tells the listener the new session JSON; a 401 refreshes once") {
            val session = signIn(GarminClient(GarminConfig(baseUrl = sim.baseUrl, tokens = TokenPreference.DI), transport), PLAIN_EMAIL, PLAIN_PASSWORD)
            expect(session.tokenSummary().family == TokenFamily.DI) { "family ${session.tokenSummary().family}" }
            val saved = Collections.synchronizedList(mutableListOf<String>())
            session.setRefreshListener(object : RefreshListener {
                override fun onRefresh(tokensJson: String) {
                    saved.add(tokensJson)
                }
            })
            val before = sim.stat("di_refreshes")
            val old = session.tokensJson()
            session.refresh()
            expect(saved.size == 1 && saved[0] == session.tokensJson() && saved[0] != old) { "listener got ${saved.size}" }
            sim.admin("POST", "expire?what=access")
            expect(session.profile().displayName.isNotBlank()) { "no profile after 401" }
            expect(sim.stat("di_refreshes") == before + 2) { "refreshes ${sim.stat("di_refreshes") - before}" }
            // Cleared: the next refresh is not told.
            session.setRefreshListener(null)
            session.refresh()
            expect(saved.size == 2) { "a cleared listener was told (${saved.size})" }
        }

        test("session JSON round-trip into a new client") {
            val session = signIn(client, PLAIN_EMAIL, PLAIN_PASSWORD)
            val json = session.tokensJson()
            expect(json.contains("\"schema_version\":1")) { "no schema_version" }
            val restored = GarminClient(GarminConfig(baseUrl = sim.baseUrl), null).restoreSession(json)
            expect(restored.tokensJson() == json) { "tokens changed" }
            expect(restored.profile().displayName == session.profile().displayName) { "different profile" }
            expectThrows<GarminException.InvalidInput> { client.restoreSession("{not json") }
        }

        test("the Kotlin transport from several threads") {
            val threads = 4
            val barrier = CyclicBarrier(threads)
            val errors = Collections.synchronizedList(mutableListOf<Throwable>())
            val workers = (0 until threads).map { i ->
                Thread {
                    try {
                        barrier.await(30, TimeUnit.SECONDS)
                        val s = if (i % 2 == 0) signIn(client, PLAIN_EMAIL, PLAIN_PASSWORD)
                        else signIn(client, MFA_EMAIL, MFA_PASSWORD, MFA_CODE)
                        check(s.profile().displayName.isNotBlank())
                    } catch (t: Throwable) {
                        errors.add(t)
                    }
                }.also { it.start() }
            }
            workers.forEach { it.join(120_000) }
            expect(errors.isEmpty()) { "thread errors: $errors" }
            expect(transport.threads.size >= threads) { "transport saw ${transport.threads.size} threads" }
        }

        test("an exception thrown by the Kotlin transport becomes GarminException.Network naming it") {
            val throwing = object : HttpTransport {
                override fun send(request: HttpRequest): HttpResponse =
                    throw IllegalStateException("OkHttp exploded")
            }
            val broken = GarminClient(GarminConfig(baseUrl = sim.baseUrl, strategies = listOf(Flow.MOBILE)), throwing)
            val e = expectThrows<GarminException.Network> { broken.login(PLAIN_EMAIL, PLAIN_PASSWORD) }
            expect(e.detail.contains("the app's transport threw") && e.detail.contains("OkHttp exploded")) { "detail ${e.detail}" }
            val refusing = object : HttpTransport {
                override fun send(request: HttpRequest): HttpResponse = throw TransportFailure.Connect("refused")
            }
            val offline = GarminClient(GarminConfig(baseUrl = sim.baseUrl, strategies = listOf(Flow.MOBILE)), refusing)
            expectThrows<GarminException.Network> { offline.login(PLAIN_EMAIL, PLAIN_PASSWORD) }
        }

        test("a request prints without its secrets") {
            val printed = Collections.synchronizedList(mutableListOf<String>())
            val recording = object : HttpTransport {
                override fun send(request: HttpRequest): HttpResponse {
                    printed.add(request.toString())
                    return transport.send(request)
                }
            }
            signIn(GarminClient(GarminConfig(baseUrl = sim.baseUrl), recording), PLAIN_EMAIL, PLAIN_PASSWORD)
            expect(printed.isNotEmpty()) { "nothing sent" }
            expect(printed.none { it.contains(PLAIN_PASSWORD) || it.contains("ticket=") }) { "a secret was printed" }
        }

        test("user agents from the config reach Garmin") {
            sim.admin("POST", "requests/clear")
            val di = GarminConfig(baseUrl = sim.baseUrl, tokens = TokenPreference.DI, ssoUserAgent = "kt-sso/1", apiUserAgent = "kt-api/2")
            expect(signIn(GarminClient(di, transport), PLAIN_EMAIL, PLAIN_PASSWORD).profile().displayName.isNotBlank()) { "no profile" }
            expect(sim.userAgents("mobile_login") == setOf("kt-sso/1")) { "sign-in UA ${sim.userAgents("mobile_login")}" }
            expect(sim.userAgents("di_token") == setOf("kt-api/2")) { "DI UA ${sim.userAgents("di_token")}" }
            expect(sim.userAgents("social_profile") == setOf("kt-api/2")) { "API UA ${sim.userAgents("social_profile")}" }
            sim.admin("POST", "requests/clear")
            val legacy = GarminConfig(baseUrl = sim.baseUrl, tokens = TokenPreference.LEGACY, oauthUserAgent = "kt-oauth/3")
            expect(signIn(GarminClient(legacy, transport), PLAIN_EMAIL, PLAIN_PASSWORD).profile().displayName.isNotBlank()) { "no profile" }
            for (route in listOf("preauthorized", "exchange", "social_profile")) {
                expect(sim.userAgents(route) == setOf("kt-oauth/3")) { "$route UA ${sim.userAgents(route)}" }
            }
        }

        test("the iOS preset signs in as Garmin's iOS app") {
            sim.admin("POST", "requests/clear")
            val ios = GarminClient(GarminConfig(baseUrl = sim.baseUrl, mobileApp = MobileApp.IOS), transport)
            expect(ios.webviewServiceUrl() == "https://mobile.integration.garmin.com/gcm/ios") { "service ${ios.webviewServiceUrl()}" }
            expect(ios.browserSignInUrl().contains("clientId=GCM_IOS_DARK")) { "url ${ios.browserSignInUrl()}" }
            expect(signIn(ios, MFA_EMAIL, MFA_PASSWORD, MFA_CODE).profile().displayName.isNotBlank()) { "no profile" }
            val query = sim.recorded().first { it.first == "mobile_login" }.third
            expect(query.contains("clientId=GCM_IOS_DARK") && query.contains("gcm%2Fios")) { "query $query" }
            expect(client.webviewServiceUrl().endsWith("/gcm/android")) { "the default is not Android" }
        }

        test("every host can be set on its own") {
            sim.admin("POST", "requests/clear")
            val hosts = Endpoints(
                sso = sim.baseUrl, connectapi = sim.baseUrl, connect = sim.baseUrl, diauth = sim.baseUrl,
                services = sim.baseUrl, consumerUrl = "${sim.baseUrl}/oauth_consumer.json",
            )
            // No baseUrl: without every host at the simulator, the sign-in would go to Garmin.
            val explicit = GarminClient(GarminConfig(endpoints = hosts, tokens = TokenPreference.LEGACY), transport)
            expect(signIn(explicit, PLAIN_EMAIL, PLAIN_PASSWORD).profile().displayName.isNotBlank()) { "no profile" }
            val routes = sim.routes().toSet()
            expect(routes.containsAll(listOf("consumer", "mobile_login", "preauthorized", "exchange", "social_profile"))) { "routes $routes" }
            val logins = sim.stat("mobile_login")
            val deadSso = GarminClient(GarminConfig(endpoints = hosts.copy(sso = "http://127.0.0.1:9"), strategies = listOf(Flow.MOBILE)), null)
            expectThrows<GarminException.Network> { deadSso.login(PLAIN_EMAIL, PLAIN_PASSWORD) }
            expect(sim.stat("mobile_login") == logins) { "the sign-in went to the simulator's sso" }
            expectThrows<GarminException.InvalidInput> {
                GarminClient(GarminConfig(endpoints = Endpoints(diauth = "http://user:pw@127.0.0.1/")), null)
            }
        }

        test("every ErrorKind has its own GarminException case") {
            val cases = GarminException::class.java.declaredClasses
                .filter { GarminException::class.java.isAssignableFrom(it) }.map { it.simpleName }.toSet()
            val camel = ErrorKind.values().map { k -> k.name.lowercase().split("_").joinToString("") { it.replaceFirstChar(Char::uppercase) } }
            expect(camel.all { it in cases }) { "missing: ${camel - cases}" }
            expect(cases.size == camel.size) { "cases $cases for kinds $camel" }
        }

        test("the log sink gets the library's records, filtered, without secrets") {
            val records = Collections.synchronizedList(mutableListOf<Triple<LogLevel, String, String>>())
            setLogSink(object : LogSink {
                override fun log(level: LogLevel, target: String, message: String) {
                    records.add(Triple(level, target, message))
                }
            }, LogLevel.TRACE)
            val session = try {
                signIn(GarminClient(GarminConfig(baseUrl = sim.baseUrl, tokens = TokenPreference.DI), null), PLAIN_EMAIL, PLAIN_PASSWORD)
                    .also { it.refresh() }
            } finally {
                setLogSink(null, LogLevel.TRACE)
            }
            val seen = records.toList()
            expect(seen.any { it.third.contains("refreshed") }) { "no refresh record in $seen" }
            expect(seen.all { it.second.startsWith("garmin_sso") || it.first == LogLevel.WARN || it.first == LogLevel.ERROR }) { "unfiltered $seen" }
            val access = diAccessToken(session)
            expect(seen.none { it.third.contains(PLAIN_PASSWORD) || it.third.contains(access) || it.third.contains("ticket=ST-") }) { "a secret was logged" }
            session.refresh()
            expect(records.size == seen.size) { "records after the sink was removed" }
        }

        // These move the simulator's clock, so they come last.
        test("a Kotlin clock shared with the simulator refreshes ahead of expiry, before the one API call") {
            val clock = object : GarminClock {
                override fun nowUnixSeconds(): Long = sim.now()
            }
            val session = signIn(GarminClient(GarminConfig(baseUrl = sim.baseUrl, tokens = TokenPreference.DI), transport, clock), PLAIN_EMAIL, PLAIN_PASSWORD)
            val saved = Collections.synchronizedList(mutableListOf<String>())
            session.setRefreshListener(object : RefreshListener {
                override fun onRefresh(tokensJson: String) {
                    saved.add(tokensJson)
                }
            })
            val old = diAccessToken(session)
            val before = sim.stat("di_refreshes")
            // Inside the 300 s margin, before expiry: the server still takes the old token, so only the
            // client's clock can be the reason to refresh.
            val remaining = session.tokenSummary().expiresAt - sim.now()
            sim.admin("POST", "clock/advance?secs=${remaining - 60}")
            sim.admin("POST", "requests/clear")
            expect(session.profile().displayName.isNotBlank()) { "no profile" }
            expect(sim.routes() == listOf("di_token", "social_profile")) { "requests ${sim.routes()}" }
            expect(sim.stat("di_refreshes") == before + 1) { "refreshes ${sim.stat("di_refreshes") - before}" }
            val new = diAccessToken(session)
            expect(new != old && sim.bearers() == listOf(new)) { "the API call did not carry the new token" }
            expect(saved == listOf(session.tokensJson())) { "listener got ${saved.size}" }
        }

        test("resumeOrSignIn: MFA sign-in through the provider, then resumed from the store without a sign-in") {
            val store = MemoryStore()
            val prompt = Prompt(MFA_EMAIL, MFA_PASSWORD, listOf("000000", MFA_CODE))
            val session = GarminClient(GarminConfig(baseUrl = sim.baseUrl), transport).resumeOrSignIn(store, prompt)
            expect(prompt.credentialCalls.get() == 1) { "credentials asked ${prompt.credentialCalls.get()} times" }
            expect(prompt.prompts.map { it.attempt } == listOf(1u, 2u)) { "prompts ${prompt.prompts}" }
            expect(prompt.prompts[0].method is MfaMethod.Email) { "method ${prompt.prompts[0].method}" }
            expect(prompt.prompts[0].flow == Flow.MOBILE) { "flow ${prompt.prompts[0].flow}" }
            expect(store.saves == listOf(session.tokensJson())) { "saved ${store.saves.size}" }

            val logins = sim.stat("mobile_login")
            val again = Prompt(MFA_EMAIL, MFA_PASSWORD)
            val resumed = GarminClient(GarminConfig(baseUrl = sim.baseUrl), transport).resumeOrSignIn(store, again)
            expect(again.credentialCalls.get() == 0) { "asked for credentials with a valid stored session" }
            expect(sim.stat("mobile_login") == logins) { "signed in again" }
            expect(resumed.tokensJson() == session.tokensJson()) { "different tokens" }
            expect(resumed.profile().displayName.isNotBlank()) { "no profile" }
        }

        test("resumeOrSignIn with a wrong password is InvalidCredentials and saves nothing; Credentials hide the password") {
            val store = MemoryStore()
            expectThrows<GarminException.InvalidCredentials> {
                GarminClient(GarminConfig(baseUrl = sim.baseUrl), transport).resumeOrSignIn(store, Prompt(PLAIN_EMAIL, "kotlin-wrong-pw"))
            }
            expect(store.saves.isEmpty() && store.value == null) { "something was saved" }
            val printed = Credentials(PLAIN_EMAIL, "kotlin-secret-pw").toString()
            expect(!printed.contains("kotlin-secret-pw") && printed.contains(PLAIN_EMAIL)) { "printed $printed" }
        }

        // Expires every token the simulator issued: last.
        test("no planted or wire secret in any error or log line, on every error path") {
            val wrongPassword = "kotlin-wrong-Pa55word"
            val wrongCode = "975310"
            val plantedTicket = "ST-0975310-plantedticket-cas"
            val secrets = mutableSetOf(PLAIN_PASSWORD, MFA_PASSWORD, MFA_CODE, wrongPassword, wrongCode, plantedTicket)
            val texts = mutableListOf<String>()
            val lines = Collections.synchronizedList(mutableListOf<String>())
            fun attempt(block: () -> Unit) {
                try {
                    block()
                } catch (e: GarminException) {
                    texts += e.toString()
                    texts += e.message ?: ""
                }
            }
            fun keep(session: Session) {
                Regex("\"(access_token|refresh_token|oauth_token_secret)\"\\s*:\\s*\"([^\"]+)\"")
                    .findAll(session.tokensJson()).forEach { secrets += it.groupValues[2] }
            }
            fun login(c: GarminClient, email: String, password: String): Session? {
                var s: Session? = null
                attempt {
                    when (val r = c.login(email, password)) {
                        is LoginResult.SignedIn -> s = r.session
                        is LoginResult.MfaRequired -> {
                            attempt { r.challenge.submit(wrongCode) }
                            attempt { s = r.challenge.submit(MFA_CODE) }
                        }
                    }
                }
                s?.let(::keep)
                return s
            }
            // The tests before moved the simulator's clock: OAuth1 timestamps follow it.
            val clock = object : GarminClock {
                override fun nowUnixSeconds(): Long = sim.now()
            }
            val targets = listOf("widget_page", "widget_login", "mobile_page", "mobile_login", "portal_page", "portal_login",
                "consumer", "preauthorized", "exchange", "di_token", "it_token", "api")
            val faults = listOf("429&retry_after=7", "429_body", "403", "5xx&code=502", "malformed", "captcha")
            setLogSink(object : LogSink {
                override fun log(level: LogLevel, target: String, message: String) {
                    lines.add(message)
                }
            }, LogLevel.TRACE)
            try {
                val kept = mutableListOf<Session>()
                for (flow in listOf(Flow.WIDGET, Flow.MOBILE, Flow.PORTAL)) for (family in listOf(TokenPreference.LEGACY, TokenPreference.DI)) {
                    val c = GarminClient(GarminConfig(baseUrl = sim.baseUrl, strategies = listOf(flow), tokens = family), transport, clock)
                    login(c, PLAIN_EMAIL, PLAIN_PASSWORD)?.let { if (flow == Flow.WIDGET) kept += it }
                    expect(login(c, MFA_EMAIL, MFA_PASSWORD) != null) { "MFA sign-in failed: ${texts.lastOrNull()}" }
                    expect(login(c, PLAIN_EMAIL, wrongPassword) == null) { "a wrong password signed in" }
                    // The fault matrix for widget+legacy, mobile+DI and portal+DI, every target each.
                    if ((flow == Flow.WIDGET) != (family == TokenPreference.LEGACY)) continue
                    for (target in targets) for (fault in faults) {
                        sim.admin("POST", "fault?target=$target&kind=$fault&times=always")
                        login(c, PLAIN_EMAIL, PLAIN_PASSWORD)
                        login(c, MFA_EMAIL, MFA_PASSWORD)
                        kept.forEach { k -> attempt { k.refresh() }; attempt { k.profile() } }
                        sim.admin("POST", "clear")
                        sim.admin("POST", "ratelimit/clear")
                    }
                }
                sim.admin("POST", "expire?what=all")
                kept.forEach { k -> attempt { k.refresh() }; attempt { k.profile() } }
                val c = GarminClient(GarminConfig(baseUrl = sim.baseUrl), transport, clock)
                for (broken in listOf(
                    "{\"schema_version\":1,\"kind\":\"$wrongPassword\"}",
                    "{\"schema_version\":1,\"kind\":\"di\",\"di\":{\"access_token\":\"$wrongPassword\"}}",
                    "{\"schema_version\":\"$wrongPassword\"}",
                    "{\"oauth1\":{\"oauth_token_secret\":\"$wrongPassword\",\"x\":",
                )) attempt { c.restoreSession(broken) }
                attempt { c.exchangeWebview("https://mobile.integration.garmin.com/gcm/android?ticket=$plantedTicket") }
                attempt { GarminClient(GarminConfig(baseUrl = "http://user:$wrongPassword@127.0.0.1:1/"), null) }
            } finally {
                setLogSink(null, LogLevel.TRACE)
            }
            // What went over the wire: cookie values, bearer tokens, tickets, codes, refresh tokens.
            val requests = sim.admin("GET", "requests")
            secrets += sim.bearers()
            Regex("\\[\"(?i:cookie)\"\\s*,\\s*\"([^\"]*)\"\\]").findAll(requests).forEach { m ->
                m.groupValues[1].split(";").mapNotNull { it.split("=", limit = 2).getOrNull(1)?.trim() }.forEach { secrets += it }
            }
            Regex("(?:ticket|service_ticket|refresh_token|mfa_token|code|_csrf)=([^&\"\\\\]+)").findAll(requests).forEach { secrets += it.groupValues[1] }
            val haystack = (texts + lines).joinToString("\n")
            val leaks = secrets.filter { it.length >= 6 && haystack.contains(it) }
            println("  ${texts.size / 2} errors, ${lines.size} log lines, ${secrets.size} secrets")
            expect(texts.size > 200) { "the scenarios produced only ${texts.size / 2} errors" }
            expect(lines.isNotEmpty()) { "the sink saw no log line" }
            expect(leaks.isEmpty()) { "${leaks.size} secrets leaked (first bytes ${leaks.map { it.take(3) }.take(5)})" }
        }
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
