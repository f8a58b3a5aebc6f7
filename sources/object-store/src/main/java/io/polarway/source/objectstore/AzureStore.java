package io.polarway.source.objectstore;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.polarway.api.Credentials;
import io.polarway.error.ConfigException;
import io.polarway.retry.RetryAfter;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Azure Blob Storage (and Azurite) through {@code azure-storage-blob}'s synchronous client on Netty, with the SDK's
 * retries off. Credentials: {@link Credentials.AzureSharedKey}, {@link Credentials.AzureConnectionString},
 * {@link Credentials.AzureSas}, else the connection string in {@code AZURE_STORAGE_CONNECTION_STRING} when set, else
 * none (anonymous access to a public container). The endpoint is the
 * {@code endpoint} option (Azurite: {@code http://127.0.0.1:PORT/devstoreaccount1}), else the connection string's,
 * else {@code https://ACCOUNT.blob.core.windows.net}.
 */
final class AzureStore implements ObjectStore {
    private final BlobContainerClient container;

    AzureStore(ObjectLocation location, StoreSettings s, Credentials credentials) {
        Duration timeout = s.retry().timeout();
        BlobServiceClientBuilder b = new BlobServiceClientBuilder()
                .httpClient(new NettyAsyncHttpClientBuilder().connectTimeout(timeout).responseTimeout(timeout)
                        .readTimeout(timeout).writeTimeout(timeout).build())
                // one try: the source retries, resuming a broken range where it stopped
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, Duration.ofDays(1), null, null, null));
        String account = s.accountName() != null ? s.accountName() : location.account();
        String envConnection = System.getenv("AZURE_STORAGE_CONNECTION_STRING");
        if (credentials instanceof Credentials.None && !s.anonymous() && envConnection != null
                && !envConnection.isBlank()) {
            // the Azure tools' convention, so the CLI can read private containers without a secret on its command line
            credentials = Credentials.AzureConnectionString.of(envConnection);
        }
        if (!s.anonymous()) {
            if (credentials instanceof Credentials.AzureSharedKey k) {
                account = account != null ? account : k.accountName();
                b.credential(new StorageSharedKeyCredential(k.accountName(), k.accountKey().reveal()));
            } else if (credentials instanceof Credentials.AzureConnectionString cs) {
                b.connectionString(cs.connectionString().reveal());
            } else if (credentials instanceof Credentials.AzureSas sas) {
                account = account != null ? account : sas.accountName();
                b.sasToken(sas.sasToken().reveal());
            } else if (!(credentials instanceof Credentials.None)) {
                throw new ConfigException("credentials", "the azure source takes Azure shared key, "
                        + "connection string or SAS credentials, not " + credentials.scheme(), List.of(), null);
            }
        }
        if (s.endpoint() != null) {
            b.endpoint(s.endpoint());
        } else if (!(credentials instanceof Credentials.AzureConnectionString) || s.anonymous()) {
            if (account == null) {
                throw new ConfigException(StoreSettings.ACCOUNT_NAME.key(), "no storage account: set account_name, "
                        + "use an https://ACCOUNT.blob.core.windows.net location, or pass credentials that name it",
                        List.of(), null);
            }
            b.endpoint("https://" + account + ".blob.core.windows.net");
        }
        BlobServiceClient service = b.buildClient();
        this.container = service.getBlobContainerClient(location.bucket());
    }

    @Override
    public String system() {
        return "azure";
    }

    @Override
    public ObjectInfo head(String key) {
        BlobProperties p = container.getBlobClient(key).getProperties();
        return new ObjectInfo(key, p.getBlobSize(), p.getETag());
    }

    @Override
    public ListPage list(String prefix, String pageToken, int pageSize) {
        Iterator<PagedResponse<BlobItem>> pages = container.listBlobs(new ListBlobsOptions().setPrefix(prefix)
                .setMaxResultsPerPage(pageSize), null).iterableByPage(pageToken, pageSize).iterator();
        if (!pages.hasNext()) return new ListPage(List.of(), null);
        PagedResponse<BlobItem> page = pages.next();
        List<ObjectInfo> out = new ArrayList<>();
        for (BlobItem item : page.getValue()) {
            if (Boolean.TRUE.equals(item.isPrefix())) continue;
            out.add(new ObjectInfo(item.getName(), item.getProperties().getContentLength(),
                    item.getProperties().getETag()));
        }
        String next = page.getContinuationToken();
        return new ListPage(out, next == null || next.isEmpty() ? null : next);
    }

    @Override
    public void read(ObjectInfo object, long start, long endExclusive, ByteSink sink) {
        BlobRequestConditions conditions = new BlobRequestConditions();
        if (object.version() != null) conditions.setIfMatch(object.version());
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                sink.write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sink.write(b, off, len);
            }
        };
        container.getBlobClient(object.key()).downloadStreamWithResponse(out,
                new BlobRange(start, endExclusive - start), new DownloadRetryOptions().setMaxRetryRequests(0),
                conditions, false, null, Context.NONE);
    }

    @Override
    public StoreFailure classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreErrors.TruncatedBodyException) {
                return new StoreFailure(Kind.TRUNCATED, -1, null, null);
            }
            if (t instanceof HttpResponseException he && he.getResponse() != null) {
                int status = he.getResponse().getStatusCode();
                String code = t instanceof BlobStorageException be && be.getErrorCode() != null
                        ? be.getErrorCode().toString() : he.getResponse().getHeaderValue(
                        HttpHeaderName.fromString("x-ms-error-code"));
                Duration retryAfter = RetryAfter.parse(he.getResponse().getHeaderValue(HttpHeaderName.RETRY_AFTER),
                        Instant.now()).orElse(null);
                return new StoreFailure(kindOf(status, code), status, code, retryAfter);
            }
        }
        if (StoreErrors.isTransport(failure)) return new StoreFailure(Kind.NETWORK, -1, null, null);
        return new StoreFailure(Kind.OTHER, -1, null, null);
    }

    static Kind kindOf(int status, String code) {
        if (status == 404) return Kind.NOT_FOUND;
        if (status == 401 || status == 403) return Kind.ACCESS_DENIED;
        if (status == 412 || "ConditionNotMet".equals(code)) return Kind.CHANGED;
        if (status == 429 || status == 503 || "ServerBusy".equals(code)) return Kind.THROTTLED;
        if (status == 501) return Kind.CLIENT; // not implemented (e.g. a header the store does not know): final
        if (status >= 500) return Kind.SERVER;
        if (status == 408) return Kind.NETWORK;
        return Kind.CLIENT;
    }

    @Override
    public void close() {
        // the SDK's shared Netty event loop and connection pool outlive clients by design
    }
}
