package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.testkit.objectstore.AzuriteServer;
import io.polarway.testkit.objectstore.GcsEmulatorServer;
import io.polarway.testkit.objectstore.S3ProxyServer;

import java.nio.file.Path;

/**
 * One emulated store for the contract suite: how to seed it, where its objects are, and how to configure the source
 * for it (directly, or through a proxy in front of it).
 */
interface StoreFixture extends AutoCloseable {

    /** The source type: {@code s3}, {@code azure}, {@code gcs}. */
    String type();

    /** The location of {@code key} in {@code bucket}. */
    String location(String bucket, String key);

    void createBucket(String bucket);

    void upload(String bucket, String key, Path file);

    void upload(String bucket, String key, byte[] bytes);

    /** The emulator's port (for a proxy in front of it). */
    int port();

    /** The {@code endpoint} option that reaches the emulator through 127.0.0.1:{@code port}. */
    String endpointAt(int port);

    /** Valid credentials for the emulator. */
    Credentials credentials();

    /** Credentials the emulator rejects (403), or null when it checks none. */
    Credentials wrongCredentials();

    /** The secret strings of {@link #credentials()} (never to appear in messages, toString or stats). */
    java.util.List<String> secrets();

    default SourceConfig config(String bucket, String key) {
        return config(bucket, key, port());
    }

    /** A config reading {@code bucket/key} through 127.0.0.1:{@code port}. */
    default SourceConfig config(String bucket, String key, int viaPort) {
        return SourceConfig.of(location(bucket, key))
                .withCredentials(credentials())
                .withOption("endpoint", endpointAt(viaPort));
    }

    @Override
    void close();

    static StoreFixture s3() {
        S3ProxyServer s = S3ProxyServer.start();
        return new StoreFixture() {
            public String type() {
                return "s3";
            }

            public String location(String bucket, String key) {
                return "s3://" + bucket + "/" + key;
            }

            public void createBucket(String bucket) {
                s.createBucket(bucket);
            }

            public void upload(String bucket, String key, Path file) {
                s.upload(bucket, key, file);
            }

            public void upload(String bucket, String key, byte[] bytes) {
                s.upload(bucket, key, bytes);
            }

            public int port() {
                return s.port();
            }

            public String endpointAt(int port) {
                return "http://127.0.0.1:" + port;
            }

            public Credentials credentials() {
                return Credentials.Aws.of(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "us-east-1", null);
            }

            public Credentials wrongCredentials() {
                return Credentials.Aws.of(S3ProxyServer.ACCESS_KEY, "not-the-secret-s3-key", "us-east-1", null);
            }

            public java.util.List<String> secrets() {
                return java.util.List.of(S3ProxyServer.SECRET_KEY, "not-the-secret-s3-key");
            }

            public void close() {
                s.close();
            }

            public String toString() {
                return s.toString();
            }
        };
    }

    static StoreFixture azurite() {
        AzuriteServer s = AzuriteServer.start();
        return new StoreFixture() {
            public String type() {
                return "azure";
            }

            public String location(String bucket, String key) {
                return "az://" + bucket + "/" + key;
            }

            public void createBucket(String bucket) {
                s.createContainer(bucket);
            }

            public void upload(String bucket, String key, Path file) {
                s.upload(bucket, key, file);
            }

            public void upload(String bucket, String key, byte[] bytes) {
                s.upload(bucket, key, bytes);
            }

            public int port() {
                return s.port();
            }

            public String endpointAt(int port) {
                return AzuriteServer.endpoint(port);
            }

            public Credentials credentials() {
                return Credentials.AzureSharedKey.of(AzuriteServer.ACCOUNT, AzuriteServer.KEY);
            }

            public Credentials wrongCredentials() {
                // a well-formed base64 key that is not the account's
                return Credentials.AzureSharedKey.of(AzuriteServer.ACCOUNT,
                        java.util.Base64.getEncoder().encodeToString("not-the-secret-azure-key-0123456789".getBytes()));
            }

            public java.util.List<String> secrets() {
                return java.util.List.of(AzuriteServer.KEY, java.util.Base64.getEncoder().encodeToString(
                        "not-the-secret-azure-key-0123456789".getBytes()));
            }

            public void close() {
                s.close();
            }

            public String toString() {
                return s.toString();
            }
        };
    }

    /**
     * The GCS emulator read with a service-account key whose {@code token_uri} is {@code tokens}: every read fetches
     * an OAuth token there (the emulator itself accepts any bearer token), and a key the token endpoint does not trust
     * is refused there, as Google's would be. Closing the fixture closes {@code tokens} too.
     */
    static StoreFixture gcs(GcsTokenServer tokens) {
        GcsEmulatorServer s;
        try {
            s = GcsEmulatorServer.start();
        } catch (RuntimeException | Error e) {
            tokens.close();
            throw e;
        }
        return new StoreFixture() {
            public String type() {
                return "gcs";
            }

            public String location(String bucket, String key) {
                return "gs://" + bucket + "/" + key;
            }

            public void createBucket(String bucket) {
                // the emulator creates buckets on first write
            }

            public void upload(String bucket, String key, Path file) {
                s.upload(bucket, key, file);
            }

            public void upload(String bucket, String key, byte[] bytes) {
                s.upload(bucket, key, bytes);
            }

            public int port() {
                return s.port();
            }

            public String endpointAt(int port) {
                return "http://127.0.0.1:" + port;
            }

            public Credentials credentials() {
                return Credentials.Gcs.of(GcsEmulatorServer.PROJECT, tokens.serviceAccountJson());
            }

            public Credentials wrongCredentials() {
                return Credentials.Gcs.of(GcsEmulatorServer.PROJECT, tokens.foreignServiceAccountJson());
            }

            public java.util.List<String> secrets() {
                return tokens.secrets();
            }

            public void close() {
                try {
                    tokens.close();
                } finally {
                    s.close();
                }
            }

            public String toString() {
                return s + ", " + tokens;
            }
        };
    }
}
