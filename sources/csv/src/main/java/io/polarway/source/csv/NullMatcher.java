package io.polarway.source.csv;

import java.util.List;

/**
 * Matches unquoted field bytes against the {@code null_values}. A bit mask of the values' lengths rejects most fields
 * with one test, so the common case (no null values, or a field of another length) costs nothing.
 */
final class NullMatcher {
    private final byte[][] values;
    private final long lengthMask;
    /** No null values: the common case, tested first. */
    final boolean none;

    NullMatcher(List<byte[]> nullValues) {
        this.values = nullValues.toArray(new byte[0][]);
        long mask = 0;
        for (byte[] v : values) mask |= v.length < 63 ? 1L << v.length : 1L << 63;
        this.lengthMask = mask;
        this.none = values.length == 0;
    }

    /** Whether {@code [s, e)} is one of the null values (the caller handles the empty field). */
    boolean matches(byte[] b, int s, int e) {
        int n = e - s;
        if ((lengthMask & (n < 63 ? 1L << n : 1L << 63)) == 0) return false;
        outer:
        for (byte[] v : values) {
            if (v.length != n) continue;
            for (int i = 0; i < n; i++) {
                if (b[s + i] != v[i]) continue outer;
            }
            return true;
        }
        return false;
    }
}
