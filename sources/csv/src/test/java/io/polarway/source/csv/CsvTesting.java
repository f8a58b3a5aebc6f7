package io.polarway.source.csv;

import io.polarway.api.StatsRecorder;
import io.polarway.config.Options;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads CSV text through the parser with chosen chunk and buffer sizes, and turns chunks into plain values. */
final class CsvTesting {
    private CsvTesting() {
    }

    /** What a read produced: the schema, every row as plain values, chunk sizes, and the stats counters. */
    record Result(Schema schema, List<List<Object>> rows, List<Integer> chunkRows, Map<String, Long> counters,
                  long bytesRead) {
        List<String> names() {
            return schema.getFields().stream().map(f -> f.getName()).toList();
        }

        List<String> types() {
            return schema.getFields().stream().map(f -> f.getType().toString()).toList();
        }

        List<Object> column(int c) {
            return rows.stream().map(r -> r.get(c)).toList();
        }
    }

    static Options options(Map<String, String> raw) {
        return CsvOptions.SET.parse(raw);
    }

    static Options options(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
        return options(m);
    }

    static Result read(String csv, int chunkRows, int bufferBytes, String... keyValues) {
        return read(csv.getBytes(StandardCharsets.UTF_8), "test.csv", chunkRows, bufferBytes, 0, keyValues);
    }

    static Result read(String csv, String... keyValues) {
        return read(csv, 1000, CsvSettings.DEFAULT_READ_BUFFER_BYTES, keyValues);
    }

    /**
     * @param trickle when positive, the stream returns at most this many bytes per read call, in a varying pattern
     */
    static Result read(byte[] bytes, String resource, int chunkRows, int bufferBytes, int trickle,
                       String... keyValues) {
        CsvSettings settings = CsvSettings.from(options(keyValues), resource).withReadBufferBytes(bufferBytes);
        StatsRecorder stats = new StatsRecorder();
        InputStream in = new ByteArrayInputStream(bytes);
        if (trickle > 0) in = new Trickle(in, trickle);
        List<List<Object>> rows = new ArrayList<>();
        List<Integer> chunks = new ArrayList<>();
        Schema schema;
        try (BufferAllocator allocator = new RootAllocator();
             CsvParser parser = new CsvParser(ByteInput.of(in), settings, resource, stats, -1)) {
            schema = parser.schema();
            for (VectorSchemaRoot next; (next = parser.read(allocator, chunkRows)) != null; ) {
                try (VectorSchemaRoot root = next) {
                    if (root.getRowCount() > chunkRows) throw new AssertionError("chunk larger than asked");
                    chunks.add(root.getRowCount());
                    rows.addAll(values(root));
                    if (!root.getSchema().equals(schema)) throw new AssertionError("schema changed: " + root.getSchema());
                }
            }
        }
        return new Result(schema, rows, chunks, stats.snapshot().counters(), stats.snapshot().bytesRead());
    }

    static List<List<Object>> values(VectorSchemaRoot root) {
        List<List<Object>> out = new ArrayList<>();
        for (int r = 0; r < root.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : root.getFieldVectors()) row.add(value(v, r));
            out.add(row);
        }
        return out;
    }

    static Object value(FieldVector v, int r) {
        if (v.isNull(r)) return null;
        if (v instanceof VarCharVector s) return new String(s.get(r), StandardCharsets.UTF_8);
        if (v instanceof DateDayVector d) return LocalDate.ofEpochDay(d.get(r));
        if (v instanceof TimeStampVector t) return t.get(r);
        return v.getObject(r);
    }

    static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    /** Returns 1..max bytes per read, cycling, so buffer refills land at every kind of position. */
    static final class Trickle extends InputStream {
        private final InputStream in;
        private final int max;
        private int next = 1;

        Trickle(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = Math.min(len, next);
            next = next % max + 1;
            return in.read(b, off, n);
        }
    }
}
