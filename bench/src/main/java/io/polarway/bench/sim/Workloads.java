package io.polarway.bench.sim;

import io.polarway.bench.scenario.Scenario;
import io.polarway.config.ByteSize;
import io.polarway.profile.VmProfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Workloads for the simulator: a bench scenario under a VM profile (the structure — rows, row layout, readers, queue
 * bound, consumer, memory limits — from the scenario and the profile; the costs from defaults measured on this
 * project's machines, or from a recorded run through {@link Calibration}), and synthetic ones that stress what the
 * scenarios do not.
 */
public final class Workloads {
    /**
     * Default costs of the {@code generate} source and the JVM, fitted by {@link Calibration} on cgroup runs of the
     * bench scenarios on a 2-vCPU EPYC machine (JDK 17, see docs/tuning.md); a calibrated workload replaces them.
     */
    public static final long DEFAULT_READ_OVERHEAD_NANOS = 150_000;
    public static final double DEFAULT_READ_NANOS_PER_ROW = 250;
    public static final double DEFAULT_READ_NANOS_PER_BYTE = 1.0;
    /**
     * CPU per chunk besides the read (two memory samples, the policy, the queue). Fixed-size runs of steady-generate
     * on B1s at 5 000, 1 000 and 300 rows per chunk put the whole per-chunk cost at about 0.4 ms (see docs/tuning.md);
     * with the read's own per-chunk part ({@link #DEFAULT_READ_OVERHEAD_NANOS}, scaled by calibration) that leaves
     * 0.1 ms here.
     */
    public static final long DEFAULT_CHUNK_OVERHEAD_NANOS = 100_000;
    public static final long DEFAULT_STARTUP_NANOS = 500_000_000;
    public static final long DEFAULT_NON_ARROW_BYTES = 45L << 20;
    public static final long DEFAULT_HEAP_START_BYTES = 16L << 20;
    public static final double DEFAULT_HEAP_GROWTH = 2.0;
    /**
     * Share of the Arrow high-water mark glibc keeps resident with its default dynamic mmap threshold (fitted: 0.9 to
     * 1.0 on the slow-consumer runs); with a fixed {@code MALLOC_MMAP_THRESHOLD_} in the profile's JVM environment
     * freed buffers go back to the kernel and the fits give 0.
     */
    public static final double DEFAULT_MALLOC_RETENTION = 0.9;

    private Workloads() {
    }

    /** The scenario under the profile, CPU as the profile's vCPUs, with the default costs. */
    public static Workload of(Scenario sc, VmProfile p, String suite) {
        return of(sc, p, suite, p.vcpus());
    }

    /**
     * The scenario under the profile with {@code cpuCores} of CPU (a cgroup run on a machine with fewer cores than
     * the profile has vCPUs gets fewer), with the default costs.
     */
    public static Workload of(Scenario sc, VmProfile p, String suite, double cpuCores) {
        Scenario.Dataset d = sc.dataset();
        Scenario.Stream s = sc.stream();
        long rows = d.rows(p, suite);
        long budget = switch (s.memoryLimit()) {
            case "recommended" -> p.recommendedLimitBytes();
            case "none" -> p.ramBytes();
            default -> ByteSize.parse(s.memoryLimit());
        };
        int parallelism = (int) Math.max(1, Math.ceil(cpuCores));
        int splits = 1;
        if (s.parallel()) {
            String opt = d.options().get("splits");
            splits = opt != null && Integer.parseInt(opt) > 0 ? Integer.parseInt(opt) : parallelism;
        }
        int readers = s.parallel() ? Math.min(parallelism, splits) : 1;
        boolean guards = s.guards();
        long queue = !guards ? Long.MAX_VALUE
                : s.maxQueueFraction() > 0 ? (long) (budget * s.maxQueueFraction()) : Math.max(1, budget / 4);
        Scenario.Consumer c = sc.consumer();
        Workload.Consumer consumer = new Workload.Consumer(c.workers(), c.windowChunks(), c.workNsPerRow(),
                c.sinkMbPerS() * 1e6, c.retainChunks(), c.heapBytesPerRow());
        return new Workload(sc.name() + "@" + p.label(), rows, widths(d), DEFAULT_READ_OVERHEAD_NANOS,
                DEFAULT_READ_NANOS_PER_ROW, DEFAULT_READ_NANOS_PER_BYTE, DEFAULT_CHUNK_OVERHEAD_NANOS,
                DEFAULT_STARTUP_NANOS, 0, splits, readers, s.prefetch(), true, queue,
                consumer, cpuCores, budget, p.ramBytes(), guards, DEFAULT_NON_ARROW_BYTES, DEFAULT_HEAP_START_BYTES,
                (long) (p.ramBytes() * p.jvm().heapFraction()), DEFAULT_HEAP_GROWTH,
                p.jvm().env().containsKey("MALLOC_MMAP_THRESHOLD_") ? 0.0 : DEFAULT_MALLOC_RETENTION,
                1.0, s.chunkRows(), 1_000_000_000L, 30_000_000_000L);
    }

    /** The policy a scenario runs, as a spec. */
    public static PolicySpec policy(Scenario sc) {
        return new PolicySpec(sc.stream().policy(), sc.stream().params());
    }

    /**
     * The Arrow buffers of a dataset's rows. For the {@code generate} source they follow its layout exactly (an
     * {@code id} int64, then the columns cycling through the types, strings sized to reach {@code row_width_bytes};
     * a fixed-width column is one buffer with its validity bits, a string column a data buffer and an offsets buffer
     * with its validity bits), rounded as Arrow rounds them — this reproduces the recorded chunk bytes exactly. Other
     * sources: {@code row_width_bytes} per row.
     */
    static Workload.RowWidths widths(Scenario.Dataset d) {
        if (!d.source().equals("generate")) return Workload.RowWidths.linear(d.rowWidthBytes());
        int columns = Integer.parseInt(d.options().getOrDefault("columns", "4"));
        String[] cycle = d.options().getOrDefault("types", "int64,float64,utf8,bool").split(",");
        List<String> types = new ArrayList<>();
        for (int i = 0; i < columns; i++) types.add(cycle[i % cycle.length].trim().toLowerCase(Locale.ROOT));
        long utf8 = types.stream().filter("utf8"::equals).count();
        long fixed = 8;
        for (String t : types) fixed += fixedWidth(t);
        long stringLength = utf8 > 0 ? Math.max(0, (d.rowWidthBytes() - fixed) / utf8 - 4) : 0;
        List<Double> buffers = new ArrayList<>();
        buffers.add(8 + 0.125); // id
        for (String t : types) {
            if (t.equals("utf8")) {
                buffers.add((double) stringLength);
                buffers.add(4 + 0.125);
            } else if (t.equals("bool")) {
                buffers.add(0.25);
            } else {
                buffers.add(fixedWidth(t) + 0.125);
            }
        }
        double[] b = new double[buffers.size()];
        for (int i = 0; i < b.length; i++) b[i] = buffers.get(i);
        return Workload.RowWidths.arrow(b);
    }

    private static int fixedWidth(String type) {
        return switch (type) {
            case "int64", "float64", "timestamp" -> 8;
            case "int32", "date" -> 4;
            case "bool" -> 1;
            default -> 0;
        };
    }

    /**
     * Synthetic workloads built on a scenario's: {@code widen} (rows four times as wide from the middle of the
     * stream on, as when a table's later partitions carry a large text column), {@code latency} (every read first
     * waits 200 ms, as a remote source's round trip: a policy that sizes chunks by time must not shrink them to
     * nothing) and {@code stall} (the consumer ten times slower: busy work per row ×10 — a downstream slowdown).
     */
    public static Map<String, Workload> synthetic(Workload base) {
        Map<String, Workload> m = new LinkedHashMap<>();
        m.put("widen", new Workload(base.name() + "+widen", base.rows(),
                base.widths().thenScaled(base.rows() / 2, 4.0), base.readOverheadNanos(), base.readNanosPerRow(),
                base.readNanosPerByte(), base.chunkOverheadNanos(), base.startupNanos(), base.readLatencyNanos(), base.splits(), base.readers(), base.prefetch(), base.ordered(),
                base.maxQueueBytes(), base.consumer(), base.cpuCores(), base.budgetBytes(), base.limitBytes(),
                base.guards(), base.nonArrowBytes(), base.heapStartBytes(), base.heapMaxBytes(), base.heapGrowth(),
                base.mallocRetention(), base.residentShare(), base.initialChunkRows(), base.releaseWaitNanos(), base.stallNanos()));
        Workload.Consumer c = base.consumer();
        Workload.Consumer slow = new Workload.Consumer(c.workers(), c.windowChunks(),
                Math.max(200, c.workNanosPerRow() * 10), c.sinkBytesPerSecond() / 10, c.retainChunks(),
                c.heapBytesPerRow());
        m.put("latency", base.withReadLatency(200_000_000L).named(base.name() + "+latency"));
        m.put("stall", new Workload(base.name() + "+stall", base.rows(), base.widths(), base.readOverheadNanos(),
                base.readNanosPerRow(), base.readNanosPerByte(), base.chunkOverheadNanos(), base.startupNanos(), base.readLatencyNanos(),
                base.splits(), base.readers(), base.prefetch(),
                base.ordered(), base.maxQueueBytes(), slow, base.cpuCores(), base.budgetBytes(), base.limitBytes(),
                base.guards(), base.nonArrowBytes(), base.heapStartBytes(), base.heapMaxBytes(), base.heapGrowth(),
                base.mallocRetention(), base.residentShare(), base.initialChunkRows(), base.releaseWaitNanos(), base.stallNanos()));
        return m;
    }
}
