package io.polarway.stream;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.SourceSplit;
import io.polarway.api.SourceStats;
import io.polarway.api.SplittableSource;
import io.polarway.api.StatsRecorder;
import io.polarway.api.StreamingSource;
import io.polarway.config.ByteSize;
import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.PolarwayException;
import io.polarway.memory.MemoryMonitor;
import io.polarway.memory.MemoryProbe;
import io.polarway.memory.MemorySnapshot;
import io.polarway.policy.PolicyFactory;
import io.polarway.policy.PolicyRegistry;
import io.polarway.profile.VmProfile;
import io.polarway.policy.PolicySettings;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads any source in chunks whose size follows memory pressure: the guide's {@code AdaptiveStreamBuilder}.
 *
 * <pre>{@code
 * try (AdaptiveStream stream = AdaptiveStream.builder("csv", SourceConfig.of("big.csv"))
 *         .memoryLimit("600MB").prefetch(true).build()) {
 *     for (Chunk chunk : stream) {
 *         try (chunk) { process(chunk.root()); }
 *     }
 * }
 * }</pre>
 *
 * <p><b>What it does per chunk.</b> Before each read it samples memory and asks the backpressure gate; above the high
 * mark it waits (woken when a chunk is closed, or every poll interval) until memory is below the low mark. It reads a
 * chunk of the size the policy chose, samples memory again and lets the policy choose the next size. Arrow memory is
 * capped by a limited allocator ({@link #dataLimitBytes()}): an allocation past it is a {@link MemoryLimitException},
 * which the stream first retries with half the rows, then rethrows — never an OOM kill.
 *
 * <p><b>Threads.</b> Without prefetch or parallelism the caller's thread reads. With prefetch one background thread
 * reads ahead; with parallel reading (for {@link SplittableSource}s) several threads read splits at once. Either way
 * the chunks read ahead wait in a queue bounded in bytes ({@link Builder#maxQueueBytes}), and the output order is the
 * source's order (splits in order) unless {@link Builder#ordered(boolean) ordered(false)}.
 *
 * <p><b>Ownership.</b> The caller owns each chunk {@link #next()} returns and must close it; all chunks must be closed
 * before {@link #close()}, which closes the source, the reader threads and (when the stream created it) the allocator.
 * One consumer thread at a time; {@link #stats()} from any thread.
 */
public final class AdaptiveStream implements Iterable<Chunk>, AutoCloseable {
    /** Default of {@link Builder#releaseWaitMillis}. */
    static final long DEFAULT_RELEASE_WAIT_MILLIS = 1_000;
    private final StreamingSource source;
    private final BufferAllocator allocator;
    private final boolean ownsAllocator;
    private final MemoryProbe memory;
    private final StatsRecorder stats = new StatsRecorder();
    private final StreamController controller;
    private final long dataLimitBytes;
    private final long releaseWaitNanos;
    private final List<StreamingSource> readers = new CopyOnWriteArrayList<>();
    private final ChunkQueue queue;
    private final List<Thread> threads = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private boolean ended;
    private boolean closed;

    private AdaptiveStream(Builder b) {
        SourceRegistry registry = b.registry != null ? b.registry : SourceRegistry.withDefaults();
        long configuredLimit = b.memoryLimitBytes > 0 ? b.memoryLimitBytes
                : b.config != null && b.config.memoryLimitBytes().isPresent() ? b.config.memoryLimitBytes().getAsLong()
                : b.profile != null ? b.profile.recommendedLimitBytes() : 0;
        this.ownsAllocator = b.allocator == null;
        this.allocator = ownsAllocator ? new RootAllocator(Long.MAX_VALUE) : b.allocator;
        StreamingSource created = null;
        try {
            this.memory = b.memory != null ? b.memory : MemoryMonitor.create(configuredLimit, allocator);
            MemorySnapshot atStart = memory.sample();
            if (atStart.pressure() >= 1.0) {
                // Pausing cannot help a stream that holds nothing yet: say so now instead of stalling later.
                throw new ConfigException("memory_limit", "memory limit " + ByteSize.format(memory.budgetBytes())
                        + " is below what the process already uses (" + ByteSize.format(atStart.workingSetBytes())
                        + ", " + atStart.signal() + "): raise the limit", List.of(), null);
            }
            this.dataLimitBytes = b.dataLimitBytes > 0 ? b.dataLimitBytes : DataLimit.bytes(atStart);
            this.releaseWaitNanos = TimeUnit.MILLISECONDS.toNanos(b.releaseWaitMillis);
            if (ownsAllocator) allocator.setLimit(dataLimitBytes);
            SourceContext context = new SourceContext(allocator, memory);
            int initialRows = b.chunkSizeRows > 0 ? b.chunkSizeRows
                    : b.config != null ? b.config.chunkSizeRows() : b.source.chunkSizeRows();
            PolicyRegistry policies = PolicyRegistry.withDefaults();
            String policyName = policyName(b.policyName, b.profile);
            PolicySettings settings = PolicySettings.from(policies, policyName,
                    withProfileDefaults(b.policyParams, b.profile, b.policyName, policies.get(policyName)),
                    initialRows);
            this.controller = new StreamController(settings.policy(), settings.gate(), memory, stats, b.listener,
                    b.nanoClock, b.pollMillis, b.stallMillis, b.stallAction, b.idlePauseMillis);
            if (b.source != null) {
                this.source = b.source;
            } else {
                SourceConfig config = b.config.withChunkSize(initialRows);
                created = registry.create(b.type, config, context);
                this.source = created;
            }
            boolean prefetch = b.prefetch != null ? b.prefetch : b.config != null && b.config.prefetch();
            boolean parallel = b.parallel != null ? b.parallel : b.config != null && b.config.parallel();
            long maxQueue = b.maxQueueBytes > 0 ? b.maxQueueBytes : Math.max(1, memory.budgetBytes() / 4);

            List<StreamingSource> plan = new ArrayList<>();
            if (parallel && source instanceof SplittableSource splittable && source.metadata().parallelizable()) {
                for (SourceSplit split : splittable.planSplits(b.parallelism)) {
                    plan.add(new LazySplit(splittable, split, context));
                }
            } else if (prefetch) {
                plan.add(source);
            }
            if (plan.isEmpty()) {
                this.queue = null;
            } else {
                this.queue = new ChunkQueue(plan.size(), maxQueue, b.ordered);
                readers.addAll(plan);
                startReaders(plan, parallel ? Math.min(b.parallelism, plan.size()) : 1);
            }
        } catch (RuntimeException | Error e) {
            if (created != null) created.close();
            if (ownsAllocator) allocator.close();
            throw e;
        }
    }

    /** The policy the builder names, else the profile's recommended one, else {@code guide}. */
    static String policyName(String named, VmProfile profile) {
        if (named != null) return named;
        return profile != null ? profile.policy().name() : "guide";
    }

    /**
     * The policy parameters with a profile's defaults added where the user set none: the profile's recommended
     * parameters when the stream did not name a policy ({@code named} is null, so it runs the profile's), then the
     * profile's chunk-size clamps where the policy has them ({@code max_chunk_rows}, {@code min_chunk_rows}). A
     * stream that names a policy, even the profile's, gets that policy's own defaults.
     */
    static Map<String, String> withProfileDefaults(Map<String, String> params, VmProfile profile, String named,
                                                   PolicyFactory policy) {
        if (profile == null) return params;
        Map<String, String> out = new LinkedHashMap<>();
        if (named == null) out.putAll(profile.policy().params());
        out.putAll(params);
        if (policy.options().contains("max_chunk_rows")) {
            out.putIfAbsent("max_chunk_rows", Integer.toString(profile.maxChunkRows()));
        }
        if (policy.options().contains("min_chunk_rows")) {
            out.putIfAbsent("min_chunk_rows", Integer.toString(profile.minChunkRows()));
        }
        return out;
    }

    /** A stream over a source created by type through the registry, reading with the stream's allocator. */
    public static Builder builder(String type, SourceConfig config) {
        return new Builder(Objects.requireNonNull(type, "type"), Objects.requireNonNull(config, "config"), null);
    }

    /**
     * A stream over an existing source. The source keeps allocating from its own allocator (so its limit applies);
     * splits opened for parallel reading use the stream's. Closing the stream closes the source.
     */
    public static Builder builder(StreamingSource source) {
        return new Builder(null, null, Objects.requireNonNull(source, "source"));
    }

    private void startReaders(List<StreamingSource> plan, int threadCount) {
        AtomicInteger nextSplit = new AtomicInteger();
        for (int t = 0; t < threadCount; t++) {
            Thread thread = new Thread(() -> readLoop(plan, nextSplit), "polarway-reader-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Reader thread: takes splits in order and reads each to its end into the queue. */
    private void readLoop(List<StreamingSource> plan, AtomicInteger nextSplit) {
        try {
            for (int i; (i = nextSplit.getAndIncrement()) < plan.size(); ) {
                StreamingSource reader = plan.get(i);
                try {
                    while (true) {
                        Optional<Chunk> chunk = readOne(reader);
                        if (chunk.isEmpty()) break;
                        if (!queue.put(i, chunk.get())) return;
                    }
                } finally {
                    if (reader != source) reader.close();
                }
                queue.finish(i);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            queue.fail(t);
        }
    }

    /**
     * Waits for the gate, reads one chunk. On a MemoryLimit error while other chunks are held (queued or with the
     * consumer) it first waits up to {@link Builder#releaseWaitMillis} for one of them to be released and retries the same
     * size — backpressure, not failure; with no release in that time (a consumer that holds chunks until it gets the
     * next one would otherwise deadlock) it retries with half the rows, down to one row, then gives up. The waits of
     * one read add up to at most the stall timeout.
     */
    private Optional<Chunk> readOne(StreamingSource reader) throws InterruptedException {
        int rows = controller.awaitPermit();
        long waitBudgetNanos = controller.stallNanos();
        while (true) {
            long start = System.nanoTime();
            PolarwayException limit;
            try {
                Optional<Chunk> chunk = reader.readChunk(rows);
                if (chunk.isPresent()) controller.afterChunk(chunk.get(), rows, System.nanoTime() - start);
                return chunk;
            } catch (MemoryLimitException e) {
                limit = e;
            } catch (OutOfMemoryException e) {
                // A source that allocates outside AbstractStreamingSource: same meaning, same type.
                limit = new MemoryLimitException("chunk does not fit the data limit", dataLimitBytes,
                        allocator.getAllocatedMemory(), null, e);
            }
            long waitStart = System.nanoTime();
            boolean released = controller.awaitRelease(Math.min(releaseWaitNanos, waitBudgetNanos));
            waitBudgetNanos -= System.nanoTime() - waitStart;
            if (released) continue;
            int retry = controller.afterMemoryLimit(rows);
            if (retry < 0) throw limit;
            rows = retry;
        }
    }

    /**
     * The next chunk, blocking until it is read (or pausing while memory is high).
     *
     * @return the next chunk, owned by the caller, or empty at the end of the data
     * @throws PolarwayException from the source or the memory limit
     */
    public Optional<Chunk> next() {
        if (closed) throw new IllegalStateException("stream is closed");
        if (ended) return Optional.empty();
        try {
            Chunk chunk;
            if (queue == null) {
                chunk = readOne(source).orElse(null);
            } else {
                chunk = queue.take();
            }
            if (chunk == null) {
                ended = true;
                return Optional.empty();
            }
            return Optional.of(chunk);
        } catch (ChunkQueue.ReaderFailure f) {
            ended = true;
            Throwable cause = f.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IoException("reader failed: " + cause, null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IoException("interrupted while waiting for the next chunk", null, e);
        }
    }

    @Override
    public Iterator<Chunk> iterator() {
        return new Iterator<>() {
            private Chunk pending;

            @Override
            public boolean hasNext() {
                if (pending == null) pending = AdaptiveStream.this.next().orElse(null);
                return pending != null;
            }

            @Override
            public Chunk next() {
                if (!hasNext()) throw new NoSuchElementException();
                Chunk c = pending;
                pending = null;
                return c;
            }
        };
    }

    /** The remaining chunks as a sequential stream; each element must be closed by its consumer. */
    public Stream<Chunk> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * Reads everything into one chunk, for data that fits. The result is allocated under the data limit (so data
     * that does not fit is a {@link MemoryLimitException}) and must be closed before the stream.
     *
     * @return all remaining rows in one chunk, or empty if there were none and the schema is unknown
     */
    public Optional<Chunk> collect() {
        BufferAllocator target = allocator.newChildAllocator("collect", 0, Long.MAX_VALUE);
        VectorSchemaRoot result = null;
        try {
            for (Optional<Chunk> next; (next = next()).isPresent(); ) {
                try (Chunk c = next.get()) {
                    if (result == null) {
                        result = VectorSchemaRoot.create(c.schema(), target);
                        result.allocateNew();
                        result.setRowCount(0);
                    }
                    VectorSchemaRootAppender.append(result, c.root());
                }
            }
            if (result == null) {
                Schema schema = source.metadata().schema();
                if (schema == null) {
                    target.close();
                    return Optional.empty();
                }
                result = VectorSchemaRoot.create(schema, target);
                result.allocateNew();
                result.setRowCount(0);
            }
            return Optional.of(new Chunk(result, target, 0, null));
        } catch (OutOfMemoryException e) {
            if (result != null) result.close();
            target.close();
            throw new MemoryLimitException("collected data does not fit the data limit", dataLimitBytes,
                    allocator.getAllocatedMemory(), null, e);
        } catch (RuntimeException | Error e) {
            if (result != null) result.close();
            target.close();
            throw e;
        }
    }

    /** Counters: rows, chunks, bytes read (summed over readers), memory, chunk sizes, pauses. */
    public SourceStats stats() {
        SourceStats s = stats.snapshot();
        long bytesRead = 0;
        Map<String, Long> counters = new LinkedHashMap<>(s.counters());
        List<StreamingSource> all = new ArrayList<>(readers);
        if (!all.contains(source)) all.add(source);
        for (StreamingSource r : all) {
            SourceStats rs = r.stats();
            bytesRead += rs.bytesRead();
            rs.counters().forEach((k, v) -> counters.merge(k, v, Long::sum));
        }
        if (queue != null) counters.put("peak_queued_bytes", queue.peakQueuedBytes());
        return new SourceStats(bytesRead, s.records(), s.chunks(), s.currentMemoryBytes(), s.peakMemoryBytes(),
                s.avgChunkTimeMs(), s.currentChunkSize(), s.minChunkSize(), s.maxChunkSize(), s.pauses(), s.pausedMs(),
                counters);
    }

    /** Nanoseconds since the stream was built. */
    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** The memory budget: the smallest of the configured limit, the cgroup limit and RAM. */
    public long budgetBytes() {
        return memory.budgetBytes();
    }

    /** The hard cap on Arrow memory (see {@link DataLimit}). */
    public long dataLimitBytes() {
        return dataLimitBytes;
    }

    public MemoryProbe memory() {
        return memory;
    }

    public StreamingSource source() {
        return source;
    }

    /** Stops reader threads, closes queued chunks, the source and (if the stream created it) the allocator. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        controller.cancel();
        if (queue != null) queue.cancel();
        for (Thread t : threads) t.interrupt();
        boolean joined = true;
        for (Thread t : threads) {
            try {
                t.join(10_000);
                joined &= !t.isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                joined = false;
            }
        }
        if (queue != null) queue.cancel(); // chunks a reader queued while we were stopping it
        try {
            source.close();
        } finally {
            if (ownsAllocator && joined) allocator.close();
        }
    }

    @Override
    public String toString() {
        return "AdaptiveStream{source=" + source + ", budget=" + ByteSize.format(memory.budgetBytes())
                + ", dataLimit=" + ByteSize.format(dataLimitBytes) + '}';
    }

    /** A split reader opened on first use by its reader thread, so planning is cheap and opening is parallel. */
    private static final class LazySplit implements StreamingSource {
        private final SplittableSource parent;
        private final SourceSplit split;
        private final SourceContext context;
        private StreamingSource reader;
        private volatile SourceStats lastStats;

        LazySplit(SplittableSource parent, SourceSplit split, SourceContext context) {
            this.parent = parent;
            this.split = split;
            this.context = context;
        }

        private StreamingSource reader() {
            if (reader == null) reader = parent.openSplit(split, context);
            return reader;
        }

        @Override
        public io.polarway.api.SourceMetadata metadata() {
            return reader().metadata();
        }

        @Override
        public Optional<Chunk> readChunk(int maxRows) {
            Optional<Chunk> c = reader().readChunk(maxRows);
            lastStats = reader.stats();
            return c;
        }

        @Override
        public int chunkSizeRows() {
            return reader().chunkSizeRows();
        }

        @Override
        public SourceStats stats() {
            SourceStats s = lastStats;
            return s != null ? s : new SourceStats(0, 0, 0, -1, -1, 0, 0, 0, 0, 0, 0, Map.of());
        }

        @Override
        public void close() {
            if (reader != null) {
                lastStats = reader.stats();
                reader.close();
            }
        }
    }

    /**
     * Configures an {@link AdaptiveStream}. Settings not given fall back to the {@link SourceConfig}'s (memory limit,
     * chunk size, parallel, prefetch), then to the guide's defaults.
     */
    public static final class Builder {
        private final String type;
        private final SourceConfig config;
        private final StreamingSource source;
        private SourceRegistry registry;
        private long memoryLimitBytes;
        private long dataLimitBytes;
        private int chunkSizeRows;
        private Boolean prefetch;
        private Boolean parallel;
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private boolean ordered = true;
        private String policyName;
        private VmProfile profile;
        private final Map<String, String> policyParams = new LinkedHashMap<>();
        private StreamListener listener = new StreamListener() {
        };
        private long maxQueueBytes;
        private MemoryProbe memory;
        private BufferAllocator allocator;
        private LongSupplier nanoClock = System::nanoTime;
        private long pollMillis = 10;
        private long stallMillis = 30_000;
        private StallAction stallAction = StallAction.CONTINUE;
        private long releaseWaitMillis = DEFAULT_RELEASE_WAIT_MILLIS;
        private long idlePauseMillis = 1_000;

        private Builder(String type, SourceConfig config, StreamingSource source) {
            this.type = type;
            this.config = config;
            this.source = source;
        }

        public Builder registry(SourceRegistry r) {
            this.registry = Objects.requireNonNull(r);
            return this;
        }

        /** The memory budget (whole process), bytes. */
        public Builder memoryLimit(long bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("memory limit must be positive");
            this.memoryLimitBytes = bytes;
            return this;
        }

        /** The memory budget as text, e.g. {@code 600MB}. */
        public Builder memoryLimit(String size) {
            return memoryLimit(ByteSize.parse(size));
        }

        /** Overrides the hard cap on Arrow memory (default derived from the budget, see {@link DataLimit}). */
        public Builder dataLimit(long bytes) {
            this.dataLimitBytes = bytes;
            return this;
        }

        /** The initial chunk size in rows. */
        public Builder chunkSize(int rows) {
            if (rows <= 0) throw new IllegalArgumentException("chunk size must be positive");
            this.chunkSizeRows = rows;
            return this;
        }

        public Builder prefetch(boolean on) {
            this.prefetch = on;
            return this;
        }

        public Builder parallel(boolean on) {
            this.parallel = on;
            return this;
        }

        /** Reader threads for parallel reading (default: available processors). */
        public Builder parallelism(int threads) {
            if (threads <= 0) throw new IllegalArgumentException("parallelism must be positive");
            this.parallelism = threads;
            return this;
        }

        /** Whether chunks come out in source order (default) or as soon as any reader has one. */
        public Builder ordered(boolean on) {
            this.ordered = on;
            return this;
        }

        /**
         * Sizes the stream for a VM profile (see {@link VmProfile}): its recommended memory limit unless a limit is
         * set here or in the config; its recommended policy with its parameters ({@link VmProfile#policy()}) unless
         * {@link #policy} names one (then that policy's own defaults), parameters set here winning; and its min and
         * max chunk sizes as the policy's clamps unless set as policy parameters.
         */
        public Builder profile(VmProfile p) {
            this.profile = Objects.requireNonNull(p);
            return this;
        }

        /** {@link #profile(VmProfile)} by name or alias, e.g. {@code B1s}. */
        public Builder profile(String nameOrAlias) {
            return profile(VmProfile.load(nameOrAlias));
        }

        /** The chunk-size policy by registered name (default: the profile's recommended one, else {@code guide}). */
        public Builder policy(String name) {
            this.policyName = Objects.requireNonNull(name);
            return this;
        }

        /** One policy or gate parameter, e.g. {@code shrink_above=0.75}, {@code pause_above=0.85}. */
        public Builder policyParam(String key, String value) {
            policyParams.put(key, value);
            return this;
        }

        public Builder policyParams(Map<String, String> params) {
            policyParams.putAll(params);
            return this;
        }

        public Builder listener(StreamListener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        /** Bound on bytes of chunks read ahead and not yet taken (default: a quarter of the budget). */
        public Builder maxQueueBytes(long bytes) {
            this.maxQueueBytes = bytes;
            return this;
        }

        /** Replaces the memory monitor (tests, simulations). */
        public Builder memoryProbe(MemoryProbe probe) {
            this.memory = Objects.requireNonNull(probe);
            return this;
        }

        /** Builds chunks from the caller's allocator (closed by the caller after the stream). */
        public Builder allocator(BufferAllocator a) {
            this.allocator = Objects.requireNonNull(a);
            return this;
        }

        /** The clock the policy sees (tests). */
        public Builder nanoClock(LongSupplier clock) {
            this.nanoClock = Objects.requireNonNull(clock);
            return this;
        }

        /** How often a paused reader re-reads memory when no chunk is released (default 10 ms). */
        public Builder pausePollMillis(long millis) {
            this.pollMillis = Math.max(1, millis);
            return this;
        }

        /** How long memory may stay above the resume mark before {@link StallAction} applies (default 30 s). */
        public Builder stallTimeoutMillis(long millis, StallAction action) {
            this.stallMillis = Math.max(0, millis);
            this.stallAction = Objects.requireNonNull(action);
            return this;
        }

        /**
         * How long a pause lasts at most while no chunk of this stream is held (queued or with the consumer): memory
         * the stream does not hold cannot fall by pausing, so after this grace it reads on at the policy's size
         * (default 1 s; counted as {@code idle_pause_resumes}).
         */
        public Builder idlePauseMillis(long millis) {
            this.idlePauseMillis = Math.max(0, millis);
            return this;
        }

        /**
         * How long a reader that hit the data limit waits for a chunk held elsewhere (queued, or with the consumer) to
         * be released before it shrinks the chunk instead (default 1 s). Longer suits consumers that hold chunks for
         * long; shorter ones that hold the current chunk until they get the next.
         */
        public Builder releaseWaitMillis(long millis) {
            this.releaseWaitMillis = Math.max(0, millis);
            return this;
        }

        public AdaptiveStream build() {
            return new AdaptiveStream(this);
        }
    }
}
