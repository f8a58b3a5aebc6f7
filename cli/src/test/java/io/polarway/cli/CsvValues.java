package io.polarway.cli;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a CSV file with the {@code csv} source into plain values, to compare files by what they mean. */
final class CsvValues {
    private CsvValues() {
    }

    record Table(List<String> names, List<String> types, List<List<Object>> rows) {
    }

    static Table read(Path file, Map<String, String> options) {
        List<List<Object>> rows = new ArrayList<>();
        List<String> names;
        List<String> types;
        try (StreamingSource s = SourceRegistry.withDefaults().create("csv",
                SourceConfig.of(file.toString()).withOptions(options))) {
            var schema = s.metadata().schema();
            names = schema.getFields().stream().map(f -> f.getName()).toList();
            types = schema.getFields().stream().map(f -> typeName(f.getType())).toList();
            for (Chunk chunk : s) {
                try (chunk) {
                    for (int r = 0; r < chunk.rowCount(); r++) {
                        List<Object> row = new ArrayList<>();
                        for (FieldVector v : chunk.root().getFieldVectors()) row.add(value(v, r));
                        rows.add(row);
                    }
                }
            }
        }
        return new Table(names, types, rows);
    }

    /** Timestamps compare as instants whatever their unit. */
    private static String typeName(ArrowType t) {
        if (t instanceof ArrowType.Timestamp ts) return "timestamp" + (ts.getTimezone() != null ? " UTC" : "");
        return t.toString();
    }

    private static Object value(FieldVector v, int r) {
        if (v.isNull(r)) return null;
        if (v instanceof VarCharVector s) return new String(s.get(r), StandardCharsets.UTF_8);
        if (v instanceof DateDayVector d) return LocalDate.ofEpochDay(d.get(r));
        if (v instanceof TimeStampVector t) {
            ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
            long scale = switch (type.getUnit()) {
                case SECOND -> 1_000_000_000L;
                case MILLISECOND -> 1_000_000L;
                case MICROSECOND -> 1_000L;
                case NANOSECOND -> 1L;
            };
            return t.get(r) * scale; // nanoseconds
        }
        return v.getObject(r);
    }
}
