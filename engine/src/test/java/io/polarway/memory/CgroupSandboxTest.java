package io.polarway.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CgroupSandbox} logic that does not need a real cgroup: the wrapper, probe reasons, validation. */
class CgroupSandboxTest {
    @TempDir
    Path tmp;

    @Test
    void wrapCommandWritesTheShellPidToEveryProcsFileThenExecs() throws IOException {
        Path mem = Files.createDirectories(tmp.resolve("memory/job"));
        Path cpu = Files.createDirectories(tmp.resolve("cpu/job"));
        CgroupSandbox box = new CgroupSandbox(CgroupMemory.Version.V1, mem, tmp.resolve("memory"), cpu, true);

        List<String> wrapped = box.wrapCommand(List.of("java", "-Xmx1g", "Main"));
        assertThat(wrapped.subList(0, 2)).containsExactly("/bin/sh", "-c");
        assertThat(wrapped.get(2)).isEqualTo("echo $$ > '" + mem.resolve("cgroup.procs") + "' || exit 125; "
                + "echo $$ > '" + cpu.resolve("cgroup.procs") + "' || exit 125; exec \"$@\"");
        assertThat(wrapped.subList(3, wrapped.size())).containsExactly("sh", "java", "-Xmx1g", "Main");
        assertThat(box.cpuGroup()).contains(cpu);
        assertThat(box.cpuLimited()).isTrue();
    }

    @Test
    void wrappedCommandRunsWithThePidThatJoined() throws Exception {
        Path mem = Files.createDirectories(tmp.resolve("it's a dir/job"));
        CgroupSandbox box = new CgroupSandbox(CgroupMemory.Version.V2, mem, tmp, null, false);
        Path out = tmp.resolve("out");
        Process p = new ProcessBuilder(box.wrapCommand(List.of("/bin/sh", "-c", "echo $$; echo \"$1\"", "x", "a b")))
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String joined = Files.readString(mem.resolve("cgroup.procs")).trim();
        assertThat(lines).containsExactly(Long.toString(p.pid()), "a b");
        assertThat(joined).isEqualTo(Long.toString(p.pid()));
    }

    @Test
    void wrappedCommandDoesNotRunWhenJoiningFails() throws Exception {
        Path missing = tmp.resolve("no/such/group");
        CgroupSandbox box = new CgroupSandbox(CgroupMemory.Version.V2, missing, tmp, null, false);
        Path marker = tmp.resolve("ran");
        Process p = new ProcessBuilder(box.wrapCommand(List.of("/bin/sh", "-c", "touch '" + marker + "'")))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(CgroupSandbox.JOIN_FAILED_EXIT);
        assertThat(marker).doesNotExist();
    }

    @Test
    void shellQuoteEscapesSingleQuotes() {
        assertThat(CgroupSandbox.shellQuote("a'b c")).isEqualTo("'a'\\''b c'");
    }

    @Test
    void probeExplainsNotLinux() {
        CgroupSandbox.Availability a = CgroupSandbox.probe(layout("", ""), tmp.resolve("status"), false);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).contains("not Linux");
    }

    @Test
    void probeExplainsControllerNotMounted() throws IOException {
        CgroupSandbox.Availability a = CgroupSandbox.probe(
                layout("4:memory:/job\n1:cpu:/\n", "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"),
                status(0), true);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).contains("not mounted");

        CgroupSandbox.Availability none = CgroupSandbox.probe(layout("", ""), status(0), true);
        assertThat(none.available()).isFalse();
        assertThat(none.reason()).contains("not mounted");
    }

    @Test
    void probeExplainsReadOnlyMount() throws IOException {
        Files.createDirectories(tmp.resolve("sys/fs/cgroup/memory/job"));
        CgroupSandbox.Availability a = CgroupSandbox.probe(layout("4:memory:/job\n",
                "34 30 0:31 / /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n"), status(0), true);
        assertThat(a.available()).isFalse();
        assertThat(a.version()).isEqualTo("v1");
        assertThat(a.reason()).contains("read-only");
    }

    @Test
    void probeFailsWhenAChildGetsNoMemoryControllerAndCleansUp() throws IOException {
        Path job = Files.createDirectories(tmp.resolve("sys/fs/cgroup/memory/job"));
        CgroupSandbox.Availability a = CgroupSandbox.probe(layout("4:memory:/job\n",
                "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"), status(0), true);
        assertThat(a.available()).isFalse();
        assertThat(a.parentGroup()).isEqualTo(job);
        assertThat(a.reason()).contains("memory.limit_in_bytes");
        try (var children = Files.list(job)) {
            assertThat(children).isEmpty();
        }
    }

    @Test
    void probeExplainsV2WithoutMemoryControllerOrDelegation() throws IOException {
        Path g = Files.createDirectories(tmp.resolve("sys/fs/cgroup/user.slice/app.scope"));
        String mountinfo = "25 30 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        Files.writeString(g.resolve("cgroup.controllers"), "cpu io pids\n");
        Files.writeString(g.resolve("cgroup.subtree_control"), "\n");
        CgroupSandbox.Availability noMemory = CgroupSandbox.probe(layout("0::/user.slice/app.scope\n", mountinfo),
                status(1000), true);
        assertThat(noMemory.available()).isFalse();
        assertThat(noMemory.version()).isEqualTo("v2");
        assertThat(noMemory.reason()).contains("no memory controller");

        Files.writeString(g.resolve("cgroup.controllers"), "cpu io memory pids\n");
        CgroupSandbox.Availability noDelegation = CgroupSandbox.probe(layout("0::/user.slice/app.scope\n", mountinfo),
                status(1000), true);
        assertThat(noDelegation.available()).isFalse();
        assertThat(noDelegation.reason()).contains("without delegation");
    }

    @Test
    void createValidatesArgumentsAndCleansUpOnFailure() throws IOException {
        Path job = Files.createDirectories(tmp.resolve("sys/fs/cgroup/memory/job"));
        CgroupLayout l = layout("4:memory:/job\n",
                "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
        assertThatThrownBy(() -> CgroupSandbox.create(l, "../escape", 1 << 20, OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CgroupSandbox.create(l, "ok", 0, OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CgroupSandbox.create(l, "ok", 1 << 20, OptionalDouble.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
        // a fake tree has no kernel files in new directories: the limit cannot be written, the group is removed
        assertThatThrownBy(() -> CgroupSandbox.create(l, "ok", 1 << 20, OptionalDouble.empty()))
                .isInstanceOf(IOException.class).hasMessageContaining("memory limit");
        assertThat(job.resolve("ok")).doesNotExist();
    }

    @Test
    void closeIsIdempotentAndRemovesTheGroups() throws IOException {
        Path mem = Files.createDirectories(tmp.resolve("memory/job/box"));
        Path cpu = Files.createDirectories(tmp.resolve("cpu/job/box"));
        CgroupSandbox box = new CgroupSandbox(CgroupMemory.Version.V1, mem, tmp.resolve("memory"), cpu, true);
        box.close();
        box.close();
        assertThat(mem).doesNotExist();
        assertThat(cpu).doesNotExist();
        assertThat(box.oomKills()).isEqualTo(-1);
        assertThat(box.peakBytes()).isEqualTo(-1);
    }

    private CgroupLayout layout(String procCgroup, String mountinfo) {
        try {
            return CgroupLayout.read(Files.writeString(tmp.resolve("cgroup"), procCgroup),
                    Files.writeString(tmp.resolve("mountinfo"), mountinfo), tmp);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path status(int uid) throws IOException {
        return Files.writeString(tmp.resolve("status"),
                "Name:\tjava\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\n");
    }
}
