package io.polarway.source.http;

import io.polarway.records.JsonValues;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One page's request: method, URL and body (credentials are added when it is sent, never stored here). Immutable.
 *
 * @param method      upper-case HTTP method
 * @param uri         absolute URL with the pagination parameters applied
 * @param body        request body, or null
 * @param contentType the body's media type, or null
 */
record PageRequest(String method, URI uri, byte[] body, String contentType) {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

    PageRequest {
        method = method.toUpperCase(Locale.ROOT);
    }

    /** Whether repeating the request cannot change anything on the server (RFC 9110 §9.2.2). */
    boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    PageRequest withUri(URI next) {
        return new PageRequest(method, next, body, contentType);
    }

    PageRequest withQueryParam(String name, String value) {
        return withUri(Urls.withQueryParam(uri, name, value));
    }

    /**
     * The body with top-level field {@code name} set to {@code value} (a number when {@code value} is a Long): for
     * POST search endpoints that take their cursor or page in the body.
     *
     * @throws IllegalArgumentException when the body is not a JSON object
     */
    PageRequest withBodyField(String name, Object value) {
        Map<String, Object> object = new LinkedHashMap<>();
        if (body != null && body.length > 0) {
            try (JsonParser p = JsonValues.FACTORY.createParser(body)) {
                p.nextToken();
                Object parsed = JsonValues.read(p, true);
                if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException("the request body is not a JSON object");
                m.forEach((k, v) -> object.put(String.valueOf(k), v));
            } catch (IOException e) {
                throw new IllegalArgumentException("the request body is not valid JSON", e);
            }
        }
        object.put(name, value);
        return new PageRequest(method, uri, JsonValues.toJson(object).getBytes(StandardCharsets.UTF_8),
                contentType == null ? "application/json" : contentType);
    }

    /** A digest of method, URL and body: two requests for the same page have the same key (the loop guard). */
    Key key() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(method.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(uri.toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            if (body != null) md.update(body);
            byte[] d = md.digest();
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = hi << 8 | (d[i] & 0xff);
                lo = lo << 8 | (d[i + 8] & 0xff);
            }
            return new Key(hi, lo);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /** 128 bits of a request's SHA-256: 16 bytes per page seen, whatever the URL length. */
    record Key(long hi, long lo) {
    }
}
