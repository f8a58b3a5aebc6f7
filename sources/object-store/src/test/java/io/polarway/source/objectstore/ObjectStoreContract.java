package io.polarway.source.objectstore;

import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.error.NetworkException;
import io.polarway.error.ParseException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.Backends;
import io.polarway.testkit.FaultProxy;
import io.polarway.testkit.FaultProxy.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every object store passes, run against real emulators on 127.0.0.1 (S3Proxy, Azurite, the GCS
 * emulator): every format, multi-part reads with lines across part boundaries, globs with pagination, a large object
 * read as parts under a memory limit, typed errors for missing objects and rejected credentials, secrets that never
 * show, and faults injected between the client and the emulator by a {@link FaultProxy}. Every read checks that each
 * row arrives exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ObjectStoreContract {
    static final String BUCKET = "polarway-contract";
    static final long SMALL_ROWS = 2_000;
    static final long MEDIUM_ROWS = 120_000; // ~3 MB of text: dozens of 64 KiB parts
    static final long PARQUET_ROWS = 200_000;

    StoreFixture store;
    FaultProxy proxy;
    Path dir;
    TextFormats formats;
    ObjectStoreSourceFactory factory;

    /** Starts the store (called through {@link Backends#start}, so a failure fails under CI=true). */
    abstract StoreFixture startStore();

    abstract String storeName();

    @BeforeAll
    void setUp() throws IOException {
        store = Backends.start(storeName(), this::startStore);
        proxy = FaultProxy.start(store.port());
        dir = Files.createTempDirectory("polarway-contract-");
        List<TextFormat> all = new ArrayList<>();
        all.add(new RowsFormat());
        ServiceLoader.load(TextFormat.class).forEach(all::add);
        formats = TextFormats.of(all.toArray(TextFormat[]::new));
        factory = switch (store.type()) {
            case "s3" -> new S3SourceFactory(formats);
            case "azure" -> new AzureSourceFactory(formats);
            default -> new GcsSourceFactory(formats);
        };
        store.createBucket(BUCKET);
        store.upload(BUCKET, "small.rows", TestObjects.rows(0, SMALL_ROWS, true));
        store.upload(BUCKET, "no-final-newline.rows", TestObjects.rows(0, SMALL_ROWS, false));
        store.upload(BUCKET, "medium.rows", TestObjects.rows(0, MEDIUM_ROWS, false));
        store.upload(BUCKET, "medium.rows.gz", TestObjects.gzip(TestObjects.rows(0, MEDIUM_ROWS, true)));
        store.upload(BUCKET, "empty.rows", new byte[0]);
        store.upload(BUCKET, "data.parquet", TestObjects.parquet(dir.resolve("data.parquet"), PARQUET_ROWS, 30_000));
        store.upload(BUCKET, "data.arrow", TestObjects.ipc(dir.resolve("data.arrow"), PARQUET_ROWS, 7_000, false));
        store.upload(BUCKET, "data.arrows", TestObjects.ipc(dir.resolve("data.arrows"), PARQUET_ROWS, 7_000, true));
        // the same stream without its 8-byte end-of-stream marker: it stops right after a complete batch
        byte[] stream = Files.readAllBytes(dir.resolve("data.arrows"));
        store.upload(BUCKET, "cut.arrows", java.util.Arrays.copyOf(stream, stream.length - 8));
        // a glob: 7 parts of one id range, plus objects the glob must not match
        for (int i = 0; i < 7; i++) {
            store.upload(BUCKET, "glob/part-" + i + ".rows", TestObjects.rows(i * 1_000L, (i + 1) * 1_000L, i % 2 == 0));
        }
        store.upload(BUCKET, "glob/readme.txt", "not data".getBytes());
        store.upload(BUCKET, "glob/nested/part-9.rows", TestObjects.rows(7_000, 8_000, true));
        for (String f : List.of("csv", "jsonl")) {
            if (formats.byName(f).isPresent()) {
                store.upload(BUCKET, "medium." + f, Files.readAllBytes(TestObjects.textFile(dir.resolve("m." + f),
                        MEDIUM_ROWS, f, false)));
            }
        }
        store.upload(BUCKET, "large.rows", LargeObject.file());
    }

    @AfterAll
    void tearDown() {
        if (proxy != null) proxy.close();
        if (store != null) store.close();
        deleteTree(dir);
    }

    @AfterEach
    void clearFaults() {
        if (proxy != null) proxy.clear();
    }

    static void deleteTree(Path p) {
        if (p == null) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }

    SourceConfig config(String key) {
        return store.config(BUCKET, key);
    }

    /** Through the fault proxy, with small parts, quick retries. */
    SourceConfig viaProxy(String key) {
        return store.config(BUCKET, key, proxy.port()).withParallel(true)
                .withOption("part_size", "64KiB").withOption("multipart_threshold", "64KiB")
                .withOption("retry_delay_ms", "5").withOption("retry_max_delay_ms", "2000")
                .withOption("retry_attempts", "5").withOption("timeout_ms", "10000");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // formats and parts

    @Test
    void smallTextObjectInOneRequest() {
        Reading.Result r = Reading.read(factory, config("small.rows"), 700);
        assertThat(r.checker().exactlyOnce(SMALL_ROWS)).isTrue();
        assertThat(r.checker().ascending()).isTrue();
        assertThat(r.counter("parts_fetched")).isEqualTo(1);
        assertThat(r.stats().bytesRead()).isEqualTo(TestObjects.rows(0, SMALL_ROWS, true).length);
    }

    @Test
    void lastLineWithoutNewlineIsRead() {
        Reading.Result r = Reading.read(factory, config("no-final-newline.rows"), 10_000);
        assertThat(r.checker().exactlyOnce(SMALL_ROWS)).isTrue();
    }

    @Test
    void linesAcrossPartBoundariesArriveOnce() {
        for (boolean parallel : new boolean[]{true, false}) {
            SourceConfig c = config("medium.rows").withParallel(parallel).withPrefetch(!parallel)
                    .withOption("part_size", "64KiB").withOption("multipart_threshold", "64KiB");
            Reading.Result r = Reading.read(factory, c, 9_999);
            assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).as("parallel=" + parallel).isTrue();
            assertThat(r.checker().ascending()).isTrue();
            int bytes = TestObjects.rows(0, MEDIUM_ROWS, false).length;
            assertThat(r.counter("parts_fetched")).isEqualTo((bytes + 65_535) / 65_536);
            assertThat(r.stats().bytesRead()).isEqualTo(bytes);
        }
    }

    @Test
    void gzipObjectIsDecompressed() {
        SourceConfig c = config("medium.rows.gz").withParallel(true).withOption("part_size", "64KiB")
                .withOption("multipart_threshold", "64KiB");
        Reading.Result r = Reading.read(factory, c, 50_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
    }

    @Test
    void emptyObjectHasNoRows() {
        Reading.Result r = Reading.read(factory, config("empty.rows"), 100);
        assertThat(r.checker().rows()).isZero();
    }

    @Test
    void parquetRowGroupsByRange() {
        SourceConfig c = config("data.parquet").withParallel(true).withOption("part_size", "256KiB")
                .withOption("multipart_threshold", "256KiB");
        Reading.Result r = Reading.read(factory, c, 25_000);
        assertThat(r.checker().exactlyOnce(PARQUET_ROWS)).isTrue();
        assertThat(r.checker().ascending()).isTrue();
        assertThat(r.counter("parquet_row_groups")).isEqualTo(7);
        assertThat(r.counter("parquet_row_groups_read")).isEqualTo(7);
    }

    @Test
    void parquetFetchesOnlyTheColumnsAsked() throws IOException {
        long size = Files.size(dir.resolve("data.parquet"));
        SourceConfig all = config("data.parquet").withOption("part_size", "256KiB");
        SourceConfig idOnly = all.withOption("columns", "id");
        Reading.Result full = Reading.read(factory, all, 50_000);
        Reading.Result some = Reading.read(factory, idOnly, 50_000);
        assertThat(some.checker().exactlyOnce(PARQUET_ROWS)).isTrue();
        assertThat(some.schema()).contains("id").doesNotContain("name").doesNotContain("amount");
        assertThat(full.counter("parquet_bytes_fetched")).isLessThan(size);
        assertThat(some.counter("parquet_bytes_fetched")).isLessThan(full.counter("parquet_bytes_fetched") / 2);
    }

    @Test
    void parquetFilterIsPushedDown() {
        SourceConfig c = config("data.parquet").withOption("filter", "id < 1000 OR id >= 199000")
                .withOption("columns", "id");
        Reading.Result r = Reading.read(factory, c, 50_000);
        assertThat(r.checker().rows()).isEqualTo(2_000);
        assertThat(r.checker().duplicates()).isZero();
    }

    @Test
    void arrowIpcFileAndStream() {
        for (String key : List.of("data.arrow", "data.arrows")) {
            SourceConfig c = config(key).withParallel(true).withOption("part_size", "128KiB")
                    .withOption("multipart_threshold", "128KiB");
            Reading.Result r = Reading.read(factory, c, 10_000);
            assertThat(r.checker().exactlyOnce(PARQUET_ROWS)).as(key).isTrue();
            assertThat(r.checker().ascending()).isTrue();
        }
    }

    @Test
    void anIpcStreamCutAfterABatchIsAParseErrorNotAShorterStream() {
        assertThatThrownBy(() -> Reading.read(factory, config("cut.arrows"), 10_000))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e).hasMessageContaining("end-of-stream marker");
                    assertThat(e.where()).get().extracting(w -> w.resource())
                            .isEqualTo(store.location(BUCKET, "cut.arrows"));
                });
    }

    @Test
    void installedTextFormats() {
        List<String> present = new ArrayList<>();
        for (String f : List.of("csv", "jsonl")) {
            if (formats.byName(f).isEmpty()) continue;
            present.add(f);
            SourceConfig c = config("medium." + f).withParallel(true).withOption("part_size", "64KiB")
                    .withOption("multipart_threshold", "64KiB");
            Reading.Result r = Reading.read(factory, c, 7_777);
            assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).as(f).isTrue();
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(present.isEmpty(),
                "no csv or jsonl TextFormat installed on this branch yet");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // globs

    @Test
    void globListsPagesAndReadsInKeyOrder() {
        SourceConfig c = config("glob/part-*.rows").withOption("list_page_size", "2");
        Reading.Result r = Reading.read(factory, c, 2_500);
        assertThat(r.checker().exactlyOnce(7_000)).isTrue();
        assertThat(r.checker().ascending()).isTrue();
        assertThat(r.counter("objects_total")).isEqualTo(7);
        assertThat(r.counter("objects_read")).isEqualTo(7);
        assertThat(r.counter("list_pages")).isGreaterThanOrEqualTo(4);
    }

    @Test
    void doubleStarAndTrailingSlashCrossSegments() {
        Reading.Result stars = Reading.read(factory, config("glob/**.rows"), 10_000);
        assertThat(stars.checker().exactlyOnce(8_000)).isTrue();
        // a trailing slash reads everything under it; readme.txt has no known extension and is skipped
        Reading.Result prefix = Reading.read(factory, config("glob/"), 10_000);
        assertThat(prefix.checker().exactlyOnce(8_000)).isTrue();
        assertThat(prefix.counter("objects_total")).isEqualTo(8);
        // forced to the rows format, readme.txt is read too, and its parse error names it
        assertThatThrownBy(() -> Reading.read(factory, config("glob/").withOption("format", "rows"), 10_000))
                .isInstanceOf(ParseException.class).hasMessageContaining(store.location(BUCKET, "glob/readme.txt"));
    }

    @Test
    void globWithoutMatchesIsATypedError() {
        assertThatThrownBy(() -> Reading.read(factory, config("glob/none-*.rows"), 100))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("no object matches")
                .hasMessageContaining("glob/none-*.rows");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // large objects under a memory limit

    @Test
    void largeObjectReadAsPartsUnderAMemoryLimit() throws IOException {
        long partLimit = 24L << 20;
        long allocatorLimit = 96L << 20;
        SourceConfig c = config("large.rows").withParallel(true)
                .withOption("part_size", "8MiB").withOption("max_concurrency", "8")
                .withOption("part_memory_limit", Long.toString(partLimit));
        Reading.Result r = Reading.read(factory, c, 50_000, allocatorLimit,
                new ScriptedMemoryProbe(256L << 20, 0.2), ch -> {
                });
        assertThat(r.checker().exactlyOnce(LargeObject.ROWS)).isTrue();
        assertThat(r.stats().bytesRead()).isEqualTo(Files.size(LargeObject.file()));
        assertThat(r.counter("parts_fetched")).isEqualTo((Files.size(LargeObject.file()) + (8 << 20) - 1) / (8 << 20));
        assertThat(r.counter("part_memory_peak_bytes")).isLessThanOrEqualTo(partLimit).isGreaterThanOrEqualTo(8L << 20);
        assertThat(r.peakBytes()).isLessThanOrEqualTo(allocatorLimit);
    }

    @Test
    void defaultPartBudgetIsAQuarterOfTheMemoryBudget() throws IOException {
        // only a memory budget: no part_memory_limit. 16 parts of 8 MiB may be in flight, 128 MiB, the whole budget;
        // the default part budget is a quarter of it, 32 MiB: four parts
        long budget = 128L << 20;
        long part = 8L << 20;
        SourceConfig c = config("large.rows").withParallel(true)
                .withOption("part_size", "8MiB").withOption("max_concurrency", "16");
        Reading.Result r = Reading.read(factory, c, 50_000, budget, new ScriptedMemoryProbe(budget, 0.2), ch -> {
        });
        assertThat(r.checker().exactlyOnce(LargeObject.ROWS)).isTrue();
        assertThat(r.stats().bytesRead()).isEqualTo(Files.size(LargeObject.file()));
        assertThat(r.counter("part_memory_limit_bytes")).isEqualTo(budget / 4);
        assertThat(r.counter("part_memory_peak_bytes")).as("parts in flight at once")
                .isLessThanOrEqualTo(budget / 4)
                .isGreaterThan(budget / 4 - part); // read ahead up to the budget, not one part at a time
        assertThat(r.peakBytes()).isLessThanOrEqualTo(budget);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // typed errors and secrets

    @Test
    void missingObjectIsATypedErrorNamingIt() {
        assertThatThrownBy(() -> Reading.read(factory, config("no/such-object.rows"), 100))
                .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.NOT_FOUND);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.where()).get().extracting(w -> w.resource())
                            .isEqualTo(store.location(BUCKET, "no/such-object.rows"));
                });
    }

    @Test
    void rejectedCredentialsAreAnAuthErrorWithoutTheSecret() {
        org.junit.jupiter.api.Assumptions.assumeTrue(store.wrongCredentials() != null,
                storeName() + " checks no credentials");
        SourceConfig c = config("small.rows").withCredentials(store.wrongCredentials());
        assertThatThrownBy(() -> Reading.read(factory, c, 100))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.isRetryable()).isFalse();
                    assertNamesObjectWithoutSecrets(e, "small.rows", store.secrets());
                });
    }

    @Test
    void secretsNeverShow() {
        assertThat(store.secrets()).as(storeName() + "'s fixture names the secrets it uses").isNotEmpty();
        assertSecretsNeverShow(config("small.rows"), store.secrets());
    }

    /** Reads a chunk with {@code c}; none of {@code secrets} shows in the config, the source or its stats. */
    void assertSecretsNeverShow(SourceConfig c, List<String> secrets) {
        String all = c.toString() + c.credentials() + factory;
        try (var root = new org.apache.arrow.memory.RootAllocator();
             var source = factory.create(c, factory.options().parse(c.options()),
                     new io.polarway.api.SourceContext(root, new ScriptedMemoryProbe(1L << 30, 0.1)))) {
            source.readChunk(10).ifPresent(ch -> ch.close());
            all += source.toString() + source.stats() + source.metadata();
        }
        for (String s : secrets) assertThat(all).doesNotContain(s);
    }

    /** The error names {@code key} and shows none of {@code secrets}, in its message, toString or any cause's. */
    void assertNamesObjectWithoutSecrets(Throwable e, String key, List<String> secrets) {
        assertThat(e.getMessage()).contains(store.location(BUCKET, key));
        for (String s : secrets) assertThat(e.toString()).doesNotContain(s);
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String s : secrets) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(s);
                assertThat(t.toString()).doesNotContain(s);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // faults between the client and the store

    @Test
    void throttlingBurstsAreRetried() {
        long faultsBefore = proxy.faultsInjected();
        proxy.rule(FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.s3SlowDown(), Fault.s3SlowDown(),
                Fault.s3SlowDown(), Fault.tooManyRequests(0), Fault.tooManyRequests(0), Fault.serverError()));
        Reading.Result r = Reading.read(factory, viaProxy("medium.rows"), 9_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        assertThat(r.counter("part_retries")).isEqualTo(6);
        assertThat(proxy.faultsInjected() - faultsBefore).isEqualTo(6);
    }

    @Test
    void resetsAndTruncatedBodiesResumeFromTheLastByte() {
        long faultsBefore = proxy.faultsInjected();
        proxy.rule(FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.reset(), Fault.truncate(10_000),
                Fault.forward(), Fault.resetAfter(30_000), Fault.truncate(1), Fault.forward(), Fault.truncate(50_000)));
        // one part at a time, so the faults meet the requests in a known order
        Reading.Result r = Reading.read(factory, viaProxy("medium.rows").withParallel(false), 9_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        assertThat(proxy.faultsInjected() - faultsBefore).isEqualTo(5);
        // the JDK's HttpURLConnection (under the GCS client) silently re-sends a GET once when a connection is reset
        // before the answer; every other fault is one retry of ours
        assertThat(r.counter("part_retries")).isBetween(store.type().equals("gcs") ? 4L : 5L, 5L);
        assertThat(r.counter("part_resumes")).isGreaterThanOrEqualTo(3);
        assertThat(r.stats().bytesRead()).isEqualTo(TestObjects.rows(0, MEDIUM_ROWS, false).length);
    }

    @Test
    void faultsInParquetAndIpcReads() {
        proxy.rule(FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.s3SlowDown(), Fault.truncate(4_000),
                Fault.reset(), Fault.forward(), Fault.resetAfter(20_000)));
        Reading.Result p = Reading.read(factory, viaProxy("data.parquet"), 20_000);
        assertThat(p.checker().exactlyOnce(PARQUET_ROWS)).isTrue();
        proxy.rule(FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.truncate(100), Fault.serverError(),
                Fault.resetAfter(5_000)));
        Reading.Result i = Reading.read(factory, viaProxy("data.arrow"), 20_000);
        assertThat(i.checker().exactlyOnce(PARQUET_ROWS)).isTrue();
    }

    @Test
    void forbiddenIsNotRetriedAndNamesTheRange() {
        proxy.rule(FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.forward(), Fault.forward(),
                Fault.answer(403, "AccessDenied", java.util.Map.of())));
        long before = proxy.requests();
        assertThatThrownBy(() -> Reading.read(factory, viaProxy("medium.rows").withParallel(false), 9_000))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.where()).get().satisfies(w -> {
                        assertThat(w.resource()).isEqualTo(store.location(BUCKET, "medium.rows"));
                        assertThat(w.rangeStart()).isEqualTo(2 * 65_536L);
                        assertThat(w.rangeEnd()).isEqualTo(3 * 65_536L - 1);
                    });
                    assertThat(e.isRetryable()).isFalse();
                });
        // HEAD + 3 ranged GETs, no retry of the 403
        assertThat(proxy.requests() - before).isLessThanOrEqualTo(5);
    }

    @Test
    void notImplementedIsRefusedWithoutRetries() {
        // 501: the store does not implement something the request asks for; asking again cannot help
        List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        proxy.rule(r -> {
            if (!r.target().contains("/small.rows")) return Fault.forward(); // an earlier test's straggler
            requests.add(r.method() + " " + r.target());
            return r.isRanged() ? Fault.answer(501, "<Error><Code>NotImplemented</Code></Error>", java.util.Map.of())
                    : Fault.forward();
        });
        assertThatThrownBy(() -> Reading.read(factory, viaProxy("small.rows"), 700))
                .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.REFUSED);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.getMessage()).contains(store.location(BUCKET, "small.rows")).contains("501");
                });
        assertThat(requests).as("the metadata request and one ranged GET").hasSize(2);
    }

    @Test
    void retriesRunOutAsANetworkError() {
        proxy.rule(r -> r.isRanged() ? Fault.serverError() : Fault.forward());
        SourceConfig c = viaProxy("medium.rows").withOption("retry_attempts", "2");
        assertThatThrownBy(() -> Reading.read(factory, c, 9_000))
                .isInstanceOfSatisfying(NetworkException.class, e -> {
                    assertThat(e.getMessage()).contains("after 3 tries").contains("500");
                    assertThat(e.where()).get().extracting(w -> w.rangeStart()).isEqualTo(0L);
                });
    }

    @Test
    void strictFormatSeesNoBrokenLineUnderFaults() {
        // every ranged answer cut short once: a resume that skipped or repeated a byte would break a line
        proxy.rule(new java.util.function.Function<>() {
            final java.util.Set<String> cut = java.util.concurrent.ConcurrentHashMap.newKeySet();

            public Fault apply(FaultProxy.Request r) {
                if (!r.isRanged()) return Fault.forward();
                String range = r.header("range") != null ? r.header("range") : r.header("x-ms-range");
                String end = range.substring(range.indexOf('-') + 1);
                return cut.add(end) ? Fault.truncate(777) : Fault.forward();
            }
        });
        Reading.Result r = Reading.read(factory, viaProxy("medium.rows"), 5_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        long parts = r.counter("parts_fetched");
        assertThat(parts).isGreaterThan(30);
        assertThat(r.counter("part_retries")).isEqualTo(parts); // each part cut once, its resume not again
        assertThat(r.counter("part_resumes")).isGreaterThanOrEqualTo(parts / 2);
    }

    @Test
    void stalledBodiesTimeOutAndResumeFromTheLastByte() {
        // bodies that stop mid-way and stay silent: only timeout_ms ends them (the proxy holds a stall for a minute)
        long faultsBefore = proxy.faultsInjected();
        java.util.concurrent.atomic.AtomicLong ranged = new java.util.concurrent.atomic.AtomicLong();
        var faults = FaultProxy.sequence(FaultProxy.Request::isRanged, Fault.forward(), Fault.stallAfter(20_000),
                Fault.forward(), Fault.stallAfter(0), Fault.stallAfter(1), Fault.forward());
        proxy.rule(req -> {
            if (req.isRanged()) ranged.incrementAndGet();
            return faults.apply(req);
        });
        long start = System.nanoTime();
        // one part at a time, so the faults meet the requests in a known order
        Reading.Result r = Reading.read(factory, viaProxy("medium.rows").withParallel(false)
                .withOption("timeout_ms", "2000"), 9_000);
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        assertThat(r.checker().ascending()).isTrue();
        assertThat(proxy.faultsInjected() - faultsBefore).isEqualTo(3);
        assertThat(r.counter("part_retries")).isEqualTo(3);
        // the stalls after 20,000 bytes and after 1 byte resume from there; the one before any byte asks again
        assertThat(r.counter("part_resumes")).isEqualTo(2);
        long parts = r.counter("parts_fetched");
        assertThat(parts).isEqualTo((TestObjects.rows(0, MEDIUM_ROWS, false).length + 65_535) / 65_536);
        assertThat(r.counter("range_requests")).isEqualTo(parts + 3);
        assertThat(ranged.get()).as("ranged GETs the store saw").isEqualTo(parts + 3);
        assertThat(r.stats().bytesRead()).isEqualTo(TestObjects.rows(0, MEDIUM_ROWS, false).length);
        assertThat(seconds).as("three stalls of about timeout_ms each, not the proxy's minute").isLessThan(30);
    }
}
