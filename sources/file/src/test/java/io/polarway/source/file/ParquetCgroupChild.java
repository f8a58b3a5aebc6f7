package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.memory.MemoryMonitor;
import io.polarway.memory.MemorySnapshot;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.vector.BigIntVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link ParquetCgroupTest}: streams a Parquet file through the file source with the adaptive stream
 * and prints, on stdout, one JSON line per sample (every 200 ms, from a sampler thread: rows so far, the working set the
 * monitor sees, RSS anonymous memory, the native default pool, Arrow Java) and a last JSON line with the totals: rows,
 * the sum of ids, chunks, the highest working set seen and the signal it came from.
 *
 * <p>A watchdog halts the JVM with exit status {@value #HUNG_EXIT} (after printing every thread's stack on stderr)
 * if the stream has not finished within the deadline given as the second argument, so a hang in native code ends as
 * a clear failure instead of a stuck build.
 */
public final class ParquetCgroupChild {
    /** Exit status when the deadline passed. */
    static final int HUNG_EXIT = 86;

    private ParquetCgroupChild() {
    }

    public static void main(String[] args) throws Exception {
        String file = args[0];
        long deadlineSeconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(deadlineSeconds);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("deadline of " + deadlineSeconds + " s passed; threads:");
            Thread.getAllStackTraces().forEach((t, st) -> {
                System.err.println(t);
                for (StackTraceElement e : st) System.err.println("    at " + e);
            });
            System.err.flush();
            Runtime.getRuntime().halt(HUNG_EXIT);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        long rows = 0;
        long idSum = 0;
        long chunks = 0;
        long peakWorkingSet = 0;
        String signal = "?";
        long t0 = System.nanoTime();
        try (AdaptiveStream stream = AdaptiveStream.builder("file", SourceConfig.of(file).withChunkSize(20_000))
                .build()) {
            MemoryMonitor monitor = (MemoryMonitor) stream.memory();
            long[] progress = new long[1];
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    MemorySnapshot s = monitor.sample();
                    System.out.printf(Locale.ROOT, "{\"t\":%.2f,\"rows\":%d,\"working_set\":%d,\"rss_anon\":%d,"
                                    + "\"native_default\":%d,\"native_budget\":%d,\"arrow\":%d}%n",
                            (System.nanoTime() - t0) / 1e9, progress[0], s.workingSetBytes(), rssAnon(),
                            NativeMemoryPool.getDefault().getBytesAllocated(), s.nativePoolBytes(),
                            s.arrowAllocatedBytes());
                    try {
                        TimeUnit.MILLISECONDS.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                for (Chunk chunk : stream) {
                    try (chunk) {
                        BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                        for (int i = 0; i < chunk.rowCount(); i++) idSum += id.get(i);
                        rows += chunk.rowCount();
                        progress[0] = rows;
                        chunks++;
                    }
                    MemorySnapshot s = monitor.sample();
                    peakWorkingSet = Math.max(peakWorkingSet, s.workingSetBytes());
                    signal = s.signal();
                }
            } finally {
                sampler.interrupt();
                sampler.join(5_000);
            }
        }
        System.out.println("{\"rows\":" + rows + ",\"id_sum\":" + idSum + ",\"chunks\":" + chunks
                + ",\"peak_working_set\":" + peakWorkingSet + ",\"signal\":\"" + signal + "\"}");
        System.out.flush();
        watchdog.interrupt();
    }

    /** RssAnon of this process in bytes (anonymous memory: what cannot be dropped like page cache), or -1. */
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
        return -1;
    }
}
