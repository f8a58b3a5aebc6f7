package io.polarway.testkit.objectstore;

import io.polarway.testkit.BackendStartException;
import io.polarway.testkit.Caches;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.Ports;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * S3Proxy ({@code org.gaul:s3proxy}, its {@code jar-with-dependencies} run as its own JVM: its thin jar clashes with
 * other Jackson versions) on 127.0.0.1 with the filesystem provider in a temporary directory, so large objects live on
 * disk, not in its heap. Also seeds buckets and objects with the AWS SDK (streamed uploads, any size).
 *
 * <p>The jar is found in the local Maven repository (the testkit's build downloads it). {@link #close()} stops the
 * process and deletes the directory. Thread-safe.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String VERSION = "4.1.0";
    public static final String ACCESS_KEY = "local-identity";
    public static final String SECRET_KEY = "local-credential";

    private final ExternalProcess process;
    private final int port;
    private final Path dir;
    private S3Client client;

    private S3ProxyServer(ExternalProcess process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts S3Proxy and returns once it answers.
     *
     * @throws BackendStartException if the jar is missing or the process does not come up
     */
    public static S3ProxyServer start() {
        return start(java.util.Map.of());
    }

    /**
     * Starts S3Proxy with extra configuration {@code properties} (e.g. {@code s3proxy.ignore-unknown-headers=true}:
     * by default it answers 501 to any {@code x-amz-} header it does not implement, such as a session token's
     * {@code x-amz-security-token}).
     */
    public static S3ProxyServer start(java.util.Map<String, String> properties) {
        Path jar = Caches.mavenJar("org.gaul", "s3proxy", VERSION, "jar-with-dependencies");
        Path dir;
        try {
            dir = Files.createTempDirectory("polarway-s3proxy-");
            Files.createDirectories(dir.resolve("data"));
            int port = Ports.free();
            Path conf = dir.resolve("s3proxy.conf");
            Files.writeString(conf, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dir.resolve("data"),
                    "jclouds.identity=" + ACCESS_KEY,
                    "jclouds.credential=" + SECRET_KEY, "")
                    + properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n")
                    .collect(java.util.stream.Collectors.joining()));
            ExternalProcess p = ExternalProcess.builder("s3proxy")
                    .java(List.of("-Xmx512m", "-XX:+UseSerialGC"), jar.toString(), "org.gaul.s3proxy.Main",
                            List.of("--properties", conf.toString()))
                    .log(dir.resolve("s3proxy.log"))
                    .readyWhenPortOpen(port)
                    .startTimeout(Duration.ofSeconds(60))
                    .start();
            return new S3ProxyServer(p, port, dir);
        } catch (IOException e) {
            throw new BackendStartException("cannot prepare S3Proxy: " + e, e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: the {@code endpoint} option (path-style addressing). */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ExternalProcess process() {
        return process;
    }

    /** A client for seeding (path style, no retries needed on loopback). */
    public synchronized S3Client client() {
        if (client == null) client = client(endpoint());
        return client;
    }

    /** An SDK client for {@code endpoint} (e.g. a proxy in front of this server) with this server's keys. */
    public static S3Client client(String endpoint) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(16))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public void createBucket(String bucket) {
        try {
            client().createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException e) {
            // fine: idempotent
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) throw e;
        }
    }

    /** Uploads {@code file} (streamed from disk) as {@code bucket/key}. */
    public void upload(String bucket, String key, Path file) {
        client().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromFile(file));
    }

    public void upload(String bucket, String key, byte[] bytes) {
        client().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    public void delete(String bucket, String key) {
        client().deleteObject(d -> d.bucket(bucket).key(key));
    }

    @Override
    public synchronized void close() {
        try {
            if (client != null) client.close();
        } finally {
            process.close();
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is not worth failing a test over
        }
    }

    @Override
    public String toString() {
        return "S3ProxyServer{" + endpoint() + ", " + process + '}';
    }
}
