package io.polarway.bench.runner;

import io.polarway.bench.scenario.Scenario;
import io.polarway.config.ByteSize;
import io.polarway.profile.VmProfile;

import java.util.Locale;

/**
 * Checks a run against its scenario's expectations: the outcome (completed, or OOM-killed where that is the point), no
 * OOM kill otherwise, peak working set at most the profile's recommended limit, the gate engaged where the scenario is
 * built to need it, chunk sizes within the profile's max, every row once. Pure.
 */
final class Validations {
    private Validations() {
    }

    static void check(RunRecord r, Scenario s, VmProfile p) {
        Scenario.Expect e = s.expect();
        String expected = e.outcome();
        String actual = r.outcome.name().toLowerCase(Locale.ROOT);
        r.validations.add(new RunRecord.Validation("outcome", actual.equals(expected),
                "expected " + expected + ", got " + actual + (r.failure != null ? " (" + r.failure + ")" : "")));
        if (expected.equals("oom_killed")) {
            if (!r.confined) {
                r.validations.add(new RunRecord.Validation("confined", false,
                        "an OOM kill needs a kernel memory limit; this run was unconfined"));
            }
            return;
        }
        if (r.outcome != RunRecord.Outcome.COMPLETED) return;
        r.validations.add(new RunRecord.Validation("no_oom_kill", r.oomKills <= 0,
                "oom_kill counter " + r.oomKills));
        if (e.peakWithinRecommended()) {
            long peak = r.peakWorkingSetBytes();
            r.validations.add(new RunRecord.Validation("peak_within_recommended_limit",
                    peak > 0 && peak <= p.recommendedLimitBytes(), "peak working set " + ByteSize.format(peak)
                    + " vs recommended limit " + ByteSize.format(p.recommendedLimitBytes())));
        }
        if (e.gateEngages()) {
            // the hysteresis gate's own pauses, not the waits at the Arrow data limit (also backpressure, but not the
            // gate's doing)
            long pauses = r.metric("gate_pauses", r.metric("pauses", 0));
            r.validations.add(new RunRecord.Validation("gate_engaged", pauses > 0, pauses + " gate pauses, "
                    + r.metric("memory_limit_waits", 0) + " waits at the data limit"));
        }
        if (e.chunkRowsWithinProfileMax()) {
            long max = r.metric("chunk_rows_max", Long.MAX_VALUE);
            r.validations.add(new RunRecord.Validation("chunk_rows_within_profile_max", max <= p.maxChunkRows(),
                    "largest chunk asked " + max + " rows vs profile max " + p.maxChunkRows()));
        }
        if (e.rowsExactlyOnce()) {
            Object once = r.metrics.get("exactly_once");
            long rows = r.metric("rows", -1);
            long expectedRows = r.metric("expected_rows", -2);
            boolean ok = Boolean.TRUE.equals(once) || (once == null && rows == expectedRows);
            r.validations.add(new RunRecord.Validation("rows_exactly_once", ok,
                    rows + " of " + expectedRows + " rows" + (once == null ? " (count only: no id column)"
                            : Boolean.TRUE.equals(once) ? ", ids each once" : ", ids missing or repeated")));
        }
    }
}
