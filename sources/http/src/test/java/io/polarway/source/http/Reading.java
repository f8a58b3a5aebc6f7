package io.polarway.source.http;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.SourceStats;
import io.polarway.api.StreamingSource;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a whole http source through the registry (so the ServiceLoader registration is exercised too) into plain
 * values, with an allocator that the caller closes (a leak fails the test).
 */
final class Reading implements AutoCloseable {
    static final SourceRegistry REGISTRY = SourceRegistry.withDefaults();
    final BufferAllocator allocator = new RootAllocator(256L << 20);
    final ScriptedMemoryProbe probe = new ScriptedMemoryProbe(1L << 30, 0.1);

    /** What a read produced. */
    record Result(List<Map<String, Object>> rows, List<Integer> chunkRows, Schema schema, SourceStats stats) {
        List<Object> column(String name) {
            List<Object> out = new ArrayList<>();
            for (Map<String, Object> r : rows) out.add(r.get(name));
            return out;
        }

        List<Long> ids() {
            List<Long> out = new ArrayList<>();
            for (Map<String, Object> r : rows) out.add((Long) r.get("id"));
            return out;
        }

        long counter(String name) {
            return stats.counters().getOrDefault(name, 0L);
        }
    }

    StreamingSource open(SourceConfig config) {
        return REGISTRY.create("http", config, new SourceContext(allocator, probe));
    }

    Result readAll(SourceConfig config, int maxRows) {
        try (StreamingSource source = open(config)) {
            return drain(source, maxRows);
        }
    }

    static Result drain(StreamingSource source, int maxRows) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Schema schema = null;
        for (Optional<Chunk> c = source.readChunk(maxRows); c.isPresent(); c = source.readChunk(maxRows)) {
            try (Chunk chunk = c.get()) {
                schema = chunk.root().getSchema();
                sizes.add(chunk.rowCount());
                for (int i = 0; i < chunk.rowCount(); i++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (FieldVector v : chunk.root().getFieldVectors()) {
                        Object o = v.getObject(i);
                        row.put(v.getName(), o == null ? null : o instanceof org.apache.arrow.vector.util.Text t
                                ? t.toString() : o);
                    }
                    rows.add(row);
                }
            }
        }
        return new Result(rows, sizes, schema, source.stats());
    }

    /** {@code [{"id":from,"name":"r<from>"}, ...]} up to {@code to} exclusive. */
    static String records(int from, int to) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            if (i > from) sb.append(',');
            sb.append("{\"id\":").append(i).append(",\"name\":\"r").append(i).append("\"}");
        }
        return sb.append(']').toString();
    }

    static List<Long> range(int from, int to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) out.add(i);
        return out;
    }

    @Override
    public void close() {
        allocator.close();
    }
}
