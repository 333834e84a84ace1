package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade, half done: a `molia node` of this release and one standing in for the next
 * ({@code --protocol-version 2}: it writes version 2, still speaks 1, and sets a feature bit no release knows) run side
 * by side as real processes; each finds the other by lookup, stores on the other with put and reads back with get,
 * and neither answers the other with a version error. A third node whose range no longer includes version 1
 * ({@code --protocol-min-version 2 --protocol-version 3}) and the node of this release refuse each other: pings go
 * unanswered and each counts the error it sent (which names its range: {@code ProtocolRangeTest} decodes it).
 */
class RollingUpgradeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void thisReleaseAndTheNextServeEachOtherAndARangeWithoutVersionOneIsRefused() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses()) {
            NodeProcesses.Started current = nodes.start(dir.resolve("current"), null);
            NodeProcesses.Started next = nodes.start(dir.resolve("next"), current.address(),
                    "--protocol-version", "2");
            for (NodeProcesses.Started[] pair : new NodeProcesses.Started[][] {{current, next}, {next, current}}) {
                NodeProcesses.Started from = pair[0];
                NodeProcesses.Started to = pair[1];
                assertEquals(to.id().toHex(), lookupUntilFound(from, to), "lookup from " + name(from, current));

                String value = "put by the " + name(from, current) + " node";
                JsonNode put = json(from, "put", value).get("put");
                assertEquals(1, put.get("stored").asInt(), "stored on the other node: " + put);
                // A put keeps no copy at home: the get is answered by the other node.
                JsonNode get = json(from, "get", put.get("key").asText()).get("get");
                assertTrue(get.get("found").asBoolean(), "found: " + get);
                assertEquals(value, new String(HexFormat.of().parseHex(get.get("value").asText()),
                        StandardCharsets.UTF_8));
            }
            assertEquals(0, versionErrorsSent(current), "this release refused nothing of the next");
            assertEquals(0, versionErrorsSent(next), "the next release refused nothing of this one");

            NodeProcesses.Started later = nodes.start(dir.resolve("later"), null,
                    "--protocol-min-version", "2", "--protocol-version", "3");
            assertEquals(0, versionErrorsSent(later));
            AdminSocketIT.Run refused = AdminSocketIT.admin(current.dataDir(), "ping", later.address().toString(),
                    "--json");
            assertEquals(1, refused.exit(), refused.err());
            assertFalse(JSON.readTree(refused.out()).get("ping").get("answered").asBoolean());
            // At least once: a request rides the handshake initiation and again the confirmed session.
            assertTrue(versionErrorsSent(later) >= 1, "the later node named its range 2..3 to this release");
            AdminSocketIT.Run refusedBack = AdminSocketIT.admin(later.dataDir(), "ping", current.address().toString(),
                    "--json");
            assertEquals(1, refusedBack.exit(), refusedBack.err());
            assertTrue(versionErrorsSent(current) >= 1, "this release named its range 1..1 to the later node");
        }
    }

    private static String name(NodeProcesses.Started node, NodeProcesses.Started current) {
        return node == current ? "current" : "next";
    }

    /** The closest node a lookup of {@code to}'s ID from {@code from} finds, asked again until it is {@code to}. */
    private static String lookupUntilFound(NodeProcesses.Started from, NodeProcesses.Started to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String found = null;
        while (System.nanoTime() < deadline) {
            AdminSocketIT.Run r = AdminSocketIT.admin(from.dataDir(), "lookup", to.id().toHex(), "--json");
            JsonNode closest = r.exit() == 0 ? JSON.readTree(r.out()).get("lookup").get("closest") : null;
            found = closest == null || closest.isEmpty() ? null : closest.get(0).get("node_id").asText();
            if (to.id().toHex().equals(found)) {
                return found;
            }
            Thread.sleep(200); // the other node is still a candidate, pinged before it enters the table
        }
        return found;
    }

    private static JsonNode json(NodeProcesses.Started node, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        AdminSocketIT.Run r = AdminSocketIT.admin(node.dataDir(), a.toArray(String[]::new));
        assertEquals(0, r.exit(), "molia admin " + a + ": " + r.err() + r.out());
        return JSON.readTree(r.out());
    }

    private static long versionErrorsSent(NodeProcesses.Started node) throws Exception {
        return json(node, "metrics").get("metrics").get("counters").get("version_errors_sent").asLong();
    }
}
