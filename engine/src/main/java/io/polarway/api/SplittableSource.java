package io.polarway.api;

import java.util.List;

/**
 * A source whose data can be read in independent {@link SourceSplit}s, so the adaptive stream can read several at
 * once. Reading the splits in order, one after the other, yields the same rows as the source itself.
 */
public interface SplittableSource extends StreamingSource {

    /**
     * Plans the splits. Returns at least one split; may return fewer or more than asked.
     *
     * @param desiredSplits a hint, usually the number of parallel readers
     */
    List<? extends SourceSplit> planSplits(int desiredSplits);

    /**
     * Opens a reader over one split, sharing this source's configuration. The reader is a source of its own (closed
     * by the caller) and its chunks carry the split's id.
     */
    StreamingSource openSplit(SourceSplit split, SourceContext context);
}
