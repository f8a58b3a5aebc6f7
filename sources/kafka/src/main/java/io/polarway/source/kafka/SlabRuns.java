package io.polarway.source.kafka;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A queue of records as index ranges of {@link RecordSlab}s, oldest first: what the reader took from the buffer, what
 * it offered to the decoder, what a decoder holds until it builds a chunk. An append that continues the last range
 * (same slab, next index, same kind) extends it, so a slab taken whole is one object here, not one per record. A run
 * may mark its records skipped (bad values consumed without a row, {@code bad_records=skip}). Not thread-safe.
 */
final class SlabRuns {
    /** Records {@code [from, to)} of {@code slab}. */
    static final class Run {
        final RecordSlab slab;
        int from;
        int to;
        final boolean skipped;

        Run(RecordSlab slab, int from, int to, boolean skipped) {
            this.slab = slab;
            this.from = from;
            this.to = to;
            this.skipped = skipped;
        }

        int size() {
            return to - from;
        }
    }

    /** Visits the records of a range: {@code [from, to)} of {@code slab}, the first of them the queue's {@code row}. */
    @FunctionalInterface
    interface RangeVisitor {
        void visit(RecordSlab slab, int from, int to, int row);
    }

    private final ArrayDeque<Run> runs = new ArrayDeque<>();
    private int size;

    void add(RecordSlab slab, int from, int to) {
        add(slab, from, to, false);
    }

    void add(RecordSlab slab, int from, int to, boolean skipped) {
        if (from >= to) return;
        Run last = runs.peekLast();
        if (last != null && last.slab == slab && last.to == from && last.skipped == skipped) last.to = to;
        else runs.addLast(new Run(slab, from, to, skipped));
        size += to - from;
    }

    /** Records queued (skipped ones included). */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The oldest range, or null; its {@code from} moves with {@link #drop}. */
    Run first() {
        return runs.peekFirst();
    }

    /** Removes the oldest {@code n} records. */
    void drop(int n) {
        while (n > 0) {
            Run r = runs.peekFirst();
            int k = Math.min(n, r.size());
            r.from += k;
            size -= k;
            n -= k;
            if (r.from == r.to) runs.pollFirst();
        }
    }

    void clear() {
        runs.clear();
        size = 0;
    }

    /** Visits the oldest {@code n} records, range by range, in order (skipped ones included). */
    void forEach(int n, RangeVisitor visitor) {
        int row = 0;
        for (Iterator<Run> it = runs.iterator(); it.hasNext() && row < n; ) {
            Run r = it.next();
            int k = Math.min(n - row, r.size());
            visitor.visit(r.slab, r.from, r.from + k, row);
            row += k;
        }
    }
}
