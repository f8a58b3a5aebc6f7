package io.polarway.api;

import org.apache.arrow.vector.types.pojo.Schema;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a source knows about its data before (or while) reading it.
 *
 * @param schema         the Arrow schema of every chunk, or null when not known until the first chunk
 * @param sizeBytes      total input size in bytes, -1 when unknown
 * @param recordCount    total number of records, -1 when unknown (e.g. CSV before reading, Kafka)
 * @param seekable       whether a reader can start at an arbitrary split without reading what precedes it
 * @param parallelizable whether the source implements {@link SplittableSource} with more than one split
 */
public record SourceMetadata(Schema schema, long sizeBytes, long recordCount, boolean seekable,
                             boolean parallelizable) {

    public Optional<Schema> schemaIfKnown() {
        return Optional.ofNullable(schema);
    }

    public OptionalLong size() {
        return sizeBytes >= 0 ? OptionalLong.of(sizeBytes) : OptionalLong.empty();
    }

    public OptionalLong records() {
        return recordCount >= 0 ? OptionalLong.of(recordCount) : OptionalLong.empty();
    }
}
