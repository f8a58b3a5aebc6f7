package io.polarway.source.generate;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads generated rows {@code [fromRow, toRow)}. Splittable into row ranges; each split regenerates exactly its rows.
 */
final class GenerateSource extends AbstractStreamingSource implements SplittableSource {
    private static final byte[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".getBytes();
    private final GeneratorSpec spec;
    private final long fromRow;
    private final long toRow;
    private long next;
    private byte[] scratch = new byte[0];

    record RowRange(long fromRow, long toRow) implements SourceSplit {
        @Override
        public String splitId() {
            return "rows[" + fromRow + "," + toRow + ")";
        }
    }

    GenerateSource(SourceConfig config, SourceContext context, GeneratorSpec spec, long fromRow, long toRow,
                   String splitId) {
        super("generate", config, context, splitId);
        this.spec = spec;
        this.fromRow = fromRow;
        this.toRow = toRow;
        this.next = fromRow;
    }

    @Override
    public SourceMetadata metadata() {
        long rows = toRow - fromRow;
        return new SourceMetadata(spec.schema(), rows * spec.bytesPerRow(), rows, true, true);
    }

    @Override
    protected Where where() {
        return Where.resource("generate:" + config.location()).withPartition(null, next);
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        if (next >= toRow) return null;
        if (spec.latencyMillis() > 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(spec.latencyMillis()));
        int n = (int) Math.min(maxRows, toRow - next);
        VectorSchemaRoot root = VectorSchemaRoot.create(spec.schema(), allocator);
        try {
            List<FieldVector> vectors = root.getFieldVectors();
            BigIntVector id = (BigIntVector) vectors.get(0);
            id.allocateNew(n);
            for (int i = 0; i < n; i++) id.set(i, next + i);
            for (int c = 0; c < spec.columnTypes().size(); c++) fill(vectors.get(c + 1), c, n);
            root.setRowCount(n);
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
        next += n;
        stats.addBytesRead((long) n * spec.bytesPerRow());
        return root;
    }

    private void fill(FieldVector v, int c, int n) {
        switch (spec.columnTypes().get(c)) {
            case "int64" -> {
                BigIntVector x = (BigIntVector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, spec.hash(c, row) % 1_000_000_000L);
                }
            }
            case "int32" -> {
                IntVector x = (IntVector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, (int) (spec.hash(c, row) % 1_000_000));
                }
            }
            case "float64" -> {
                Float8Vector x = (Float8Vector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, (spec.hash(c, row) >>> 11) * 0x1.0p-53 * 1000.0);
                }
            }
            case "bool" -> {
                BitVector x = (BitVector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, (int) (spec.hash(c, row) & 1));
                }
            }
            case "date" -> {
                DateDayVector x = (DateDayVector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, (int) Math.floorMod(spec.hash(c, row), 20_000));
                }
            }
            case "timestamp" -> {
                TimeStampMicroVector x = (TimeStampMicroVector) v;
                x.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) x.setNull(i);
                    else x.set(i, Math.floorMod(spec.hash(c, row), 1_700_000_000_000_000L));
                }
            }
            case "utf8" -> {
                VarCharVector x = (VarCharVector) v;
                int len = spec.stringLength();
                x.allocateNew((long) len * n, n);
                if (scratch.length < len) scratch = new byte[len];
                for (int i = 0; i < n; i++) {
                    long row = next + i;
                    if (spec.isNull(c, row)) {
                        x.setNull(i);
                        continue;
                    }
                    long h = spec.hash(c, row);
                    for (int k = 0; k < len; k++) {
                        if ((k & 7) == 0 && k > 0) h = spec.hash(c + k, row);
                        scratch[k] = ALPHABET[(int) Math.floorMod(h >>> ((k & 7) * 8), ALPHABET.length)];
                    }
                    x.setSafe(i, scratch, 0, len);
                }
            }
            default -> throw new IllegalStateException(spec.columnTypes().get(c));
        }
        v.setValueCount(n);
    }

    @Override
    public List<? extends SourceSplit> planSplits(int desiredSplits) {
        int splits = spec.splits() > 0 ? spec.splits() : Math.max(1, desiredSplits);
        long rows = toRow - fromRow;
        splits = (int) Math.max(1, Math.min(splits, rows));
        List<RowRange> out = new ArrayList<>(splits);
        for (int i = 0; i < splits; i++) {
            long a = fromRow + rows * i / splits;
            long b = fromRow + rows * (i + 1) / splits;
            out.add(new RowRange(a, b));
        }
        return out;
    }

    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext ctx) {
        if (!(split instanceof RowRange r)) {
            throw new IllegalArgumentException("not a split of the generate source: " + split);
        }
        return new GenerateSource(config, ctx, spec, r.fromRow(), r.toRow(), r.splitId());
    }

    @Override
    public String toString() {
        return "GenerateSource{rows=[" + fromRow + "," + toRow + "), columns=" + spec.columnTypes() + '}';
    }
}
