package io.polarway.source.generate;

import io.polarway.config.Options;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;

/**
 * The parsed shape of generated data. Every value is a pure function of (seed, column, row), so any row range
 * regenerates identically: splits read in parallel produce exactly the rows a sequential read does.
 */
record GeneratorSpec(long seed, long rows, List<String> columnTypes, int stringLength, double nullFraction,
                     long latencyMillis, int splits) {

    static GeneratorSpec from(Options o) {
        int columns = o.get(GenerateSourceFactory.COLUMNS);
        List<String> cycle = o.get(GenerateSourceFactory.COLUMN_TYPES);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < columns; i++) types.add(cycle.get(i % cycle.size()));
        int stringLength = o.get(GenerateSourceFactory.STRING_LENGTH);
        long utf8 = types.stream().filter("utf8"::equals).count();
        if (o.find(GenerateSourceFactory.ROW_WIDTH).isPresent() && utf8 > 0) {
            long fixed = 8; // id
            for (String t : types) fixed += fixedWidth(t);
            long target = o.get(GenerateSourceFactory.ROW_WIDTH);
            // each utf8 value also costs a 4-byte offset
            stringLength = (int) Math.max(0, Math.min(1 << 20, (target - fixed) / utf8 - 4));
        }
        return new GeneratorSpec(o.get(GenerateSourceFactory.SEED), o.get(GenerateSourceFactory.ROWS),
                List.copyOf(types), stringLength, o.get(GenerateSourceFactory.NULL_FRACTION),
                o.get(GenerateSourceFactory.LATENCY_MS), o.get(GenerateSourceFactory.SPLITS));
    }

    static int fixedWidth(String type) {
        return switch (type) {
            case "int64", "float64", "timestamp" -> 8;
            case "int32", "date" -> 4;
            case "bool" -> 1;
            default -> 0;
        };
    }

    int utf8Columns() {
        return (int) columnTypes.stream().filter("utf8"::equals).count();
    }

    Schema schema() {
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null));
        for (int i = 0; i < columnTypes.size(); i++) {
            ArrowType t = switch (columnTypes.get(i)) {
                case "int64" -> new ArrowType.Int(64, true);
                case "int32" -> new ArrowType.Int(32, true);
                case "float64" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
                case "utf8" -> ArrowType.Utf8.INSTANCE;
                case "bool" -> ArrowType.Bool.INSTANCE;
                case "date" -> new ArrowType.Date(DateUnit.DAY);
                case "timestamp" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
                default -> throw new IllegalStateException(columnTypes.get(i));
            };
            fields.add(new Field("c" + (i + 1), FieldType.nullable(t), null));
        }
        return new Schema(fields);
    }

    /** Approximate Arrow bytes per row, for metadata. */
    long bytesPerRow() {
        long b = 8;
        for (String t : columnTypes) b += "utf8".equals(t) ? stringLength + 4 : fixedWidth(t);
        return b;
    }

    /** SplitMix64 finaliser: a well-mixed 64-bit value for (seed, column, row). */
    long hash(int column, long row) {
        long z = seed + 0x9E3779B97F4A7C15L * (row + 1) + 0xBF58476D1CE4E5B9L * (column + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    boolean isNull(int column, long row) {
        if (nullFraction <= 0) return false;
        long h = hash(column + 7919, row);
        return (h >>> 11) * 0x1.0p-53 < nullFraction;
    }
}
