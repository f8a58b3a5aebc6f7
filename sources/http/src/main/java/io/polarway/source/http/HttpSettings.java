package io.polarway.source.http;

import io.polarway.api.SourceConfig;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.records.JsonValues;
import io.polarway.retry.RetrySettings;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.polarway.source.http.HttpSourceFactory.*;

/** The http source's options, parsed and checked once at creation. Immutable. */
record HttpSettings(PageRequest base, Map<String, String> headers, RetrySettings retry, boolean retryNonIdempotent,
                    int poolSize, boolean keepAlive, int maxRedirects, double rateLimitRps, int rateLimitBurst,
                    boolean oauth2BasicAuth, String format, TextFormat csv, String recordsPointer,
                    long maxChunkBytes, String pagination, String nextUrlPointer, String cursorPointer,
                    String cursorParam, String pageParam, long pageStart, String offsetParam, String pageSizeParam,
                    Integer pageSize, Pagination.ParamsIn paramsIn, String hasMorePointer, long maxPages) {

    static final long MIN_CHUNK_BYTES = 1L << 20;
    static final long MAX_DEFAULT_CHUNK_BYTES = 64L << 20;

    static HttpSettings from(SourceConfig config, Options o, TextFormats formats, long budgetBytes) {
        URI uri = parseUrl(config.location());
        Map<String, String> query = keyValues(QUERY, o.find(QUERY).orElse(null), true);
        for (Map.Entry<String, String> e : query.entrySet()) uri = Urls.withQueryParam(uri, e.getKey(), e.getValue());
        String body = o.find(BODY).orElse(null);
        PageRequest base = new PageRequest(o.get(METHOD), uri, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                body == null ? null : o.get(CONTENT_TYPE));

        String format = o.get(FORMAT);
        TextFormat csv = formats.byName("csv").orElse(null);
        if (format.equals("csv") && csv == null) formats.require("csv", FORMAT.key()); // throws, listing formats

        String recordsPointer = pointer(RECORDS_POINTER, o.get(RECORDS_POINTER));
        String pagination = o.get(PAGINATION);
        Pagination.ParamsIn in = o.get(PARAMS_IN).equals("body") ? Pagination.ParamsIn.BODY : Pagination.ParamsIn.QUERY;
        if (in == Pagination.ParamsIn.BODY && body == null && List.of("cursor", "page", "offset").contains(pagination)) {
            throw new ConfigException(PARAMS_IN.key(), "pagination_params_in=body needs a JSON 'body' option",
                    List.of(), null);
        }
        if (body != null && in == Pagination.ParamsIn.BODY) checkJsonObject(body);
        String sizeParam = o.find(PAGE_SIZE_PARAM).orElse(pagination.equals("offset") ? "limit" : "per_page");

        long maxChunkBytes = o.find(MAX_CHUNK_BYTES).orElseGet(() ->
                Math.max(MIN_CHUNK_BYTES, Math.min(MAX_DEFAULT_CHUNK_BYTES, budgetBytes / 32)));

        return new HttpSettings(base, keyValues(HEADERS, o.find(HEADERS).orElse(null), false),
                RetrySettings.from(o), o.get(RETRY_NON_IDEMPOTENT), o.get(POOL_SIZE), o.get(KEEPALIVE),
                o.get(MAX_REDIRECTS), o.get(RATE_LIMIT_RPS), o.get(RATE_LIMIT_BURST),
                o.get(OAUTH2_CLIENT_AUTH).equals("basic"), format, csv, recordsPointer, maxChunkBytes, pagination,
                pointer(NEXT_URL_POINTER, o.get(NEXT_URL_POINTER)), pointer(CURSOR_POINTER, o.get(CURSOR_POINTER)),
                o.get(CURSOR_PARAM), o.get(PAGE_PARAM), o.get(PAGE_START), o.get(OFFSET_PARAM), sizeParam,
                o.find(PAGE_SIZE).orElse(null), in,
                o.find(HAS_MORE_POINTER).map(p -> pointer(HAS_MORE_POINTER, p)).orElse(null), o.get(MAX_PAGES));
    }

    /** The pagination scheme, fresh (it keeps the page number or offset). */
    Pagination newPagination() {
        return switch (pagination) {
            case "none" -> new Pagination.None();
            case "next_url" -> new Pagination.NextUrl(nextUrlPointer);
            case "cursor" -> new Pagination.Cursor(cursorPointer, cursorParam, paramsIn);
            case "page" -> new Pagination.PageNumber(pageParam, pageStart, pageSizeParam, pageSize, paramsIn);
            case "offset" -> new Pagination.Offset(offsetParam, pageSizeParam, pageSize, paramsIn);
            default -> new Pagination.LinkNext();
        };
    }

    private static URI parseUrl(String location) {
        URI uri;
        try {
            uri = new URI(location.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(null, "the location is not a URL: " + e.getReason(), List.of(), null);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ConfigException(null, "the location must be an absolute http:// or https:// URL, got '"
                    + Urls.redact(uri, java.util.Set.of()) + "'", List.of(), null);
        }
        if (uri.getRawUserInfo() != null) {
            // never echo it: it is a password
            throw new ConfigException(null, "the location must not carry user info; use Credentials.Basic",
                    List.of(), null);
        }
        return uri;
    }

    private static String pointer(OptionSpec<String> key, String value) {
        try {
            JsonBodyReader.segments(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key.key(), "bad value for option '" + key.key() + "': not a JSON pointer ("
                    + e.getMessage() + "); write e.g. /data/items", List.of(), null);
        }
    }

    private static void checkJsonObject(String body) {
        try (JsonParser p = JsonValues.FACTORY.createParser(body)) {
            p.nextToken();
            if (!(JsonValues.read(p, true) instanceof Map<?, ?>)) throw new IOException("not an object");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(BODY.key(), "pagination_params_in=body needs the body to be a JSON object",
                    List.of(), null);
        }
    }

    /** A JSON object of strings, or (when {@code allowQueryString}) {@code a=1&b=2}. Values are never echoed. */
    private static Map<String, String> keyValues(OptionSpec<String> key, String text, boolean allowQueryString) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) return out;
        String t = text.trim();
        if (t.startsWith("{")) {
            try (JsonParser p = JsonValues.FACTORY.createParser(t)) {
                p.nextToken();
                Object v = JsonValues.read(p, true);
                if (!(v instanceof Map<?, ?> m)) throw new IOException("not an object");
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Object val = e.getValue();
                    if (val instanceof Map || val instanceof List) throw new IOException("nested value");
                    out.put(String.valueOf(e.getKey()), val instanceof java.math.BigDecimal bd ? bd.toPlainString()
                            : String.valueOf(val));
                }
                return out;
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(key.key(), "bad value for option '" + key.key()
                        + "': expected a JSON object of names to strings or numbers", List.of(), null);
            }
        }
        if (!allowQueryString) {
            throw new ConfigException(key.key(), "bad value for option '" + key.key()
                    + "': expected a JSON object, e.g. {\"Accept\": \"application/json\"}", List.of(), null);
        }
        for (String part : t.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(name, value);
        }
        return out;
    }
}
