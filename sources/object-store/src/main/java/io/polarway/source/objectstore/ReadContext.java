package io.polarway.source.objectstore;

import io.polarway.api.StatsRecorder;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.Where;
import io.polarway.source.file.LocalParquetScanner;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

import java.util.concurrent.ExecutorService;

/**
 * What every object reader of one source shares: the store, the fetcher, the part budget, the fetch threads, the
 * Parquet scanner and the settings. Owned and closed by the top-level source; splits borrow it.
 *
 * @param window parts in flight per object: {@code max_concurrency} when parallel, 2 with prefetch, else 1
 */
record ReadContext(ObjectLocation location, StoreSettings settings, RangeFetcher fetcher, PartBudget budget,
                   ExecutorService fetchThreads, LocalParquetScanner parquet, StatsRecorder stats, int window,
                   BufferAllocator readAllocator) {

    /** The same context reading into another source's allocator and counting into its stats. */
    ReadContext with(BufferAllocator allocator, StatsRecorder recorder) {
        return new ReadContext(location, settings, fetcher, budget, fetchThreads, parquet, recorder, window, allocator);
    }

    /** A sequential stream over {@code [start, end)} of {@code object}, in ranged parts (one part when small). */
    PartStream stream(ObjectInfo object, long start, long end) {
        long length = end - start;
        long partSize = length <= settings.multipartThresholdBytes() ? Math.max(1, length) : settings.partSizeBytes();
        try {
            return new PartStream(object, start, end, partSize, length <= settings.multipartThresholdBytes() ? 1 : window,
                    budget, fetcher, fetchThreads, stats);
        } catch (OutOfMemoryException e) {
            throw new MemoryLimitException("no room for one part of " + location.uriOf(object.key())
                    + " within the memory limit", budget.allocator().getLimit(), partSize,
                    Where.resource(location.uriOf(object.key())).withRange(start, start + partSize - 1), e);
        }
    }

    String uri(ObjectInfo object) {
        return location.uriOf(object.key());
    }
}
