package io.polarway.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code polarway tune} run in-process: the table on stdout, the files with --out, usage errors. */
class TuneCommandTest {
    @TempDir
    Path tmp;

    @Test
    void simulatesThePoliciesAndWritesTheCsvTheChartAndTheTable() throws Exception {
        Path out = tmp.resolve("tune");
        PolarwayCliTest.Run r = PolarwayCliTest.run("tune", "--profile", "B1s", "--scenario",
                "slow-consumer-backpressure", "--size", "smoke", "--policies", "guide,drain", "--grid",
                "pause_above=0.9,0.95", "--grid", "drain:target_chunk_ms=100,500", "--synthetic", "--out",
                out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("slow-consumer-backpressure@B1s").contains("guide (the guide's policy)")
                .contains("drain (defaults)").contains("oracle (best fixed size)").contains("+widen")
                .contains("+stall").contains("+latency");
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        // per workload: guide defaults + 2, drain defaults + 2 × 2, the oracle's sizes; four workloads (the scenario,
        // +widen, +latency, +stall)
        assertThat(csv.get(0)).startsWith("workload,profile,policy,params,kind,outcome,rows_per_s");
        assertThat(csv.stream().filter(l -> l.contains(",guide,")).count()).isEqualTo(4 * 3);
        assertThat(csv.stream().filter(l -> l.contains(",drain,")).count()).isEqualTo(4 * 5);
        assertThat(csv.stream().filter(l -> l.contains(",oracle,")).count()).isGreaterThan(4 * 30);
        assertThat(Files.readString(out.resolve("table.md"))).contains("| policy | parameters | outcome |")
                .contains("![Pareto chart](pareto-slow-consumer-backpressure_B1s.svg)");
        assertThat(Files.readString(out.resolve("pareto-slow-consumer-backpressure_B1s.svg"))).startsWith("<svg");
        assertThat(Files.list(out).filter(p -> p.toString().endsWith(".svg")).count()).isEqualTo(4);
    }

    @Test
    void randomSearchCalibratedFromARecordedRun() throws Exception {
        // a recorded run: one chunk event and memory samples, as the bench writes them
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append("{\"k\":\"c\",\"t\":").append(100 + i * 10).append(",\"ask\":5000,\"rows\":5000,\"bytes\":755712,"
                    + "\"ns\":3000000,\"ws\":60000000,\"arrow\":755712,\"next\":5000,\"act\":\"HOLD\"}\n");
            sb.append("{\"k\":\"s\",\"t\":").append(101 + i * 10).append(",\"ws\":").append(60_000_000 + i * 1000)
                    .append(",\"cg\":-1,\"proc\":0,\"arrow\":755712,\"heap\":16000000,\"rows\":5000,\"paused\":0}\n");
        }
        Files.writeString(run.resolve("timeline.jsonl"), sb.toString());
        PolarwayCliTest.Run r = PolarwayCliTest.run("tune", "--profile", "t3.micro", "--scenario", "steady-generate",
                "--size", "smoke", "--policies", "aimd", "--random", "5", "--seed", "3", "--grid",
                "aimd:backoff_ratio=0.3..0.9", "--trace", run.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("calibrated from").contains("read_ns_per_row=").contains("aimd (defaults)");
    }

    @Test
    void unknownNamesAndBadGridsAreUsageErrors() {
        PolarwayCliTest.Run scenario = PolarwayCliTest.run("tune", "--profile", "B1s", "--scenario", "nope");
        assertThat(scenario.exit()).isEqualTo(Polarway.USAGE);
        assertThat(scenario.err()).contains("unknown scenario 'nope'").contains("steady-generate");
        PolarwayCliTest.Run profile = PolarwayCliTest.run("tune", "--profile", "m5", "--scenario", "steady-generate");
        assertThat(profile.exit()).isEqualTo(Polarway.USAGE);
        assertThat(profile.err()).contains("unknown VM profile 'm5'");
        PolarwayCliTest.Run policy = PolarwayCliTest.run("tune", "--profile", "B1s", "--scenario", "steady-generate",
                "--policies", "reno");
        assertThat(policy.exit()).isEqualTo(Polarway.USAGE);
        assertThat(policy.err()).contains("unknown policy 'reno'").contains("aimd");
        PolarwayCliTest.Run grid = PolarwayCliTest.run("tune", "--profile", "B1s", "--scenario", "steady-generate",
                "--grid", "pause_above");
        assertThat(grid.exit()).isEqualTo(Polarway.USAGE);
        assertThat(grid.err()).contains("KEY=VALUES");
        PolarwayCliTest.Run key = PolarwayCliTest.run("tune", "--profile", "B1s", "--scenario", "steady-generate",
                "--policies", "aimd", "--grid", "aimd:shrink_above=0.7", "--size", "smoke");
        assertThat(key.exit()).isEqualTo(Polarway.USAGE);
        assertThat(key.err()).contains("shrink_above");
    }

    @Test
    void thePoliciesListingShowsTheRivals() {
        PolarwayCliTest.Run r = PolarwayCliTest.run("policies");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("aimd").contains("decrease_above").contains("drain").contains("target_chunk_ms")
                .contains("gradient").contains("target_fraction");
    }
}
