package io.polarway.api;

import io.polarway.config.OptionSet;
import io.polarway.config.Options;

import java.util.Set;

/**
 * Creates sources of one type. Implementations are found by {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/io.polarway.api.SourceFactory}), so putting a source module on the classpath is enough.
 * Thread-safe and stateless.
 */
public interface SourceFactory {

    /** The type name users pass to {@link SourceRegistry#create}, e.g. {@code csv}. */
    String type();

    /** Other names for the same type, e.g. {@code filesystem} for {@code file}. */
    default Set<String> aliases() {
        return Set.of();
    }

    /** One line for {@code polarway sources}. */
    String description();

    /** Every option key the source accepts, declared once. */
    OptionSet options();

    /**
     * Creates a source. The registry has already parsed {@code config.options()} against {@link #options()}.
     *
     * @param config  the user's configuration
     * @param options the parsed options
     * @param context allocator and memory probe lent by the caller; the source must not close them
     * @throws io.polarway.error.PolarwayException (usually Config, Auth, Io) when the source cannot be opened
     */
    StreamingSource create(SourceConfig config, Options options, SourceContext context);
}
