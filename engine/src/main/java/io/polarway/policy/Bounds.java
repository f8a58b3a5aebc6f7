package io.polarway.policy;

import io.polarway.config.Options;

/**
 * The clamps the rival policies share with {@link GuidePolicy}, with the same keys and meaning: every decision lies in
 * {@code [min_chunk_rows, cap]} where {@code cap = max_chunk_rows}, lowered to
 * {@code floor(max_chunk_fraction × budget / bytesPerRow)} once the bytes per row are known (from the last sample
 * whose chunk had rows and bytes), but never below {@code min_chunk_rows}.
 *
 * <p>Holds the last known bytes per row, so one instance per policy instance. Allocation-free.
 */
final class Bounds {
    /** No clamp applied. */
    static final int NOTE_NONE = 0;
    /** Raised to {@code min_chunk_rows}. */
    static final int NOTE_MIN = 1;
    /** Lowered to {@code max_chunk_rows}. */
    static final int NOTE_MAX = 2;
    /** Lowered to the byte cap. */
    static final int NOTE_BYTE_CAP = 3;
    static final int NOTES = 4;

    final int minRows;
    final int maxRows;
    final double maxChunkFraction;
    private double knownBytesPerRow;
    private int lastNote;

    /**
     * @throws io.polarway.error.ConfigException if {@code min_chunk_rows > max_chunk_rows}, naming the key
     */
    Bounds(Options options, String owner) {
        Checks.ordered(options, GuidePolicy.MIN_CHUNK_ROWS, GuidePolicy.MAX_CHUNK_ROWS, true, owner);
        this.minRows = options.get(GuidePolicy.MIN_CHUNK_ROWS);
        this.maxRows = options.get(GuidePolicy.MAX_CHUNK_ROWS);
        this.maxChunkFraction = options.get(GuidePolicy.MAX_CHUNK_FRACTION);
    }

    /** {@code value} within {@code [min, max]}. */
    int clampToRange(long value) {
        return (int) Math.max(minRows, Math.min(maxRows, value));
    }

    /** Records the row width of the chunk just read, when it tells one. */
    void observe(PolicySample s) {
        if (s.lastChunkRows() > 0 && s.lastChunkBytes() > 0) knownBytesPerRow = s.bytesPerRow();
    }

    /** The last known bytes per row, or 0. */
    double bytesPerRow() {
        return knownBytesPerRow;
    }

    /**
     * {@code raw} clamped to {@code [min, cap]}; {@link #lastNote()} then tells which clamp applied.
     *
     * @param budgetBytes the sample's budget, or ≤ 0 when unknown (no byte cap)
     */
    int clamp(long raw, long budgetBytes) {
        int cap = maxRows;
        boolean byteCapped = false;
        if (knownBytesPerRow > 0 && budgetBytes > 0) {
            double capRows = Math.floor(maxChunkFraction * budgetBytes / knownBytesPerRow);
            if (capRows < cap) {
                cap = Math.max(minRows, (int) capRows);
                byteCapped = true;
            }
        }
        int next = (int) Math.max(minRows, Math.min(cap, raw));
        if (next == raw) lastNote = NOTE_NONE;
        else if (next == minRows && raw < minRows) lastNote = NOTE_MIN;
        else if (byteCapped && next == cap) lastNote = NOTE_BYTE_CAP;
        else lastNote = NOTE_MAX;
        return next;
    }

    /** Which clamp the last {@link #clamp} applied: one of the {@code NOTE_*} constants. */
    int lastNote() {
        return lastNote;
    }

    /** The suffix a reason gets for a note, e.g. {@code ", at min 100 rows"}. */
    String noteText(int note) {
        return switch (note) {
            case NOTE_MIN -> ", at min " + minRows + " rows";
            case NOTE_MAX -> ", at max " + maxRows + " rows";
            case NOTE_BYTE_CAP -> ", byte cap (" + Checks.percent(maxChunkFraction) + "% of the budget)";
            default -> "";
        };
    }

    @Override
    public String toString() {
        return "min_chunk_rows=" + minRows + ", max_chunk_rows=" + maxRows + ", max_chunk_fraction="
                + Checks.plain(maxChunkFraction);
    }
}
