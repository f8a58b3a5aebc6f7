package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;

import java.util.List;
import java.util.Map;

/**
 * Backpressure with hysteresis: reading pauses when the memory fraction (working set / budget) is strictly above
 * {@code pause_above} (default 0.90) and, once paused, resumes only when it is strictly below {@code resume_below}
 * (default 0.70). Between the two marks the gate keeps its state, so it does not flap.
 *
 * <p>Validation: {@code 0 < resume_below < pause_above <= 1.5}. A {@code pause_above} above 1.0 (the whole budget)
 * is allowed for tests and experiments that want to overshoot the budget without pausing; in production it means the
 * gate only pauses after the budget is already exceeded.
 *
 * <p>Starts unpaused. Deterministic; a NaN fraction leaves the state unchanged. Not thread-safe: one per stream,
 * called from one thread at a time.
 */
public final class HysteresisGate implements BackpressureGate {

    public static final double DEFAULT_PAUSE_ABOVE = 0.90;
    public static final double DEFAULT_RESUME_BELOW = 0.70;

    public static final OptionSpec<Double> PAUSE_ABOVE = OptionSpec.doubleValue("pause_above", DEFAULT_PAUSE_ABOVE,
                    "Pause reading when memory use (working set / budget) is strictly above this fraction; "
                            + "above 1.0 only for tests")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");
    public static final OptionSpec<Double> RESUME_BELOW = OptionSpec.doubleValue("resume_below",
                    DEFAULT_RESUME_BELOW,
                    "Resume a paused reader when memory use is strictly below this fraction; "
                            + "must be less than pause_above")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");

    /** Every option of the gate. The keys share one flat map with the policy's (see {@link PolicySettings}). */
    public static final OptionSet OPTIONS = OptionSet.of("backpressure gate", PAUSE_ABOVE, RESUME_BELOW);

    private final double pauseAbove;
    private final double resumeBelow;
    private boolean paused;

    /**
     * @throws ConfigException unless {@code 0 < resumeBelow < pauseAbove <= 1.5}, naming the key at fault
     */
    public HysteresisGate(double pauseAbove, double resumeBelow) {
        if (!(pauseAbove > 0 && pauseAbove <= 1.5)) {
            throw new ConfigException(PAUSE_ABOVE.key(), "bad value for option 'pause_above' of " + OPTIONS.owner()
                    + ": value " + pauseAbove + " must be greater than 0 and at most 1.5", List.of(), null);
        }
        if (!(resumeBelow > 0 && resumeBelow < pauseAbove)) {
            throw new ConfigException(RESUME_BELOW.key(), "bad value for option 'resume_below' of " + OPTIONS.owner()
                    + ": value " + resumeBelow + " must be greater than 0 and less than pause_above ("
                    + pauseAbove + ")", List.of(), null);
        }
        this.pauseAbove = pauseAbove;
        this.resumeBelow = resumeBelow;
    }

    /** The defaults: pause above 0.90, resume below 0.70. */
    public HysteresisGate() {
        this(DEFAULT_PAUSE_ABOVE, DEFAULT_RESUME_BELOW);
    }

    /**
     * @param options parsed {@link #OPTIONS}
     * @throws ConfigException if {@code resume_below >= pause_above}, naming the key the user set
     */
    public static HysteresisGate create(Options options) {
        if (options.optionSet() != OPTIONS) {
            throw new IllegalArgumentException("options were not parsed from HysteresisGate.OPTIONS");
        }
        Checks.ordered(options, RESUME_BELOW, PAUSE_ABOVE, false, OPTIONS.owner());
        return new HysteresisGate(options.get(PAUSE_ABOVE), options.get(RESUME_BELOW));
    }

    /**
     * Parses {@code params} (only {@code pause_above} and {@code resume_below}).
     *
     * @throws ConfigException on an unknown key (listing the valid ones) or a bad value, naming the key
     */
    public static HysteresisGate create(Map<String, String> params) {
        return create(OPTIONS.parse(params));
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public boolean onSample(double memoryFraction) {
        if (paused) {
            if (memoryFraction < resumeBelow) paused = false;
        } else if (memoryFraction > pauseAbove) {
            paused = true;
        }
        return paused;
    }

    @Override
    public double pauseAbove() {
        return pauseAbove;
    }

    @Override
    public double resumeBelow() {
        return resumeBelow;
    }

    @Override
    public String toString() {
        return "HysteresisGate[pause_above=" + Checks.plain(pauseAbove) + ", resume_below="
                + Checks.plain(resumeBelow) + ", paused=" + paused + "]";
    }
}
