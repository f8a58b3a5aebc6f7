package io.polarway.bench.scenario;

import io.polarway.profile.VmProfile;
import io.polarway.source.file.parquet.ParquetChunkFileWriter;
import io.polarway.testkit.Caches;
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
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * The input files of scenarios whose dataset says {@code generate}: written once, before the benchmark fork starts (by
 * the bench runner, in its own unconfined JVM, so writing the file is not part of what the profile's limit measures),
 * and cached under {@code <Caches.root()>/bench-data} by every parameter that shapes the bytes — format, rows, row
 * width, seed, batch size — so a file is reused by every run that asks for the same one.
 *
 * <p>The rows: {@code id} int64 = the row index 0..n-1 (what {@link ScenarioRun}'s row check needs), {@code v} float64
 * and {@code s} utf8 of {@code row_width_bytes - 20} bytes, both a function of the seed and the id (xorshift, so the
 * payload does not compress away and the file is about {@code rows × row_width_bytes} on disk).
 *
 * <p>Thread-safe across processes: a file lock per file; the file appears under its final name only when complete.
 */
public final class GeneratedFiles {
    /** System property the runner sets in the fork: where the prepared file is. */
    public static final String LOCATION_PROPERTY = "bench.dataset.location";

    static final Schema SCHEMA = new Schema(List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("v", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE)));

    private GeneratedFiles() {
    }

    /** The file for {@code dataset} under {@code profile} in {@code suite}, written now unless cached. */
    public static Path prepare(Scenario.Dataset dataset, VmProfile profile, String suite) {
        return prepare(dataset, profile, suite, Caches.root().resolve("bench-data"));
    }

    /** As {@link #prepare(Scenario.Dataset, VmProfile, String)}, cached in {@code dir}. */
    static Path prepare(Scenario.Dataset dataset, VmProfile profile, String suite, Path dir) {
        Scenario.Generate g = dataset.generate();
        if (g == null) throw new IllegalArgumentException("dataset has no 'generate' section");
        long rows = dataset.rows(profile, suite);
        int payload = Math.max(1, dataset.rowWidthBytes() - 20);
        String ext = g.format().equals("parquet") ? "parquet" : "arrow";
        Path file = dir.resolve(String.format(Locale.ROOT, "%s-%dr-%dw-seed%d-b%d.%s", g.format(), rows,
                dataset.rowWidthBytes(), g.seed(), g.batchRows(), ext));
        if (Files.exists(file)) return file;
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(file.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (Files.exists(file)) return file;
                Path tmp = dir.resolve(file.getFileName() + ".partial");
                Files.deleteIfExists(tmp);
                if (g.format().equals("parquet")) writeParquet(tmp, rows, payload, g);
                else writeIpc(tmp, rows, payload, g);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                return file;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate " + file, e);
        }
    }

    private static void writeParquet(Path tmp, long rows, int payload, Scenario.Generate g) throws IOException {
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             ParquetChunkFileWriter w = ParquetChunkFileWriter.create(tmp, g.batchRows(), 256L << 20)) {
            byte[] scratch = new byte[payload];
            for (long r = 0; r < rows; r += g.batchRows()) {
                fill(root, r, (int) Math.min(g.batchRows(), rows - r), payload, g.seed(), scratch);
                w.write(root);
            }
        }
    }

    private static void writeIpc(Path tmp, long rows, int payload, Scenario.Generate g) throws IOException {
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
            w.start();
            byte[] scratch = new byte[payload];
            for (long r = 0; r < rows; r += g.batchRows()) {
                fill(root, r, (int) Math.min(g.batchRows(), rows - r), payload, g.seed(), scratch);
                w.writeBatch();
            }
            w.end();
        }
    }

    /** Rows {@code [from, from + n)}: id, then v and s derived from (seed, id). */
    static void fill(VectorSchemaRoot root, long from, int n, int payload, long seed, byte[] scratch) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        Float8Vector v = (Float8Vector) root.getVector("v");
        VarCharVector s = (VarCharVector) root.getVector("s");
        id.allocateNew(n);
        v.allocateNew(n);
        s.allocateNew((long) n * payload, n);
        for (int i = 0; i < n; i++) {
            long r = from + i;
            long h = (r + 1) * 0x9E3779B97F4A7C15L ^ seed * 0xC2B2AE3D27D4EB4FL;
            id.set(i, r);
            v.set(i, (h >>> 11) * 0x1.0p-53);
            for (int k = 0; k < payload; k++) {
                h ^= h << 13;
                h ^= h >>> 7;
                h ^= h << 17;
                scratch[k] = (byte) ('0' + (h & 63));
            }
            s.set(i, scratch, 0, payload);
        }
        root.setRowCount(n);
    }
}
