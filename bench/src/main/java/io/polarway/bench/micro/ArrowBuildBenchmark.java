package io.polarway.bench.micro;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What building one Arrow chunk costs through the engine's source path ({@code AbstractStreamingSource}: a child
 * allocator per chunk, vectors filled, stats recorded, chunk closed): the {@code generate} source producing chunks of
 * {@code rows} rows of int64, float64, utf8 (16 B) and bool columns. The per-chunk overhead shows at small chunk
 * sizes, the per-row cost at large ones.
 *
 * <pre>java -jar bench/target/benchmarks.jar ArrowBuildBenchmark -f 1</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ArrowBuildBenchmark {
    @Param({"1000", "10000"})
    public int rows;

    private BufferAllocator allocator;
    private StreamingSource source;
    private Inject inject;

    @Setup(Level.Trial)
    public void setUp() {
        allocator = new RootAllocator();
        inject = Inject.forBenchmark(ArrowBuildBenchmark.class);
        // an endless source: a fresh one would re-seed; ids keep growing, which is fine for a cost benchmark
        source = SourceRegistry.withDefaults().create("generate",
                SourceConfig.of("bench").withOption("rows", Long.toString(Long.MAX_VALUE / 2)),
                new SourceContext(allocator, MemoryMonitor.create(0, allocator)));
    }

    @Benchmark
    public int build() {
        int n = read();
        if (inject.repeat()) n += read();
        return n;
    }

    private int read() {
        Optional<Chunk> c = source.readChunk(rows);
        try (Chunk chunk = c.orElseThrow()) {
            return chunk.rowCount();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
        allocator.close();
    }
}
