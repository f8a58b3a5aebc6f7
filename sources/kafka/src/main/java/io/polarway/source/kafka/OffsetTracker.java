package io.polarway.source.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which offsets may be committed: per partition, the chunks delivered in order and whether each was released. A
 * partition's committable offset advances only over a prefix of released chunks, so a chunk released early never
 * commits past one still held, and a discarded chunk (read ahead, never handed over) blocks every commit past it
 * until the partition is revoked: its records are delivered again by whoever reads the partition next.
 *
 * <p>Thread-safe (one lock): chunks are delivered on the reading thread, released on any thread, and commits are
 * taken on the consumer's thread.
 */
final class OffsetTracker {

    /**
     * One assignment of one partition to this consumer. A new object per assignment: releases of chunks read under
     * an earlier assignment reach the old object, which is revoked, and commit nothing.
     */
    static final class PartitionState {
        final TopicPartition partition;
        final String label;
        /** Where a record of this partition is, for errors: {@link #at(long)} adds the offset. */
        private final io.polarway.error.Where where;
        private final ArrayDeque<Segment> outstanding = new ArrayDeque<>();
        private boolean revoked;
        private long committable = -1;
        private long commitSent = -1;
        private long commitAcked = -1;
        private long baseOffset = -1;

        PartitionState(TopicPartition partition) {
            this.partition = partition;
            this.label = partition.topic() + "-" + partition.partition();
            this.where = io.polarway.error.Where.resource(partition.topic()).withPartition(label, -1);
        }

        /** The place of the record at {@code offset} (one small allocation: built per record). */
        io.polarway.error.Where at(long offset) {
            return where.withPartition(label, offset);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The part of one chunk that came from one partition: acknowledging it makes {@code nextOffset} committable. */
    static final class Segment {
        final PartitionState state;
        final long nextOffset;
        private boolean released;

        Segment(PartitionState state, long nextOffset) {
            this.state = state;
            this.nextOffset = nextOffset;
        }
    }

    /** What a chunk holds of one partition: offsets {@code [firstOffset, lastOffset]} (gaps allowed). */
    record Range(PartitionState state, long firstOffset, long lastOffset) {
    }

    private final Map<TopicPartition, PartitionState> assigned = new HashMap<>();
    private long releasedChunks;
    private long discardedChunks;

    /** A new state for a partition just assigned. */
    synchronized PartitionState assign(TopicPartition tp) {
        PartitionState old = assigned.get(tp);
        if (old != null) return old; // cooperative rebalancing re-announces kept partitions
        PartitionState s = new PartitionState(tp);
        assigned.put(tp, s);
        return s;
    }

    synchronized PartitionState state(TopicPartition tp) {
        return assigned.get(tp);
    }

    /** Forgets revoked or lost partitions: their chunks released later commit nothing. */
    synchronized void revoke(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState s = assigned.remove(tp);
            if (s != null) {
                s.revoked = true;
                s.outstanding.clear();
            }
        }
    }

    /**
     * Registers a chunk handed to the caller, in delivery order.
     *
     * @return the segments to pass to {@link #released} when the chunk is closed
     */
    synchronized List<Segment> delivered(List<Range> ranges) {
        Segment[] out = new Segment[ranges.size()];
        int n = 0;
        for (Range r : ranges) {
            PartitionState s = r.state();
            if (s.revoked) continue; // read before a revocation: the new owner reads it again
            if (s.baseOffset < 0) s.baseOffset = r.firstOffset();
            Segment seg = new Segment(s, r.lastOffset() + 1);
            s.outstanding.addLast(seg);
            out[n++] = seg;
        }
        return List.of(java.util.Arrays.copyOf(out, n));
    }

    /** A chunk was closed: its segments become committable (unless discarded) once every earlier one is. */
    synchronized void released(List<Segment> segments, boolean discarded) {
        if (discarded) {
            discardedChunks++;
            return; // stays outstanding: nothing past it is committed in this assignment
        }
        releasedChunks++;
        for (Segment seg : segments) {
            seg.released = true;
            PartitionState s = seg.state;
            while (!s.outstanding.isEmpty() && s.outstanding.peekFirst().released) {
                s.committable = s.outstanding.pollFirst().nextOffset;
            }
        }
    }

    /**
     * The offsets to commit now for {@code partitions} (all assigned when null): those that advanced since the last
     * call. Marks them sent.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> takeCommittable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        for (PartitionState s : assigned.values()) {
            if (partitions != null && !partitions.contains(s.partition)) continue;
            if (s.committable > s.commitSent) {
                out.put(s.partition, new OffsetAndMetadata(s.committable));
                s.commitSent = s.committable;
            }
        }
        return out;
    }

    /**
     * The broker accepted these offsets.
     *
     * @return how many offsets the commit advanced over (records, for topics without gaps)
     */
    synchronized long acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long advanced = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            PartitionState s = assigned.get(e.getKey());
            if (s == null) continue;
            long offset = e.getValue().offset();
            long from = Math.max(s.commitAcked, s.baseOffset);
            if (offset > from && from >= 0) advanced += offset - from;
            s.commitAcked = Math.max(s.commitAcked, offset);
        }
        return advanced;
    }

    /** A commit failed: send these offsets again with the next commit. */
    synchronized void failed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            PartitionState s = assigned.get(e.getKey());
            if (s != null && s.commitSent == e.getValue().offset()) s.commitSent = Math.max(-1, s.commitAcked);
        }
    }

    /** Whether released offsets wait to be committed. */
    synchronized boolean hasCommittable() {
        for (PartitionState s : assigned.values()) {
            if (s.committable > s.commitSent) return true;
        }
        return false;
    }

    /** Rows' chunks handed over and not yet released, over the assigned partitions (for stats). */
    synchronized int outstandingSegments() {
        int n = 0;
        for (PartitionState s : assigned.values()) n += s.outstanding.size();
        return n;
    }

    synchronized long releasedChunks() {
        return releasedChunks;
    }

    synchronized long discardedChunks() {
        return discardedChunks;
    }
}
