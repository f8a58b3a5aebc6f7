package io.polarway.bench.scenario;

import io.polarway.memory.CgroupMemory;
import io.polarway.memory.MemoryProbe;
import io.polarway.memory.MemorySnapshot;
import io.polarway.stream.ChunkEvent;
import io.polarway.stream.StreamListener;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Records a scenario run over time — memory samples, chunk sizes, pauses — as JSON lines, flushed as it goes so that a
 * run the kernel OOM-kills still leaves its timeline up to the kill. Lines (times in ms since the start):
 * <pre>
 * {"k":"s","t":12.5,"ws":123456,"cg":234567,"proc":111111,"arrow":2222,"heap":3333,"rows":5000,"paused":0}
 *                                                                                       memory sample
 * {"k":"c","t":13.1,"ask":5000,"rows":5000,"bytes":650000,"ns":1200000,"ws":123456,"arrow":2222,"next":6250,
 *  "act":"GROW"}                                                                        chunk read
 * {"k":"p","t":20.0}  pause          {"k":"r","t":31.0,"ms":11.0}  resume
 * </pre>
 * {@code ws} is what the policy sees (the stream's signal), {@code cg} the group's working set as the kernel counts
 * it (usage − inactive file), {@code proc} the process's RssAnon + RssShmem, {@code heap} the committed Java heap.
 * A chunk line has the rows asked ({@code ask}) and read, its Arrow bytes, its read time ({@code ns}) and the memory
 * the policy saw after it. These are the traces the policy simulator ({@code io.polarway.bench.sim}) replays.
 * Thread-safe; the sampler runs on its own daemon thread every {@code periodMillis}.
 */
public final class Timeline implements StreamListener, AutoCloseable {
    private final BufferedWriter out;
    private final long startNanos = System.nanoTime();
    private final CgroupMemory cgroup = CgroupMemory.detect();
    private final AtomicInteger chunkRows = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong peakSignal = new AtomicLong(-1);
    private final AtomicLong peakCgroup = new AtomicLong(-1);
    private final AtomicLong peakProcess = new AtomicLong(-1);
    private final AtomicLong pauses = new AtomicLong();
    private volatile MemoryProbe probe;
    private volatile boolean closed;
    private final Thread sampler;

    public Timeline(Path file, long periodMillis) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write timeline " + file, e);
        }
        sampler = new Thread(() -> {
            while (!closed) {
                sample();
                LockSupport.parkNanos(periodMillis * 1_000_000L);
            }
        }, "timeline-sampler");
        sampler.setDaemon(true);
    }

    /** Starts sampling {@code memory} (the stream's probe). */
    public void start(MemoryProbe memory) {
        this.probe = memory;
        sampler.start();
    }

    private double t() {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private void sample() {
        MemoryProbe p = probe;
        if (p == null) return;
        MemorySnapshot m = p.sample();
        long cg = cgroup.limitBytes() > 0 ? cgroup.workingSetBytes() : -1;
        peakSignal.accumulateAndGet(m.workingSetBytes(), Math::max);
        peakCgroup.accumulateAndGet(cg, Math::max);
        peakProcess.accumulateAndGet(m.processAnonBytes(), Math::max);
        line(String.format(Locale.ROOT, "{\"k\":\"s\",\"t\":%.1f,\"ws\":%d,\"cg\":%d,\"proc\":%d,\"arrow\":%d,"
                        + "\"heap\":%d,\"rows\":%d,\"paused\":%d}", t(), m.workingSetBytes(), cg,
                m.processAnonBytes(), m.arrowAllocatedBytes(), m.heapCommittedBytes(), chunkRows.get(),
                paused.get() ? 1 : 0));
    }

    @Override
    public void onChunk(ChunkEvent e) {
        chunkRows.set(e.decision().chunkRows());
        peakSignal.accumulateAndGet(e.memory().workingSetBytes(), Math::max);
        line(String.format(Locale.ROOT, "{\"k\":\"c\",\"t\":%.1f,\"ask\":%d,\"rows\":%d,\"bytes\":%d,\"ns\":%d,"
                        + "\"ws\":%d,\"arrow\":%d,\"next\":%d,\"act\":\"%s\"}", t(), e.requestedRows(), e.rows(),
                e.bytes(), e.readNanos(), e.memory().workingSetBytes(), e.memory().arrowAllocatedBytes(),
                e.decision().chunkRows(), e.decision().action()));
    }

    @Override
    public void onPause(MemorySnapshot memory) {
        paused.set(true);
        pauses.incrementAndGet();
        line(String.format(Locale.ROOT, "{\"k\":\"p\",\"t\":%.1f}", t()));
    }

    @Override
    public void onResume(MemorySnapshot memory, long pausedNanos) {
        paused.set(false);
        line(String.format(Locale.ROOT, "{\"k\":\"r\",\"t\":%.1f,\"ms\":%.1f}", t(), pausedNanos / 1e6));
    }

    /** The chunk size in force before the first chunk (the policy's clamped initial size). */
    public void initialChunkRows(int rows) {
        chunkRows.compareAndSet(0, rows);
    }

    private synchronized void line(String s) {
        if (closed) return;
        try {
            out.write(s);
            out.write('\n');
            out.flush(); // a killed run keeps what it wrote
        } catch (IOException e) {
            closed = true;
        }
    }

    /** Highest working set the stream's signal showed (sampled and per chunk). */
    public long peakSignalBytes() {
        return peakSignal.get();
    }

    /** Highest working set of the cgroup (kernel view, minus inactive file), -1 outside a limited group. */
    public long peakCgroupBytes() {
        return peakCgroup.get();
    }

    /** Highest RssAnon + RssShmem of this process. */
    public long peakProcessBytes() {
        return peakProcess.get();
    }

    public long pauses() {
        return pauses.get();
    }

    @Override
    public void close() {
        sample();
        closed = true;
        sampler.interrupt();
        synchronized (this) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the timeline is best effort
            }
        }
    }
}
