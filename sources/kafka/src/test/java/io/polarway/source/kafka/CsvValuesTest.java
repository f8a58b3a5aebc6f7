package io.polarway.source.kafka;

import io.polarway.error.ConfigException;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One CSV record per value: splitting, typed values, inference guesses, columns from the options (no broker). */
class CsvValuesTest {
    private static final List<String> NO_NULLS = List.of();

    private static List<String> split(String value) {
        return split(new CsvValues.Splitter(',', '"'), value);
    }

    /** The fields, a quoted one shown in brackets. */
    private static List<String> split(CsvValues.Splitter s, String value) {
        int n = s.split(value);
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = s.quoted[i] ? "[" + s.texts[i] + "]" : s.texts[i];
        return Arrays.asList(out);
    }

    private static Field field(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    @Test
    void aValueSplitsIntoItsFieldsAsRfc4180Says() {
        assertThat(split("a,b,c")).containsExactly("a", "b", "c");
        assertThat(split("a,,")).containsExactly("a", "", "");
        assertThat(split("")).containsExactly("");
        assertThat(split("\"x, y\",\"say \"\"hi\"\"\",\"\"")).containsExactly("[x, y]", "[say \"hi\"]", "[]");
        assertThat(split("\"two\nlines\",\"crlf\r\n\"")).containsExactly("[two\nlines]", "[crlf\r\n]");
        assertThat(split("a\"b,c\"")).as("a quote inside an unquoted field is data").containsExactly("a\"b", "c\"");
        // one line break may end the value
        assertThat(split("a,b\n")).containsExactly("a", "b");
        assertThat(split("a,b\r\n")).containsExactly("a", "b");
        assertThat(split("a,\"b\"\r\n")).containsExactly("a", "[b]");
        assertThat(split("a,\"b\"\n")).containsExactly("a", "[b]");
        assertThat(split("a,b\r")).containsExactly("a", "b");
        assertThat(split("a\rb,c")).as("a CR not before LF is data").containsExactly("a\rb", "c");
        CsvValues.Splitter semicolons = new CsvValues.Splitter(';', '\'');
        assertThat(split(semicolons, "'a;b';'it''s';\"q\"")).containsExactly("[a;b]", "[it's]", "\"q\"");
        // the arrays grow for a wide record
        assertThat(split(String.join(",", java.util.Collections.nCopies(40, "v")))).hasSize(40);
    }

    @Test
    void aValueThatIsNotOneRecordIsMalformedAtItsField() {
        assertThat(malformed("a,\"b")).isEqualTo("field 2: unterminated quoted field");
        assertThat(malformed("a,\"b\"c,d")).startsWith("field 2: unexpected character after a closing quote");
        assertThat(malformed("a,b\nc,d"))
                .isEqualTo("field 2: a line break outside quotes: a value holds one CSV record");
        assertThat(malformed("a,b\n\n")).contains("line break outside quotes");
        assertThat(malformed("\"a\"\n\n")).contains("after a closing quote");
        CsvValues.Splitter s = new CsvValues.Splitter(',', '"');
        assertThat(s.split("a,\"b")).isEqualTo(-1);
        assertThat(s.split("a,b")).as("a good value after a bad one").isEqualTo(2);
        assertThat(s.error).isNull();
    }

    /** What the splitter says of a value that is not one record. */
    private static String malformed(String value) {
        CsvValues.Splitter s = new CsvValues.Splitter(',', '"');
        assertThat(s.split(value)).as(value).isEqualTo(-1);
        return "field " + s.errorField + ": " + s.error;
    }

    @Test
    void fieldsConvertToTheirColumnTypeOrAreBadValues() {
        Field int8 = field("small", new ArrowType.Int(8, true));
        assertThat(CsvValues.convert("-128", false, int8, NO_NULLS)).isEqualTo(-128L);
        assertThatThrownBy(() -> CsvValues.convert("128", false, int8, NO_NULLS))
                .isInstanceOf(CsvValues.BadValue.class).hasMessage("value '128' of column 'small' is not of type int8");
        Field int64 = field("n", new ArrowType.Int(64, true));
        assertThat(CsvValues.convert("+42", true, int64, NO_NULLS)).isEqualTo(42L);
        for (String bad : List.of("1.0", " 1", "1 ", "0x10", "9223372036854775808", "NA")) {
            assertThatThrownBy(() -> CsvValues.convert(bad, false, int64, NO_NULLS)).as(bad)
                    .isInstanceOf(CsvValues.BadValue.class);
        }
        Field f64 = field("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        assertThat(CsvValues.convert("2", false, f64, NO_NULLS)).isEqualTo(2.0);
        assertThat(CsvValues.convert("-1.5e3", false, f64, NO_NULLS)).isEqualTo(-1500.0);
        assertThat(CsvValues.convert(".5", false, f64, NO_NULLS)).isEqualTo(0.5);
        assertThat(CsvValues.convert("-inf", false, f64, NO_NULLS)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) CsvValues.convert("NaN", false, f64, NO_NULLS)).isNaN();
        for (String bad : List.of("1d", "0x1p3", " 1", "1,5", "e3")) {
            assertThatThrownBy(() -> CsvValues.convert(bad, false, f64, NO_NULLS)).as(bad)
                    .isInstanceOf(CsvValues.BadValue.class).hasMessageContaining("float64");
        }
        Field bool = field("b", ArrowType.Bool.INSTANCE);
        assertThat(CsvValues.convert("TRUE", false, bool, NO_NULLS)).isEqualTo(true);
        assertThat(CsvValues.convert("false", false, bool, NO_NULLS)).isEqualTo(false);
        assertThatThrownBy(() -> CsvValues.convert("yes", false, bool, NO_NULLS))
                .isInstanceOf(CsvValues.BadValue.class);
        Field dec = field("d", new ArrowType.Decimal(5, 2, 128));
        assertThat(CsvValues.convert("123.4", false, dec, NO_NULLS)).isEqualTo(new BigDecimal("123.40"));
        assertThatThrownBy(() -> CsvValues.convert("1.234", false, dec, NO_NULLS)).as("needs rounding")
                .isInstanceOf(CsvValues.BadValue.class).hasMessageContaining("decimal(5,2)");
        assertThatThrownBy(() -> CsvValues.convert("1234", false, dec, NO_NULLS)).as("too many digits")
                .isInstanceOf(CsvValues.BadValue.class);
        Field date = field("day", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY));
        assertThat(CsvValues.convert("2024-02-29", false, date, NO_NULLS)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThatThrownBy(() -> CsvValues.convert("2023-02-29", false, date, NO_NULLS))
                .isInstanceOf(CsvValues.BadValue.class);
        Field ts = field("at", new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"));
        assertThat(CsvValues.convert("2024-01-02T03:04:05.123456-01:00", false, ts, NO_NULLS))
                .isEqualTo(Instant.parse("2024-01-02T04:04:05.123456Z"));
        assertThat(CsvValues.convert("2024-01-02 03:04:05", false, ts, NO_NULLS))
                .isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(CsvValues.convert("2024-01-02", false, ts, NO_NULLS))
                .isEqualTo(Instant.parse("2024-01-02T00:00:00Z"));
        assertThatThrownBy(() -> CsvValues.convert("yesterday", false, ts, NO_NULLS))
                .isInstanceOf(CsvValues.BadValue.class).hasMessageContaining("timestamp");
        Field text = field("s", ArrowType.Utf8.INSTANCE);
        assertThat(CsvValues.convert(" any thing ", false, text, NO_NULLS)).isEqualTo(" any thing ");
    }

    @Test
    void nullsAreUnquotedEmptyFieldsNullValuesAndQuotedEmptyFieldsOutsideUtf8Columns() {
        List<String> na = List.of("NA", "NULL");
        Field text = field("s", ArrowType.Utf8.INSTANCE);
        Field number = field("n", new ArrowType.Int(64, true));
        assertThat(CsvValues.convert("", false, text, na)).isNull();
        assertThat(CsvValues.convert("", true, text, na)).isEqualTo("");
        assertThat(CsvValues.convert("NA", false, text, na)).isNull();
        assertThat(CsvValues.convert("NA", true, text, na)).isEqualTo("NA");
        assertThat(CsvValues.convert("", true, number, na)).isNull();
        assertThat(CsvValues.convert("NULL", false, number, na)).isNull();
        assertThat(CsvValues.convert(null, false, number, na)).as("a tombstone").isNull();
        Field required = new Field("r", FieldType.notNullable(new ArrowType.Int(64, true)), null);
        assertThatThrownBy(() -> CsvValues.convert("", false, required, na)).isInstanceOf(CsvValues.BadValue.class)
                .hasMessageContaining("non-nullable column 'r'");
    }

    @Test
    void inferenceGuessesTheNarrowestKindOfEachField() {
        List<String> na = List.of("NA");
        assertThat(CsvValues.guess("007", false, na)).isEqualTo(7L);
        assertThat(CsvValues.guess("-1.50", false, na)).isEqualTo(-1.5);
        assertThat(CsvValues.guess("99999999999999999999", false, na)).as("too long for int64").isEqualTo(1e20);
        assertThat(CsvValues.guess("True", true, na)).isEqualTo(true);
        assertThat(CsvValues.guess("x", false, na)).isEqualTo("x");
        assertThat(CsvValues.guess("", true, na)).as("no evidence").isNull();
        assertThat(CsvValues.guess("NA", false, na)).isNull();
        assertThat(CsvValues.guess("NA", true, na)).isEqualTo("NA");
    }

    @Test
    void columnsComeFromCsvColumnsTheSchemaOrBoth() {
        assertThat(CsvValues.columns(List.of("a", "b"), null))
                .containsExactly(new CsvValues.Column("a", null), new CsvValues.Column("b", null));
        List<CsvValues.Column> bySchema = CsvValues.columns(null, "{\"b\":\"int32\",\"a\":\"utf8\"}");
        assertThat(bySchema).extracting(CsvValues.Column::name).containsExactly("b", "a");
        assertThat(bySchema.get(0).given().getType()).isEqualTo(new ArrowType.Int(32, true));
        List<CsvValues.Column> both = CsvValues.columns(List.of("a", "b", "c"), "{\"b\":\"bool\"}");
        assertThat(both).extracting(c -> c.given() == null ? c.name() + ":inferred" : c.name() + ":given")
                .containsExactly("a:inferred", "b:given", "c:inferred");
        assertThatThrownBy(() -> CsvValues.columns(null, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("csv_columns");
        assertThatThrownBy(() -> CsvValues.columns(List.of("a", "a"), null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'a' twice");
        assertThatThrownBy(() -> CsvValues.columns(List.of("a"), "{\"z\":\"int64\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'z'");
        assertThatThrownBy(() -> CsvValues.columns(null, "[{\"name\":\"l\",\"type\":\"list\",\"item\":\"int64\"}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot hold");
        assertThatThrownBy(() -> CsvValues.columns(null, "{\"a\":\"int64\""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema");
    }
}
