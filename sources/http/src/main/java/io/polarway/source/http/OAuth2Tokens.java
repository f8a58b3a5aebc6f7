package io.polarway.source.http;

import io.polarway.api.Credentials;
import io.polarway.api.Secret;
import io.polarway.error.AuthException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OAuth2 access tokens for one source: the client-credentials grant (RFC 6749 §4.4), or a given access token renewed
 * with its refresh token (§6). A token is fetched when first needed, reused until shortly before it expires
 * ({@code expires_in}, less a tenth of its lifetime and at most 30 s), and fetched again when the API rejects it with
 * 401 ({@link #invalidate}). Thread-safe; blocking (the token request is sent on the caller's thread).
 */
final class OAuth2Tokens {
    /** Sends a form to the token endpoint and returns its JSON answer; throws AuthException/NetworkException. */
    interface TokenEndpoint {
        Map<String, Object> post(URI tokenUrl, Map<String, String> form, String authorization);
    }

    private final Credentials.OAuth2 credentials;
    private final boolean basicClientAuth;
    private final TokenEndpoint endpoint;
    private final Clock clock;
    private Secret token;
    private Secret refreshToken;
    private Instant renewAt;
    private int fetches;

    OAuth2Tokens(Credentials.OAuth2 credentials, boolean basicClientAuth, TokenEndpoint endpoint, Clock clock) {
        this.credentials = credentials;
        this.basicClientAuth = basicClientAuth;
        this.endpoint = endpoint;
        this.clock = clock;
        this.token = credentials.accessToken();
        this.refreshToken = credentials.refreshToken();
    }

    /** A valid access token, fetching one if none is cached or the cached one is about to expire. */
    synchronized Secret token() {
        if (token == null || renewAt != null && !clock.instant().isBefore(renewAt)) fetch();
        return token;
    }

    /** Whether a rejected token can be replaced (a client secret or a refresh token, and a token URL). */
    synchronized boolean canRenew() {
        return credentials.tokenUrl() != null && (credentials.clientSecret() != null || refreshToken != null);
    }

    /** Drops {@code rejected} if it is still the cached token, so the next {@link #token()} fetches a new one. */
    synchronized void invalidate(Secret rejected) {
        if (token != null && token.equals(rejected)) {
            token = null;
            renewAt = null;
        }
    }

    /** The cached token, or null (for masking it in messages). */
    synchronized Secret current() {
        return token;
    }

    /** Token requests sent so far. */
    synchronized int fetches() {
        return fetches;
    }

    private void fetch() {
        if (!canRenew()) {
            throw new AuthException("the OAuth2 access token was rejected or expired and there is no client secret "
                    + "or refresh token to renew it");
        }
        Map<String, String> form = new LinkedHashMap<>();
        String authorization = null;
        boolean refresh = credentials.clientSecret() == null;
        if (refresh) {
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", refreshToken.reveal());
            if (credentials.clientId() != null) form.put("client_id", credentials.clientId());
        } else {
            form.put("grant_type", "client_credentials");
            if (!credentials.scopes().isEmpty()) form.put("scope", String.join(" ", credentials.scopes()));
            if (basicClientAuth) {
                // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding
                String pair = urlEncode(credentials.clientId()) + ":" + urlEncode(credentials.clientSecret().reveal());
                authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            } else {
                form.put("client_id", credentials.clientId());
                form.put("client_secret", credentials.clientSecret().reveal());
            }
        }
        Instant asked = clock.instant();
        fetches++;
        Map<String, Object> answer = endpoint.post(URI.create(credentials.tokenUrl()), form, authorization);
        Object access = answer.get("access_token");
        if (!(access instanceof String s) || s.isEmpty()) {
            throw new AuthException("the OAuth2 token endpoint " + credentials.tokenUrl()
                    + " answered without an access_token");
        }
        token = Secret.of(s);
        if (answer.get("refresh_token") instanceof String r && !r.isEmpty()) refreshToken = Secret.of(r);
        Long expiresIn = seconds(answer.get("expires_in"));
        if (expiresIn == null) {
            renewAt = null; // no lifetime given: keep it until the API rejects it
        } else {
            Duration life = Duration.ofSeconds(Math.max(0, expiresIn));
            Duration margin = life.dividedBy(10);
            if (margin.compareTo(Duration.ofSeconds(30)) > 0) margin = Duration.ofSeconds(30);
            renewAt = asked.plus(life).minus(margin);
        }
    }

    private static Long seconds(Object v) {
        if (v instanceof Number n) return n.longValue();
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
