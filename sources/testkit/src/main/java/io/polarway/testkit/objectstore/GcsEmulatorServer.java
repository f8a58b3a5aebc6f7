package io.polarway.testkit.objectstore;

import com.google.cloud.NoCredentials;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.polarway.testkit.BackendStartException;
import io.polarway.testkit.Caches;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.Ports;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Cloud Storage emulator of {@code firebase-tools} (npm, pinned exactly, installed once into the cache), serving
 * the GCS JSON API on 127.0.0.1. Started by a small node launcher ({@code gcs-emulator.js}) that builds the emulator
 * directly — the stock {@code firebase emulators:start} downloads a rules jar and aborts offline — and accepts
 * chunked resumable uploads, so objects larger than the emulator's 130 MB body limit can be seeded.
 *
 * <p>Known limits of the emulator: buckets appear on first write (creating one answers 501); every read loads the
 * whole object in node before slicing the range, so ranged reads of large objects cost it CPU and memory. Its blobs
 * live under a private temporary directory. Thread-safe.
 */
public final class GcsEmulatorServer implements AutoCloseable {
    public static final String VERSION = "15.34.2";
    public static final String PROJECT = "demo-polarway";
    private static final int UPLOAD_CHUNK_BYTES = 16 << 20;

    private final ExternalProcess process;
    private final int port;
    private final Path dir;
    private Storage client;

    private GcsEmulatorServer(ExternalProcess process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Installs firebase-tools if needed (npm, cached; the first install takes minutes) and starts the emulator.
     *
     * @throws BackendStartException if node or npm are missing or it does not come up
     */
    public static GcsEmulatorServer start() {
        Path install = Caches.npmPackage("firebase-tools", VERSION, Duration.ofMinutes(20));
        try {
            Path dir = Files.createTempDirectory("polarway-gcs-");
            Path launcher = dir.resolve("gcs-emulator.js");
            try (InputStream in = GcsEmulatorServer.class.getResourceAsStream("gcs-emulator.js")) {
                if (in == null) throw new BackendStartException("gcs-emulator.js missing from the testkit", null);
                Files.copy(in, launcher);
            }
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            int port = Ports.free();
            ExternalProcess p = ExternalProcess.builder("gcs-emulator")
                    .command("node", launcher.toString(), install.toString(), Integer.toString(port), PROJECT)
                    .env("TMPDIR", tmp.toString()) // its blob files go under os.tmpdir(): keep them private
                    .log(dir.resolve("gcs-emulator.log"))
                    .readyWhenLogMatches("polarway gcs emulator ready")
                    .readyWhenPortOpen(port)
                    .startTimeout(Duration.ofSeconds(60))
                    .start();
            return new GcsEmulatorServer(p, port, dir);
        } catch (IOException e) {
            throw new BackendStartException("cannot prepare the GCS emulator: " + e, e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: the {@code endpoint} option. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ExternalProcess process() {
        return process;
    }

    public synchronized Storage client() {
        if (client == null) client = client(endpoint());
        return client;
    }

    /** A client of {@code endpoint} (this emulator, or a proxy in front of it) without credentials. */
    public static Storage client(String endpoint) {
        return StorageOptions.http().setHost(endpoint).setProjectId(PROJECT)
                .setCredentials(NoCredentials.getInstance()).build().getService();
    }

    /** Uploads {@code file} as {@code bucket/key}, streamed in 16 MiB chunks of one resumable upload. */
    public void upload(String bucket, String key, Path file) {
        try (InputStream in = Files.newInputStream(file);
             WriteChannel w = client().writer(BlobInfo.newBuilder(BlobId.of(bucket, key))
                     .setContentType("application/octet-stream").build())) {
            w.setChunkSize(UPLOAD_CHUNK_BYTES);
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) w.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + file + " to gs://" + bucket + "/" + key, e);
        }
    }

    /** Uploads {@code bytes} (a resumable upload: the emulator's multipart uploads fail). */
    public void upload(String bucket, String key, byte[] bytes) {
        try (WriteChannel w = client().writer(BlobInfo.newBuilder(BlobId.of(bucket, key))
                .setContentType("application/octet-stream").build())) {
            w.setChunkSize(UPLOAD_CHUNK_BYTES);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) w.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload gs://" + bucket + "/" + key, e);
        }
    }

    public void delete(String bucket, String key) {
        client().delete(BlobId.of(bucket, key));
    }

    @Override
    public synchronized void close() {
        try {
            if (client != null) client.close();
        } catch (Exception ignored) {
            // closing a client of a stopping emulator
        }
        process.stop(Duration.ofSeconds(5));
        S3ProxyServer.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "GcsEmulatorServer{" + endpoint() + ", " + process + '}';
    }
}
