package io.polarway.source.http;

/** The contract suite against MockServer (in the test JVM, on 127.0.0.1). */
class HttpSourceMockServerTest extends HttpContractSuite {
    @Override
    protected StubServer start() {
        return new MockServerStubs();
    }
}
