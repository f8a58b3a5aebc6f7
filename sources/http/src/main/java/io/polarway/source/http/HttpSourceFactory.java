package io.polarway.source.http;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.records.RecordOptions;
import io.polarway.retry.RetrySettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code http} source (alias {@code https}): records from a paginated HTTP/REST API. The location is the first
 * page's URL; credentials come from {@link SourceConfig#credentials()} (Bearer, Basic, API key, OAuth2).
 *
 * <pre>{@code
 * SourceConfig config = SourceConfig.of("https://api.example.com/items")
 *         .withCredentials(Credentials.Bearer.of(token))
 *         .withOption("records_pointer", "/data")
 *         .withOption("pagination", "cursor").withOption("cursor_pointer", "/meta/next_cursor")
 *         .withOption("timeout_ms", "30000").withOption("retry_attempts", "3");
 * }</pre>
 */
public final class HttpSourceFactory implements SourceFactory {
    static final List<String> PAGINATIONS = List.of("link_header", "next_url", "cursor", "page", "offset", "none");

    // request
    static final OptionSpec<String> METHOD = OptionSpec.choice("method", "get", "HTTP method (POST for search "
            + "endpoints; not retried unless retry_non_idempotent)", "get", "post", "put", "patch", "delete");
    static final OptionSpec<String> HEADERS = OptionSpec.string("headers", null,
            "extra request headers as a JSON object, e.g. {\"Accept\": \"application/json\"}; headers that look "
                    + "secret never follow a redirect to another host").secret();
    static final OptionSpec<String> QUERY = OptionSpec.string("query", null,
            "extra query parameters, as a JSON object or a=1&b=2");
    static final OptionSpec<String> BODY = OptionSpec.string("body", null, "request body (e.g. a JSON search)")
            .secret();
    static final OptionSpec<String> CONTENT_TYPE = OptionSpec.string("content_type", "application/json",
            "media type of the request body");

    // connection
    static final OptionSpec<Integer> POOL_SIZE = OptionSpec.intValue("connection_pool_size", 5,
                    "connections kept per source (pages are read one at a time; the token endpoint and redirect "
                            + "targets use the others)")
            .validate(v -> v >= 1 && v <= 1_000, "between 1 and 1000");
    static final OptionSpec<Boolean> KEEPALIVE = OptionSpec.bool("keepalive", true,
            "reuse connections between requests (false: a new connection per request, 'Connection: close')");
    static final OptionSpec<Integer> MAX_REDIRECTS = OptionSpec.intValue("max_redirects", 5,
                    "redirects followed per request (credentials are only sent to the configured scheme, host and port)")
            .validate(v -> v >= 0 && v <= 50, "between 0 and 50");
    static final OptionSpec<Boolean> RETRY_NON_IDEMPOTENT = OptionSpec.bool("retry_non_idempotent", false,
            "also retry POST and PATCH requests (only safe when the endpoint does not change anything)");
    static final OptionSpec<Double> RATE_LIMIT_RPS = OptionSpec.doubleValue("rate_limit_rps", 0.0,
                    "requests per second allowed to the API, retries included (0 = unlimited)")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Integer> RATE_LIMIT_BURST = OptionSpec.intValue("rate_limit_burst", 1,
                    "requests that may go at once before rate_limit_rps applies (a token bucket: a pause refills it, "
                            + "up to this many)")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> OAUTH2_CLIENT_AUTH = OptionSpec.choice("oauth2_client_auth", "basic",
            "how OAuth2 client credentials reach the token endpoint: HTTP Basic (RFC 6749 §2.3.1) or form fields",
            "basic", "body");

    // credentials from options, for the CLI (SourceConfig credentials win when set)
    static final OptionSpec<String> AUTH = OptionSpec.choice("auth", "none",
            "credentials built from options when the config carries none (for the CLI): the secret is read from the "
                    + "environment variable named by auth_secret_env, never from an option",
            "none", "bearer", "basic", "api_key", "oauth2");
    static final OptionSpec<String> AUTH_USER = OptionSpec.string("auth_user", null,
            "user name (auth=basic) or OAuth2 client id (auth=oauth2)");
    static final OptionSpec<String> AUTH_SECRET_ENV = OptionSpec.string("auth_secret_env", null,
            "name of the environment variable holding the token, password, API key or OAuth2 client secret");
    static final OptionSpec<String> API_KEY_NAME = OptionSpec.string("api_key_name", "X-API-Key",
            "header or query parameter that carries the API key (auth=api_key)");
    static final OptionSpec<String> API_KEY_IN = OptionSpec.choice("api_key_in", "header",
            "where the API key goes (auth=api_key)", "header", "query");
    static final OptionSpec<String> OAUTH2_TOKEN_URL = OptionSpec.string("oauth2_token_url", null,
            "token endpoint for the client-credentials grant (auth=oauth2)");
    static final OptionSpec<List<String>> OAUTH2_SCOPES = OptionSpec.list("oauth2_scopes", List.of(),
            "scopes to ask for (auth=oauth2), comma-separated");

    // body
    static final OptionSpec<String> FORMAT = OptionSpec.choice("format", "auto",
            "body format: a JSON document, JSON lines, CSV (needs the csv module), or from the Content-Type",
            "auto", "json", "jsonl", "csv");
    static final OptionSpec<String> RECORDS_POINTER = OptionSpec.string("records_pointer", "",
            "JSON pointer of the records array in a JSON body, e.g. /data/items ('' = the body is the array)");
    static final OptionSpec<Long> MAX_CHUNK_BYTES = OptionSpec.bytes("max_chunk_bytes", null,
                    "body bytes parsed into one chunk at most; a chunk ends early past it (default: 1/32 of the "
                            + "memory budget, between 1 MiB and 64 MiB)")
            .validate(v -> v >= 1024, "at least 1KiB");

    // pagination
    static final OptionSpec<String> PAGINATION = OptionSpec.choice("pagination", "link_header",
            "how the next page is found: Link header rel=next, a next URL or a cursor in the body, page numbers, "
                    + "offsets, or none", PAGINATIONS.toArray(String[]::new));
    static final OptionSpec<String> NEXT_URL_POINTER = OptionSpec.string("next_url_pointer", "/next",
            "JSON pointer of the next page's URL (pagination=next_url)");
    static final OptionSpec<String> CURSOR_POINTER = OptionSpec.string("cursor_pointer", "/next_cursor",
            "JSON pointer of the next cursor (pagination=cursor); a missing, null or empty cursor ends the stream");
    static final OptionSpec<String> CURSOR_PARAM = OptionSpec.string("cursor_param", "cursor",
            "parameter that sends the cursor back (pagination=cursor)");
    static final OptionSpec<String> PAGE_PARAM = OptionSpec.string("page_param", "page",
            "page-number parameter (pagination=page)");
    static final OptionSpec<Long> PAGE_START = OptionSpec.longValue("page_start", 1L,
            "first page number (pagination=page)").validate(v -> v >= 0, "at least 0");
    static final OptionSpec<String> OFFSET_PARAM = OptionSpec.string("offset_param", "offset",
            "offset parameter (pagination=offset)");
    static final OptionSpec<String> PAGE_SIZE_PARAM = OptionSpec.string("page_size_param", null,
            "page-size parameter, sent when page_size is set (default: 'limit' for offset, 'per_page' for page)");
    static final OptionSpec<Integer> PAGE_SIZE = OptionSpec.intValue("page_size", null,
            "records per page to ask for (the offset advances by the records received, whatever is asked)")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> PARAMS_IN = OptionSpec.choice("pagination_params_in", "query",
            "where cursor, page and offset parameters go: the URL query, or top-level fields of the JSON body",
            "query", "body");
    static final OptionSpec<String> HAS_MORE_POINTER = OptionSpec.string("has_more_pointer", null,
            "JSON pointer of a boolean that is false on the last page (e.g. /has_more)");
    static final OptionSpec<Long> MAX_PAGES = OptionSpec.longValue("max_pages", 0L,
            "stop after this many pages (0 = no limit)").validate(v -> v >= 0, "at least 0");

    static final OptionSet OWN = OptionSet.of("source 'http'", METHOD, HEADERS, QUERY, BODY, CONTENT_TYPE,
                    POOL_SIZE, KEEPALIVE, MAX_REDIRECTS, RETRY_NON_IDEMPOTENT, RATE_LIMIT_RPS, RATE_LIMIT_BURST,
                    OAUTH2_CLIENT_AUTH, AUTH, AUTH_USER, AUTH_SECRET_ENV, API_KEY_NAME, API_KEY_IN, OAUTH2_TOKEN_URL,
                    OAUTH2_SCOPES, FORMAT, RECORDS_POINTER, MAX_CHUNK_BYTES, PAGINATION, NEXT_URL_POINTER,
                    CURSOR_POINTER, CURSOR_PARAM, PAGE_PARAM, PAGE_START, OFFSET_PARAM, PAGE_SIZE_PARAM, PAGE_SIZE,
                    PARAMS_IN, HAS_MORE_POINTER, MAX_PAGES)
            .with(RetrySettings.OPTIONS).with(RecordOptions.OPTIONS);

    private final TextFormats formats;
    private final OptionSet options;

    public HttpSourceFactory() {
        this(TextFormats.installed());
    }

    /** With a given set of text formats (for CSV bodies), for tests. */
    HttpSourceFactory(TextFormats formats) {
        this.formats = formats;
        this.options = withCsvOptions(OWN, formats);
    }

    /** The CSV format's own keys (delimiter, has_header, ...) are accepted too when its module is present. */
    private static OptionSet withCsvOptions(OptionSet own, TextFormats formats) {
        TextFormat csv = formats.byName("csv").orElse(null);
        if (csv == null) return own;
        List<OptionSpec<?>> extra = new ArrayList<>();
        for (OptionSpec<?> s : csv.options().specs()) {
            if (!own.contains(s.key())) extra.add(s);
        }
        return own.with(extra.toArray(OptionSpec<?>[]::new));
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("https");
    }

    @Override
    public String description() {
        return "paginated HTTP/REST APIs (JSON, JSON lines, CSV bodies) with retries, rate limits and auth";
    }

    @Override
    public OptionSet options() {
        return options;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options parsed, SourceContext context) {
        HttpSettings settings = HttpSettings.from(config, parsed, formats, context.memory().budgetBytes());
        SourceConfig withCredentials = config.credentials() instanceof Credentials.None
                ? config.withCredentials(credentialsFromOptions(parsed, System::getenv)) : config;
        return new HttpSource(withCredentials, context, settings, parsed);
    }

    /**
     * Credentials described by the {@code auth*} options, the secret taken from the environment variable that
     * {@code auth_secret_env} names (so it never sits in a command line, a config dump or a stats file).
     */
    static Credentials credentialsFromOptions(Options o, java.util.function.Function<String, String> env) {
        String auth = o.get(AUTH);
        if (auth.equals("none")) return Credentials.none();
        String var = o.find(AUTH_SECRET_ENV).orElseThrow(() -> new ConfigException(AUTH_SECRET_ENV.key(),
                "auth=" + auth + " needs auth_secret_env, the environment variable that holds the secret", List.of(), null));
        String secret = env.apply(var);
        if (secret == null || secret.isEmpty()) {
            throw new ConfigException(AUTH_SECRET_ENV.key(), "the environment variable " + var + " is not set",
                    List.of(), null);
        }
        return switch (auth) {
            case "bearer" -> Credentials.Bearer.of(secret);
            case "basic" -> Credentials.Basic.of(require(o, AUTH_USER, auth), secret);
            case "api_key" -> o.get(API_KEY_IN).equals("query") ? Credentials.ApiKey.query(o.get(API_KEY_NAME), secret)
                    : Credentials.ApiKey.header(o.get(API_KEY_NAME), secret);
            default -> Credentials.OAuth2.clientCredentials(require(o, OAUTH2_TOKEN_URL, auth),
                    require(o, AUTH_USER, auth), secret, o.get(OAUTH2_SCOPES));
        };
    }

    private static String require(Options o, OptionSpec<String> key, String auth) {
        return o.find(key).orElseThrow(() -> new ConfigException(key.key(), "auth=" + auth + " needs " + key.key(),
                List.of(), null));
    }
}
