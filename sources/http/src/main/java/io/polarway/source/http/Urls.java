package io.polarway.source.http;

import org.apache.hc.core5.net.URIBuilder;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** URL helpers: origins (for credentials), query parameters, and redaction for messages. Stateless. */
final class Urls {
    private Urls() {
    }

    /**
     * Whether two URLs share scheme, host and port. Credentials are only ever sent to the origin the user configured:
     * {@code 127.0.0.1} and {@code localhost} are different hosts, and so is the same host on another port or scheme.
     */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** {@code uri} with query parameter {@code name} set to {@code value} (replacing any earlier value). */
    static URI withQueryParam(URI uri, String name, String value) {
        try {
            return new URIBuilder(uri).setParameter(name, value).build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot set parameter " + name + " on the URL", e);
        }
    }

    /** Whether a parameter or header name looks like it carries a secret. */
    static boolean looksSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("key") || n.contains("token") || n.contains("secret") || n.contains("password")
                || n.contains("passwd") || n.contains("auth") || n.contains("signature") || n.contains("sig")
                || n.contains("session") || n.contains("cookie") || n.contains("credential");
    }

    /**
     * The URL as messages and {@code Where} may show it: no user info, and the values of query parameters that look
     * secret (or are in {@code secretParams}) replaced by {@code ****}. Other parameters (page, cursor) stay, since
     * they say which page failed.
     */
    static String redact(URI uri, Set<String> secretParams) {
        Objects.requireNonNull(uri, "uri");
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) sb.append(uri.getScheme()).append("://");
        if (uri.getRawAuthority() != null) {
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            sb.append(at >= 0 ? authority.substring(at + 1) : authority);
        }
        if (uri.getRawPath() != null) sb.append(uri.getRawPath());
        String query = uri.getRawQuery();
        if (query != null) {
            sb.append('?');
            String[] parts = query.split("&", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) sb.append('&');
                String part = parts[i];
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                String decoded = decode(name);
                if (eq >= 0 && (looksSecret(decoded) || secretParams.contains(decoded))) {
                    sb.append(name).append("=****");
                } else {
                    sb.append(part);
                }
            }
        }
        return sb.toString();
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
