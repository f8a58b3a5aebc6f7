package io.polarway.source.objectstore;

import com.google.api.gax.paging.Page;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.NoCredentials;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpCredentialsAdapter;
import io.polarway.retry.RetryAfter;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.polarway.api.Credentials;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.Where;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Google Cloud Storage (and emulators of its JSON API) through {@code google-cloud-storage}'s HTTP client, with the
 * SDK's retries off. Credentials: {@link Credentials.Gcs} with a service-account JSON key; without one, no
 * credentials when an {@code endpoint} (emulator) is set, else the application default credentials. Reads are pinned
 * to the generation the listing or metadata saw.
 *
 * <p>Credentials are scoped to {@value #READ_ONLY_SCOPE}, and this class's own ranged GETs are authorised with the
 * options' scoped credentials, as the SDK's metadata and listing calls are: with an OAuth access token fetched from the
 * key's {@code token_uri}. (With the unscoped credentials they went out with a self-signed JWT whose audience is the
 * request's host, unlike every other request.)
 */
final class GcsStore implements ObjectStore {
    static final String READ_ONLY_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";

    private final Storage storage;
    private final String bucket;
    private final String host;
    private final HttpRequestFactory requests;

    GcsStore(ObjectLocation location, StoreSettings s, Credentials credentials) {
        this.bucket = location.bucket();
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, s.retry().timeout().toMillis());
        StorageOptions.Builder b = StorageOptions.http()
                .setRetrySettings(com.google.api.gax.retrying.RetrySettings.newBuilder().setMaxAttempts(1).build())
                .setTransportOptions(HttpTransportOptions.newBuilder().setConnectTimeout(timeoutMillis)
                        .setReadTimeout(timeoutMillis).build());
        if (s.endpoint() != null) b.setHost(s.endpoint().replaceAll("/+$", ""));
        String project = s.projectId();
        if (credentials instanceof Credentials.Gcs gcs) {
            if (project == null) project = gcs.projectId();
            if (gcs.serviceAccountJson() != null && !s.anonymous()) {
                try {
                    b.setCredentials(readOnly(ServiceAccountCredentials.fromStream(new ByteArrayInputStream(
                            gcs.serviceAccountJson().reveal().getBytes(StandardCharsets.UTF_8)))));
                } catch (IOException | RuntimeException e) {
                    // the message of a JSON parse error may quote the key: never pass it on
                    throw new AuthException("the GCS service-account JSON is not a valid key file",
                            Where.resource(location.toString()), null);
                }
            } else {
                b.setCredentials(NoCredentials.getInstance());
            }
        } else if (credentials instanceof Credentials.None) {
            if (s.endpoint() != null || s.anonymous()) {
                b.setCredentials(NoCredentials.getInstance());
            } else {
                try {
                    b.setCredentials(readOnly(GoogleCredentials.getApplicationDefault()));
                } catch (IOException e) {
                    throw new AuthException("no GCS credentials: pass a service-account key, set "
                            + "GOOGLE_APPLICATION_CREDENTIALS, or use anonymous=true for a public bucket",
                            Where.resource(location.toString()), null);
                }
            }
        } else {
            throw new ConfigException("credentials", "the gcs source takes GCS credentials, not "
                    + credentials.scheme(), List.of(), null);
        }
        if (project != null) b.setProjectId(project);
        else if (s.endpoint() != null) b.setProjectId("polarway-emulator");
        StorageOptions options = b.build();
        this.storage = options.getService();
        this.host = options.getHost().replaceAll("/+$", "");
        // as the SDK's own requests are authorised: the same scoped credentials (a copy of them: the SDK copies
        // service-account credentials when it scopes them, so each copy fetches its own access token)
        com.google.auth.Credentials creds = options.getScopedCredentials();
        HttpCredentialsAdapter auth = creds == null || creds instanceof NoCredentials ? null
                : new HttpCredentialsAdapter(creds);
        this.requests = new NetHttpTransport().createRequestFactory(req -> {
            if (auth != null) auth.initialize(req);
            req.setConnectTimeout(timeoutMillis);
            req.setReadTimeout(timeoutMillis);
            req.setNumberOfRetries(0);
            req.setThrowExceptionOnExecuteError(false);
            req.setResponseReturnRawInputStream(true);
        });
    }

    /** {@code credentials} scoped to reading objects, unless they carry scopes already. */
    private static GoogleCredentials readOnly(GoogleCredentials credentials) {
        return credentials.createScopedRequired() ? credentials.createScoped(List.of(READ_ONLY_SCOPE)) : credentials;
    }

    @Override
    public String system() {
        return "gcs";
    }

    @Override
    public ObjectInfo head(String key) {
        Blob blob = storage.get(BlobId.of(bucket, key));
        if (blob == null) throw new StorageException(404, "No such object: " + key);
        return new ObjectInfo(key, blob.getSize(), blob.getGeneration() == null ? null : blob.getGeneration().toString());
    }

    @Override
    public ListPage list(String prefix, String pageToken, int pageSize) {
        List<Storage.BlobListOption> opts = new ArrayList<>();
        opts.add(Storage.BlobListOption.prefix(prefix));
        opts.add(Storage.BlobListOption.pageSize(pageSize));
        if (pageToken != null) opts.add(Storage.BlobListOption.pageToken(pageToken));
        Page<Blob> page = storage.list(bucket, opts.toArray(Storage.BlobListOption[]::new));
        List<ObjectInfo> out = new ArrayList<>();
        for (Blob blob : page.getValues()) {
            if (blob.isDirectory()) continue;
            out.add(new ObjectInfo(blob.getName(), blob.getSize(),
                    blob.getGeneration() == null ? null : blob.getGeneration().toString()));
        }
        String next = page.getNextPageToken();
        return new ListPage(out, next == null || next.isEmpty() ? null : next);
    }

    /**
     * One plain ranged GET of the JSON API's media URL, not the SDK's read channel: the channel resumes and retries
     * on its own, whatever the retry settings say, which would hide failures from the source's own retries (and
     * their limits and backoff).
     */
    @Override
    public void read(ObjectInfo object, long start, long endExclusive, ByteSink sink) throws IOException {
        GenericUrl url = new GenericUrl(host + "/download/storage/v1/b/" + encode(bucket) + "/o/"
                + encode(object.key()));
        url.set("alt", "media");
        if (object.version() != null) url.set("generation", object.version());
        HttpRequest req = requests.buildGetRequest(url);
        req.getHeaders().setRange("bytes=" + start + "-" + (endExclusive - 1));
        req.getHeaders().setAcceptEncoding("identity");
        HttpResponse resp = req.execute();
        try {
            int status = resp.getStatusCode();
            if (status != 206 && status != 200) {
                Duration retryAfter = RetryAfter.parse(resp.getHeaders().getFirstHeaderStringValue("Retry-After"),
                        Instant.now()).orElse(null);
                throw new GcsHttpException(status, resp.getStatusMessage(), retryAfter);
            }
            if (status == 200 && (start > 0 || endExclusive < object.sizeBytes())) {
                throw new GcsHttpException(416, "the server ignored the Range header", null);
            }
            try (InputStream in = resp.getContent()) {
                if (in != null) S3Store.copy(in, sink);
            }
        } finally {
            resp.disconnect();
        }
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A non-2xx answer to a ranged GET. */
    static final class GcsHttpException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;
        final transient Duration retryAfter;

        GcsHttpException(int status, String message, Duration retryAfter) {
            super("HTTP " + status + (message == null ? "" : " " + message));
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    @Override
    public StoreFailure classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreErrors.TruncatedBodyException) {
                return new StoreFailure(Kind.TRUNCATED, -1, null, null);
            }
            if (t instanceof com.google.auth.Retryable ga && t.getClass().getName().startsWith("com.google.auth.")) {
                // google-auth's (package-private) GoogleAuthException: getting an access token failed, the token
                // endpoint refused the key (4xx: unknown or revoked key, bad assertion) or failed (5xx, no answer)
                Kind kind = !ga.isRetryable() ? Kind.ACCESS_DENIED
                        : t.getCause() instanceof com.google.api.client.http.HttpResponseException ? Kind.SERVER
                        : Kind.NETWORK;
                return new StoreFailure(kind, -1, null, null);
            }
            if (t instanceof GcsHttpException ge) {
                return new StoreFailure(kindOf(ge.status), ge.status, null, ge.retryAfter);
            }
            if (t instanceof StorageException se && se.getCode() > 0) {
                int status = se.getCode();
                return new StoreFailure(kindOf(status), status, se.getReason(), null);
            }
        }
        if (StoreErrors.isTransport(failure)) return new StoreFailure(Kind.NETWORK, -1, null, null);
        return new StoreFailure(Kind.OTHER, -1, null, null);
    }

    static Kind kindOf(int status) {
        if (status == 404) return Kind.NOT_FOUND;
        if (status == 401 || status == 403) return Kind.ACCESS_DENIED;
        if (status == 412) return Kind.CHANGED;
        if (status == 429 || status == 503) return Kind.THROTTLED;
        if (status == 501) return Kind.CLIENT; // not implemented (e.g. a header the store does not know): final
        if (status >= 500) return Kind.SERVER;
        if (status == 408) return Kind.NETWORK;
        return Kind.CLIENT;
    }

    @Override
    public void close() {
        try {
            storage.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }
}
