package io.polarway.source.objectstore;

import io.polarway.api.StatsRecorder;
import io.polarway.error.PolarwayException;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import org.apache.arrow.memory.ArrowBuf;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The bytes {@code [start, end)} of one object as a sequential stream, fetched as ranged parts of {@code partSize}
 * bytes, up to {@code window} of them at once on the fetch threads, each into a buffer reserved from the
 * {@link PartBudget} before its request goes out. Parts are handed to the reader strictly in order, so a record that
 * straddles two parts is simply read across them: nothing is lost or read twice at a part boundary.
 *
 * <p>Memory: one buffer of one part is reserved when the stream opens (that may fail with Arrow's
 * {@code OutOfMemoryException}, before anything is read) and reused for every part the reader has to wait for; more
 * parts are read ahead only while the budget grants buffers. So at most {@code window} parts are in flight, and
 * beyond the first one only within the budget's capacity.
 *
 * <p>One reading thread (the source's); fetches run on the executor. Failures of a part (after its retries) are
 * thrown from {@link #read} as the {@link PolarwayException} the fetcher raised. {@link #close()} cancels what is in
 * flight and releases every buffer once its fetch has stopped.
 */
final class PartStream extends InputStream {

    private final ObjectInfo object;
    private final long start;
    private final long end;
    private final long partSize;
    private final int window;
    private final PartBudget budget;
    private final RangeFetcher fetcher;
    private final Executor executor;
    private final StatsRecorder stats;
    private final ArrayDeque<Part> inFlight = new ArrayDeque<>();
    private ArrowBuf home;
    private boolean homeFree = true;
    private long nextStart;
    private Part current;
    private volatile boolean cancelled;
    private boolean closed;

    /** One ranged part: its bytes land in {@code buf}; {@code done} completes when all arrived, or with the failure. */
    private static final class Part {
        final long start;
        final long end;
        final ArrowBuf buf;
        final boolean home;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int position;
        int filled; // guarded by this: bytes arrived, always a prefix of the part (a retry resumes at the end)
        boolean released; // guarded by this

        Part(long start, long end, ArrowBuf buf, boolean home) {
            this.start = start;
            this.end = end;
            this.buf = buf;
            this.home = home;
        }

        int length() {
            return (int) (end - start);
        }
    }

    /**
     * @param window most parts in flight (read ahead included), at least 1
     * @throws org.apache.arrow.memory.OutOfMemoryException when not even one part's buffer fits the data limit
     */
    PartStream(ObjectInfo object, long start, long end, long partSize, int window, PartBudget budget,
               RangeFetcher fetcher, Executor executor, StatsRecorder stats) {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad range " + start + "-" + end);
        if (partSize <= 0 || partSize > Integer.MAX_VALUE) throw new IllegalArgumentException("bad part size " + partSize);
        this.object = object;
        this.start = start;
        this.end = end;
        this.partSize = partSize;
        this.window = Math.max(1, window);
        this.budget = budget;
        this.fetcher = fetcher;
        this.executor = executor;
        this.stats = stats;
        this.nextStart = start;
        if (end > start) this.home = budget.acquire(Math.min(partSize, end - start));
    }

    /** Submits parts, in order, while the window and the budget allow. */
    private void topUp() {
        while (nextStart < end && inFlight.size() < window) {
            long partEnd = Math.min(end, nextStart + partSize);
            ArrowBuf buf;
            boolean isHome;
            if (homeFree) {
                buf = home;
                isHome = true;
            } else {
                buf = budget.tryAcquire(partEnd - nextStart);
                isHome = false;
                if (buf == null) break;
            }
            homeFree &= !isHome;
            Part p = new Part(nextStart, partEnd, buf, isHome);
            inFlight.addLast(p);
            nextStart = partEnd;
            stats.count("parts_fetched", 1);
            try {
                executor.execute(() -> fetch(p));
            } catch (RuntimeException e) {
                p.done.completeExceptionally(e);
            }
        }
    }

    private void fetch(Part p) {
        try {
            fetcher.fetch(object, p.start, p.end, (offset, bytes, off, len) -> {
                // under the part's lock, so that close() never frees the buffer during a write
                synchronized (p) {
                    if (p.released) throw new ReadCancelledException();
                    p.buf.setBytes(offset, bytes, off, len);
                    p.filled = (int) Math.max(p.filled, offset + len);
                    p.notifyAll();
                }
            }, () -> cancelled, stats);
            p.done.complete(null);
        } catch (Throwable t) {
            p.done.completeExceptionally(t);
        }
        synchronized (p) {
            p.notifyAll();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        while (true) {
            if (current == null) {
                topUp();
                Part head = inFlight.peekFirst();
                if (head == null) return -1;
                current = head;
            }
            if (current.position >= current.length()) {
                finishCurrent();
                continue;
            }
            // the bytes of the head part are read as they arrive, not only once the whole part is in
            int left = awaitBytes(current);
            if (left > 0) {
                int n = Math.min(len, left);
                current.buf.getBytes(current.position, b, off, n);
                current.position += n;
                stats.addBytesRead(n);
                return n;
            }
            throw new IllegalStateException("part " + current.start + "-" + (current.end - 1) + " of "
                    + object.key() + " ended at " + current.position + " of " + current.length() + " bytes");
        }
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        byte[] scratch = new byte[(int) Math.min(64 * 1024, Math.max(1, n))];
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) break;
            skipped += r;
        }
        return skipped;
    }

    /** Waits until part {@code p} has bytes past the read position (or failed); returns how many. */
    private int awaitBytes(Part p) throws IOException {
        synchronized (p) {
            while (p.filled <= p.position && !p.done.isDone()) {
                try {
                    p.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for bytes " + p.start + "-"
                            + (p.end - 1));
                }
            }
            if (p.filled > p.position) return p.filled - p.position;
        }
        await(p); // done: rethrows its failure
        synchronized (p) {
            return p.filled - p.position;
        }
    }

    private void await(Part p) throws IOException {
        try {
            p.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for bytes " + p.start + "-" + (p.end - 1));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PolarwayException pe) throw pe;
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IOException(cause);
        }
    }

    private void finishCurrent() {
        Part done = inFlight.pollFirst();
        if (done != current) throw new IllegalStateException("parts out of order");
        release(done);
        current = null;
        topUp();
    }

    private void release(Part p) {
        if (p.home) homeFree = true;
        else budget.release(p.buf);
    }

    /** Bytes of the range not yet handed to the reader. */
    long remainingBytes() {
        long unread = end - nextStart;
        for (Part p : inFlight) unread += p.length() - p.position;
        return unread;
    }

    /**
     * Cancels the fetches in flight and releases every buffer now: a fetch still running finds its part released
     * (under the part's lock) and stops without writing; its connection is aborted or drained by the SDK in the
     * background.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cancelled = true;
        for (Part p; (p = inFlight.pollFirst()) != null; ) {
            synchronized (p) {
                p.released = true;
            }
            release(p);
        }
        current = null;
        if (home != null) {
            budget.release(home);
            home = null;
        }
    }

    /** The part was released (the stream closed) while its fetch ran. An IOException, so SDKs end the transfer. */
    static final class ReadCancelledException extends IOException {
        private static final long serialVersionUID = 1L;

        ReadCancelledException() {
            super("read cancelled", null);
        }
    }
}
