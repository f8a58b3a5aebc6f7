package io.polarway.source.csv;

import io.polarway.api.StatsRecorder;
import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.format.FormatReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The CSV reader: one sequential pass over a byte stream, straight into Arrow vectors.
 *
 * <p><b>How it reads.</b> Bytes arrive in a read buffer ({@link CsvSettings#readBufferBytes()}, 1 MiB by default).
 * A tokenizer finds complete records in it and records, per projected field, where its bytes are ({@link Batch});
 * {@link ColumnWriter}s then convert the batch column by column into the chunk's vectors. A record cut by the end of
 * the buffer is never half-used: the tokenizer stops before it, the unread tail moves to the front of the buffer and
 * more bytes are read behind it (the buffer doubles only for a record longer than itself, up to
 * {@value #MAX_RECORD_BYTES} bytes). So quoted fields with delimiters, doubled quotes and line breaks work across any
 * buffer or chunk boundary, and memory is the buffer plus the chunk, whatever the input size.
 *
 * <p><b>Once, front to back.</b> The header is read once. Type inference samples the first
 * {@code infer_schema_length} data records while they stay in the buffer (which grows up to
 * {@value #MAX_SAMPLE_BYTES} bytes for a large sample), then reading starts from the first of them: nothing is read
 * twice.
 *
 * <p><b>Errors</b> are {@link ParseException}s naming the resource, line, column (1-based field number) and byte
 * offset (in the decompressed stream). Rows before a bad row are delivered first: the error is thrown by the read
 * that reaches it. Structural errors (an unterminated quote, a character after a closing quote, a record longer than
 * {@value #MAX_RECORD_BYTES} bytes) are always errors; a wrong field count or a value that does not parse follows
 * {@code on_bad_row}.
 *
 * <p><b>Memory contract</b> ({@link FormatReader#read}): vectors are allocated from the allocator given to
 * {@link #read}; the only allocations are at the start of a chunk and before each batch is converted. If one fails
 * before any row of the chunk is converted, every vector is closed and the position does not move; if it fails later,
 * the rows converted so far are returned as a smaller chunk.
 *
 * <p>Not thread-safe: one reading thread at a time.
 */
final class CsvParser implements FormatReader {
    /** The longest record (or the bytes of the inference sample plus one record) the buffer may grow to. */
    static final int MAX_RECORD_BYTES = 64 << 20;
    /** The inference sample stops early when it would need more buffer than this. */
    static final int MAX_SAMPLE_BYTES = 32 << 20;

    private static final int MODE_SAMPLE = -1;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    private final CsvSettings settings;
    private final String resource;
    private final StatsRecorder stats;
    private final ByteInput in;
    private final NullMatcher nulls;
    private final byte delimiter;
    private final byte quote;
    private final int comment;
    /** True when reading a split (the layout is given; no BOM, skipped lines or header). */
    private final boolean split;
    /** For a split that is not the last: its end is a record boundary only if it ends outside quotes. */
    private final boolean checkSplitEnd;
    /** Absolute end offset of the input when known (a file range), else -1; sizes chunks near the end. */
    private final long knownEnd;
    /** Appended to parse errors of a split that starts at a planned boundary (it may be the cause). */
    private final String errorHint;

    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    /** Absolute offset of {@code buf[0]} in the (decompressed) input. */
    private long base;
    /** Line number at {@code pos}: 1-based, or for a split relative to its start (line 1 = its first line). */
    private long line = 1;
    /** For a split: its first line's number in the file, computed when an error needs it; null otherwise. */
    private final LongSupplier startLine;

    private Layout layout;
    private Schema schema;
    private ColumnWriter[] writers;
    private Batch batch;
    private boolean anyUtf8;

    private int tokEnd;
    private int tokNewlines;
    private int tokSkipped;
    private int tokNulled;
    private boolean tokNeedMore;
    private ParseException tokError;

    private RuntimeException failure;
    private boolean finished;
    private boolean delivered;
    private boolean closed;
    private long rowsRead;
    private long bytesOfRows;

    /** A reader of a whole input: BOM, {@code skip_rows}, header and inference come first. */
    CsvParser(ByteInput in, CsvSettings settings, String resource, StatsRecorder stats, long knownEnd) {
        this(in, settings, resource, stats, null, 0, null, false, knownEnd);
    }

    /**
     * A reader of one split: the bytes from a record boundary {@code startOffset}, with the layout found by the reader
     * of the whole input.
     *
     * @param startLine the line number at {@code startOffset}, asked only when an error needs it (it costs a count of
     *                  the line breaks before the split)
     * @param lastSplit false when the split's end is a planned boundary that must be outside quotes
     */
    CsvParser(ByteInput in, CsvSettings settings, String resource, StatsRecorder stats, Layout layout,
              long startOffset, LongSupplier startLine, boolean lastSplit, long knownEnd) {
        this.in = in;
        this.settings = settings;
        this.resource = resource;
        this.stats = stats;
        this.nulls = new NullMatcher(settings.nullValues());
        this.delimiter = settings.delimiter();
        this.quote = settings.quote();
        this.comment = settings.comment();
        this.split = layout != null;
        this.checkSplitEnd = split && !lastSplit;
        this.knownEnd = knownEnd;
        this.errorHint = split && layout.dataStart() != startOffset
                ? "; this split was read in parallel from byte " + startOffset + ", a boundary planned by the "
                + "quote-parity pre-scan: if the file has a quote inside an unquoted field, read it without parallel"
                : "";
        this.buf = new byte[Math.max(1, settings.readBufferBytes())];
        this.base = startOffset;
        this.startLine = startLine;
        this.layout = layout;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // FormatReader

    /** Reads the header and the inference sample if not done yet. */
    @Override
    public Schema schema() {
        start();
        return schema;
    }

    /** The layout (after {@link #schema()}), for split readers. */
    Layout layout() {
        start();
        return layout;
    }

    @Override
    public VectorSchemaRoot read(BufferAllocator allocator, int maxRows) {
        if (closed) throw new IllegalStateException("CSV reader of " + resource + " is closed");
        if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        start();
        if (failure != null) throw failure;
        if (finished) return null;
        if (writers.length == 0) {
            finished = true;
            return null;
        }
        allocateChunk(allocator, maxRows);
        int rows = 0;
        try {
            while (rows < maxRows) {
                int n = tokenize(pos, Math.min(batch.capacity, maxRows - rows), settings.onBadRow().ordinal());
                if (n > 0) {
                    batch.reset(buf, n);
                    try {
                        for (ColumnWriter w : writers) w.ensure(batch);
                    } catch (OutOfMemoryException e) {
                        if (rows == 0) throw e;
                        break; // deliver what fits; the batch is read again by the next call
                    }
                    rows += convert(n);
                } else {
                    commitTokenized();
                }
                if (failure != null) break;
                if (tokNeedMore || pos >= limit) {
                    if (eof && pos >= limit) {
                        finished = true;
                        break;
                    }
                    refill();
                }
            }
        } catch (RuntimeException | Error e) {
            for (ColumnWriter w : writers) w.discard();
            if (e instanceof ParseException || e instanceof IoException) failure = (RuntimeException) e;
            throw e;
        }
        if (rows == 0 && (failure != null || delivered || split)) {
            for (ColumnWriter w : writers) w.discard();
            if (failure != null) throw failure;
            return null;
        }
        List<FieldVector> vectors = new ArrayList<>(writers.length);
        for (ColumnWriter w : writers) vectors.add(w.finish());
        delivered = true;
        rowsRead += rows;
        return new VectorSchemaRoot(schema.getFields(), vectors, rows);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (writers != null) for (ColumnWriter w : writers) w.discard();
        try {
            in.close();
        } catch (IOException e) {
            throw new IoException("cannot close " + resource + ": " + e.getMessage(), Where.resource(resource), e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // chunk assembly

    private void allocateChunk(BufferAllocator allocator, int maxRows) {
        int rows = maxRows;
        if (rowsRead > 0 && bytesOfRows > 0) {
            long left = -1;
            if (knownEnd >= 0) left = knownEnd - (base + pos);
            else if (eof) left = limit - pos;
            if (left >= 0) {
                long avg = Math.max(1, bytesOfRows / rowsRead);
                rows = (int) Math.min(maxRows, left / avg + left / avg / 8 + 16);
            }
        } else if (eof || knownEnd >= 0) {
            long left = knownEnd >= 0 ? knownEnd - (base + pos) : limit - pos;
            rows = (int) Math.min(maxRows, Math.max(16, left / 8)); // a record has at least a few bytes
        }
        int allocated = 0;
        try {
            for (ColumnWriter w : writers) {
                long bytes = 0;
                if (w instanceof ColumnWriter.Utf8 u) bytes = (long) rows * Math.max(8, u.bytesPerValue());
                w.allocate(allocator, rows, bytes);
                allocated++;
            }
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < allocated; i++) writers[i].discard();
            throw e;
        }
    }

    /** Converts the tokenized batch of {@code n} records; returns the rows added to the chunk. */
    private int convert(int n) {
        Batch bt = batch;
        if (anyUtf8 && !settings.latin1()) bt.ascii = Values.isAscii(buf, bt.rowStart[0], tokEnd);
        int before = writers[0].count;
        for (ColumnWriter w : writers) w.convert(bt);
        if (bt.errorRow != Integer.MAX_VALUE) {
            int r = bt.errorRow;
            for (ColumnWriter w : writers) w.truncate(before + r);
            ColumnWriter w = bt.errorWriter;
            String value = new String(buf, bt.errorStart, Math.min(bt.errorEnd - bt.errorStart, 60),
                    settings.charset());
            failure = new ParseException("value '" + value + "' of column '" + w.field.getName()
                    + "' does not parse as " + w.type + errorHint, where(bt.errorStart, w.fileColumn + 1), null);
            tokError = null;
            return r;
        }
        int accepted = n;
        if (bt.anyBad) {
            for (ColumnWriter w : writers) w.truncate(before);
            bt.skip = bt.bad;
            for (ColumnWriter w : writers) w.convert(bt);
            int skipped = bt.badCount();
            accepted = n - skipped;
            stats.count("bad_rows_skipped", skipped);
        }
        if (bt.valuesNulled > 0) stats.count("bad_values_nulled", bt.valuesNulled);
        bytesOfRows += tokEnd - bt.rowStart[0];
        commitTokenized();
        return accepted;
    }

    /** Moves the position past what the tokenizer consumed and takes over its counters and error. */
    private void commitTokenized() {
        pos = tokEnd;
        line += tokNewlines;
        if (tokSkipped > 0) stats.count("bad_rows_skipped", tokSkipped);
        if (tokNulled > 0) stats.count("bad_rows_nulled", tokNulled);
        if (tokError != null) {
            failure = tokError;
            tokError = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // tokenizer

    /**
     * Finds up to {@code maxRecords} complete records from {@code from} and stores their projected fields in the
     * batch. Blank lines and comment lines are passed over. Stops before a record the buffer does not hold whole
     * (sets {@link #tokNeedMore}, unless at the end of input where the last record needs no line break), before a
     * record in error (sets {@link #tokError}), or after {@code maxRecords}. Sets {@link #tokEnd} to where the next
     * record starts; nothing is consumed until {@link #commitTokenized()}.
     *
     * @param mode an {@link CsvSettings.BadRowMode} ordinal, or {@link #MODE_SAMPLE} (records with the wrong field
     *             count are passed over silently)
     * @return records stored
     */
    private int tokenize(final int from, final int maxRecords, final int mode) {
        final byte[] b = buf;
        final int lim = limit;
        final boolean atEof = eof;
        final byte d = delimiter;
        final long dPattern = (d & 0xffL) * ONES;
        final byte q = quote;
        final int cm = comment; // -1 (no comment char) never equals a byte here: bytes are compared unsigned
        final Batch bt = batch;
        final int nf = layout.fileColumns();
        final int nout = bt.stride;
        final int[] slots = layout.slotOf();
        final int[] fs = bt.fs;
        final int[] fe = bt.fe;
        final int[] rs = bt.rowStart;
        int p = from;
        int r = 0;
        int nl = 0;
        int skipped = 0;
        int nulled = 0;
        tokNeedMore = false;
        records:
        while (r < maxRecords && p < lim) {
            final int rec = p;
            final byte c = b[p];
            if (c == '\n') {
                p++;
                nl++;
                continue;
            }
            if (c == '\r') {
                if (p + 1 < lim) {
                    if (b[p + 1] == '\n') {
                        p += 2;
                        nl++;
                        continue;
                    }
                } else if (!atEof) {
                    tokNeedMore = true;
                    break;
                } else {
                    p++;
                    continue;
                }
            }
            if ((c & 0xff) == cm) {
                int k = p;
                while (k < lim && b[k] != '\n') k++;
                if (k >= lim) {
                    if (!atEof) {
                        tokNeedMore = true;
                        break;
                    }
                    p = lim;
                    continue;
                }
                p = k + 1;
                nl++;
                continue;
            }
            final int base = r * nout;
            int col = 0;
            int recNl = 0;
            while (true) {
                int fStart;
                int fEnd;
                int flags;
                boolean last;
                if (p < lim && b[p] == q) {
                    int k = p + 1;
                    flags = Batch.QUOTED;
                    while (true) {
                        while (k < lim) {
                            byte x = b[k];
                            if (x == q) break;
                            if (x == '\n') recNl++;
                            k++;
                        }
                        if (k >= lim) {
                            if (!atEof) {
                                tokNeedMore = true;
                                p = rec;
                                break records;
                            }
                            tokError = structural(checkSplitEnd
                                    ? "the split boundary at byte " + (base() + lim) + " is inside a quoted field "
                                    + "(a quote inside an unquoted field misled the quote-parity pre-scan): read "
                                    + "this file without parallel"
                                    : "unterminated quoted field", p, col + 1);
                            p = rec;
                            break records;
                        }
                        if (k + 1 < lim) {
                            if (b[k + 1] == q) {
                                flags |= Batch.ESCAPED;
                                k += 2;
                                continue;
                            }
                        } else if (!atEof) {
                            tokNeedMore = true;
                            p = rec;
                            break records;
                        }
                        break;
                    }
                    fStart = p + 1;
                    fEnd = k;
                    p = k + 1;
                    if (p < lim) {
                        byte x = b[p];
                        if (x == d) {
                            p++;
                            last = false;
                        } else if (x == '\n') {
                            p++;
                            recNl++;
                            last = true;
                        } else if (x == '\r' && p + 1 < lim && b[p + 1] == '\n') {
                            p += 2;
                            recNl++;
                            last = true;
                        } else if (x == '\r' && p + 1 >= lim && !atEof) {
                            tokNeedMore = true;
                            p = rec;
                            break records;
                        } else if (x == '\r' && p + 1 >= lim) {
                            p++;
                            last = true;
                        } else {
                            tokError = structural("unexpected character after a closing quote (a quote inside a "
                                    + "quoted field must be doubled)", p, col + 1);
                            p = rec;
                            break records;
                        }
                    } else if (!atEof) {
                        tokNeedMore = true;
                        p = rec;
                        break records;
                    } else {
                        last = true;
                    }
                } else {
                    fStart = p;
                    // Eight bytes at a time to the first delimiter or line break (a quote here is data).
                    boolean found = false;
                    while (lim - p >= 8) {
                        long w = (long) LONGS.get(b, p);
                        long xd = w ^ dPattern;
                        long xn = w ^ NEWLINES;
                        long hit = ((xd - ONES) & ~xd | (xn - ONES) & ~xn) & HIGHS;
                        if (hit != 0) {
                            p += Long.numberOfTrailingZeros(hit) >>> 3; // the lowest hit is exact
                            found = true;
                            break;
                        }
                        p += 8;
                    }
                    if (!found) {
                        while (p < lim) {
                            byte y = b[p];
                            if (y == d || y == '\n') break;
                            p++;
                        }
                    }
                    flags = 0;
                    if (p < lim && b[p] == d) {
                        fEnd = p;
                        p++;
                        last = false;
                    } else {
                        if (p >= lim && !atEof) {
                            tokNeedMore = true;
                            p = rec;
                            break records;
                        }
                        fEnd = p;
                        if (fEnd > fStart && b[fEnd - 1] == '\r') fEnd--;
                        if (p < lim) {
                            p++;
                            recNl++;
                        }
                        last = true;
                    }
                }
                if (col < nf) {
                    int sl = slots[col];
                    if (sl >= 0) {
                        fs[base + sl] = fStart;
                        fe[base + sl] = fEnd | flags;
                    }
                }
                col++;
                if (last) break;
            }
            if (col != nf) {
                if (mode == MODE_SAMPLE) {
                    nl += recNl;
                    continue;
                }
                if (mode == CsvSettings.BadRowMode.ERROR.ordinal()) {
                    tokError = new ParseException("expected " + nf + " fields, found " + col + errorHint, where(rec,
                            col < nf ? col + 1 : nf + 1), null);
                    p = rec;
                    break;
                }
                if (mode == CsvSettings.BadRowMode.SKIP.ordinal()) {
                    skipped++;
                    nl += recNl;
                    continue;
                }
                nulled++;
                for (int k = col; k < nf; k++) {
                    int sl = slots[k];
                    if (sl >= 0) fs[base + sl] = -1;
                }
            }
            rs[r++] = rec;
            nl += recNl;
        }
        tokEnd = p;
        tokNewlines = nl;
        tokSkipped = skipped;
        tokNulled = nulled;
        rs[r] = p;
        return r;
    }

    private long base() {
        return base;
    }

    private ParseException structural(String message, int at, int column) {
        return new ParseException(checkSplitEnd && message.startsWith("the split boundary") ? message
                : message + errorHint, where(at, column), null);
    }

    /** Where a byte of the buffer is: line (counted from the position), column, absolute offset. */
    private Where where(int at, int column) {
        long l = line;
        for (int i = pos; i < at; i++) if (buf[i] == '\n') l++;
        if (startLine != null) {
            long first = startLine.getAsLong();
            l = first < 0 ? -1 : first + l - 1;
        }
        return Where.resource(resource).withLine(l).withColumn(column).withByteOffset(base + at);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // buffer

    /**
     * Moves the unread bytes from {@code pos} to the front and reads more behind them, growing the buffer when it is
     * full (a record longer than the buffer).
     *
     * @return how far the bytes moved (positions into the buffer must subtract it)
     */
    private int refill() {
        int shift = pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            base += pos;
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            if (buf.length >= MAX_RECORD_BYTES) {
                throw failure = new ParseException("a record is longer than " + (MAX_RECORD_BYTES >> 20)
                        + " MiB (an unterminated quote?)", where(pos, -1), null);
            }
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_RECORD_BYTES, (long) buf.length * 2));
        }
        try {
            int n;
            do {
                n = in.read(buf, limit, buf.length - limit);
            } while (n == 0);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
                stats.addBytesRead(n);
            }
        } catch (IOException e) {
            throw failure = new IoException("cannot read " + resource + ": " + e.getMessage(),
                    Where.resource(resource).withByteOffset(base + limit), e);
        }
        return shift;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // start: BOM, skipped lines, header, layout, inference

    private void start() {
        if (writers != null) return;
        if (failure != null) throw failure;
        try {
            if (layout == null) startWholeInput();
            prepare();
        } catch (ParseException | IoException | ConfigException e) {
            failure = e;
            throw e;
        }
    }

    private void startWholeInput() {
        while (limit - pos < 3 && !eof) refill();
        if (!settings.latin1() && limit - pos >= 3 && buf[pos] == (byte) 0xEF && buf[pos + 1] == (byte) 0xBB
                && buf[pos + 2] == (byte) 0xBF) {
            pos += 3;
        }
        for (int k = 0; k < settings.skipRows(); k++) {
            int nl;
            while ((nl = indexOf((byte) '\n', pos)) < 0 && !eof) refill();
            if (nl < 0) {
                pos = limit;
                break;
            }
            pos = nl + 1;
            line++;
        }
        SchemaOption schema = settings.schema();
        List<String> names;
        if (settings.hasHeader() || schema == null) {
            int[] rec = firstRecord();
            int count = rec == null ? 0 : rec[2];
            if (settings.hasHeader()) {
                names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) names.add(text(rec[3 + 2 * i], rec[4 + 2 * i]));
                names = unique(names);
                if (rec != null) {
                    pos = rec[0];
                    line += rec[1];
                }
                if (schema != null) {
                    for (SchemaOption.Entry e : schema.entries()) {
                        if (!names.contains(e.name())) {
                            throw new ConfigException(CsvOptions.SCHEMA.key(), "option 'schema' names column '"
                                    + e.name() + "', which is not in the header of " + resource, names, null);
                        }
                    }
                }
            } else {
                names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) names.add("column_" + (i + 1));
            }
        } else {
            names = new ArrayList<>();
            for (SchemaOption.Entry e : schema.entries()) names.add(e.name());
        }
        layout = resolve(names);
        if (settings.inferRows() > 0 && layout.types().contains(null)) sample();
    }

    /** Builds the layout from the file's column names: projection, explicit types (null = to infer). */
    private Layout resolve(List<String> fileNames) {
        int nf = fileNames.size();
        List<String> wanted = settings.columns() != null ? settings.columns() : fileNames;
        int[] slotOf = new int[nf];
        Arrays.fill(slotOf, -1);
        int[] fileIndex = new int[wanted.size()];
        List<ColumnType> types = new ArrayList<>(wanted.size());
        SchemaOption schema = settings.schema();
        for (int i = 0; i < wanted.size(); i++) {
            int f = fileNames.indexOf(wanted.get(i));
            if (f < 0) {
                throw new ConfigException(CsvOptions.COLUMNS.key(), "option 'columns' names column '" + wanted.get(i)
                        + "', which is not in " + resource, fileNames, null);
            }
            slotOf[f] = i;
            fileIndex[i] = f;
            ColumnType t = schema == null ? null : schema.typeOf(fileNames.get(f));
            if (t == null && settings.inferRows() == 0) t = ColumnType.UTF8;
            types.add(t);
        }
        return new Layout(nf, slotOf, List.copyOf(wanted), types, fileIndex, base + pos, line);
    }

    /** Infers the types left null from the first data records, which stay in the buffer. */
    private void sample() {
        int nout = layout.outputColumns();
        Batch bt = newBatch(nout);
        batch = bt;
        boolean[] infer = new boolean[nout];
        for (int i = 0; i < nout; i++) infer[i] = layout.types().get(i) == null;
        Inference inference = new Inference(infer, nulls);
        int want = settings.inferRows();
        int got = 0;
        int scan = pos;
        while (got < want) {
            int n = tokenize(scan, Math.min(bt.capacity, want - got), MODE_SAMPLE);
            bt.reset(buf, n);
            inference.accept(bt);
            got += n;
            scan = tokEnd;
            if (tokError != null) { // reported when reading gets there
                tokError = null;
                break;
            }
            if (got >= want) break;
            if (tokNeedMore || scan >= limit) {
                if (eof || limit - pos >= MAX_SAMPLE_BYTES) break;
                scan -= refill();
            }
        }
        List<ColumnType> types = new ArrayList<>(layout.types());
        for (int i = 0; i < nout; i++) if (infer[i]) types.set(i, inference.result(i));
        layout = new Layout(layout.fileColumns(), layout.slotOf(), layout.names(), List.copyOf(types),
                layout.fileIndex(), layout.dataStart(), layout.dataLine());
    }

    private Batch newBatch(int nout) {
        int capacity = Math.max(64, Math.min(4096, (1 << 15) / Math.max(1, nout)));
        return new Batch(capacity, nout, settings.onBadRow());
    }

    private void prepare() {
        int nout = layout.outputColumns();
        schema = layout.schema();
        if (batch == null) batch = newBatch(nout);
        writers = new ColumnWriter[nout];
        for (int i = 0; i < nout; i++) {
            ColumnType t = layout.types().get(i);
            writers[i] = ColumnWriter.create(layout.names().get(i), t, i, layout.fileIndex()[i], nulls,
                    settings.latin1());
            anyUtf8 |= t.kind() == ColumnType.Kind.UTF8;
        }
    }

    /**
     * Passes blank and comment lines and scans the first record without consuming it.
     *
     * @return {end, newlines, fieldCount, start0, end0|flags, start1, ...}, or null for an input without records
     */
    private int[] firstRecord() {
        while (true) {
            if (pos >= limit) {
                if (eof) return null;
                refill();
                continue;
            }
            byte c = buf[pos];
            if (c == '\n') {
                pos++;
                line++;
                continue;
            }
            if (c == '\r') {
                if (pos + 1 >= limit) {
                    if (!eof) {
                        refill();
                        continue;
                    }
                    pos++; // a lone CR at the very end
                    continue;
                }
                if (buf[pos + 1] == '\n') {
                    pos += 2;
                    line++;
                    continue;
                }
            }
            if ((c & 0xff) == comment) {
                int nl = indexOf((byte) '\n', pos);
                if (nl < 0) {
                    if (eof) {
                        pos = limit;
                        continue;
                    }
                    refill();
                    continue;
                }
                pos = nl + 1;
                line++;
                continue;
            }
            int[] rec = scanRecord(pos);
            if (rec != null) return rec;
            refill();
        }
    }

    /** Scans one record at {@code from} with any number of fields; null when the buffer does not hold it whole. */
    private int[] scanRecord(int from) {
        int[] out = new int[3 + 2 * 16];
        int n = 0;
        int p = from;
        int nl = 0;
        while (true) {
            int s;
            int e;
            boolean last;
            if (p < limit && buf[p] == quote) {
                int k = p + 1;
                int flags = Batch.QUOTED;
                while (true) {
                    while (k < limit && buf[k] != quote) {
                        if (buf[k] == '\n') nl++;
                        k++;
                    }
                    if (k >= limit) {
                        if (!eof) return null;
                        throw structural("unterminated quoted field", p, n + 1);
                    }
                    if (k + 1 < limit && buf[k + 1] == quote) {
                        flags |= Batch.ESCAPED;
                        k += 2;
                        continue;
                    }
                    if (k + 1 >= limit && !eof) return null;
                    break;
                }
                s = p + 1;
                e = k | flags;
                p = k + 1;
                if (p >= limit) {
                    if (!eof) return null;
                    last = true;
                } else if (buf[p] == delimiter) {
                    p++;
                    last = false;
                } else if (buf[p] == '\n') {
                    p++;
                    nl++;
                    last = true;
                } else if (buf[p] == '\r' && p + 1 < limit && buf[p + 1] == '\n') {
                    p += 2;
                    nl++;
                    last = true;
                } else if (buf[p] == '\r' && p + 1 >= limit) {
                    if (!eof) return null;
                    p++;
                    last = true;
                } else {
                    throw structural("unexpected character after a closing quote (a quote inside a quoted field "
                            + "must be doubled)", p, n + 1);
                }
            } else {
                s = p;
                while (p < limit && buf[p] != delimiter && buf[p] != '\n') p++;
                if (p >= limit && !eof) return null;
                if (p < limit && buf[p] == delimiter) {
                    e = p;
                    p++;
                    last = false;
                } else {
                    e = p;
                    if (e > s && buf[e - 1] == '\r') e--;
                    if (p < limit) {
                        p++;
                        nl++;
                    }
                    last = true;
                }
            }
            if (3 + 2 * n + 2 > out.length) out = Arrays.copyOf(out, out.length * 2);
            out[3 + 2 * n] = s;
            out[4 + 2 * n] = e;
            n++;
            if (last) break;
        }
        out[0] = p;
        out[1] = nl;
        out[2] = n;
        return out;
    }

    /** The text of a scanned field (unescaped, decoded). */
    private String text(int s, int endAndFlags) {
        int e = endAndFlags & Batch.END;
        String t = new String(buf, s, e - s, settings.charset());
        if (endAndFlags < 0) {
            String q = String.valueOf((char) quote);
            t = t.replace(q + q, q);
        }
        return t;
    }

    /** Header names made usable: an empty name becomes column_N, a repeated one gets _1, _2, ... */
    private static List<String> unique(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        Set<String> seen = new HashSet<>(names);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.isEmpty()) n = "column_" + (i + 1);
            if (!used.add(n)) {
                String base = n;
                for (int k = 1; ; k++) {
                    String candidate = base + "_" + k;
                    if (!seen.contains(candidate) && used.add(candidate)) {
                        n = candidate;
                        break;
                    }
                }
            }
            out.add(n);
        }
        return out;
    }

    private int indexOf(byte value, int from) {
        for (int i = from; i < limit; i++) if (buf[i] == value) return i;
        return -1;
    }

    @Override
    public String toString() {
        return "CsvParser{" + resource + (split ? ", split" : "") + '}';
    }
}
