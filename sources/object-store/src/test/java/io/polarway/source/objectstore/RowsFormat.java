package io.polarway.source.objectstore;

import io.polarway.api.StatsRecorder;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A strict stand-in text format for the tests (pure logic; the csv and jsonl modules are the real ones): each line is
 * {@code id,name,amount}, typed int64/utf8/float64, no header. Any line that does not parse — a line cut at a part
 * boundary and not carried over would not — fails with a ParseException naming the line, so a test reading through it
 * catches boundary bugs that a mere count would miss.
 */
final class RowsFormat implements TextFormat {
    static final OptionSpec<Boolean> ROWS_STRICT = OptionSpec.bool("rows_strict", true, "fail on a malformed line");

    @Override
    public String name() {
        return "rows";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("rows");
    }

    @Override
    public OptionSet options() {
        return OptionSet.of("format 'rows'", ROWS_STRICT);
    }

    @Override
    public FormatReader open(InputStream in, String resource, Options options, StatsRecorder stats) {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        return new FormatReader() {
            long line;
            boolean done;

            @Override
            public VectorSchemaRoot read(BufferAllocator allocator, int maxRows) {
                if (done) return null;
                VectorSchemaRoot root = VectorSchemaRoot.create(TestObjects.SCHEMA, allocator);
                try {
                    BigIntVector id = (BigIntVector) root.getVector(0);
                    VarCharVector name = (VarCharVector) root.getVector(1);
                    Float8Vector amount = (Float8Vector) root.getVector(2);
                    int n = 0;
                    while (n < maxRows) {
                        String s = r.readLine();
                        if (s == null) {
                            done = true;
                            break;
                        }
                        line++;
                        String[] f = s.split(",", -1);
                        try {
                            if (f.length != 3) throw new IllegalArgumentException(f.length + " fields");
                            long v = Long.parseLong(f[0]);
                            if (!f[1].equals(TestObjects.name(v))) throw new IllegalArgumentException("bad name");
                            id.setSafe(n, v);
                            name.setSafe(n, f[1].getBytes(StandardCharsets.UTF_8));
                            amount.setSafe(n, Double.parseDouble(f[2]));
                        } catch (IllegalArgumentException e) {
                            throw new ParseException("malformed line '" + s + "': " + e.getMessage(),
                                    Where.resource(resource).withLine(line), e);
                        }
                        n++;
                    }
                    if (n == 0 && done) {
                        root.close();
                        return null;
                    }
                    root.setRowCount(n);
                    return root;
                } catch (IOException e) {
                    root.close();
                    throw new UncheckedIOException(e);
                } catch (RuntimeException e) {
                    root.close();
                    throw e;
                }
            }

            @Override
            public Schema schema() {
                return TestObjects.SCHEMA;
            }

            @Override
            public void close() {
                try {
                    r.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
