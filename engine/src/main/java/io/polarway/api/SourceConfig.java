package io.polarway.api;

import io.polarway.config.ByteSize;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What to read and within which limits, in the guide's declarative style:
 *
 * <pre>{@code
 * SourceConfig config = SourceConfig.of("data/large_file.csv")
 *         .withMemoryLimit("2GB")
 *         .withChunkSize(10_000)
 *         .withOption("delimiter", ",");
 * }</pre>
 *
 * Immutable: every {@code withX} returns a copy. Option values stay strings here; each source parses and validates
 * them when it is created ({@link SourceRegistry#create}). {@link #toString()} never shows credentials or values of
 * options whose key looks secret.
 */
public final class SourceConfig {
    /** The guide's starting chunk size when none is configured. */
    public static final int DEFAULT_CHUNK_SIZE_ROWS = 10_000;

    private final String location;
    private final long memoryLimitBytes;
    private final int chunkSizeRows;
    private final boolean parallel;
    private final boolean prefetch;
    private final Map<String, String> options;
    private final Credentials credentials;

    private SourceConfig(String location, long memoryLimitBytes, int chunkSizeRows, boolean parallel, boolean prefetch,
                         Map<String, String> options, Credentials credentials) {
        this.location = Objects.requireNonNull(location, "location");
        this.memoryLimitBytes = memoryLimitBytes;
        this.chunkSizeRows = chunkSizeRows;
        this.parallel = parallel;
        this.prefetch = prefetch;
        this.options = options;
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /** A config for {@code location} (a path, URI, URL, table or topic) with every setting at its default. */
    public static SourceConfig of(String location) {
        return new SourceConfig(location, 0, DEFAULT_CHUNK_SIZE_ROWS, false, false, Map.of(), Credentials.none());
    }

    /**
     * The hard memory limit in bytes. The engine never holds more than this; the adaptive policy keeps the process
     * below it. The effective budget is the smallest of this, the cgroup limit and physical RAM.
     */
    public SourceConfig withMemoryLimit(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("memory limit must be positive, got " + bytes);
        return new SourceConfig(location, bytes, chunkSizeRows, parallel, prefetch, options, credentials);
    }

    /** The hard memory limit as text: {@code "600MB"}, {@code "2GB"}, {@code "1.5GiB"}. */
    public SourceConfig withMemoryLimit(String size) {
        return withMemoryLimit(ByteSize.parse(size));
    }

    /** The initial chunk size in rows (the policy adapts it from there). */
    public SourceConfig withChunkSize(int rows) {
        if (rows <= 0) throw new IllegalArgumentException("chunk size must be positive, got " + rows);
        return new SourceConfig(location, memoryLimitBytes, rows, parallel, prefetch, options, credentials);
    }

    /** Read splits (files, row groups, ranges, segments) in parallel when the source supports it. */
    public SourceConfig withParallel(boolean on) {
        return new SourceConfig(location, memoryLimitBytes, chunkSizeRows, on, prefetch, options, credentials);
    }

    /** Read the next chunk on a background thread while the caller processes the current one. */
    public SourceConfig withPrefetch(boolean on) {
        return new SourceConfig(location, memoryLimitBytes, chunkSizeRows, parallel, on, options, credentials);
    }

    /** Sets one source option, as a string (the source parses it). */
    public SourceConfig withOption(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of option " + key);
        Map<String, String> next = new LinkedHashMap<>(options);
        next.put(key, value);
        return new SourceConfig(location, memoryLimitBytes, chunkSizeRows, parallel, prefetch,
                Collections.unmodifiableMap(next), credentials);
    }

    /** Sets several options; later keys win. */
    public SourceConfig withOptions(Map<String, String> more) {
        SourceConfig c = this;
        for (Map.Entry<String, String> e : more.entrySet()) c = c.withOption(e.getKey(), e.getValue());
        return c;
    }

    public SourceConfig withCredentials(Credentials credentials) {
        return new SourceConfig(location, memoryLimitBytes, chunkSizeRows, parallel, prefetch, options, credentials);
    }

    public SourceConfig withLocation(String newLocation) {
        return new SourceConfig(newLocation, memoryLimitBytes, chunkSizeRows, parallel, prefetch, options, credentials);
    }

    public String location() {
        return location;
    }

    /** The configured limit, or empty when none was set (the budget then comes from the cgroup or RAM). */
    public OptionalLong memoryLimitBytes() {
        return memoryLimitBytes > 0 ? OptionalLong.of(memoryLimitBytes) : OptionalLong.empty();
    }

    public int chunkSizeRows() {
        return chunkSizeRows;
    }

    public boolean parallel() {
        return parallel;
    }

    public boolean prefetch() {
        return prefetch;
    }

    /** The raw options, in insertion order, unmodifiable. */
    public Map<String, String> options() {
        return options;
    }

    public Credentials credentials() {
        return credentials;
    }

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("secret") || k.contains("password") || k.contains("token") || k.contains("key")
                && !k.equals("key_column") || k.contains("credential") || k.contains("sas") || k.contains("auth")
                || k.contains("header"); // request headers (http) often carry credentials
    }

    /**
     * The location as {@link #toString()} shows it: user info dropped and the values of query parameters whose names
     * look secret ({@code api_key}, {@code sig}, {@code token}, ...) masked, as URLs sometimes carry credentials.
     */
    static String redactLocation(String location) {
        String out = location.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", "$1");
        int q = out.indexOf('?');
        if (q < 0) return out;
        StringBuilder sb = new StringBuilder(out.substring(0, q + 1));
        String[] parts = out.substring(q + 1).split("&", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) sb.append('&');
            int eq = parts[i].indexOf('=');
            String name = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            String n = name.toLowerCase(Locale.ROOT);
            boolean secret = looksSecret(n) || n.equals("sig") || n.equals("signature") || n.startsWith("x-amz-");
            sb.append(eq >= 0 && secret ? name + "=****" : parts[i]);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SourceConfig{location=").append(redactLocation(location));
        if (memoryLimitBytes > 0) sb.append(", memoryLimit=").append(ByteSize.format(memoryLimitBytes));
        sb.append(", chunkSizeRows=").append(chunkSizeRows)
                .append(", parallel=").append(parallel)
                .append(", prefetch=").append(prefetch)
                .append(", options={");
        boolean first = true;
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.getKey()).append('=').append(looksSecret(e.getKey()) ? "****" : e.getValue());
        }
        return sb.append("}, credentials=").append(credentials.scheme()).append('}').toString();
    }
}
