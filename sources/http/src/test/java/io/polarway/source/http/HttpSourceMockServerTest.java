package io.polarway.source.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract suite against MockServer (in the test JVM, on 127.0.0.1). */
class HttpSourceMockServerTest extends HttpContractSuite {
    private static MockServerStubs server;

    @BeforeAll
    static void start() {
        server = new MockServerStubs();
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
