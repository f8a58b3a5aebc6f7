package io.polarway.memory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The memory cgroup this process belongs to, on cgroup v1 or v2, and cheap readings of it.
 *
 * <p>Detection runs once, in the constructor: the group comes from {@code /proc/self/cgroup} ({@code N:memory:/PATH}
 * for v1, {@code 0::/PATH} for v2) and the mount points from {@code /proc/self/mountinfo}. The v1 memory controller is
 * preferred when the process is in one (hybrid hosts mount v2 without the memory controller); v2 is only used when
 * {@code memory.max} exists in the group directory. When the group path does not exist under the mount (inside a
 * container with a namespaced mount) the mount root is used.
 *
 * <p>A {@link #read()} is a handful of small file reads (no process spawning). Unreadable values are -1; nothing here
 * throws to the caller. Thread-safe (immutable after construction).
 *
 * <ul>
 *   <li>v1: limit = min(memory.limit_in_bytes, hierarchical_memory_limit); usage = memory.usage_in_bytes; working set
 *       = usage − total_inactive_file; peak = memory.max_usage_in_bytes; OOM kills = oom_kill of memory.oom_control.</li>
 *   <li>v2: limit = min of memory.max over the group and its ancestors; usage = memory.current; working set = current
 *       − inactive_file; peak = memory.peak; OOM kills = oom_kill of memory.events.</li>
 * </ul>
 * A limit at or above 2^62, or at or above physical RAM when known, means no limit (-1).
 */
public final class CgroupMemory {

    /** Which hierarchy the readings come from. */
    public enum Version {
        V1("cgroup-v1"), V2("cgroup-v2"), NONE("none");

        private final String signal;

        Version(String signal) {
            this.signal = signal;
        }

        /** The {@link MemorySnapshot#signal()} name: {@code cgroup-v1}, {@code cgroup-v2} (or {@code none}). */
        public String signal() {
            return signal;
        }
    }

    /**
     * One reading; every field is -1 when unknown.
     *
     * @param limitBytes      the effective limit, -1 when none applies
     * @param usageBytes      raw usage, page cache included
     * @param workingSetBytes usage minus inactive file pages, clamped at 0
     * @param peakBytes       high-water mark of raw usage
     * @param oomKills        OOM-kill counter (0 when the kernel does not report it)
     */
    public record Reading(long limitBytes, long usageBytes, long workingSetBytes, long peakBytes, long oomKills) {
        static final Reading UNKNOWN = new Reading(-1, -1, -1, -1, -1);
    }

    /** Values at or above this are "no limit" (v1 reports 2^63 − page size when unlimited). */
    static final long UNLIMITED_THRESHOLD = 1L << 62;

    private final Version version;
    private final Path groupDir;
    /** v2: directories whose memory.max bounds the group, from the group up to the mount root. */
    private final List<Path> limitDirs;
    private final boolean fellBackToRoot;
    private final long physicalBytes;

    /**
     * Detects on injected paths.
     *
     * @param procSelfCgroup a file in the format of {@code /proc/self/cgroup}
     * @param mountinfo      a file in the format of {@code /proc/self/mountinfo}
     * @param fsRoot         the directory the mount points are resolved under ({@code /} for the real system)
     */
    public CgroupMemory(Path procSelfCgroup, Path mountinfo, Path fsRoot) {
        this(procSelfCgroup, mountinfo, fsRoot, -1);
    }

    /**
     * @param physicalBytes physical RAM; a limit at or above it counts as no limit. ≤ 0 when unknown
     */
    public CgroupMemory(Path procSelfCgroup, Path mountinfo, Path fsRoot, long physicalBytes) {
        this(CgroupLayout.read(procSelfCgroup, mountinfo, fsRoot), physicalBytes);
    }

    CgroupMemory(CgroupLayout layout, long physicalBytes) {
        this.physicalBytes = physicalBytes;
        Version v = Version.NONE;
        Path dir = null;
        List<Path> dirs = List.of();
        boolean fallback = false;
        Optional<CgroupLayout.Location> v1 = layout.v1("memory");
        Optional<CgroupLayout.Location> v2 = layout.v2();
        if (v1.isPresent()) {
            v = Version.V1;
            dir = v1.get().groupDir();
            fallback = v1.get().fellBackToRoot();
        } else if (v2.isPresent() && Files.exists(v2.get().groupDir().resolve("memory.max"))) {
            v = Version.V2;
            dir = v2.get().groupDir();
            fallback = v2.get().fellBackToRoot();
            dirs = ancestors(dir, v2.get().mountDir());
        }
        this.version = v;
        this.groupDir = dir;
        this.limitDirs = dirs;
        this.fellBackToRoot = fallback;
    }

    /** A reader of a known group directory (used by {@link CgroupSandbox} for the groups it creates). */
    CgroupMemory(Version version, Path groupDir, Path mountDir, long physicalBytes) {
        this.version = version;
        this.groupDir = groupDir;
        this.limitDirs = version == Version.V2 ? ancestors(groupDir, mountDir) : List.of();
        this.fellBackToRoot = false;
        this.physicalBytes = physicalBytes;
    }

    /** This process's memory cgroup on the real system; physical RAM from /proc/meminfo bounds "no limit". */
    public static CgroupMemory detect() {
        return detect(meminfoTotal(Path.of("/proc/meminfo")));
    }

    /** This process's memory cgroup on the real system. */
    public static CgroupMemory detect(long physicalBytes) {
        return new CgroupMemory(CgroupLayout.system(), physicalBytes);
    }

    private static List<Path> ancestors(Path dir, Path mountDir) {
        List<Path> out = new ArrayList<>();
        Path p = dir;
        Path stop = mountDir.normalize();
        while (p != null) {
            out.add(p);
            if (p.normalize().equals(stop)) break;
            p = p.getParent();
            if (p != null && !p.normalize().startsWith(stop)) break;
        }
        return List.copyOf(out);
    }

    public Version version() {
        return version;
    }

    /** The group directory, empty when no memory cgroup was found. */
    public Optional<Path> groupDir() {
        return Optional.ofNullable(groupDir);
    }

    /** Whether the group path was not found under the mount and the mount root is used instead (containers). */
    public boolean fellBackToMountRoot() {
        return fellBackToRoot;
    }

    /** Reads limit, usage, working set, peak and OOM kills now. */
    public Reading read() {
        try {
            return switch (version) {
                case V1 -> readV1();
                case V2 -> readV2();
                case NONE -> Reading.UNKNOWN;
            };
        } catch (RuntimeException e) {
            return Reading.UNKNOWN;
        }
    }

    public long limitBytes() {
        try {
            return switch (version) {
                case V1 -> limitV1(CgroupLayout.readKeyValues(groupDir.resolve("memory.stat")));
                case V2 -> limitV2();
                case NONE -> -1;
            };
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public long usageBytes() {
        return switch (version) {
            case V1 -> CgroupLayout.readLong(groupDir.resolve("memory.usage_in_bytes"));
            case V2 -> CgroupLayout.readLong(groupDir.resolve("memory.current"));
            case NONE -> -1;
        };
    }

    public long workingSetBytes() {
        return read().workingSetBytes();
    }

    public long peakBytes() {
        return switch (version) {
            case V1 -> CgroupLayout.readLong(groupDir.resolve("memory.max_usage_in_bytes"));
            case V2 -> CgroupLayout.readLong(groupDir.resolve("memory.peak"));
            case NONE -> -1;
        };
    }

    public long oomKills() {
        return switch (version) {
            case V1 -> counter(groupDir.resolve("memory.oom_control"), "oom_kill");
            case V2 -> counter(groupDir.resolve("memory.events"), "oom_kill");
            case NONE -> -1;
        };
    }

    private Reading readV1() {
        Map<String, Long> stat = CgroupLayout.readKeyValues(groupDir.resolve("memory.stat"));
        long limit = limitV1(stat);
        long usage = CgroupLayout.readLong(groupDir.resolve("memory.usage_in_bytes"));
        long inactive = stat == null ? -1 : stat.getOrDefault("total_inactive_file", stat.getOrDefault("inactive_file", -1L));
        return new Reading(limit, usage, workingSet(usage, inactive), peakBytes(), oomKills());
    }

    private long limitV1(Map<String, Long> stat) {
        long own = CgroupLayout.readLong(groupDir.resolve("memory.limit_in_bytes"));
        long hierarchical = stat == null ? -1 : stat.getOrDefault("hierarchical_memory_limit", -1L);
        return effectiveLimit(min(own, hierarchical));
    }

    private Reading readV2() {
        long limit = limitV2();
        long usage = CgroupLayout.readLong(groupDir.resolve("memory.current"));
        Map<String, Long> stat = CgroupLayout.readKeyValues(groupDir.resolve("memory.stat"));
        long inactive = stat == null ? -1 : stat.getOrDefault("inactive_file", -1L);
        return new Reading(limit, usage, workingSet(usage, inactive), peakBytes(), oomKills());
    }

    private long limitV2() {
        long limit = -1;
        for (Path d : limitDirs) {
            long v = CgroupLayout.readLong(d.resolve("memory.max"));
            limit = min(limit, v);
        }
        return effectiveLimit(limit);
    }

    /** Smallest of the known (≥ 0) values, -1 when neither is known. */
    private static long min(long a, long b) {
        if (a < 0) return b < 0 ? -1 : b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    private long effectiveLimit(long limit) {
        if (limit < 0 || limit >= UNLIMITED_THRESHOLD) return -1;
        if (physicalBytes > 0 && limit >= physicalBytes) return -1;
        return limit;
    }

    private static long workingSet(long usage, long inactiveFile) {
        if (usage < 0 || inactiveFile < 0) return -1;
        return Math.max(0, usage - inactiveFile);
    }

    /** A counter line of a key-value file: -1 when the file is unreadable, 0 when the line is absent. */
    private static long counter(Path file, String key) {
        Map<String, Long> kv = CgroupLayout.readKeyValues(file);
        if (kv == null) return -1;
        return kv.getOrDefault(key, 0L);
    }

    /** MemTotal of a /proc/meminfo-format file in bytes, -1 when unreadable. */
    static long meminfoTotal(Path meminfo) {
        for (String line : CgroupLayout.readLines(meminfo)) {
            if (line.startsWith("MemTotal:")) return ProcessMemory.parseKb(line.substring("MemTotal:".length()));
        }
        return -1;
    }

    @Override
    public String toString() {
        return "CgroupMemory[" + version.signal() + (groupDir == null ? "" : " " + groupDir)
                + (fellBackToRoot ? " (mount root fallback)" : "") + "]";
    }
}
