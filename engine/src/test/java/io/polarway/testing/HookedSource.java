package io.polarway.testing;

import io.polarway.api.Chunk;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SourceStats;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Wraps a real source (usually {@code generate}) and runs a hook before every read, in the reading thread — to
 * observe which thread reads when, or to block a reader until the test lets it go. Split readers are hooked too.
 */
public final class HookedSource implements SplittableSource {
    private final StreamingSource delegate;
    private final Consumer<String> beforeRead;
    private final AtomicInteger reads;
    private final String splitId;

    public HookedSource(StreamingSource delegate, Consumer<String> beforeRead) {
        this(delegate, beforeRead, new AtomicInteger(), null);
    }

    private HookedSource(StreamingSource delegate, Consumer<String> beforeRead, AtomicInteger reads, String splitId) {
        this.delegate = delegate;
        this.beforeRead = beforeRead;
        this.reads = reads;
        this.splitId = splitId;
    }

    /** Reads started, over this source and every split reader opened from it. */
    public int reads() {
        return reads.get();
    }

    @Override
    public SourceMetadata metadata() {
        return delegate.metadata();
    }

    @Override
    public Optional<Chunk> readChunk(int maxRows) {
        reads.incrementAndGet();
        beforeRead.accept(splitId);
        return delegate.readChunk(maxRows);
    }

    @Override
    public int chunkSizeRows() {
        return delegate.chunkSizeRows();
    }

    @Override
    public SourceStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public List<? extends SourceSplit> planSplits(int desiredSplits) {
        return ((SplittableSource) delegate).planSplits(desiredSplits);
    }

    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext context) {
        return new HookedSource(((SplittableSource) delegate).openSplit(split, context), beforeRead, reads,
                split.splitId());
    }
}
