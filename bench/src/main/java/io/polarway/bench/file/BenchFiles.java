package io.polarway.bench.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import io.polarway.source.file.parquet.ParquetChunkFileWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/** Input files for the file-source benchmarks (id int64, v float64, s utf8 of ~24 bytes), cached by name. */
final class BenchFiles {
    static final Schema SCHEMA = new Schema(List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("v", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE)));

    private BenchFiles() {
    }

    static Path dir() throws IOException {
        Path d = Path.of(System.getProperty("polarway.bench.dir", System.getProperty("java.io.tmpdir")),
                "polarway-bench-file");
        return Files.createDirectories(d);
    }

    private static void fill(VectorSchemaRoot root, long from, int n) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        Float8Vector v = (Float8Vector) root.getVector("v");
        VarCharVector s = (VarCharVector) root.getVector("s");
        id.allocateNew(n);
        v.allocateNew(n);
        s.allocateNew(n * 24L, n);
        for (int i = 0; i < n; i++) {
            long r = from + i;
            id.set(i, r);
            v.set(i, r * 0.25);
            s.setSafe(i, ("row-" + Long.toHexString(r * 0x9E3779B97F4A7C15L)).getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(n);
    }

    /** A Parquet file of {@code rows} rows (row groups of 128 Ki rows), written once. */
    static Path parquet(String name, long from, long rows) throws IOException {
        Path f = dir().resolve(name);
        if (Files.exists(f)) return f;
        Path tmp = dir().resolve(name + ".tmp");
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             ParquetChunkFileWriter w = ParquetChunkFileWriter.create(tmp)) {
            for (long r = from; r < from + rows; r += 65_536) {
                int n = (int) Math.min(65_536, from + rows - r);
                fill(root, r, n);
                w.write(root);
            }
        }
        Files.move(tmp, f);
        return f;
    }

    /** An Arrow IPC file of {@code rows} rows in record batches of 64 Ki rows, written once. */
    static Path ipc(String name, long rows) throws IOException {
        Path f = dir().resolve(name);
        if (Files.exists(f)) return f;
        Path tmp = dir().resolve(name + ".tmp");
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
            w.start();
            for (long r = 0; r < rows; r += 65_536) {
                fill(root, r, (int) Math.min(65_536, rows - r));
                w.writeBatch();
            }
            w.end();
        }
        Files.move(tmp, f);
        return f;
    }

    /** Reads a whole location through the file source; returns rows plus the sum of the id column. */
    static long readAll(SourceConfig config, int chunkRows) {
        return readAll(config, chunkRows, 0, null);
    }

    /**
     * Reads a whole location through the file source with a memory budget of {@code memoryLimitBytes} (0: the
     * machine's), recording the operation's peaks in {@code peaks} when given.
     */
    static long readAll(SourceConfig config, int chunkRows, long memoryLimitBytes, MemoryPeaks peaks) {
        if (peaks != null) peaks.start();
        long acc = 0;
        long arrowPeak;
        try (RootAllocator a = new RootAllocator()) {
            try (StreamingSource s = SourceRegistry.withDefaults().create("file", config,
                    new SourceContext(a, MemoryMonitor.create(memoryLimitBytes, a)))) {
                for (Optional<Chunk> c; (c = s.readChunk(chunkRows)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                        acc += chunk.rowCount() + id.get(chunk.rowCount() - 1);
                    }
                }
            }
            arrowPeak = a.getPeakMemoryAllocation();
        }
        if (peaks != null) peaks.stop(arrowPeak);
        return acc;
    }
}
