package io.polarway.bench.sim;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a simulated stream reads, how its consumer behaves and what memory it runs in: the model the
 * {@link Simulator} runs policies against. Built from a scenario and a VM profile ({@link Workloads#of}), calibrated
 * from a recorded run ({@link Calibration}), or synthetic ({@link Workloads#synthetic}). Immutable.
 *
 * <h2>Memory model</h2>
 * The working set the policy sees and the kernel compares with the limit is
 * {@code nonArrowBytes + heapResident + arrowResident}, where (Arrow counted as resident: what is written, times
 * {@code residentShare}, at most what is allocated)
 * <ul>
 *   <li>{@code heapResident = min(heapMaxBytes, heapStartBytes + heapGrowth × HWM(consumer heap live))}: a Java heap
 *       that grows with the consumer's objects (and the garbage between collections) and is not given back;</li>
 *   <li>{@code arrowResident = max(arrow allocated now, mallocRetention × HWM(arrow allocated))}: Arrow buffers come
 *       from malloc, and glibc keeps most freed memory in its arenas, so the process stays near its past peak;</li>
 *   <li>{@code HWM} is the high-water mark so far.</li>
 * </ul>
 *
 * @param name             a label, e.g. {@code steady-generate@B1s}
 * @param rows             rows to stream
 * @param widths           bytes per row (Arrow) along the stream
 * @param readOverheadNanos CPU time per chunk read, at full speed
 * @param readNanosPerRow  CPU time per row read, at full speed
 * @param readNanosPerByte CPU time per Arrow byte read, at full speed
 * @param chunkOverheadNanos CPU time the reader spends per chunk besides the read: the memory samples before and
 *                         after it, the policy, the queue (on a loaded machine, also what other threads take)
 * @param startupNanos     time from opening the stream to the first read (opening the source, class loading)
 * @param readLatencyNanos wall time each read waits before it computes (a remote source's round trip), using no CPU
 * @param splits           splits the source has (parallel reading reads several at once)
 * @param readers          reader threads (1 unless parallel)
 * @param prefetch         read ahead on background threads (else the consumer's thread reads on demand)
 * @param ordered          chunks reach the consumer in split order
 * @param maxQueueBytes    bound of the read-ahead queue
 * @param consumer         what the consumer does with chunks
 * @param cpuCores         CPU the process may use (the profile's quota)
 * @param budgetBytes      the memory budget the policy and the gate measure against
 * @param limitBytes       the cgroup limit: a working set above it is an OOM kill
 * @param guards           the engine's data limit and gate on (off: neither)
 * @param nonArrowBytes    the process's memory that is neither Arrow nor the consumer's heap (JVM, metaspace, code)
 * @param heapStartBytes   committed Java heap at the start
 * @param heapMaxBytes     -Xmx
 * @param heapGrowth       heap committed per byte of consumer heap live (garbage between collections)
 * @param mallocRetention  share of the Arrow high-water mark the process keeps after freeing
 * @param residentShare    resident Arrow bytes per byte written ({@link RowWidths#residentBytes}), at most the bytes
 *                         allocated: 1 when only what is written is resident (Arrow rounds buffers up and never
 *                         touches the tail); more when malloc hands out memory touched before
 * @param initialChunkRows the stream's initial chunk size
 * @param releaseWaitNanos how long a reader at the data limit waits for a release before shrinking
 * @param stallNanos       how long a paused reader waits before resuming at the smallest size
 */
public record Workload(String name, long rows, RowWidths widths, long readOverheadNanos, double readNanosPerRow,
                       double readNanosPerByte, long chunkOverheadNanos, long startupNanos, long readLatencyNanos,
                       int splits, int readers, boolean prefetch, boolean ordered,
                       long maxQueueBytes, Consumer consumer, double cpuCores, long budgetBytes, long limitBytes,
                       boolean guards, long nonArrowBytes, long heapStartBytes, long heapMaxBytes, double heapGrowth,
                       double mallocRetention, double residentShare, int initialChunkRows, long releaseWaitNanos,
                       long stallNanos) {

    public Workload {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(widths, "widths");
        Objects.requireNonNull(consumer, "consumer");
        if (rows < 1) throw new IllegalArgumentException("rows must be positive");
        if (splits < 1 || readers < 1) throw new IllegalArgumentException("splits and readers must be positive");
        if (!(cpuCores > 0)) throw new IllegalArgumentException("cpuCores must be positive");
        if (budgetBytes <= 0 || limitBytes <= 0) throw new IllegalArgumentException("budget and limit must be positive");
        if (mallocRetention < 0 || mallocRetention > 1) throw new IllegalArgumentException("mallocRetention in [0, 1]");
        if (!(residentShare >= 1 && residentShare <= 10)) throw new IllegalArgumentException("residentShare in [1, 10]");
        if (initialChunkRows < 1) throw new IllegalArgumentException("initialChunkRows must be positive");
    }

    /**
     * The consumer, as the bench scenarios model it: {@code workers} threads; at most {@code windowChunks} chunks
     * handed to them at once (the thread that hands them out holds one more while it waits for room); each row costs
     * {@code workNanosPerRow} of busy CPU (wall time, spinning); a sink then drains {@code sinkBytesPerSecond} per
     * worker (sleeping, holding the chunk); the last {@code retainChunks} processed chunks stay open; each chunk in
     * hand costs {@code heapBytesPerRow} of Java heap per row.
     */
    public record Consumer(int workers, int windowChunks, double workNanosPerRow, double sinkBytesPerSecond,
                           int retainChunks, int heapBytesPerRow) {
        public Consumer {
            if (workers < 1 || windowChunks < 1) throw new IllegalArgumentException("workers and window >= 1");
            if (retainChunks < 0 || heapBytesPerRow < 0 || workNanosPerRow < 0 || sinkBytesPerSecond < 0) {
                throw new IllegalArgumentException("consumer figures must not be negative");
            }
        }
    }

    /**
     * Arrow bytes of a chunk, by row count, piecewise along the stream: from row {@code startRow[i]} on (counted over
     * the whole stream, in split order) a chunk of {@code n} rows holds one buffer per entry of {@code buffers[i]},
     * each {@code ceil(n × bytesPerRow)} bytes — rounded up to a power of two below 16 MiB when {@code arrowRounding}
     * (Arrow's allocator and vectors do: a 5 000-row chunk of 1 972-byte strings holds a 16 MiB data buffer, not
     * 9.9 MB), as allocated otherwise. The segment at a chunk's first row sizes the whole chunk.
     */
    public record RowWidths(long[] startRow, double[][] buffers, boolean arrowRounding) {
        static final long ROUNDING_LIMIT = 16L << 20;

        public RowWidths {
            if (startRow.length == 0 || startRow.length != buffers.length || startRow[0] != 0) {
                throw new IllegalArgumentException("widths need matching arrays starting at row 0");
            }
            startRow = startRow.clone();
            double[][] copy = new double[buffers.length][];
            for (int i = 0; i < buffers.length; i++) {
                if (buffers[i].length == 0) throw new IllegalArgumentException("a segment needs a buffer");
                copy[i] = buffers[i].clone();
            }
            buffers = copy;
        }

        /** One buffer of {@code bytesPerRow} per row, not rounded. */
        public static RowWidths linear(double bytesPerRow) {
            return new RowWidths(new long[] {0}, new double[][] {{bytesPerRow}}, false);
        }

        /** Arrow buffers of the given widths (bytes per row), rounded as Arrow rounds them. */
        public static RowWidths arrow(double... bufferBytesPerRow) {
            return new RowWidths(new long[] {0}, new double[][] {bufferBytesPerRow}, true);
        }

        /** These widths from row 0 and {@code then} (scaled by {@code factor}) from {@code fromRow} on. */
        public RowWidths thenScaled(long fromRow, double factor) {
            double[] last = buffers[buffers.length - 1];
            double[] scaled = new double[last.length];
            for (int i = 0; i < last.length; i++) scaled[i] = last[i] * factor;
            long[] s = Arrays.copyOf(startRow, startRow.length + 1);
            s[startRow.length] = fromRow;
            double[][] b = Arrays.copyOf(buffers, buffers.length + 1);
            b[buffers.length] = scaled;
            return new RowWidths(s, b, arrowRounding);
        }

        /**
         * Bytes of a chunk of {@code n} rows starting at row {@code from} that are written, hence resident: the
         * buffers without Arrow's rounding (the rounded-up tail of a buffer is allocated but never touched, so the
         * working set does not hold it).
         */
        public long residentBytes(long from, long n) {
            if (n <= 0) return 0;
            int i = Arrays.binarySearch(startRow, from);
            if (i < 0) i = -i - 2;
            long total = 0;
            for (double w : buffers[i]) total += (long) Math.ceil(n * w);
            return total;
        }

        /** Arrow bytes (allocated, rounded) of a chunk of {@code n} rows starting at row {@code from}. */
        public long bytes(long from, long n) {
            if (n <= 0) return 0;
            int i = Arrays.binarySearch(startRow, from);
            if (i < 0) i = -i - 2;
            long total = 0;
            for (double w : buffers[i]) {
                long b = (long) Math.ceil(n * w);
                if (arrowRounding && b > 1 && b < ROUNDING_LIMIT) b = Long.highestOneBit(b - 1) << 1;
                total += b;
            }
            return total;
        }

        /** Arrow bytes per row of a chunk of {@code n} rows at the start of the stream. */
        public double bytesPerRow(long n) {
            return (double) bytes(0, n) / Math.max(1, n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RowWidths w && Arrays.equals(startRow, w.startRow)
                    && Arrays.deepEquals(buffers, w.buffers) && arrowRounding == w.arrowRounding;
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(startRow) + Arrays.deepHashCode(buffers);
        }

        @Override
        public String toString() {
            double sum = 0;
            for (double w : buffers[0]) sum += w;
            return String.format(java.util.Locale.ROOT, "%.0f B/row in %d buffer(s)%s%s", sum, buffers[0].length,
                    arrowRounding ? ", Arrow rounding" : "", startRow.length > 1 ? ", " + startRow.length
                            + " segments" : "");
        }
    }

    /**
     * CPU time, at full speed, to read {@code rows} rows holding {@code bytes} Arrow bytes (what the engine reports
     * as a chunk's read time, when alone on a core).
     */
    public double readCpuNanos(long rows, long bytes) {
        return readOverheadNanos + rows * readNanosPerRow + bytes * readNanosPerByte;
    }

    /** A copy whose reads each wait {@code latencyNanos} first (a remote source's round trip). */
    public Workload withReadLatency(long latencyNanos) {
        return new Workload(name, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte,
                chunkOverheadNanos, startupNanos, latencyNanos, splits, readers, prefetch, ordered, maxQueueBytes,
                consumer, cpuCores, budgetBytes, limitBytes, guards, nonArrowBytes, heapStartBytes, heapMaxBytes,
                heapGrowth, mallocRetention, residentShare, initialChunkRows, releaseWaitNanos, stallNanos);
    }

    /** A copy with another per-chunk overhead and startup time. */
    public Workload withOverheads(long chunkOverhead, long startup) {
        return new Workload(name, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte, chunkOverhead,
                startup, readLatencyNanos, splits, readers, prefetch, ordered, maxQueueBytes, consumer, cpuCores, budgetBytes, limitBytes,
                guards, nonArrowBytes, heapStartBytes, heapMaxBytes, heapGrowth, mallocRetention, residentShare, initialChunkRows,
                releaseWaitNanos, stallNanos);
    }

    /** A copy with other figures for the consumer, the CPU and the memory limits (the same data on another VM). */
    public Workload withShape(Consumer c, double cores, long budget, long limit, long heapMax) {
        return new Workload(name, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte,
                chunkOverheadNanos, startupNanos, readLatencyNanos, splits, readers, prefetch, ordered, maxQueueBytes, c, cores, budget,
                limit, guards, nonArrowBytes, heapStartBytes, heapMax, heapGrowth, mallocRetention, residentShare, initialChunkRows,
                releaseWaitNanos, stallNanos);
    }

    /** A copy with another name. */
    public Workload named(String n) {
        return new Workload(n, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte, chunkOverheadNanos,
                startupNanos, readLatencyNanos, splits, readers,
                prefetch, ordered, maxQueueBytes, consumer, cpuCores, budgetBytes, limitBytes, guards, nonArrowBytes,
                heapStartBytes, heapMaxBytes, heapGrowth, mallocRetention, residentShare, initialChunkRows, releaseWaitNanos,
                stallNanos);
    }

    /** A copy with the read costs (not the per-chunk overhead) scaled by {@code factor}: a slower or faster machine. */
    public Workload withReadCostScaled(double factor) {
        return new Workload(name, rows, widths, Math.round(readOverheadNanos * factor), readNanosPerRow * factor,
                readNanosPerByte * factor, chunkOverheadNanos, startupNanos, readLatencyNanos, splits, readers, prefetch, ordered, maxQueueBytes, consumer, cpuCores,
                budgetBytes, limitBytes, guards, nonArrowBytes, heapStartBytes, heapMaxBytes, heapGrowth,
                mallocRetention, residentShare, initialChunkRows, releaseWaitNanos, stallNanos);
    }

    /** A copy with another resident share (resident Arrow bytes per byte written). */
    public Workload withResidentShare(double share) {
        return new Workload(name, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte,
                chunkOverheadNanos, startupNanos, readLatencyNanos, splits, readers, prefetch, ordered, maxQueueBytes, consumer, cpuCores,
                budgetBytes, limitBytes, guards, nonArrowBytes, heapStartBytes, heapMaxBytes, heapGrowth,
                mallocRetention, share, initialChunkRows, releaseWaitNanos, stallNanos);
    }

    /** A copy with other memory figures. */
    public Workload withMemory(long nonArrow, long heapStart, double growth, double retention) {
        return new Workload(name, rows, widths, readOverheadNanos, readNanosPerRow, readNanosPerByte,
                chunkOverheadNanos, startupNanos, readLatencyNanos, splits, readers,
                prefetch, ordered, maxQueueBytes, consumer, cpuCores, budgetBytes, limitBytes, guards, nonArrow,
                heapStart, heapMaxBytes, growth, retention, residentShare, initialChunkRows, releaseWaitNanos, stallNanos);
    }

    /** A copy with other read costs and row widths. */
    public Workload withReads(RowWidths w, long overheadNanos, double nanosPerRow, double nanosPerByte) {
        return new Workload(name, rows, w, overheadNanos, nanosPerRow, nanosPerByte, chunkOverheadNanos, startupNanos, readLatencyNanos,
                splits, readers, prefetch,
                ordered, maxQueueBytes, consumer, cpuCores, budgetBytes, limitBytes, guards, nonArrowBytes,
                heapStartBytes, heapMaxBytes, heapGrowth, mallocRetention, residentShare, initialChunkRows, releaseWaitNanos,
                stallNanos);
    }
}
