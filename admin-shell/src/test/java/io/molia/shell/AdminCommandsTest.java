package io.molia.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.crypto.Blake3;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.shell.AdminTestNodes.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-shot admin commands against nodes in this JVM over their real admin sockets (real UDP on loopback): what a
 * command says and its exit code when the node did nothing (a put stored nowhere), errors on stderr, and record
 * keys that can be pasted back (shown whole after a put, a unique prefix accepted by get).
 */
class AdminCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static AdminTestNodes live;
    /** Alone: it knows no peer. */
    private static Path alone;
    /** Joined to {@link #peer}: a put from it is stored there. */
    private static Path joined;
    private static Path peer;
    private static MoliaNode aloneNode;
    private static MoliaNode peerNode;

    @BeforeAll
    static void startNodes() throws Exception {
        live = new AdminTestNodes(dir);
        aloneNode = start("alone", List.of());
        alone = dir.resolve("alone");
        peerNode = start("peer", List.of());
        peer = dir.resolve("peer");
        MoliaNode j = start("joined", List.of(peerNode.address()));
        joined = dir.resolve("joined");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (j.status().get().routingTableSize() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, j.status().get().routingTableSize(), "the joined node knows its peer");
    }

    private static MoliaNode start(String name, List<MoliaAddress> seeds) throws Exception {
        return live.start(name, seeds);
    }

    @AfterAll
    static void stopNodes() throws Exception {
        live.close();
    }

    private static Run admin(Path dataDir, String... args) {
        return AdminTestNodes.admin(dataDir, args);
    }

    private static String keyOf(String value) {
        return HexFormat.of().formatHex(new Blake3().hash(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPutThatStoredNothingFailsWithALineOnStderr() throws Exception {
        Run put = admin(alone, "put", "stored nowhere");
        assertEquals(1, put.exit(), "no replica is a failure: " + put);
        assertTrue(put.out().contains("stored on 0 of 0 peers"), put.out());
        assertEquals(1, put.err().strip().lines().count(), "one line on stderr: " + put.err());
        assertTrue(put.err().contains("stored nowhere: the node knows no peer"), put.err());

        Run json = admin(alone, "put", "stored nowhere", "--json");
        assertEquals(1, json.exit(), "--json keeps its output, the exit code follows: " + json);
        assertEquals(0, JSON.readTree(json.out()).get("put").get("stored").asInt(), json.out());

        Run stored = admin(joined, "put", "stored on the peer");
        assertEquals(0, stored.exit(), stored.toString());
        assertTrue(stored.out().contains("stored on 1 of 1 peers"), stored.out());
        assertEquals("", stored.err(), "nothing to warn about");
    }

    @Test
    void providerAndMutableRecordCommandsNameEveryRefusal() throws Exception {
        String content = keyOf("provided content");
        Run provide = admin(joined, "provide", content);
        assertEquals(0, provide.exit(), provide.toString());
        assertTrue(provide.out().contains("stored on 1 of 1 peers"), provide.out());
        Run providers = admin(peer, "providers", content);
        assertEquals(0, providers.exit(), providers.toString());
        assertTrue(providers.out().contains("1 providers"), providers.out());
        Run first = admin(peer, "providers", content, "--count", "1");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("1 providers"), first.out());
        Run none = admin(peer, "providers", content, "--count", "0");
        assertEquals(2, none.exit(), "a usage error: " + none);
        assertTrue(none.err().contains("--count must be at least 1"), none.err());

        Run put = admin(joined, "put", "--mutable", "--salt", "shell", "--seq", "3", "v3");
        assertEquals(0, put.exit(), put.toString());
        String key = put.out().lines().filter(l -> l.startsWith("key ")).findFirst().orElseThrow().substring(4);
        Run lower = admin(joined, "put", "--mutable", "--salt", "shell", "--seq", "2", "v2");
        assertEquals(1, lower.exit(), lower.toString());
        assertTrue(lower.err().contains("stale_seq"), lower.err());
        Run cas = admin(joined, "put", "--mutable", "--salt", "shell", "--seq", "4", "--cas", "1", "v4", "--json");
        assertEquals(1, cas.exit(), cas.toString());
        assertTrue(JSON.readTree(cas.out()).get("record_write").get("refusal").asText().startsWith("cas_mismatch"),
                cas.out());
        assertEquals(0, admin(joined, "put", "--mutable", "--salt", "shell", "--seq", "4", "--cas", "3", "v4").exit());
        Run get = admin(peer, "get", "--mutable", key);
        assertEquals(0, get.exit(), get.toString());
        assertTrue(get.out().startsWith("v4\n") && get.out().contains("seq 4"), get.out());
        Run records = admin(peer, "records", "--json");
        assertTrue(records.out().contains("\"mutable\""), records.out());
        assertEquals(2, admin(joined, "put", "--salt", "x", "v").exit(), "--salt without --mutable: bad usage");
    }

    @Test
    void aPutShowsItsWholeKeyAndAUniquePrefixOfItIsAcceptedWhereAKeyIs() throws Exception {
        String value = "paste me back";
        String key = keyOf(value);
        Run put = admin(joined, "put", value);
        assertEquals(0, put.exit(), put.toString());
        assertTrue(put.out().contains("key " + key + "\n"), "the key the user just created, whole:\n" + put.out());

        // The node that put it (it holds no copy) takes 8 digits of it; so does the peer that stores it, also as
        // its records view shows the key (cut, with an ellipsis).
        Run get = admin(joined, "get", key.substring(0, 8));
        assertEquals(0, get.exit(), get.toString());
        assertTrue(get.out().startsWith(value + "\n"), get.out());
        Run records = admin(peer, "records");
        assertTrue(records.out().contains(key.substring(0, 8) + "…"), records.out());
        for (String shown : List.of(key.substring(0, 8), key.substring(0, 8) + "…")) {
            Run held = admin(peer, "get", shown, "--json");
            assertEquals(key, JSON.readTree(held.out()).get("get").get("key").asText(), held.toString());
        }
        JsonNode lookup = JSON.readTree(admin(joined, "trace", key.substring(0, 6), "--json").out());
        assertEquals(key, lookup.get("lookup").get("target").asText());
    }

    @Test
    void anAmbiguousOrUnknownKeyPrefixIsAOneLineErrorOnStderr() throws Exception {
        // Two values whose keys share their first 4 hex digits (a 16-bit birthday: a few hundred tries).
        Map<String, String> byPrefix = new HashMap<>();
        String[] pair = null;
        for (int i = 0; pair == null; i++) {
            String v = "twin " + i;
            String other = byPrefix.putIfAbsent(keyOf(v).substring(0, 4), v);
            if (other != null) {
                pair = new String[] {other, v};
            }
        }
        String prefix = keyOf(pair[0]).substring(0, 4);
        assertEquals(0, admin(joined, "put", pair[0]).exit());
        assertEquals(0, admin(joined, "put", pair[1]).exit());
        Run ambiguous = admin(joined, "get", prefix);
        assertEquals(1, ambiguous.exit(), ambiguous.toString());
        assertEquals("", ambiguous.out(), "errors go to stderr");
        assertTrue(ambiguous.err().contains("2 keys this node holds or put start with " + prefix
                + ": give more digits"), ambiguous.err());
        assertTrue(admin(joined, "get", keyOf(pair[1]).substring(0, 6)).out().startsWith(pair[1]),
                "two more digits tell them apart");

        String unknown = keyOf("never put").substring(0, 10);
        Run none = admin(joined, "get", unknown);
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no key this node holds or put starts with " + unknown), none.err());

        Run bad = admin(joined, "get", "zz");
        assertEquals(1, bad.exit());
        assertEquals("", bad.out(), "the error is on stderr, not stdout");
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(admin(joined, "get", "zz", "--json").out().contains("\"error\""), "--json keeps its output");
    }

    @Test
    void unbanTakesThePeerIdTheBansViewShows() throws Exception {
        // A peer this node never knew, banned by its address: only the ban list has its ID.
        String id = aloneNode.self().id().toHex();
        assertEquals(0, admin(peer, "ban", aloneNode.address().toString(), "--for", "60").exit());
        Run bans = admin(peer, "bans");
        assertTrue(bans.out().contains(id.substring(0, 16)), bans.out());
        Run unban = admin(peer, "unban", id.substring(0, 16));
        assertEquals(0, unban.exit(), unban.toString());
        assertTrue(unban.out().contains("unbanned " + id), unban.out());
        assertNotEquals(0, admin(peer, "unban", id.substring(0, 16)).exit(), "no longer banned");
        assertFalse(admin(peer, "bans").out().contains(id.substring(0, 16)));
    }
}
