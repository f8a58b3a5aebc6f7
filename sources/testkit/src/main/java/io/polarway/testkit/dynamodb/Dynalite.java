package io.polarway.testkit.dynamodb;

import io.polarway.testkit.BackendStartException;
import io.polarway.testkit.Caches;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.Ports;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A DynamoDB server on 127.0.0.1 for tests and benchmarks: <a href="https://github.com/architect/dynalite">dynalite</a>
 * (Apache-2.0, an implementation of the DynamoDB JSON API on LevelDB, in-memory here), installed once from npm into the
 * {@link Caches} folder keyed by version and run with {@code node} as its own process.
 *
 * <p>Why not AWS's DynamoDB Local: it is published under AWS's own licence terms, which this project does not take on
 * (the package lists of this workplace mark it "not to use"). dynalite speaks the same wire protocol to the real AWS
 * SDK, validates requests the way DynamoDB does (expressions, keys, {@code ExclusiveStartKey} per segment), pages at
 * 1 MB, and implements {@code Segment}/{@code TotalSegments}, {@code Query}, {@code Scan}, secondary indexes and
 * {@code BatchWriteItem}. It does not check signatures or throttle: tests put {@link DynamoDbFaultProxy} in front of it
 * for that.
 *
 * <p>Its own process, so nothing of it shares a classpath, a heap or a memory measurement with the code under test,
 * and {@link #close()} leaves no thread behind. Thread-safe.
 */
public final class Dynalite implements AutoCloseable {
    /** The pinned npm version. */
    public static final String VERSION = "4.0.0";

    private final ExternalProcess process;
    private final int port;

    private Dynalite(ExternalProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Installs dynalite if needed (npm, a few seconds once per machine) and starts it on a free loopback port;
     * returns once the port accepts connections. Tables are in memory and become ACTIVE at once.
     *
     * @throws BackendStartException when node or npm is missing, the install fails, or the server does not come up
     */
    public static Dynalite start() {
        return start(null);
    }

    /**
     * As {@link #start()}, with the tables kept on disk in {@code dataDir} (LevelDB) when it is not null, so a
     * later server started on the same folder finds them (benchmark forks seed once). One server per folder at a
     * time: LevelDB locks it.
     */
    public static Dynalite start(Path dataDir) {
        Path dir = Caches.npmPackage("dynalite", VERSION, Duration.ofMinutes(5));
        Path cli = dir.resolve("node_modules").resolve("dynalite").resolve("cli.js");
        if (!Files.isRegularFile(cli)) {
            throw new BackendStartException("dynalite " + VERSION + " is installed in " + dir + " but " + cli
                    + " is missing", null);
        }
        int port = Ports.free();
        List<String> command = new ArrayList<>(List.of("node", cli.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (dataDir != null) {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new BackendStartException("cannot create dynalite's data folder " + dataDir + ": " + e, e);
            }
            command.addAll(List.of("--path", dataDir.toAbsolutePath().toString()));
        }
        ExternalProcess p = ExternalProcess.builder("dynalite")
                .command(command)
                .readyWhenPortOpen(port)
                .startTimeout(Duration.ofSeconds(60))
                .start();
        return new Dynalite(p, port);
    }

    public int port() {
        return port;
    }

    /** The endpoint to give the AWS SDK ({@code endpointOverride}) or the source ({@code endpoint} option). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public ExternalProcess process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the server (SIGTERM, then SIGKILL). Idempotent. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "dynalite " + VERSION + " at " + endpoint() + " (" + process + ")";
    }
}
