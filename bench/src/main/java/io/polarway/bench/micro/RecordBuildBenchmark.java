package io.polarway.bench.micro;

import com.fasterxml.jackson.core.JsonParser;
import io.polarway.records.JsonDocuments;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
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
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Records per second from JSON messages (one byte array per record, as Kafka values or JSON lines arrive) into Arrow
 * chunks, the engine's two record paths side by side in one run: {@code maps} parses each record into a map
 * ({@code JsonValues.read}) and adds it to a {@link RecordBatchBuilder} that holds the maps until a chunk is built
 * (the path before the vector builder), {@code json} hands the parser to {@link RecordBatchBuilder#addJson} of a
 * builder with an allocator, which writes the tokens straight into the chunk's vectors ({@code json-reuse}: with one
 * long-lived parser for all records instead of one per record). {@code parse} is the peer that builds nothing: the
 * same parse into maps, values thrown away (what a hand-written consumer loop does).
 *
 * <p>One invocation turns {@value #RECORDS} records into chunks of {@code chunkRows} rows (each from a child
 * allocator, closed at once, as a source's chunks are); the builder lives for the trial, so its schema is inferred
 * once (the first 1,000 records). Shapes: {@code flat} (5 scalar fields, ~80 bytes) and {@code nested} (a struct with a
 * nested struct, a list of structs and a list of strings, ~230 bytes). With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is the heap allocated per record.
 *
 * <pre>java -jar bench/target/benchmarks.jar RecordBuildBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"})
@OperationsPerInvocation(RecordBuildBenchmark.RECORDS)
public class RecordBuildBenchmark {
    static final int RECORDS = 100_000;

    @Param({"flat", "nested"})
    public String shape;

    /**
     * {@code parse}: parse only (the peer); {@code maps}: maps held until built (the old path); {@code json}: tokens
     * into vectors, a parser per record; {@code json-reuse}: the same with one parser for all records
     * ({@link JsonDocuments}, as the Kafka source does).
     */
    @Param({"parse", "maps", "json", "json-reuse"})
    public String path;

    @Param({"10000", "100000"})
    public int chunkRows;

    private byte[][] records;
    private BufferAllocator allocator;
    private RecordBatchBuilder builder;
    private final JsonDocuments documents = new JsonDocuments();

    @Setup(Level.Trial)
    public void setUp() {
        records = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) records[i] = record(shape, i).getBytes(StandardCharsets.UTF_8);
        allocator = new RootAllocator();
        RecordBatchBuilder.Builder b = RecordBatchBuilder.builder("bench").inferenceRows(1000);
        if (path.startsWith("json")) b.allocator(allocator);
        builder = b.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        builder.close();
        allocator.close();
    }

    static String record(String shape, long i) {
        if (shape.equals("flat")) {
            return "{\"id\":" + i + ",\"name\":\"record-" + i + "\",\"score\":" + i + ".5,\"active\":" + (i % 3 == 0)
                    + ",\"city\":\"city-" + (i % 100) + "\"}";
        }
        return "{\"id\":" + i + ",\"user\":{\"name\":\"user-" + i + "\",\"age\":" + (i % 90) + ",\"address\":{\"city\":"
                + "\"city-" + (i % 100) + "\",\"zip\":\"" + (10000 + i % 90000) + "\"}},\"items\":[{\"sku\":\"s-" + (i % 7)
                + "\",\"qty\":" + (i % 5) + ",\"price\":2.5},{\"sku\":\"s-" + (i % 11) + "\",\"qty\":1,\"price\":"
                + (i % 13) + ".25}],\"tags\":[\"a\",\"b\",\"c-" + (i % 4) + "\"]}";
    }

    @Benchmark
    public long records(Blackhole bh) throws IOException {
        long rows = 0;
        boolean reuse = path.equals("json-reuse");
        for (byte[] bytes : records) {
            if (reuse) {
                JsonParser p = documents.open(bytes, 0, bytes.length);
                builder.addJson(p, null, null, documents);
                if (builder.pendingRows() >= chunkRows && !builder.wantsMoreForInference()) rows += chunk(bh);
                continue;
            }
            try (JsonParser p = JsonValues.FACTORY.createParser(bytes)) {
                p.nextToken();
                switch (path) {
                    case "parse" -> {
                        bh.consume(JsonValues.read(p, false));
                        continue;
                    }
                    case "maps" -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = (Map<String, Object>) JsonValues.read(p, false);
                        builder.add(m, null);
                    }
                    default -> builder.addJson(p, null);
                }
            }
            if (builder.pendingRows() >= chunkRows && !builder.wantsMoreForInference()) rows += chunk(bh);
        }
        while (builder.pendingRows() > 0) rows += chunk(bh);
        return path.equals("parse") ? RECORDS : rows;
    }

    private int chunk(Blackhole bh) {
        try (BufferAllocator chunk = allocator.newChildAllocator("chunk", 0, Long.MAX_VALUE);
             VectorSchemaRoot root = builder.build(chunk, chunkRows)) {
            bh.consume(root);
            return root.getRowCount();
        }
    }

    /** Checks that both build paths give the same rows (run by hand: {@code java -cp ... RecordBuildBenchmark}). */
    public static void main(String[] args) {
        for (String shape : new String[]{"flat", "nested"}) {
            String a = build(shape, "maps");
            String b = build(shape, "json");
            String c = build(shape, "json-reuse");
            if (!a.equals(b) || !a.equals(c)) throw new IllegalStateException(shape + ": the paths differ");
            System.out.println(shape + ": same " + a.length() + " chars of rows");
        }
    }

    private static String build(String shape, String path) {
        RecordBuildBenchmark bench = new RecordBuildBenchmark();
        bench.shape = shape;
        bench.path = path;
        bench.chunkRows = 10_000;
        bench.setUp();
        try {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                if (path.equals("json-reuse")) {
                    try {
                        JsonParser p = bench.documents.open(bench.records[i], 0, bench.records[i].length);
                        bench.builder.addJson(p, null, null, bench.documents);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    continue;
                }
                try (JsonParser p = JsonValues.FACTORY.createParser(bench.records[i])) {
                    p.nextToken();
                    if (path.equals("maps")) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = (Map<String, Object>) JsonValues.read(p, false);
                        bench.builder.add(m, null);
                    } else {
                        bench.builder.addJson(p, null);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            while (bench.builder.pendingRows() > 0) {
                try (VectorSchemaRoot root = bench.builder.build(bench.allocator, 10_000)) {
                    out.append(root.contentToTSVString());
                }
            }
            return out.toString();
        } finally {
            bench.tearDown();
        }
    }
}
