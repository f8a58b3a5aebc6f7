package io.polarway.source.file.parquet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A lossless tree of Thrift compact-protocol values, read and written back byte for byte, so a Parquet footer can be
 * edited (row groups dropped, index fields removed) without a generated Thrift model. Unknown fields survive untouched.
 *
 * <p>Values are {@code Boolean}, {@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code Double},
 * {@code byte[]} (binary and strings), {@link ListValue} (lists and sets), {@link MapValue} and {@link Struct}.
 * Reading is bounds-checked and depth-limited: a corrupt footer is a {@link Corrupt} with the byte position, never an
 * endless loop or a huge allocation. Not thread-safe (plain mutable trees).
 */
final class ThriftCompact {
    static final int BOOL_TRUE = 1;
    static final int BOOL_FALSE = 2;
    static final int BYTE = 3;
    static final int I16 = 4;
    static final int I32 = 5;
    static final int I64 = 6;
    static final int DOUBLE = 7;
    static final int BINARY = 8;
    static final int LIST = 9;
    static final int SET = 10;
    static final int MAP = 11;
    static final int STRUCT = 12;

    private static final int MAX_DEPTH = 64;

    private ThriftCompact() {
    }

    /** One field of a struct; {@code type} is the wire type ({@link #BOOL_TRUE} stands for both booleans). */
    record Field(short id, int type, Object value) {
    }

    /** A list or set: {@code elementType} is the wire type of every element. */
    record ListValue(int type, int elementType, List<Object> items) {
    }

    /** A map with its key and value wire types; each entry is a two-element array. */
    record MapValue(int keyType, int valueType, List<Object[]> entries) {
    }

    /** A struct: its fields in wire order. */
    static final class Struct {
        final List<Field> fields = new ArrayList<>();

        Field field(int id) {
            for (Field f : fields) if (f.id == id) return f;
            return null;
        }

        Object get(int id) {
            Field f = field(id);
            return f == null ? null : f.value;
        }

        Struct struct(int id) {
            return get(id) instanceof Struct s ? s : null;
        }

        /** The field as a long (i16/i32/i64), or {@code absent} when missing. */
        long number(int id, long absent) {
            return get(id) instanceof Number n ? n.longValue() : absent;
        }

        List<Object> list(int id) {
            return get(id) instanceof ListValue l ? l.items : null;
        }

        void remove(int id) {
            fields.removeIf(f -> f.id == id);
        }

        /** Replaces (or adds, keeping ids ascending) a field. */
        void put(int id, int type, Object value) {
            Field f = new Field((short) id, type, value);
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).id == id) {
                    fields.set(i, f);
                    return;
                }
                if (fields.get(i).id > id) {
                    fields.add(i, f);
                    return;
                }
            }
            fields.add(f);
        }

        /** A copy whose nested structs, lists and maps are copies too (binaries are shared: never mutated). */
        Struct deepCopy() {
            Struct s = new Struct();
            for (Field f : fields) s.fields.add(new Field(f.id, f.type, copy(f.value)));
            return s;
        }

        private static Object copy(Object v) {
            if (v instanceof Struct s) return s.deepCopy();
            if (v instanceof ListValue l) {
                List<Object> items = new ArrayList<>(l.items.size());
                for (Object o : l.items) items.add(copy(o));
                return new ListValue(l.type, l.elementType, items);
            }
            if (v instanceof MapValue m) {
                List<Object[]> entries = new ArrayList<>(m.entries.size());
                for (Object[] e : m.entries) entries.add(new Object[]{copy(e[0]), copy(e[1])});
                return new MapValue(m.keyType, m.valueType, entries);
            }
            return v;
        }
    }

    /** The input is not valid Thrift compact encoding; {@code position} is the offset where reading failed. */
    static final class Corrupt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        Corrupt(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading

    /** Reads one struct from the buffer's position (which advances past it). */
    static Struct readStruct(ByteBuffer b) {
        return new Reader(b).struct(0);
    }

    private static final class Reader {
        private final ByteBuffer b;

        Reader(ByteBuffer b) {
            this.b = b;
        }

        Corrupt corrupt(String what) {
            return new Corrupt(what, b.position());
        }

        int u8() {
            if (!b.hasRemaining()) throw corrupt("unexpected end of data");
            return b.get() & 0xff;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw corrupt("varint longer than 10 bytes");
        }

        long zigzag() {
            long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        int size(long n, String what) {
            if (n < 0 || n > b.remaining()) throw corrupt(what + " of " + n + " exceeds the remaining data");
            return (int) n;
        }

        Struct struct(int depth) {
            if (depth > MAX_DEPTH) throw corrupt("structures nested deeper than " + MAX_DEPTH);
            Struct s = new Struct();
            short last = 0;
            while (true) {
                int header = u8();
                int type = header & 0x0f;
                if (type == 0) return s;
                int delta = header >>> 4;
                short id = delta != 0 ? (short) (last + delta) : (short) zigzag();
                last = id;
                if (type == BOOL_TRUE || type == BOOL_FALSE) {
                    s.fields.add(new Field(id, BOOL_TRUE, type == BOOL_TRUE));
                } else {
                    s.fields.add(new Field(id, type, value(type, depth + 1)));
                }
            }
        }

        Object value(int type, int depth) {
            switch (type) {
                case BOOL_TRUE, BOOL_FALSE: {
                    int v = u8(); // inside containers a boolean is a byte: 1 true, anything else false
                    return v == BOOL_TRUE;
                }
                case BYTE:
                    return (byte) u8();
                case I16:
                    return (short) zigzag();
                case I32:
                    return (int) zigzag();
                case I64:
                    return zigzag();
                case DOUBLE: {
                    if (b.remaining() < 8) throw corrupt("unexpected end of data");
                    long bits = 0;
                    for (int i = 0; i < 8; i++) bits |= (long) u8() << (8 * i);
                    return Double.longBitsToDouble(bits);
                }
                case BINARY: {
                    byte[] out = new byte[size(varint(), "binary")];
                    b.get(out);
                    return out;
                }
                case LIST, SET: {
                    int h = u8();
                    long n = h >>> 4;
                    if (n == 15) n = varint();
                    int count = size(n, "list");
                    int et = h & 0x0f;
                    List<Object> items = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) items.add(element(et, depth));
                    return new ListValue(type, et == BOOL_FALSE ? BOOL_TRUE : et, items);
                }
                case MAP: {
                    int count = size(varint(), "map");
                    if (count == 0) return new MapValue(0, 0, new ArrayList<>());
                    int kv = u8();
                    List<Object[]> entries = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        entries.add(new Object[]{element(kv >>> 4, depth), element(kv & 0x0f, depth)});
                    }
                    return new MapValue(kv >>> 4, kv & 0x0f, entries);
                }
                case STRUCT:
                    return struct(depth);
                default:
                    throw corrupt("unknown Thrift type " + type);
            }
        }

        Object element(int type, int depth) {
            if (depth > MAX_DEPTH) throw corrupt("structures nested deeper than " + MAX_DEPTH);
            return value(type, depth + 1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writing

    /** The compact encoding of {@code s}. */
    static byte[] write(Struct s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeStruct(out, s);
        return out.toByteArray();
    }

    private static void writeStruct(ByteArrayOutputStream out, Struct s) {
        short last = 0;
        for (Field f : s.fields) {
            int type = f.type;
            if (type == BOOL_TRUE) type = Boolean.TRUE.equals(f.value) ? BOOL_TRUE : BOOL_FALSE;
            int delta = f.id - last;
            if (delta > 0 && delta <= 15) {
                out.write((delta << 4) | type);
            } else {
                out.write(type);
                varint(out, zigzag(f.id));
            }
            last = f.id;
            if (f.type != BOOL_TRUE) writeValue(out, f.type, f.value);
        }
        out.write(0);
    }

    private static void writeValue(ByteArrayOutputStream out, int type, Object v) {
        switch (type) {
            case BOOL_TRUE, BOOL_FALSE -> out.write(Boolean.TRUE.equals(v) ? BOOL_TRUE : BOOL_FALSE);
            case BYTE -> out.write((Byte) v);
            case I16, I32, I64 -> varint(out, zigzag(((Number) v).longValue()));
            case DOUBLE -> {
                long bits = Double.doubleToRawLongBits((Double) v);
                for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)) & 0xff);
            }
            case BINARY -> {
                byte[] bytes = (byte[]) v;
                varint(out, bytes.length);
                out.write(bytes, 0, bytes.length);
            }
            case LIST, SET -> {
                ListValue l = (ListValue) v;
                int n = l.items.size();
                if (n < 15) {
                    out.write((n << 4) | l.elementType);
                } else {
                    out.write(0xf0 | l.elementType);
                    varint(out, n);
                }
                for (Object o : l.items) writeValue(out, l.elementType, o);
            }
            case MAP -> {
                MapValue m = (MapValue) v;
                varint(out, m.entries.size());
                if (!m.entries.isEmpty()) {
                    out.write((m.keyType << 4) | m.valueType);
                    for (Object[] e : m.entries) {
                        writeValue(out, m.keyType, e[0]);
                        writeValue(out, m.valueType, e[1]);
                    }
                }
            }
            case STRUCT -> writeStruct(out, (Struct) v);
            default -> throw new IllegalArgumentException("unknown Thrift type " + type);
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
