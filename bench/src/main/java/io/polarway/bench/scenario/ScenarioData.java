package io.polarway.bench.scenario;

import io.polarway.api.SourceConfig;
import io.polarway.bench.dynamodb.DynamoDbDataset;
import io.polarway.bench.http.ScenarioPagesApi;
import io.polarway.bench.kafka.KafkaBacklog;
import io.polarway.profile.VmProfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's data made ready on the host before its fork starts — a file written, an emulated store or broker
 * started and seeded, a paginated API served — because none of that is what the profile's limits measure (on a real VM
 * the store is another machine, the file was there before). The runner calls {@link #prepare}, passes
 * {@link #forkProperties()} to the fork as system properties and closes the result once the fork has ended; the fork
 * calls {@link #inFork} to point its source at the data. This is the one place that knows the kinds of data:
 * <ul>
 *   <li>{@code generate} source: nothing to prepare (the fork generates its rows);</li>
 *   <li>{@code dataset.generate}: a Parquet or Arrow IPC file ({@link GeneratedFiles});</li>
 *   <li>{@code backend.store} {@code s3}, {@code azure}, {@code gcs}: objects on an emulator ({@link ScenarioBackend});</li>
 *   <li>{@code backend.store} {@code kafka}: a backlog on a broker ({@link KafkaBacklog});</li>
 *   <li>{@code backend.store} {@code http}: a paginated JSON API ({@link ScenarioPagesApi});</li>
 *   <li>source {@code dynamodb}: a seeded table on dynalite ({@link DynamoDbDataset}).</li>
 * </ul>
 */
public interface ScenarioData extends AutoCloseable {

    /** The system properties the fork needs to find the data. */
    Map<String, String> forkProperties();

    /** Stops what {@link #prepare} started (files stay cached). */
    @Override
    void close() throws Exception;

    /** Data the fork makes itself. */
    ScenarioData NONE = new ScenarioData() {
        @Override
        public Map<String, String> forkProperties() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    };

    /**
     * On the host: writes, starts and seeds what {@code scenario} reads under {@code profile} in {@code suite}.
     *
     * @throws Exception when the data cannot be made ready (the run is then a failure naming it)
     */
    static ScenarioData prepare(Scenario scenario, VmProfile profile, String suite) throws Exception {
        Scenario.Dataset d = scenario.dataset();
        Scenario.Backend b = scenario.backend();
        if (d.generate() != null) {
            String path = GeneratedFiles.prepare(d, profile, suite).toString();
            return of(Map.of(GeneratedFiles.LOCATION_PROPERTY, path), () -> { });
        }
        if (b != null && b.isObjectStore()) {
            ScenarioBackend backend = ScenarioBackend.start(scenario, profile, suite);
            return of(properties(backend.jvmArgs()), backend);
        }
        if (b != null && b.store().equals("kafka")) return KafkaBacklog.prepare(scenario, profile, suite);
        if (b != null && b.store().equals("http")) return ScenarioPagesApi.prepare(scenario, profile, suite);
        if (d.source().equals(DynamoDbDataset.SOURCE)) {
            DynamoDbDataset table = DynamoDbDataset.prepare(d.location(), d.rows(profile, suite));
            return of(properties(table.forkJvmArgs()), table);
        }
        return NONE;
    }

    /**
     * In the fork: {@code config} pointed at the data {@link #prepare} made ready (location, endpoint, credentials).
     * A file dataset run by hand (no runner) is written here.
     */
    static SourceConfig inFork(Scenario scenario, VmProfile profile, String suite, SourceConfig config) {
        Scenario.Dataset d = scenario.dataset();
        Scenario.Backend b = scenario.backend();
        if (d.generate() != null) {
            String location = System.getProperty(GeneratedFiles.LOCATION_PROPERTY);
            if (location == null) location = GeneratedFiles.prepare(d, profile, suite).toString();
            return config.withLocation(location);
        }
        if (b != null && b.isObjectStore()) {
            return config.withLocation(ScenarioBackend.locationInFork())
                    .withOption("endpoint", ScenarioBackend.endpointInFork())
                    .withCredentials(ScenarioBackend.credentials(b));
        }
        if (b != null && b.store().equals("kafka")) return KafkaBacklog.inFork(config);
        if (b != null && b.store().equals("http")) return ScenarioPagesApi.inFork(config);
        if (d.source().equals(DynamoDbDataset.SOURCE)) return DynamoDbDataset.forFork(config);
        return config;
    }

    /** A prepared dataset from its fork properties and what to close. */
    static ScenarioData of(Map<String, String> properties, AutoCloseable resources) {
        Map<String, String> copy = Map.copyOf(properties);
        return new ScenarioData() {
            @Override
            public Map<String, String> forkProperties() {
                return copy;
            }

            @Override
            public void close() throws Exception {
                resources.close();
            }
        };
    }

    /** {@code -Dk=v} arguments as a map. */
    static Map<String, String> properties(List<String> jvmArgs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : jvmArgs) {
            if (!a.startsWith("-D") || !a.contains("=")) throw new IllegalArgumentException("not a -Dk=v: " + a);
            out.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return out;
    }
}
