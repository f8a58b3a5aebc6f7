package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.format.TextFormats;

import java.util.Set;

/** The {@code s3} source: Amazon S3 and S3-compatible stores ({@code endpoint} + path style). See {@link ObjectStoreSourceFactory}. */
public final class S3SourceFactory extends ObjectStoreSourceFactory {

    public S3SourceFactory() {
        this(TextFormats.installed());
    }

    /** A factory that knows exactly {@code textFormats} (tests). */
    public S3SourceFactory(TextFormats textFormats) {
        super(textFormats);
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public Set<String> aliases() {
        return Set.of();
    }

    @Override
    String scheme() {
        return "s3";
    }

    @Override
    ObjectStore createStore(ObjectLocation location, StoreSettings settings, Credentials credentials) {
        return new S3Store(location.bucket(), settings, credentials);
    }
}
