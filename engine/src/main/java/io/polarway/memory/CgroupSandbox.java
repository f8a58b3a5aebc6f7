package io.polarway.memory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * A child memory cgroup (and optionally a CPU quota) under this process's own group, to run another process inside a
 * memory limit: the bench runner runs each benchmark JVM inside a VM profile's limits with it, and tests use it to prove
 * that the monitor sees the limit.
 *
 * <pre>{@code
 * try (CgroupSandbox box = CgroupSandbox.create("bench-1", 1L << 30, OptionalDouble.of(2))) {
 *     Process p = new ProcessBuilder(box.wrapCommand(List.of("java", "-Xmx512m", ...))).start();
 *     int exit = p.waitFor();                  // 137 when the kernel OOM-killed it
 *     long kills = box.oomKills(), peak = box.peakBytes();
 * }
 * }</pre>
 *
 * Only the wrapped process (and what it forks) joins the group: {@link #wrapCommand} has a shell write its own pid into
 * the group's {@code cgroup.procs} and then {@code exec} the command. Creating groups needs root on cgroup v1, or a
 * delegated subtree on cgroup v2; {@link #probe()} says whether it can work here and, if not, why.
 */
public final class CgroupSandbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupSandbox.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final long CFS_PERIOD_US = 100_000;
    /** Exit status of the wrapper when the process could not be moved into the group (then nothing runs). */
    public static final int JOIN_FAILED_EXIT = 125;

    /**
     * Whether a child memory group can be created here.
     *
     * @param available   true when {@link #create} should work
     * @param reason      a human-readable explanation (why not, or what will be used)
     * @param version     "v1", "v2" or "none"
     * @param parentGroup the group children would be created in (this process's own memory group), null if unknown
     */
    public record Availability(boolean available, String reason, String version, Path parentGroup) {
        static Availability no(String version, Path parent, String reason) {
            return new Availability(false, reason, version, parent);
        }
    }

    private final CgroupMemory.Version version;
    private final Path memoryDir;
    private final Path memoryParent;
    private final Path cpuDir;      // null when no separate cpu group (v2, or no quota)
    private final Path cpuParent;
    private final boolean cpuLimited;
    private final CgroupMemory reader;
    private final AtomicBoolean closed = new AtomicBoolean();

    CgroupSandbox(CgroupMemory.Version version, Path memoryDir, Path memoryMount, Path cpuDir, boolean cpuLimited) {
        this.version = version;
        this.memoryDir = memoryDir;
        this.memoryParent = memoryDir.getParent();
        this.cpuDir = cpuDir;
        this.cpuParent = cpuDir == null ? null : cpuDir.getParent();
        this.cpuLimited = cpuLimited;
        this.reader = new CgroupMemory(version, memoryDir, memoryMount, -1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Probe

    /** Whether a child memory group can be created here; tries (creates and removes a probe group) to be sure. */
    public static Availability probe() {
        return probe(CgroupLayout.system(), Path.of("/proc/self/status"),
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"));
    }

    static Availability probe(CgroupLayout layout, Path procSelfStatus, boolean linux) {
        if (!linux) return Availability.no("none", null, "not Linux: cgroups are Linux-only");
        long euid = effectiveUid(procSelfStatus);
        String who = euid == 0 ? "root" : "uid " + euid;

        Optional<CgroupLayout.Location> v1 = layout.v1("memory");
        if (v1.isPresent()) {
            CgroupLayout.Location loc = v1.get();
            Path parent = loc.groupDir();
            if (loc.mount().readOnly()) {
                return Availability.no("v1", parent, "cgroup v1 memory controller at " + loc.mountDir()
                        + " is mounted read-only (in a container: run privileged or mount it rw)");
            }
            if (!Files.isWritable(parent)) {
                return Availability.no("v1", parent, (euid == 0 ? "" : "not root (" + who + "): ")
                        + "cgroup v1 memory group " + parent + " is not writable"
                        + (euid == 0 ? "" : "; creating memory groups on cgroup v1 needs root"));
            }
            return tryCreate("v1", parent, "memory.limit_in_bytes", "-1", who);
        }
        if (layout.hasV1Controller("memory")) {
            return Availability.no("v1", null, "this process is in a cgroup v1 memory hierarchy, but the memory "
                    + "controller is not mounted (no 'cgroup ... memory' line in /proc/self/mountinfo)");
        }
        Optional<CgroupLayout.Location> v2 = layout.v2();
        if (v2.isEmpty()) {
            return Availability.no("none", null, "memory controller not mounted: no cgroup v1 memory hierarchy and no "
                    + "cgroup v2 mount in /proc/self/mountinfo");
        }
        CgroupLayout.Location loc = v2.get();
        Path parent = loc.groupDir();
        List<String> controllers = words(parent.resolve("cgroup.controllers"));
        if (!controllers.contains("memory")) {
            return Availability.no("v2", parent, "cgroup v2 at " + loc.mountDir() + " has no memory controller in "
                    + parent + "/cgroup.controllers (controllers: " + controllers + ")");
        }
        List<String> subtree = words(parent.resolve("cgroup.subtree_control"));
        if (!subtree.contains("memory")) {
            return Availability.no("v2", parent, "cgroup v2 without delegation: 'memory' is not enabled in "
                    + parent + "/cgroup.subtree_control, so child groups get no memory controller (run under a "
                    + "delegated group, e.g. systemd-run --user --scope -p Delegate=yes, or as root in a group "
                    + "without processes)");
        }
        if (loc.mount().readOnly() || !Files.isWritable(parent)) {
            return Availability.no("v2", parent, "cgroup v2 group " + parent + " is not writable by " + who
                    + " (no delegation: e.g. systemd-run --user --scope -p Delegate=yes)");
        }
        return tryCreate("v2", parent, "memory.max", "max", who);
    }

    private static Availability tryCreate(String version, Path parent, String limitFile, String value, String who) {
        Path probeDir = parent.resolve("polarway-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectory(probeDir);
        } catch (IOException | RuntimeException e) {
            return Availability.no(version, parent, "cannot create a child group in " + parent + " as " + who
                    + ": " + e);
        }
        try {
            Path f = probeDir.resolve(limitFile);
            if (!Files.exists(f)) {
                return Availability.no(version, parent, "a child group of " + parent + " has no " + limitFile
                        + " (memory controller not enabled for children)");
            }
            write(f, value);
            return new Availability(true, "cgroup " + version + ": child memory groups can be created in " + parent,
                    version, parent);
        } catch (IOException | RuntimeException e) {
            return Availability.no(version, parent, "cannot write " + limitFile + " in a child group of " + parent
                    + ": " + e);
        } finally {
            try {
                Files.deleteIfExists(probeDir);
            } catch (IOException e) {
                LOG.warn("could not remove probe group {}: {}", probeDir, e.toString());
            }
        }
    }

    private static long effectiveUid(Path procSelfStatus) {
        for (String line : CgroupLayout.readLines(procSelfStatus)) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                if (f.length >= 2) {
                    try {
                        return Long.parseLong(f[1]);
                    } catch (NumberFormatException ignored) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    private static List<String> words(Path file) {
        List<String> out = new ArrayList<>();
        for (String line : CgroupLayout.readLines(file)) {
            for (String w : line.trim().split("\\s+")) {
                if (!w.isEmpty()) out.add(w);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Create

    /**
     * Creates a child group named {@code name} under this process's own memory group.
     *
     * @param name              a directory name ([A-Za-z0-9._-]); unique per concurrent sandbox. A stale empty group
     *                          of that name is removed first
     * @param memoryLimitBytes  the memory limit (swap is limited to the same total when the kernel accounts it)
     * @param cpuQuotaCores     optional CPU quota in cores (e.g. 2.0 = 200 ms per 100 ms period); skipped with a
     *                          warning when no writable cpu controller is available (see {@link #cpuLimited()})
     * @throws IOException when the group cannot be created or its memory limit cannot be set
     */
    public static CgroupSandbox create(String name, long memoryLimitBytes, OptionalDouble cpuQuotaCores)
            throws IOException {
        return create(CgroupLayout.system(), name, memoryLimitBytes, cpuQuotaCores);
    }

    static CgroupSandbox create(CgroupLayout layout, String name, long memoryLimitBytes, OptionalDouble cpuQuotaCores)
            throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cpuQuotaCores, "cpuQuotaCores");
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("cgroup name must match [A-Za-z0-9._-]+: '" + name + "'");
        }
        if (memoryLimitBytes <= 0) throw new IllegalArgumentException("memory limit must be > 0: " + memoryLimitBytes);
        if (cpuQuotaCores.isPresent() && !(cpuQuotaCores.getAsDouble() > 0)) {
            throw new IllegalArgumentException("cpu quota must be > 0 cores: " + cpuQuotaCores.getAsDouble());
        }

        Optional<CgroupLayout.Location> v1 = layout.v1("memory");
        if (v1.isPresent()) return createV1(layout, v1.get(), name, memoryLimitBytes, cpuQuotaCores);
        Optional<CgroupLayout.Location> v2 = layout.v2();
        if (v2.isPresent()) return createV2(v2.get(), name, memoryLimitBytes, cpuQuotaCores);
        throw new IOException("no memory cgroup: the memory controller is not mounted");
    }

    private static CgroupSandbox createV1(CgroupLayout layout, CgroupLayout.Location mem, String name, long limit,
                                          OptionalDouble cpuQuota) throws IOException {
        Path memDir = makeGroup(mem.groupDir(), name);
        try {
            write(memDir.resolve("memory.limit_in_bytes"), Long.toString(limit));
            Path memsw = memDir.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) write(memsw, Long.toString(limit));
        } catch (IOException | RuntimeException e) {
            removeQuietly(memDir);
            throw new IOException("cannot set the memory limit of " + memDir + ": " + e.getMessage(), e);
        }

        Path cpuDir = null;
        boolean cpuLimited = false;
        if (cpuQuota.isPresent()) {
            Optional<CgroupLayout.Location> cpu = layout.v1("cpu");
            if (cpu.isEmpty() || cpu.get().mount().readOnly() || !Files.isWritable(cpu.get().groupDir())) {
                LOG.warn("cpu quota {} requested but the cgroup v1 cpu controller is {}: running without a cpu quota",
                        cpuQuota.getAsDouble(), cpu.isEmpty() ? "not mounted" : "not writable");
            } else {
                Path dir = null;
                try {
                    dir = makeGroup(cpu.get().groupDir(), name);
                    write(dir.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
                    write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros(cpuQuota.getAsDouble())));
                    cpuDir = dir;
                    cpuLimited = true;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not set a cpu quota ({}): running without one", e.toString());
                    if (dir != null) removeQuietly(dir);
                }
            }
        }
        return new CgroupSandbox(CgroupMemory.Version.V1, memDir, mem.mountDir(), cpuDir, cpuLimited);
    }

    private static CgroupSandbox createV2(CgroupLayout.Location loc, String name, long limit, OptionalDouble cpuQuota)
            throws IOException {
        Path dir = makeGroup(loc.groupDir(), name);
        try {
            Path max = dir.resolve("memory.max");
            if (!Files.exists(max)) {
                throw new IOException("no memory.max in " + dir + ": the memory controller is not delegated to "
                        + loc.groupDir() + " (cgroup.subtree_control)");
            }
            write(max, Long.toString(limit));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) write(swap, "0");
        } catch (IOException | RuntimeException e) {
            removeQuietly(dir);
            throw new IOException("cannot set the memory limit of " + dir + ": " + e.getMessage(), e);
        }
        boolean cpuLimited = false;
        if (cpuQuota.isPresent()) {
            Path cpuMax = dir.resolve("cpu.max");
            if (!Files.exists(cpuMax)) {
                LOG.warn("cpu quota {} requested but the cpu controller is not enabled for {}: running without one",
                        cpuQuota.getAsDouble(), dir);
            } else {
                try {
                    write(cpuMax, quotaMicros(cpuQuota.getAsDouble()) + " " + CFS_PERIOD_US);
                    cpuLimited = true;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not set a cpu quota ({}): running without one", e.toString());
                }
            }
        }
        return new CgroupSandbox(CgroupMemory.Version.V2, dir, loc.mountDir(), null, cpuLimited);
    }

    private static long quotaMicros(double cores) {
        return Math.max(1000, Math.round(cores * CFS_PERIOD_US));
    }

    private static Path makeGroup(Path parent, String name) throws IOException {
        Path dir = parent.resolve(name);
        if (Files.exists(dir)) {
            try {
                Files.delete(dir); // a stale group left by a crashed run: rmdir works when no process is in it
            } catch (IOException e) {
                throw new IOException("cgroup " + dir + " already exists and cannot be removed (in use?): " + e, e);
            }
        }
        Files.createDirectory(dir);
        return dir;
    }

    private static void write(Path file, String value) throws IOException {
        // cgroup files exist already; never create or truncate them
        Files.writeString(file, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("could not remove cgroup {}: {}", dir, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Use

    /**
     * The command prefixed by a shell that moves itself into the group(s) and then execs it, so only that process
     * (and its children) run inside the limits. If joining fails the shell exits with {@value #JOIN_FAILED_EXIT}
     * without running the command.
     */
    public List<String> wrapCommand(List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        String script = joinShell() + "exec \"$@\"";
        List<String> out = new ArrayList<>(command.size() + 4);
        out.add("/bin/sh");
        out.add("-c");
        out.add(script);
        out.add("sh");
        out.addAll(command);
        return out;
    }

    /**
     * Shell commands (each ending in {@code "; "}) that move the running shell into the group(s), exiting with
     * {@value #JOIN_FAILED_EXIT} if that fails; for wrapper scripts that then {@code exec} their command.
     */
    public String joinShell() {
        StringBuilder script = new StringBuilder();
        for (Path procs : procsFiles()) {
            script.append("echo $$ > ").append(shellQuote(procs.toString()))
                    .append(" || exit ").append(JOIN_FAILED_EXIT).append("; ");
        }
        return script.toString();
    }

    private List<Path> procsFiles() {
        List<Path> out = new ArrayList<>(2);
        out.add(memoryDir.resolve("cgroup.procs"));
        if (cpuDir != null) out.add(cpuDir.resolve("cgroup.procs"));
        return out;
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** High-water mark of the group's raw usage (page cache included); -1 when unknown (v2 without memory.peak). */
    public long peakBytes() {
        return reader.peakBytes();
    }

    /** How many processes the kernel OOM-killed in the group. */
    public long oomKills() {
        return reader.oomKills();
    }

    /** The effective memory limit of the group. */
    public long limitBytes() {
        return reader.limitBytes();
    }

    /** Raw usage now (page cache included). */
    public long usageBytes() {
        return reader.usageBytes();
    }

    /** Usage minus inactive page cache now. */
    public long workingSetBytes() {
        return reader.workingSetBytes();
    }

    /**
     * Changes the CPU quota of a running group (the bench runner holds a burstable VM to its baseline once its
     * credits run out).
     *
     * @throws IllegalStateException when the group has no CPU quota ({@link #cpuLimited()} is false)
     * @throws IOException           when the quota file cannot be written
     */
    public void setCpuQuota(double cores) throws IOException {
        if (!cpuLimited) throw new IllegalStateException("no cpu quota on " + this);
        if (!(cores > 0)) throw new IllegalArgumentException("cpu quota must be > 0 cores: " + cores);
        if (cpuDir != null) {
            write(cpuDir.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros(cores)));
        } else {
            write(memoryDir.resolve("cpu.max"), quotaMicros(cores) + " " + CFS_PERIOD_US);
        }
    }

    /** The pids in the group now (empty when it has none or cannot be read). */
    public List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (String w : words(memoryDir.resolve("cgroup.procs"))) {
            try {
                out.add(Long.parseLong(w));
            } catch (NumberFormatException ignored) {
                // not a pid
            }
        }
        return out;
    }

    /** "v1" or "v2". */
    public String version() {
        return version == CgroupMemory.Version.V1 ? "v1" : "v2";
    }

    public Path memoryGroup() {
        return memoryDir;
    }

    /** The separate v1 cpu group, when one was created. */
    public Optional<Path> cpuGroup() {
        return Optional.ofNullable(cpuDir);
    }

    /** Whether a cpu quota is in force. */
    public boolean cpuLimited() {
        return cpuLimited;
    }

    /**
     * Removes the group(s). Processes still inside are moved to the parent group first (and a warning is logged).
     * Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (cpuDir != null) removeGroup(cpuDir, cpuParent);
        removeGroup(memoryDir, memoryParent);
    }

    private static boolean removeGroup(Path dir, Path parent) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        IOException last = null;
        boolean warned = false;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return true;
            } catch (IOException e) {
                last = e;
            }
            List<String> pids = words(dir.resolve("cgroup.procs"));
            if (!pids.isEmpty()) {
                if (!warned) {
                    LOG.warn("cgroup {} still has processes {}: moving them to {}", dir, pids, parent);
                    warned = true;
                }
                for (String pid : pids) {
                    try {
                        write(parent.resolve("cgroup.procs"), pid);
                    } catch (IOException ignored) {
                        // the process may have exited meanwhile
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) break;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        LOG.warn("could not remove cgroup {}: {}", dir, last.toString());
        return false;
    }

    @Override
    public String toString() {
        return "CgroupSandbox[" + version() + " " + memoryDir + (cpuDir == null ? "" : " + " + cpuDir) + "]";
    }
}
