package io.polarway.cli.output;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * RFC 4180 CSV in UTF-8: a header line with the field names, then one line per row. Lines end with LF (RFC 4180 says
 * CRLF; LF is what Unix tools and most readers expect, and every RFC 4180 reader accepts it). A field is quoted only
 * when it contains the delimiter, a double quote, CR or LF; quotes inside are doubled. Nulls are empty fields (so an
 * empty string and a null look alike). Values are rendered by {@link ValueAccessor}.
 */
public final class CsvChunkWriter implements ChunkWriter {
    static final char DELIMITER = ',';
    static final String LINE_END = "\n";

    private final Writer out;
    private Schema schema;
    private boolean closed;

    public CsvChunkWriter(Writer out) {
        this.out = out;
    }

    static CsvChunkWriter create(Path path) throws IOException {
        OutputStream os = Files.newOutputStream(path);
        return new CsvChunkWriter(new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16));
    }

    @Override
    public void open(Schema schema) throws IOException {
        if (this.schema != null) throw new IllegalStateException("already open");
        this.schema = schema;
        List<Field> fields = schema.getFields();
        for (int c = 0; c < fields.size(); c++) {
            if (c > 0) out.write(DELIMITER);
            writeField(fields.get(c).getName());
        }
        out.write(LINE_END);
    }

    @Override
    public boolean isOpen() {
        return schema != null;
    }

    @Override
    public void write(VectorSchemaRoot batch) throws IOException {
        if (schema == null) open(batch.getSchema());
        else SchemaCheck.requireSame(schema, batch.getSchema());
        List<ValueAccessor> columns = ValueAccessor.forColumns(batch.getFieldVectors());
        int rows = batch.getRowCount();
        int n = columns.size();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < n; c++) {
                if (c > 0) out.write(DELIMITER);
                ValueAccessor a = columns.get(c);
                if (!a.isNull(r)) writeField(a.text(r));
            }
            out.write(LINE_END);
        }
    }

    private void writeField(String s) throws IOException {
        if (!needsQuotes(s)) {
            out.write(s);
            return;
        }
        out.write('"');
        int from = 0;
        for (int i = s.indexOf('"'); i >= 0; i = s.indexOf('"', from)) {
            out.write(s, from, i - from + 1);
            out.write('"');
            from = i + 1;
        }
        out.write(s, from, s.length() - from);
        out.write('"');
    }

    static boolean needsQuotes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == DELIMITER || ch == '"' || ch == '\r' || ch == '\n') return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
    }
}
