package io.polarway.bench.runner;

import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.sim.ParamGrid;
import io.polarway.bench.sim.Sweep;
import io.polarway.bench.sim.Workload;
import io.polarway.bench.sim.Workloads;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TuneSuiteTest {
    static final VmProfile B1S = VmProfile.load("B1s");

    @Test
    void theRecommendationIsWithinTheBudgetEverywhereAndBestAtItsWorst() {
        ParamGrid g = ParamGrid.parse(List.of("max_chunk_rows=1250,5000", "pause_above=0.9,0.95"));
        Map<String, Sweep.Outcome> sweeps = new LinkedHashMap<>();
        for (String name : List.of("steady-generate", "slow-consumer-backpressure")) {
            Workload w = Workloads.of(Scenario.load(name), B1S, "smoke", 1);
            sweeps.put(name, Sweep.run(w, B1S, List.of("guide", "gradient"), g, 0, 1, 2));
        }
        TuneSuite.Recommendation rec = TuneSuite.recommend(sweeps, B1S);
        assertThat(rec).isNotNull();
        assertThat(rec.spec().name()).isIn("guide", "gradient");
        assertThat(rec.score()).isBetween(0.0, 1.0);
        for (Sweep.Outcome o : sweeps.values()) {
            Sweep.Point mine = o.points().stream().filter(p -> p.spec().equals(rec.spec())).findFirst().orElseThrow();
            assertThat(mine.withinBudget()).isTrue();
            double best = o.points().stream().filter(Sweep.Point::withinBudget)
                    .mapToDouble(Sweep.Point::rowsPerSecond).max().orElseThrow();
            assertThat(mine.rowsPerSecond() / best).isGreaterThanOrEqualTo(rec.score() - 1e-9);
        }
        // no configuration beats it at its worst
        for (Sweep.Point p : sweeps.get("steady-generate").points()) {
            if (p.kind() == Sweep.Kind.ORACLE) continue;
            double worst = Double.MAX_VALUE;
            boolean everywhere = true;
            for (Sweep.Outcome o : sweeps.values()) {
                Sweep.Point q = o.points().stream().filter(x -> x.spec().equals(p.spec())).findFirst().orElseThrow();
                double best = o.points().stream().filter(Sweep.Point::withinBudget)
                        .mapToDouble(Sweep.Point::rowsPerSecond).max().orElseThrow();
                everywhere &= q.withinBudget();
                worst = Math.min(worst, q.rowsPerSecond() / best);
            }
            if (everywhere) assertThat(worst).isLessThanOrEqualTo(rec.score() + TuneSuite.KEEP_GUIDE_WITHIN + 1e-9);
        }
        assertThat(TuneSuite.recommend(Map.of(), B1S)).isNull();
    }

    @Test
    void theGuidesPolicyStaysWhenNothingBeatsItByMoreThanNoise() {
        // steady-generate on B1s: memory never nears a mark, every policy reads at the max chunk size, all tie
        Workload w = Workloads.of(Scenario.load("steady-generate"), B1S, "smoke", 1);
        Sweep.Outcome o = Sweep.run(w, B1S, List.of("guide", "aimd", "drain"),
                ParamGrid.parse(List.of("pause_above=0.9,0.95")), 0, 1, 2);
        TuneSuite.Recommendation rec = TuneSuite.recommend(Map.of("steady-generate", o), B1S);
        assertThat(rec.spec().name()).isEqualTo("guide");
        assertThat(rec.spec().params()).isEmpty();
        // under pressure the guide's policy is outside the budget's margin: something else is chosen
        Workload slow = Workloads.of(Scenario.load("slow-consumer-backpressure"), B1S, "smoke", 1);
        Sweep.Outcome so = Sweep.run(slow, B1S, List.of("guide", "aimd"), ParamGrid.parse(List.of(
                "max_chunk_rows=1250,5000", "pause_above=0.85,0.9")), 0, 1, 2);
        Sweep.Point guide = so.points().stream().filter(p -> p.spec().name().equals("guide")
                && p.spec().params().isEmpty()).findFirst().orElseThrow();
        assertThat(guide.withinBudget()).isFalse();
        assertThat(TuneSuite.recommend(Map.of("slow", so), B1S).spec().params()).isNotEmpty();
    }

    @Test
    void aScenarioCountsForTheProfilesItNamesOrForAwsProfilesWithTheSameRam() {
        Scenario slow = Scenario.load("slow-consumer-backpressure"); // B1s, B2s
        assertThat(TuneSuite.relevant(slow, B1S)).isTrue();
        assertThat(TuneSuite.relevant(slow, VmProfile.load("B2s"))).isTrue();
        assertThat(TuneSuite.relevant(slow, VmProfile.load("B4ms"))).isFalse();
        assertThat(TuneSuite.relevant(slow, VmProfile.load("t3.micro"))).isTrue(); // 1 GiB, like B1s
        assertThat(TuneSuite.relevant(slow, VmProfile.load("t3.xlarge"))).isFalse(); // 16 GiB, like B4ms
        assertThat(TuneSuite.relevant(Scenario.load("steady-generate"), VmProfile.load("t3.xlarge"))).isTrue();
    }

    @Test
    void theRecommendedSectionKeepsOnlyWhatDiffersFromTheDefaults() {
        io.polarway.bench.sim.PolicySpec spec = new io.polarway.bench.sim.PolicySpec("guide", Map.of(
                "max_chunk_rows", "5000", "pause_above", "0.85", "resume_below", "0.7", "shrink_above", "0.8",
                "grow_factor", "2"));
        assertThat(TuneSuite.essential(spec, B1S)).containsOnly(Map.entry("pause_above", "0.85"),
                Map.entry("grow_factor", "2"));
        assertThat(TuneSuite.essential(spec.with("max_chunk_rows", "1250"), B1S)).containsKey("max_chunk_rows");
    }

    @Test
    void aPolicyOverrideIsPassedToEveryRunAndTagsItsFolder() {
        Path out = Path.of("target", "x");
        SuiteConfig c = new SuiteConfig("smoke", List.of(), List.of(), "", false, out.resolve("b.json"), false, "",
                out, out, "drain", "target_chunk_ms=250,pause_above=0.85", 10);
        assertThat(c.policyTag()).startsWith("drain-");
        assertThat(c.with("tune", "guide", "", 5).policyTag()).isEqualTo("guide");
        assertThat(new SuiteConfig("smoke", List.of(), List.of(), "", false, out, false, "", out, out).policyTag())
                .isEmpty();
        assertThatThrownBy(() -> new SuiteConfig("smoke", List.of(), List.of(), "", false, out, false, "", out, out,
                "", "a=1", 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bench.policy");
        assertThatThrownBy(() -> new SuiteConfig("nope", List.of(), List.of(), "", false, out, false, "", out, out))
                .hasMessageContaining("tune");
    }

    @Test
    void aScenarioRunsWithAnotherPolicyKeepingEverythingElse() {
        Scenario sc = Scenario.load("slow-consumer-backpressure");
        Scenario other = sc.withPolicy("drain", Map.of("target_chunk_ms", "250"));
        assertThat(other.stream().policy()).isEqualTo("drain");
        assertThat(other.stream().params()).containsExactly(Map.entry("target_chunk_ms", "250"));
        assertThat(other.stream().chunkRows()).isEqualTo(sc.stream().chunkRows());
        assertThat(other.stream().maxQueueFraction()).isEqualTo(sc.stream().maxQueueFraction());
        assertThat(other.consumer()).isEqualTo(sc.consumer());
        assertThat(other.expect()).isEqualTo(sc.expect());
    }
}
