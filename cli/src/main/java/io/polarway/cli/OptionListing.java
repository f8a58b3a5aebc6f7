package io.polarway.cli;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Prints an {@link OptionSet} as an aligned table: key, type, default, description. Secret defaults are hidden. */
final class OptionListing {
    private OptionListing() {
    }

    static void printComponent(PrintStream out, String name, Set<String> aliases, String description,
                               OptionSet options) {
        out.println(name + " - " + description);
        if (!aliases.isEmpty()) out.println("  aliases: " + String.join(", ", aliases.stream().sorted().toList()));
        print(out, options, "  ");
    }

    static void print(PrintStream out, OptionSet set, String indent) {
        List<OptionSpec<?>> specs = set.specs();
        if (specs.isEmpty()) {
            out.println(indent + "options: none");
            return;
        }
        out.println(indent + "options:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"KEY", "TYPE", "DEFAULT", "DESCRIPTION"});
        for (OptionSpec<?> s : specs) rows.add(new String[]{s.key(), s.typeName(), defaultText(s), describe(s)});
        int[] width = new int[3];
        for (String[] r : rows) for (int i = 0; i < 3; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder(indent).append("  ");
            for (int i = 0; i < 3; i++) sb.append(pad(r[i], width[i])).append("  ");
            sb.append(r[3]);
            out.println(sb.toString().stripTrailing());
        }
    }

    static String defaultText(OptionSpec<?> s) {
        if (s.isSecret()) return "(secret)";
        Object v = s.defaultValue().orElse(null);
        if (v == null) return "-";
        if (v instanceof List<?> l) return l.isEmpty() ? "\"\"" : String.join(",", l.stream().map(String::valueOf).toList());
        if (v instanceof Character c) {
            return switch (c) {
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> c < ' ' ? String.format("\\u%04x", (int) c) : c.toString();
            };
        }
        String text = v.toString();
        return text.isEmpty() ? "\"\"" : text;
    }

    private static String describe(OptionSpec<?> s) {
        StringBuilder sb = new StringBuilder(s.description());
        if (!s.choices().isEmpty()) sb.append(" (one of: ").append(String.join(", ", s.choices())).append(')');
        if (!s.requirements().isEmpty()) {
            sb.append(" [must be ").append(String.join(", ", s.requirements())).append(']');
        }
        if (s.isSecret()) sb.append(" [secret]");
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
