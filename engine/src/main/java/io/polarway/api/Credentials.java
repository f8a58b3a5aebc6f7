package io.polarway.api;

import java.util.List;
import java.util.Objects;

/**
 * Credentials for a source, one record per scheme the guide lists. Every secret field is a {@link Secret}, so the
 * records' generated {@code toString()} never prints a secret; identifiers that are not secret (account names, regions,
 * token URLs) print as they are.
 */
public sealed interface Credentials {

    /** No credentials: public data, emulators, or a client library's default chain (e.g. AWS's). */
    static Credentials none() {
        return None.INSTANCE;
    }

    /** A short name of the scheme, for messages: {@code aws}, {@code bearer}, ... */
    String scheme();

    /** No credentials. */
    enum None implements Credentials {
        INSTANCE;

        @Override
        public String scheme() {
            return "none";
        }
    }

    /** AWS access keys. The access key id is treated as a secret too: it identifies an account. */
    record Aws(Secret accessKeyId, Secret secretAccessKey, String region, Secret sessionToken) implements Credentials {
        public Aws {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        }

        public static Aws of(String accessKeyId, String secretAccessKey, String region, String sessionToken) {
            return new Aws(Secret.of(accessKeyId), Secret.of(secretAccessKey), region, Secret.ofNullable(sessionToken));
        }

        @Override
        public String scheme() {
            return "aws";
        }
    }

    /** Azure storage shared key. */
    record AzureSharedKey(String accountName, Secret accountKey) implements Credentials {
        public AzureSharedKey {
            Objects.requireNonNull(accountName, "accountName");
            Objects.requireNonNull(accountKey, "accountKey");
        }

        public static AzureSharedKey of(String accountName, String accountKey) {
            return new AzureSharedKey(accountName, Secret.of(accountKey));
        }

        @Override
        public String scheme() {
            return "azure-shared-key";
        }
    }

    /** An Azure storage connection string (it embeds the key, so all of it is secret). */
    record AzureConnectionString(Secret connectionString) implements Credentials {
        public AzureConnectionString {
            Objects.requireNonNull(connectionString, "connectionString");
        }

        public static AzureConnectionString of(String connectionString) {
            return new AzureConnectionString(Secret.of(connectionString));
        }

        @Override
        public String scheme() {
            return "azure-connection-string";
        }
    }

    /** An Azure shared access signature token. */
    record AzureSas(String accountName, Secret sasToken) implements Credentials {
        public AzureSas {
            Objects.requireNonNull(sasToken, "sasToken");
        }

        public static AzureSas of(String accountName, String sasToken) {
            return new AzureSas(accountName, Secret.of(sasToken));
        }

        @Override
        public String scheme() {
            return "azure-sas";
        }
    }

    /** Google Cloud Storage: a project and a service-account JSON key (null for an emulator or default credentials). */
    record Gcs(String projectId, Secret serviceAccountJson) implements Credentials {
        public static Gcs of(String projectId, String serviceAccountJson) {
            return new Gcs(projectId, Secret.ofNullable(serviceAccountJson));
        }

        @Override
        public String scheme() {
            return "gcs";
        }
    }

    /** HTTP Basic authentication. */
    record Basic(String username, Secret password) implements Credentials {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        public static Basic of(String username, String password) {
            return new Basic(username, Secret.of(password));
        }

        @Override
        public String scheme() {
            return "basic";
        }
    }

    /** An HTTP bearer token. */
    record Bearer(Secret token) implements Credentials {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        public static Bearer of(String token) {
            return new Bearer(Secret.of(token));
        }

        @Override
        public String scheme() {
            return "bearer";
        }
    }

    /**
     * An API key sent as a header ({@code X-API-Key} unless named) or, when {@code inQuery}, as a query parameter of
     * that name.
     */
    record ApiKey(String name, Secret key, boolean inQuery) implements Credentials {
        public static final String DEFAULT_HEADER = "X-API-Key";

        public ApiKey {
            Objects.requireNonNull(key, "key");
            name = name == null || name.isBlank() ? DEFAULT_HEADER : name;
        }

        public static ApiKey header(String key) {
            return new ApiKey(DEFAULT_HEADER, Secret.of(key), false);
        }

        public static ApiKey header(String headerName, String key) {
            return new ApiKey(headerName, Secret.of(key), false);
        }

        public static ApiKey query(String parameterName, String key) {
            return new ApiKey(parameterName, Secret.of(key), true);
        }

        @Override
        public String scheme() {
            return "api-key";
        }
    }

    /**
     * OAuth2. Either the client-credentials grant ({@code clientSecret} set, no {@code accessToken}), or a token
     * obtained elsewhere with an optional refresh token that is exchanged at {@code tokenUrl} when it expires.
     */
    record OAuth2(String tokenUrl, String clientId, Secret clientSecret, List<String> scopes, Secret accessToken,
                  Secret refreshToken) implements Credentials {
        public OAuth2 {
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (clientSecret == null && accessToken == null) {
                throw new IllegalArgumentException("OAuth2 needs a client secret (client credentials) or an access token");
            }
        }

        public static OAuth2 clientCredentials(String tokenUrl, String clientId, String clientSecret, List<String> scopes) {
            return new OAuth2(Objects.requireNonNull(tokenUrl, "tokenUrl"), Objects.requireNonNull(clientId, "clientId"),
                    Secret.of(clientSecret), scopes, null, null);
        }

        public static OAuth2 token(String accessToken, String refreshToken, String tokenUrl, String clientId) {
            return new OAuth2(tokenUrl, clientId, null, List.of(), Secret.of(accessToken), Secret.ofNullable(refreshToken));
        }

        @Override
        public String scheme() {
            return "oauth2";
        }
    }

    /** DynamoDB access keys, as the guide's {@code Credentials::DynamoDB}. */
    record DynamoDb(Secret accessKeyId, Secret secretAccessKey, String region) implements Credentials {
        public DynamoDb {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            Objects.requireNonNull(region, "region");
        }

        public static DynamoDb of(String accessKeyId, String secretAccessKey, String region) {
            return new DynamoDb(Secret.of(accessKeyId), Secret.of(secretAccessKey), region);
        }

        @Override
        public String scheme() {
            return "dynamodb";
        }
    }

    /** Kafka SASL: {@code mechanism} is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
    record KafkaSasl(String username, Secret password, String mechanism) implements Credentials {
        public KafkaSasl {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            mechanism = mechanism == null ? "PLAIN" : mechanism;
        }

        public static KafkaSasl of(String username, String password, String mechanism) {
            return new KafkaSasl(username, Secret.of(password), mechanism);
        }

        @Override
        public String scheme() {
            return "kafka-sasl";
        }
    }
}
