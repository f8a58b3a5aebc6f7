package io.polarway.source.objectstore;

/** The contract on S3Proxy (its own JVM, filesystem provider), S3 API over path-style HTTP. */
class S3ProxyContractTest extends ObjectStoreContract {
    @Override
    StoreFixture startStore() {
        return StoreFixture.s3();
    }

    @Override
    String storeName() {
        return "S3Proxy";
    }
}
