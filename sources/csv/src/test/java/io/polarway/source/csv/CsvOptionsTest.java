package io.polarway.source.csv;

import io.polarway.config.OptionSpec;
import io.polarway.error.ConfigException;
import io.polarway.error.ParseException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;

import static io.polarway.source.csv.CsvTesting.read;
import static io.polarway.source.csv.CsvTesting.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every option of the issue, each on input where ignoring it would give another answer. */
class CsvOptionsTest {

    @Test
    void everyOptionIsDeclaredOnceWithADescriptionAndTheSourceAndFormatShareTheSpecs() {
        assertThat(CsvOptions.SET.keys()).containsExactly("delimiter", "has_header", "skip_rows", "encoding",
                "null_values", "comment_char", "quote_char", "schema", "infer_schema_length", "columns", "on_bad_row");
        for (OptionSpec<?> s : CsvOptions.SET.specs()) assertThat(s.description()).isNotBlank();
        assertThat(new CsvSourceFactory().options().specs()).isEqualTo(CsvOptions.SET.specs());
        assertThat(new CsvFormat().options()).isSameAs(CsvOptions.SET);
    }

    @Test
    void delimiter() {
        assertThat(read("a;b\n1,5;x\n", "delimiter", ";").rows()).containsExactly(row("1,5", "x"));
        assertThat(read("a\tb\n1\tx,y\n", "delimiter", "\\t").rows()).containsExactly(row(1L, "x,y"));
        assertThat(read("a\tb\n1\tx,y\n", "delimiter", "tab").rows()).containsExactly(row(1L, "x,y"));
        // a .tsv name defaults to tab, an explicit delimiter wins
        byte[] tsv = "a\tb\n1\tx,y\n".getBytes(StandardCharsets.UTF_8);
        assertThat(CsvTesting.read(tsv, "data.tsv.gz", 10, 1024, 0).rows()).containsExactly(row(1L, "x,y"));
        CsvTesting.Result comma = CsvTesting.read("a\tb\n1\tx\n".getBytes(StandardCharsets.UTF_8), "data.tsv", 10,
                1024, 0, "delimiter", ",");
        assertThat(comma.names()).containsExactly("a\tb");
        assertThat(comma.rows()).containsExactly(row("1\tx"));
        assertThatThrownBy(() -> CsvTesting.options("delimiter", ";;")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("delimiter");
        assertThatThrownBy(() -> CsvTesting.options("delimiter", "\\n")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> CsvTesting.options("delimiter", "é")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> read("a\n", "delimiter", "\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("quote_char");
    }

    @Test
    void hasHeader() {
        CsvTesting.Result r = read("1,x\n2,y\n", "has_header", "false");
        assertThat(r.names()).containsExactly("column_1", "column_2");
        assertThat(r.rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        assertThat(read("1,x\n2,y\n").names()).containsExactly("1", "x");
        assertThatThrownBy(() -> CsvTesting.options("has_header", "maybe")).isInstanceOf(ConfigException.class);
    }

    @Test
    void skipRowsSkipsRawLinesBeforeTheHeaderEvenWithStrayQuotes() {
        String csv = "report \"q1\nexported by \"x\n\na,b\n1,2\n";
        CsvTesting.Result r = read(csv, "skip_rows", "3");
        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.rows()).containsExactly(row(1L, 2L));
        assertThatThrownBy(() -> read("a,b\n1,x\nbad\n", "skip_rows", "0")).isInstanceOf(ParseException.class)
                .hasMessageContaining("line 3");
        // line numbers count the skipped lines
        assertThatThrownBy(() -> read("junk\na,b\n1,x\nbad\n", "skip_rows", "1"))
                .isInstanceOf(ParseException.class).hasMessageContaining("line 4");
        assertThatThrownBy(() -> CsvTesting.options("skip_rows", "-1")).isInstanceOf(ConfigException.class);
    }

    @Test
    void encodingLatin1IsTranscodedToUtf8AndAliasesAreAccepted() {
        byte[] latin1 = "name,city\nJosé,Zürich\n".getBytes(StandardCharsets.ISO_8859_1);
        for (String alias : new String[]{"latin1", "Latin-1", "ISO-8859-1", "iso8859-1", "l1"}) {
            CsvTesting.Result r = CsvTesting.read(latin1, "l.csv", 10, 7, 0, "encoding", alias);
            assertThat(r.rows()).containsExactly(row("José", "Zürich"));
        }
        // read as UTF-8, the same bytes are invalid
        assertThatThrownBy(() -> CsvTesting.read(latin1, "l.csv", 10, 1024, 0)).isInstanceOf(ParseException.class);
        byte[] utf8 = "name\nJosé\n".getBytes(StandardCharsets.UTF_8);
        for (String alias : new String[]{"utf-8", "UTF8", "utf_8"}) {
            assertThat(CsvTesting.read(utf8, "u.csv", 10, 1024, 0, "encoding", alias).rows())
                    .containsExactly(row("José"));
        }
        // a record starting with byte 0xFF ('ÿ' in Latin-1) is data, not a comment line (bytes are unsigned)
        byte[] y = "ÿ\nÿes\nok\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(CsvTesting.read(y, "y.csv", 10, 1024, 0, "encoding", "latin1").rows())
                .containsExactly(row("ÿes"), row("ok"));
        assertThat(CsvTesting.read(y, "y.csv", 10, 1024, 0, "encoding", "latin1").names()).containsExactly("ÿ");
        assertThatThrownBy(() -> CsvTesting.options("encoding", "ebcdic")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("latin1");
    }

    @Test
    void nullValuesMatchUnquotedFieldsOnly() {
        String csv = "a,b\n1,NA\nNULL,\"NA\"\n3,x\n";
        CsvTesting.Result r = read(csv, "null_values", "NA,NULL");
        assertThat(r.types()).containsExactly("Int(64, true)", "Utf8");
        assertThat(r.rows()).containsExactly(row(1L, null), row(null, "NA"), row(3L, "x"));
        // without the option, NULL makes column a a string column
        assertThat(read(csv).types()).containsExactly("Utf8", "Utf8");
    }

    @Test
    void commentCharSkipsCommentLinesAnywhere() {
        String csv = "# exported\na,b\n1,x\n# note, with \"quote\n2,y\n#\n";
        CsvTesting.Result r = read(csv, "comment_char", "#");
        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        // a comment char inside a record is data
        assertThat(read("a,b\n1,x#y\n", "comment_char", "#").rows()).containsExactly(row(1L, "x#y"));
        assertThatThrownBy(() -> read("a\n", "comment_char", ",")).isInstanceOf(ConfigException.class);
    }

    @Test
    void quoteChar() {
        String csv = "a,b\n1,'x,''y'''\n";
        assertThat(read(csv, "quote_char", "'").rows()).containsExactly(row(1L, "x,'y'"));
        assertThat(read("a,b\n1,\"x\"\n", "quote_char", "'").rows()).containsExactly(row(1L, "\"x\""));
    }

    @Test
    void explicitSchemaWinsOverInference() {
        String csv = "zip,amount,day\n00501,12,2024-01-02\n10001,13,2024-01-03\n";
        assertThat(read(csv).column(0)).containsExactly(501L, 10001L);
        CsvTesting.Result r = read(csv, "schema", "[{\"name\":\"zip\",\"type\":\"utf8\"},{\"name\":\"amount\","
                + "\"type\":\"float64\"}]");
        assertThat(r.types()).containsExactly("Utf8", "FloatingPoint(DOUBLE)", "Date(DAY)");
        assertThat(r.rows()).containsExactly(row("00501", 12.0, LocalDate.of(2024, 1, 2)),
                row("10001", 13.0, LocalDate.of(2024, 1, 3)));
        // object form, timestamps with a unit
        CsvTesting.Result t = read("t\n2024-01-02T03:04:05.5\n", "schema", "{\"t\":\"timestamp[ms]\"}");
        assertThat(t.types()).containsExactly("Timestamp(MILLISECOND, null)");
        assertThat(t.column(0)).containsExactly((LocalDate.of(2024, 1, 2).toEpochDay() * 86_400 + 11_045) * 1000 + 500);
        // without a header the schema is positional and names the columns
        CsvTesting.Result p = read("1,x\n", "has_header", "false", "schema", "{\"id\":\"int64\",\"s\":\"utf8\"}");
        assertThat(p.names()).containsExactly("id", "s");
        assertThat(p.rows()).containsExactly(row(1L, "x"));
    }

    @Test
    void badSchemasAreConfigErrorsNamingTheKey() {
        for (String bad : new String[]{"{", "[]", "[{\"name\":\"a\"}]", "{\"a\":\"decimal\"}", "{\"a\":1}",
                "[{\"name\":\"a\",\"type\":\"int64\"},{\"name\":\"a\",\"type\":\"utf8\"}]", "{\"a\":\"timestamp[us, CET]\"}"}) {
            assertThatThrownBy(() -> read("a\n1\n", "schema", bad)).as(bad)
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).hasValue("schema"));
        }
        assertThatThrownBy(() -> read("a\n1\n", "schema", "{\"nope\":\"int64\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope");
    }

    @Test
    void inferSchemaLength() {
        String csv = "a\n1\n2\nx\n";
        assertThat(read(csv, "infer_schema_length", "3").types()).containsExactly("Utf8");
        assertThatThrownBy(() -> read(csv, "infer_schema_length", "2")).isInstanceOf(ParseException.class);
        assertThat(read(csv, "infer_schema_length", "0", "on_bad_row", "error").column(0))
                .containsExactly("1", "2", "x");
        assertThatThrownBy(() -> CsvTesting.options("infer_schema_length", "-1")).isInstanceOf(ConfigException.class);
        // a sample larger than the read buffer stays in the buffer: nothing is read twice, nothing lost
        StringBuilder sb = new StringBuilder("n\n");
        for (int i = 0; i < 500; i++) sb.append(i).append('\n');
        CsvTesting.Result r = read(sb.toString(), 7, 16, "infer_schema_length", "400");
        assertThat(r.rows()).hasSize(500);
        assertThat(r.bytesRead()).isEqualTo(sb.length());
    }

    @Test
    void columnsProjectsInTheOrderGiven() {
        String csv = "a,b,c\n1,x,2.5\n2,y,3.5\n";
        CsvTesting.Result r = read(csv, "columns", "c,a");
        assertThat(r.names()).containsExactly("c", "a");
        assertThat(r.rows()).containsExactly(row(2.5, 1L), row(3.5, 2L));
        assertThat(read("1,x\n", "has_header", "false", "columns", "column_2").rows()).containsExactly(row("x"));
        assertThatThrownBy(() -> read(csv, "columns", "a,zz")).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).hasValue("columns");
            assertThat(e.validChoices()).containsExactly("a", "b", "c");
        });
        assertThatThrownBy(() -> read(csv, "columns", "a,a")).isInstanceOf(ConfigException.class);
        // a value that does not parse in a column that is not read is no error
        assertThat(read("a,b\n1,2\n3,x\n", "columns", "a", "schema", "{\"b\":\"int64\"}").rows())
                .containsExactly(row(1L), row(3L));
    }

    @Test
    void onBadRowSkipDropsWholeRowsAndCountsThem() {
        String csv = "a,b\n1,10\n2,oops\n3\n4,40\n5,50,500\n6,60\n";
        CsvTesting.Result r = read(csv, 2, 8, "on_bad_row", "skip", "schema", "{\"a\":\"int64\",\"b\":\"int64\"}");
        assertThat(r.rows()).containsExactly(row(1L, 10L), row(4L, 40L), row(6L, 60L));
        assertThat(r.counters()).containsEntry("bad_rows_skipped", 3L);
    }

    @Test
    void onBadRowNullPadsMissingFieldsDropsExtrasAndNullsBadValues() {
        String csv = "a,b\n1,10\n2,oops\n3\n4,40\n5,50,500\n";
        CsvTesting.Result r = read(csv, "on_bad_row", "null", "schema", "{\"a\":\"int64\",\"b\":\"int64\"}");
        assertThat(r.rows()).containsExactly(row(1L, 10L), row(2L, null), row(3L, null), row(4L, 40L), row(5L, 50L));
        assertThat(r.counters()).containsEntry("bad_rows_nulled", 2L).containsEntry("bad_values_nulled", 1L);
    }

    @Test
    void onBadRowErrorIsTheDefaultAndUnknownModesAreRejected() {
        assertThatThrownBy(() -> read("a,b\n1,2\n3\n")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> CsvTesting.options("on_bad_row", "ignore")).isInstanceOfSatisfying(
                ConfigException.class, e -> assertThat(e.validChoices()).containsExactly("error", "skip", "null"));
    }

    @Test
    void unknownKeysAreRejectedWithTheValidOnes() {
        assertThatThrownBy(() -> CsvOptions.SET.parse(Map.of("delimeter", ";")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).hasValue("delimeter");
                    assertThat(e.validChoices()).contains("delimiter");
                });
    }
}
