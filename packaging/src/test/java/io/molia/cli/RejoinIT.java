package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 1 on real processes: node V, node C with {@code --bootstrap V}; V is killed with SIGKILL and C drops
 * it after timeouts (C is then isolated, and says so); V restarts on the same data dir WITHOUT {@code --bootstrap}.
 * V must contact C on its own (through the peer its WAL restored) and serve puts to it within 5 s of its restart;
 * C must learn V again. Before the fix V never contacted C, and C stayed alone with no word of it.
 */
class RejoinIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** {@code molia admin --data-dir DIR ARGS --json}, in this JVM over the node's real socket. */
    private static JsonNode admin(Path dataDir, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        AdminSocketIT.Run r = AdminSocketIT.admin(dataDir, a.toArray(String[]::new));
        assertEquals(0, r.exit(), "molia admin " + a + ": " + r.err() + r.out());
        return JSON.readTree(r.out());
    }

    /** Polls {@code view} of the node in {@code dataDir} until {@code ok} holds or {@code seconds} pass. */
    private static JsonNode await(Path dataDir, String view, double seconds, Predicate<JsonNode> ok, String what)
            throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        JsonNode doc = admin(dataDir, view);
        while (!ok.test(doc)) {
            assertTrue(System.nanoTime() < deadline, what + ": " + doc);
            Thread.sleep(50);
            doc = admin(dataDir, view);
        }
        return doc;
    }

    @Test
    void aRestartedNodeWithoutBootstrapServesPutsToItsPeerWithinFiveSeconds() throws Exception {
        try (NodeProcesses procs = new NodeProcesses()) {
            Path dataV = dir.resolve("v");
            Path dataC = dir.resolve("c");
            NodeProcesses.Started v = procs.start(dataV, null);
            procs.start(dataC, v.address());
            await(dataV, "info", 20, d -> d.get("info").get("routing_table_size").asInt() == 1, "C joined V");

            v.process().destroyForcibly(); // SIGKILL: no goodbye, the WAL as the kill left it
            assertTrue(v.process().waitFor(10, TimeUnit.SECONDS));
            // C's requests to the dead V time out until C drops it; then C is isolated, and says so.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin(dataC, "info").get("info").get("isolated").asBoolean()) {
                assertTrue(System.nanoTime() < deadline, "C never dropped the dead V");
                admin(dataC, "lookup", "00".repeat(32));
            }
            // The warning comes with the join's next check (every 250 ms), a moment after the table emptied.
            await(dataC, "errors", 2, d -> {
                boolean warned = false;
                for (JsonNode e : d.get("errors").get("events")) {
                    warned |= e.get("message").asText().startsWith("isolated");
                }
                return warned;
            }, "C's log warns that it is isolated");

            NodeProcesses.Started again = procs.startOn("127.0.0.1:" + v.address().port(), dataV, null);
            long readyNs = System.nanoTime();
            assertEquals(v.id(), again.id());
            // No operator action on V: its start alone reaches C, through the peer its WAL restored.
            await(dataV, "sessions", 5, d -> d.get("sessions").get("sessions").size() >= 1,
                    "V contacted C on its own");
            JsonNode put = admin(dataV, "put", "after the restart").get("put");
            double seconds = (System.nanoTime() - readyNs) / 1e9;
            assertTrue(put.get("stored").asInt() >= 1, "stored on a peer: " + put);
            assertTrue(seconds <= 5, "V served a put to C " + seconds + " s after its restart");
            await(dataC, "info", 70, d -> !d.get("info").get("isolated").asBoolean(), "C knows V again");
            assertEquals(1, admin(dataC, "info").get("info").get("routing_table_size").asInt());
        }
    }
}
