package io.polarway.bench.sim;

import io.polarway.profile.VmProfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a recorded run into a workload: the structure comes from the scenario ({@link Workloads#of}), the figures from
 * the trace —
 * <ol>
 *   <li><b>bytes per row</b>: the scenario's Arrow layout is kept when it reproduces the recorded chunk bytes (within
 *       2 %), else replaced by the recorded mean;</li>
 *   <li><b>time per chunk</b>: a least-squares line {@code readNanos = overhead + perRow × rows} through the recorded
 *       read times after the first (with one chunk size only, the default overhead and the rest per row); the first
 *       read's excess over the line is the start-up time;</li>
 *   <li><b>non-Arrow memory</b>, <b>resident share</b> and <b>malloc retention</b>: for each sample after the first
 *       chunk, {@code working set − heap} is modelled as {@code nonArrow + share × max(A, retention × HWM(A))},
 *       {@code A} being the Arrow memory allocated (Arrow rounds buffers up and the untouched tail is not resident,
 *       unless malloc hands out memory touched before; malloc keeps freed memory in its arenas); the share (from what
 *       the layout writes to all of it, 51 steps) and the retention (0 to 1, step 0.02) minimising the mean absolute
 *       error win, {@code nonArrow} being the
 *       90th percentile of the residuals (the non-Arrow memory creeps up over a run, and the peak is what the budget
 *       cares about);</li>
 *   <li><b>machine speed</b>: the read cost (with the per-chunk overhead around it, {@link
 *       Workloads#DEFAULT_CHUNK_OVERHEAD_NANOS}) is scaled by bisection until the simulated run of the recorded policy
 *       takes the recorded time: what the read times do not show — the consumer's and the JVM's threads on the same
 *       cores, the machine's other tenants — is spread per row, as runs at several fixed sizes showed it is.</li>
 *   <li><b>heap growth</b>: when the consumer makes objects, the committed heap's recorded rise over the consumer's
 *       simulated peak of live objects.</li>
 * </ol>
 * The consumer's holding behaviour (workers, window, retained chunks, heap per row, sink) is the scenario's. Stateless.
 */
public final class Calibration {

    private Calibration() {
    }

    /**
     * The calibrated workload and what was fitted.
     *
     * @param workload        the calibrated workload
     * @param fitted          the fitted figures, by name, for reports
     * @param inSample        the recorded policy simulated on the calibrated workload
     */
    public record Result(Workload workload, Map<String, Object> fitted, SimResult inSample) {
    }

    /**
     * @param base     the scenario's workload under the profile (structure and default costs)
     * @param recorded the policy the trace ran
     * @param profile  the profile it ran under
     * @param trace    the recorded run
     */
    public static Result fit(Workload base, PolicySpec recorded, VmProfile profile, Trace trace) {
        Map<String, Object> fitted = new LinkedHashMap<>();
        Workload w = base;

        // 1. bytes per row
        List<Double> ratios = new ArrayList<>();
        for (Trace.ChunkEvent c : trace.chunks()) {
            if (c.rows() <= 0 || c.bytes() <= 0) continue;
            ratios.add(c.bytes() / (double) base.widths().bytes(0, c.rows()));
        }
        double ratio = median(ratios, 1.0);
        fitted.put("bytes_ratio_recorded_to_model", round(ratio, 4));
        if (!ratios.isEmpty() && Math.abs(ratio - 1) > 0.02) {
            w = w.withReads(Workload.RowWidths.linear(trace.bytesPerRow()), w.readOverheadNanos(),
                    w.readNanosPerRow(), w.readNanosPerByte());
            fitted.put("widths", "recorded mean " + round(trace.bytesPerRow(), 1) + " B/row");
        } else {
            fitted.put("widths", "scenario layout (" + w.widths() + ")");
        }

        // 2. time per chunk (the first read carries the start-up: class loading, compilation)
        if (trace.hasReadTimes()) {
            List<double[]> pts = new ArrayList<>();
            List<Trace.ChunkEvent> cs = trace.chunks();
            for (int i = 1; i < cs.size(); i++) {
                Trace.ChunkEvent c = cs.get(i);
                if (c.rows() > 0 && c.readNanos() > 0) pts.add(new double[] {c.rows(), c.readNanos()});
            }
            double[] line = fitLine(pts);
            long startup = 0;
            if (!cs.isEmpty() && cs.get(0).readNanos() > 0) {
                startup = Math.max(0, Math.round(cs.get(0).readNanos() - line[0] - line[1] * cs.get(0).rows()));
            }
            w = w.withReads(w.widths(), Math.round(line[0]), line[1], 0).withOverheads(w.chunkOverheadNanos(), startup);
            fitted.put("read_overhead_ms", round(line[0] / 1e6, 3));
            fitted.put("read_ns_per_row", round(line[1], 1));
            fitted.put("startup_ms", round(startup / 1e6, 1));
        }

        // 3. memory: how much of the allocated Arrow memory is resident (k), what malloc keeps (rho), the rest
        double firstChunk = trace.chunks().isEmpty() ? 0 : trace.chunks().get(0).tMillis();
        List<double[]> mem = new ArrayList<>(); // {ws - heap, arrow allocated, its high-water mark}
        double hwm = 0;
        long heapStart = -1;
        long heapMax = 0;
        for (Trace.Sample s : trace.samples()) {
            if (s.arrow() >= 0) hwm = Math.max(hwm, s.arrow());
            if (s.heap() >= 0 && heapStart < 0) heapStart = s.heap();
            if (s.heap() >= 0) heapMax = Math.max(heapMax, s.heap());
            if (s.tMillis() < firstChunk || s.workingSet() <= 0 || s.arrow() < 0) continue;
            long heap = Math.max(0, s.heap());
            mem.add(new double[] {s.workingSet() - heap, s.arrow(), hwm});
        }
        // the layout's written share of the allocation, weighted by bytes over the recorded chunks
        double allocated = 0;
        double written = 0;
        for (Trace.ChunkEvent c : trace.chunks()) {
            if (c.rows() <= 0) continue;
            allocated += w.widths().bytes(0, c.rows());
            written += w.widths().residentBytes(0, c.rows());
        }
        double layoutShare = allocated <= 0 ? 1 : written / allocated;
        // the JVM before the first chunk: a floor for the non-Arrow memory (it only grows), so the fit cannot trade it
        // for a larger Arrow share
        List<Double> before = new ArrayList<>();
        for (Trace.Sample s : trace.samples()) {
            if (s.tMillis() < firstChunk && s.workingSet() > 0) before.add((double) s.workingSet() - Math.max(0, s.heap()));
        }
        double floor = before.isEmpty() ? 0 : 0.9 * median(before, 0);
        fitted.put("written_share_of_arrow", round(layoutShare, 3));
        if (!mem.isEmpty()) {
            double bestLoss = Double.MAX_VALUE;
            double bestRetention = 0;
            double bestShare = layoutShare;
            double bestNonArrow = 0;
            for (int ki = 0; ki <= 50; ki++) {
                double share = layoutShare + ki * (1 - layoutShare) / 50;
                for (int i = 0; i <= 50; i++) {
                    double rho = i / 50.0;
                    double[] e = residuals(mem, share, rho);
                    // held at the floor rather than skipped: when every candidate's median lies below it (a run
                    // whose memory fell after start) the fit still has a level, and its loss says how far off it is
                    double nonArrow = Math.max(median(e), floor);
                    double loss = 0;
                    for (double v : e) loss += Math.abs(v - nonArrow);
                    if (loss < bestLoss - 1e-6) {
                        bestLoss = loss;
                        bestRetention = rho;
                        bestShare = share;
                        bestNonArrow = nonArrow;
                    }
                }
            }
            // the level the fit found is a median; the non-Arrow memory creeps up over a run (compiled code,
            // metaspace, GC structures), and the peak is what matters for the budget: take its 90th percentile
            double nonArrowP90 = Math.max(floor, quantile(residuals(mem, bestShare, bestRetention), 0.9));
            long hs = trace.hasHeap() ? heapStart : 0;
            w = w.withMemory(Math.max(0, Math.round(nonArrowP90)), hs, w.heapGrowth(), bestRetention)
                    .withResidentShare(Math.max(1, bestShare / layoutShare));
            fitted.put("resident_share_of_arrow", round(bestShare, 2));
            fitted.put("malloc_retention", round(bestRetention, 2));
            fitted.put("non_arrow_mb", round(nonArrowP90 / 1e6, 1));
            fitted.put("non_arrow_median_mb", round(bestNonArrow / 1e6, 1));
            fitted.put("memory_fit_mae_mb", round(bestLoss / mem.size() / 1e6, 2));
            if (trace.hasHeap()) {
                fitted.put("heap_start_mb", round(heapStart / 1e6, 1));
                fitted.put("heap_max_recorded_mb", round(heapMax / 1e6, 1));
            }
        }

        // 4. machine speed: the read cost scaled until the recorded policy takes the recorded time
        double elapsedMs = trace.elapsedMillis();
        double speed = 1;
        long overhead = w.chunkOverheadNanos();
        if (elapsedMs > 0 && trace.summaryNumber("rows", 0) > 0) {
            double lo = 0.02;
            double hi = 50;
            Workload fw = w;
            for (int i = 0; i < 40; i++) {
                double mid = Math.sqrt(lo * hi);
                double ms = Simulator.run(fw.withReadCostScaled(mid), recorded, profile).elapsedNanos() / 1e6;
                if (ms < elapsedMs) lo = mid;
                else hi = mid;
            }
            speed = Math.sqrt(lo * hi);
            w = w.withReadCostScaled(speed);
            overhead = w.chunkOverheadNanos();
        }
        // 5. heap growth: committed heap per byte of the consumer's heap live at its peak, as the simulation has it
        if (trace.hasHeap() && base.consumer().heapBytesPerRow() > 0) {
            SimResult r = Simulator.run(w, recorded, profile);
            if (r.peakHeapLiveBytes() > 0) {
                double growth = Math.max(1, Math.min(5, (double) (heapMax - heapStart) / r.peakHeapLiveBytes()));
                w = w.withMemory(w.nonArrowBytes(), w.heapStartBytes(), growth, w.mallocRetention());
                fitted.put("heap_growth", round(growth, 2));
            }
        }
        fitted.put("chunk_overhead_ms", round(overhead / 1e6, 3));
        fitted.put("read_cost_scale", round(speed, 3));
        SimResult in = Simulator.run(w, recorded, profile);
        fitted.put("in_sample_rows_per_s", Math.round(in.rowsPerSecond()));
        fitted.put("recorded_rows_per_s", Math.round(trace.summaryNumber("rows_per_s", 0)));
        fitted.put("in_sample_peak_mb", round(in.peakBytes() / 1e6, 1));
        fitted.put("recorded_peak_mb", round(trace.peakBytes() / 1e6, 1));
        return new Result(w.named(base.name() + " (calibrated)"), fitted, in);
    }

    private static double[] residuals(List<double[]> mem, double share, double rho) {
        double[] e = new double[mem.size()];
        for (int j = 0; j < e.length; j++) {
            double[] m = mem.get(j);
            e[j] = m[0] - share * Math.max(m[1], rho * m[2]);
        }
        return e;
    }

    /**
     * A workload with {@code calibrated}'s costs and memory figures (read costs, row widths when recorded, non-Arrow
     * memory, heap start and growth, malloc retention) and {@code base}'s structure: the same scenario calibrated on
     * one profile, carried to another (its CPU, limits and consumer stay {@code base}'s).
     */
    public static Workload transfer(Workload calibrated, Workload base) {
        Workload.RowWidths widths = calibrated.widths().arrowRounding() ? base.widths() : calibrated.widths();
        return base.withReads(widths, calibrated.readOverheadNanos(), calibrated.readNanosPerRow(),
                        calibrated.readNanosPerByte())
                .withMemory(calibrated.nonArrowBytes(), calibrated.heapStartBytes(), calibrated.heapGrowth(),
                        calibrated.mallocRetention())
                .named(base.name() + " (costs from " + calibrated.name() + ")");
    }

    /** {intercept, slope} of a least-squares line; one x value only: the default overhead, the rest per row. */
    static double[] fitLine(List<double[]> pts) {
        if (pts.isEmpty()) {
            return new double[] {Workloads.DEFAULT_READ_OVERHEAD_NANOS, Workloads.DEFAULT_READ_NANOS_PER_ROW};
        }
        double n = pts.size();
        double sx = 0;
        double sy = 0;
        for (double[] p : pts) {
            sx += p[0];
            sy += p[1];
        }
        double mx = sx / n;
        double my = sy / n;
        double sxx = 0;
        double sxy = 0;
        for (double[] p : pts) {
            sxx += (p[0] - mx) * (p[0] - mx);
            sxy += (p[0] - mx) * (p[1] - my);
        }
        double cv = Math.sqrt(sxx / n) / Math.max(1, mx);
        if (cv < 0.1) {
            double a = Math.min(Workloads.DEFAULT_READ_OVERHEAD_NANOS, my / 2);
            return new double[] {a, Math.max(0, (my - a) / mx)};
        }
        double b = sxy / sxx;
        double a = my - b * mx;
        if (a < 0 || b < 0) {
            // through the origin
            double sxx0 = 0;
            double sxy0 = 0;
            for (double[] p : pts) {
                sxx0 += p[0] * p[0];
                sxy0 += p[0] * p[1];
            }
            return new double[] {0, Math.max(0, sxy0 / sxx0)};
        }
        return new double[] {a, b};
    }

    static double median(List<Double> v, double fallback) {
        if (v.isEmpty()) return fallback;
        double[] a = new double[v.size()];
        for (int i = 0; i < a.length; i++) a[i] = v.get(i);
        return median(a);
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double quantile(double[] a, double q) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /** A one-line summary of the fitted figures. */
    public static String describe(Map<String, Object> fitted) {
        StringBuilder sb = new StringBuilder();
        fitted.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
