package io.polarway.api;

import io.polarway.error.PolarwayException;
import io.polarway.result.Result;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A source of Arrow chunks: the Java form of the guide's {@code StreamingSource} trait.
 *
 * <pre>{@code
 * try (StreamingSource source = registry.create("csv", config)) {
 *     for (Chunk chunk : source) {
 *         try (chunk) { process(chunk.root()); }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> {@link #readChunk(int)} blocks until a chunk is read and returns empty only at the true end of
 * the data; after that it keeps returning empty. Every record is delivered exactly once (sources that say otherwise,
 * like Kafka's at-least-once, document it). The caller owns each returned {@link Chunk} and must close it; all chunks
 * must be closed before the source. A source is used by one thread at a time; {@link #stats()} may be called from any
 * thread. Errors are {@link PolarwayException}s.
 */
public interface StreamingSource extends AutoCloseable, Iterable<Chunk> {

    /** Schema, size and count when known, and whether the source can be split. May read a header or footer. */
    SourceMetadata metadata();

    /**
     * Reads the next chunk of at most {@code maxRows} rows (sources may return fewer, never more, and never an empty
     * chunk except for an input that has a schema and no rows, which yields one 0-row chunk).
     *
     * @return the next chunk, owned by the caller, or empty at the end of the data
     * @throws PolarwayException on any failure; {@link io.polarway.error.MemoryLimitException} leaves the source usable
     */
    Optional<Chunk> readChunk(int maxRows);

    /** Reads the next chunk at the source's current chunk size (the configured one unless changed). */
    default Optional<Chunk> readChunk() {
        return readChunk(chunkSizeRows());
    }

    /** The chunk size {@link #readChunk()} uses, in rows. */
    int chunkSizeRows();

    /** Counters so far; callable from any thread. */
    SourceStats stats();

    /** Releases files, connections and threads. Idempotent. Chunks must be closed first. */
    @Override
    void close();

    /** {@link #readChunk()} as a value: {@code Ok(Optional)} or {@code Err(PolarwayException)}; never throws those. */
    default Result<Optional<Chunk>, PolarwayException> tryReadChunk() {
        return Result.attempt(this::readChunk);
    }

    /** An iterator over the remaining chunks; {@code hasNext()} reads ahead one chunk. */
    @Override
    default Iterator<Chunk> iterator() {
        return new Iterator<>() {
            private Chunk next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                if (done) return false;
                Optional<Chunk> c = readChunk();
                if (c.isEmpty()) {
                    done = true;
                    return false;
                }
                next = c.get();
                return true;
            }

            @Override
            public Chunk next() {
                if (!hasNext()) throw new NoSuchElementException();
                Chunk c = next;
                next = null;
                return c;
            }
        };
    }

    /**
     * The remaining chunks as a sequential stream. Each element is owned by the stream's consumer and must be closed;
     * closing the stream does not close the source.
     */
    default Stream<Chunk> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
