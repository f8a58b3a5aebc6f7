package io.polarway.source.file;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Cuts the batches files yield into chunks of exactly the size asked for (fewer only at the very end): a chunk
 * smaller than a batch takes a slice and leaves the rest for the next chunk; a chunk larger than a batch joins several.
 * A chunk that is exactly one whole batch moves the batch's buffers instead of copying them; other chunks are copies.
 *
 * <p>Batches wait here (owned by this assembler) until taken. {@link #take} consumes rows only when the chunk was
 * built: if building fails (an allocation past the memory limit), every batch and offset is as before, so a retry with
 * fewer rows delivers the same rows. Not thread-safe.
 *
 * <p>Public for other source modules that read in units of their own (the object-store source's Parquet row groups
 * and Arrow IPC batches).
 */
public final class ChunkAssembler implements AutoCloseable {
    private final ArrayDeque<VectorSchemaRoot> pending = new ArrayDeque<>();
    private int headOffset;
    private long pendingRows;

    /** Takes ownership of {@code batch} (a batch without rows is closed at once). */
    public void add(VectorSchemaRoot batch) {
        if (batch.getRowCount() == 0) {
            batch.close();
            return;
        }
        pending.addLast(batch);
        pendingRows += batch.getRowCount();
    }

    public long pendingRows() {
        return pendingRows;
    }

    /**
     * The next {@code min(maxRows, pendingRows())} rows as a new root in {@code allocator}.
     *
     * @param schema the schema every pending batch has
     */
    public VectorSchemaRoot take(int maxRows, Schema schema, BufferAllocator allocator) {
        if (pendingRows == 0) throw new IllegalStateException("nothing pending");
        int n = (int) Math.min(maxRows, pendingRows);
        VectorSchemaRoot head = pending.peekFirst();
        int headRows = head.getRowCount() - headOffset;
        VectorSchemaRoot out;
        if (n <= headRows) {
            if (headOffset == 0 && n == head.getRowCount()) {
                // the whole batch: move its buffers (moving cannot fail, so consuming first is safe)
                pending.pollFirst();
                pendingRows -= n;
                out = Batches.transfer(head, allocator);
                head.close();
                return out;
            } else {
                out = Batches.slice(head, headOffset, n, allocator);
            }
        } else {
            List<Batches.Piece> pieces = new ArrayList<>();
            int left = n;
            int offset = headOffset;
            for (Iterator<VectorSchemaRoot> it = pending.iterator(); it.hasNext() && left > 0; ) {
                VectorSchemaRoot b = it.next();
                int take = Math.min(left, b.getRowCount() - offset);
                pieces.add(new Batches.Piece(b, offset, take));
                left -= take;
                offset = 0;
            }
            out = Batches.concat(schema, pieces, n, allocator);
        }
        consume(n);
        return out;
    }

    private void consume(int n) {
        pendingRows -= n;
        int left = n;
        while (left > 0) {
            VectorSchemaRoot head = pending.peekFirst();
            int headRows = head.getRowCount() - headOffset;
            if (left >= headRows) {
                pending.pollFirst().close();
                headOffset = 0;
                left -= headRows;
            } else {
                headOffset += left;
                left = 0;
            }
        }
    }

    /** Closes every pending batch. */
    @Override
    public void close() {
        for (VectorSchemaRoot b; (b = pending.pollFirst()) != null; ) b.close();
        pendingRows = 0;
        headOffset = 0;
    }
}
