package io.polarway.source.objectstore;

/** The contract on firebase-tools' Cloud Storage emulator (node, from npm), GCS JSON API without credentials. */
class GcsEmulatorContractTest extends ObjectStoreContract {
    @Override
    StoreFixture startStore() {
        return StoreFixture.gcs();
    }

    @Override
    String storeName() {
        return "GCS emulator (firebase-tools)";
    }
}
