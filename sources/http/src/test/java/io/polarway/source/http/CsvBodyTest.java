package io.polarway.source.http;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.SchemaException;
import io.polarway.format.TextFormats;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CSV bodies (on WireMock) through the real csv module, found by the engine's {@link io.polarway.format.TextFormat}
 * SPI as an installed module would be: quoted fields across read buffers and pages, typed columns, the format chosen
 * from the Content-Type or the {@code format} option, the format's own options, one schema across pages, and a clear
 * error when the module is missing.
 */
class CsvBodyTest extends WireMockReading {

    private static Resp csv(String contentType, String body) {
        return new Resp(200, Map.of("Content-Type", contentType), body);
    }

    /**
     * Row {@code i}: every third note is quoted with the delimiter, doubled quotes and a line break in it, every fifth
     * is empty unquoted (null), every seventh (not fifth) is quoted empty (an empty string); prices are never whole
     * so that every page infers the same float64 column.
     */
    private static Map<String, Object> row(int i) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", (long) i);
        r.put("price", i + 0.25);
        r.put("in_stock", i % 2 == 0);
        r.put("note", i % 5 == 0 ? null : i % 7 == 0 ? "" : i % 3 == 0 ? "size " + i + ", \"large\"\nsecond line"
                : "n" + i);
        return r;
    }

    private static String csvLine(Map<String, Object> r) {
        Object note = r.get("note");
        String field = note == null ? "" : note.equals("") ? "\"\"" : ((String) note).contains(",")
                ? "\"" + ((String) note).replace("\"", "\"\"") + "\"" : (String) note;
        return r.get("id") + "," + r.get("price") + "," + r.get("in_stock") + "," + field + "\n";
    }

    private static String csvPage(int from, int to) {
        StringBuilder sb = new StringBuilder("id,price,in_stock,note\n");
        for (int i = from; i < to; i++) sb.append(csvLine(row(i)));
        return sb.toString();
    }

    @Test
    void quotedCsvLargerThanTheReadBufferAcrossPagesArrivesTypedAndOnce() {
        // page 1 is past the csv reader's 1 MiB read buffer, so records (quoted line breaks included) straddle refills
        // and the socket's reads; page 2 is a second CSV document with its own header, chained by a Link header
        int firstPage = 40_000;
        int total = 41_000;
        String page1 = csvPage(0, firstPage);
        assertThat(page1.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(1 << 20);
        // the content type says nothing: format=csv decides
        wm.stub(Req.get("/export"), csv("application/octet-stream", page1)
                .header("Link", "</export?part=2>; rel=\"next\""));
        wm.stub(Req.get("/export").query("part", "2"), csv("application/octet-stream", csvPage(firstPage, total)));

        Reading.Result r = reading.readAll(config("/export").withOption("format", "csv"), 4_096);

        assertThat(r.schema().getFields()).extracting(f -> f.getName()).containsExactly("id", "price", "in_stock", "note");
        assertThat(r.schema().findField("id").getType()).isEqualTo(new ArrowType.Int(64, true));
        assertThat(r.schema().findField("price").getType().toString()).isEqualTo("FloatingPoint(DOUBLE)");
        assertThat(r.schema().findField("in_stock").getType()).isEqualTo(ArrowType.Bool.INSTANCE);
        assertThat(r.schema().findField("note").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        List<Map<String, Object>> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) expected.add(row(i));
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, total)); // every row once, in order
        assertThat(r.rows()).isEqualTo(expected);
        assertThat(r.chunkRows()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(4_096));
        assertThat(wm.received("/export")).hasSize(2);
        assertThat(r.counter("http_pages")).isEqualTo(2);
    }

    @Test
    void theCsvFormatIsChosenFromTheContentTypeAndTakesItsOwnOptions() {
        wm.stub(Req.get("/export"), csv("text/csv; charset=utf-8", "id;name\n0;\"a;b\"\n1;b\n2;c\n")
                .header("Link", "</export?p=2>; rel=\"next\""));
        wm.stub(Req.get("/export").query("p", "2"), csv("text/csv", "id;name\n3;d\n"));
        Reading.Result r = reading.readAll(config("/export").withOption("delimiter", ";"), 2);
        assertThat(r.rows()).containsExactly(Map.of("id", 0L, "name", "a;b"), Map.of("id", 1L, "name", "b"),
                Map.of("id", 2L, "name", "c"), Map.of("id", 3L, "name", "d"));
        assertThat(wm.received("/export")).hasSize(2);
    }

    @Test
    void csvPagesWithDifferentColumnsAreASchemaError() {
        wm.stub(Req.get("/export"), csv("text/csv", "id,name\n0,a\n").header("Link", "</export?p=2>; rel=\"next\""));
        wm.stub(Req.get("/export").query("p", "2"), csv("text/csv", "id,other\n1,b\n"));
        assertThatThrownBy(() -> reading.readAll(config("/export").withOption("format", "csv"), 10))
                .isInstanceOf(SchemaException.class).hasMessageContaining("page 2");
    }

    @Test
    void withoutTheCsvModuleCsvIsAConfigErrorNamingTheFormatOption() {
        // the http module does not depend on the csv module: without it, format=csv fails at creation and a CSV body
        // under format=auto fails at its page, both saying what is missing
        HttpSourceFactory bare = new HttpSourceFactory(TextFormats.of());
        SourceContext context = new SourceContext(reading.allocator, new ScriptedMemoryProbe(1L << 30, 0.1));
        SourceConfig forced = config("/export").withOption("format", "csv");
        assertThatThrownBy(() -> bare.create(forced, bare.options().parse(forced.options()), context))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("format"))
                .hasMessageContaining("unknown format 'csv'");

        wm.stub(Req.get("/export"), csv("text/csv", "id\n1\n"));
        SourceConfig auto = config("/export");
        try (StreamingSource s = bare.create(auto, bare.options().parse(auto.options()), context)) {
            assertThatThrownBy(() -> s.readChunk(10))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("format"))
                    .hasMessageContaining("no csv format is installed");
        }
    }
}
