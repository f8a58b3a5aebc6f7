package io.polarway.format.jsonl;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.github.luben.zstd.ZstdIOException;
import io.polarway.api.StatsRecorder;
import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.format.FormatReader;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipException;

/**
 * Reads JSON lines from one byte stream with a single Jackson streaming parser: records go into a
 * {@link RecordBatchBuilder} until the rows asked for (or {@value #MAX_PENDING_TEXT_BYTES} bytes of their text) are
 * pending, then become one batch; records read past a batch stay pending for the next (the inference sample, for
 * one). The parser's own buffers carry a line split across reads of the stream.
 *
 * <p>Memory: Jackson's buffers plus the pending records on the heap (at most about one batch's worth of text, times
 * the map overhead), and the batch being built. Not thread-safe: one reading thread.
 *
 * <p>After a parse or I/O error the reader is broken: every later call throws the same error (reading on would skip
 * or misplace records).
 */
final class JsonLinesReader implements FormatReader {
    /**
     * Most JSON text whose records wait on the heap for one batch. Records cost several times their text as maps, so
     * this bounds the heap a read takes whatever row count is asked; a batch with fewer rows than asked is then
     * returned (the contract allows it, and the sources join batches into chunks).
     */
    static final long MAX_PENDING_TEXT_BYTES = 8L << 20;

    private final String resource;
    private final RecordBatchBuilder builder;
    private final StatsRecorder stats;
    private final InputStream in;
    private final boolean exactDecimals;
    private JsonParser parser;
    private boolean eof;
    private boolean closed;
    private PolarwayException failure;
    private long records;
    private long lastEndLine;
    private long pendingTextBytes;
    private long bytesCounted;

    JsonLinesReader(InputStream in, String resource, RecordBatchBuilder builder, StatsRecorder stats) {
        this.in = in;
        this.resource = resource;
        this.builder = builder;
        this.stats = stats;
        this.exactDecimals = builder.schema() != null && hasDecimal(builder.schema());
    }

    private static boolean hasDecimal(Schema schema) {
        for (Field f : schema.getFields()) if (hasDecimal(f)) return true;
        return false;
    }

    private static boolean hasDecimal(Field f) {
        if (f.getType() instanceof ArrowType.Decimal) return true;
        for (Field c : f.getChildren()) if (hasDecimal(c)) return true;
        return false;
    }

    @Override
    public Schema schema() {
        if (builder.schema() != null) return builder.schema();
        check();
        fill(1);
        if (builder.pendingRows() == 0) return null; // no record at all: nothing to infer from
        return builder.fixSchema();
    }

    @Override
    public VectorSchemaRoot read(BufferAllocator allocator, int maxRows) {
        if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        check();
        fill(maxRows);
        int before = builder.pendingRows();
        if (before == 0) return null;
        VectorSchemaRoot root = builder.build(allocator, maxRows);
        int after = builder.pendingRows();
        pendingTextBytes = after == 0 ? 0 : (long) ((double) pendingTextBytes * after / before);
        return root;
    }

    private void check() {
        if (closed) throw new IllegalStateException("reader of " + resource + " is closed");
        if (failure != null) throw failure;
    }

    /** Reads records until {@code rows} are pending (and the inference sample is complete), the text cap, or EOF. */
    private void fill(int rows) {
        try {
            if (parser == null) parser = JsonValues.FACTORY.createParser(in);
            while (!eof && (builder.pendingRows() < rows || builder.wantsMoreForInference())
                    && (pendingTextBytes < MAX_PENDING_TEXT_BYTES || builder.wantsMoreForInference())) {
                JsonToken t = parser.nextToken();
                if (t == null) {
                    eof = true;
                    break;
                }
                JsonLocation start = parser.currentTokenLocation();
                long line = start.getLineNr();
                if (records > 0 && line <= lastEndLine) {
                    throw new ParseException("a second JSON value on line " + line + " (JSON lines has one record "
                            + "per line)", where(start), null);
                }
                Object value = JsonValues.read(parser, exactDecimals);
                JsonLocation end = parser.currentLocation();
                // An object or array ends at its closing bracket; a scalar cannot span lines (the parser may have
                // read the newline after a number to see where it ends, so its end location proves nothing).
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (end.getLineNr() != line) {
                        throw new ParseException("the record starting on line " + line + " continues on line "
                                + end.getLineNr() + " (JSON lines has one record per line: is this a JSON document?)",
                                where(start), null);
                    }
                }
                lastEndLine = line;
                records++;
                pendingTextBytes += Math.max(1, end.getByteOffset() - start.getByteOffset());
                builder.add(asRecord(value), Where.resource(resource).withLine(line)
                        .withByteOffset(start.getByteOffset()));
            }
        } catch (StreamReadException e) {
            throw fail(new ParseException("malformed JSON: " + e.getOriginalMessage(), where(e.getLocation()), e));
        } catch (ParseException e) {
            throw fail(e);
        } catch (EOFException | ZipException | ZstdIOException e) {
            throw fail(new ParseException("truncated or corrupt compressed data: " + e.getMessage(),
                    where(parser == null ? null : parser.currentLocation()), e));
        } catch (IOException e) {
            throw fail(new IoException("cannot read " + resource + ": " + e, where(parser == null ? null
                    : parser.currentLocation()), e));
        } finally {
            countBytes();
        }
    }

    private PolarwayException fail(PolarwayException e) {
        failure = e;
        return e;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> asRecord(Object value) {
        if (value instanceof Map<?, ?> m) return (Map<String, ?>) m;
        Map<String, Object> wrapped = new LinkedHashMap<>(2);
        wrapped.put("value", value);
        return wrapped;
    }

    private Where where(JsonLocation loc) {
        Where w = Where.resource(resource);
        if (loc == null) return w;
        if (loc.getLineNr() > 0) w = w.withLine(loc.getLineNr());
        if (loc.getColumnNr() > 0) w = w.withColumn(loc.getColumnNr());
        if (loc.getByteOffset() >= 0) w = w.withByteOffset(loc.getByteOffset());
        return w;
    }

    private void countBytes() {
        if (parser == null || stats == null) return;
        long now = parser.currentLocation().getByteOffset();
        if (now > bytesCounted) {
            stats.addBytesRead(now - bytesCounted);
            bytesCounted = now;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (parser != null) parser.close();
            else in.close();
        } catch (IOException ignored) {
            // nothing useful to do: the stream is being abandoned
        }
    }

    @Override
    public String toString() {
        return "JsonLinesReader{" + resource + ", records=" + records + '}';
    }
}
