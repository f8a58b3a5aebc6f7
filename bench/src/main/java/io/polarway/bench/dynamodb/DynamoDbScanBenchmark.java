package io.polarway.bench.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Items per second of a full DynamoDB table scan into Arrow chunks, with {@code segments} segments read sequentially
 * and in parallel (one reader thread per segment, through {@link AdaptiveStream}), next to the peer: the AWS SDK's own
 * paginated Scan loop over the same segments on as many threads, which decodes the items and nothing more. The table
 * ({@link ItemTable}: every DynamoDB type, ~450 bytes per item as JSON) is served by dynalite on 127.0.0.1, started
 * per fork on tables kept in the cache folder (seeded by the first fork only); it runs in its own (single-threaded node) process, so on a 2-core machine it competes with
 * the reader for CPU and caps what parallel segments can gain — against DynamoDB itself, segments scale out on the
 * service side.
 *
 * <pre>java -jar bench/target/benchmarks.jar DynamoDbScanBenchmark -f 1 -wi 1 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g",
        "-Daws.disableEc2Metadata=true"})
public class DynamoDbScanBenchmark {
    static final String TABLE = "bench_items";
    static final int ITEMS = 100_000;

    @Param({"1", "2", "4"})
    public int segments;

    private SeededTables tables;
    private DynamoDbClient client;

    @Setup(Level.Trial)
    public void seed() {
        tables = SeededTables.persistent("bench");
        tables.items(TABLE, ITEMS);
        client = ItemTable.client(tables.endpoint());
    }

    @TearDown(Level.Trial)
    public void stop() {
        client.close();
        tables.close();
    }

    private SourceConfig config() {
        SourceConfig c = SourceConfig.of(TABLE)
                .withCredentials(Credentials.DynamoDb.of(ItemTable.ACCESS_KEY, ItemTable.SECRET_KEY, ItemTable.REGION))
                .withOption("endpoint", tables.endpoint().toString());
        return segments > 1 ? c.withOption("total_segments", Integer.toString(segments)) : c;
    }

    private static long drain(AdaptiveStream stream) {
        long rows = 0;
        for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                rows += chunk.rowCount();
            }
        }
        if (rows != ITEMS) throw new IllegalStateException("read " + rows + " items, expected " + ITEMS);
        return rows;
    }

    /** This source, segments one after the other on the caller's thread. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long sourceSequential() {
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config()).chunkSize(10_000).build()) {
            return drain(stream);
        }
    }

    /** This source, one reader thread per segment, output in arrival order. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long sourceParallel() {
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config().withParallel(true))
                .parallelism(segments).ordered(false).chunkSize(10_000).build()) {
            return drain(stream);
        }
    }

    /** The peer: the SDK's Scan pages, one thread per segment, items decoded into AttributeValue maps only. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long sdkScanLoop() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(segments);
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (int s = 0; s < segments; s++) {
                int segment = s;
                parts.add(pool.submit(() -> scanSegment(segment)));
            }
            long rows = 0;
            for (Future<Long> f : parts) rows += f.get();
            if (rows != ITEMS) throw new IllegalStateException("read " + rows + " items, expected " + ITEMS);
            return rows;
        } finally {
            pool.shutdownNow();
        }
    }

    private long scanSegment(int segment) {
        long rows = 0;
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder b = ScanRequest.builder().tableName(TABLE).exclusiveStartKey(start);
            if (segments > 1) b.segment(segment).totalSegments(segments);
            ScanResponse r = client.scan(b.build());
            rows += r.items().size();
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return rows;
    }
}
