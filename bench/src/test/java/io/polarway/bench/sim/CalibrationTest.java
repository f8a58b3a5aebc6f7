package io.polarway.bench.sim;

import io.polarway.bench.scenario.Scenario;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CalibrationTest {
    static final VmProfile B1S = VmProfile.load("B1s");

    @Test
    void aLineThroughReadTimesGivesOverheadAndCostPerRow() {
        List<double[]> pts = new ArrayList<>();
        for (int rows : new int[] {100, 500, 1000, 2000, 5000}) pts.add(new double[] {rows, 300_000 + 250.0 * rows});
        double[] line = Calibration.fitLine(pts);
        assertThat(line[0]).isCloseTo(300_000, within(1e-3));
        assertThat(line[1]).isCloseTo(250, within(1e-9));
        // one size only: the default overhead (at most half the time), the rest per row
        double[] one = Calibration.fitLine(List.of(new double[] {5000, 2_000_000}, new double[] {5000, 2_000_000}));
        assertThat(one[0]).isEqualTo(Workloads.DEFAULT_READ_OVERHEAD_NANOS);
        assertThat(one[1]).isCloseTo((2_000_000 - one[0]) / 5000, within(1e-9));
    }

    /**
     * A timeline as the bench writes it, from a stream whose non-Arrow memory is 50 MB, heap 16 MB, whose reads take
     * 0.2 ms + 300 ns/row at two chunk sizes, whose Arrow memory is resident as far as it is written, and whose freed
     * Arrow memory malloc keeps entirely (retention 1).
     */
    static Path recorded(Path dir, Workload.RowWidths widths) throws IOException {
        StringBuilder sb = new StringBuilder();
        long heap = 16_000_000;
        long hwm = 0;
        double t = 100;
        // Arrow rises to 40 chunks' worth, then falls to nothing: the working set stays at its high-water mark
        long[] arrowPath = new long[80];
        for (int i = 0; i < 40; i++) arrowPath[i] = (i + 1) * widths.bytes(0, 5000);
        for (int i = 40; i < 80; i++) arrowPath[i] = (79 - i) * widths.bytes(0, 5000);
        // the share of Arrow memory resident: what the layout writes (weighted by bytes over the chunks), as is
        double k = (double) (widths.residentBytes(0, 5000) + widths.residentBytes(0, 1000))
                / (widths.bytes(0, 5000) + widths.bytes(0, 1000));
        for (int i = 0; i < 80; i++) {
            int rows = i % 2 == 0 ? 5000 : 1000;
            long ns = 200_000 + 300L * rows;
            sb.append(String.format(Locale.ROOT, "{\"k\":\"c\",\"t\":%.1f,\"ask\":%d,\"rows\":%d,\"bytes\":%d,"
                    + "\"ns\":%d,\"ws\":0,\"arrow\":0,\"next\":%d,\"act\":\"HOLD\"}%n", t, rows, rows,
                    widths.bytes(0, rows), ns, rows));
            long arrow = arrowPath[i];
            hwm = Math.max(hwm, Math.round(k * arrow));
            long ws = 50_000_000 + heap + Math.max(Math.round(k * arrow), hwm);
            sb.append(String.format(Locale.ROOT, "{\"k\":\"s\",\"t\":%.1f,\"ws\":%d,\"cg\":%d,\"proc\":%d,"
                    + "\"arrow\":%d,\"heap\":%d,\"rows\":5000,\"paused\":0}%n", t + 1, ws, ws, ws, arrow, heap));
            t += 10;
        }
        sb.append("{\"k\":\"s\",\"t\":9999,\"ws\":12"); // a torn last line, as a killed run leaves
        Path f = dir.resolve("timeline.jsonl");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void aRecordedRunGivesReadCostsNonArrowMemoryAndRetention(@TempDir Path dir) throws IOException {
        Workload base = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Trace trace = Trace.read(recorded(dir, base.widths()));
        assertThat(trace.chunks()).hasSize(80);
        assertThat(trace.samples()).hasSize(80);
        assertThat(trace.hasHeap()).isTrue();
        assertThat(trace.hasReadTimes()).isTrue();

        Calibration.Result c = Calibration.fit(base, PolicySpec.of("guide"), B1S, trace);
        Workload w = c.workload();
        assertThat(c.fitted().get("bytes_ratio_recorded_to_model")).isEqualTo(1.0);
        assertThat(w.widths()).isEqualTo(base.widths());
        assertThat(w.readOverheadNanos()).isCloseTo(200_000, within(1L));
        assertThat(w.readNanosPerRow()).isCloseTo(300, within(1e-6));
        assertThat(w.mallocRetention()).isEqualTo(1.0);
        assertThat(w.residentShare()).isEqualTo(1.0);
        assertThat(w.nonArrowBytes()).isCloseTo(50_000_000, within(10_000L));
        assertThat(w.heapStartBytes()).isEqualTo(16_000_000);
        // no summary: nothing to fit the speed against
        assertThat(c.fitted().get("read_cost_scale")).isEqualTo(1.0);
    }

    /**
     * A run whose memory before the first chunk (216 MB, 200 MB of it not heap) is above what the fit finds later: the
     * non-Arrow level is held at the floor (0.9 × 200 MB), and the fit still reports a finite error instead of none.
     */
    @Test
    void memoryThatFallsBelowTheStartupFloorStillGivesAFit(@TempDir Path dir) throws IOException {
        Workload base = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Path f = recorded(dir, base.widths());
        Files.writeString(f, "{\"k\":\"s\",\"t\":50,\"ws\":216000000,\"cg\":216000000,\"proc\":216000000,"
                + "\"arrow\":0,\"heap\":16000000,\"rows\":0,\"paused\":0}\n" + Files.readString(f));
        Calibration.Result c = Calibration.fit(base, PolicySpec.of("guide"), B1S, Trace.read(f));
        assertThat((double) c.fitted().get("non_arrow_median_mb")).isCloseTo(180.0, within(0.1));
        assertThat((double) c.fitted().get("memory_fit_mae_mb")).isBetween(100.0, 200.0);
        assertThat(c.workload().nonArrowBytes()).isGreaterThanOrEqualTo(180_000_000L);
    }

    @Test
    void chunkBytesTheLayoutDoesNotExplainAreReplacedByTheRecordedMean(@TempDir Path dir) throws IOException {
        Workload base = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Trace trace = Trace.read(recorded(dir, Workload.RowWidths.linear(400)));
        Calibration.Result c = Calibration.fit(base, PolicySpec.of("guide"), B1S, trace);
        assertThat(c.workload().widths()).isEqualTo(Workload.RowWidths.linear(400));
    }

    @Test
    void calibratedCostsCarryToAnotherProfile(@TempDir Path dir) throws IOException {
        Workload b1s = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Workload cal = Calibration.fit(b1s, PolicySpec.of("guide"), B1S,
                Trace.read(recorded(dir, b1s.widths()))).workload();
        VmProfile b2s = VmProfile.load("B2s");
        Workload base = Workloads.of(Scenario.load("steady-generate"), b2s, "smoke");
        Workload moved = Calibration.transfer(cal, base);
        assertThat(moved.readNanosPerRow()).isEqualTo(cal.readNanosPerRow());
        assertThat(moved.mallocRetention()).isEqualTo(cal.mallocRetention());
        assertThat(moved.budgetBytes()).isEqualTo(b2s.recommendedLimitBytes());
        assertThat(moved.cpuCores()).isEqualTo(2);
        assertThat(moved.rows()).isEqualTo(base.rows());
    }
}
