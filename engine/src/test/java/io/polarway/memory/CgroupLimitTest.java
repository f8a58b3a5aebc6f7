package io.polarway.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs real child JVMs inside a 256 MiB {@link CgroupSandbox} and checks what {@link MemoryMonitor} sees there.
 * Skipped (with the reason) only when {@link CgroupSandbox#probe()} says a child memory group cannot be created here.
 */
class CgroupLimitTest {
    private static final long LIMIT = 256L << 20;
    private static final long MB = 1_000_000;
    private static final long CHILD_TIMEOUT_S = 120;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireCgroups() {
        CgroupSandbox.Availability a = CgroupSandbox.probe();
        System.out.println("CgroupSandbox.probe(): " + a);
        if (!a.available() && "true".equals(System.getenv("CI")) && isLinux() && isRoot()
                && CgroupMemory.detect().groupDir().map(Files::isWritable).orElse(false)) {
            fail("CI=true, root, and a writable memory cgroup, but the sandbox probe says unavailable: " + a.reason());
        }
        if (!a.available()) System.err.println("skipping cgroup tests: " + a.reason());
        assumeTrue(a.available(), () -> "cgroup sandbox unavailable: " + a.reason());
    }

    @Test
    void monitorInsideTheGroupSeesTheGroupLimitNotTheHost() throws Exception {
        try (CgroupSandbox box = CgroupSandbox.create(groupName("limit"), LIMIT, OptionalDouble.empty())) {
            Child c = run(box, List.of("-Xmx96m"), MemoryMonitor.class.getName());
            System.out.println("[limit] " + c.stdout.trim());
            assertThat(c.exit).as("exit, stderr: %s", c.stderr).isZero();
            JsonNode s = lastJson(c);

            assertThat(s.get("budget_bytes").asLong()).isEqualTo(LIMIT);
            assertThat(s.get("signal").asText()).isIn("cgroup-v1", "cgroup-v2");
            assertThat(s.get("cgroup_limit_bytes").asLong()).isEqualTo(LIMIT);
            assertThat(s.get("working_set_bytes").asLong()).isPositive().isLessThan(LIMIT);
            assertThat(s.get("physical_bytes").asLong()).isGreaterThan(LIMIT);
            assertThat(box.limitBytes()).isEqualTo(LIMIT);
        }
    }

    @Test
    void pageCacheIsNotCountedInTheWorkingSet() throws Exception {
        Path file = tmp.resolve("pagecache.bin");
        try (CgroupSandbox box = CgroupSandbox.create(groupName("cache"), LIMIT, OptionalDouble.empty())) {
            Child c = run(box, List.of("-Xmx96m"), CgroupTestChild.class.getName(), "write", file.toString(), "400");
            System.out.println("[page cache] " + c.stdout.trim());
            assertThat(c.exit).as("exit (137 = OOM-killed), stderr: %s", c.stderr).isZero();
            JsonNode s = lastJson(c);
            long usage = s.get("cgroup_usage_bytes").asLong();
            long ws = s.get("working_set_bytes").asLong();
            System.out.printf(Locale.ROOT, "[page cache] usage=%d MB working set=%d MB peak=%d MB oom=%d%n",
                    usage / MB, ws / MB, box.peakBytes() / MB, box.oomKills());

            assertThat(Files.size(file)).isEqualTo(400L << 20);
            assertThat(s.get("signal").asText()).isIn("cgroup-v1", "cgroup-v2");
            assertThat(ws).isPositive().isLessThan(LIMIT);
            assertThat(usage - ws).as("page cache = usage - working set").isGreaterThan(100 * MB);
            assertThat(s.get("oom_kills").asLong()).isZero();
            assertThat(box.oomKills()).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void heapBeyondTheLimitIsOomKilled() throws Exception {
        try (CgroupSandbox box = CgroupSandbox.create(groupName("oom"), LIMIT, OptionalDouble.empty())) {
            Child c = run(box, List.of("-Xmx1g"), CgroupTestChild.class.getName(), "alloc", "400");
            System.out.printf(Locale.ROOT, "[oom] exit=%d oomKills=%d peak=%d MB stdout=%s%n",
                    c.exit, box.oomKills(), box.peakBytes() / MB, c.stdout.trim());
            assertThat(c.exit).as("exit, stdout: %s, stderr: %s", c.stdout, c.stderr).isEqualTo(137);
            assertThat(box.oomKills()).isGreaterThanOrEqualTo(1);
            assertThat(c.stdout).doesNotContain("allocated");
        }
    }

    @Test
    void wrappedProcessJoinsTheMemoryAndCpuGroupsAndCloseRemovesThem() throws Exception {
        String name = groupName("cpu");
        CgroupSandbox box = CgroupSandbox.create(name, LIMIT, OptionalDouble.of(0.5));
        Path mem = box.memoryGroup();
        Path cpu = box.cpuGroup().orElse(null);
        try {
            Path out = tmp.resolve("cgroup.out");
            Process p = new ProcessBuilder(box.wrapCommand(List.of("/bin/cat", "/proc/self/cgroup")))
                    .redirectOutput(out.toFile()).redirectErrorStream(true).start();
            assertThat(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
            String membership = Files.readString(out);
            System.out.println("[cpu] " + box + " cpuLimited=" + box.cpuLimited() + "\n" + membership.trim());
            assertThat(p.exitValue()).isZero();
            assertThat(membership.lines().filter(l -> l.contains("memory") || l.startsWith("0::")))
                    .anyMatch(l -> l.endsWith("/" + name));
            if (box.cpuLimited() && cpu != null) {
                assertThat(membership.lines().filter(l -> l.matches("\\d+:([^:]*,)?cpu(,[^:]*)?:.*")))
                        .allMatch(l -> l.endsWith("/" + name));
                assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");
                assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
            }
        } finally {
            box.close();
        }
        assertThat(mem).doesNotExist();
        if (cpu != null) assertThat(cpu).doesNotExist();
    }

    @Test
    void closeMovesRemainingProcessesOutAndRemovesTheGroup() throws Exception {
        CgroupSandbox box = CgroupSandbox.create(groupName("busy"), LIMIT, OptionalDouble.empty());
        Path mem = box.memoryGroup();
        // a shell that waits on its stdin: alive until the test closes the pipe
        Process p = new ProcessBuilder(box.wrapCommand(List.of("/bin/sh", "-c", "read line; echo done")))
                .redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(mem.resolve("cgroup.procs")).contains(Long.toString(p.pid()))) {
                assertThat(System.nanoTime() - deadline).as("child never joined the group").isNegative();
                Thread.onSpinWait();
            }
            box.close();
            assertThat(mem).doesNotExist();
            assertThat(p.isAlive()).isTrue();
            assertThat(Files.readString(mem.getParent().resolve("cgroup.procs"))).contains(Long.toString(p.pid()));
        } finally {
            box.close();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        assertThat(p.exitValue()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private record Child(int exit, String stdout, String stderr) {
    }

    private Child run(CgroupSandbox box, List<String> jvmArgs, String mainClass, String... args) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));

        int n = SEQ.incrementAndGet();
        Path out = tmp.resolve("child-" + n + ".out");
        Path err = tmp.resolve("child-" + n + ".err");
        Process p = new ProcessBuilder(box.wrapCommand(cmd))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS)) {
                fail("child did not exit within " + CHILD_TIMEOUT_S + " s: " + cmd);
            }
            return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static JsonNode lastJson(Child c) throws IOException {
        String line = c.stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON in child stdout: " + c.stdout + " / " + c.stderr));
        return JSON.readTree(line);
    }

    private static String groupName(String what) {
        return "polarway-test-" + ProcessHandle.current().pid() + "-" + what + "-" + SEQ.incrementAndGet();
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    private static boolean isRoot() {
        for (String line : CgroupLayout.readLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                return f.length > 1 && f[1].equals("0");
            }
        }
        return false;
    }
}
