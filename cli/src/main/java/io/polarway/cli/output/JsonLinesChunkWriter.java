package io.polarway.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * JSON lines in UTF-8: one object per row, keys in column order, each line ended by LF. Nulls are JSON null; nested
 * values are nested JSON. Streams through one {@link JsonGenerator}, which flushes its small buffer as it fills.
 */
public final class JsonLinesChunkWriter implements ChunkWriter {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

    private final JsonGenerator json;
    private Schema schema;
    private List<String> names;
    private boolean closed;

    public JsonLinesChunkWriter(OutputStream out) throws IOException {
        this.json = FACTORY.createGenerator(out);
    }

    static JsonLinesChunkWriter create(Path path) throws IOException {
        return new JsonLinesChunkWriter(Files.newOutputStream(path));
    }

    @Override
    public void open(Schema schema) {
        if (this.schema != null) throw new IllegalStateException("already open");
        this.schema = schema;
        this.names = schema.getFields().stream().map(f -> f.getName()).toList();
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
            json.writeStartObject();
            for (int c = 0; c < n; c++) {
                json.writeFieldName(names.get(c));
                columns.get(c).writeJson(json, r);
            }
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        json.close(); // closes the file too (AUTO_CLOSE_TARGET)
    }
}
