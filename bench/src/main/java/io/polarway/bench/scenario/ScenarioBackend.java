package io.polarway.bench.scenario;

import io.polarway.api.Credentials;
import io.polarway.bench.objectstore.BenchObjects;
import io.polarway.profile.VmProfile;
import io.polarway.testkit.objectstore.AzuriteServer;
import io.polarway.testkit.objectstore.GcsEmulatorServer;
import io.polarway.testkit.objectstore.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The emulated store of a scenario with a {@link Scenario.Backend}: started by the bench runner on 127.0.0.1 before
 * the scenario's JMH fork (so the emulator lives outside the fork's cgroup and its memory is not the stream's), seeded
 * with the dataset's rows, and stopped after the fork. The fork learns where the data is from two system properties,
 * {@value #LOCATION_PROPERTY} and {@value #ENDPOINT_PROPERTY} ({@link #jvmArgs()}).
 *
 * <p>The objects are generated once per row range into the cache ({@link BenchObjects}); the rows are split evenly
 * over {@code objects} objects, read back through a glob when there are several.
 */
public final class ScenarioBackend implements AutoCloseable {
    public static final String LOCATION_PROPERTY = "bench.backend.location";
    public static final String ENDPOINT_PROPERTY = "bench.backend.endpoint";

    private final AutoCloseable server;
    private final String endpoint;
    private final String location;

    private ScenarioBackend(AutoCloseable server, String endpoint, String location) {
        this.server = server;
        this.endpoint = endpoint;
        this.location = location;
    }

    /**
     * Starts the scenario's store and uploads its dataset for {@code profile} in {@code suite}.
     *
     * @return the backend, or null when the scenario has none
     * @throws IOException                                           when the objects cannot be generated
     * @throws io.polarway.testkit.BackendStartException             when the emulator does not come up
     */
    public static ScenarioBackend start(Scenario scenario, VmProfile profile, String suite) throws IOException {
        Scenario.Backend b = scenario.backend();
        if (b == null) return null;
        long rows = scenario.dataset().rows(profile, suite);
        String ext = b.format();
        List<String> keys = new java.util.ArrayList<>();
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < b.objects(); i++) {
            long from = rows * i / b.objects();
            long to = rows * (i + 1) / b.objects();
            files.add(BenchObjects.object(ext, from, to));
            keys.add(String.format("%s/part-%05d.%s", scenario.name(), i, ext));
        }
        String key = b.objects() == 1 ? keys.get(0) : scenario.name() + "/part-*." + ext;
        switch (b.store()) {
            case "s3" -> {
                S3ProxyServer s = S3ProxyServer.start();
                try {
                    s.createBucket(b.bucket());
                    for (int i = 0; i < keys.size(); i++) s.upload(b.bucket(), keys.get(i), files.get(i));
                    return new ScenarioBackend(s, s.endpoint(), "s3://" + b.bucket() + "/" + key);
                } catch (RuntimeException e) {
                    s.close();
                    throw e;
                }
            }
            case "azure" -> {
                AzuriteServer s = AzuriteServer.start();
                try {
                    s.createContainer(b.bucket());
                    for (int i = 0; i < keys.size(); i++) s.upload(b.bucket(), keys.get(i), files.get(i));
                    return new ScenarioBackend(s, s.endpoint(), "az://" + b.bucket() + "/" + key);
                } catch (RuntimeException e) {
                    s.close();
                    throw e;
                }
            }
            default -> {
                GcsEmulatorServer s = GcsEmulatorServer.start();
                try {
                    for (int i = 0; i < keys.size(); i++) s.upload(b.bucket(), keys.get(i), files.get(i));
                    return new ScenarioBackend(s, s.endpoint(), "gs://" + b.bucket() + "/" + key);
                } catch (RuntimeException e) {
                    s.close();
                    throw e;
                }
            }
        }
    }

    /** The system properties that tell the fork where the data is. */
    public List<String> jvmArgs() {
        return List.of("-D" + LOCATION_PROPERTY + "=" + location, "-D" + ENDPOINT_PROPERTY + "=" + endpoint);
    }

    public String location() {
        return location;
    }

    static String locationInFork() {
        return required(LOCATION_PROPERTY);
    }

    static String endpointInFork() {
        return required(ENDPOINT_PROPERTY);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("-D" + property + " is not set: scenarios with a backend are run by the "
                    + "bench runner, which starts and seeds the store first");
        }
        return v;
    }

    /** The emulators' own (public, well-known) credentials. */
    static Credentials credentials(Scenario.Backend b) {
        return switch (b.store()) {
            case "s3" -> Credentials.Aws.of(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "us-east-1", null);
            case "azure" -> Credentials.AzureSharedKey.of(AzuriteServer.ACCOUNT, AzuriteServer.KEY);
            default -> Credentials.Gcs.of(GcsEmulatorServer.PROJECT, null);
        };
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
