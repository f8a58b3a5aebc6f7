package io.polarway.source.file;

import io.polarway.api.Chunk;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import io.polarway.testing.Await;

import java.io.IOException;
import java.time.Duration;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generated test files whose every value is a function of the row id, and the checksum that proves a read delivered
 * each row exactly once with its values intact.
 */
final class TestData {
    static final Schema SCHEMA = new Schema(List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("v", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE),
            Field.nullable("flag", ArrowType.Bool.INSTANCE)));

    private TestData() {
    }

    static double v(long id) {
        return id * 0.5;
    }

    static String s(long id) {
        return id % 7 == 0 ? null : "s" + id;
    }

    static boolean flag(long id) {
        return id % 3 == 0;
    }

    /** Fills {@code root} (of {@link #SCHEMA}) with rows {@code [from, from + n)}. */
    static void fill(VectorSchemaRoot root, long from, int n) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        Float8Vector v = (Float8Vector) root.getVector("v");
        VarCharVector s = (VarCharVector) root.getVector("s");
        BitVector flag = (BitVector) root.getVector("flag");
        id.allocateNew(n);
        v.allocateNew(n);
        s.allocateNew(n * 10L, n);
        flag.allocateNew(n);
        for (int i = 0; i < n; i++) {
            long r = from + i;
            id.set(i, r);
            v.set(i, v(r));
            String str = s(r);
            if (str == null) s.setNull(i);
            else s.setSafe(i, str.getBytes(StandardCharsets.UTF_8));
            flag.set(i, flag(r) ? 1 : 0);
        }
        root.setRowCount(n);
    }

    /** Rows {@code [from, from + rows)} in batches of {@code batchRows}. */
    private static final class Generator extends ArrowReader {
        private final Schema schema;
        private long next;
        private final long end;
        private final int batchRows;

        Generator(BufferAllocator a, Schema schema, long from, long rows, int batchRows) {
            super(a);
            this.schema = schema;
            this.next = from;
            this.end = from + rows;
            this.batchRows = batchRows;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (next >= end) return false;
            int n = (int) Math.min(batchRows, end - next);
            VectorSchemaRoot root = getVectorSchemaRoot();
            fill(root, next, n);
            next += n;
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return schema;
        }
    }

    /**
     * Writes rows {@code [from, from + rows)} as a Parquet file; the arrow-dataset writer makes one row group per
     * batch, so {@code rowGroupRows} is the row-group size.
     */
    static Path parquet(Path file, long from, long rows, int rowGroupRows) throws IOException {
        Path dir = Files.createTempDirectory(file.getParent(), ".pqw");
        try (BufferAllocator a = new RootAllocator()) {
            try (Generator g = new Generator(a, SCHEMA, from, rows, rowGroupRows)) {
                DatasetFileWriter.write(a, g, FileFormat.PARQUET, dir.toUri().toString(), new String[0], 1,
                        "part-{i}.parquet");
            }
            // the native writer releases the last exported batches shortly after write() returns
            Await.until("the Parquet writer to release its batches", Duration.ofSeconds(30),
                    () -> a.getAllocatedMemory() == 0);
        }
        Files.move(dir.resolve("part-0.parquet"), file, StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
        return file;
    }

    static Path ipcFile(Path file, long from, long rows, int batchRows) throws IOException {
        return ipc(file, from, rows, batchRows, false);
    }

    static Path ipcStream(Path file, long from, long rows, int batchRows) throws IOException {
        return ipc(file, from, rows, batchRows, true);
    }

    private static Path ipc(Path file, long from, long rows, int batchRows, boolean stream) throws IOException {
        try (BufferAllocator a = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             ArrowWriter w = stream ? new ArrowStreamWriter(root, null, ch) : new ArrowFileWriter(root, null, ch)) {
            w.start();
            for (long r = from; r < from + rows; r += batchRows) {
                int n = (int) Math.min(batchRows, from + rows - r);
                fill(root, r, n);
                w.writeBatch();
            }
            w.end();
        }
        return file;
    }

    /** Order-independent digest of one row, from whichever of the columns are present. */
    static long rowHash(long id, boolean withV, boolean withS, boolean withFlag) {
        long h = mix(id);
        if (withV) h += 31 * mix(Double.doubleToLongBits(v(id)));
        if (withS) {
            String s = s(id);
            h += 131 * (s == null ? 17 : s.hashCode());
        }
        if (withFlag) h += 1009L * (flag(id) ? 1 : 2);
        return h;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }

    /** Counts rows, checks each id once and checks every value against its id. */
    static final class Checksum {
        final BitSet seen = new BitSet();
        long rows;
        long duplicates;
        long sum;
        long lastId = -1;
        boolean ascending = true;
        int maxChunkRows;
        int chunks;

        void accept(Chunk chunk) {
            accept(chunk.root());
        }

        void accept(VectorSchemaRoot root) {
            BigIntVector id = (BigIntVector) root.getVector("id");
            FieldVector vv = root.getVector("v");
            FieldVector sv = root.getVector("s");
            FieldVector fv = root.getVector("flag");
            chunks++;
            maxChunkRows = Math.max(maxChunkRows, root.getRowCount());
            for (int i = 0; i < root.getRowCount(); i++) {
                long r = id.get(i);
                if (seen.get((int) r)) duplicates++;
                seen.set((int) r);
                if (r <= lastId) ascending = false;
                lastId = r;
                rows++;
                long h = mix(r);
                if (vv != null) h += 31 * mix(Double.doubleToLongBits(((Float8Vector) vv).get(i)));
                if (sv != null) {
                    VarCharVector s = (VarCharVector) sv;
                    h += 131 * (s.isNull(i) ? 17 : new String(s.get(i), StandardCharsets.UTF_8).hashCode());
                }
                if (fv != null) h += 1009L * (((BitVector) fv).get(i) == 1 ? 1 : 2);
                sum += h;
            }
        }

        /** Whether ids {@code [0, n)} arrived once each, with the values the generator wrote. */
        boolean exactly(long n, boolean withV, boolean withS, boolean withFlag) {
            long expected = 0;
            for (long r = 0; r < n; r++) expected += rowHash(r, withV, withS, withFlag);
            return duplicates == 0 && rows == n && seen.cardinality() == n
                    && (n == 0 || seen.nextClearBit(0) == n) && sum == expected;
        }

        boolean exactly(long n) {
            return exactly(n, true, true, true);
        }

        @Override
        public String toString() {
            return "rows=" + rows + " duplicates=" + duplicates + " distinct=" + seen.cardinality() + " chunks="
                    + chunks + " maxChunkRows=" + maxChunkRows + " ascending=" + ascending;
        }
    }
}
