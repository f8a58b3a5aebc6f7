package io.polarway.source.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract suite against WireMock (in the test JVM, on 127.0.0.1). */
class HttpSourceWireMockContractTest extends HttpContractSuite {
    private static WireMockStubs server;

    @BeforeAll
    static void start() {
        server = new WireMockStubs();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Override
    protected StubServer stubs() {
        return server;
    }
}
