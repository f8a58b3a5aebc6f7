package io.polarway.source.file;

import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes every batch of a multi-file source carry one schema, so consumers (writers, checks) see a single schema.
 * Files must agree on column names and types (nullability and metadata may differ); with {@code unify_schemas} a
 * column missing from some files is read as nulls there. A type conflict is a {@link SchemaException} naming the file
 * and the column either way. Stateless.
 */
final class SchemaAlignment {
    private SchemaAlignment() {
    }

    /** Whether two fields have the same name, type and children (nullability and metadata aside). */
    static boolean sameShape(Field a, Field b) {
        if (!a.getName().equals(b.getName()) || !a.getType().equals(b.getType())) return false;
        if (!Objects.equals(a.getDictionary(), b.getDictionary())) return false;
        if (a.getChildren().size() != b.getChildren().size()) return false;
        for (int i = 0; i < a.getChildren().size(); i++) {
            if (!sameShape(a.getChildren().get(i), b.getChildren().get(i))) return false;
        }
        return true;
    }

    /**
     * Checks that {@code actual} (of {@code file}) matches {@code target} column for column.
     *
     * @param reference the file {@code target} came from, for the message
     */
    static void requireSame(Schema target, Schema actual, FileEntry file, String reference) {
        List<Field> t = target.getFields();
        List<Field> a = actual.getFields();
        for (int i = 0; i < Math.max(t.size(), a.size()); i++) {
            Field tf = i < t.size() ? t.get(i) : null;
            Field af = i < a.size() ? a.get(i) : null;
            if (tf != null && af != null && sameShape(tf, af)) continue;
            String what;
            if (tf == null) what = "it has an extra column '" + af.getName() + "' (" + af.getType() + ")";
            else if (af == null) what = "it lacks column '" + tf.getName() + "' (" + tf.getType() + ")";
            else if (!tf.getName().equals(af.getName())) {
                what = "column " + (i + 1) + " is '" + af.getName() + "' there but '" + tf.getName() + "' in "
                        + reference;
            } else {
                what = "column '" + tf.getName() + "' is " + af.getType() + " there but " + tf.getType() + " in "
                        + reference;
            }
            throw new SchemaException("schema of " + file + " differs from " + reference + ": " + what
                    + " (set unify_schemas=true to read files whose columns differ)", Where.resource(file.toString()),
                    null);
        }
    }

    /**
     * The union of the schemas, columns in first-seen order; a column absent from any file becomes nullable.
     *
     * @throws SchemaException when two files give one column different types
     */
    static Schema unify(List<FileEntry> files, List<Schema> schemas) {
        Map<String, Field> byName = new LinkedHashMap<>();
        Map<String, FileEntry> firstFile = new LinkedHashMap<>();
        Map<String, Integer> seenIn = new LinkedHashMap<>();
        for (int i = 0; i < schemas.size(); i++) {
            for (Field f : schemas.get(i).getFields()) {
                Field prev = byName.get(f.getName());
                if (prev == null) {
                    byName.put(f.getName(), f);
                    firstFile.put(f.getName(), files.get(i));
                } else if (!sameShape(prev, f)) {
                    throw new SchemaException("column '" + f.getName() + "' is " + f.getType() + " in " + files.get(i)
                            + " but " + prev.getType() + " in " + firstFile.get(f.getName())
                            + ": unify_schemas cannot reconcile different types",
                            Where.resource(files.get(i).toString()), null);
                } else if (f.isNullable() && !prev.isNullable()) {
                    byName.put(f.getName(), f);
                }
                seenIn.merge(f.getName(), 1, Integer::sum);
            }
        }
        List<Field> out = new ArrayList<>();
        for (Field f : byName.values()) {
            boolean everywhere = seenIn.get(f.getName()) == schemas.size();
            out.add(everywhere || f.isNullable() ? f
                    : new Field(f.getName(), new FieldType(true, f.getType(), f.getDictionary(), f.getMetadata()),
                    f.getChildren()));
        }
        return new Schema(out);
    }

    /**
     * {@code batch} re-expressed in {@code target}'s fields: columns moved by name (no copy), columns the file lacks
     * filled with nulls. Takes ownership of {@code batch} (closed, its buffers moved).
     */
    static VectorSchemaRoot align(VectorSchemaRoot batch, Schema target, BufferAllocator allocator) {
        if (batch.getSchema().equals(target)) return batch;
        int rows = batch.getRowCount();
        List<FieldVector> out = new ArrayList<>(target.getFields().size());
        try {
            for (Field f : target.getFields()) {
                FieldVector src = batch.getVector(f.getName());
                if (src == null) {
                    out.add(Batches.nulls(f, rows, allocator));
                } else {
                    TransferPair tp = src.getTransferPair(f, allocator);
                    tp.transfer();
                    out.add((FieldVector) tp.getTo());
                }
            }
        } catch (RuntimeException | Error e) {
            out.forEach(FieldVector::close);
            throw e;
        } finally {
            batch.close();
        }
        return new VectorSchemaRoot(target.getFields(), out, rows);
    }

    /** Keeps only {@code columns} (in that order) of {@code batch}, closing the others. Takes ownership. */
    static VectorSchemaRoot project(VectorSchemaRoot batch, List<String> columns, BufferAllocator allocator) {
        List<Field> fields = new ArrayList<>();
        for (String c : columns) {
            FieldVector v = batch.getVector(c);
            if (v != null) fields.add(v.getField());
        }
        return align(batch, new Schema(fields), allocator);
    }

    /** {@code schema} restricted to {@code columns} present in it, in the order of {@code columns}. */
    static Schema project(Schema schema, List<String> columns) {
        List<Field> fields = new ArrayList<>();
        for (String c : columns) {
            for (Field f : schema.getFields()) {
                if (f.getName().equals(c)) {
                    fields.add(f);
                    break;
                }
            }
        }
        return new Schema(fields, schema.getCustomMetadata());
    }
}
