package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.format.TextFormats;

import java.util.Set;

/** The {@code gcs} source (alias {@code gs}): Google Cloud Storage and emulators of its JSON API. See {@link ObjectStoreSourceFactory}. */
public final class GcsSourceFactory extends ObjectStoreSourceFactory {

    public GcsSourceFactory() {
        this(TextFormats.installed());
    }

    /** A factory that knows exactly {@code textFormats} (tests). */
    public GcsSourceFactory(TextFormats textFormats) {
        super(textFormats);
    }

    @Override
    public String type() {
        return "gcs";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("gs");
    }

    @Override
    String scheme() {
        return "gs";
    }

    @Override
    ObjectStore createStore(ObjectLocation location, StoreSettings settings, Credentials credentials) {
        return new GcsStore(location, settings, credentials);
    }
}
