package io.polarway.source.csv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model check: any table of strings, written as CSV by a reference writer (quoting what needs it, doubling quotes,
 * LF or CRLF line ends, with or without a final line break), reads back as the same table whatever the chunk size,
 * read-buffer size and bytes per read call.
 */
class CsvFuzzTest {

    @Property(tries = 400)
    void anyTableReadsBackWhateverTheBoundaries(@ForAll("tables") List<List<String>> table,
                                                @ForAll boolean crlf, @ForAll boolean finalLineBreak,
                                                @ForAll @IntRange(min = 1, max = 12) int chunk,
                                                @ForAll @IntRange(min = 1, max = 40) int buffer,
                                                @ForAll @IntRange(min = 0, max = 9) int trickle) {
        int columns = table.get(0).size();
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < columns; c++) sb.append(c > 0 ? "," : "").append("c").append(c);
        String eol = crlf ? "\r\n" : "\n";
        sb.append(eol);
        for (int r = 0; r < table.size(); r++) {
            List<String> row = table.get(r);
            for (int c = 0; c < columns; c++) {
                if (c > 0) sb.append(',');
                String v = row.get(c);
                // quote what needs it, and (so blank lines do not appear) every empty one-column value
                boolean quote = v.isEmpty() && columns == 1 || v.indexOf(',') >= 0 || v.indexOf('"') >= 0
                        || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.startsWith("#");
                if (quote) sb.append('"').append(v.replace("\"", "\"\"")).append('"');
                else sb.append(v);
            }
            if (r < table.size() - 1 || finalLineBreak) sb.append(eol);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        CsvTesting.Result result = CsvTesting.read(bytes, "fuzz.csv", chunk, buffer, trickle,
                "infer_schema_length", "0");
        List<List<Object>> expected = new ArrayList<>();
        for (List<String> row : table) {
            List<Object> e = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                String v = row.get(c);
                // an unquoted empty field is null; a quoted one (single column) is an empty string
                e.add(v.isEmpty() && columns > 1 ? null : v);
            }
            expected.add(e);
        }
        assertThat(result.rows()).isEqualTo(expected);
        assertThat(result.chunkRows()).allMatch(n -> n <= chunk);
    }

    @Provide
    Arbitrary<List<List<String>>> tables() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab,\"\n\r é").ofMinLength(0).ofMaxLength(8),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12),
                Arbitraries.of("", "\"", "\"\"", ",", "\r\n", "\n", "x\r", "a\"b"));
        return Arbitraries.integers().between(1, 5).flatMap(columns ->
                value.list().ofSize(columns).list().ofMinSize(1).ofMaxSize(15));
    }
}
