package io.polarway.source.objectstore;

import java.util.regex.Pattern;

/**
 * Glob patterns over object keys, with the semantics of {@link java.nio.file.FileSystem#getPathMatcher} "glob:" on
 * {@code /}-separated keys: {@code *} and {@code ?} stay within one segment, {@code **} crosses segments,
 * {@code [abc]}/{@code [a-z]}/{@code [!a]} classes, <code>{a,b}</code> alternatives, {@code \} escapes. Stateless.
 */
final class Globs {
    private Globs() {
    }

    static boolean hasGlob(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    /** The key up to its first glob character (unescaped): what a listing can ask the store for. */
    static String literalPrefix(String key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' && i + 1 < key.length()) {
                sb.append(key.charAt(++i));
            } else if (c == '*' || c == '?' || c == '[' || c == '{') {
                break;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A regex that matches the whole key. */
    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder("^");
        boolean inGroup = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < glob.length()) re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                }
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, end);
                        if (body.startsWith("!")) body = "^" + body.substring(1);
                        re.append('[').append(body.replace("\\", "\\\\")).append(']');
                        i = end;
                    }
                }
                case '{' -> {
                    re.append("(?:");
                    inGroup = true;
                }
                case '}' -> {
                    if (inGroup) {
                        re.append(')');
                        inGroup = false;
                    } else {
                        re.append("\\}");
                    }
                }
                case ',' -> re.append(inGroup ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.append('$').toString());
    }
}
