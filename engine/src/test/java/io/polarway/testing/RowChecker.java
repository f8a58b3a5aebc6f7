package io.polarway.testing;

import io.polarway.api.Chunk;
import org.apache.arrow.vector.BigIntVector;

import java.util.BitSet;

/**
 * Checks that the {@code id} column of a stream covers 0..n-1 exactly once: every row once, none lost, none doubled.
 */
public final class RowChecker {
    private final BitSet seen = new BitSet();
    private long rows;
    private long duplicates;
    private long lastId = -1;
    private boolean ascending = true;

    public void accept(Chunk chunk) {
        BigIntVector id = (BigIntVector) chunk.root().getVector("id");
        for (int i = 0; i < chunk.rowCount(); i++) {
            long v = id.get(i);
            if (seen.get((int) v)) duplicates++;
            seen.set((int) v);
            if (v <= lastId) ascending = false;
            lastId = v;
            rows++;
        }
    }

    public long rows() {
        return rows;
    }

    public long duplicates() {
        return duplicates;
    }

    public boolean ascending() {
        return ascending;
    }

    /** Whether ids 0..expected-1 were each seen exactly once and nothing else. */
    public boolean exactlyOnce(long expected) {
        return duplicates == 0 && rows == expected && seen.cardinality() == expected
                && (expected == 0 || seen.nextClearBit(0) == expected);
    }
}
