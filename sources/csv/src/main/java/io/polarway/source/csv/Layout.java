package io.polarway.source.csv;

import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;

/**
 * The resolved shape of a CSV input: how many fields a record has, which of them are read (the projection) and as
 * what. Found once from the header and the inference sample, then shared by every split reader. Immutable.
 *
 * @param fileColumns fields per record
 * @param slotOf      for each file column, its output position, or -1 when it is not read
 * @param names       output column names
 * @param types       output column types
 * @param fileIndex   for each output column, its file column
 * @param dataStart   absolute byte offset of the first data record (after BOM, skipped lines and header)
 * @param dataLine    line number (1-based) at {@code dataStart}
 */
record Layout(int fileColumns, int[] slotOf, List<String> names, List<ColumnType> types, int[] fileIndex,
              long dataStart, long dataLine) {

    int outputColumns() {
        return names.size();
    }

    Schema schema() {
        List<Field> fields = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            fields.add(new Field(names.get(i), FieldType.nullable(types.get(i).arrowType()), null));
        }
        return new Schema(fields);
    }
}
