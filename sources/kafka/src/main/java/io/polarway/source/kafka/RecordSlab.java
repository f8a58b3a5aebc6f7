package io.polarway.source.kafka;

import io.polarway.source.kafka.OffsetTracker.PartitionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive records of one partition from one poll, in primitive arrays only: the values back to back in one
 * {@code byte[]}, the keys in another, Arrow-style offsets into them, and the records' offsets and timestamps. Made on
 * the consumer's thread from the {@link ConsumerRecord}s of a poll, which then die young.
 *
 * <p>Why: the fetched records wait in the {@link RecordBuffer} — up to {@code buffer_max_bytes}, hundreds of thousands
 * of small records — and as {@code ConsumerRecord}s (each with its key and value arrays, its headers, and the
 * reader's per-record wrappers) they were a large live set of small objects that every young collection copied: a
 * third of the CPU went to G1 at a million records a second. A slab is a handful of arrays whatever it holds, and its
 * values can be copied into an Arrow vector in one piece.
 *
 * <p>Immutable once made; read by index ({@code 0 <= i < count}). Record headers are not kept: the source exposes
 * none. A slab's heap ({@link #bytes}, what the buffer's bound counts) is its arrays' exact sizes and the object;
 * {@link #bytesOf} splits it over index ranges, so that taking a slab in parts releases exactly its size.
 */
final class RecordSlab {
    /**
     * The most key and value bytes one slab holds (a larger record gets a slab of its own): its arrays stay well below
     * G1's humongous size (half a region, 512 KiB for the smallest regions), which G1 allocates in old regions.
     */
    static final int MAX_DATA_BYTES = 256 * 1024;
    /** The most heap a slab spends per record beyond its key and value bytes (offset, timestamp, offsets, nulls). */
    static final int RECORD_OVERHEAD_BYTES = 8 + 8 + 4 + 4 + 1 + 1;
    /** The most heap a slab spends beyond its records: the object, its arrays' headers and padding. */
    static final int SLAB_OVERHEAD_BYTES = 64 + 8 * (16 + 8) + 8;
    private static final byte[] NO_BYTES = new byte[0];

    /** The assignment of the partition these records were fetched under. */
    final PartitionState state;
    final int count;
    /** Per record, its offset in the partition (increasing). */
    final long[] offsets;
    /** Per record, its timestamp in ms, or -1 when it has none. */
    final long[] timestamps;
    /** The values back to back: value {@code i} is {@code values[valueOffsets[i], valueOffsets[i + 1])}. */
    final byte[] values;
    final int[] valueOffsets;
    /** Per record, whether its value is null (a tombstone; its range is empty); null when no value is. */
    final boolean[] valueNulls;
    /** The keys back to back, like the values. */
    final byte[] keys;
    /** {@code count + 1} offsets into {@link #keys}; null when every key is null. */
    final int[] keyOffsets;
    /** Per record, whether its key is null; null when no key is (or every key is: {@link #keyOffsets} is null). */
    final boolean[] keyNulls;
    /** The heap this slab holds, in bytes. */
    final long bytes;
    /** {@link #bytes} less what {@link #bytesOf} counts per record: charged with the last record. */
    private final long fixedBytes;

    private RecordSlab(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records, int from, int to,
                       int keyBytes, int valueBytes, boolean keyNull, boolean allKeysNull, boolean valueNull) {
        this.state = state;
        this.count = to - from;
        this.offsets = new long[count];
        this.timestamps = new long[count];
        this.values = valueBytes == 0 ? NO_BYTES : new byte[valueBytes];
        this.valueOffsets = new int[count + 1];
        this.valueNulls = valueNull ? new boolean[count] : null;
        this.keys = keyBytes == 0 ? NO_BYTES : new byte[keyBytes];
        this.keyOffsets = allKeysNull ? null : new int[count + 1];
        this.keyNulls = keyNull && !allKeysNull ? new boolean[count] : null;
        int v = 0;
        int k = 0;
        for (int i = 0; i < count; i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(from + i);
            offsets[i] = r.offset();
            timestamps[i] = r.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || r.timestamp() < 0 ? -1
                    : r.timestamp();
            v = append(r.value(), values, v, valueNulls, i);
            valueOffsets[i + 1] = v;
            if (keyOffsets != null) {
                k = append(r.key(), keys, k, keyNulls, i);
                keyOffsets[i + 1] = k;
            }
        }
        this.bytes = 64 + array(offsets.length, 8) + array(timestamps.length, 8) + array(values.length, 1)
                + array(valueOffsets.length, 4) + (valueNulls == null ? 0 : array(count, 1))
                + (keys == NO_BYTES ? 0 : array(keys.length, 1))
                + (keyOffsets == null ? 0 : array(keyOffsets.length, 4)) + (keyNulls == null ? 0 : array(count, 1));
        this.fixedBytes = bytes - dataBytes(0, count) - (long) count * perRecordBytes();
    }

    /** Copies {@code bytes} (record {@code i}'s key or value) to {@code into} at {@code at}, or marks it null. */
    private static int append(byte[] bytes, byte[] into, int at, boolean[] nulls, int i) {
        if (bytes == null) {
            nulls[i] = true;
            return at;
        }
        System.arraycopy(bytes, 0, into, at, bytes.length);
        return at + bytes.length;
    }

    /** The heap of an array: header and elements, padded to 8 bytes. */
    private static long array(int length, int elementBytes) {
        return (16 + (long) length * elementBytes + 7) & ~7L;
    }

    /**
     * The records of one partition from one poll as slabs, in order: one, unless their keys and values pass
     * {@link #MAX_DATA_BYTES}.
     */
    static List<RecordSlab> of(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records) {
        List<RecordSlab> out = new ArrayList<>(1);
        int n = records.size();
        int from = 0;
        while (from < n) {
            int keyBytes = 0;
            int valueBytes = 0;
            boolean keyNull = false;
            boolean keyPresent = false;
            boolean valueNull = false;
            int to = from;
            while (to < n) {
                ConsumerRecord<byte[], byte[]> r = records.get(to);
                int k = r.key() == null ? 0 : r.key().length;
                int v = r.value() == null ? 0 : r.value().length;
                if (to > from && (long) keyBytes + valueBytes + k + v > MAX_DATA_BYTES) break;
                keyBytes += k;
                valueBytes += v;
                if (r.key() == null) keyNull = true;
                else keyPresent = true;
                if (r.value() == null) valueNull = true;
                to++;
            }
            out.add(new RecordSlab(state, records, from, to, keyBytes, valueBytes, keyNull, !keyPresent, valueNull));
            from = to;
        }
        return out;
    }

    private int perRecordBytes() {
        return 8 + 8 + 4 + (valueNulls == null ? 0 : 1) + (keyOffsets == null ? 0 : 4) + (keyNulls == null ? 0 : 1);
    }

    /** The key and value bytes of records {@code [from, to)}. */
    long dataBytes(int from, int to) {
        long d = valueOffsets[to] - valueOffsets[from];
        if (keyOffsets != null) d += keyOffsets[to] - keyOffsets[from];
        return d;
    }

    /** The value bytes of records {@code [from, to)} (they are contiguous in {@link #values}). */
    int valueBytes(int from, int to) {
        return valueOffsets[to] - valueOffsets[from];
    }

    /** The key bytes of records {@code [from, to)} (contiguous in {@link #keys}). */
    int keyBytes(int from, int to) {
        return keyOffsets == null ? 0 : keyOffsets[to] - keyOffsets[from];
    }

    /**
     * The part of {@link #bytes} that records {@code [from, to)} account for: their data and per-record arrays, and
     * with the last record the rest. Over ranges that cover the slab it sums to {@link #bytes}.
     */
    long bytesOf(int from, int to) {
        long b = dataBytes(from, to) + (long) (to - from) * perRecordBytes();
        return to == count && from < to ? b + fixedBytes : b;
    }

    boolean valueIsNull(int i) {
        return valueNulls != null && valueNulls[i];
    }

    int valueStart(int i) {
        return valueOffsets[i];
    }

    int valueLength(int i) {
        return valueOffsets[i + 1] - valueOffsets[i];
    }

    boolean keyIsNull(int i) {
        return keyOffsets == null || keyNulls != null && keyNulls[i];
    }

    int keyStart(int i) {
        return keyOffsets[i];
    }

    int keyLength(int i) {
        return keyOffsets[i + 1] - keyOffsets[i];
    }

    /** The value of record {@code i} as a new array, or null (errors and tests; decoders read {@link #values}). */
    byte[] value(int i) {
        return valueIsNull(i) ? null : java.util.Arrays.copyOfRange(values, valueOffsets[i], valueOffsets[i + 1]);
    }

    /** The key of record {@code i} as a new array, or null. */
    byte[] key(int i) {
        return keyIsNull(i) ? null : java.util.Arrays.copyOfRange(keys, keyOffsets[i], keyOffsets[i + 1]);
    }

    @Override
    public String toString() {
        return state + "@" + (count == 0 ? "-" : offsets[0] + ".." + offsets[count - 1]) + " (" + count + " records)";
    }
}
