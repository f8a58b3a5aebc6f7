package io.polarway.source.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses {@code Link} headers (RFC 8288): {@code <https://api/x?page=2>; rel="next", <...>; rel="last"}. Commas and
 * semicolons inside {@code <...>} and quoted strings are part of the value; {@code rel} may hold several
 * space-separated relation types. Stateless.
 */
final class LinkHeader {
    private LinkHeader() {
    }

    /** The target of the first link whose {@code rel} includes {@code rel} (case-insensitive), or null. */
    static String find(List<String> headerValues, String rel) {
        String wanted = rel.toLowerCase(Locale.ROOT);
        for (String header : headerValues) {
            for (Link link : parse(header)) {
                for (String r : link.rels) {
                    if (r.equals(wanted)) return link.target;
                }
            }
        }
        return null;
    }

    record Link(String target, List<String> rels) {
    }

    static List<Link> parse(String header) {
        List<Link> links = new ArrayList<>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            int open = header.indexOf('<', i);
            if (open < 0) break;
            int close = header.indexOf('>', open + 1);
            if (close < 0) break; // malformed: ignore the rest
            String target = header.substring(open + 1, close).trim();
            i = close + 1;
            List<String> rels = new ArrayList<>();
            // parameters until the next top-level comma
            while (i < n) {
                char c = header.charAt(i);
                if (c == ',') {
                    i++;
                    break;
                }
                if (c != ';') {
                    i++;
                    continue;
                }
                i++;
                int eq = header.indexOf('=', i);
                int nextSemi = nextTopLevel(header, i);
                if (eq < 0 || eq > nextSemi) { // a parameter without value
                    i = nextSemi;
                    continue;
                }
                String name = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
                int v = eq + 1;
                while (v < n && header.charAt(v) == ' ') v++;
                String value;
                if (v < n && header.charAt(v) == '"') {
                    StringBuilder sb = new StringBuilder();
                    int j = v + 1;
                    while (j < n && header.charAt(j) != '"') {
                        if (header.charAt(j) == '\\' && j + 1 < n) j++;
                        sb.append(header.charAt(j++));
                    }
                    value = sb.toString();
                    i = Math.min(n, j + 1);
                } else {
                    int end = nextTopLevel(header, v);
                    value = header.substring(v, end).trim();
                    i = end;
                }
                if (name.equals("rel")) {
                    for (String r : value.trim().split("\\s+")) {
                        if (!r.isEmpty()) rels.add(r.toLowerCase(Locale.ROOT));
                    }
                }
            }
            links.add(new Link(target, List.copyOf(rels)));
        }
        return links;
    }

    /** Index of the next ';' or ',' outside quotes from {@code from}, or the length. */
    private static int nextTopLevel(String s, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (!quoted && (c == ';' || c == ',')) return i;
        }
        return s.length();
    }
}
