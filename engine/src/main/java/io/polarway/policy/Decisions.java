package io.polarway.policy;

import io.polarway.policy.ChunkDecision.Action;

/**
 * Interns a policy's decisions so that a step allocates nothing once its sizes repeat (a hold, a clamp, a steady
 * cycle): reasons are fixed texts built once per policy instance (the rule and its configured thresholds, not the
 * measured values, which the stream's timeline records anyway), and decisions are kept in a small direct-mapped
 * table keyed by (rows, action, reason). A size not seen recently costs one {@link ChunkDecision}.
 *
 * <p>Not thread-safe: one per policy instance, as the policies themselves.
 */
final class Decisions {
    private static final int SLOTS = 64;

    private final String[] reasons;
    private final ChunkDecision[] table = new ChunkDecision[SLOTS];

    /**
     * @param ruleReasons one text per rule (branch) of the policy
     * @param bounds      the clamps whose notes are appended to each rule's text
     */
    Decisions(String[] ruleReasons, Bounds bounds) {
        reasons = new String[ruleReasons.length * Bounds.NOTES];
        for (int r = 0; r < ruleReasons.length; r++) {
            for (int n = 0; n < Bounds.NOTES; n++) reasons[r * Bounds.NOTES + n] = ruleReasons[r] + bounds.noteText(n);
        }
    }

    /**
     * The decision to go from {@code base} to {@code next} rows by {@code rule}, with the clamp {@code note}.
     * The action is {@code SHRINK} when {@code next < base}, {@code GROW} when {@code next > base}, else {@code HOLD}.
     */
    ChunkDecision get(int base, int next, int rule, int note) {
        Action action = next < base ? Action.SHRINK : next > base ? Action.GROW : Action.HOLD;
        int reason = rule * Bounds.NOTES + note;
        int slot = (next * 31 + reason * 7 + action.ordinal()) & (SLOTS - 1);
        ChunkDecision d = table[slot];
        if (d != null && d.chunkRows() == next && d.action() == action && d.reason() == reasons[reason]) return d;
        d = new ChunkDecision(next, action, reasons[reason]);
        table[slot] = d;
        return d;
    }
}
