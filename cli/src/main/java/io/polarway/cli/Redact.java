package io.polarway.cli;

import java.net.URI;
import java.net.URISyntaxException;

/** Keeps credentials embedded in locations out of stats files and messages. */
final class Redact {
    private Redact() {
    }

    /**
     * {@code location} without URI user info ({@code user:password@}) and with its query string masked (presigned
     * URLs and SAS tokens live there). Plain paths and labels are returned as they are.
     */
    static String location(String location) {
        if (location == null || !location.contains("://")) return location;
        try {
            URI uri = new URI(location);
            if (uri.getRawUserInfo() == null && uri.getRawQuery() == null) return location;
            StringBuilder sb = new StringBuilder();
            sb.append(uri.getScheme()).append("://");
            if (uri.getRawUserInfo() != null) sb.append("****@");
            if (uri.getRawAuthority() != null) {
                String authority = uri.getRawAuthority();
                int at = authority.lastIndexOf('@');
                sb.append(at >= 0 ? authority.substring(at + 1) : authority);
            }
            if (uri.getRawPath() != null) sb.append(uri.getRawPath());
            if (uri.getRawQuery() != null) sb.append("?****");
            if (uri.getRawFragment() != null) sb.append('#').append(uri.getRawFragment());
            return sb.toString();
        } catch (URISyntaxException e) {
            String s = location.replaceFirst("://[^/@]*@", "://****@");
            int q = s.indexOf('?');
            return q >= 0 ? s.substring(0, q) + "?****" : s;
        }
    }
}
