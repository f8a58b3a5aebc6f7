package io.polarway.source.kafka;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceStats;
import io.polarway.api.StreamingSource;
import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.source.kafka.OffsetTracker.Range;
import io.polarway.source.kafka.OffsetTracker.Segment;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka topics as Arrow chunks, read by a consumer group, <b>at least once</b>.
 *
 * <h2>Delivery</h2>
 * The offsets of a chunk's records are committed only after the chunk has been handed to the caller <i>and</i>
 * closed by it: closing a chunk means "processed". A partition's committed offset advances only over a prefix of
 * closed chunks (a chunk closed early waits for the ones before it), and a chunk released with
 * {@link Chunk#discard()} — as the stream does with chunks it read ahead but never handed over — blocks every commit
 * past it. Before partitions are revoked in a rebalance the source commits what was released; chunks of a revoked
 * partition that are released later commit nothing (the new owner reads them again). A process that dies therefore
 * re-reads at most what it had delivered and not yet committed: duplicates are possible, loss is not.
 * Without {@code group_id} the source reads every partition itself and commits nothing.
 *
 * <h2>Threads and backpressure</h2>
 * The consumer lives on its own thread (see {@link KafkaPoller}) that polls continuously, so a paused stream (its
 * backpressure gate closed, or a caller that stops reading) never exceeds {@code max.poll.interval.ms} and never loses
 * its partitions. What it fetches waits in a buffer bounded by {@code buffer_max_bytes}; above it the partitions are
 * paused ({@code KafkaConsumer.pause}) while polling goes on, and resumed below half of it. Commits run on that thread
 * too: closing a chunk (on any thread) only queues its offsets.
 *
 * <h2>Memory</h2>
 * The source holds at most: the buffer ({@code buffer_max_bytes}, default budget/16 within [1 MiB, 64 MiB], plus the
 * records of one poll: {@code max_poll_records}; the records wait there as {@link RecordSlab}s, a few primitive arrays
 * per partition and poll counted at their exact size, not as objects per record), the consumer's fetch buffers
 * ({@code fetch_max_bytes} per broker, default half the buffer divided by the brokers listed;
 * {@code max_partition_fetch_bytes} ≤ 1 MiB per partition), and the records of the chunk being built
 * ({@code max(chunk rows, infer_schema_length)} with JSON or CSV: once the schema is inferred, values are parsed on the
 * reading thread straight into that chunk's Arrow vectors, allocated from the budget, rather than held as records).
 * Records larger than the fetch sizes are still fetched one at a time, as Kafka does.
 *
 * <h2>End</h2>
 * By default the stream runs until stopped ({@link #close()}, {@link #requestStop()}). {@code stop_at_end=true} ends
 * it when every partition assigned to this consumer reached the end offset it had when the source started (a consumer
 * that is never assigned a partition waits: combine with {@code idle_timeout_ms}) and every record fetched up to it was
 * delivered; a rebalance withdraws that end until the new assignment is fetched to its end in turn (records of
 * revoked partitions are dropped from the buffer and read again from the committed offset by whoever gets them, often
 * this consumer again with eager rebalancing). {@code max_records} ends it after that many records;
 * {@code idle_timeout_ms} when no record arrived for that long.
 *
 * <h2>Columns</h2>
 * {@code _topic} (utf8, for several topics), {@code _key} (utf8 or binary), {@code _partition} (int32),
 * {@code _offset} (int64), {@code _timestamp} (timestamp[ms, UTC]) — each renamed or dropped by option — then the
 * value: the fields of a JSON object ({@code format=json}, schema inferred from the first
 * {@code infer_schema_length} records), the fields of a CSV record ({@code format=csv}: named by {@code csv_columns}
 * or {@code schema}, typed by {@code schema} or inferred likewise), or one {@code value} column
 * ({@code format=string}: utf8, bytes not validated; {@code format=bytes}: binary).
 *
 * <p>One reading thread at a time, like every source; {@link #stats()}, {@link #assignment()} and
 * {@link #requestStop()} from any thread.
 */
public final class KafkaSource implements StreamingSource {
    private final KafkaSettings settings;
    private final OffsetTracker tracker;
    private final RecordBuffer buffer;
    private final KafkaPoller poller;
    private final Reader reader;

    private KafkaSource(SourceConfig config, SourceContext context, KafkaSettings settings) {
        this.settings = settings;
        this.tracker = new OffsetTracker();
        this.buffer = new RecordBuffer(settings.bufferMaxBytes);
        this.reader = new Reader(config, context);
        this.poller = new KafkaPoller(settings, buffer, tracker, reader.recorder(), context.memory());
    }

    /** Creates the source and starts its consumer (subscribed, end offsets known with {@code stop_at_end}). */
    static KafkaSource open(SourceConfig config, SourceContext context, KafkaSettings settings) {
        KafkaSource source = new KafkaSource(config, context, settings);
        source.poller.start();
        return source;
    }

    @Override
    public SourceMetadata metadata() {
        return new SourceMetadata(reader.decoder.schema(), -1, -1, false, false);
    }

    /**
     * Reads the next chunk; blocks until records arrive (a partly filled chunk is handed over after
     * {@code linger_ms}) or the stream ends. The returned chunk's offsets are committed after it is closed.
     */
    @Override
    public Optional<Chunk> readChunk(int maxRows) {
        Optional<Chunk> next = reader.readChunk(maxRows);
        if (next.isEmpty()) return next;
        Chunk chunk = next.get();
        List<Segment> segments = tracker.delivered(reader.takeRanges());
        if (!segments.isEmpty()) chunk.onClose(() -> tracker.released(segments, chunk.isDiscarded()));
        return next;
    }

    @Override
    public int chunkSizeRows() {
        return reader.chunkSizeRows();
    }

    /**
     * Counters: rows and chunks, bytes read (keys and values as stored), and {@code kafka_*}: polls, pauses and paused
     * time of the partitions, commits and committed offsets, commit failures, partitions assigned/revoked/lost,
     * records past the end dropped, records skipped, the buffer's bytes now and at its peak, chunks released and
     * discarded; with {@code stop_at_end}, {@code kafka_partitions_at_end}: the assigned partitions fetched to their
     * end offset now.
     */
    @Override
    public SourceStats stats() {
        SourceStats s = reader.stats();
        Map<String, Long> counters = new LinkedHashMap<>(s.counters());
        counters.put("kafka_buffered_bytes", buffer.bytes());
        counters.put("kafka_buffer_peak_bytes", buffer.peakBytes());
        counters.put("kafka_chunks_released", tracker.releasedChunks());
        counters.put("kafka_chunks_discarded", tracker.discardedChunks());
        counters.put("kafka_chunks_unreleased", (long) tracker.outstandingSegments());
        if (settings.stopAtEnd) counters.put("kafka_partitions_at_end", (long) poller.partitionsAtEnd());
        return new SourceStats(s.bytesRead(), s.records(), s.chunks(), s.currentMemoryBytes(), s.peakMemoryBytes(),
                s.avgChunkTimeMs(), s.currentChunkSize(), s.minChunkSize(), s.maxChunkSize(), s.pauses(),
                s.pausedMs(), counters);
    }

    /** The partitions assigned to this consumer now (a snapshot). Thread-safe. */
    public Set<TopicPartition> assignment() {
        return poller.assignment();
    }

    /** This consumer's member id in its group ("" before joining or without a group). Thread-safe. */
    public String memberId() {
        return poller.memberId();
    }

    /**
     * Ends the stream gracefully: records already taken into the chunk being built are delivered, then
     * {@link #readChunk} returns empty. Thread-safe; the source must still be closed.
     */
    public void requestStop() {
        reader.stopRequested = true;
        buffer.signal();
    }

    /** Commits what was released, closes the consumer (leaving the group) and stops its thread. */
    @Override
    public void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return "KafkaSource{" + settings + '}';
    }

    /** The reading side: takes records from the buffer and builds chunks of them. */
    private final class Reader extends AbstractStreamingSource {
        final ValueDecoder decoder;
        /** Taken from the buffer, not yet offered to the decoder (a record that failed to parse stays first). */
        private final SlabRuns incoming = new SlabRuns();
        /**
         * Offered to the decoder, in order: its pending rows, and between them the records skipped as bad values
         * (consumed without a row), which are committed with the chunk that holds the rows around them.
         */
        private final SlabRuns offered = new SlabRuns();
        private List<Range> lastRanges = List.of();
        private long delivered;
        volatile boolean stopRequested;

        Reader(SourceConfig config, SourceContext context) {
            super("kafka", config, context, null);
            this.decoder = ValueDecoder.create(settings, stats, context.allocator());
        }

        io.polarway.api.StatsRecorder recorder() {
            return stats;
        }

        @Override
        public SourceMetadata metadata() {
            return KafkaSource.this.metadata();
        }

        @Override
        protected Where where() {
            return Where.resource("kafka:" + settings.subscription());
        }

        List<Range> takeRanges() {
            List<Range> r = lastRanges;
            lastRanges = List.of();
            return r;
        }

        private int pendingRows() {
            return incoming.size() + decoder.pendingRows();
        }

        @Override
        protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
            int rows = maxRows;
            if (settings.maxRecords > 0) {
                long left = settings.maxRecords - delivered;
                if (left <= 0) return null;
                rows = (int) Math.min(rows, left);
            }
            long lingerDeadline = 0;
            boolean lingering = false;
            while (true) {
                int want = Math.max(rows, decoder.wantsMoreForInference() ? settings.inferSchemaLength : 0);
                buffer.takeInto(incoming, want - pendingRows());
                boolean badRecordFirst = offerIncoming();
                int pending = decoder.pendingRows();
                if (badRecordFirst || pending >= rows && !decoder.wantsMoreForInference()) break;
                // The end and the buffer's emptiness are read together (one lock): a rebalance that drops buffered
                // records withdraws the end in the same step, so an emptied buffer is never taken for the end.
                boolean ended = stopRequested || settings.stopAtEnd && buffer.drainedToEnd()
                        || !poller.isRunning() && buffer.isEmpty();
                // Read after isRunning(): the consumer's thread sets its failure before it stops, so a consumer seen
                // stopped by a failure is never taken for the end of the stream.
                PolarwayException failure = poller.failure();
                if (failure != null && buffer.isEmpty()) {
                    if (pending == 0) throw failure;
                    break; // deliver what was read before the failure; the next call throws it
                }
                if (ended) {
                    if (pending == 0) {
                        commitSkippedAtEnd();
                        return null;
                    }
                    break;
                }
                long now = System.nanoTime();
                long waitNanos = RecordBuffer.millisToNanos(100);
                if (pending > 0) {
                    if (!lingering) {
                        lingering = true;
                        lingerDeadline = now + RecordBuffer.millisToNanos(settings.lingerMillis);
                    }
                    if (now - lingerDeadline >= 0) break;
                    waitNanos = Math.min(waitNanos, lingerDeadline - now);
                } else if (settings.idleTimeoutMillis > 0) {
                    long idleDeadline = buffer.lastArrivalNanos() + RecordBuffer.millisToNanos(settings.idleTimeoutMillis);
                    if (now - idleDeadline >= 0 && buffer.isEmpty()) {
                        commitSkippedAtEnd();
                        return null;
                    }
                    waitNanos = Math.min(waitNanos, Math.max(0, idleDeadline - now));
                }
                long seen = buffer.version();
                if (!buffer.isEmpty()) continue;
                try {
                    buffer.awaitChange(seen, Math.max(1, waitNanos), want - pendingRows());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IoException("interrupted while waiting for Kafka records", where(), e);
                }
            }
            VectorSchemaRoot root = decoder.build(allocator, rows);
            if (root == null) return null;
            int n = root.getRowCount();
            lastRanges = consume(n);
            delivered += n;
            return root;
        }

        /**
         * Offers taken records to the decoder; a bad value fails (or, with {@code bad_records=skip}, is skipped). The
         * bad record stays first in {@link #incoming}, so the error repeats and nothing is skipped; the rows offered
         * before it are delivered first.
         *
         * @return true when a bad record waits first behind rows to deliver (build them; the next read fails)
         */
        private boolean offerIncoming() {
            for (SlabRuns.Run r; (r = incoming.first()) != null; ) {
                RecordSlab slab = r.slab;
                if (!decoder.rejectsValues()) { // the whole range at once
                    int n = r.size();
                    decoder.offerRange(slab, r.from, r.to);
                    offered.add(slab, r.from, r.to);
                    incoming.drop(n);
                    continue;
                }
                int i = r.from;
                boolean skip = false;
                try {
                    decoder.offer(slab, i);
                } catch (ParseException ex) {
                    if (!settings.skipBadRecords) {
                        // not dropped from incoming: the next read offers it again, with nothing pending, and fails
                        if (decoder.pendingRows() > 0) return true;
                        throw ex;
                    }
                    skip = true;
                    stats.count("kafka_records_skipped", 1);
                }
                offered.add(slab, i, i + 1, skip);
                incoming.drop(1);
            }
            return false;
        }

        /** Skipped records at the very end have no chunk to ride on: they stay uncommitted (read again). */
        private void commitSkippedAtEnd() {
            offered.clear(); // nothing but skipped records: the decoder has no pending row
        }

        /**
         * Removes the records of a chunk of {@code rows} rows from {@link #offered}: its rows and the skipped records
         * before them and right after them (up to the next row, which is not in the chunk: a skipped record past it
         * would commit over it).
         *
         * @return the offsets they span, per partition assignment
         */
        private List<Range> consume(int rows) {
            Map<OffsetTracker.PartitionState, long[]> byState = new IdentityHashMap<>();
            int left = rows;
            for (SlabRuns.Run r; (r = offered.first()) != null; ) {
                if (!r.skipped && left == 0) break;
                int k = r.skipped ? r.size() : Math.min(left, r.size());
                if (!r.skipped) left -= k;
                long first = r.slab.offsets[r.from];
                long last = r.slab.offsets[r.from + k - 1];
                long[] span = byState.get(r.slab.state);
                if (span == null) byState.put(r.slab.state, new long[]{first, last});
                else {
                    span[0] = Math.min(span[0], first);
                    span[1] = Math.max(span[1], last);
                }
                offered.drop(k);
            }
            List<Range> out = new ArrayList<>(byState.size());
            byState.forEach((st, span) -> out.add(new Range(st, span[0], span[1])));
            return out;
        }

        @Override
        protected void doClose() {
            try {
                poller.stop(Duration.ofMillis(settings.requestTimeoutMillis + 10_000));
            } finally {
                decoder.close(); // the vectors of the chunk being built (uncommitted records: read again)
            }
        }
    }
}
