package io.molia.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges, grouping clauses,
 * numbers, keywords and function calls are taken out. Enough PromQL for the shipped rules and dashboard; a
 * construct it does not know shows up as a name no node exports, so the test that uses it fails rather than
 * passing by accident.
 */
final class PromQlNames {
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern TOKEN = Pattern.compile(
            "\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");

    private PromQlNames() {
    }

    static Set<String> of(String expr) {
        String rest = STRINGS.matcher(expr).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGES.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(rest);
        while (m.find()) {
            String token = m.group();
            boolean call = m.group(1) != null;
            if (call || Character.isDigit(token.charAt(0)) || KEYWORDS.contains(token)) {
                continue;
            }
            names.add(token);
        }
        return names;
    }
}
