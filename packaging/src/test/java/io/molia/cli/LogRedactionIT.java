package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real `molia node` processes logging JSON, one of them joining the other, both stopped by SIGTERM: every line
 * names an event of the Logs table in {@code docs/operations.md} with exactly its fields; the admin TCP address
 * (a real log field) is hidden by default and whole with {@code --log-unsafe}.
 */
class LogRedactionIT {
    @TempDir
    Path dir;

    @Test
    void realNodesLogTabledEventsWithAddressesHiddenUnlessUnsafe() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "a-token-of-32-characters-exactly");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path safeLog = dir.resolve("safe.log");
        Path unsafeLog = dir.resolve("unsafe.log");
        try (NodeProcesses nodes = new NodeProcesses()) {
            NodeProcesses.Started safe = nodes.startLogging(dir.resolve("safe"), null, safeLog, "--log-format", "json",
                    "--admin-tcp", "127.0.0.1:0", "--admin-token-file", token.toString());
            NodeProcesses.Started unsafe = nodes.startLogging(dir.resolve("unsafe"), safe.address(), unsafeLog,
                    "--log-format", "json", "--log-unsafe", "--admin-tcp", "127.0.0.1:0", "--admin-token-file",
                    token.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(unsafeLog).contains("join.joined") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            for (NodeProcesses.Started n : List.of(safe, unsafe)) {
                n.process().destroy(); // SIGTERM: the node logs its stop and exits 0
                assertTrue(n.process().waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
                assertEquals(0, n.process().exitValue());
            }
        }
        Map<String, Set<String>> table = LogEventTable.read();
        List<JsonNode> safeLines = lines(safeLog, table);
        List<JsonNode> unsafeLines = lines(unsafeLog, table);
        assertTrue(events(safeLines).containsAll(List.of("wal.recovered", "join.waiting", "node.started",
                "admin.listening", "admin.tcp_listening", "node.stopped")), events(safeLines).toString());
        assertTrue(events(unsafeLines).contains("join.joined"), events(unsafeLines).toString());

        assertTrue(field(safeLines, "admin.tcp_listening", "address").matches("/127\\.0\\.0\\.x:\\d+"),
                field(safeLines, "admin.tcp_listening", "address"));
        assertFalse(Files.readString(safeLog).contains("127.0.0.1"), "a whole address in " + safeLog);
        assertTrue(field(unsafeLines, "admin.tcp_listening", "address").matches("/127\\.0\\.0\\.1:\\d+"),
                field(unsafeLines, "admin.tcp_listening", "address"));
    }

    /** Every line of {@code log} as JSON, each checked: an event of the table, with exactly the table's fields. */
    private static List<JsonNode> lines(Path log, Map<String, Set<String>> table) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String text : Files.readAllLines(log)) {
            JsonNode line = new ObjectMapper().readTree(text);
            Set<String> fields = new LinkedHashSet<>();
            line.path("kvpList").forEach(kv -> kv.fieldNames().forEachRemaining(fields::add));
            String event = line.path("kvpList").path(0).path("event").asText(null);
            assertTrue(event != null && table.containsKey(event), "an event of the table first in " + text);
            fields.remove("event");
            assertEquals(table.get(event), fields, "the fields of " + event + " in " + text);
            out.add(line);
        }
        assertFalse(out.isEmpty(), "no log lines in " + log);
        return out;
    }

    private static List<String> events(List<JsonNode> lines) {
        return lines.stream().map(l -> l.path("kvpList").path(0).path("event").asText()).toList();
    }

    private static String field(List<JsonNode> lines, String event, String name) {
        for (JsonNode l : lines) {
            if (event.equals(l.path("kvpList").path(0).path("event").asText())) {
                for (JsonNode kv : l.path("kvpList")) {
                    if (kv.has(name)) {
                        return kv.get(name).asText();
                    }
                }
            }
        }
        throw new AssertionError("no " + event + " line with " + name + " in " + lines);
    }
}
