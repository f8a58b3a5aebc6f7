package io.polarway.bench.scenario;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One benchmark scenario, read from {@code scenarios/NAME.yaml} (shipped in the bench jar): the dataset (a source,
 * generated deterministically from a seed, sized relative to the profile's RAM), how the stream reads it (policy,
 * chunk size, prefetch, parallel, memory limit, whether the engine's guards are on), what the consumer does with
 * each chunk, and what must hold afterwards. Immutable.
 *
 * @param name        file name without {@code .yaml}
 * @param description one line for the report
 * @param suites      the suites that include it: {@code smoke}, {@code default}, {@code full}
 * @param profiles    the VM profiles it runs under (names or aliases)
 * @param profilesBySuite per suite, a narrower list of profiles (e.g. only B1s in the smoke suite); optional
 * @param dataset     what to read
 * @param stream      how to read it
 * @param consumer    what happens to each chunk
 * @param expect      the validations
 * @param backend     an emulated store the dataset lives in (started and seeded by the runner before the fork), or
 *                    null for generated or local data
 */
public record Scenario(String name, String description, List<String> suites, List<String> profiles,
                       Map<String, List<String>> profilesBySuite, Dataset dataset, Stream stream, Consumer consumer,
                       Expect expect, Backend backend) {

    private static final String RESOURCE_DIR = "io/polarway/scenarios/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public Scenario {
        Objects.requireNonNull(name, "name");
        suites = List.copyOf(suites);
        profiles = List.copyOf(profiles);
        profilesBySuite = profilesBySuite != null ? Map.copyOf(profilesBySuite) : Map.of();
        Objects.requireNonNull(dataset, "dataset of " + name);
        Objects.requireNonNull(stream, "stream of " + name);
        consumer = consumer != null ? consumer : new Consumer(1, 1, 0, 0, 0, 0);
        expect = expect != null ? expect : new Expect("completed", true, false, true, true);
    }

    /**
     * A server the dataset lives on, started and seeded by the runner on 127.0.0.1 outside the fork's cgroup (on a
     * real VM it is another machine), its location passed to the fork ({@link ScenarioData}):
     * <ul>
     *   <li>{@code s3} (S3Proxy), {@code azure} (Azurite), {@code gcs} (the firebase-tools emulator): the rows
     *       uploaded as {@code objects} objects of {@code format} into {@code bucket} (more than one: read through a
     *       glob). The dataset's {@code source} is the store's source type;</li>
     *   <li>{@code kafka}: a backlog of JSON records on a broker, over {@code partitions} partitions;</li>
     *   <li>{@code http}: a paginated JSON API ({@code Link: rel="next"}), {@code records_per_page} records a page,
     *       every {@code fail_every}-th request answered 503 with {@code Retry-After: 0} (0: never) — a flaky API.</li>
     * </ul>
     *
     * @param store          {@code s3}, {@code azure}, {@code gcs}, {@code kafka} or {@code http}
     * @param bucket         bucket or container name (object stores)
     * @param format         {@code arrows} (Arrow IPC stream), {@code parquet} or {@code csv} (object stores)
     * @param objects        how many objects the rows are split over (object stores)
     * @param partitions     topic partitions (kafka)
     * @param recordsPerPage records per page (http)
     * @param failEvery      every n-th request fails with a 503 (http; 0 never)
     */
    public record Backend(String store, String bucket, String format, int objects, int partitions,
                         int recordsPerPage, int failEvery) {
        static final List<String> OBJECT_STORES = List.of("s3", "azure", "gcs");

        public Backend {
            if (!OBJECT_STORES.contains(store) && !List.of("kafka", "http").contains(store)) {
                throw new IllegalArgumentException("backend.store must be s3, azure, gcs, kafka or http, got " + store);
            }
            bucket = bucket != null ? bucket : "bench";
            format = format != null ? format : "arrows";
            if (!List.of("arrows", "parquet", "csv").contains(format)) {
                throw new IllegalArgumentException("backend.format must be arrows, parquet or csv, got " + format);
            }
            objects = objects > 0 ? objects : 1;
            partitions = partitions > 0 ? partitions : 4;
            recordsPerPage = recordsPerPage > 0 ? recordsPerPage : 1000;
            if (failEvery < 0) throw new IllegalArgumentException("backend.fail_every must be at least 0");
        }

        /** An object store for the old four-field form. */
        public Backend(String store, String bucket, String format, int objects) {
            this(store, bucket, format, objects, 0, 0, 0);
        }

        /** Whether the data are objects on {@code s3}, {@code azure} or {@code gcs}. */
        public boolean isObjectStore() {
            return OBJECT_STORES.contains(store);
        }
    }

    /**
     * @param source       source type, e.g. {@code generate}, {@code csv}, {@code file}
     * @param location     what to read; for a {@code generate}d file the runner fills it in after writing the file
     * @param sizeXRam     bytes to stream relative to the profile's RAM, per suite
     * @param rowWidthBytes approximate bytes per row (sets the row count from the size)
     * @param options      source options
     * @param generate     a file to write before the run (see {@link GeneratedFiles}), or null
     */
    public record Dataset(String source, String location,
                          @com.fasterxml.jackson.annotation.JsonProperty("size_x_ram") Map<String, Double> sizeXRam,
                          int rowWidthBytes,
                          Map<String, String> options, Generate generate) {
        public Dataset {
            Objects.requireNonNull(source, "dataset.source");
            if (generate != null && location != null) {
                throw new IllegalArgumentException("dataset: a generated file has no 'location' (the runner sets it)");
            }
            location = location != null ? location : generate != null ? null : "synthetic";
            Objects.requireNonNull(sizeXRam, "dataset.size_x_ram");
            sizeXRam = Map.copyOf(sizeXRam);
            options = options != null ? Map.copyOf(options) : Map.of();
            if (rowWidthBytes <= 0) throw new IllegalArgumentException("dataset.row_width_bytes must be positive");
        }

        /** Rows to stream under {@code profile} in {@code suite}. */
        public long rows(VmProfile profile, String suite) {
            Double x = sizeXRam.get(suite);
            if (x == null) x = sizeXRam.getOrDefault("default", 1.0);
            return Math.max(1, (long) (profile.ramBytes() * x / rowWidthBytes));
        }
    }

    /**
     * A file the bench runner writes before the benchmark fork starts, deterministic from the seed and cached by its
     * parameters ({@link GeneratedFiles}); the fork reads it with the dataset's source (the {@code file} source).
     *
     * @param format    {@code parquet} or {@code arrow} (an Arrow IPC file)
     * @param seed      seeds the values besides the {@code id} column (which is the row index)
     * @param batchRows rows per Parquet row group or per IPC record batch
     */
    public record Generate(String format, long seed, int batchRows) {
        public Generate {
            Objects.requireNonNull(format, "dataset.generate.format");
            if (!format.equals("parquet") && !format.equals("arrow")) {
                throw new IllegalArgumentException("dataset.generate.format must be parquet or arrow, got " + format);
            }
            if (batchRows <= 0) throw new IllegalArgumentException("dataset.generate.batch_rows must be positive");
        }
    }

    /**
     * @param policy           the chunk-size policy's name; {@code profile}: the VM profile's recommended policy with
     *                         its parameters ({@code VmProfile.policy()})
     * @param params           policy and gate parameters
     * @param chunkRows        the initial chunk size
     * @param prefetch         read ahead on a background thread
     * @param parallel         read splits in parallel
     * @param memoryLimit      {@code recommended} (the profile's), {@code none}, or a size such as {@code 600MB}
     * @param guards           the engine's protections: the data limit on Arrow memory and the backpressure gate.
     *                         Off only to show what happens without them
     * @param maxQueueFraction the read-ahead queue bound as a fraction of the budget (0: the stream's default)
     */
    public record Stream(String policy, Map<String, String> params, int chunkRows, boolean prefetch, boolean parallel,
                         String memoryLimit, Boolean guards, double maxQueueFraction) {
        public Stream {
            policy = policy != null ? policy : "guide";
            params = params != null ? new LinkedHashMap<>(params) : new LinkedHashMap<>();
            memoryLimit = memoryLimit != null ? memoryLimit : "recommended";
            guards = guards == null || guards;
            if (chunkRows <= 0) throw new IllegalArgumentException("stream.chunk_rows must be positive");
        }

        @Override
        public Map<String, String> params() {
            return Map.copyOf(params);
        }
    }

    /**
     * The consumer: {@code workers} threads each process one chunk at a time; at most {@code windowChunks} chunks
     * are in its hands at once (it stops taking chunks when it has that many); each row costs {@code workNsPerRow} of
     * CPU; a sink drains {@code sinkMbPerS} MB/s per worker (0: none), holding the chunk meanwhile. With
     * {@code retainChunks} > 0 it also keeps the last that many processed chunks open (a rolling window, as a
     * windowed aggregate or a join would), closing the oldest when a new one is done. With
     * {@code heapBytesPerRow} > 0 each chunk in its hands also costs that much Java heap per row (rows turned into
     * objects, as most Java consumers do), released with the chunk: memory the Arrow data limit does not see and
     * only the backpressure gate can hold back.
     */
    public record Consumer(int workers, int windowChunks, long workNsPerRow, double sinkMbPerS, int retainChunks,
                           int heapBytesPerRow) {
        public Consumer {
            if (workers < 1) throw new IllegalArgumentException("consumer.workers must be at least 1");
            if (windowChunks < 1) throw new IllegalArgumentException("consumer.window_chunks must be at least 1");
            if (retainChunks < 0) throw new IllegalArgumentException("consumer.retain_chunks must be at least 0");
            if (heapBytesPerRow < 0) throw new IllegalArgumentException("consumer.heap_bytes_per_row must be >= 0");
        }
    }

    /**
     * @param outcome                   {@code completed} or {@code oom_killed}
     * @param peakWithinRecommended     peak working set at most the profile's recommended limit
     * @param gateEngages               the backpressure gate paused at least once
     * @param chunkRowsWithinProfileMax no chunk above the profile's max chunk size
     * @param rowsExactlyOnce           every row delivered once (count and id checksum)
     */
    public record Expect(String outcome, boolean peakWithinRecommended, boolean gateEngages,
                         boolean chunkRowsWithinProfileMax, boolean rowsExactlyOnce) {
        public Expect {
            outcome = outcome != null ? outcome : "completed";
            if (!outcome.equals("completed") && !outcome.equals("oom_killed")) {
                throw new IllegalArgumentException("expect.outcome must be completed or oom_killed, got " + outcome);
            }
        }
    }

    /**
     * This scenario with another policy: {@code name} (a registered policy, or {@code profile} for the VM profile's
     * recommended one) and exactly {@code params} (the scenario's own parameters are dropped: they belong to its
     * policy). Everything else — data, consumer, guards, expectations — stays.
     */
    public Scenario withPolicy(String policyName, Map<String, String> params) {
        Stream s = stream;
        return new Scenario(name, description, suites, profiles, profilesBySuite, dataset,
                new Stream(policyName, params, s.chunkRows(), s.prefetch(), s.parallel(), s.memoryLimit(), s.guards(),
                        s.maxQueueFraction()), consumer, expect, backend);
    }

    /** A scenario shipped in the bench jar, by name. */
    public static Scenario load(String name) {
        try (InputStream in = Scenario.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name + ".yaml")) {
            if (in == null) throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + names());
            return parse(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scenario " + name, e);
        }
    }

    static Scenario parse(byte[] yaml, String what) throws IOException {
        try {
            Scenario s = YAML.readValue(yaml, Scenario.class);
            if (!s.name().equals(what)) {
                throw new IllegalArgumentException("scenario file " + what + ".yaml names itself '" + s.name() + "'");
            }
            return s;
        } catch (IOException e) {
            throw new IOException("scenario " + what + ": " + e.getMessage(), e);
        }
    }

    /** Every scenario shipped in the bench jar (from its index), in index order. */
    public static List<String> names() {
        try (InputStream in = Scenario.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + "index.txt")) {
            if (in == null) throw new IllegalStateException("no " + RESOURCE_DIR + "index.txt on the classpath");
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String n = line.trim();
                if (!n.isEmpty() && !n.startsWith("#")) out.add(n);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The profiles this scenario runs under in any suite, resolved. */
    public List<VmProfile> resolvedProfiles() {
        List<VmProfile> out = new ArrayList<>();
        for (String p : profiles) out.add(VmProfile.load(p));
        return out;
    }

    /** The profiles this scenario runs under in {@code suite}, resolved. */
    public List<VmProfile> resolvedProfiles(String suite) {
        List<VmProfile> out = new ArrayList<>();
        for (String p : profilesBySuite.getOrDefault(suite, profiles)) out.add(VmProfile.load(p));
        return out;
    }

    public boolean inSuite(String suite) {
        return suites.contains(suite);
    }
}
