package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.format.TextFormats;

import java.util.Set;

/** The {@code azure} source (aliases {@code az}, {@code azblob}): Azure Blob Storage and Azurite. See {@link ObjectStoreSourceFactory}. */
public final class AzureSourceFactory extends ObjectStoreSourceFactory {

    public AzureSourceFactory() {
        this(TextFormats.installed());
    }

    /** A factory that knows exactly {@code textFormats} (tests). */
    public AzureSourceFactory(TextFormats textFormats) {
        super(textFormats);
    }

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("az", "azblob");
    }

    @Override
    String scheme() {
        return "az";
    }

    @Override
    ObjectStore createStore(ObjectLocation location, StoreSettings settings, Credentials credentials) {
        return new AzureStore(location, settings, credentials);
    }
}
