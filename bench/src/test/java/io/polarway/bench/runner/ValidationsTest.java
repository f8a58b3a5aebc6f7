package io.polarway.bench.runner;

import io.polarway.bench.scenario.Scenario;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ValidationsTest {
    private final VmProfile b1s = VmProfile.load("B1s");

    private static RunRecord completed(long peakCgroup, long pauses, long maxChunk, Boolean once) {
        RunRecord r = new RunRecord();
        r.outcome = RunRecord.Outcome.COMPLETED;
        r.confined = true;
        r.oomKills = 0;
        r.metrics.put("peak_cgroup_working_set_bytes", peakCgroup);
        r.metrics.put("pauses", pauses);
        r.metrics.put("chunk_rows_max", maxChunk);
        r.metrics.put("exactly_once", once);
        r.metrics.put("rows", 100L);
        r.metrics.put("expected_rows", 100L);
        return r;
    }

    @Test
    void aGoodRunPassesEveryExpectation() {
        RunRecord r = completed(500_000_000L, 3, 5_000, true);
        Validations.check(r, Scenario.load("slow-consumer-backpressure"), b1s);
        assertThat(r.validations).extracting(RunRecord.Validation::name).contains("outcome", "no_oom_kill",
                "peak_within_recommended_limit", "gate_engaged", "chunk_rows_within_profile_max", "rows_exactly_once");
        assertThat(r.passed()).isTrue();
    }

    @Test
    void eachBrokenExpectationFailsOnItsOwn() {
        RunRecord over = completed(650_000_000L, 3, 5_000, true);
        Validations.check(over, Scenario.load("slow-consumer-backpressure"), b1s);
        assertThat(over.passed()).isFalse();
        assertThat(over.validations).filteredOn(v -> !v.passed()).extracting(RunRecord.Validation::name)
                .containsExactly("peak_within_recommended_limit");

        RunRecord noPause = completed(500_000_000L, 0, 5_000, true);
        Validations.check(noPause, Scenario.load("slow-consumer-backpressure"), b1s);
        assertThat(noPause.validations).filteredOn(v -> !v.passed()).extracting(RunRecord.Validation::name)
                .containsExactly("gate_engaged");

        RunRecord big = completed(500_000_000L, 1, 6_000, false);
        Validations.check(big, Scenario.load("steady-generate"), b1s);
        assertThat(big.validations).filteredOn(v -> !v.passed()).extracting(RunRecord.Validation::name)
                .containsExactly("chunk_rows_within_profile_max", "rows_exactly_once");
    }

    @Test
    void anExpectedOomKillPassesAndAnUnexpectedOneFails() {
        RunRecord killed = new RunRecord();
        killed.outcome = RunRecord.Outcome.OOM_KILLED;
        killed.confined = true;
        Validations.check(killed, Scenario.load("oom-fixed-large-chunks"), b1s);
        assertThat(killed.passed()).isTrue();

        RunRecord survived = completed(900_000_000L, 0, 400_000, true);
        Validations.check(survived, Scenario.load("oom-fixed-large-chunks"), b1s);
        assertThat(survived.passed()).isFalse();

        RunRecord killedAdaptive = new RunRecord();
        killedAdaptive.outcome = RunRecord.Outcome.OOM_KILLED;
        killedAdaptive.confined = true;
        Validations.check(killedAdaptive, Scenario.load("adaptive-large-chunks"), b1s);
        assertThat(killedAdaptive.passed()).isFalse();
    }
}
