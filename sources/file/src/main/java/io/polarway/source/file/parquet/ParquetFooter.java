package io.polarway.source.file.parquet;

import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Parquet file's footer says about its size: the row count and the row groups. Read in Java, before the file is
 * handed to the JNI scanner, for two reasons: the scanner must only ever see a file whose magic numbers and footer
 * parse (garbage handed to native code is how a JVM crashes instead of failing), and the counts feed
 * {@link io.polarway.api.SourceMetadata} and the tests that prove every row arrives.
 *
 * <p>Parses the Thrift compact encoding of {@code FileMetaData} just far enough: field 3 ({@code num_rows}) and field 4
 * ({@code row_groups}, each with its {@code num_rows}); everything else is skipped structurally, with bounds checks.
 *
 * @param sizeBytes       the file size
 * @param footerBytes     length of the Thrift footer
 * @param rowCount        {@code FileMetaData.num_rows}
 * @param rowGroupRows    {@code num_rows} of each row group, in file order
 */
public record ParquetFooter(long sizeBytes, int footerBytes, long rowCount, List<Long> rowGroupRows) {
    private static final int MAGIC = 0x31524150; // "PAR1" little-endian
    private static final int MAX_DEPTH = 64;

    /** Number of row groups. */
    public int rowGroups() {
        return rowGroupRows.size();
    }

    /**
     * Reads and checks the footer of {@code file}.
     *
     * @throws ParseException naming the file and byte offset when the file is not Parquet, truncated or its footer
     *                        does not parse
     * @throws IoException    when the file cannot be read
     */
    public static ParquetFooter read(Path file) {
        String resource = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 12) {
                throw new ParseException("not a Parquet file: " + size + " bytes is shorter than the 12-byte frame "
                        + "(truncated?)", Where.resource(resource).withByteOffset(0), null);
            }
            ByteBuffer head = read(ch, 0, 4);
            if (head.getInt(0) != MAGIC) {
                throw new ParseException("not a Parquet file: no PAR1 magic at the start",
                        Where.resource(resource).withByteOffset(0), null);
            }
            ByteBuffer tail = read(ch, size - 8, 8);
            if (tail.getInt(4) != MAGIC) {
                throw new ParseException("truncated or corrupt Parquet file: no PAR1 magic at the end",
                        Where.resource(resource).withByteOffset(size - 4), null);
            }
            int footerLength = tail.getInt(0);
            if (footerLength <= 0 || footerLength > size - 12) {
                throw new ParseException("corrupt Parquet file: footer length " + footerLength + " does not fit "
                        + "the file of " + size + " bytes", Where.resource(resource).withByteOffset(size - 8), null);
            }
            long footerStart = size - 8 - footerLength;
            ByteBuffer footer = read(ch, footerStart, footerLength);
            try {
                return parse(footer, size, footerLength);
            } catch (CorruptFooter e) {
                throw new ParseException("corrupt Parquet footer: " + e.getMessage(),
                        Where.resource(resource).withByteOffset(footerStart + e.position), null);
            }
        } catch (IOException e) {
            throw new IoException("cannot read " + resource + ": " + e, Where.resource(resource), e);
        }
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) throw new IOException("unexpected end of file at byte " + (position + b.position()));
        }
        return b.flip();
    }

    static ParquetFooter parse(ByteBuffer footer, long size, int footerLength) {
        Compact c = new Compact(footer);
        long numRows = -1;
        List<Long> groups = new ArrayList<>();
        short last = 0;
        while (true) {
            int header = c.u8();
            int type = header & 0x0f;
            if (type == 0) break;
            short id = c.fieldId(header, last);
            last = id;
            if (id == 3 && type == 6) {
                numRows = c.zigzag();
            } else if (id == 4 && type == 9) {
                int[] list = c.listHeader();
                if (list[1] != 12) throw c.corrupt("row_groups is not a list of structs");
                for (int i = 0; i < list[0]; i++) groups.add(rowGroupRows(c));
            } else {
                c.skip(type, 0);
            }
        }
        if (numRows < 0) throw c.corrupt("no num_rows in FileMetaData");
        long sum = groups.stream().mapToLong(Long::longValue).sum();
        if (sum != numRows) {
            throw c.corrupt("row groups hold " + sum + " rows but the file says " + numRows);
        }
        return new ParquetFooter(size, footerLength, numRows, List.copyOf(groups));
    }

    private static long rowGroupRows(Compact c) {
        long rows = -1;
        short last = 0;
        while (true) {
            int header = c.u8();
            int type = header & 0x0f;
            if (type == 0) break;
            short id = c.fieldId(header, last);
            last = id;
            if (id == 3 && type == 6) rows = c.zigzag();
            else c.skip(type, 1);
        }
        if (rows < 0) throw c.corrupt("row group without num_rows");
        return rows;
    }

    private static final class CorruptFooter extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        CorruptFooter(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    /** The subset of the Thrift compact protocol a reader needs to walk any struct. */
    private static final class Compact {
        private final ByteBuffer b;

        Compact(ByteBuffer b) {
            this.b = b;
        }

        CorruptFooter corrupt(String what) {
            return new CorruptFooter(what, b.position());
        }

        int u8() {
            if (!b.hasRemaining()) throw corrupt("unexpected end of footer");
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

        short fieldId(int header, short last) {
            int delta = header >>> 4;
            return delta != 0 ? (short) (last + delta) : (short) zigzag();
        }

        int[] listHeader() {
            int h = u8();
            long size = h >>> 4;
            if (size == 15) size = varint();
            if (size < 0 || size > b.remaining()) throw corrupt("list of " + size + " elements exceeds the footer");
            return new int[]{(int) size, h & 0x0f};
        }

        void skipBytes(long n) {
            if (n < 0 || n > b.remaining()) throw corrupt("field of " + n + " bytes exceeds the footer");
            b.position(b.position() + (int) n);
        }

        void skip(int type, int depth) {
            if (depth > MAX_DEPTH) throw corrupt("structures nested deeper than " + MAX_DEPTH);
            switch (type) {
                case 1, 2 -> {
                }
                case 3 -> skipBytes(1);
                case 4, 5, 6 -> varint();
                case 7 -> skipBytes(8);
                case 8 -> skipBytes(varint());
                case 9, 10 -> {
                    int[] h = listHeader();
                    for (int i = 0; i < h[0]; i++) {
                        if (h[1] == 1 || h[1] == 2) skipBytes(1);
                        else skip(h[1], depth + 1);
                    }
                }
                case 11 -> {
                    long size = varint();
                    if (size < 0 || size > b.remaining()) throw corrupt("map of " + size + " entries exceeds the footer");
                    if (size > 0) {
                        int kv = u8();
                        for (long i = 0; i < size; i++) {
                            skip(kv >>> 4, depth + 1);
                            skip(kv & 0x0f, depth + 1);
                        }
                    }
                }
                case 12 -> {
                    short last = 0;
                    while (true) {
                        int header = u8();
                        int t = header & 0x0f;
                        if (t == 0) break;
                        last = fieldId(header, last);
                        skip(t, depth + 1);
                    }
                }
                default -> throw corrupt("unknown Thrift type " + type);
            }
        }
    }
}
