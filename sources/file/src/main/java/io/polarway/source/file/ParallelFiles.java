package io.polarway.source.file;

import io.polarway.api.SourceContext;
import io.polarway.error.IoException;
import io.polarway.error.PolarwayException;
import io.polarway.memory.MemoryProbe;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.memory.ArrowBuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads several files at once for a {@link FileSource} read directly with {@code parallel} on: up to
 * {@code max_concurrency} threads each take the next file and cut it into chunks of the size last asked for, which
 * wait in a queue bounded in bytes (a quarter of the memory budget) until the consumer takes them. With {@code ordered}
 * (the default) chunks come out file by file in the files' order; otherwise as soon as any file has one.
 *
 * <p>Readers also hold back while the memory probe reads above 90 % of the budget (until it falls below 70 %, or the
 * queue drains), so read-ahead never pushes the process towards its limit — all but the reader of the file the
 * consumer needs next while none of its chunks is queued: holding that one back too would leave the consumer waiting
 * for a chunk that no reader may produce, a deadlock for as long as the pressure lasts. A chunk read at an older,
 * larger size than the consumer now asks for is split, the rest carried over to the next call.
 *
 * <p>Counters (in the source's stats, live): {@code parallel_queue_limit_bytes} (the bound),
 * {@code parallel_queue_peak_bytes} (the most bytes queued at once), {@code parallel_queue_waits} (times a reader
 * found no room for its chunk, re-checks included) and {@code parallel_memory_pauses} (reads held back by memory pressure).
 *
 * <p>The consumer side ({@link #next}) is called by one thread; {@link #close} stops and joins the readers.
 */
final class ParallelFiles implements AutoCloseable {
    private static final double PAUSE_ABOVE = 0.90;
    private static final double RESUME_BELOW = 0.70;

    private final FileSource source;
    private final List<FileEntry> files;
    private final MemoryProbe memory;
    private final boolean ordered;
    private final long maxQueuedBytes;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger nextFile = new AtomicInteger();
    private volatile int targetRows;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final List<ArrayDeque<Queued>> queues = new ArrayList<>();
    private final boolean[] finished;
    private int head;
    private int finishedCount;
    private long queuedBytes;
    private long peakQueuedBytes;
    private Throwable failure;
    private boolean cancelled;
    private VectorSchemaRoot carry;
    private int carryOffset;

    private record Queued(VectorSchemaRoot root, long bytes) {
    }

    ParallelFiles(FileSource source, List<FileEntry> files, FileSettings settings, SourceContext context,
                  int initialRows) {
        this.source = source;
        this.files = files;
        this.memory = context.memory();
        this.ordered = settings.ordered();
        long budget = memory.budgetBytes();
        this.maxQueuedBytes = budget > 0 ? Math.max(1, budget / 4) : 256L << 20;
        source.recorder().count("parallel_queue_limit_bytes", maxQueuedBytes);
        this.targetRows = initialRows;
        this.finished = new boolean[files.size()];
        for (int i = 0; i < (ordered ? files.size() : 1); i++) queues.add(new ArrayDeque<>());
        int workers = settings.maxConcurrency() > 0 ? settings.maxConcurrency()
                : Runtime.getRuntime().availableProcessors();
        workers = Math.max(1, Math.min(workers, files.size()));
        for (int t = 0; t < workers; t++) {
            Thread th = new Thread(this::work, "polarway-file-reader-" + t);
            th.setDaemon(true);
            threads.add(th);
        }
        threads.forEach(Thread::start);
    }

    private void work() {
        try {
            for (int i; (i = nextFile.getAndIncrement()) < files.size(); ) {
                if (isCancelled()) return;
                readFile(i);
                finish(i);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void readFile(int index) throws InterruptedException {
        FileEntry file = files.get(index);
        BufferAllocator alloc = source.readAllocator();
        try (BatchCursor cursor = source.cursorFor(file); ChunkAssembler assembler = new ChunkAssembler()) {
            if (cursor.schema() != null) source.checkSchema(cursor.schema(), file);
            boolean more = true;
            while (more) {
                int rows = targetRows;
                while (more && assembler.pendingRows() < rows) {
                    awaitMemory(index);
                    VectorSchemaRoot batch = cursor.next(alloc, (int) Math.max(1, rows - assembler.pendingRows()));
                    if (batch == null) more = false;
                    else assembler.add(source.conform(batch, file));
                }
                while (assembler.pendingRows() >= rows || (!more && assembler.pendingRows() > 0)) {
                    VectorSchemaRoot chunk = assembler.take(rows, source.target(), alloc);
                    if (!put(index, chunk)) return;
                }
            }
            source.recorder().count("files_read", 1);
        }
    }

    private static long bytesOf(VectorSchemaRoot root) {
        long total = 0;
        for (FieldVector v : root.getFieldVectors()) {
            for (ArrowBuf b : v.getBuffers(false)) total += b.capacity();
        }
        return total;
    }

    private boolean isCancelled() {
        lock.lock();
        try {
            return cancelled || failure != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds the reader of {@code file} back while memory is high and something is queued (so the consumer can relieve
     * it), unless the consumer is waiting for this very file.
     */
    private void awaitMemory(int file) throws InterruptedException {
        if (memory.sample().pressure() < PAUSE_ABOVE) return;
        lock.lockInterruptibly();
        try {
            boolean paused = false;
            while (!cancelled && failure == null && queuedBytes > 0 && !neededNext(file)
                    && memory.sample().pressure() >= RESUME_BELOW) {
                if (!paused) source.recorder().count("parallel_memory_pauses", 1);
                paused = true;
                notFull.await(10, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean put(int file, VectorSchemaRoot root) throws InterruptedException {
        long bytes = bytesOf(root);
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            // close() interrupts the readers: a chunk on its way into the queue is this reader's to free
            root.close();
            throw e;
        }
        try {
            ArrayDeque<Queued> q = queues.get(ordered ? file : 0);
            // a chunk waits while the queue is over its bound, except the one the consumer needs next
            while (!cancelled && failure == null && queuedBytes > 0 && queuedBytes + bytes > maxQueuedBytes
                    && !neededNext(file)) {
                // every time the reader finds no room, re-checks after a take included: a take that frees too little
                // for this chunk still shows as a wait, so the counter tells when readers are held by the bound
                source.recorder().count("parallel_queue_waits", 1);
                notFull.await();
            }
            if (cancelled || failure != null) {
                root.close();
                return false;
            }
            q.addLast(new Queued(root, bytes));
            queuedBytes += bytes;
            if (queuedBytes > peakQueuedBytes) {
                source.recorder().count("parallel_queue_peak_bytes", queuedBytes - peakQueuedBytes);
                peakQueuedBytes = queuedBytes;
            }
            notEmpty.signalAll();
            return true;
        } catch (InterruptedException e) {
            root.close();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the consumer waits for a chunk of {@code file} that is not queued yet. Under the lock. */
    private boolean neededNext(int file) {
        return ordered && file == head && queues.get(file).isEmpty();
    }

    private void finish(int file) {
        lock.lock();
        try {
            if (!finished[file]) {
                finished[file] = true;
                finishedCount++;
            }
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void fail(Throwable t) {
        lock.lock();
        try {
            if (failure == null) failure = t;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next chunk of at most {@code maxRows} rows in {@code allocator}, or null after the last file. */
    VectorSchemaRoot next(BufferAllocator allocator, int maxRows) {
        targetRows = maxRows;
        if (carry == null) {
            carry = take();
            carryOffset = 0;
            if (carry == null) return null;
        }
        int rows = carry.getRowCount() - carryOffset;
        if (carryOffset == 0 && rows <= maxRows) {
            VectorSchemaRoot out = Batches.transfer(carry, allocator);
            carry.close();
            carry = null;
            return out;
        }
        int n = Math.min(rows, maxRows);
        VectorSchemaRoot out = Batches.slice(carry, carryOffset, n, allocator);
        carryOffset += n;
        if (carryOffset == carry.getRowCount()) {
            carry.close();
            carry = null;
        }
        return out;
    }

    private VectorSchemaRoot take() {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IoException("interrupted while waiting for a file reader", null, e);
        }
        try {
            while (true) {
                Queued q = null;
                if (ordered) {
                    while (head < files.size() && queues.get(head).isEmpty() && finished[head]) {
                        head++;
                        notFull.signalAll();
                    }
                    if (head == files.size()) return null;
                    q = queues.get(head).pollFirst();
                } else {
                    q = queues.get(0).pollFirst();
                    if (q == null && finishedCount == files.size()) return null;
                }
                if (q != null) {
                    queuedBytes -= q.bytes;
                    notFull.signalAll();
                    return q.root;
                }
                if (failure != null) {
                    if (failure instanceof PolarwayException p) throw p;
                    if (failure instanceof RuntimeException r) throw r;
                    if (failure instanceof Error err) throw err;
                    throw new IoException("file reader failed: " + failure, null, failure);
                }
                notEmpty.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IoException("interrupted while waiting for a file reader", null, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            cancelled = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        lock.lock();
        try {
            for (ArrayDeque<Queued> q : queues) {
                for (Queued c; (c = q.pollFirst()) != null; ) c.root.close();
            }
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        if (carry != null) {
            carry.close();
            carry = null;
        }
    }
}
