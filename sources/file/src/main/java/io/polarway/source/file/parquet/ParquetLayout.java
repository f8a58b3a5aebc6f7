package io.polarway.source.file.parquet;

import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where a Parquet file keeps each row group's column chunks, from its footer, and how to write a <em>window</em>: a
 * sparse file that holds only some row groups (and only the column chunks a scan needs), readable by any Parquet reader.
 *
 * <h2>Why windows</h2>
 * arrow-dataset's Parquet scanner (18.x) pre-buffers: when it opens a file it caches the byte ranges of every selected
 * row group's column chunks and keeps each cached buffer until the whole file is scanned (arrow#39808). Its Java API
 * cannot turn that off ({@code pre_buffer} is only settable through {@code ParquetFragmentScanOptions}, which the JNI
 * bridge does not accept), nor read one row group, and those buffers come from the default native pool, outside the
 * scan's listenable pool. So one scan of a file holds about the file's (projected) size in native memory, whatever the
 * batch size. A window bounds that: the scanner only ever sees a file with a few row groups.
 *
 * <h2>Layout of a window</h2>
 * The window keeps every byte at its original offset — {@code PAR1}, holes, the needed column chunks copied from the
 * source, then a new footer — so no offset inside the footer changes:
 * the footer is the original one with the other row groups removed, {@code num_rows} set to the window's, and the
 * column/offset index and bloom filter references dropped (they live outside the copied ranges). Holes take no disk
 * space; the copy costs one extra pass over the needed bytes, through the page cache, freed when the window is deleted.
 *
 * <p>Immutable and thread-safe after {@link #read}.
 */
public final class ParquetLayout {
    private static final int MAGIC = 0x31524150; // "PAR1" little-endian
    /**
     * Bytes added after each column chunk, as Arrow's reader does for files of old parquet-mr writers whose
     * {@code total_compressed_size} left out the dictionary page header (PARQUET-816).
     */
    private static final int CHUNK_PADDING_BYTES = 100;
    /** Per copying thread: a 1 MiB direct buffer (a heap buffer would be copied into a hidden direct one anyway). */
    private static final ThreadLocal<ByteBuffer> COPY_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    private final Path file;
    private final long sizeBytes;
    private final ThriftCompact.Struct meta;
    private final List<RowGroup> rowGroups;
    private final String notWindowable;

    /**
     * One column chunk: its top-level column, its byte range (padding included, clipped to the file) and its size once
     * decompressed (still encoded: dictionary indices, not values).
     */
    public record Chunk(String column, long start, long length, long uncompressedBytes) {
        long end() {
            return start + length;
        }
    }

    /** One row group: its rows and column chunks. */
    public record RowGroup(long rows, List<Chunk> chunks) {
        /** Bytes of the chunks of {@code columns} (null: all). */
        public long bytes(Collection<String> columns) {
            long n = 0;
            for (Chunk c : chunks) if (columns == null || columns.contains(c.column)) n += c.length;
            return n;
        }

        /** Decompressed bytes of the chunks of {@code columns} (null: all). */
        public long uncompressedBytes(Collection<String> columns) {
            long n = 0;
            for (Chunk c : chunks) if (columns == null || columns.contains(c.column)) n += c.uncompressedBytes;
            return n;
        }
    }

    private ParquetLayout(Path file, long sizeBytes, ThriftCompact.Struct meta, List<RowGroup> rowGroups,
                          String notWindowable) {
        this.file = file;
        this.sizeBytes = sizeBytes;
        this.meta = meta;
        this.rowGroups = rowGroups;
        this.notWindowable = notWindowable;
    }

    public List<RowGroup> rowGroups() {
        return rowGroups;
    }

    /** Why the file cannot be read in windows (column chunks in other files, encryption), or null when it can. */
    public String notWindowable() {
        return notWindowable;
    }

    /** Bytes of the chunks of {@code columns} (null: all) over the whole file. */
    public long bytes(Collection<String> columns) {
        long n = 0;
        for (RowGroup g : rowGroups) n += g.bytes(columns);
        return n;
    }

    /** Decompressed bytes of the chunks of {@code columns} (null: all) over the whole file. */
    public long uncompressedBytes(Collection<String> columns) {
        long n = 0;
        for (RowGroup g : rowGroups) n += g.uncompressedBytes(columns);
        return n;
    }

    /**
     * Parses the footer of {@code file} (whose frame {@link ParquetFooter#read} has already checked).
     *
     * @throws ParseException naming the file and byte offset when the footer does not parse
     * @throws IoException    when the file cannot be read
     */
    public static ParquetLayout read(Path file) {
        String resource = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 12) throw new ParseException("not a Parquet file: " + size + " bytes", Where.resource(resource), null);
            ByteBuffer tail = readFully(ch, size - 8, 8);
            int footerLength = tail.getInt(0);
            if (tail.getInt(4) != MAGIC || footerLength <= 0 || footerLength > size - 12) {
                throw new ParseException("corrupt Parquet file: bad footer frame", Where.resource(resource)
                        .withByteOffset(size - 8), null);
            }
            long footerStart = size - 8 - footerLength;
            ByteBuffer footer = readFully(ch, footerStart, footerLength);
            try {
                return parse(file, size, ThriftCompact.readStruct(footer));
            } catch (ThriftCompact.Corrupt e) {
                throw new ParseException("corrupt Parquet footer: " + e.getMessage(),
                        Where.resource(resource).withByteOffset(footerStart + e.position), null);
            } catch (ClassCastException | IllegalArgumentException e) {
                throw new ParseException("corrupt Parquet footer: unexpected field type (" + e.getMessage() + ")",
                        Where.resource(resource).withByteOffset(footerStart), null);
            }
        } catch (IOException e) {
            throw new IoException("cannot read " + resource + ": " + e, Where.resource(resource), e);
        }
    }

    // FileMetaData: 3 num_rows, 4 row_groups, 8 encryption_algorithm. RowGroup: 1 columns, 3 num_rows.
    // ColumnChunk: 1 file_path, 3 meta_data, 4-7 offset/column index, 8-9 encryption.
    // ColumnMetaData: 3 path_in_schema, 6 total_uncompressed_size, 7 total_compressed_size, 9 data_page_offset, 10 index_page_offset,
    // 11 dictionary_page_offset, 14-15 bloom filter.
    private static ParquetLayout parse(Path file, long size, ThriftCompact.Struct meta) {
        String notWindowable = meta.get(8) != null ? "its columns are encrypted" : null;
        List<RowGroup> groups = new ArrayList<>();
        List<Object> rgs = meta.list(4);
        if (rgs != null) {
            for (Object o : rgs) {
                ThriftCompact.Struct rg = (ThriftCompact.Struct) o;
                List<Chunk> chunks = new ArrayList<>();
                List<Object> cols = rg.list(1);
                if (cols != null) {
                    for (Object c : cols) {
                        ThriftCompact.Struct cc = (ThriftCompact.Struct) c;
                        if (cc.get(1) != null && notWindowable == null) {
                            notWindowable = "its column chunks live in other files (file_path)";
                        }
                        if (cc.get(8) != null || cc.get(9) != null) notWindowable = "its columns are encrypted";
                        ThriftCompact.Struct md = cc.struct(3);
                        if (md == null) {
                            notWindowable = "a column chunk has no metadata";
                            continue;
                        }
                        chunks.add(chunk(md, size));
                    }
                }
                groups.add(new RowGroup(rg.number(3, 0), List.copyOf(chunks)));
            }
        }
        return new ParquetLayout(file, size, meta, List.copyOf(groups), notWindowable);
    }

    private static Chunk chunk(ThriftCompact.Struct md, long fileSize) {
        List<Object> path = md.list(3);
        String column = path == null || path.isEmpty() ? "" : new String((byte[]) path.get(0), StandardCharsets.UTF_8);
        long start = md.number(9, -1);
        long dict = md.number(11, -1);
        if (dict > 0 && dict < start) start = dict;
        long index = md.number(10, -1);
        if (index > 0 && index < start) start = index;
        long length = md.number(7, -1);
        if (start < 4 || length < 0 || start + length > fileSize) {
            throw new IllegalArgumentException("column chunk of '" + column + "' at " + start + "+" + length
                    + " outside the file of " + fileSize + " bytes");
        }
        long padded = Math.min(fileSize - 8, start + length + CHUNK_PADDING_BYTES) - start;
        return new Chunk(column, start, Math.max(length, padded), Math.max(0, md.number(6, length)));
    }

    /**
     * Writes a window of row groups {@code [from, to)} to {@code target} (created or replaced), holding the chunks of
     * {@code columns} (null: all), and returns the bytes copied.
     *
     * @throws IllegalStateException when {@link #notWindowable()} is set
     * @throws IOException           when reading the source or writing the window fails
     */
    public long writeWindow(FileChannel source, Path target, int from, int to, Collection<String> columns)
            throws IOException {
        if (notWindowable != null) throw new IllegalStateException(file + " cannot be windowed: " + notWindowable);
        if (from < 0 || to > rowGroups.size() || from >= to) {
            throw new IllegalArgumentException("row groups [" + from + ", " + to + ") of " + rowGroups.size());
        }
        List<long[]> ranges = new ArrayList<>();
        long rows = 0;
        for (int g = from; g < to; g++) {
            rows += rowGroups.get(g).rows;
            for (Chunk c : rowGroups.get(g).chunks) {
                if (columns == null || columns.contains(c.column)) ranges.add(new long[]{c.start, c.end()});
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : ranges) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
            else merged.add(r.clone());
        }
        long copied = 0;
        long end = 4;
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, ByteBuffer.wrap("PAR1".getBytes(StandardCharsets.US_ASCII)), 0);
            ByteBuffer buffer = COPY_BUFFER.get();
            for (long[] r : merged) {
                // Plain reads and writes (writing past the end leaves a hole), not transferTo: the kernel's splice
                // path behind transferTo puts the source's pages on the active LRU list, where they count in the
                // cgroup's working set (usage minus inactive file) until memory runs short; read pages stay inactive.
                long pos = r[0];
                while (pos < r[1]) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), r[1] - pos));
                    int n = source.read(buffer, pos);
                    if (n <= 0) throw new IOException("source ended at byte " + pos + " while copying");
                    buffer.flip();
                    writeFully(out, buffer, pos);
                    pos += n;
                }
                copied += r[1] - r[0];
                end = Math.max(end, r[1]);
            }
            byte[] footer = ThriftCompact.write(windowMeta(from, to, rows));
            ByteBuffer frame = ByteBuffer.allocate(footer.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            frame.put(footer).putInt(footer.length).putInt(MAGIC).flip();
            writeFully(out, frame, end);
        }
        return copied;
    }

    private ThriftCompact.Struct windowMeta(int from, int to, long rows) {
        // The original fields are shared (never mutated); only the kept row groups are copied, then edited.
        ThriftCompact.Struct m = new ThriftCompact.Struct();
        m.fields.addAll(meta.fields);
        m.put(3, ThriftCompact.I64, rows);
        ThriftCompact.ListValue all = (ThriftCompact.ListValue) meta.get(4);
        List<Object> kept = new ArrayList<>(to - from);
        for (Object o : all.items().subList(from, to)) kept.add(((ThriftCompact.Struct) o).deepCopy());
        for (Object o : kept) {
            ThriftCompact.Struct rg = (ThriftCompact.Struct) o;
            List<Object> cols = rg.list(1);
            if (cols == null) continue;
            for (Object c : cols) {
                ThriftCompact.Struct cc = (ThriftCompact.Struct) c;
                for (int id = 4; id <= 7; id++) cc.remove(id); // offset and column indexes: not copied
                ThriftCompact.Struct md = cc.struct(3);
                if (md != null) {
                    md.remove(14); // bloom filter: not copied
                    md.remove(15);
                }
            }
        }
        m.put(4, ThriftCompact.LIST, new ThriftCompact.ListValue(all.type(), all.elementType(), kept));
        return m;
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) throw new IOException("unexpected end of file at byte " + (position + b.position()));
        }
        return b.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) p += ch.write(b, p);
    }

    @Override
    public String toString() {
        return "ParquetLayout{" + file + ", " + sizeBytes + " bytes, " + rowGroups.size() + " row groups}";
    }
}
