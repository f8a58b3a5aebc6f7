package io.polarway.bench.runner;

import io.polarway.profile.VmProfile;

/**
 * The burstable-CPU model of Azure B-series and AWS t3 (standard mode), as a pure function of CPU use: credits are
 * core-minutes; the VM earns {@code baseline_cores × dt} and spends what it uses, so
 * {@code credits += (baseline − used) × dt / 60}, clamped to {@code [0, max]}. With credits left the VM may use all
 * its vCPUs; at zero it is held to the baseline until it has banked one credit again (hysteresis, so the quota does
 * not flap every interval). An {@code unlimited} profile is never throttled. Not thread-safe.
 */
public final class CpuCredits {
    /** Credits to bank before a throttled VM bursts again. */
    static final double RESUME_CREDITS = 1.0;

    private final double baselineCores;
    private final double burstCores;
    private final double maxCredits;
    private final boolean unlimited;
    private double credits;
    private boolean throttled;

    /**
     * @param burstCores     what the VM may use with credits (its vCPUs, capped to the machine)
     * @param initialCredits credits at start (the profile's, or a scenario's override)
     */
    public CpuCredits(VmProfile.Cpu cpu, double burstCores, double initialCredits) {
        this.baselineCores = cpu.baselineCores();
        this.burstCores = burstCores;
        this.maxCredits = cpu.maxCredits();
        this.unlimited = cpu.unlimited();
        this.credits = Math.min(initialCredits, maxCredits);
        this.throttled = !unlimited && credits <= 0;
    }

    /**
     * Accounts one interval and returns the CPU quota (cores) for the next.
     *
     * @param usedCoreSeconds CPU time used in the interval, core-seconds
     * @param dtSeconds       the interval's length, seconds
     */
    public double onInterval(double usedCoreSeconds, double dtSeconds) {
        if (dtSeconds <= 0) return quotaCores();
        credits += (baselineCores * dtSeconds - usedCoreSeconds) / 60.0;
        credits = Math.max(0, Math.min(maxCredits, credits));
        if (!unlimited) {
            if (!throttled && credits <= 0) throttled = true;
            else if (throttled && credits >= RESUME_CREDITS) throttled = false;
        }
        return quotaCores();
    }

    public double quotaCores() {
        return throttled ? baselineCores : burstCores;
    }

    public double credits() {
        return credits;
    }

    public boolean throttled() {
        return throttled;
    }
}
