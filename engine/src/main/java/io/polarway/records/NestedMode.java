package io.polarway.records;

/** How {@link RecordBatchBuilder} stores nested values (objects, arrays, DynamoDB maps, lists and sets). */
public enum NestedMode {
    /** Objects as Arrow structs (fields merged over the sample), arrays as Arrow lists. */
    STRUCT,
    /** Objects and arrays as their JSON text in a utf8 column: robust to any shape, one column per top-level field. */
    JSON_STRING
}
