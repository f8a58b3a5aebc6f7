package io.polarway.bench.runner;

import io.polarway.memory.CgroupSandbox;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a cgroup's CPU quota from {@link CpuCredits} while a run is in progress: every second it sums the CPU time of
 * the group's processes ({@code /proc/PID/stat} utime + stime), feeds the model and writes the quota it returns.
 * Writes {@code cpu.jsonl} (time, cores used, credits, quota) for the report. A daemon thread; {@link #close()} stops it.
 */
final class CreditController implements AutoCloseable {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private final CgroupSandbox box;
    private final CpuCredits model;
    private final BufferedWriter log;
    private final Thread thread;
    private final Map<Long, Long> lastTicks = new HashMap<>();
    private volatile boolean stopped;
    private volatile boolean everThrottled;

    CreditController(CgroupSandbox box, CpuCredits model, Path logFile) throws IOException {
        this.box = box;
        this.model = model;
        this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        this.thread = new Thread(this::loop, "cpu-credits");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long start = System.nanoTime();
        long last = start;
        double quota = model.quotaCores();
        apply(quota);
        while (!stopped) {
            LockSupport.parkNanos(1_000_000_000L);
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            double used = usedSinceLast() / (double) CLOCK_TICKS_PER_SECOND;
            double next = model.onInterval(used, dt);
            if (model.throttled()) everThrottled = true;
            if (next != quota) {
                apply(next);
                quota = next;
            }
            try {
                log.write(String.format(Locale.ROOT, "{\"t\":%.1f,\"used\":%.3f,\"credits\":%.3f,\"quota\":%.2f}%n",
                        (now - start) / 1e6, used / dt, model.credits(), quota));
                log.flush();
            } catch (IOException ignored) {
                // the log is for the report only
            }
        }
    }

    private void apply(double cores) {
        try {
            box.setCpuQuota(cores);
        } catch (IOException | RuntimeException e) {
            stopped = true;
        }
    }

    /** CPU ticks the group's processes used since the last call. */
    private long usedSinceLast() {
        long total = 0;
        List<Long> pids = box.pids();
        for (long pid : pids) {
            long ticks = ticks(pid);
            if (ticks < 0) continue;
            Long before = lastTicks.put(pid, ticks);
            total += ticks - (before == null ? 0 : before);
        }
        lastTicks.keySet().retainAll(pids);
        return total;
    }

    /** utime + stime of a process, clock ticks; -1 if it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces: fields count from after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    boolean everThrottled() {
        return everThrottled;
    }

    double credits() {
        return model.credits();
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
            log.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
