// The Kotlin bindings on the JVM (JNA) against the simulator: sign-in with MFA, upload, refresh,
// session JSON, typed errors, and an HTTP transport written in Kotlin (HttpURLConnection, redirects
// off) called from several threads.
//
// Usage: java -Djna.library.path=<dir of libgarmin_sso_uniffi.so> -cp <jar>:jna.jar MainKt <garmin-sso binary>
// Prints one line per check and a closing "N passed, M failed"; exits non-zero when anything failed.

import garmin.sso.GarminClient
import garmin.sso.GarminConfig
import garmin.sso.GarminException
import garmin.sso.HttpHeader
import garmin.sso.HttpRequest
import garmin.sso.HttpResponse
import garmin.sso.HttpTransport
import garmin.sso.LoginResult
import garmin.sso.MfaDelivery
import garmin.sso.RefreshListener
import garmin.sso.Session
import garmin.sso.SignInStrategy
import garmin.sso.TokenFamily
import garmin.sso.TransportFailure
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
            expect(challenge.delivery() is MfaDelivery.Email) { "delivery ${challenge.delivery()}" }
            expectThrows<GarminException.MfaCodeRejected> { challenge.submit("000000") }
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
            val session = signIn(GarminClient(GarminConfig(baseUrl = sim.baseUrl, tokenFamily = TokenFamily.DI), transport), PLAIN_EMAIL, PLAIN_PASSWORD)
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

        test("an exception thrown by the Kotlin transport becomes GarminException.Transport") {
            val throwing = object : HttpTransport {
                override fun send(request: HttpRequest): HttpResponse =
                    throw IllegalStateException("OkHttp exploded")
            }
            val broken = GarminClient(GarminConfig(baseUrl = sim.baseUrl, strategies = listOf(SignInStrategy.MOBILE)), throwing)
            val e = expectThrows<GarminException.Transport> { broken.login(PLAIN_EMAIL, PLAIN_PASSWORD) }
            expect(e.detail.contains("OkHttp exploded")) { "detail ${e.detail}" }
            val refusing = object : HttpTransport {
                override fun send(request: HttpRequest): HttpResponse = throw TransportFailure.Connect("refused")
            }
            val offline = GarminClient(GarminConfig(baseUrl = sim.baseUrl, strategies = listOf(SignInStrategy.MOBILE)), refusing)
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
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
