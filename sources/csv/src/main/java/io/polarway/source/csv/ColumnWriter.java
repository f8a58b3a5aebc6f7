package io.polarway.source.csv;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Converts one column of a {@link Batch} straight into an Arrow vector: values are parsed from the read buffer and
 * stored at the vector's buffer addresses, with no per-field objects. A writer is reused across chunks: each chunk
 * {@link #allocate}s a new vector from the chunk's allocator, batches are {@link #ensure}d (the only place that
 * allocates, before anything of the batch is written, so a failed allocation leaves the chunk consistent) and
 * {@link #convert}ed, and {@link #finish} hands the vector over.
 *
 * <p>Nulls: an unquoted empty field or an unquoted {@code null_values} entry; for types other than utf8 a quoted empty
 * field too. A field the record did not have ({@code on_bad_row=null}) is null.
 *
 * <p>Not thread-safe: one per column per reader.
 */
abstract class ColumnWriter {
    final Field field;
    final int slot;
    final int fileColumn;
    final ColumnType type;
    final NullMatcher nulls;
    final Values values = new Values();
    FieldVector vector;
    /** Rows written to the current vector. */
    int count;

    ColumnWriter(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
        this.field = new Field(name, FieldType.nullable(type.arrowType()), null);
        this.type = type;
        this.slot = slot;
        this.fileColumn = fileColumn;
        this.nulls = nulls;
    }

    static ColumnWriter create(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls,
                               boolean latin1) {
        return switch (type.kind()) {
            case INT64 -> new Int64(name, type, slot, fileColumn, nulls);
            case FLOAT64 -> new Float64(name, type, slot, fileColumn, nulls);
            case BOOLEAN -> new Bool(name, type, slot, fileColumn, nulls);
            case DATE -> new Date(name, type, slot, fileColumn, nulls);
            case TIMESTAMP -> new Timestamp(name, type, slot, fileColumn, nulls);
            case UTF8 -> new Utf8(name, type, slot, fileColumn, nulls, latin1);
        };
    }

    /** Creates this chunk's vector with room for {@code rows} values (and {@code bytes} of string data). */
    void allocate(BufferAllocator allocator, int rows, long bytes) {
        FieldVector v = field.createVector(allocator);
        try {
            allocateVector(v, Math.max(1, rows), bytes);
        } catch (RuntimeException | Error e) {
            v.close();
            throw e;
        }
        vector = v;
        count = 0;
    }

    void allocateVector(FieldVector v, int rows, long bytes) {
        v.setInitialCapacity(rows);
        v.allocateNew();
    }

    /** Grows the vector so that the batch's {@code rows} more values fit. The only method that allocates mid-chunk. */
    void ensure(Batch batch) {
        while (vector.getValueCapacity() < count + batch.rows) ((BaseFixedWidthVector) vector).reAlloc();
    }

    /** Converts the batch's rows (except those in {@code batch.skip}); reports bad values to the batch. */
    abstract void convert(Batch batch);

    /** Drops the rows from {@code rows} on (their validity bits are cleared so the vector can be written again). */
    void truncate(int rows) {
        long valid = vector.getValidityBufferAddress();
        for (int i = rows; i < count; i++) clearValid(valid, i);
        count = rows;
    }

    /** Sets the value count and hands the vector over. */
    FieldVector finish() {
        FieldVector v = vector;
        v.setValueCount(count);
        vector = null;
        return v;
    }

    /** Releases the current vector, if any (on failure). */
    void discard() {
        if (vector != null) {
            vector.close();
            vector = null;
        }
    }

    /** A null unless the field has a value: unquoted empty or a null value, or (non-string types) quoted empty. */
    final boolean isNull(byte[] b, int s, int e, int flags) {
        if (e == s) return true;
        return !nulls.none && (flags & Batch.QUOTED) == 0 && nulls.matches(b, s, e);
    }

    static void setValid(long validity, int i) {
        long a = validity + (i >>> 3);
        MemoryUtil.putByte(a, (byte) (MemoryUtil.getByte(a) | (1 << (i & 7))));
    }

    /** Sets the validity bits {@code [from, to)}: whole bytes at once. */
    static void setValidRange(long validity, int from, int to) {
        int i = from;
        for (; i < to && (i & 7) != 0; i++) setValid(validity, i);
        int bytes = (to - i) >>> 3;
        if (bytes > 0) {
            MemoryUtil.setMemory(validity + (i >>> 3), bytes, (byte) 0xFF);
            i += bytes << 3;
        }
        for (; i < to; i++) setValid(validity, i);
    }

    static void clearValidRange(long validity, int from, int to) {
        for (int i = from; i < to; i++) clearValid(validity, i);
    }

    static void clearValid(long validity, int i) {
        long a = validity + (i >>> 3);
        MemoryUtil.putByte(a, (byte) (MemoryUtil.getByte(a) & ~(1 << (i & 7))));
    }

    // ---------------------------------------------------------------------------------------------------------------

    static final class Int64 extends ColumnWriter {
        Int64(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
            super(name, type, slot, fileColumn, nulls);
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            final Values v = values;
            int out = count;
            final int end = count + bt.rows;
            final boolean prefill = skip == null; // all valid, then clear the nulls: no per-value bit update
            if (prefill) setValidRange(valid, out, end);
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                boolean isValid = false;
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if (!isNull(b, s, e, f)) {
                        long x = v.parseLong(b, s, e);
                        if (v.ok) {
                            MemoryUtil.putLong(data + ((long) out << 3), x);
                            isValid = true;
                        } else if (!bt.bad(r, this, s, e)) {
                            if (prefill) clearValidRange(valid, out, end);
                            count = out;
                            return;
                        }
                    }
                }
                if (isValid) {
                    if (!prefill) setValid(valid, out);
                } else if (prefill) {
                    clearValid(valid, out);
                }
                out++;
            }
            count = out;
        }
    }

    static final class Float64 extends ColumnWriter {
        Float64(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
            super(name, type, slot, fileColumn, nulls);
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            final Values v = values;
            int out = count;
            final int end = count + bt.rows;
            final boolean prefill = skip == null; // all valid, then clear the nulls: no per-value bit update
            if (prefill) setValidRange(valid, out, end);
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                boolean isValid = false;
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if (!isNull(b, s, e, f)) {
                        double x = v.parseDouble(b, s, e);
                        if (v.ok) {
                            MemoryUtil.putLong(data + ((long) out << 3), Double.doubleToRawLongBits(x));
                            isValid = true;
                        } else if (!bt.bad(r, this, s, e)) {
                            if (prefill) clearValidRange(valid, out, end);
                            count = out;
                            return;
                        }
                    }
                }
                if (isValid) {
                    if (!prefill) setValid(valid, out);
                } else if (prefill) {
                    clearValid(valid, out);
                }
                out++;
            }
            count = out;
        }
    }

    static final class Bool extends ColumnWriter {
        Bool(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
            super(name, type, slot, fileColumn, nulls);
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            final Values v = values;
            int out = count;
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if (!isNull(b, s, e, f)) {
                        int x = v.parseBoolean(b, s, e);
                        if (v.ok) {
                            if (x != 0) setValid(data, out);
                            else clearValid(data, out);
                            setValid(valid, out);
                        } else if (!bt.bad(r, this, s, e)) {
                            count = out;
                            return;
                        }
                    }
                }
                out++;
            }
            count = out;
        }
    }

    static final class Date extends ColumnWriter {
        Date(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
            super(name, type, slot, fileColumn, nulls);
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            final Values v = values;
            int out = count;
            final int end = count + bt.rows;
            final boolean prefill = skip == null; // all valid, then clear the nulls: no per-value bit update
            if (prefill) setValidRange(valid, out, end);
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                boolean isValid = false;
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if (!isNull(b, s, e, f)) {
                        int x = v.parseDate(b, s, e);
                        if (v.ok) {
                            MemoryUtil.putInt(data + ((long) out << 2), x);
                            isValid = true;
                        } else if (!bt.bad(r, this, s, e)) {
                            if (prefill) clearValidRange(valid, out, end);
                            count = out;
                            return;
                        }
                    }
                }
                if (isValid) {
                    if (!prefill) setValid(valid, out);
                } else if (prefill) {
                    clearValid(valid, out);
                }
                out++;
            }
            count = out;
        }
    }

    static final class Timestamp extends ColumnWriter {
        private final long perSecond;
        private final int maxFraction;

        Timestamp(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls) {
            super(name, type, slot, fileColumn, nulls);
            this.perSecond = ColumnType.perSecond(type.unit());
            this.maxFraction = ColumnType.fractionDigits(type.unit());
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            final Values v = values;
            int out = count;
            final int end = count + bt.rows;
            final boolean prefill = skip == null; // all valid, then clear the nulls: no per-value bit update
            if (prefill) setValidRange(valid, out, end);
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                boolean isValid = false;
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if (!isNull(b, s, e, f)) {
                        long x = v.parseTimestamp(b, s, e, perSecond, maxFraction);
                        if (v.ok) {
                            MemoryUtil.putLong(data + ((long) out << 3), x);
                            isValid = true;
                        } else if (!bt.bad(r, this, s, e)) {
                            if (prefill) clearValidRange(valid, out, end);
                            count = out;
                            return;
                        }
                    }
                }
                if (isValid) {
                    if (!prefill) setValid(valid, out);
                } else if (prefill) {
                    clearValid(valid, out);
                }
                out++;
            }
            count = out;
        }
    }

    /**
     * Strings: bytes are copied as they are (UTF-8, validated unless the whole batch is ASCII) or transcoded from
     * Latin-1; doubled quotes are unescaped. A quoted empty field is an empty string, not a null.
     */
    static final class Utf8 extends ColumnWriter {
        private final boolean latin1;
        private byte[] scratch = new byte[256];
        /** Bytes of string data written to the current vector. */
        private long dataEnd;
        private long lastBytesPerValue;

        Utf8(String name, ColumnType type, int slot, int fileColumn, NullMatcher nulls, boolean latin1) {
            super(name, type, slot, fileColumn, nulls);
            this.latin1 = latin1;
        }

        @Override
        void allocateVector(FieldVector v, int rows, long bytes) {
            ((BaseVariableWidthVector) v).allocateNew(Math.max(64, bytes), rows);
            dataEnd = 0;
        }

        @Override
        void allocate(BufferAllocator allocator, int rows, long bytes) {
            super.allocate(allocator, rows, bytes);
            dataEnd = 0;
        }

        @Override
        void ensure(Batch bt) {
            BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
            while (v.getValueCapacity() < count + bt.rows) v.reallocValidityAndOffsetBuffers();
            long bytes = 0;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += bt.stride) {
                int s = fs[idx];
                if (s >= 0) bytes += (fe[idx] & Batch.END) - s;
            }
            if (latin1) bytes *= 2; // each byte from 0x80 becomes two
            long need = dataEnd + bytes;
            if (v.getByteCapacity() < need) v.reallocDataBuffer(need);
        }

        /** Mean bytes of string data per value in the last chunk (0 before the first), for sizing the next one. */
        long bytesPerValue() {
            return lastBytesPerValue;
        }

        @Override
        void convert(Batch bt) {
            final byte[] b = bt.buf;
            final int[] fs = bt.fs;
            final int[] fe = bt.fe;
            final int stride = bt.stride;
            final boolean[] skip = bt.skip;
            final boolean checkUtf8 = !latin1 && !bt.ascii;
            final long offsets = vector.getOffsetBufferAddress();
            final long data = vector.getDataBufferAddress();
            final long valid = vector.getValidityBufferAddress();
            long end = dataEnd;
            int out = count;
            for (int r = 0, idx = slot; r < bt.rows; r++, idx += stride) {
                if (skip != null && skip[r]) continue;
                int s = fs[idx];
                if (s >= 0) {
                    int f = fe[idx];
                    int e = f & Batch.END;
                    if ((f & Batch.QUOTED) != 0 || e != s && (nulls.none || !nulls.matches(b, s, e))) {
                        byte[] src = b;
                        int from = s;
                        int n = e - s;
                        if (f < 0) { // ESCAPED: drop the second quote of each pair
                            n = unescape(b, s, e);
                            src = scratch;
                            from = 0;
                        }
                        boolean good = true;
                        if (latin1) {
                            if (!Values.isAscii(src, from, from + n)) {
                                n = toUtf8(src, from, n);
                                src = scratch;
                                from = 0;
                            }
                        } else if (checkUtf8 && !Values.isUtf8(src, from, from + n)) {
                            good = false;
                        }
                        if (good) {
                            MemoryUtil.copyToMemory(src, from, data + end, n);
                            end += n;
                            setValid(valid, out);
                        } else if (!bt.bad(r, this, s, e)) {
                            MemoryUtil.putInt(offsets + ((long) (out + 1) << 2), (int) end);
                            count = out;
                            dataEnd = end;
                            return;
                        }
                    }
                }
                out++;
                MemoryUtil.putInt(offsets + ((long) out << 2), (int) end);
            }
            count = out;
            dataEnd = end;
        }

        private int unescape(byte[] b, int s, int e) {
            if (scratch.length < e - s) scratch = new byte[Math.max(e - s, scratch.length * 2)];
            byte[] out = scratch;
            int n = 0;
            for (int i = s; i < e; i++) {
                byte c = b[i];
                out[n++] = c;
                if (c == b[s - 1] && i + 1 < e && b[i + 1] == c) i++; // b[s - 1] is the opening quote
            }
            return n;
        }

        /** Latin-1 to UTF-8 into the scratch array (which may hold the source: work from a copy). */
        private int toUtf8(byte[] src, int from, int n) {
            byte[] in = src == scratch ? java.util.Arrays.copyOfRange(src, from, from + n) : src;
            int start = src == scratch ? 0 : from;
            if (scratch.length < 2 * n) scratch = new byte[Math.max(2 * n, scratch.length * 2)];
            byte[] out = scratch;
            int k = 0;
            for (int i = start; i < start + n; i++) {
                int c = in[i] & 0xff;
                if (c < 0x80) {
                    out[k++] = (byte) c;
                } else {
                    out[k++] = (byte) (0xc0 | (c >> 6));
                    out[k++] = (byte) (0x80 | (c & 0x3f));
                }
            }
            return k;
        }

        @Override
        void truncate(int rows) {
            long valid = vector.getValidityBufferAddress();
            for (int i = rows; i < count; i++) clearValid(valid, i);
            count = rows;
            dataEnd = MemoryUtil.getInt(vector.getOffsetBufferAddress() + ((long) rows << 2));
        }

        @Override
        FieldVector finish() {
            if (count > 0) lastBytesPerValue = dataEnd / count + 1;
            ((BaseVariableWidthVector) vector).setLastSet(count - 1);
            return super.finish();
        }
    }
}
