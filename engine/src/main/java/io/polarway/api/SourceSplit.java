package io.polarway.api;

/**
 * A part of a source's data that one reader can read on its own: a file, a row-group range, an object byte range, a
 * DynamoDB segment, a Kafka partition. Splits are plain, immutable descriptions (no open handles), so planning is
 * separate from reading.
 */
public interface SourceSplit {

    /** A stable identifier, unique within one source, used to order output and name errors. */
    String splitId();

    /** Estimated size in bytes, -1 when unknown. Used to balance parallel readers. */
    default long estimatedBytes() {
        return -1;
    }
}
