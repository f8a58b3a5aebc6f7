package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.Options;

/**
 * Creates one kind of {@link ChunkSizePolicy} by name. Register with {@link PolicyRegistry#register}, or list the
 * implementing class (public, with a public no-argument constructor) in
 * {@code META-INF/services/io.polarway.policy.PolicyFactory} so {@link PolicyRegistry#withDefaults()} finds it.
 * Implementations are stateless and thread-safe.
 */
public interface PolicyFactory {

    /** The registered name users select the policy by, e.g. {@code guide}; lower case. */
    String name();

    /** One line for {@code --help} and listings. */
    String description();

    /** Every option key the policy accepts, with type, default, description and validation. */
    OptionSet options();

    /**
     * A new policy instance for one stream.
     *
     * @param options          parsed from {@link #options()}
     * @param initialChunkRows the stream's configured initial chunk size in rows
     * @throws io.polarway.error.ConfigException when options are inconsistent with each other, naming the key
     */
    ChunkSizePolicy create(Options options, int initialChunkRows);
}
