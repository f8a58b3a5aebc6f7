package io.polarway.bench.objectstore;

import io.polarway.testkit.Caches;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Objects for the object-store benchmarks and scenarios, generated deterministically once and cached by size under
 * {@code <cache>/bench-objects} ({@link Caches#root()}), written to a temporary name and moved into place so a killed
 * generation never leaves a partial file.
 */
public final class BenchObjects {
    /** Arrow IPC stream rows: id int64, a float64, b int64, c float64 (32 bytes a row). */
    public static final Schema IPC_SCHEMA = new Schema(List.of(
            new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
            new Field("a", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null),
            new Field("b", FieldType.notNullable(new ArrowType.Int(64, true)), null),
            new Field("c", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null)));
    static final int IPC_ROW_BYTES = 32;
    private static final int BATCH_ROWS = 64 * 1024;

    private BenchObjects() {
    }

    /** Rows of an IPC object of about {@code megabytes} MiB. */
    public static long ipcRows(long megabytes) {
        return (megabytes << 20) / IPC_ROW_BYTES;
    }

    /** An Arrow IPC stream of ids {@code [0, ipcRows(megabytes))}. */
    public static Path ipcStream(long megabytes) throws IOException {
        return object("arrows", 0, ipcRows(megabytes));
    }

    /**
     * Rows {@code [from, to)} as one object of {@code format}: {@code arrows} (Arrow IPC stream, {@link #IPC_SCHEMA}),
     * {@code parquet} (same columns, row groups of 128 Ki rows) or {@code csv} ({@code id,name,amount} with a header).
     */
    public static synchronized Path object(String format, long from, long to) throws IOException {
        Path file = dir().resolve("rows-" + from + "-" + to + "." + format);
        if (Files.exists(file)) return file;
        Path tmp = Files.createTempFile(dir(), format + "-", ".tmp");
        try {
            switch (format) {
                case "arrows" -> writeIpc(tmp, from, to);
                case "parquet" -> writeParquet(tmp, from, to);
                case "csv" -> writeCsv(tmp, from, to);
                default -> throw new IllegalArgumentException("unknown format " + format);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    private static void fill(VectorSchemaRoot root, long from, int n) {
        BigIntVector id = (BigIntVector) root.getVector(0);
        Float8Vector fa = (Float8Vector) root.getVector(1);
        BigIntVector b = (BigIntVector) root.getVector(2);
        Float8Vector c = (Float8Vector) root.getVector(3);
        id.allocateNew(n);
        fa.allocateNew(n);
        b.allocateNew(n);
        c.allocateNew(n);
        for (int i = 0; i < n; i++) {
            long v = from + i;
            id.set(i, v);
            fa.set(i, v * 0.5);
            b.set(i, v * 31);
            c.set(i, v % 1000 / 8.0);
        }
        root.setRowCount(n);
    }

    private static void writeParquet(Path file, long from, long to) throws IOException {
        Files.deleteIfExists(file);
        try (BufferAllocator a = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(IPC_SCHEMA, a);
             io.polarway.source.file.parquet.ParquetChunkFileWriter w =
                     io.polarway.source.file.parquet.ParquetChunkFileWriter.create(file, 128 * 1024, 64L << 20)) {
            w.open(IPC_SCHEMA);
            for (long start = from; start < to; start += BATCH_ROWS) {
                fill(root, start, (int) Math.min(BATCH_ROWS, to - start));
                w.write(root);
            }
        }
    }

    private static void writeIpc(Path tmp, long from, long to) throws IOException {
        try (BufferAllocator a = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(IPC_SCHEMA, a);
             OutputStream out = Files.newOutputStream(tmp);
             ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
            w.start();
            for (long start = from; start < to; start += BATCH_ROWS) {
                fill(root, start, (int) Math.min(BATCH_ROWS, to - start));
                w.writeBatch();
            }
            w.end();
        }
    }

    /** CSV rows {@code id,name,amount} with a header: about 30 bytes a row. */
    private static void writeCsv(Path tmp, long from, long to) throws IOException {
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp),
                StandardCharsets.UTF_8), 1 << 16)) {
            w.write("id,name,amount\n");
            for (long id = from; id < to; id++) {
                w.write(Long.toString(id));
                w.write(",name-");
                w.write(Long.toString(id * 7919 % 100_000));
                w.write(',');
                w.write(Double.toString(id % 10_000 / 4.0));
                w.write('\n');
            }
        }
    }

    private static Path dir() throws IOException {
        return Files.createDirectories(Caches.root().resolve("bench-objects"));
    }
}
