package io.polarway.source.dynamodb;

import io.polarway.api.Credentials;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

import java.util.List;

/**
 * Builds the synchronous DynamoDB client of a source from its settings: credentials, region, endpoint, the AWS SDK's
 * standard retry strategy driven by the guide's retry keys, timeouts and the HTTP connection pool.
 */
final class DynamoDbClients {
    /** Region used with an endpoint override when nothing else names one: local servers accept any. */
    static final String LOCAL_REGION = "us-east-1";

    private DynamoDbClients() {
    }

    /**
     * Builds the client; it does no I/O (credentials from the SDK's chain are resolved at the first request, where
     * a missing one becomes an {@link AuthException}).
     *
     * @param region from {@link #region(DynamoDbSettings)}
     */
    static DynamoDbClient create(DynamoDbSettings s, Region region) {
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .credentialsProvider(credentials(s))
                .region(region)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(s.maxConnections())
                        .connectionTimeout(s.retry().timeout())
                        .socketTimeout(s.retry().timeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy(s))
                        // a response that trickles in forever is bounded too, not only one that stalls
                        .apiCallAttemptTimeout(s.retry().timeout())
                        .build());
        if (s.endpoint() != null) b.endpointOverride(s.endpoint());
        return b.build();
    }

    /**
     * The SDK's standard strategy (which knows DynamoDB's throttling codes, 5xx and I/O errors as retryable) with
     * {@code retry_attempts + 1} attempts and the guide's backoff for throttling and other errors alike. Its circuit
     * breaker is off: a long scan meeting sustained throttling must keep backing off per request rather than fail
     * fast once a client-wide retry quota is spent; the per-request bound is {@code retry_attempts}.
     */
    static StandardRetryStrategy retryStrategy(DynamoDbSettings s) {
        DynamoDbBackoff backoff = new DynamoDbBackoff(s.retry());
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(s.retry().retryAttempts() + 1)
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .build();
    }

    static AwsCredentialsProvider credentials(DynamoDbSettings s) {
        Credentials c = s.credentials();
        if (c instanceof Credentials.DynamoDb d) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(d.accessKeyId().reveal(),
                    d.secretAccessKey().reveal()));
        }
        if (c instanceof Credentials.Aws a) {
            if (a.sessionToken() != null && !a.sessionToken().isEmpty()) {
                return StaticCredentialsProvider.create(AwsSessionCredentials.create(a.accessKeyId().reveal(),
                        a.secretAccessKey().reveal(), a.sessionToken().reveal()));
            }
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(a.accessKeyId().reveal(),
                    a.secretAccessKey().reveal()));
        }
        // Credentials.none(): the SDK's chain (environment, system properties, profile, web identity, container,
        // instance). Resolved on first use, so a missing one surfaces as an Auth error from the first request.
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * The region option, else the credentials' region, else: with an endpoint override, {@code AWS_REGION} /
     * {@code aws.region} or {@value #LOCAL_REGION} (a local server accepts any, and looking further would query the
     * instance metadata service for nothing); without one, the SDK's whole region chain.
     *
     * @throws ConfigException when no region can be found
     */
    static Region region(DynamoDbSettings s) {
        if (s.region() != null) return Region.of(s.region());
        if (s.endpoint() != null) {
            try {
                return new SystemSettingsRegionProvider().getRegion();
            } catch (SdkClientException e) {
                return Region.of(LOCAL_REGION);
            }
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new ConfigException(DynamoDbSourceFactory.REGION.key(), "no AWS region: set the 'region' option, "
                    + "the region of the credentials, or AWS_REGION", List.of(), null);
        }
    }
}
