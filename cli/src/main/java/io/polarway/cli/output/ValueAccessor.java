package io.polarway.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VariableWidthFieldVector;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads one vector's values as text (CSV) or JSON (JSON lines): the single place where Arrow values become output.
 * Every writer goes through it, so a value prints the same in every format.
 *
 * <ul>
 *   <li>integers (signed and unsigned, 8 to 64 bits): decimal digits</li>
 *   <li>float32 / float64: Java's shortest round-trip form ({@link Float#toString}, {@link Double#toString});
 *       NaN and infinities are JSON strings</li>
 *   <li>decimals: plain notation ({@link java.math.BigDecimal#toPlainString()})</li>
 *   <li>bool: {@code true} / {@code false}</li>
 *   <li>utf8, large utf8, utf8 view: the string</li>
 *   <li>binary (all widths): base64 with padding (RFC 4648)</li>
 *   <li>date (day or milli unit): ISO {@code yyyy-MM-dd}</li>
 *   <li>time: ISO local time</li>
 *   <li>timestamp without time zone: ISO local date-time ({@code 2024-01-02T03:04:05.123456}); with a time zone: ISO
 *       offset date-time in that zone ({@code 2024-01-02T03:04:05Z}, {@code 2024-01-01T22:04:05-05:00})</li>
 *   <li>struct: JSON object; list, large list, fixed-size list: JSON array; map: JSON object keyed by the key's text.
 *       In CSV nested values are their JSON text</li>
 *   <li>anything else (durations, intervals, unions): the string of Arrow's {@code getObject}</li>
 * </ul>
 *
 * Not thread-safe; create one per vector per batch (creation is cheap).
 */
public abstract class ValueAccessor {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DateTimeFormatter LOCAL_DATE_TIME = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final DateTimeFormatter OFFSET_DATE_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    /** How a scalar's text goes into JSON. */
    enum JsonKind { NUMBER, STRING, BOOLEAN }

    protected final ValueVector vector;

    ValueAccessor(ValueVector vector) {
        this.vector = vector;
    }

    /** Whether the value at {@code row} is null. */
    public boolean isNull(int row) {
        return vector.isNull(row);
    }

    /** The value as text, for a non-null {@code row}; nested values are JSON text. */
    public abstract String text(int row);

    /** Writes the value (or JSON null) at {@code row} as one JSON value. */
    public final void writeJson(JsonGenerator g, int row) throws IOException {
        if (isNull(row)) g.writeNull();
        else writeJsonValue(g, row);
    }

    abstract void writeJsonValue(JsonGenerator g, int row) throws IOException;

    /** Accessors for every vector of a batch, in column order. */
    public static List<ValueAccessor> forColumns(List<? extends ValueVector> vectors) {
        List<ValueAccessor> out = new ArrayList<>(vectors.size());
        for (ValueVector v : vectors) out.add(of(v));
        return out;
    }

    /** The accessor for {@code v}'s type. */
    public static ValueAccessor of(ValueVector v) {
        ArrowType type = v.getField().getType();
        if (v instanceof NullVector) return new Scalar(v, JsonKind.STRING, r -> "");
        if (v instanceof BitVector b) return new Scalar(v, JsonKind.BOOLEAN, r -> b.get(r) != 0 ? "true" : "false");
        if (v instanceof BaseIntVector i && type instanceof ArrowType.Int it) return integer(i, it);
        if (v instanceof Float4Vector f) return floating(v, r -> Float.toString(f.get(r)), r -> f.get(r));
        if (v instanceof FloatingPointVector f) {
            return floating(v, r -> Double.toString(f.getValueAsDouble(r)), f::getValueAsDouble);
        }
        if (v instanceof DecimalVector d) return new Scalar(v, JsonKind.NUMBER, r -> d.getObject(r).toPlainString());
        if (v instanceof Decimal256Vector d) return new Scalar(v, JsonKind.NUMBER, r -> d.getObject(r).toPlainString());
        if (v instanceof VarCharVector || v instanceof LargeVarCharVector || v instanceof ViewVarCharVector) {
            VariableWidthFieldVector s = (VariableWidthFieldVector) v;
            return new Scalar(v, JsonKind.STRING, r -> new String(s.get(r), StandardCharsets.UTF_8));
        }
        if (v instanceof VariableWidthFieldVector b) {
            return new Scalar(v, JsonKind.STRING, r -> base64(b.get(r)));
        }
        if (v instanceof FixedSizeBinaryVector b) return new Scalar(v, JsonKind.STRING, r -> base64(b.get(r)));
        if (v instanceof DateDayVector d) return new Scalar(v, JsonKind.STRING, r -> LocalDate.ofEpochDay(d.get(r)).toString());
        if (v instanceof DateMilliVector d) {
            return new Scalar(v, JsonKind.STRING,
                    r -> LocalDate.ofEpochDay(Math.floorDiv(d.get(r), MILLIS_PER_DAY)).toString());
        }
        if (v instanceof TimeStampVector t && type instanceof ArrowType.Timestamp ts) return timestamp(t, ts);
        if (v instanceof TimeSecVector t) return time(v, r -> t.get(r) * 1_000_000_000L);
        if (v instanceof TimeMilliVector t) return time(v, r -> t.get(r) * 1_000_000L);
        if (v instanceof TimeMicroVector t) return time(v, r -> t.get(r) * 1_000L);
        if (v instanceof TimeNanoVector t) return time(v, t::get);
        if (v instanceof MapVector m) return new MapAccessor(m);
        if (v instanceof ListVector l) {
            return new ListAccessor(v, of(l.getDataVector()), l::getElementStartIndex, l::getElementEndIndex);
        }
        if (v instanceof LargeListVector l) {
            return new ListAccessor(v, of(l.getDataVector()), r -> Math.toIntExact(l.getElementStartIndex(r)),
                    r -> Math.toIntExact(l.getElementEndIndex(r)));
        }
        if (v instanceof FixedSizeListVector l) {
            return new ListAccessor(v, of(l.getDataVector()), l::getElementStartIndex, l::getElementEndIndex);
        }
        if (v instanceof StructVector s) return new StructAccessor(s);
        return new Scalar(v, JsonKind.STRING, r -> String.valueOf(v.getObject(r)));
    }

    private static ValueAccessor integer(BaseIntVector v, ArrowType.Int type) {
        if (type.getIsSigned()) return new Scalar(v, JsonKind.NUMBER, r -> Long.toString(v.getValueAsLong(r)));
        if (type.getBitWidth() >= 64) {
            return new Scalar(v, JsonKind.NUMBER, r -> Long.toUnsignedString(v.getValueAsLong(r)));
        }
        long mask = (1L << type.getBitWidth()) - 1;
        return new Scalar(v, JsonKind.NUMBER, r -> Long.toString(v.getValueAsLong(r) & mask));
    }

    private static ValueAccessor floating(ValueVector v, RowText text, RowDouble value) {
        return new Scalar(v, JsonKind.NUMBER, text) {
            @Override
            void writeJsonValue(JsonGenerator g, int row) throws IOException {
                double d = value.get(row);
                if (Double.isNaN(d) || Double.isInfinite(d)) g.writeString(text(row));
                else g.writeNumber(text(row));
            }
        };
    }

    private static ValueAccessor time(ValueVector v, RowLong nanosOfDay) {
        return new Scalar(v, JsonKind.STRING,
                r -> LocalTime.ofNanoOfDay(Math.floorMod(nanosOfDay.get(r), 86_400_000_000_000L)).toString());
    }

    private static ValueAccessor timestamp(TimeStampVector v, ArrowType.Timestamp type) {
        long perSecond = switch (type.getUnit()) {
            case SECOND -> 1L;
            case MILLISECOND -> 1_000L;
            case MICROSECOND -> 1_000_000L;
            case NANOSECOND -> 1_000_000_000L;
        };
        long nanosPerUnit = 1_000_000_000L / perSecond;
        String tz = type.getTimezone();
        ZoneId zone = zone(tz);
        return new Scalar(v, JsonKind.STRING, r -> {
            long raw = v.get(r);
            long seconds = Math.floorDiv(raw, perSecond);
            int nanos = (int) (Math.floorMod(raw, perSecond) * nanosPerUnit);
            if (tz == null || tz.isEmpty()) {
                return LOCAL_DATE_TIME.format(LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
            }
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            return zone != null ? OFFSET_DATE_TIME.format(instant.atZone(zone)) : instant.toString();
        });
    }

    private static ZoneId zone(String tz) {
        if (tz == null || tz.isEmpty()) return null;
        try {
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            return null; // unknown zone name: print the instant in UTC
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Renders a nested value as compact JSON text. */
    String jsonText(int row) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            writeJsonValue(g, row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    @FunctionalInterface
    interface RowText {
        String get(int row);
    }

    @FunctionalInterface
    interface RowLong {
        long get(int row);
    }

    @FunctionalInterface
    interface RowDouble {
        double get(int row);
    }

    @FunctionalInterface
    interface RowIndex {
        int get(int row);
    }

    private static class Scalar extends ValueAccessor {
        private final JsonKind kind;
        private final RowText text;

        Scalar(ValueVector v, JsonKind kind, RowText text) {
            super(v);
            this.kind = kind;
            this.text = text;
        }

        @Override
        public String text(int row) {
            return text.get(row);
        }

        @Override
        void writeJsonValue(JsonGenerator g, int row) throws IOException {
            switch (kind) {
                case NUMBER -> g.writeNumber(text.get(row));
                case BOOLEAN -> g.writeBoolean(((BitVector) vector).get(row) != 0);
                case STRING -> g.writeString(text.get(row));
            }
        }
    }

    private static final class StructAccessor extends ValueAccessor {
        private final List<String> names = new ArrayList<>();
        private final List<ValueAccessor> children = new ArrayList<>();

        StructAccessor(StructVector v) {
            super(v);
            for (var child : v.getChildrenFromFields()) {
                names.add(child.getName());
                children.add(of(child));
            }
        }

        @Override
        public String text(int row) {
            return jsonText(row);
        }

        @Override
        void writeJsonValue(JsonGenerator g, int row) throws IOException {
            g.writeStartObject();
            for (int i = 0; i < children.size(); i++) {
                g.writeFieldName(names.get(i));
                children.get(i).writeJson(g, row);
            }
            g.writeEndObject();
        }
    }

    private static final class ListAccessor extends ValueAccessor {
        private final ValueAccessor elements;
        private final RowIndex start;
        private final RowIndex end;

        ListAccessor(ValueVector v, ValueAccessor elements, RowIndex start, RowIndex end) {
            super(v);
            this.elements = elements;
            this.start = start;
            this.end = end;
        }

        @Override
        public String text(int row) {
            return jsonText(row);
        }

        @Override
        void writeJsonValue(JsonGenerator g, int row) throws IOException {
            g.writeStartArray();
            for (int i = start.get(row), e = end.get(row); i < e; i++) elements.writeJson(g, i);
            g.writeEndArray();
        }
    }

    /** A map as a JSON object: the key's text is the field name (Arrow map keys are never null). */
    private static final class MapAccessor extends ValueAccessor {
        private final MapVector map;
        private final ValueAccessor keys;
        private final ValueAccessor values;

        MapAccessor(MapVector v) {
            super(v);
            this.map = v;
            StructVector entries = (StructVector) v.getDataVector();
            var children = entries.getChildrenFromFields();
            this.keys = of(children.get(0));
            this.values = children.size() > 1 ? of(children.get(1)) : null;
        }

        @Override
        public String text(int row) {
            return jsonText(row);
        }

        @Override
        void writeJsonValue(JsonGenerator g, int row) throws IOException {
            g.writeStartObject();
            for (int i = map.getElementStartIndex(row), e = map.getElementEndIndex(row); i < e; i++) {
                g.writeFieldName(keys.isNull(i) ? "null" : keys.text(i));
                if (values == null) g.writeNull();
                else values.writeJson(g, i);
            }
            g.writeEndObject();
        }
    }
}
