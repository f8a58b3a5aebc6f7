package io.polarway.source.http;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.source.http.StubServer.Recorded;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bodies into chunks (on WireMock): inference with widening, nested values as structs or JSON text, explicit schemas,
 * JSON lines, chunks that span pages and pages that span chunks, the per-chunk byte bound, redirects that must not
 * carry credentials to another host, and secrets kept out of every message.
 */
class HttpSourceBodiesTest extends WireMockReading {
    /** A second origin, for redirects and next links to another host. */
    private static WireMockStubs other;

    @BeforeAll
    static void startOther() {
        other = anotherServer();
    }

    @Test
    void inferenceWidensIntToFloatToStringAndKeepsNestedValuesAsStructsAndLists() {
        wm.stub(Req.get("/t"), Resp.json("[{\"id\": 1, \"v\": 1, \"c\": 1, \"o\": {\"a\": 1}, \"l\": [1, 2]},"
                + "{\"id\": 2, \"v\": 2.5, \"c\": \"x\", \"o\": {\"a\": 2, \"b\": true}, \"l\": []}]"));
        Reading.Result r = reading.readAll(config("/t"), 10);
        Schema s = r.schema();
        assertThat(s.findField("id").getType()).isEqualTo(new ArrowType.Int(64, true));
        assertThat(s.findField("v").getType().toString()).isEqualTo("FloatingPoint(DOUBLE)");
        assertThat(s.findField("c").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(s.findField("o").getType()).isEqualTo(ArrowType.Struct.INSTANCE);
        assertThat(s.findField("o").getChildren()).extracting(f -> f.getName()).containsExactly("a", "b");
        assertThat(s.findField("l").getType()).isEqualTo(ArrowType.List.INSTANCE);
        assertThat(r.column("v")).containsExactly(1.0, 2.5);
        assertThat(r.column("c")).containsExactly("1", "x");
    }

    @Test
    void aFloatColumnWidenedToStringKeepsEachValueAsItsText() {
        // the sample (3 records) sees a float then a string: utf8. Records after the sample are written straight from
        // the parser into the fixed utf8 column (another code path): a number there must read the same as in the sample
        wm.stub(Req.get("/t"), Resp.json("[{\"f\": 2.5}, {\"f\": \"x\"}, {\"f\": -0.125},"
                + "{\"f\": 0.1}, {\"f\": \"y\"}, {\"f\": null}, {\"f\": 7}, {\"f\": 3.0}, {\"f\": true}]"));
        Reading.Result r = reading.readAll(config("/t").withOption("infer_schema_length", "3"), 3);
        assertThat(r.chunkRows()).containsExactly(3, 3, 3); // the schema was fixed by the first chunk of 3
        assertThat(r.schema().findField("f").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.column("f")).containsExactly("2.5", "x", "-0.125", "0.1", "y", null, "7", "3.0", "true");
    }

    @Test
    void nestedValuesAsJsonText() {
        wm.stub(Req.get("/t"), Resp.json("[{\"id\": 1, \"o\": {\"a\": [1, 2]}}]"));
        Reading.Result r = reading.readAll(config("/t").withOption("nested_mode", "json"), 10);
        assertThat(r.schema().findField("o").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.column("o")).containsExactly("{\"a\":[1,2]}");
    }

    @Test
    void anExplicitSchemaCoercesValuesAndUnknownFieldsCanBeDropped() {
        wm.stub(Req.get("/t"), Resp.json("[{\"id\": \"7\", \"price\": 1, \"extra\": 1}]"));
        Reading.Result r = reading.readAll(config("/t")
                .withOption("schema", "[{\"name\": \"id\", \"type\": \"int32\"}, {\"name\": \"price\", \"type\": \"float64\"}]")
                .withOption("unknown_fields", "ignore"), 10);
        assertThat(r.rows()).containsExactly(Map.of("id", 7, "price", 1.0));
        assertThat(r.counter("unknown_fields_dropped")).isEqualTo(1);
    }

    @Test
    void aFieldOutsideTheInferredSchemaIsASchemaErrorNamingThePage() {
        wm.stub(Req.get("/t"), Resp.json("[{\"id\": 1}, {\"id\": 2}, {\"id\": 3, \"late\": true}]"));
        assertThatThrownBy(() -> reading.readAll(config("/t").withOption("infer_schema_length", "2"), 2))
                .isInstanceOfSatisfying(SchemaException.class, e -> assertThat(e.where().orElseThrow().page()).isEqualTo(1))
                .hasMessageContaining("late");
    }

    @Test
    void jsonLinesFromTheContentTypeOrTheFormatOption() {
        String lines = "{\"id\": 0}\n{\"id\": 1}\n\n{\"id\": 2}\n";
        wm.stub(Req.get("/nd"), new Resp(200, Map.of("Content-Type", "application/x-ndjson"), lines));
        wm.stub(Req.get("/plain"), new Resp(200, Map.of("Content-Type", "text/plain"), lines));
        assertThat(reading.readAll(config("/nd"), 2).ids()).containsExactly(0L, 1L, 2L);
        assertThat(reading.readAll(config("/plain").withOption("format", "jsonl"), 2).ids()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void scalarRecordsAreWrappedAndAnEmptyBodyIsAnEmptyPage() {
        wm.stub(Req.get("/s"), Resp.json("[\"a\", \"b\"]"));
        assertThat(reading.readAll(config("/s"), 10).column("value")).containsExactly("a", "b");
        wm.stub(Req.get("/empty"), new Resp(200, Map.of(), ""));
        assertThat(reading.readAll(config("/empty"), 10).rows()).isEmpty();
    }

    @Test
    void aMissingOrWrongRecordsPointerIsAParseError() {
        wm.stub(Req.get("/o"), Resp.json("{\"items\": [{\"id\": 1}], \"count\": 3}"));
        assertThatThrownBy(() -> reading.readAll(config("/o").withOption("records_pointer", "/data"), 10))
                .isInstanceOf(ParseException.class).hasMessageContaining("/data");
        assertThatThrownBy(() -> reading.readAll(config("/o").withOption("records_pointer", "/count"), 10))
                .isInstanceOf(ParseException.class).hasMessageContaining("not an array");
    }

    @Test
    void chunksSpanPagesAndPagesSpanChunksWithoutLossOrDuplicates() {
        int pages = 5;
        int perPage = 37;
        for (int p = 1; p <= pages; p++) {
            Resp page = Resp.json(Reading.records((p - 1) * perPage, p * perPage));
            if (p < pages) page = page.header("Link", "</pages?p=" + (p + 1) + ">; rel=\"next\"");
            wm.stub(p == 1 ? Req.get("/pages") : Req.get("/pages").query("p", "" + p), page);
        }
        Reading.Result r = reading.readAll(config("/pages").withOption("infer_schema_length", "1"), 50);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, pages * perPage));
        assertThat(r.chunkRows()).containsExactly(50, 50, 50, 35);
        assertThat(wm.received("/pages")).hasSize(pages);
    }

    @Test
    void maxChunkBytesEndsAChunkEarly() {
        wm.stub(Req.get("/big"), Resp.json(Reading.records(0, 2_000)));
        Reading.Result r = reading.readAll(config("/big").withOption("max_chunk_bytes", "4KiB")
                .withOption("infer_schema_length", "10"), 100_000);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 2_000));
        // records are ~25 bytes: a 4 KiB chunk holds about 160 of them
        assertThat(r.chunkRows()).hasSizeGreaterThan(8).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(200));
    }

    @Test
    void aRedirectToAnotherHostNeverCarriesTheCredentials() {
        // 127.0.0.1 and localhost are different hosts, as are two ports
        String target = "http://localhost:" + other.port() + "/moved?from=a";
        wm.stub(Req.get("/start"), new Resp(302, Map.of("Location", target), ""));
        other.stub(Req.get("/moved"), Resp.json(Reading.records(0, 3)));

        Reading.Result r = reading.readAll(config("/start").withCredentials(Credentials.Bearer.of("tok-SECRET"))
                .withOption("headers", "{\"X-Trace\": \"t1\", \"X-Session-Id\": \"s1\"}"), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
        Recorded first = wm.received("/start").get(0);
        assertThat(first.header("authorization")).isEqualTo("Bearer tok-SECRET");
        assertThat(first.header("x-session-id")).isEqualTo("s1");
        Recorded moved = other.received("/moved").get(0);
        assertThat(moved.header("authorization")).isNull();
        assertThat(moved.header("x-session-id")).isNull();
        assertThat(moved.header("x-trace")).isEqualTo("t1");
        assertThat(r.counter("http_redirects")).isEqualTo(1);
    }

    @Test
    void aNextPageLinkToAnotherHostGetsNoCredentials() {
        wm.stub(Req.get("/first"), Resp.json(Reading.records(0, 2))
                .header("Link", "<http://localhost:" + other.port() + "/second>; rel=\"next\""));
        other.stub(Req.get("/second"), Resp.json(Reading.records(2, 4)));
        Reading.Result r = reading.readAll(config("/first").withCredentials(Credentials.Bearer.of("tok-SECRET")), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(wm.received("/first").get(0).header("authorization")).isEqualTo("Bearer tok-SECRET");
        assertThat(other.received("/second").get(0).header("authorization")).isNull();
    }

    @Test
    void anApiKeyInTheQueryDoesNotFollowARedirectToAnotherHost() {
        wm.stub(Req.get("/start"), new Resp(307, Map.of("Location", "http://localhost:" + other.port() + "/moved"), ""));
        other.stub(Req.get("/moved"), Resp.json(Reading.records(0, 1)));
        reading.readAll(config("/start").withCredentials(Credentials.ApiKey.query("api_key", "k-SECRET")), 10);
        assertThat(wm.received("/start").get(0).query()).containsEntry("api_key", "k-SECRET");
        assertThat(other.received("/moved").get(0).query()).doesNotContainKey("api_key");
    }

    @Test
    void aRedirectOnTheSameOriginKeepsTheCredentialsAndTooManyRedirectsFail() {
        wm.stub(Req.get("/old"), new Resp(301, Map.of("Location", "/new"), ""));
        wm.stub(Req.get("/new").header("Authorization", "Bearer t"), Resp.json(Reading.records(0, 2)));
        assertThat(reading.readAll(config("/old").withCredentials(Credentials.Bearer.of("t")), 10).ids())
                .containsExactly(0L, 1L);

        wm.stub(Req.get("/loop"), new Resp(302, Map.of("Location", "/loop"), ""));
        assertThatThrownBy(() -> reading.readAll(config("/loop").withOption("max_redirects", "3"), 10))
                .isInstanceOf(PolarwayException.class).hasMessageContaining("redirects");
        assertThat(wm.received("/loop")).hasSize(4);
    }

    @Test
    void secretsNeverAppearInErrorsConfigsOrStats() {
        wm.stub(Req.get("/echo"), new Resp(401, Map.of(), "{\"message\": \"bad token Bearer SEKRIT-1\"}"));
        SourceConfig config = config("/echo?api_key=SEKRIT-2").withCredentials(Credentials.Bearer.of("SEKRIT-1"))
                .withOption("headers", "{\"X-Auth\": \"SEKRIT-3\"}");
        try (StreamingSource source = reading.open(config)) {
            assertThatThrownBy(() -> source.readChunk(10)).isInstanceOf(AuthException.class)
                    .satisfies(e -> {
                        assertThat(e.getMessage()).doesNotContain("SEKRIT").contains("HTTP 401").contains("api_key=****");
                        assertThat(String.valueOf(((PolarwayException) e).where().orElseThrow())).doesNotContain("SEKRIT");
                    });
            assertThat(source.stats().toString()).doesNotContain("SEKRIT");
        }
        assertThat(config.toString()).doesNotContain("SEKRIT");
        assertThat(Reading.REGISTRY.factory("http").options().parse(config.options()).toString()).doesNotContain("SEKRIT-3");
    }

    @Test
    void badOptionsFailAtCreationNamingTheKey() {
        assertThatThrownBy(() -> reading.open(config("/x").withOption("records_pointer", "data")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("records_pointer");
        assertThatThrownBy(() -> reading.open(config("/x").withOption("pagination", "magic")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("link_header");
        assertThatThrownBy(() -> reading.open(SourceConfig.of("ftp://host/x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> reading.open(SourceConfig.of("http://user:pw-SECRET@127.0.0.1/x")))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("pw-SECRET");
        assertThatThrownBy(() -> reading.open(config("/x").withCredentials(Credentials.Aws.of("a", "b", "r", null))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("aws");
        // format=csv without the csv module: CsvBodyTest (the module is on this test classpath)
    }

    @Test
    void theRegistryKnowsTheHttpsAlias() {
        assertThat(Reading.REGISTRY.factory("https")).isSameAs(Reading.REGISTRY.factory("http"));
        assertThat(Reading.REGISTRY.factory("http").options().keys()).contains("timeout_ms", "retry_attempts",
                "retry_delay_ms", "retry_multiplier", "connection_pool_size", "keepalive", "infer_schema_length",
                "schema", "nested_mode", "unknown_fields");
    }
}
