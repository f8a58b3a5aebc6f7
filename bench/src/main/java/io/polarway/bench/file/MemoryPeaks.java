package io.polarway.bench.file;

import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of one benchmark operation, reported by JMH as auxiliary results (MB): the Java Arrow allocator's peak,
 * arrow-dataset's default native pool (every native allocation of the scanner, listenable pools and its read cache
 * included), and the process's anonymous resident memory (RssAnon: heap, JVM, malloc'ed Arrow buffers and native
 * pools, without file pages). Native and RSS are sampled every 5 ms by a daemon thread while the operation runs.
 * JMH adds EVENTS counters over the iteration's operations; with one long operation per iteration they read as
 * per-operation peaks (the documented runs use {@code -bm ss} or single-pass iterations).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class MemoryPeaks {
    public long arrowPeakMB;
    public long nativePeakMB;
    public long rssAnonPeakMB;

    private volatile boolean sampling;
    private volatile long nativePeak;
    private volatile long rssPeak;
    private Thread sampler;

    /** Starts sampling (native pool and RssAnon); call {@link #stop} with the Arrow peak when the operation ends. */
    public void start() {
        nativePeak = 0;
        rssPeak = 0;
        sampling = true;
        sampler = new Thread(() -> {
            while (sampling) {
                sample();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-peaks");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        long n = NativeMemoryPool.getDefault().getBytesAllocated();
        if (n > nativePeak) nativePeak = n;
        long r = rssAnon();
        if (r > rssPeak) rssPeak = r;
    }

    /** Stops sampling and records the peaks of this operation. */
    public void stop(long arrowPeakBytes) {
        sampling = false;
        try {
            sampler.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        arrowPeakMB = arrowPeakBytes >> 20;
        nativePeakMB = nativePeak >> 20;
        rssAnonPeakMB = rssPeak >> 20;
    }

    static long rssAnon() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("RssAnon:")) {
                    return Long.parseLong(line.substring(8).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return 0;
    }
}
