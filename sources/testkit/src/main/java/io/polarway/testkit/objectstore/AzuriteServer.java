package io.polarway.testkit.objectstore;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import io.polarway.testkit.BackendStartException;
import io.polarway.testkit.Caches;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.Ports;

import com.azure.core.util.BinaryData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Azurite (Microsoft's Azure Storage emulator, npm {@code azurite}, installed once into the cache keyed by version)
 * serving the Blob API on 127.0.0.1, with its data in a temporary directory (not in node's memory, so objects of
 * hundreds of MB are cheap). Seeds containers and blobs with the Azure SDK (uploads streamed from files in blocks).
 *
 * <p>{@link #close()} stops the process (SIGTERM, then SIGKILL: Azurite has been seen to ignore SIGTERM) and deletes the
 * directory. Thread-safe.
 */
public final class AzuriteServer implements AutoCloseable {
    public static final String VERSION = "3.37.0";
    /** The emulator's well-known account and key (public, documented by Microsoft). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final ExternalProcess process;
    private final int port;
    private final Path dir;
    private BlobServiceClient client;

    private AzuriteServer(ExternalProcess process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Installs Azurite if needed (npm, cached) and starts it.
     *
     * @throws BackendStartException if node or npm are missing or it does not come up
     */
    public static AzuriteServer start() {
        Path install = Caches.npmPackage("azurite", VERSION, Duration.ofMinutes(10));
        Path main = install.resolve("node_modules/azurite/dist/src/blob/main.js");
        try {
            Path dir = Files.createTempDirectory("polarway-azurite-");
            int port = Ports.free();
            ExternalProcess p = ExternalProcess.builder("azurite")
                    .command("node", main.toString(), "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                            "--location", dir.resolve("data").toString(), "--loose", "--skipApiVersionCheck",
                            "--silent")
                    .log(dir.resolve("azurite.log"))
                    .readyWhenPortOpen(port)
                    .startTimeout(Duration.ofSeconds(60))
                    .start();
            return new AzuriteServer(p, port, dir);
        } catch (IOException e) {
            throw new BackendStartException("cannot prepare Azurite: " + e, e);
        }
    }

    /** {@code http://127.0.0.1:PORT/devstoreaccount1}: the {@code endpoint} option. */
    public String endpoint() {
        return endpoint(port);
    }

    /** The blob endpoint of the emulator's account at {@code port} (e.g. a proxy's). */
    public static String endpoint(int port) {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public int port() {
        return port;
    }

    /** A connection string for the emulator's account at {@code port}. */
    public static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint="
                + endpoint(port) + ";";
    }

    public String connectionString() {
        return connectionString(port);
    }

    public ExternalProcess process() {
        return process;
    }

    public synchronized BlobServiceClient client() {
        if (client == null) client = new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
        return client;
    }

    public void createContainer(String container) {
        BlobContainerClient c = client().getBlobContainerClient(container);
        c.createIfNotExists();
    }

    /** Uploads {@code file} (streamed from disk in 8 MiB blocks, 4 at a time) as {@code container/path}. */
    public void upload(String container, String path, Path file) {
        client().getBlobContainerClient(container).getBlobClient(path).uploadFromFileWithResponse(
                new BlobUploadFromFileOptions(file.toString()).setParallelTransferOptions(new ParallelTransferOptions()
                        .setBlockSizeLong(8L << 20).setMaxSingleUploadSizeLong(8L << 20).setMaxConcurrency(4)),
                Duration.ofMinutes(10), null);
    }

    public void upload(String container, String path, byte[] bytes) {
        client().getBlobContainerClient(container).getBlobClient(path).upload(BinaryData.fromBytes(bytes), true);
    }

    public void delete(String container, String path) {
        client().getBlobContainerClient(container).getBlobClient(path).deleteIfExists();
    }

    @Override
    public synchronized void close() {
        process.stop(Duration.ofSeconds(5));
        S3ProxyServer.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "AzuriteServer{" + endpoint() + ", " + process + '}';
    }
}
