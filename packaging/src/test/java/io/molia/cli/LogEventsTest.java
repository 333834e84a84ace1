package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every log call in the project's main sources names a stable event, listed with exactly its fields in
 * {@code docs/operations.md}; every listed event is logged somewhere. Log calls are SLF4J's fluent ones
 * ({@code LOG.atWarn()...log(...)}); the classic {@code LOG.warn(...)} cannot carry an event and is refused.
 */
class LogEventsTest {
    private static final Pattern FLUENT = Pattern.compile("\\.at(Trace|Debug|Info|Warn|Error)\\(\\)");
    private static final Pattern CLASSIC =
            Pattern.compile("(\\bLOG|\\blogger|\\bLOGGER|getLogger\\([^)]*\\))\\.(trace|debug|info|warn|error)\\(");
    private static final Pattern KEY = Pattern.compile("\\.addKeyValue\\(\"([a-z_]+)\"");
    private static final Pattern EVENT = Pattern.compile("\\.addKeyValue\\(\"event\", \"([^\"]*)\"\\)");

    /** One fluent log call: where it is, and the text from {@code .atX()} to its {@code .log(}. */
    private record LogCall(String where, String chain) {
    }

    @Test
    void everyLogCallNamesAnEventOfTheTableWithItsFields() throws Exception {
        Map<String, Set<String>> table = LogEventTable.read();
        List<LogCall> calls = logCalls();
        assertTrue(calls.size() >= 20, "only " + calls.size() + " log calls: does the scan look in the right place?");
        Set<String> logged = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (LogCall call : calls) {
            Matcher event = EVENT.matcher(call.chain());
            if (!event.find()) {
                problems.add(call.where() + ": no .addKeyValue(\"event\", \"...\")");
                continue;
            }
            String name = event.group(1);
            logged.add(name);
            if (!table.containsKey(name)) {
                problems.add(call.where() + ": event '" + name + "' is not in the Logs table of docs/operations.md");
                continue;
            }
            Set<String> fields = new LinkedHashSet<>();
            Matcher key = KEY.matcher(call.chain());
            while (key.find()) {
                fields.add(key.group(1));
            }
            fields.remove("event");
            if (!fields.equals(table.get(name))) {
                problems.add(call.where() + ": event '" + name + "' logs " + fields + ", the table says "
                        + table.get(name));
            }
        }
        Set<String> unused = new TreeSet<>(table.keySet());
        unused.removeAll(logged);
        if (!unused.isEmpty()) {
            problems.add("listed but never logged: " + unused);
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theScanSeesACallWithoutAnEvent() {
        String source = "LOG.atWarn().addKeyValue(\"node\", id)\n        .log(\"no event\");";
        List<LogCall> calls = new ArrayList<>();
        collect("Example.java", source, calls, new ArrayList<>());
        assertEquals(1, calls.size());
        assertTrue(!EVENT.matcher(calls.get(0).chain()).find());
        List<String> classic = new ArrayList<>();
        collect("Example.java", "LOG.warn(\"x {}\", y);", new ArrayList<>(), classic);
        assertEquals(1, classic.size());
    }

    private static List<LogCall> logCalls() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<LogCall> calls = new ArrayList<>();
        List<String> classic = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/")).sorted().toList();
        }
        for (Path file : sources) {
            String text = Files.readString(file);
            if (text.contains("org.slf4j")) {
                collect(root.relativize(file).toString(), text, calls, classic);
            }
        }
        assertEquals(List.of(), classic,
                "classic log calls cannot name an event: use LOG.atX().addKeyValue(\"event\", ...)");
        return calls;
    }

    private static void collect(String file, String text, List<LogCall> calls, List<String> classic) {
        Matcher m = FLUENT.matcher(text);
        while (m.find()) {
            int end = text.indexOf(".log(", m.end());
            int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            calls.add(new LogCall(file + ":" + line, text.substring(m.start(), end < 0 ? text.length() : end)));
        }
        Matcher c = CLASSIC.matcher(text);
        while (c.find()) {
            int line = (int) text.substring(0, c.start()).chars().filter(ch -> ch == '\n').count() + 1;
            classic.add(file + ":" + line);
        }
    }
}
