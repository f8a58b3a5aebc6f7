package io.polarway.bench.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.Header;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pages and records per second through the http source against a local stub API (the JDK's HTTP server on 127.0.0.1,
 * pre-rendered pages linked by {@code Link} headers), side by side with plain client loops over the same pages: Apache
 * HttpClient 5 (the source's own client) and the JDK's HttpClient, each parsing every record with Jackson into a map
 * (what a hand-written client does; the source parses the same records straight into Arrow vectors). Target: the
 * source at ≥ 0.9× the plain loop.
 * {@code scenario=flaky} answers every 10th page request 503 with {@code Retry-After: 0} first (the source retries it;
 * the loops retry at once).
 *
 * <pre>java -jar bench/target/benchmarks.jar HttpPagesBenchmark -f 1 -wi 2 -i 3</pre>
 *
 * Results are per second: {@code records} and {@code pages} (auxiliary counters) as well as passes over all pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"})
public class HttpPagesBenchmark {
    static final int PAGES = 50;

    @Param({"paginated", "flaky"})
    public String scenario;

    @Param({"1000"})
    public int recordsPerPage;

    private PagesServer server;
    private BufferAllocator allocator;
    private MemoryMonitor monitor;
    private SourceRegistry registry;
    private CloseableHttpClient apache;
    private HttpClient jdk;

    /** Per-second rates JMH reports next to the primary score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long records;
        public long pages;

        @Setup(Level.Iteration)
        public void clear() {
            records = 0;
            pages = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = new PagesServer(PAGES, recordsPerPage, scenario.equals("flaky") ? 10 : 0);
        allocator = new RootAllocator(512L << 20);
        monitor = MemoryMonitor.create(512L << 20, allocator);
        registry = SourceRegistry.withDefaults();
        apache = HttpClients.custom().disableAutomaticRetries().build();
        jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        apache.close();
        server.close();
        allocator.close();
    }

    @Benchmark
    public long source(Rates rates) {
        SourceConfig config = SourceConfig.of(server.url("/pages")).withOption("retry_delay_ms", "0")
                .withOption("retry_jitter", "0").withOption("infer_schema_length", "100");
        long records = 0;
        try (StreamingSource s = registry.create("http", config, new SourceContext(allocator, monitor))) {
            for (Optional<Chunk> c = s.readChunk(10_000); c.isPresent(); c = s.readChunk(10_000)) {
                try (Chunk chunk = c.get()) {
                    records += chunk.rowCount();
                }
            }
        }
        rates.records += records;
        rates.pages += PAGES;
        return records;
    }

    @Benchmark
    public long plainApacheLoop(Rates rates) throws IOException {
        long records = 0;
        URI next = URI.create(server.url("/pages"));
        while (next != null) {
            try (CloseableHttpResponse r = apache.execute(new HttpGet(next))) {
                if (r.getCode() == 503) continue; // the flaky stub: retry at once
                try (InputStream in = r.getEntity().getContent()) {
                    records += countRecords(in);
                }
                Header link = r.getFirstHeader("Link");
                next = link == null ? null : next.resolve(nextTarget(link.getValue()));
            }
        }
        rates.records += records;
        rates.pages += PAGES;
        return records;
    }

    @Benchmark
    public long plainJdkLoop(Rates rates) throws IOException, InterruptedException {
        long records = 0;
        URI next = URI.create(server.url("/pages"));
        while (next != null) {
            HttpResponse<InputStream> r = jdk.send(HttpRequest.newBuilder(next).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() == 503) {
                    in.readAllBytes();
                    continue;
                }
                records += countRecords(in);
            }
            Optional<String> link = r.headers().firstValue("Link");
            next = link.isEmpty() ? null : next.resolve(nextTarget(link.get()));
        }
        rates.records += records;
        rates.pages += PAGES;
        return records;
    }

    /**
     * The Apache loop plus the same conversion the source makes: records from the parser into a
     * {@link RecordBatchBuilder} ({@code addJson}, vectors from the benchmark's allocator), a batch built every 10,000
     * records. The difference to {@link #source} is the source's own machinery (pagination state,
     * retry budget, loop guard, error positions); the difference to {@link #plainApacheLoop} is Arrow.
     */
    @Benchmark
    public long plainApacheLoopToArrow(Rates rates) throws IOException {
        long records = 0;
        try (RecordBatchBuilder builder = RecordBatchBuilder.builder("bench").inferenceRows(100).allocator(allocator)
                .build()) {
            URI next = URI.create(server.url("/pages"));
            while (next != null) {
                try (CloseableHttpResponse r = apache.execute(new HttpGet(next))) {
                    if (r.getCode() == 503) continue;
                    try (InputStream in = r.getEntity().getContent();
                         JsonParser p = JsonValues.FACTORY.createParser(in)) {
                        if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException("not an array");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            builder.addJson(p, null);
                            if (builder.pendingRows() == 10_000) records += build(builder);
                        }
                    }
                    Header link = r.getFirstHeader("Link");
                    next = link == null ? null : next.resolve(nextTarget(link.getValue()));
                }
            }
            while (builder.pendingRows() > 0) records += build(builder);
        }
        rates.records += records;
        rates.pages += PAGES;
        return records;
    }

    private long build(RecordBatchBuilder builder) {
        try (VectorSchemaRoot root = builder.build(allocator, 10_000)) {
            return root.getRowCount();
        }
    }

    /** Parses every record of a JSON array into a map, as the source does before it builds vectors. */
    static long countRecords(InputStream in) throws IOException {
        long n = 0;
        try (JsonParser p = JsonValues.FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException("not an array");
            while (p.nextToken() == JsonToken.START_OBJECT) {
                if (JsonValues.read(p, false) instanceof Map<?, ?> m && !m.isEmpty()) n++;
            }
        }
        return n;
    }

    static String nextTarget(String link) {
        return link.substring(link.indexOf('<') + 1, link.indexOf('>'));
    }
}
