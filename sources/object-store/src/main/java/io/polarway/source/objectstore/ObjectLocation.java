package io.polarway.source.objectstore;

import io.polarway.error.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * A parsed object location: {@code s3://bucket/key}, {@code az://container/path},
 * {@code https://ACCOUNT.blob.core.windows.net/container/path}, {@code gs://bucket/key}. A key whose last segment holds
 * a glob ({@code *}, {@code ?}, {@code [..]}, <code>{a,b}</code>) names every object the glob matches, e.g.
 * {@code s3://bucket/prefix/*.csv}; a key ending in {@code /} names every object under that prefix.
 *
 * <p>Immutable. {@link #toString()} is the canonical URI ({@code scheme://bucket/key}); it never carries credentials
 * (a location with user info or a query string is refused, so a SAS token cannot sneak into error messages).
 *
 * @param scheme   {@code s3}, {@code az} or {@code gs}
 * @param bucket   the bucket (S3, GCS) or container (Azure)
 * @param key      the object key, or the glob/prefix pattern; never starts with {@code /}
 * @param account  the Azure storage account named by an {@code https://ACCOUNT.blob.core.windows.net} location, or
 *                 null
 */
public record ObjectLocation(String scheme, String bucket, String key, String account) {
    static final List<String> SCHEMES = List.of("s3", "s3a", "az", "azure", "abfs", "gs", "gcs", "https");

    /** Whether the key is a pattern (glob or trailing slash) that lists several objects. */
    public boolean isPattern() {
        return key.isEmpty() || key.endsWith("/") || Globs.hasGlob(key);
    }

    /** The listing prefix of a pattern: the key up to its first glob character, or the whole key. */
    public String listPrefix() {
        return Globs.literalPrefix(key);
    }

    /** The URI of one object in the same bucket, e.g. for error messages. */
    public String uriOf(String objectKey) {
        return scheme + "://" + bucket + "/" + objectKey;
    }

    @Override
    public String toString() {
        return uriOf(key);
    }

    /**
     * Parses {@code location} for a store whose canonical scheme is {@code expectedScheme} ({@code s3}, {@code az}
     * or {@code gs}).
     *
     * @throws ConfigException naming the location's problem (wrong scheme, no bucket, credentials in the URI)
     */
    public static ObjectLocation parse(String location, String expectedScheme) {
        String text = location == null ? "" : location.trim();
        int sep = text.indexOf("://");
        if (sep <= 0) throw bad(text, "expected " + expectedScheme + "://bucket/key");
        String scheme = text.substring(0, sep).toLowerCase(Locale.ROOT);
        String rest = text.substring(sep + 3);
        int q = rest.indexOf('?');
        // '?' is a glob character in a key; a query string (name=value) is what carries SAS tokens and signatures
        if (rest.contains("#") || q >= 0 && rest.indexOf('=', q) > 0) {
            throw bad(redact(text), "a query string or fragment is not allowed (pass SAS tokens and keys as credentials)");
        }
        String authority = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (authority.contains("@")) throw bad(redact(text), "credentials in the location are not allowed");
        String path = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
        String account = null;
        String canonical = switch (scheme) {
            case "s3", "s3a" -> "s3";
            case "az", "azure", "abfs" -> "az";
            case "gs", "gcs" -> "gs";
            case "https", "http" -> {
                // https://ACCOUNT.blob.core.windows.net/container/path
                String host = authority.toLowerCase(Locale.ROOT);
                int dot = host.indexOf(".blob.");
                if (dot <= 0) throw bad(text, "an https location must be https://ACCOUNT.blob.core.windows.net/container/path");
                account = host.substring(0, dot);
                int slash = path.indexOf('/');
                authority = slash < 0 ? path : path.substring(0, slash);
                path = slash < 0 ? "" : path.substring(slash + 1);
                yield "az";
            }
            default -> throw bad(text, "unknown scheme '" + scheme + "'");
        };
        if (!canonical.equals(expectedScheme)) {
            throw bad(text, "this source reads " + expectedScheme + ":// locations, not " + scheme + "://");
        }
        if (authority.isEmpty()) throw bad(text, "no " + (canonical.equals("az") ? "container" : "bucket"));
        try {
            // validates the characters without changing them (keys may hold spaces encoded or not)
            new URI(canonical, authority, "/" + path.replace(" ", "%20").replace("[", "%5B").replace("]", "%5D")
                    .replace("{", "%7B").replace("}", "%7D").replace("?", "%3F"), null);
        } catch (URISyntaxException e) {
            throw bad(text, "not a valid URI: " + e.getReason());
        }
        return new ObjectLocation(canonical, authority, path, account);
    }

    private static String redact(String text) {
        return text.replaceFirst("://[^/@]*@", "://").replaceFirst("[?#][^/]*=.*$", "?****");
    }

    private static ConfigException bad(String location, String why) {
        return new ConfigException("location", "bad object location '" + location + "': " + why, List.of(), null);
    }
}
