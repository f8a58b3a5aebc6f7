package io.polarway.policy;

/**
 * Decides whether reading pauses, with hysteresis: it pauses above a high mark and resumes only below a lower mark,
 * so the stream does not flap between the two. Deterministic and not thread-safe (one per stream).
 */
public interface BackpressureGate {

    /** Whether reading is paused after the last sample. */
    boolean isPaused();

    /**
     * Feeds a memory fraction (working set / budget) and returns the gate's state after it.
     *
     * @return {@code true} if reading must pause (stay paused)
     */
    boolean onSample(double memoryFraction);

    /** The fraction above which reading pauses. */
    double pauseAbove();

    /** The fraction below which a paused reader resumes. */
    double resumeBelow();
}
