package io.polarway.source.file;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

import java.util.ArrayList;
import java.util.List;

/**
 * Moving rows between record batches without copying where Arrow allows it. Every method leaves each buffer with
 * exactly one owner: on success the result owns what it holds; on failure (e.g. an allocation past the memory limit)
 * whatever was allocated for the result is closed and the inputs are left as they were.
 *
 * <p>All allocators involved must share one root allocator (Arrow only moves buffers within one tree).
 */
final class Batches {
    private Batches() {
    }

    /** Moves every buffer of {@code from} into a new root in {@code allocator}; {@code from} is left empty. */
    static VectorSchemaRoot transfer(VectorSchemaRoot from, BufferAllocator allocator) {
        return transfer(from, from.getSchema(), allocator);
    }

    /**
     * Moves every buffer of {@code from} into a new root in {@code allocator} whose fields are {@code schema}'s (same
     * types, possibly other nullability or metadata). {@code from} is left empty.
     */
    static VectorSchemaRoot transfer(VectorSchemaRoot from, Schema schema, BufferAllocator allocator) {
        List<FieldVector> source = from.getFieldVectors();
        List<FieldVector> moved = new ArrayList<>(source.size());
        for (int i = 0; i < source.size(); i++) {
            TransferPair tp = source.get(i).getTransferPair(schema.getFields().get(i), allocator);
            tp.transfer();
            moved.add((FieldVector) tp.getTo());
        }
        int rows = from.getRowCount();
        from.setRowCount(0);
        return new VectorSchemaRoot(schema.getFields(), moved, rows);
    }

    /**
     * Rows {@code [from, from + count)} of {@code batch}, copied into a new root in {@code allocator}; {@code batch} is
     * unchanged. A copy, not a shared slice: a slice shares buffers between the batch, this chunk and the next (Arrow
     * moves the accounting of a shared buffer from allocator to allocator as its holders close), and a chunk closed
     * while another still shared its buffers was seen to leave bytes in its own allocator (a leak error on close).
     * Copying gives every chunk buffers of its own; whole batches still move without copying ({@link #transfer}).
     */
    static VectorSchemaRoot slice(VectorSchemaRoot batch, int from, int count, BufferAllocator allocator) {
        return concat(batch.getSchema(), List.of(new Piece(batch, from, count)), count, allocator);
    }

    /**
     * Rows {@code [from, from + count)} of {@code batch} as a transient root sharing the batch's buffers where Arrow
     * can (aligned fixed-width values); only to be copied from and closed at once, before either root changes hands.
     */
    private static VectorSchemaRoot sharedSlice(VectorSchemaRoot batch, int from, int count,
                                                BufferAllocator allocator) {
        List<FieldVector> out = new ArrayList<>(batch.getFieldVectors().size());
        try {
            for (FieldVector v : batch.getFieldVectors()) {
                TransferPair tp = v.getTransferPair(v.getField(), allocator);
                out.add((FieldVector) tp.getTo());
                tp.splitAndTransfer(from, count);
            }
        } catch (RuntimeException | Error e) {
            out.forEach(ValueVector::close);
            throw e;
        }
        return new VectorSchemaRoot(batch.getSchema().getFields(), out, count);
    }

    /** One piece of a chunk: rows {@code [from, from + count)} of {@code batch}. */
    record Piece(VectorSchemaRoot batch, int from, int count) {
    }

    /**
     * Copies the pieces, in order, into one new root of {@code totalRows} rows in {@code allocator}, sized up front so
     * that appending never reallocates.
     */
    static VectorSchemaRoot concat(Schema schema, List<Piece> pieces, int totalRows, BufferAllocator allocator) {
        VectorSchemaRoot target = VectorSchemaRoot.create(schema, allocator);
        try {
            List<FieldVector> vectors = target.getFieldVectors();
            for (int c = 0; c < vectors.size(); c++) presize(vectors.get(c), c, pieces, totalRows);
            for (FieldVector v : vectors) v.setValueCount(0);
            target.setRowCount(0);
            for (Piece p : pieces) {
                if (p.from == 0 && p.count == p.batch.getRowCount()) {
                    VectorSchemaRootAppender.append(false, target, p.batch);
                } else {
                    try (VectorSchemaRoot part = sharedSlice(p.batch, p.from, p.count, allocator)) {
                        VectorSchemaRootAppender.append(false, target, part);
                    }
                }
            }
            target.setRowCount(totalRows);
            return target;
        } catch (RuntimeException | Error e) {
            target.close();
            throw e;
        }
    }

    private static void presize(FieldVector v, int column, List<Piece> pieces, int totalRows) {
        if (v instanceof BaseFixedWidthVector f) {
            f.allocateNew(Math.max(1, totalRows));
        } else if (v instanceof BaseVariableWidthVector var) {
            long bytes = 0;
            for (Piece p : pieces) {
                BaseVariableWidthVector src = (BaseVariableWidthVector) p.batch.getVector(column);
                bytes += src.getStartOffset(p.from + p.count) - src.getStartOffset(p.from);
            }
            var.allocateNew(Math.max(1, bytes), Math.max(1, totalRows));
        } else if (v instanceof BaseLargeVariableWidthVector var) {
            long bytes = 0;
            for (Piece p : pieces) {
                BaseLargeVariableWidthVector src = (BaseLargeVariableWidthVector) p.batch.getVector(column);
                ArrowBuf offsets = src.getOffsetBuffer();
                bytes += offsets.getLong((long) (p.from + p.count) * BaseLargeVariableWidthVector.OFFSET_WIDTH)
                        - offsets.getLong((long) p.from * BaseLargeVariableWidthVector.OFFSET_WIDTH);
            }
            var.allocateNew(Math.max(1, bytes), Math.max(1, totalRows));
        } else {
            v.setInitialCapacity(Math.max(1, totalRows));
            v.allocateNew();
        }
    }

    /** A root of {@code rows} rows in which every value of every column is null. */
    static FieldVector nulls(Field field, int rows, BufferAllocator allocator) {
        FieldVector v = field.createVector(allocator);
        try {
            v.setInitialCapacity(Math.max(1, rows));
            v.allocateNew();
            // freshly allocated validity buffers are zeroed: every value is null
            v.setValueCount(rows);
            return v;
        } catch (RuntimeException | Error e) {
            v.close();
            throw e;
        }
    }

    /** An empty root (schema, no rows) in {@code allocator}. */
    static VectorSchemaRoot empty(Schema schema, BufferAllocator allocator) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        root.setRowCount(0);
        return root;
    }
}
