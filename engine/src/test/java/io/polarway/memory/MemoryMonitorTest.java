package io.polarway.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MemoryMonitorTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    @Test
    void realMonitorReportsSaneValues() {
        MemoryMonitor m = MemoryMonitor.create(0, null);
        MemorySnapshot s = m.sample();
        assertThat(s.physicalBytes()).isPositive();
        assertThat(s.budgetBytes()).isPositive().isLessThanOrEqualTo(s.physicalBytes()).isEqualTo(m.budgetBytes());
        assertThat(s.workingSetBytes()).isPositive();
        assertThat(s.signal()).isIn("cgroup-v1", "cgroup-v2", "process", "jvm");
        assertThat(s.heapUsedBytes()).isPositive();
        assertThat(s.heapCommittedBytes()).isGreaterThanOrEqualTo(s.heapUsedBytes());
        assertThat(s.arrowAllocatedBytes()).isZero();
        assertThat(s.nativePoolBytes()).isZero();
        assertThat(s.pressure()).isBetween(0.0, 1.0);
        if (isLinux()) {
            assertThat(s.processRssBytes()).isPositive();
            assertThat(s.processAnonBytes()).isPositive();
            if (s.cgroupLimitBytes() < 0) assertThat(s.signal()).isEqualTo("process");
        }
    }

    @Test
    void configuredLimitBelowEverythingIsTheBudget() {
        MemoryMonitor m = MemoryMonitor.create(600_000_000L, null);
        assertThat(m.budgetBytes()).isEqualTo(Math.min(600_000_000L, m.sample().budgetBytes()));
        assertThat(m.sample().budgetBytes()).isLessThanOrEqualTo(600_000_000L);
    }

    @Test
    void arrowAndNativePoolsAreReported() {
        try (BufferAllocator alloc = new RootAllocator(64 * MIB);
             ArrowBuf buf = alloc.buffer(3 * MIB)) {
            buf.setZero(0, buf.capacity());
            MemoryMonitor m = MemoryMonitor.create(0, alloc);
            m.registerNativePool("a", () -> 5 * MIB);
            m.registerNativePool("b", () -> 7 * MIB);
            m.registerNativePool("broken", () -> {
                throw new IllegalStateException("gone");
            });
            MemorySnapshot s = m.sample();
            assertThat(s.arrowAllocatedBytes()).isGreaterThanOrEqualTo(3 * MIB);
            assertThat(s.nativePoolBytes()).isEqualTo(12 * MIB);
            m.unregisterNativePool("a");
            assertThat(m.sample().nativePoolBytes()).isEqualTo(7 * MIB);
        }
    }

    @Test
    void cgroupLimitSelectsTheCgroupSignalAndBudget() throws IOException {
        Path g = fakeV1(256 * MIB, 200 * MIB, 150 * MIB);
        CgroupMemory cg = new CgroupMemory(procCgroup(), mountinfo(), tmp, 24 * GIB);
        MemoryMonitor m = new MemoryMonitor(0, null, cg, new ProcessMemory(status(90_000, 1_000)), 24 * GIB);
        MemorySnapshot s = m.sample();
        assertThat(s.signal()).isEqualTo("cgroup-v1");
        assertThat(s.budgetBytes()).isEqualTo(256 * MIB);
        assertThat(m.budgetBytes()).isEqualTo(256 * MIB);
        assertThat(s.cgroupLimitBytes()).isEqualTo(256 * MIB);
        assertThat(s.cgroupUsageBytes()).isEqualTo(200 * MIB);
        assertThat(s.workingSetBytes()).isEqualTo(50 * MIB).isEqualTo(s.cgroupWorkingSetBytes());
        assertThat(s.processAnonBytes()).isEqualTo(91_000L * 1024);
        assertThat(s.physicalBytes()).isEqualTo(24 * GIB);
        assertThat(s.pressure()).isEqualTo(50.0 / 256);

        // a smaller configured limit is the budget, and it is about this process: the signal is the process's own
        MemoryMonitor tighter = new MemoryMonitor(100 * MIB, null, cg, new ProcessMemory(status(1, 1)), 24 * GIB);
        assertThat(tighter.sample().budgetBytes()).isEqualTo(100 * MIB);
        assertThat(tighter.sample().signal()).isEqualTo("process");
        assertThat(tighter.sample().workingSetBytes()).isEqualTo(2L * 1024);
        // a configured limit above the cgroup's leaves the cgroup binding
        MemoryMonitor looser = new MemoryMonitor(512 * MIB, null, cg, new ProcessMemory(status(1, 1)), 24 * GIB);
        assertThat(looser.sample().signal()).isEqualTo("cgroup-v1");
        assertThat(looser.sample().budgetBytes()).isEqualTo(256 * MIB);

        // the limit is re-read at every sample
        Files.writeString(g.resolve("memory.limit_in_bytes"), Long.toString(128 * MIB));
        assertThat(m.sample().budgetBytes()).isEqualTo(128 * MIB);
        assertThat(m.budgetBytes()).isEqualTo(128 * MIB);
    }

    @Test
    void unlimitedCgroupUsesTheProcessSignal() throws IOException {
        fakeV1(9223372036854771712L, 200 * MIB, 150 * MIB);
        CgroupMemory cg = new CgroupMemory(procCgroup(), mountinfo(), tmp, 24 * GIB);
        MemoryMonitor m = new MemoryMonitor(0, null, cg, new ProcessMemory(status(90_000, 1_000)), 24 * GIB);
        MemorySnapshot s = m.sample();
        assertThat(s.signal()).isEqualTo("process");
        assertThat(s.workingSetBytes()).isEqualTo(91_000L * 1024);
        assertThat(s.budgetBytes()).isEqualTo(24 * GIB);
        assertThat(s.cgroupLimitBytes()).isEqualTo(-1);
        assertThat(s.cgroupWorkingSetBytes()).isEqualTo(50 * MIB);
    }

    @Test
    void unreadableCgroupWorkingSetFallsBackToProcessThenJvm() throws IOException {
        Path g = fakeV1(256 * MIB, 200 * MIB, 150 * MIB);
        Files.delete(g.resolve("memory.usage_in_bytes"));
        CgroupMemory cg = new CgroupMemory(procCgroup(), mountinfo(), tmp, 24 * GIB);
        MemoryMonitor m = new MemoryMonitor(0, null, cg, new ProcessMemory(status(90_000, 0)), 24 * GIB);
        assertThat(m.sample().signal()).isEqualTo("process");
        assertThat(m.sample().budgetBytes()).isEqualTo(256 * MIB);

        // non-Linux: no cgroup, no /proc
        CgroupMemory none = new CgroupMemory(tmp.resolve("x"), tmp.resolve("y"), tmp);
        MemoryMonitor jvm = new MemoryMonitor(0, null, none, new ProcessMemory(tmp.resolve("z")), 8 * GIB);
        jvm.registerNativePool("pool", () -> 10 * MIB);
        MemorySnapshot s = jvm.sample();
        assertThat(s.signal()).isEqualTo("jvm");
        assertThat(s.budgetBytes()).isEqualTo(8 * GIB);
        assertThat(s.workingSetBytes()).isGreaterThanOrEqualTo(s.heapUsedBytes() + 10 * MIB);
        assertThat(s.processRssBytes()).isEqualTo(-1);
        assertThat(s.cgroupLimitBytes()).isEqualTo(-1);
    }

    @Test
    void jsonHasSnakeCaseKeysAndRoundTrips() throws IOException {
        MemorySnapshot s = new MemorySnapshot(1, 2, 3, "cgroup-v1", 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        String json = MemoryMonitor.toJson(s);
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(json).doesNotContain("\n");
        assertThat(n.get("nano_time").asLong()).isEqualTo(1);
        assertThat(n.get("budget_bytes").asLong()).isEqualTo(2);
        assertThat(n.get("working_set_bytes").asLong()).isEqualTo(3);
        assertThat(n.get("signal").asText()).isEqualTo("cgroup-v1");
        assertThat(n.get("cgroup_working_set_bytes").asLong()).isEqualTo(6);
        assertThat(n.get("oom_kills").asLong()).isEqualTo(8);
        assertThat(n.get("arrow_allocated_bytes").asLong()).isEqualTo(15);
        assertThat(n.get("native_pool_bytes").asLong()).isEqualTo(16);
        assertThat(n.get("physical_bytes").asLong()).isEqualTo(17);
        assertThat(n.get("pressure").asDouble()).isEqualTo(1.5);
        assertThat(MemoryMonitor.fromJson(json)).isEqualTo(s);
    }

    @Test
    void mainPrintsOneSnapshotWithAnOptionalLimit() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            MemoryMonitor.main(new String[]{"600MB"});
        } finally {
            System.setOut(old);
        }
        MemorySnapshot s = MemoryMonitor.fromJson(buf.toString(StandardCharsets.UTF_8).trim());
        assertThat(s.budgetBytes()).isLessThanOrEqualTo(600_000_000L).isPositive();
        assertThat(s.workingSetBytes()).isPositive();
    }

    @Test
    void sampleIsThreadSafe() throws Exception {
        MemoryMonitor m = MemoryMonitor.create(0, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Callable<Integer> c = () -> {
                    int ok = 0;
                    for (int i = 0; i < 200; i++) {
                        m.registerNativePool("p" + id, () -> MIB);
                        if (m.sample().workingSetBytes() > 0) ok++;
                    }
                    return ok;
                };
                fs.add(pool.submit(c));
            }
            for (Future<Integer> f : fs) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(m.sample().nativePoolBytes()).isEqualTo(4 * MIB);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    private Path fakeV1(long limit, long usage, long inactiveFile) throws IOException {
        Path g = tmp.resolve("sys/fs/cgroup/memory/job");
        Files.createDirectories(g);
        Files.writeString(g.resolve("memory.limit_in_bytes"), limit + "\n");
        Files.writeString(g.resolve("memory.usage_in_bytes"), usage + "\n");
        Files.writeString(g.resolve("memory.max_usage_in_bytes"), usage + "\n");
        Files.writeString(g.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        Files.writeString(g.resolve("memory.stat"), "hierarchical_memory_limit 9223372036854771712\n"
                + "total_inactive_file " + inactiveFile + "\n");
        return g;
    }

    private Path procCgroup() throws IOException {
        return Files.writeString(tmp.resolve("cgroup"), "4:memory:/job\n0::/\n");
    }

    private Path mountinfo() throws IOException {
        return Files.writeString(tmp.resolve("mountinfo"),
                "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
    }

    private Path status(long anonKb, long shmemKb) throws IOException {
        return Files.writeString(tmp.resolve("status-" + anonKb + "-" + shmemKb),
                "VmRSS:\t" + (anonKb + shmemKb + 5000) + " kB\nRssAnon:\t" + anonKb + " kB\nRssShmem:\t" + shmemKb
                        + " kB\n");
    }
}
