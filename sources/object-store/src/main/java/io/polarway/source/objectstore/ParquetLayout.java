package io.polarway.source.objectstore;

import io.polarway.error.ParseException;
import io.polarway.error.Where;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the bytes of a Parquet object are, from its footer alone: for each row group, its rows and the byte range of
 * each column chunk (with the top-level column it belongs to). That is what lets the object-store source fetch only
 * the row groups and columns it needs, by range.
 *
 * <p>It also writes the footer of a file that holds one row group (or none) of the original, with every byte offset
 * unchanged: the Thrift compact encoding of {@code FileMetaData} is copied as it is, except {@code num_rows} and the
 * {@code row_groups} list, which are replaced. Field headers in the compact protocol encode only field-id deltas, not
 * positions, so the splice stays valid. Placed over a sparse local file in which only that row group's needed column
 * chunks were written at their original offsets, it is a valid Parquet file for the JNI scanner.
 *
 * @param footer    the Thrift {@code FileMetaData} bytes
 * @param sizeBytes the object's size
 * @param rowGroups every row group, in file order
 */
record ParquetLayout(byte[] footer, long sizeBytes, List<RowGroup> rowGroups, Splice splice) {
    static final int MAGIC = 0x31524150; // "PAR1" little-endian
    private static final int MAX_DEPTH = 64;

    /**
     * @param index   0-based
     * @param rows    {@code num_rows}
     * @param columns its column chunks
     * @param from    offset of the row group's struct within the footer
     * @param to      end (exclusive) of that struct
     */
    record RowGroup(int index, long rows, List<ColumnChunk> columns, int from, int to) {
        /** Bytes of the chunks of {@code wanted} top-level columns (all when null). */
        long bytes(java.util.Set<String> wanted) {
            long n = 0;
            for (ColumnChunk c : columns) if (wanted == null || wanted.contains(c.topLevel())) n += c.length();
            return n;
        }
    }

    /** @param topLevel first element of {@code path_in_schema}; {@code start}/{@code length} in the object */
    record ColumnChunk(String topLevel, long start, long length) {
        long end() {
            return start + length;
        }
    }

    /**
     * Positions in the footer: {@code num_rows}' value, and the {@code row_groups} list (header included).
     */
    record Splice(int numRowsFrom, int numRowsTo, int listFrom, int listTo) {
    }

    /** Rows in the whole object. */
    long rows() {
        long n = 0;
        for (RowGroup g : rowGroups) n += g.rows;
        return n;
    }

    /** Where the footer starts in the object. */
    long footerStart() {
        return sizeBytes - 8 - footer.length;
    }

    /**
     * A footer listing only {@code group} (or no row group when null), with the object's offsets.
     */
    byte[] footerFor(RowGroup group) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(footer.length);
        out.write(footer, 0, splice.numRowsFrom);
        writeVarint(out, zigzag(group == null ? 0 : group.rows));
        out.write(footer, splice.numRowsTo, splice.listFrom - splice.numRowsTo);
        // list header: the field header byte (delta + type 9) is before listFrom; here the size and element type
        int n = group == null ? 0 : 1;
        out.write((n << 4) | 12);
        if (group != null) out.write(footer, group.from, group.to - group.from);
        out.write(footer, splice.listTo, footer.length - splice.listTo);
        return out.toByteArray();
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /**
     * Parses {@code footer}, the Thrift bytes before the object's last 8 bytes.
     *
     * @throws ParseException naming {@code resource} and the byte offset of the problem
     */
    static ParquetLayout parse(byte[] footer, long sizeBytes, String resource) {
        long footerStart = sizeBytes - 8 - footer.length;
        Compact c = new Compact(footer);
        try {
            long numRows = -1;
            int numRowsFrom = -1;
            int numRowsTo = -1;
            int listFrom = -1;
            int listTo = -1;
            List<RowGroup> groups = new ArrayList<>();
            short last = 0;
            while (true) {
                int header = c.u8();
                int type = header & 0x0f;
                if (type == 0) break;
                short id = c.fieldId(header, last);
                last = id;
                if (id == 3 && type == 6) {
                    numRowsFrom = c.pos();
                    numRows = c.zigzag();
                    numRowsTo = c.pos();
                } else if (id == 4 && type == 9) {
                    listFrom = c.pos();
                    int[] list = c.listHeader();
                    if (list[1] != 12) throw c.corrupt("row_groups is not a list of structs");
                    for (int i = 0; i < list[0]; i++) groups.add(rowGroup(c, i, sizeBytes));
                    listTo = c.pos();
                } else {
                    c.skip(type, 0);
                }
            }
            if (numRows < 0) throw c.corrupt("no num_rows in FileMetaData");
            if (listFrom < 0) throw c.corrupt("no row_groups in FileMetaData");
            if (numRowsTo > listFrom) throw c.corrupt("num_rows after row_groups (fields out of order)");
            long sum = 0;
            for (RowGroup g : groups) sum += g.rows;
            if (sum != numRows) throw c.corrupt("row groups hold " + sum + " rows but the file says " + numRows);
            return new ParquetLayout(footer, sizeBytes, List.copyOf(groups),
                    new Splice(numRowsFrom, numRowsTo, listFrom, listTo));
        } catch (Corrupt e) {
            throw new ParseException("corrupt Parquet footer: " + e.getMessage(),
                    Where.resource(resource).withByteOffset(footerStart + e.position), null);
        }
    }

    private static RowGroup rowGroup(Compact c, int index, long sizeBytes) {
        int from = c.pos();
        long rows = -1;
        List<ColumnChunk> columns = new ArrayList<>();
        short last = 0;
        while (true) {
            int header = c.u8();
            int type = header & 0x0f;
            if (type == 0) break;
            short id = c.fieldId(header, last);
            last = id;
            if (id == 1 && type == 9) {
                int[] list = c.listHeader();
                if (list[1] != 12) throw c.corrupt("columns is not a list of structs");
                for (int i = 0; i < list[0]; i++) columns.add(columnChunk(c, sizeBytes));
            } else if (id == 3 && type == 6) {
                rows = c.zigzag();
            } else {
                c.skip(type, 1);
            }
        }
        if (rows < 0) throw c.corrupt("row group " + index + " without num_rows");
        return new RowGroup(index, rows, List.copyOf(columns), from, c.pos());
    }

    private static ColumnChunk columnChunk(Compact c, long sizeBytes) {
        ColumnChunk chunk = null;
        boolean external = false;
        short last = 0;
        while (true) {
            int header = c.u8();
            int type = header & 0x0f;
            if (type == 0) break;
            short id = c.fieldId(header, last);
            last = id;
            if (id == 1 && type == 8) {
                c.skip(type, 2);
                external = true;
            } else if (id == 3 && type == 12) {
                chunk = columnMetaData(c);
            } else {
                c.skip(type, 2);
            }
        }
        if (external) throw c.corrupt("column chunks in other files (file_path) are not supported");
        if (chunk == null) throw c.corrupt("column chunk without meta_data (encrypted footers are not supported)");
        if (chunk.start() < 4 || chunk.length() < 0 || chunk.end() > sizeBytes - 8) {
            throw c.corrupt("column chunk bytes " + chunk.start() + "+" + chunk.length() + " lie outside the object");
        }
        return chunk;
    }

    private static ColumnChunk columnMetaData(Compact c) {
        String top = null;
        long compressed = -1;
        long dataPage = -1;
        long dictionaryPage = -1;
        short last = 0;
        while (true) {
            int header = c.u8();
            int type = header & 0x0f;
            if (type == 0) break;
            short id = c.fieldId(header, last);
            last = id;
            if (id == 3 && type == 9) {
                int[] list = c.listHeader();
                for (int i = 0; i < list[0]; i++) {
                    String s = c.string();
                    if (i == 0) top = s;
                }
            } else if (id == 7 && type == 6) {
                compressed = c.zigzag();
            } else if (id == 9 && type == 6) {
                dataPage = c.zigzag();
            } else if (id == 11 && type == 6) {
                dictionaryPage = c.zigzag();
            } else {
                c.skip(type, 3);
            }
        }
        if (top == null || compressed < 0 || dataPage < 0) throw c.corrupt("incomplete column metadata");
        // as the Parquet readers compute it: the chunk starts at its dictionary page when there is one before the data
        long start = dictionaryPage > 0 && dictionaryPage < dataPage ? dictionaryPage : dataPage;
        return new ColumnChunk(top, start, compressed);
    }

    private static final class Corrupt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        Corrupt(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    /** The part of the Thrift compact protocol a reader needs to walk any struct, with bounds checks. */
    private static final class Compact {
        private final byte[] b;
        private int p;

        Compact(byte[] b) {
            this.b = b;
        }

        int pos() {
            return p;
        }

        Corrupt corrupt(String what) {
            return new Corrupt(what, p);
        }

        int u8() {
            if (p >= b.length) throw corrupt("unexpected end of footer");
            return b[p++] & 0xff;
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
            if (size < 0 || size > b.length - p) throw corrupt("list of " + size + " elements exceeds the footer");
            return new int[]{(int) size, h & 0x0f};
        }

        String string() {
            long n = varint();
            if (n < 0 || n > b.length - p) throw corrupt("string of " + n + " bytes exceeds the footer");
            String s = new String(b, p, (int) n, java.nio.charset.StandardCharsets.UTF_8);
            p += (int) n;
            return s;
        }

        void skipBytes(long n) {
            if (n < 0 || n > b.length - p) throw corrupt("field of " + n + " bytes exceeds the footer");
            p += (int) n;
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
                    if (size < 0 || size > b.length - p) throw corrupt("map of " + size + " entries exceeds the footer");
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
