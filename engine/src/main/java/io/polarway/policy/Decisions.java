package io.polarway.policy;

import io.polarway.policy.ChunkDecision.Action;

/**
 * Interns a policy's decisions so that a step allocates nothing once its sizes repeat (a hold, a clamp, a steady
 * cycle): reasons are fixed texts built once per policy instance (the rule and its configured thresholds, not the
 * measured values, which the stream's timeline records anyway), and decisions are kept in a small two-way set
 * associative table keyed by (rows, action, reason). A size not seen recently costs one {@link ChunkDecision}.
 *
 * <p>Not thread-safe: one per policy instance, as the policies themselves.
 */
final class Decisions {
    private static final int SETS = 64;

    private final String[] reasons;
    private final ChunkDecision[] table = new ChunkDecision[SETS * 2];

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
        int h = next * 0x9E3779B9 + reason * 0x85EBCA6B + action.ordinal();
        // two ways per set, the most recently used first: two sizes that hash alike do not evict each other
        int way0 = ((h ^ (h >>> 15)) & (SETS - 1)) * 2;
        int way1 = way0 + 1;
        ChunkDecision d = table[way0];
        if (matches(d, next, action, reasons[reason])) return d;
        ChunkDecision e = table[way1];
        if (matches(e, next, action, reasons[reason])) {
            table[way1] = d;
            table[way0] = e;
            return e;
        }
        ChunkDecision fresh = new ChunkDecision(next, action, reasons[reason]);
        table[way1] = d;
        table[way0] = fresh;
        return fresh;
    }

    private static boolean matches(ChunkDecision d, int rows, Action action, String reason) {
        return d != null && d.chunkRows() == rows && d.action() == action && d.reason() == reason;
    }
}
