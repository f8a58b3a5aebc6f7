package io.polarway.source.csv;

import java.util.Arrays;

/**
 * A batch of tokenized records: for each record and each projected column, where the field's bytes are in the read
 * buffer. Row-major: field (row r, slot c) is at index {@code r * stride + c}. The tokenizer fills it, the
 * {@link ColumnWriter}s read it column by column. Also collects what went wrong while converting (bad values), as
 * the {@code on_bad_row} mode says.
 *
 * <p>{@code fs} holds the first byte of the field's content (after an opening quote), or -1 for a field the record did
 * not have ({@code on_bad_row=null}); {@code fe} holds the end (exclusive, before a closing quote) with the flags
 * {@link #QUOTED} and {@link #ESCAPED} in its high bits.
 */
final class Batch {
    /** The field was quoted (so it is never null, except an empty one in a non-string column). */
    static final int QUOTED = 1 << 30;
    /** The quoted field contains doubled quotes to unescape. */
    static final int ESCAPED = Integer.MIN_VALUE;
    /** Mask of the end offset in {@code fe}. */
    static final int END = (1 << 30) - 1;

    final int capacity;
    final int stride;
    final int[] fs;
    final int[] fe;
    final int[] rowStart;
    final CsvSettings.BadRowMode mode;

    byte[] buf;
    int rows;
    /** True when every byte of the batch is ASCII (then UTF-8 needs no validation). */
    boolean ascii;

    /** Rows to leave out while converting (skip mode, second pass), or null. */
    boolean[] skip;
    final boolean[] bad;
    boolean anyBad;
    long valuesNulled;

    int errorRow = Integer.MAX_VALUE;
    ColumnWriter errorWriter;
    int errorStart;
    int errorEnd;

    Batch(int capacity, int stride, CsvSettings.BadRowMode mode) {
        this.capacity = capacity;
        this.stride = Math.max(1, stride);
        this.fs = new int[capacity * this.stride];
        this.fe = new int[capacity * this.stride];
        this.rowStart = new int[capacity + 1];
        this.bad = new boolean[capacity];
        this.mode = mode;
    }

    void reset(byte[] buffer, int rowCount) {
        buf = buffer;
        rows = rowCount;
        skip = null;
        if (anyBad) Arrays.fill(bad, false);
        anyBad = false;
        valuesNulled = 0;
        errorRow = Integer.MAX_VALUE;
        errorWriter = null;
    }

    /**
     * Reports a value of row {@code r} that does not parse.
     *
     * @return true when the writer should store a null and go on; false when it should stop (error mode)
     */
    boolean bad(int r, ColumnWriter w, int start, int end) {
        switch (mode) {
            case ERROR -> {
                if (r < errorRow || r == errorRow && w.fileColumn < errorWriter.fileColumn) {
                    errorRow = r;
                    errorWriter = w;
                    errorStart = start;
                    errorEnd = end;
                }
                return false;
            }
            case NULL -> {
                valuesNulled++;
                return true;
            }
            default -> {
                bad[r] = true;
                anyBad = true;
                return true;
            }
        }
    }

    int badCount() {
        int n = 0;
        for (int r = 0; r < rows; r++) if (bad[r]) n++;
        return n;
    }
}
