package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The table of log events in {@code docs/operations.md} ("Logs"): each event's name and its fields. */
final class LogEventTable {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_.]+)` \\| [A-Z]+ \\| ([^|]*) \\|");
    private static final Pattern FIELD = Pattern.compile("`([a-z_]+)`");

    private LogEventTable() {
    }

    static Path docs() {
        Path docs = Path.of("..", "docs", "operations.md").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(docs), "the operations guide " + docs);
        return docs;
    }

    /** Event name to its fields, in the table's order. */
    static Map<String, Set<String>> read() throws Exception {
        String text = Files.readString(docs());
        int start = text.indexOf("\n## Logs\n");
        assertTrue(start >= 0, "a section '## Logs' in " + docs());
        int end = text.indexOf("\n## ", start + 1);
        Map<String, Set<String>> events = new LinkedHashMap<>();
        for (String line : text.substring(start, end < 0 ? text.length() : end).split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                Set<String> fields = new java.util.LinkedHashSet<>();
                Matcher f = FIELD.matcher(row.group(2));
                while (f.find()) {
                    fields.add(f.group(1));
                }
                assertTrue(events.put(row.group(1), fields) == null, "event " + row.group(1) + " listed twice");
            }
        }
        assertFalse(events.isEmpty(), "no event rows in the Logs table of " + docs());
        return events;
    }
}
