package io.polarway.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polarway.config.ByteSize;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The engine's {@link MemoryProbe}: reads the memory cgroup, {@code /proc/self/status}, the JVM and the Arrow allocator.
 *
 * <p>Budget = min(configured limit if set, cgroup limit if any, physical RAM). The pressure signal
 * ({@link MemorySnapshot#workingSetBytes()}) is, in order of preference:
 * <ol>
 *   <li>{@code cgroup-v1}/{@code cgroup-v2}: the cgroup's usage minus inactive page cache, when the cgroup limit is
 *       the binding one (that is what the kernel's OOM killer compares against the limit, minus what it can
 *       reclaim);</li>
 *   <li>{@code process}: RssAnon + RssShmem of this process (Linux without a cgroup limit, or with a configured
 *       limit tighter than the cgroup's: that limit is about this process alone);</li>
 *   <li>{@code jvm}: heap used + direct buffers + Arrow + registered native pools (elsewhere).</li>
 * </ol>
 * Raw cgroup usage and VmRSS count reclaimable file pages and are reported but never used as the signal.
 *
 * <p>Thread-safe. {@link #sample()} costs a handful of small file reads plus MXBean calls. Physical RAM is read once
 * per JVM (OSHI is slow to initialise), on the first {@link #create}.
 */
public final class MemoryMonitor implements MemoryProbe {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final Object PHYSICAL_LOCK = new Object();
    private static volatile long physicalCache = 0;

    private final long configuredLimitBytes;
    private final BufferAllocator arrowAllocator;
    private final CgroupMemory cgroup;
    private final ProcessMemory process;
    private final long physicalBytes;
    private final MemoryMXBean memoryBean;
    private final BufferPoolMXBean directPool;
    private final Map<String, LongSupplier> nativePools = new ConcurrentHashMap<>();
    private volatile long budgetBytes;

    MemoryMonitor(long configuredLimitBytes, BufferAllocator arrowAllocatorOrNull, CgroupMemory cgroup,
                  ProcessMemory process, long physicalBytes) {
        this.configuredLimitBytes = configuredLimitBytes > 0 ? configuredLimitBytes : -1;
        this.arrowAllocator = arrowAllocatorOrNull;
        this.cgroup = Objects.requireNonNull(cgroup);
        this.process = Objects.requireNonNull(process);
        this.physicalBytes = physicalBytes;
        this.memoryBean = ManagementFactory.getMemoryMXBean();
        this.directPool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElse(null);
        this.budgetBytes = budget(cgroup.limitBytes());
    }

    /**
     * @param configuredLimitBytes  the user's memory limit, ≤ 0 for none
     * @param arrowAllocatorOrNull  the engine's root allocator, whose {@code getAllocatedMemory()} is reported
     */
    public static MemoryMonitor create(long configuredLimitBytes, BufferAllocator arrowAllocatorOrNull) {
        long physical = physicalBytes();
        CgroupMemory cgroup = CgroupMemory.detect(physical);
        LOG.debug("memory cgroup: {}", cgroup);
        return new MemoryMonitor(configuredLimitBytes, arrowAllocatorOrNull, cgroup, new ProcessMemory(), physical);
    }

    /**
     * Adds a native (JNI) memory pool to {@link MemorySnapshot#nativePoolBytes()}, e.g.
     * {@code registerNativePool("arrow-dataset", NativeMemoryPool.getDefault()::getBytesAllocated)}. Replaces a pool of
     * the same name.
     */
    public void registerNativePool(String name, LongSupplier bytes) {
        nativePools.put(Objects.requireNonNull(name), Objects.requireNonNull(bytes));
    }

    public void unregisterNativePool(String name) {
        nativePools.remove(name);
    }

    /** The cgroup this monitor reads. */
    public CgroupMemory cgroup() {
        return cgroup;
    }

    @Override
    public long budgetBytes() {
        return budgetBytes;
    }

    @Override
    public MemorySnapshot sample() {
        long now = System.nanoTime();
        CgroupMemory.Reading cg = cgroup.read();
        ProcessMemory.Reading proc = process.read();

        MemoryUsage heap = memoryBean.getHeapMemoryUsage();
        long heapUsed = heap.getUsed();
        long heapCommitted = heap.getCommitted();
        long heapMax = heap.getMax();
        long direct = directPool == null ? -1 : directPool.getMemoryUsed();
        long arrow = arrowAllocated();
        long nativeBytes = nativePoolBytes();

        long budget = budget(cg.limitBytes());
        budgetBytes = budget;

        long workingSet;
        String signal;
        // The cgroup's working set is the signal when its limit is the one that binds (that is what the OOM killer
        // compares). A configured limit below it is about this process alone, so then the process's own set counts.
        boolean cgroupBinds = cg.limitBytes() > 0
                && (configuredLimitBytes <= 0 || cg.limitBytes() <= configuredLimitBytes);
        if (cgroupBinds && cg.workingSetBytes() >= 0) {
            workingSet = cg.workingSetBytes();
            signal = cgroup.version().signal();
        } else if (proc.anonPlusShmemBytes() >= 0) {
            workingSet = proc.anonPlusShmemBytes();
            signal = "process";
        } else {
            workingSet = Math.max(0, heapUsed) + Math.max(0, direct) + Math.max(0, arrow) + Math.max(0, nativeBytes);
            signal = "jvm";
        }
        return new MemorySnapshot(now, budget, workingSet, signal, cg.limitBytes(), cg.usageBytes(),
                cg.workingSetBytes(), cg.peakBytes(), cg.oomKills(), proc.rssBytes(), proc.anonPlusShmemBytes(),
                heapUsed, heapCommitted, heapMax, direct, arrow, nativeBytes, physicalBytes);
    }

    private long budget(long cgroupLimit) {
        long b = Long.MAX_VALUE;
        if (configuredLimitBytes > 0) b = Math.min(b, configuredLimitBytes);
        if (cgroupLimit > 0) b = Math.min(b, cgroupLimit);
        if (physicalBytes > 0) b = Math.min(b, physicalBytes);
        return b == Long.MAX_VALUE ? -1 : b;
    }

    private long arrowAllocated() {
        if (arrowAllocator == null) return 0;
        try {
            return arrowAllocator.getAllocatedMemory();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private long nativePoolBytes() {
        long sum = 0;
        for (Map.Entry<String, LongSupplier> e : nativePools.entrySet()) {
            try {
                long v = e.getValue().getAsLong();
                if (v > 0) sum += v;
            } catch (RuntimeException ex) {
                LOG.debug("native pool {} failed to report: {}", e.getKey(), ex.toString());
            }
        }
        return sum;
    }

    /** Physical RAM: OSHI's {@code GlobalMemory.getTotal()}, else the OperatingSystemMXBean; read once per JVM. */
    static long physicalBytes() {
        long p = physicalCache;
        if (p != 0) return p;
        synchronized (PHYSICAL_LOCK) {
            if (physicalCache == 0) physicalCache = readPhysical();
            return physicalCache;
        }
    }

    private static long readPhysical() {
        try {
            long total = new oshi.SystemInfo().getHardware().getMemory().getTotal();
            if (total > 0) return total;
        } catch (Throwable t) { // OSHI can fail with LinkageError/UnsatisfiedLinkError on odd platforms
            LOG.debug("OSHI could not read physical memory: {}", t.toString());
        }
        try {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                long total = sun.getTotalMemorySize();
                if (total > 0) return total;
            }
        } catch (Throwable t) {
            LOG.debug("OperatingSystemMXBean could not read physical memory: {}", t.toString());
        }
        return -1;
    }

    /** The snapshot as one line of JSON with snake_case keys (plus {@code pressure}). */
    public static String toJson(MemorySnapshot snapshot) {
        ObjectNode node = JSON.valueToTree(snapshot);
        node.put("pressure", snapshot.pressure());
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@link #toJson} output. */
    public static MemorySnapshot fromJson(String json) {
        try {
            return JSON.readValue(json, MemorySnapshot.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints one snapshot as JSON. Optional argument: a configured limit such as {@code 600MB}.
     */
    public static void main(String[] args) {
        long limit = 0;
        if (args.length > 0) {
            if (args[0].equals("-h") || args[0].equals("--help")) {
                System.out.println("usage: MemoryMonitor [LIMIT e.g. 600MB]  -- prints one memory snapshot as JSON");
                return;
            }
            limit = ByteSize.parse(args[0]);
        }
        MemoryMonitor monitor = create(limit, null);
        System.out.println(toJson(monitor.sample()));
        System.out.flush();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MemoryMonitor[budget=%s, %s]", ByteSize.format(budgetBytes), cgroup);
    }
}
