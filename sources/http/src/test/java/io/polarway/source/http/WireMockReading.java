package io.polarway.source.http;

import io.polarway.api.SourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixture of the tests that read from one WireMock server: the server started once per class (on 127.0.0.1),
 * its stubs and journal reset before each test, and a fresh {@link Reading} per test, closed after it (so a leaked
 * buffer fails that test).
 */
abstract class WireMockReading {
    private static final List<WireMockStubs> OTHERS = new ArrayList<>();
    static WireMockStubs wm;
    Reading reading;

    @BeforeAll
    static void startWireMock() {
        wm = new WireMockStubs();
    }

    /** One more server (another origin, e.g. for redirects to another host), reset and stopped with the first. */
    static WireMockStubs anotherServer() {
        WireMockStubs s = new WireMockStubs();
        OTHERS.add(s);
        return s;
    }

    @AfterAll
    static void stopWireMock() {
        if (wm != null) wm.close();
        OTHERS.forEach(WireMockStubs::close);
        OTHERS.clear();
    }

    @BeforeEach
    void resetWireMock() {
        wm.reset();
        OTHERS.forEach(WireMockStubs::reset);
        reading = new Reading();
    }

    @AfterEach
    void closeReading() {
        reading.close();
    }

    /** The URL of {@code path} on the server; retries after 1 ms without jitter, so that they cost no time. */
    static SourceConfig config(String path) {
        return SourceConfig.of(wm.url(path)).withOption("retry_delay_ms", "1").withOption("retry_jitter", "0");
    }
}
