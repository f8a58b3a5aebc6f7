package io.polarway.bench.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one (scenario × profile) run produced, as {@code results.json} holds it. Mutable while the runner fills it in.
 */
public final class RunRecord {
    /** How a run ended. */
    public enum Outcome { COMPLETED, OOM_KILLED, FAILED }

    /** One expectation checked after the run. */
    public record Validation(String name, boolean passed, String detail) {
    }

    public String scenario;
    public String profile;
    /** The policy the run used and its parameters ({@code k=v,k=v}). */
    public String policy;
    public String policyParams;
    public String profileLabel;
    public String suite;
    public int repeat;
    public String confinement;
    public boolean confined;
    public String confinementNote;
    public long limitBytes;
    public long recommendedLimitBytes;
    public double cpuQuotaCores;
    public Outcome outcome;
    public String expectedOutcome;
    public int exitCode;
    public long oomKills;
    public long peakRawBytes;
    public String failure;
    public double elapsedMs;
    /** The scenario's own measurements (ScenarioRun.Result.toMap), empty when it did not complete. */
    public Map<String, Object> metrics = new LinkedHashMap<>();
    public boolean cpuThrottled;
    public String runDir;
    public final List<Validation> validations = new ArrayList<>();

    public boolean passed() {
        for (Validation v : validations) {
            if (!v.passed()) return false;
        }
        return true;
    }

    long metric(String key, long fallback) {
        Object v = metrics.get(key);
        return v instanceof Number n ? n.longValue() : fallback;
    }

    double metricDouble(String key) {
        Object v = metrics.get(key);
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    /** The peak working set used for validation: the cgroup's (kernel view) when known, else the process's. */
    public long peakWorkingSetBytes() {
        long cg = metric("peak_cgroup_working_set_bytes", -1);
        return cg > 0 ? cg : Math.max(metric("peak_process_bytes", -1), metric("peak_signal_bytes", -1));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("profile", profile);
        m.put("profile_label", profileLabel);
        m.put("policy", policy);
        m.put("policy_params", policyParams);
        m.put("suite", suite);
        m.put("repeat", repeat);
        m.put("confinement", confinement);
        m.put("confined", confined);
        m.put("confinement_note", confinementNote);
        m.put("limit_bytes", limitBytes);
        m.put("recommended_limit_bytes", recommendedLimitBytes);
        m.put("cpu_quota_cores", cpuQuotaCores);
        m.put("cpu_throttled", cpuThrottled);
        m.put("outcome", outcome == null ? null : outcome.name().toLowerCase());
        m.put("expected_outcome", expectedOutcome);
        m.put("exit_code", exitCode);
        m.put("oom_kills", oomKills);
        m.put("peak_working_set_bytes", peakWorkingSetBytes());
        m.put("peak_raw_bytes", peakRawBytes);
        m.put("rows", metric("rows", 0));
        m.put("rows_per_s", metricDouble("rows_per_s"));
        m.put("mb_per_s", metricDouble("mb_per_s"));
        m.put("elapsed_ms", elapsedMs);
        m.put("failure", failure);
        m.put("metrics", metrics);
        List<Map<String, Object>> vs = new ArrayList<>();
        for (Validation v : validations) vs.add(Map.of("name", v.name(), "passed", v.passed(), "detail", v.detail()));
        m.put("validations", vs);
        m.put("passed", passed());
        m.put("run_dir", runDir);
        return m;
    }
}
