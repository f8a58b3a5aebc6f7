package io.polarway.bench.sim;

import io.polarway.bench.scenario.Scenario;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorTest {
    static final VmProfile B1S = VmProfile.load("B1s");
    static final long MB = 1_000_000;

    /**
     * A plain workload: {@code rows} rows of 100 B (no rounding), 1 ms + 1 µs/row per read, one reader with prefetch,
     * one worker with a window of one chunk, no per-chunk overhead, no start-up, 100 MB of non-Arrow memory.
     */
    static Workload plain(long rows, Workload.Consumer consumer, double cores, long budget, long limit, boolean guards,
                          double retention) {
        return new Workload("plain", rows, Workload.RowWidths.linear(100), 1_000_000, 1_000, 0, 0, 0, 0, 1, 1, true,
                true, Long.MAX_VALUE, consumer, cores, budget, limit, guards, 100 * MB, 0, 256 * MB, 2.0, retention,
                1.0, 1000, 1_000_000_000L, 30_000_000_000L);
    }

    static Workload.Consumer idle() {
        return new Workload.Consumer(1, 1, 0, 0, 0, 0);
    }

    static PolicySpec fixed(int rows) {
        return PolicySpec.of("fixed").with("chunk_rows", Integer.toString(rows));
    }

    @Test
    void aReaderBoundStreamTakesItsReadTimes() {
        // 10 chunks of 1 000 rows, each 1 ms + 1 000 × 1 µs: 20 ms; the consumer costs nothing
        SimResult r = Simulator.run(plain(10_000, idle(), 1, 600 * MB, 1024 * MB, true, 0), fixed(1000), B1S);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.rows()).isEqualTo(10_000);
        assertThat(r.chunks()).isEqualTo(10);
        assertThat(r.elapsedNanos()).isEqualTo(20_000_000);
        assertThat(r.rowsPerSecond()).isEqualTo(500_000);
        // non-Arrow memory plus one chunk being read (100 kB); the worker frees each chunk at once
        assertThat(r.peakBytes()).isEqualTo(100 * MB + 100_000);
        assertThat(r.pauses()).isZero();
    }

    @Test
    void readersAndBusyWorkersShareTheCores() {
        // one core; the worker spins 1 µs per row (1 ms per chunk of wall time) while the reader needs 2 ms of CPU
        // per chunk: while both run the reader gets half the core. First read 2 ms alone; then each chunk: 1 ms
        // shared (0.5 ms of CPU) + 1.5 ms alone; the last chunk's work 1 ms: 2 + 9 × 2.5 + 1 = 25.5 ms
        Workload.Consumer busy = new Workload.Consumer(1, 1, 1_000, 0, 0, 0);
        SimResult oneCore = Simulator.run(plain(10_000, busy, 1, 600 * MB, 1024 * MB, true, 0), fixed(1000), B1S);
        assertThat(oneCore.elapsedNanos()).isEqualTo(25_500_000);
        // two cores: no sharing, 10 × 2 ms + the last chunk's work
        SimResult twoCores = Simulator.run(plain(10_000, busy, 2, 600 * MB, 1024 * MB, true, 0), fixed(1000), B1S);
        assertThat(twoCores.elapsedNanos()).isEqualTo(21_000_000);
    }

    @Test
    void aReadsLatencyIsWaitedNotComputed() {
        // 10 chunks, each 10 ms of waiting then 2 ms of CPU; the busy worker (1 ms a chunk) overlaps the wait, so it
        // never takes CPU from the reader: 10 × 12 ms + the last chunk's work
        Workload.Consumer busy = new Workload.Consumer(1, 1, 1_000, 0, 0, 0);
        Workload w = plain(10_000, busy, 1, 600 * MB, 1024 * MB, true, 0).withReadLatency(10_000_000);
        SimResult r = Simulator.run(w, fixed(1000), B1S);
        assertThat(r.elapsedNanos()).isEqualTo(121_000_000);
        // the policy sees the latency in the read time: a drain target below it shrinks the chunk to the minimum
        SimResult drain = Simulator.run(w.withReadLatency(200_000_000), PolicySpec.of("drain")
                .with("target_chunk_ms", "100").with("min_chunk_rows", "100"), B1S);
        assertThat(drain.minChunkRows()).isEqualTo(100);
    }

    @Test
    void withoutGuardsMemoryPastTheCgroupLimitIsAnOomKill() {
        // the consumer keeps the last 5 chunks: 6 × 200 MB of Arrow over 100 MB non-Arrow passes 1 GB
        Workload.Consumer keeper = new Workload.Consumer(1, 1, 0, 0, 5, 0);
        Workload w = plain(20_000_000, keeper, 1, 1000 * MB, 1000 * MB, false, 0);
        SimResult r = Simulator.run(w, fixed(2_000_000), B1S);
        assertThat(r.outcome()).isEqualTo("oom_killed");
        assertThat(r.peakBytes()).isGreaterThan(1000 * MB);
        assertThat(r.rowsPerSecond()).isZero();
    }

    @Test
    void aChunkLargerThanTheDataLimitIsHalvedUntilItFits() {
        // budget 600 MB, non-Arrow 100 MB: data limit 600 − 100 − 30 = 470 MB; a 6-million-row chunk (600 MB) halves
        // to 3 million rows (300 MB)
        SimResult r = Simulator.run(plain(6_000_000, idle(), 1, 600 * MB, 1024 * MB, true, 0), fixed(6_000_000), B1S);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.limitRetries()).isEqualTo(1);
        assertThat(r.chunks()).isEqualTo(2);
        assertThat(r.peakBytes()).isLessThanOrEqualTo(600 * MB);
    }

    @Test
    void theGatePausesAboveItsMarkAndResumesWhenChunksAreReleased() {
        // a slow sink (10 MB/s, 10 MB chunks: 1 s each) with a window of 40 chunks: the queue is unbounded, so
        // memory climbs until the gate pauses (above 90 % of 600 MB), then falls as the sink drains
        Workload.Consumer slowSink = new Workload.Consumer(1, 40, 0, 10e6, 0, 0);
        Workload w = plain(5_000_000, slowSink, 1, 600 * MB, 1024 * MB, true, 0);
        SimResult r = Simulator.run(w, fixed(100_000), B1S);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.gatePauses()).isGreaterThan(0);
        assertThat(r.stallResumes()).isZero();
        assertThat(r.peakBytes()).isLessThanOrEqualTo(600 * MB);
        // the sink bounds the run: 500 MB at 10 MB/s
        assertThat(r.elapsedNanos()).isBetween(50_000_000_000L, 51_000_000_000L);
    }

    @Test
    void memoryMallocKeepsStaysAboveTheResumeMarkAndOnlyTheStallTimeoutResumes() {
        // the same, but malloc keeps every freed byte: once paused, memory never falls below 70 %
        Workload.Consumer slowSink = new Workload.Consumer(1, 40, 0, 10e6, 0, 0);
        Workload w = plain(5_000_000, slowSink, 1, 600 * MB, 1024 * MB, true, 1.0);
        SimResult r = Simulator.run(w, fixed(100_000), B1S);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.stallResumes()).isGreaterThan(0);
        assertThat(r.pausedNanos()).isGreaterThanOrEqualTo(30_000_000_000L * r.stallResumes());
    }

    @Test
    void theSameWorkloadAndPolicyGiveTheSameResult() {
        Workload w = Workloads.of(Scenario.load("slow-consumer-backpressure"), B1S, "smoke", 1);
        for (String policy : List.of("guide", "aimd", "drain", "gradient")) {
            List<long[]> a = new ArrayList<>();
            List<long[]> b = new ArrayList<>();
            SimResult ra = Simulator.run(w, PolicySpec.of(policy).settings(B1S, w.initialChunkRows()), a);
            SimResult rb = Simulator.run(w, PolicySpec.of(policy).settings(B1S, w.initialChunkRows()), b);
            assertThat(ra).isEqualTo(rb);
            assertThat(a).hasSameSizeAs(b);
            for (int i = 0; i < a.size(); i++) assertThat(a.get(i)).containsExactly(b.get(i));
        }
    }

    @Test
    void theScenariosEndAsTheyExpectInSimulationToo() {
        for (String name : Scenario.names()) {
            Scenario sc = Scenario.load(name);
            for (VmProfile p : sc.resolvedProfiles("smoke")) {
                Workload w = Workloads.of(sc, p, "smoke", Math.min(2, p.vcpus()));
                SimResult r = Simulator.run(w, Workloads.policy(sc), p);
                assertThat(r.outcome()).as("%s on %s", name, p.label()).isEqualTo(sc.expect().outcome());
                if (r.completed()) {
                    assertThat(r.rows()).isEqualTo(sc.dataset().rows(p, "smoke"));
                    assertThat(r.maxChunkRows()).isLessThanOrEqualTo(p.maxChunkRows());
                }
            }
        }
    }

    @Test
    void theGenerateLayoutReproducesTheRecordedChunkBytes() {
        // chunk bytes as recorded by cgroup runs of the scenarios (timeline.jsonl)
        Workload.RowWidths steady = Workloads.widths(Scenario.load("steady-generate").dataset());
        assertThat(steady.bytes(0, 5000)).isEqualTo(755_712);
        assertThat(steady.bytes(0, 4354)).isEqualTo(755_712);
        Workload.RowWidths wide = Workloads.widths(Scenario.load("slow-consumer-backpressure").dataset());
        assertThat(wide.bytes(0, 5000)).isEqualTo(17_006_592);
        assertThat(wide.bytes(0, 2108)).isEqualTo(4_308_992);
        Workload.RowWidths large = Workloads.widths(Scenario.load("adaptive-large-chunks").dataset());
        assertThat(large.bytes(0, 5000)).isEqualTo(8_552_448);
        assertThat(large.bytes(0, 2483)).isEqualTo(4_276_224);
        assertThat(large.bytes(0, 400_000)).isEqualTo(402_485_760); // above 16 MiB a buffer is not rounded
        // written bytes: no rounding
        // written bytes, not rounded: three 8-byte columns with validity (40 625 B each), 1 972-byte strings, offsets
        assertThat(wide.residentBytes(0, 5000)).isEqualTo(3 * 40_625 + 5000L * 1972 + 20_625);
    }

    @Test
    void widthsCanChangeAlongTheStream() {
        Workload.RowWidths w = Workload.RowWidths.linear(100).thenScaled(1000, 4);
        assertThat(w.bytes(0, 10)).isEqualTo(1000);
        assertThat(w.bytes(1000, 10)).isEqualTo(4000);
        assertThat(w.bytes(999, 10)).isEqualTo(1000); // the segment at the first row sizes the chunk
        Map<String, Workload> synthetic = Workloads.synthetic(Workloads.of(Scenario.load("steady-generate"), B1S,
                "smoke"));
        assertThat(synthetic).containsKeys("widen", "stall");
        Workload widen = synthetic.get("widen");
        assertThat(widen.widths().bytes(widen.rows() / 2, 5000)).isGreaterThan(widen.widths().bytes(0, 5000));
    }
}
