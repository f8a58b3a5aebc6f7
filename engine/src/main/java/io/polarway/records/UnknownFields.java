package io.polarway.records;

/**
 * What {@link RecordBatchBuilder} does with a top-level field that is not in the schema once the schema is fixed
 * (a field that first appears after the inference sample, or one an explicit schema does not list).
 */
public enum UnknownFields {
    /** A {@link io.polarway.error.SchemaException} naming the field and the record: nothing is dropped unnoticed. */
    ERROR,
    /** Dropped, and counted in the stats counter {@code unknown_fields_dropped}. */
    IGNORE
}
