package io.polarway.source.objectstore;

/** The contract on Azurite (node, from npm), Azure Blob API with the emulator account's shared key. */
class AzuriteContractTest extends ObjectStoreContract {
    @Override
    StoreFixture startStore() {
        return StoreFixture.azurite();
    }

    @Override
    String storeName() {
        return "Azurite";
    }
}
