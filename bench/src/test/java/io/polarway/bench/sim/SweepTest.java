package io.polarway.bench.sim;

import io.polarway.bench.scenario.Scenario;
import io.polarway.error.ConfigException;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepTest {
    static final VmProfile B1S = VmProfile.load("B1s");

    @Test
    void aGridIsEveryCombinationOfTheKeysAPolicyAccepts() {
        ParamGrid g = ParamGrid.parse(List.of("pause_above=0.85,0.9", "guide:shrink_above=0.7,0.8",
                "drain:target_chunk_ms=100,250,500"));
        List<PolicySpec> guide = g.grid(PolicySpec.of("guide"));
        assertThat(guide).hasSize(4).allSatisfy(s -> assertThat(s.params()).containsOnlyKeys("pause_above",
                "shrink_above"));
        assertThat(g.grid(PolicySpec.of("drain"))).hasSize(6);
        assertThat(g.grid(PolicySpec.of("fixed"))).hasSize(2); // only the gate's key applies
        assertThatThrownBy(() -> ParamGrid.parse(List.of("aimd:shrink_above=0.7")).grid(PolicySpec.of("aimd")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("shrink_above");
        assertThatThrownBy(() -> ParamGrid.parse(List.of("shrink_above"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParamGrid.parse(List.of("x=2..1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomPointsAreDrawnFromRangesAndRepeatWithTheSeed() {
        ParamGrid g = ParamGrid.parse(List.of("drain:target_chunk_ms=50..2000", "drain:high_mark=0.6..0.9"));
        List<PolicySpec> a = g.random(PolicySpec.of("drain"), 20, 7);
        assertThat(a).hasSize(20).isEqualTo(g.random(PolicySpec.of("drain"), 20, 7));
        assertThat(a).isNotEqualTo(g.random(PolicySpec.of("drain"), 20, 8));
        for (PolicySpec s : a) {
            assertThat(Long.parseLong(s.params().get("target_chunk_ms"))).isBetween(50L, 2000L);
            assertThat(Double.parseDouble(s.params().get("high_mark"))).isBetween(0.6, 0.9);
        }
    }

    @Test
    void theOracleIsTheBestFixedSizeWithinTheBudgetAndTheFrontIsNotDominated() {
        Workload w = Workloads.of(Scenario.load("slow-consumer-backpressure"), B1S, "smoke", 1);
        ParamGrid g = ParamGrid.parse(List.of("pause_above=0.9,0.95", "guide:shrink_above=0.7,0.8",
                "guide:grow_below=0.8"));
        Sweep.Outcome o = Sweep.run(w, B1S, List.of("guide", "drain"), g, 0, 1, 2);
        List<Sweep.Point> oracleCandidates = o.points().stream().filter(p -> p.kind() == Sweep.Kind.ORACLE).toList();
        assertThat(oracleCandidates).hasSizeGreaterThan(30);
        assertThat(oracleCandidates).allSatisfy(p -> assertThat(Integer.parseInt(p.spec().params().get("chunk_rows")))
                .isBetween(B1S.minChunkRows(), B1S.maxChunkRows()));
        assertThat(o.oracle()).isNotNull();
        for (Sweep.Point p : oracleCandidates) {
            if (p.withinBudget()) assertThat(p.rowsPerSecond()).isLessThanOrEqualTo(o.oracle().rowsPerSecond());
        }
        // the front: completed points, peaks rising and throughput rising, none beaten on both by any point
        for (int i = 1; i < o.pareto().size(); i++) {
            assertThat(o.pareto().get(i).result().peakBytes())
                    .isGreaterThanOrEqualTo(o.pareto().get(i - 1).result().peakBytes());
            assertThat(o.pareto().get(i).rowsPerSecond()).isGreaterThan(o.pareto().get(i - 1).rowsPerSecond());
        }
        for (Sweep.Point f : o.pareto()) {
            for (Sweep.Point p : o.points()) {
                if (!p.result().completed()) continue;
                boolean dominates = p.rowsPerSecond() >= f.rowsPerSecond() && p.result().peakBytes() <= f.result()
                        .peakBytes() && (p.rowsPerSecond() > f.rowsPerSecond() || p.result().peakBytes() < f.result()
                        .peakBytes());
                assertThat(dominates).as("%s dominates front point %s", p.spec(), f.spec()).isFalse();
            }
        }
        // the guide's grid asks grow_below (0.8) >= shrink_above (0.7) once: rejected, reported
        assertThat(o.invalid()).anyMatch(s -> s.contains("grow_below"));
        // the best of each policy is within the budget less the margin
        assertThat(o.best().values()).allSatisfy(p -> assertThat(p.result().peakBytes())
                .isLessThanOrEqualTo((long) (w.budgetBytes() * (1 - Sweep.DEFAULT_MARGIN))));
        assertThat(o.defaults()).containsKeys("guide", "drain");
    }

    @Test
    void reportsWriteTheCsvTheChartAndTheTable(@TempDir Path dir) throws IOException {
        Workload w = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Sweep.Outcome o = Sweep.run(w, B1S, List.of("guide", "aimd"), ParamGrid.parse(List.of("pause_above=0.9")), 0,
                1, 1);
        List<String> lines = TuneReport.csvLines(o);
        assertThat(lines).hasSize(o.points().size());
        assertThat(lines.get(0)).startsWith("steady-generate@B1s,B1s,guide,");
        assertThat(TuneReport.CSV_HEADER.split(",")).hasSize(lines.get(0).split(",").length);
        TuneReport.writeCsv(dir.resolve("s.csv"), lines, false);
        TuneReport.writeCsv(dir.resolve("s.csv"), lines, true);
        assertThat(Files.readAllLines(dir.resolve("s.csv"))).hasSize(1 + 2 * lines.size());
        String svg = TuneReport.paretoSvg(o, "test");
        assertThat(svg).startsWith("<svg").contains("peak working set (MB)").contains("oracle");
        TuneReport.paretoPng(o, "test", dir.resolve("p.png"));
        byte[] png = Files.readAllBytes(dir.resolve("p.png"));
        assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(png.length).isBetween(5_000, 500_000);
        String md = TuneReport.markdownTable(o);
        assertThat(md).contains("guide (the guide's policy)").contains("aimd (defaults)")
                .contains("oracle (best fixed size)");
        assertThat(TuneReport.textTable(o)).contains("rows/s");
    }

    @Test
    void aSpecResolvesTheProfilesRecommendationAndGetsTheProfilesClamps() {
        VmProfile b2s = VmProfile.load("B2s");
        assertThat(PolicySpec.of("profile").resolve(b2s).name()).isEqualTo(b2s.policy().name());
        var settings = PolicySpec.of("aimd").settings(B1S, 10_000);
        assertThat(settings.policy().maxChunkRows()).isEqualTo(B1S.maxChunkRows());
        assertThat(settings.policy().initialChunkRows()).isEqualTo(B1S.maxChunkRows());
        var own = PolicySpec.of("aimd").with("max_chunk_rows", "700").settings(B1S, 10_000);
        assertThat(own.policy().maxChunkRows()).isEqualTo(700);
        assertThat(PolicySpec.parseParams("a=1, b = 2,")).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThatThrownBy(() -> PolicySpec.parseParams("a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PolicySpec.of("drain").with("high_mark", "0.7").label()).isEqualTo("drain high_mark=0.7");
    }
}
