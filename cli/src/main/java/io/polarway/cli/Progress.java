package io.polarway.cli;

import io.polarway.api.SourceStats;
import io.polarway.config.ByteSize;
import io.polarway.memory.MemorySnapshot;
import io.polarway.policy.ChunkDecision;
import io.polarway.stream.ChunkEvent;
import io.polarway.stream.StreamListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The live progress line on stderr and, with {@code --verbose}, one line per chunk and per pause.
 *
 * <p>The line ({@code 1,234,567 rows | 45.2 MB/s | 312.4 MiB / 600.0 MiB (52%) | chunk 10,000 rows | PAUSED}) is
 * redrawn in place with {@code \r} by a timer every {@value #REFRESH_MS} ms, never more often, and only when
 * {@code live} (stderr is a terminal and not {@code --quiet}). The timer, not the chunk events, drives the redraw so
 * that "PAUSED" shows while no chunk arrives. {@link #finish()} draws the final state and ends the line.
 *
 * <p>The stream calls the listener from its reading threads; every method is thread-safe.
 */
final class Progress implements StreamListener {
    static final long REFRESH_MS = 200;

    private final PrintStream err;
    private final boolean live;
    private final boolean verbose;
    private final long startNanos = System.nanoTime();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private volatile MemorySnapshot memory;
    private volatile boolean paused;
    private volatile int chunkSize;
    private volatile Supplier<SourceStats> stats;
    private ScheduledExecutorService ticker;
    private int drawnWidth;
    private boolean finished;

    Progress(PrintStream err, boolean live, boolean verbose) {
        this.err = err;
        this.live = live;
        this.verbose = verbose;
    }

    /** Starts the timer (when live); {@code stats} gives input bytes for MB/s. */
    synchronized void start(Supplier<SourceStats> stats, int initialChunkSize) {
        this.stats = stats;
        if (chunkSize == 0) chunkSize = initialChunkSize;
        if (!live || ticker != null || finished) return;
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "polarway-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::render, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onChunk(ChunkEvent e) {
        rows.addAndGet(e.rows());
        long n = chunks.incrementAndGet();
        if (e.memory() != null) memory = e.memory();
        ChunkDecision d = e.decision();
        chunkSize = d != null ? d.chunkRows() : e.requestedRows();
        if (verbose) {
            StringBuilder sb = new StringBuilder("chunk ").append(n);
            if (e.splitId() != null) sb.append(" [").append(e.splitId()).append(']');
            sb.append(": ").append(fmtCount(e.rows())).append(" rows (asked ").append(fmtCount(e.requestedRows()))
                    .append("), ").append(ByteSize.format(e.bytes())).append(" in ")
                    .append(String.format(Locale.ROOT, "%.1f ms", e.readNanos() / 1e6));
            if (d != null) {
                sb.append("; next ").append(fmtCount(d.chunkRows())).append(" rows: ").append(d.action());
                if (d.reason() != null && !d.reason().isBlank()) sb.append(" (").append(d.reason()).append(')');
            }
            if (e.memory() != null) sb.append("; ").append(memoryText(e.memory()));
            println(sb.toString());
        }
    }

    @Override
    public void onPause(MemorySnapshot s) {
        paused = true;
        if (s != null) memory = s;
        if (verbose) println("paused: " + (s != null ? memoryText(s) : "memory pressure"));
    }

    @Override
    public void onResume(MemorySnapshot s, long pausedNanos) {
        paused = false;
        if (s != null) memory = s;
        if (verbose) {
            println(String.format(Locale.ROOT, "resumed after %.1f ms%s", pausedNanos / 1e6,
                    s != null ? "; " + memoryText(s) : ""));
        }
    }

    @Override
    public void onMemoryLimitRetry(int failedRows, int retryRows) {
        chunkSize = retryRows;
        if (verbose) {
            println("memory limit hit reading " + fmtCount(failedRows) + " rows; retrying with " + fmtCount(retryRows));
        }
    }

    /** Stops the timer, draws the final state and ends the line. Idempotent. */
    void finish() {
        ScheduledExecutorService t;
        synchronized (this) {
            if (finished) return;
            finished = true;
            t = ticker;
            ticker = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (live) {
                draw();
                err.println();
                err.flush();
                drawnWidth = 0;
            }
        }
    }

    long rows() {
        return rows.get();
    }

    private synchronized void render() {
        if (!finished) draw();
    }

    private void draw() {
        String line = line();
        StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
        for (int i = line.length(); i < drawnWidth; i++) sb.append(' ');
        err.print(sb);
        err.flush();
        drawnWidth = line.length();
    }

    /** The progress line, without {@code \r}. */
    String line() {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        StringBuilder sb = new StringBuilder();
        sb.append(fmtCount(rows.get())).append(" rows");
        Supplier<SourceStats> s = stats;
        if (s != null) {
            try {
                sb.append(String.format(Locale.ROOT, " | %.1f MB/s", s.get().bytesRead() / 1e6 / seconds));
            } catch (RuntimeException ignored) {
                // stats unavailable (stream closing): leave the rate out
            }
        }
        MemorySnapshot m = memory;
        if (m != null) sb.append(" | ").append(memoryText(m));
        if (chunkSize > 0) sb.append(" | chunk ").append(fmtCount(chunkSize)).append(" rows");
        if (paused) sb.append(" | PAUSED");
        return sb.toString();
    }

    /** {@code 312.4 MiB / 600.0 MiB (52%)}. */
    static String memoryText(MemorySnapshot m) {
        String ws = m.workingSetBytes() >= 0 ? ByteSize.format(m.workingSetBytes()) : "?";
        if (m.budgetBytes() <= 0) return ws;
        return ws + " / " + ByteSize.format(m.budgetBytes())
                + String.format(Locale.ROOT, " (%d%%)", Math.round(m.pressure() * 100));
    }

    private static String fmtCount(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Prints a whole line, first clearing the progress line (the timer redraws it). */
    private synchronized void println(String text) {
        if (drawnWidth > 0) {
            err.print('\r' + " ".repeat(drawnWidth) + '\r');
            drawnWidth = 0;
        }
        err.println(text);
        err.flush();
    }
}
