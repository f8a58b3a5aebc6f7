package io.polarway.source.http;

import com.fasterxml.jackson.core.JsonParser;
import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import io.polarway.api.Credentials;
import io.polarway.api.Secret;
import io.polarway.api.StatsRecorder;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.ConnectorException;
import io.polarway.error.NetworkException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.records.JsonValues;
import io.polarway.retry.RetryAfter;
import io.polarway.retry.RetryPolicies;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sends one source's requests: credentials applied only to the configured origin (the location's scheme, host and
 * port), so neither a redirect nor a next-page link to another host ever receives them; redirects followed by hand, a rejected OAuth2 token renewed once per request, the rate limit
 * applied to every request (retries included), and failures retried under a Failsafe {@link Execution} that the caller
 * may keep across a page (a body that breaks half-way is fetched again under the same budget).
 *
 * <p>Built on Apache HttpClient 5 (classic, blocking): its pool size, keep-alive and socket read timeout are set per
 * source, which the JDK's client only offers as JVM-wide system properties, and the read timeout also ends a body that
 * stalls. Used by one thread at a time. Never puts a secret in a message: URLs are redacted and error bodies have the
 * known secrets masked.
 */
final class HttpTransport implements Closeable {
    private static final String USER_AGENT = "polarway-http/0.1";
    private static final int ERROR_SNIPPET_BYTES = 1024;
    private static final int ERROR_SNIPPET_CHARS = 200;

    private final HttpSettings settings;
    private final Credentials credentials;
    private final StatsRecorder stats;
    private final Clock clock;
    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    private final RetryPolicy<Object> retryPolicy;
    private final TokenBucket rateLimiter;
    private final OAuth2Tokens tokens;
    private final Set<String> secretParams = new LinkedHashSet<>();

    HttpTransport(HttpSettings settings, Credentials credentials, StatsRecorder stats, Clock clock) {
        this.settings = settings;
        this.credentials = credentials;
        this.stats = stats;
        this.clock = clock;
        if (!(credentials instanceof Credentials.None || credentials instanceof Credentials.Bearer
                || credentials instanceof Credentials.Basic || credentials instanceof Credentials.ApiKey
                || credentials instanceof Credentials.OAuth2)) {
            throw new ConfigException(null, "the http source takes bearer, basic, api-key or oauth2 credentials, not "
                    + credentials.scheme(), List.of(), null);
        }
        if (credentials instanceof Credentials.ApiKey k && k.inQuery()) secretParams.add(k.name());
        Timeout timeout = Timeout.of(settings.retry().timeout());
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(settings.poolSize())
                .setMaxConnPerRoute(settings.poolSize())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout)
                        .setSocketTimeout(timeout)
                        // a pooled connection idle this long is checked before reuse (servers drop idle ones)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .build();
        HttpClientBuilder b = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(USER_AGENT);
        if (!settings.keepAlive()) b.setConnectionReuseStrategy((request, response, context) -> false);
        this.client = b.build();
        this.retryPolicy = RetryPolicies.<Object>builder(settings.retry(), HttpTransport::retryable).build();
        this.rateLimiter = settings.rateLimitRps() > 0
                ? new TokenBucket(settings.rateLimitBurst(), settings.rateLimitRps(), System::nanoTime) : null;
        this.tokens = credentials instanceof Credentials.OAuth2 o
                ? new OAuth2Tokens(o, settings.oauth2BasicAuth(), this::postToken, clock) : null;
    }

    /** Failures worth another try: retryable statuses, and I/O errors other than TLS trust failures. */
    static boolean retryable(Throwable t) {
        if (t instanceof HttpStatusFailure h) return h.retryableStatus();
        if (t instanceof java.io.InterruptedIOException && !(t instanceof java.net.SocketTimeoutException)
                || Thread.currentThread().isInterrupted()) {
            return false; // the reading thread was interrupted: stop, do not retry
        }
        return t instanceof IOException && !(t instanceof SSLHandshakeException)
                && !(t instanceof SSLPeerUnverifiedException);
    }

    /** A retry budget for one page: every failure of its request or body counts against it. */
    Execution<Object> newExecution() {
        return Execution.of(retryPolicy);
    }

    /** Query parameters whose values are redacted in messages (an API key sent in the query). */
    Set<String> secretParams() {
        return secretParams;
    }

    String redact(URI uri) {
        return Urls.redact(uri, secretParams);
    }

    /** Token requests sent (OAuth2), for tests. */
    int tokenFetches() {
        return tokens == null ? 0 : tokens.fetches();
    }

    /**
     * Sends {@code request} until a 2xx answer, retrying under {@code execution}.
     *
     * @return the open response; the caller reads its body and closes it
     * @throws PolarwayException Network (retries exhausted), Auth (401/403), Connector (other 4xx, redirects)
     */
    OpenResponse open(PageRequest request, Execution<Object> execution, Where where) {
        while (true) {
            try {
                return sendOnce(request, where);
            } catch (HttpStatusFailure | IOException e) {
                afterFailure(execution, e, request, where);
            }
        }
    }

    /**
     * Records a failure of {@code request} (or of reading its body) and waits before the next try.
     *
     * @throws PolarwayException when the failure is not retryable or the retries are over
     */
    void afterFailure(Execution<Object> execution, Exception failure, PageRequest request, Where where) {
        boolean mayRetry = request.idempotent() || settings.retryNonIdempotent()
                || failure instanceof ConnectException; // nothing reached the server
        if (!mayRetry) {
            throw mapped(failure, 1, where, " (" + request.method() + " is not retried unless retry_non_idempotent=true)");
        }
        execution.recordException(failure);
        if (execution.isComplete()) {
            int attempts = execution.getAttemptCount();
            Duration asked = RetryPolicies.hintOf(failure);
            String more = settings.retry().exceedsMaxDelay(asked)
                    ? "; the server asked to wait " + asked.toSeconds() + " s (Retry-After), more than retry_max_delay_ms="
                    + settings.retry().maxRetryDelay().toMillis()
                    : "";
            throw mapped(failure, attempts, where, more);
        }
        stats.count("http_retries", 1);
        sleep(execution.getDelay(), where);
    }

    private static void sleep(Duration d, Where where) {
        if (d.isZero() || d.isNegative()) return;
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while waiting to retry", where, e, false);
        }
    }

    private PolarwayException mapped(Exception failure, int attempts, Where where, String more) {
        String tries = attempts > 1 ? " after " + attempts + " attempts" : "";
        if (failure instanceof HttpStatusFailure h) {
            if (h.status == 401 || h.status == 403) {
                return new AuthException(h.getMessage() + ": the server rejected the credentials ("
                        + credentials.scheme() + ")" + tries + more, where, null);
            }
            if (h.retryableStatus()) return new NetworkException(h.getMessage() + tries + more, where, null, true);
            return new ConnectorException("http", h.getMessage() + more, where, null, false);
        }
        String what = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        return new NetworkException("request failed" + tries + ": " + what + more, where, failure,
                retryable(failure));
    }

    /** One try: the request and its redirects. */
    private OpenResponse sendOnce(PageRequest request, Where where) throws IOException {
        // credentials go to the configured origin only: not to a host a redirect or a next link points to
        URI origin = settings.base().uri();
        URI uri = request.uri();
        String method = request.method();
        byte[] body = request.body();
        boolean renewed = false;
        for (int hop = 0; ; ) {
            boolean trusted = Urls.sameOrigin(uri, origin);
            Secret usedToken = trusted && tokens != null ? tokens.token() : null;
            URI target = trusted ? withQueryCredentials(uri) : uri;
            BasicClassicHttpRequest r = new BasicClassicHttpRequest(method, target);
            for (Map.Entry<String, String> h : settings.headers().entrySet()) {
                if (trusted || !sensitiveHeader(h.getKey())) r.addHeader(h.getKey(), h.getValue());
            }
            if (trusted) authorize(r, usedToken);
            if (!settings.keepAlive()) r.setHeader("Connection", "close");
            if (body != null) {
                r.setEntity(new ByteArrayEntity(body, request.contentType() == null ? null
                        : ContentType.parse(request.contentType())));
            }
            acquirePermit(where);
            stats.count("http_requests", 1);
            ClassicHttpResponse response = client.executeOpen(null, r, HttpClientContext.create());
            int status = response.getCode();
            if (status >= 300 && status < 400 && status != 304 && response.getFirstHeader("Location") != null) {
                String location = response.getFirstHeader("Location").getValue();
                abort(response);
                if (hop >= settings.maxRedirects()) {
                    throw new ConnectorException("http", "more than " + settings.maxRedirects()
                            + " redirects (max_redirects)", where, null, false);
                }
                hop++;
                stats.count("http_redirects", 1);
                uri = uri.resolve(location.trim());
                if (status == 303 || (status == 301 || status == 302) && method.equals("POST")) {
                    method = "GET"; // as browsers and RFC 9110 §15.4 allow; 307/308 keep method and body
                    body = null;
                }
                continue;
            }
            if (status == 401 && usedToken != null && !renewed && tokens.canRenew()) {
                abort(response);
                tokens.invalidate(usedToken);
                renewed = true;
                stats.count("oauth2_token_renewals_on_401", 1);
                continue;
            }
            if (status >= 200 && status < 300) return new OpenResponse((CloseableHttpResponse) response, uri, stats);
            throw failure(response, status);
        }
    }

    private HttpStatusFailure failure(ClassicHttpResponse response, int status) {
        Header ra = response.getFirstHeader("Retry-After");
        Duration retryAfter = ra == null ? null : RetryAfter.parse(ra.getValue(), clock.instant()).orElse(null);
        String snippet = null;
        try {
            HttpEntity e = response.getEntity();
            if (e != null) {
                try (InputStream in = e.getContent()) {
                    snippet = new String(in.readNBytes(ERROR_SNIPPET_BYTES), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the status says enough
        } finally {
            abort(response);
        }
        return new HttpStatusFailure(status, response.getReasonPhrase(), retryAfter, maskSecrets(snippet));
    }

    /** The error body's start, one line, with every known secret masked (servers sometimes echo requests). */
    private String maskSecrets(String text) {
        if (text == null) return null;
        String t = text.replaceAll("\\s+", " ").trim();
        for (String secret : secretValues()) {
            if (!secret.isEmpty()) t = t.replace(secret, "****");
        }
        return t.length() > ERROR_SNIPPET_CHARS ? t.substring(0, ERROR_SNIPPET_CHARS) + "…" : t;
    }

    private List<String> secretValues() {
        List<String> out = new ArrayList<>();
        if (credentials instanceof Credentials.Bearer b) {
            out.add(b.token().reveal());
        } else if (credentials instanceof Credentials.Basic b) {
            out.add(b.password().reveal());
            out.add(basic(b.username(), b.password().reveal()));
        } else if (credentials instanceof Credentials.ApiKey k) {
            out.add(k.key().reveal());
        } else if (credentials instanceof Credentials.OAuth2 o) {
            if (o.clientSecret() != null) out.add(o.clientSecret().reveal());
            if (o.accessToken() != null) out.add(o.accessToken().reveal());
            if (o.refreshToken() != null) out.add(o.refreshToken().reveal());
            if (tokens != null && tokens.current() != null) out.add(tokens.current().reveal());
        }
        return out;
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void authorize(BasicClassicHttpRequest r, Secret oauthToken) {
        if (credentials instanceof Credentials.Bearer b) {
            r.setHeader("Authorization", "Bearer " + b.token().reveal());
        } else if (credentials instanceof Credentials.Basic b) {
            r.setHeader("Authorization", "Basic " + basic(b.username(), b.password().reveal()));
        } else if (credentials instanceof Credentials.ApiKey k && !k.inQuery()) {
            r.setHeader(k.name(), k.key().reveal());
        } else if (credentials instanceof Credentials.OAuth2 && oauthToken != null) {
            r.setHeader("Authorization", "Bearer " + oauthToken.reveal());
        }
    }

    private URI withQueryCredentials(URI uri) {
        if (credentials instanceof Credentials.ApiKey k && k.inQuery()) {
            return Urls.withQueryParam(uri, k.name(), k.key().reveal());
        }
        return uri;
    }

    /** Headers never sent to another origin: those that carry credentials, and any whose name looks secret. */
    private boolean sensitiveHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("authorization") || n.equals("proxy-authorization") || n.equals("cookie")
                || Urls.looksSecret(n)
                || credentials instanceof Credentials.ApiKey k && k.name().equalsIgnoreCase(name);
    }

    private void acquirePermit(Where where) {
        if (rateLimiter == null) return;
        long waitNanos = rateLimiter.reserve();
        if (waitNanos <= 0) return;
        try {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while waiting for the rate limit", where, e, false);
        }
        long waitedMs = waitNanos / 1_000_000;
        if (waitedMs > 0) stats.count("rate_limit_wait_ms", waitedMs);
    }

    static void abort(ClassicHttpResponse response) {
        if (response instanceof CloseableHttpResponse c) {
            c.close(CloseMode.IMMEDIATE); // do not drain a body nobody reads
        } else {
            try {
                response.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** The OAuth2 token request (a form POST), retried like any request; not rate-limited (another endpoint). */
    private Map<String, Object> postToken(URI tokenUrl, Map<String, String> form, String authorization) {
        Where where = Where.resource(Urls.redact(tokenUrl, Set.of()));
        Execution<Object> execution = newExecution();
        PageRequest asGet = new PageRequest("GET", tokenUrl, null, null); // token requests are safe to repeat
        while (true) {
            try {
                return postTokenOnce(tokenUrl, form, authorization, where);
            } catch (HttpStatusFailure | IOException e) {
                afterFailure(execution, e, asGet, where);
            }
        }
    }

    private Map<String, Object> postTokenOnce(URI tokenUrl, Map<String, String> form, String authorization,
                                              Where where) throws IOException {
        BasicClassicHttpRequest r = new BasicClassicHttpRequest("POST", tokenUrl);
        String encoded = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        r.setEntity(new StringEntity(encoded, ContentType.APPLICATION_FORM_URLENCODED));
        r.setHeader("Accept", "application/json");
        if (authorization != null) r.setHeader("Authorization", authorization);
        stats.count("oauth2_token_requests", 1);
        ClassicHttpResponse response = client.executeOpen(null, r, HttpClientContext.create());
        int status = response.getCode();
        if (status == 400 || status == 401 || status == 403) {
            Object error = null;
            try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream()
                    : response.getEntity().getContent(); JsonParser p = JsonValues.FACTORY.createParser(in)) {
                if (p.nextToken() != null && JsonValues.read(p, false) instanceof Map<?, ?> m) error = m.get("error");
            } catch (IOException | RuntimeException ignored) {
                // no JSON error: the status says enough
            } finally {
                abort(response);
            }
            throw new AuthException("OAuth2 token request failed: HTTP " + status
                    + (error instanceof String s ? " (" + maskSecrets(s) + ")" : ""), where, null);
        }
        if (status < 200 || status >= 300) throw failure(response, status);
        try (InputStream in = response.getEntity().getContent(); JsonParser p = JsonValues.FACTORY.createParser(in)) {
            if (p.nextToken() != null && JsonValues.read(p, false) instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> answer = (Map<String, Object>) m;
                return answer;
            }
            throw new AuthException("the OAuth2 token endpoint did not answer with a JSON object", where, null);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new AuthException("the OAuth2 token endpoint answered with malformed JSON", where, null);
        } finally {
            abort(response);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
        pool.close(CloseMode.IMMEDIATE);
    }

    /**
     * A 2xx response whose body is being read. {@link #close()} after the body was read to its end returns the
     * connection to the pool; {@link #abort()} drops it without reading the rest (a failed or abandoned page).
     */
    static final class OpenResponse implements Closeable {
        private final CloseableHttpResponse response;
        private final URI uri;
        private final InputStream body;

        OpenResponse(CloseableHttpResponse response, URI uri, StatsRecorder stats) throws IOException {
            this.response = response;
            this.uri = uri;
            HttpEntity entity = response.getEntity();
            InputStream raw = entity == null ? InputStream.nullInputStream() : entity.getContent();
            this.body = new FilterInputStream(raw) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) stats.addBytesRead(1);
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) stats.addBytesRead(n);
                    return n;
                }
            };
        }

        /** The URL that answered (after redirects), for resolving relative next links. */
        URI uri() {
            return uri;
        }

        InputStream body() {
            return body;
        }

        String contentType() {
            HttpEntity e = response.getEntity();
            return e == null || e.getContentType() == null ? "" : e.getContentType().toLowerCase(Locale.ROOT);
        }

        List<String> links() {
            List<String> out = new ArrayList<>();
            for (Header h : response.getHeaders("Link")) out.add(h.getValue());
            return out;
        }

        void abort() {
            HttpTransport.abort(response);
        }

        @Override
        public void close() {
            try {
                response.close();
            } catch (IOException e) {
                abort();
            }
        }
    }
}
