package io.polarway.cli.output;

import io.polarway.error.SchemaException;
import org.apache.arrow.vector.types.pojo.Schema;

/** Every chunk written to one output must have the first chunk's schema. */
final class SchemaCheck {
    private SchemaCheck() {
    }

    static void requireSame(Schema expected, Schema actual) {
        if (!expected.equals(actual)) {
            throw new SchemaException("a chunk's schema differs from the first chunk's: expected " + expected
                    + ", got " + actual);
        }
    }
}
