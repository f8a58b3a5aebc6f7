package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.retry.RetryAfter;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * S3 and S3-compatible stores (S3Proxy, MinIO, LocalStack, ...) through the AWS SDK v2 synchronous client on Apache
 * HttpClient 5, with the SDK's retries off. Credentials: {@link Credentials.Aws} (keys, optional session token and
 * region), or the SDK's default chain (environment, profile, container and instance roles) when the config has none;
 * {@code anonymous=true} for public buckets. Region: the {@code region} option, else the credentials', else the SDK's
 * region chain, else {@code us-east-1} (any region works against an {@code endpoint}).
 */
final class S3Store implements ObjectStore {
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final S3Client client;
    private final String bucket;

    S3Store(String bucket, StoreSettings s, Credentials credentials) {
        this.bucket = bucket;
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(Math.max(8, s.maxConcurrency() * 2))
                        .connectionTimeout(s.retry().timeout())
                        .socketTimeout(s.retry().timeout())
                        .connectionAcquisitionTimeout(s.retry().timeout()))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                // ranged reads carry no whole-object checksum; the length check and ETag pin guard them instead
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .forcePathStyle(s.pathStyle());
        if (s.endpoint() != null) b.endpointOverride(URI.create(s.endpoint()));
        String region = s.region();
        if (region == null && credentials instanceof Credentials.Aws aws) region = aws.region();
        if (region == null) region = defaultRegion(s.endpoint() != null);
        b.region(Region.of(region));
        b.credentialsProvider(provider(credentials, s.anonymous()));
        this.client = b.build();
    }

    private static String defaultRegion(boolean customEndpoint) {
        if (customEndpoint) return "us-east-1";
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (RuntimeException e) {
            return "us-east-1";
        }
    }

    private static AwsCredentialsProvider provider(Credentials c, boolean anonymous) {
        if (anonymous) return AnonymousCredentialsProvider.create();
        if (c instanceof Credentials.Aws aws) {
            if (aws.sessionToken() != null) {
                return StaticCredentialsProvider.create(AwsSessionCredentials.create(aws.accessKeyId().reveal(),
                        aws.secretAccessKey().reveal(), aws.sessionToken().reveal()));
            }
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(aws.accessKeyId().reveal(),
                    aws.secretAccessKey().reveal()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public String system() {
        return "s3";
    }

    @Override
    public ObjectInfo head(String key) {
        HeadObjectResponse r = client.headObject(h -> h.bucket(bucket).key(key));
        return new ObjectInfo(key, r.contentLength(), r.eTag());
    }

    @Override
    public ListPage list(String prefix, String pageToken, int pageSize) {
        ListObjectsV2Response r = client.listObjectsV2(l -> l.bucket(bucket).prefix(prefix).maxKeys(pageSize)
                .continuationToken(pageToken));
        List<ObjectInfo> out = new ArrayList<>(r.contents().size());
        for (S3Object o : r.contents()) out.add(new ObjectInfo(o.key(), o.size(), o.eTag()));
        return new ListPage(out, Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null);
    }

    @Override
    public void read(ObjectInfo object, long start, long endExclusive, ByteSink sink) throws Exception {
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket).key(object.key())
                .range("bytes=" + start + "-" + (endExclusive - 1));
        if (object.version() != null) req.ifMatch(object.version());
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(req.build())) {
            boolean complete = false;
            try {
                copy(in, sink);
                complete = true;
            } finally {
                // an aborted read must not return a half-read connection to the pool
                if (!complete) in.abort();
            }
        }
    }

    static void copy(InputStream in, ByteSink sink) throws java.io.IOException {
        byte[] buf = new byte[READ_BUFFER_BYTES];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (n > 0) sink.write(buf, 0, n);
        }
    }

    @Override
    public StoreFailure classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreErrors.TruncatedBodyException) {
                return new StoreFailure(Kind.TRUNCATED, -1, null, null);
            }
            if (t instanceof SdkServiceException se) {
                int status = se.statusCode();
                String code = t instanceof AwsServiceException ae && ae.awsErrorDetails() != null
                        ? ae.awsErrorDetails().errorCode() : null;
                Duration retryAfter = t instanceof AwsServiceException ae && ae.awsErrorDetails() != null
                        && ae.awsErrorDetails().sdkHttpResponse() != null
                        ? ae.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After")
                        .flatMap(v -> RetryAfter.parse(v, Instant.now())).orElse(null) : null;
                return new StoreFailure(kindOf(status, code), status, code, retryAfter);
            }
        }
        if (StoreErrors.isTransport(failure)) return new StoreFailure(Kind.NETWORK, -1, null, null);
        if (failure instanceof SdkClientException) return new StoreFailure(Kind.NETWORK, -1, null, null);
        return new StoreFailure(Kind.OTHER, -1, null, null);
    }

    static Kind kindOf(int status, String code) {
        if (status == 404 || "NoSuchKey".equals(code) || "NoSuchBucket".equals(code)) return Kind.NOT_FOUND;
        if (status == 401 || status == 403) return Kind.ACCESS_DENIED;
        if (status == 412) return Kind.CHANGED;
        if (status == 429 || "SlowDown".equals(code) || "Throttling".equals(code)) return Kind.THROTTLED;
        if (status == 503) return Kind.THROTTLED;
        if (status == 501) return Kind.CLIENT; // not implemented (e.g. a header the store does not know): final
        if (status >= 500) return Kind.SERVER;
        if (status == 408) return Kind.NETWORK;
        return Kind.CLIENT;
    }

    @Override
    public void close() {
        client.close();
    }
}
