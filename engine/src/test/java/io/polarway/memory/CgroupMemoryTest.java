package io.polarway.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link CgroupMemory} on fake /proc and cgroup trees (pure parsing logic). */
class CgroupMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long V1_UNLIMITED = 9223372036854771712L;

    private static final String V1_MOUNTINFO = """
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String V2_MOUNTINFO = """
            25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
            """;

    @TempDir
    Path tmp;

    // ----------------------------------------------------------------------------------------------------------- v1

    @Test
    void v1LimitUsageWorkingSetPeakAndOomKills() throws IOException {
        Path g = v1Group("/app/job", 512 * MIB, V1_UNLIMITED, 300 * MIB, 100 * MIB, 400 * MIB,
                "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        CgroupMemory cg = v1("4:memory:/app/job");

        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V1);
        assertThat(cg.version().signal()).isEqualTo("cgroup-v1");
        assertThat(cg.groupDir()).contains(g);
        assertThat(cg.fellBackToMountRoot()).isFalse();
        assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(512 * MIB, 300 * MIB, 200 * MIB, 400 * MIB, 2));
        assertThat(cg.limitBytes()).isEqualTo(512 * MIB);
        assertThat(cg.usageBytes()).isEqualTo(300 * MIB);
        assertThat(cg.workingSetBytes()).isEqualTo(200 * MIB);
        assertThat(cg.peakBytes()).isEqualTo(400 * MIB);
        assertThat(cg.oomKills()).isEqualTo(2);
    }

    @Test
    void v1UnlimitedIsMinusOne() throws IOException {
        v1Group("/app", V1_UNLIMITED, V1_UNLIMITED, 300 * MIB, 100 * MIB, 400 * MIB, "oom_kill 0\n");
        assertThat(v1("4:memory:/app").read().limitBytes()).isEqualTo(-1);
    }

    @Test
    void v1LimitAtOrAbovePhysicalRamIsNoLimit() throws IOException {
        v1Group("/app", 32L << 30, V1_UNLIMITED, 300 * MIB, 100 * MIB, 400 * MIB, "oom_kill 0\n");
        CgroupMemory cg = new CgroupMemory(procCgroup("4:memory:/app"), mountinfo(V1_MOUNTINFO), tmp, 24L << 30);
        assertThat(cg.limitBytes()).isEqualTo(-1);
        CgroupMemory unknownPhysical = v1("4:memory:/app");
        assertThat(unknownPhysical.limitBytes()).isEqualTo(32L << 30);
    }

    @Test
    void v1HierarchicalLimitSmallerThanTheGroupsWins() throws IOException {
        v1Group("/parent/child", V1_UNLIMITED, 1L << 30, 300 * MIB, 100 * MIB, 400 * MIB, "oom_kill 0\n");
        assertThat(v1("4:memory:/parent/child").limitBytes()).isEqualTo(1L << 30);
    }

    @Test
    void v1WorkingSetIsClampedAtZero() throws IOException {
        v1Group("/app", 512 * MIB, V1_UNLIMITED, 100 * MIB, 150 * MIB, 400 * MIB, "oom_kill 0\n");
        assertThat(v1("4:memory:/app").read().workingSetBytes()).isZero();
    }

    @Test
    void v1OomControlWithoutOomKillLineIsZero() throws IOException {
        v1Group("/app", 512 * MIB, V1_UNLIMITED, 300 * MIB, 100 * MIB, 400 * MIB, "oom_kill_disable 0\nunder_oom 0\n");
        assertThat(v1("4:memory:/app").oomKills()).isZero();
    }

    @Test
    void v1CombinedControllerLineAndPathWithColon() throws IOException {
        Path g = v1Group("/a:b", 64 * MIB, V1_UNLIMITED, 10 * MIB, 1 * MIB, 20 * MIB, "oom_kill 1\n");
        CgroupMemory cg = v1("5:memory,hugetlb:/a:b");
        assertThat(cg.groupDir()).contains(g);
        assertThat(cg.limitBytes()).isEqualTo(64 * MIB);
    }

    @Test
    void v1MissingFilesGiveMinusOne() throws IOException {
        Files.createDirectories(tmp.resolve("sys/fs/cgroup/memory/app"));
        CgroupMemory cg = v1("4:memory:/app");
        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V1);
        assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(-1, -1, -1, -1, -1));
    }

    @Test
    void v1MissingInactiveFileGivesUnknownWorkingSet() throws IOException {
        Path g = v1Group("/app", 512 * MIB, V1_UNLIMITED, 300 * MIB, 100 * MIB, 400 * MIB, "oom_kill 0\n");
        Files.writeString(g.resolve("memory.stat"), "cache 1234\nhierarchical_memory_limit " + V1_UNLIMITED + "\n");
        CgroupMemory.Reading r = v1("4:memory:/app").read();
        assertThat(r.usageBytes()).isEqualTo(300 * MIB);
        assertThat(r.workingSetBytes()).isEqualTo(-1);
    }

    @Test
    void containerPathNotUnderTheMountFallsBackToTheMountRoot() throws IOException {
        Path root = v1Group("/", 256 * MIB, 256 * MIB, 50 * MIB, 10 * MIB, 60 * MIB, "oom_kill 0\n");
        CgroupMemory cg = v1("4:memory:/docker/0123abcd");
        assertThat(cg.groupDir()).contains(root);
        assertThat(cg.fellBackToMountRoot()).isTrue();
        assertThat(cg.limitBytes()).isEqualTo(256 * MIB);
        assertThat(cg.workingSetBytes()).isEqualTo(40 * MIB);
    }

    @Test
    void mountRootFieldIsStrippedFromTheProcessPath() throws IOException {
        Path root = v1Group("/", 128 * MIB, 128 * MIB, 50 * MIB, 10 * MIB, 60 * MIB, "oom_kill 0\n");
        String mountinfo = "34 30 0:31 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n";
        CgroupMemory cg = new CgroupMemory(procCgroup("4:memory:/docker/abc"), mountinfo(mountinfo), tmp);
        assertThat(cg.groupDir()).contains(root);
        assertThat(cg.fellBackToMountRoot()).isFalse();
        assertThat(cg.limitBytes()).isEqualTo(128 * MIB);
    }

    @Test
    void escapedMountPointIsDecoded() throws IOException {
        Path g = tmp.resolve("my cgroups/memory/app");
        Files.createDirectories(g);
        Files.writeString(g.resolve("memory.limit_in_bytes"), Long.toString(64 * MIB));
        String mountinfo = "34 30 0:31 / /my\\040cgroups/memory rw - cgroup cgroup rw,memory\n";
        CgroupMemory cg = new CgroupMemory(procCgroup("4:memory:/app"), mountinfo(mountinfo), tmp);
        assertThat(cg.groupDir()).contains(g);
        assertThat(cg.limitBytes()).isEqualTo(64 * MIB);
    }

    @Test
    void hybridHostPrefersV1MemoryOverAUnifiedMountWithoutMemory() throws IOException {
        Path g = v1Group("/job", 100 * MIB, V1_UNLIMITED, 50 * MIB, 10 * MIB, 60 * MIB, "oom_kill 0\n");
        Files.createDirectories(tmp.resolve("sys/fs/cgroup/unified"));
        CgroupMemory cg = new CgroupMemory(procCgroup("4:memory:/job\n1:cpu:/\n0::/"), mountinfo(V1_MOUNTINFO), tmp);
        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V1);
        assertThat(cg.groupDir()).contains(g);
    }

    // ----------------------------------------------------------------------------------------------------------- v2

    @Test
    void v2ReadsCurrentInactiveFilePeakAndEvents() throws IOException {
        Path g = v2Group("/user.slice/app.scope", "536870912", 300 * MIB, 100 * MIB);
        Files.writeString(g.resolve("memory.peak"), Long.toString(450 * MIB) + "\n");
        Files.writeString(g.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 3\noom_kill 3\noom_group_kill 0\n");
        CgroupMemory cg = v2("0::/user.slice/app.scope");

        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V2);
        assertThat(cg.version().signal()).isEqualTo("cgroup-v2");
        assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(512 * MIB, 300 * MIB, 200 * MIB, 450 * MIB, 3));
    }

    @Test
    void v2MaxMeansNoLimitAndMissingPeakIsMinusOne() throws IOException {
        Path g = v2Group("/app", "max", 300 * MIB, 100 * MIB);
        Files.writeString(g.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\n");
        CgroupMemory.Reading r = v2("0::/app").read();
        assertThat(r.limitBytes()).isEqualTo(-1);
        assertThat(r.peakBytes()).isEqualTo(-1);
        assertThat(r.oomKills()).isZero();
    }

    @Test
    void v2EffectiveLimitWalksUpParents() throws IOException {
        v2Group("/a/b/c", "max", 300 * MIB, 100 * MIB);
        Path cg2 = tmp.resolve("sys/fs/cgroup");
        Files.writeString(cg2.resolve("a/memory.max"), "1073741824\n");
        Files.writeString(cg2.resolve("a/b/memory.max"), "max\n");
        assertThat(v2("0::/a/b/c").limitBytes()).isEqualTo(1L << 30);

        Files.writeString(cg2.resolve("a/b/c/memory.max"), Long.toString(700 * MIB));
        assertThat(v2("0::/a/b/c").limitBytes()).isEqualTo(700 * MIB);
    }

    @Test
    void v2GroupWithoutMemoryMaxIsNotUsed() throws IOException {
        Files.createDirectories(tmp.resolve("sys/fs/cgroup/app"));
        Files.writeString(tmp.resolve("sys/fs/cgroup/app/cgroup.procs"), "1\n");
        CgroupMemory cg = v2("0::/app");
        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.NONE);
        assertThat(cg.groupDir()).isEmpty();
        assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(-1, -1, -1, -1, -1));
    }

    @Test
    void v2ContainerFallsBackToTheMountRoot() throws IOException {
        Path root = v2Group("/", "268435456", 80 * MIB, 30 * MIB);
        CgroupMemory cg = v2("0::/kubepods/burstable/pod1234/abcdef");
        assertThat(cg.groupDir()).contains(root);
        assertThat(cg.fellBackToMountRoot()).isTrue();
        assertThat(cg.read().limitBytes()).isEqualTo(256 * MIB);
        assertThat(cg.read().workingSetBytes()).isEqualTo(50 * MIB);
    }

    @Test
    void v2MissingFilesGiveMinusOne() throws IOException {
        Path g = tmp.resolve("sys/fs/cgroup/app");
        Files.createDirectories(g);
        Files.writeString(g.resolve("memory.max"), "max\n");
        assertThat(v2("0::/app").read()).isEqualTo(new CgroupMemory.Reading(-1, -1, -1, -1, -1));
    }

    // ----------------------------------------------------------------------------------------------------- no cgroup

    @Test
    void missingProcFilesMeanNoCgroupAndNoException() {
        CgroupMemory cg = new CgroupMemory(tmp.resolve("nope"), tmp.resolve("nope2"), tmp);
        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.NONE);
        assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(-1, -1, -1, -1, -1));
        assertThat(cg.limitBytes()).isEqualTo(-1);
        assertThat(cg.oomKills()).isEqualTo(-1);
    }

    @Test
    void memoryControllerNotMountedMeansNoCgroup() throws IOException {
        String mountinfo = "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
        CgroupMemory cg = new CgroupMemory(procCgroup("4:memory:/app\n1:cpu:/"), mountinfo(mountinfo), tmp);
        assertThat(cg.version()).isEqualTo(CgroupMemory.Version.NONE);
    }

    @Test
    void meminfoTotalIsParsed() throws IOException {
        Path meminfo = tmp.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24683548 kB\nMemFree:        24000000 kB\n");
        assertThat(CgroupMemory.meminfoTotal(meminfo)).isEqualTo(24683548L * 1024);
        assertThat(CgroupMemory.meminfoTotal(tmp.resolve("missing"))).isEqualTo(-1);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private CgroupMemory v1(String procCgroup) throws IOException {
        return new CgroupMemory(procCgroup(procCgroup), mountinfo(V1_MOUNTINFO), tmp);
    }

    private CgroupMemory v2(String procCgroup) throws IOException {
        return new CgroupMemory(procCgroup(procCgroup), mountinfo(V2_MOUNTINFO), tmp);
    }

    private Path procCgroup(String content) throws IOException {
        return Files.writeString(tmp.resolve("proc-self-cgroup"), content + "\n");
    }

    private Path mountinfo(String content) throws IOException {
        return Files.writeString(tmp.resolve("mountinfo"), content);
    }

    private Path v1Group(String path, long limit, long hierarchicalLimit, long usage, long inactiveFile, long peak,
                         String oomControl) throws IOException {
        Path g = CgroupLayout.under(tmp.resolve("sys/fs/cgroup/memory"), path);
        Files.createDirectories(g);
        Files.writeString(g.resolve("memory.limit_in_bytes"), limit + "\n");
        Files.writeString(g.resolve("memory.usage_in_bytes"), usage + "\n");
        Files.writeString(g.resolve("memory.max_usage_in_bytes"), peak + "\n");
        Files.writeString(g.resolve("memory.oom_control"), oomControl);
        Files.writeString(g.resolve("memory.stat"), "cache 5\nrss 6\ninactive_file 7\n"
                + "hierarchical_memory_limit " + hierarchicalLimit + "\n"
                + "hierarchical_memsw_limit " + V1_UNLIMITED + "\n"
                + "total_cache 8\ntotal_inactive_file " + inactiveFile + "\ntotal_active_file 9\n");
        return g;
    }

    private Path v2Group(String path, String max, long current, long inactiveFile) throws IOException {
        Path g = CgroupLayout.under(tmp.resolve("sys/fs/cgroup"), path);
        Files.createDirectories(g);
        Files.writeString(g.resolve("memory.max"), max + "\n");
        Files.writeString(g.resolve("memory.current"), current + "\n");
        Files.writeString(g.resolve("memory.stat"), "anon 1\nfile 2\nactive_file 3\ninactive_file " + inactiveFile
                + "\nslab 4\n");
        return g;
    }
}
