package io.polarway.source.file.parquet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protocol-buffer wire encodings needed to write a Substrait {@code ExtendedExpression}: varints,
 * length-delimited fields and nested messages. Hand-written so that pushing a filter into the Parquet scan does not
 * pull in protobuf-java and the Substrait Java library (and their version constraints) for a dozen message types.
 * Not thread-safe.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter uint(int field, long value) {
        tag(field, VARINT);
        varint(value);
        return this;
    }

    /** A signed int32/int64 field (not zig-zag: Substrait uses plain int32/int64). */
    ProtoWriter int64(int field, long value) {
        return uint(field, value);
    }

    ProtoWriter bool(int field, boolean value) {
        return uint(field, value ? 1 : 0);
    }

    ProtoWriter fp64(int field, double value) {
        tag(field, FIXED64);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)) & 0xff);
        return this;
    }

    ProtoWriter fp32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) out.write((bits >>> (8 * i)) & 0xff);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        varint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    /** A nested message field. */
    ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
