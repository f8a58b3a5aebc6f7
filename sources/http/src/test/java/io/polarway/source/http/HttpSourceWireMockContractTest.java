package io.polarway.source.http;

/** The contract suite against WireMock (in the test JVM, on 127.0.0.1). */
class HttpSourceWireMockContractTest extends HttpContractSuite {
    @Override
    protected StubServer start() {
        return new WireMockStubs();
    }
}
