package io.polarway.source.objectstore;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.error.NetworkException;
import io.polarway.format.TextFormats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Edge cases of the GCS JSON API that the emulator cannot produce, on WireMock stubs on 127.0.0.1: throttling with
 * {@code Retry-After}, a server that ignores {@code Range}, 403 and 404 on the media URL, a reset in the middle of a
 * body, and a listing split over pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GcsWireMockTest {
    static final int PART = 64 * 1024;
    static final long ROWS = 9_000;
    WireMockServer wm;
    byte[] body;
    GcsSourceFactory factory = new GcsSourceFactory(TextFormats.of(new RowsFormat()));

    @BeforeAll
    void start() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().gzipDisabled(true));
        wm.start();
        body = TestObjects.rows(0, ROWS, true);
        assertThat(body.length).isGreaterThan(2 * PART);
    }

    @AfterAll
    void stop() {
        if (wm != null) wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        wm.stubFor(get(urlPathEqualTo("/storage/v1/b/bkt/o/data.rows")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"kind\":\"storage#object\",\"bucket\":\"bkt\",\"name\":\"data.rows\",\"size\":\""
                        + body.length + "\",\"generation\":\"7\"}")));
        for (int start = 0; start < body.length; start += PART) {
            int end = Math.min(body.length, start + PART) - 1;
            wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                    .withQueryParam("generation", equalTo("7"))
                    .withHeader("Range", equalTo("bytes=" + start + "-" + end))
                    .willReturn(aResponse().withStatus(206).withBody(Arrays.copyOfRange(body, start, end + 1))));
        }
    }

    SourceConfig config() {
        return SourceConfig.of("gs://bkt/data.rows").withCredentials(Credentials.Gcs.of("demo", null))
                .withOption("endpoint", wm.baseUrl()).withOption("part_size", "64KiB")
                .withOption("multipart_threshold", "64KiB").withOption("retry_delay_ms", "5");
    }

    @Test
    void rangedPartsFromStubs() {
        Reading.Result r = Reading.read(factory, config(), 4_000);
        assertThat(r.checker().exactlyOnce(ROWS)).isTrue();
        assertThat(wm.countRequestsMatching(getRequestedFor(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .build()).getCount()).isEqualTo((body.length + PART - 1) / PART);
    }

    @Test
    void throttlingWithRetryAfterIsHonoured() {
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=0-" + (PART - 1))).inScenario("t")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=0-" + (PART - 1))).inScenario("t")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(206).withBody(Arrays.copyOf(body, PART))));
        long start = System.nanoTime();
        Reading.Result r = Reading.read(factory, config(), 4_000);
        assertThat(r.checker().exactlyOnce(ROWS)).isTrue();
        assertThat(r.counter("part_retries")).isEqualTo(1);
        assertThat(System.nanoTime() - start).as("waited for Retry-After").isGreaterThanOrEqualTo(1_000_000_000L);
    }

    @Test
    void aResetMidBodyResumes() {
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=" + PART + "-" + (2 * PART - 1))).inScenario("r")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=" + PART + "-" + (2 * PART - 1))).inScenario("r")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(206).withBody(Arrays.copyOfRange(body, PART, 2 * PART))));
        Reading.Result r = Reading.read(factory, config(), 4_000);
        assertThat(r.checker().exactlyOnce(ROWS)).isTrue();
        // the reset part was asked for again (by our retry, or by HttpURLConnection's own silent re-send of a GET
        // whose connection was reset before the answer)
        assertThat(wm.countRequestsMatching(getRequestedFor(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=" + PART + "-" + (2 * PART - 1))).build()).getCount())
                .isEqualTo(2);
    }

    @Test
    void aServerThatIgnoresRangeIsRefused() {
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=" + PART + "-" + (2 * PART - 1)))
                .willReturn(aResponse().withStatus(200).withBody(body)));
        assertThatThrownBy(() -> Reading.read(factory, config().withOption("retry_attempts", "0"), 4_000))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("gs://bkt/data.rows");
    }

    @Test
    void forbiddenAndMissingAreTyped() {
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=0-" + (PART - 1))).willReturn(aResponse().withStatus(403)));
        assertThatThrownBy(() -> Reading.read(factory, config(), 4_000)).isInstanceOf(AuthException.class)
                .hasMessageContaining("gs://bkt/data.rows").hasMessageContaining("bytes 0-" + (PART - 1));
        wm.stubFor(get(urlPathEqualTo("/storage/v1/b/bkt/o/gone.rows")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":404,\"message\":\"No such object: bkt/gone.rows\"}}")));
        assertThatThrownBy(() -> Reading.read(factory, config().withLocation("gs://bkt/gone.rows"), 4_000))
                .isInstanceOfSatisfying(ObjectStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.NOT_FOUND))
                .hasMessageContaining("gs://bkt/gone.rows");
    }

    @Test
    void persistentServerErrorsRunOutOfRetries() {
        wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/data.rows"))
                .withHeader("Range", equalTo("bytes=0-" + (PART - 1))).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(() -> Reading.read(factory, config().withOption("retry_attempts", "2"), 4_000))
                .isInstanceOf(NetworkException.class).hasMessageContaining("after 3 tries");
    }

    @Test
    void listingPagesAreFollowed() {
        wm.stubFor(get(urlPathEqualTo("/storage/v1/b/bkt/o")).withQueryParam("pageToken", equalTo("p2"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"items\":[{\"bucket\":\"bkt\",\"name\":\"dir/b.rows\",\"size\":\"" + body.length
                                + "\",\"generation\":\"7\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/storage/v1/b/bkt/o")).atPriority(10)
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"nextPageToken\":\"p2\",\"items\":[{\"bucket\":\"bkt\",\"name\":\"dir/a.txt\",\"size\":\"3\","
                                + "\"generation\":\"1\"}]}")));
        for (int start = 0; start < body.length; start += PART) {
            int end = Math.min(body.length, start + PART) - 1;
            wm.stubFor(get(urlPathEqualTo("/download/storage/v1/b/bkt/o/dir%2Fb.rows"))
                    .withHeader("Range", equalTo("bytes=" + start + "-" + end))
                    .willReturn(aResponse().withStatus(206).withBody(Arrays.copyOfRange(body, start, end + 1))));
        }
        Reading.Result r = Reading.read(factory, config().withLocation("gs://bkt/dir/*.rows"), 4_000);
        assertThat(r.checker().exactlyOnce(ROWS)).isTrue();
        assertThat(r.counter("list_pages")).isEqualTo(2);
    }
}
