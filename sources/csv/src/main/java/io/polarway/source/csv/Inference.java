package io.polarway.source.csv;

import org.apache.arrow.vector.types.TimeUnit;

/**
 * Infers column types from sampled batches. Each column starts with every candidate type and loses those a non-null
 * value does not parse as; at the end the narrowest candidate left wins, in the order int64, float64, boolean, date,
 * timestamp, else utf8 (also for a column with no value in the sample). Timestamps get unit ns when a sampled value
 * has more than six fraction digits (else us) and zone UTC when a sampled value has an offset.
 */
final class Inference {
    private static final int INT = 1;
    private static final int FLOAT = 2;
    private static final int BOOL = 4;
    private static final int DATE = 8;
    private static final int TS = 16;
    private static final int ALL = INT | FLOAT | BOOL | DATE | TS;

    private final int[] candidates;
    private final boolean[] seen;
    private final boolean[] offsets;
    private final int[] fraction;
    private final boolean[] infer;
    private final NullMatcher nulls;
    private final Values v = new Values();

    /** @param infer which slots to infer (the others have explicit types) */
    Inference(boolean[] infer, NullMatcher nulls) {
        int n = infer.length;
        this.infer = infer;
        this.nulls = nulls;
        this.candidates = new int[n];
        this.seen = new boolean[n];
        this.offsets = new boolean[n];
        this.fraction = new int[n];
        java.util.Arrays.fill(candidates, ALL);
    }

    void accept(Batch bt) {
        byte[] b = bt.buf;
        for (int c = 0; c < infer.length; c++) {
            if (!infer[c] || candidates[c] == 0) continue;
            for (int r = 0, idx = c; r < bt.rows; r++, idx += bt.stride) {
                int s = bt.fs[idx];
                if (s < 0) continue;
                int f = bt.fe[idx];
                int e = f & Batch.END;
                if (e == s || (f & Batch.QUOTED) == 0 && nulls.matches(b, s, e)) continue;
                seen[c] = true;
                candidates[c] &= f < 0 ? 0 : detect(b, s, e, c);
                if (candidates[c] == 0) break;
            }
        }
    }

    private int detect(byte[] b, int s, int e, int c) {
        int mask = 0;
        int live = candidates[c];
        byte first = b[s];
        boolean digit = first >= '0' && first <= '9';
        if ((live & (INT | FLOAT)) != 0 && (digit || first == '-' || first == '+' || first == '.' || first == 'n'
                || first == 'N' || first == 'i' || first == 'I')) {
            if ((live & INT) != 0) {
                v.parseLong(b, s, e);
                if (v.ok) mask |= INT | FLOAT;
            }
            if ((mask & FLOAT) == 0) {
                v.parseDouble(b, s, e);
                if (v.ok) mask |= FLOAT;
            }
        }
        if ((live & BOOL) != 0) {
            v.parseBoolean(b, s, e);
            if (v.ok) mask |= BOOL;
        }
        if ((live & (DATE | TS)) != 0 && digit && e - s >= 10) {
            v.parseTimestamp(b, s, e, 1_000_000_000L, 9);
            if (v.ok) {
                mask |= v.dateOnly ? DATE | TS : TS;
                if (v.hadOffset) offsets[c] = true;
                fraction[c] = Math.max(fraction[c], v.fractionDigits);
            }
        }
        return mask;
    }

    /** The inferred type of slot {@code c}. */
    ColumnType result(int c) {
        int m = candidates[c];
        if (!seen[c] || m == 0) return ColumnType.UTF8;
        if ((m & INT) != 0) return ColumnType.INT64;
        if ((m & FLOAT) != 0) return ColumnType.FLOAT64;
        if ((m & BOOL) != 0) return ColumnType.BOOLEAN;
        if ((m & DATE) != 0) return ColumnType.DATE;
        return ColumnType.timestamp(fraction[c] > 6 ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND,
                offsets[c] ? "UTC" : null);
    }
}
