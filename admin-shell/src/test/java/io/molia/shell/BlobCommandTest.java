package io.molia.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.shell.AdminTestNodes.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code molia admin blob put FILE} and {@code blob get KEY -o FILE} over real admin sockets of 16 real nodes on
 * loopback: a 3 MiB file put through one node comes back byte-identical through another, chunked both ways over the
 * socket; a get that fails leaves neither FILE nor FILE.part; a missing file, a read-only shell and a malformed key
 * are each one line on stderr and exit code 1.
 */
class BlobCommandTest {
    private static final int NODES = 16;

    @TempDir
    static Path dir;

    private static AdminTestNodes live;

    @BeforeAll
    static void startNodes() throws Exception {
        live = new AdminTestNodes(dir);
        List<MoliaNode> nodes = new ArrayList<>();
        nodes.add(start("node-0", List.of()));
        for (int i = 1; i < NODES; i++) {
            nodes.add(start("node-" + i, List.of(nodes.get(0).address())));
        }
        for (MoliaNode n : nodes) {
            n.lookup(n.self().id()).get(10, TimeUnit.SECONDS); // every table learns the others
        }
        for (int i = 1; i <= 2; i++) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (nodes.get(i).status().get().routingTableSize() < NODES - 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    private static MoliaNode start(String name, List<MoliaAddress> seeds) throws Exception {
        return live.start(name, seeds);
    }

    @AfterAll
    static void stopNodes() throws Exception {
        live.close();
    }

    private static Run admin(String node, String... args) {
        return AdminTestNodes.admin(dir.resolve(node), args);
    }

    @Test
    void aThreeMebibyteFilePutThroughOneNodeIsGotByteIdenticalThroughAnother() throws Exception {
        byte[] blob = new byte[3 << 20];
        new SplittableRandom(3).nextBytes(blob);
        Path file = dir.resolve("in.bin");
        Files.write(file, blob);

        Run put = admin("node-1", "blob", "put", file.toString());
        assertEquals(0, put.exit(), put.toString());
        String key = put.out().lines().filter(l -> l.startsWith("key ")).findFirst().orElseThrow().substring(4);
        assertEquals(64, key.length(), put.out());
        assertTrue(put.out().contains("stored 3.0 MiB"), put.out());

        Path out = dir.resolve("out.bin");
        Run get = admin("node-2", "blob", "get", key, "-o", out.toString(), "--json");
        assertEquals(0, get.exit(), get.toString());
        assertTrue(get.out().contains("\"bytes\":" + blob.length), get.out());
        assertArrayEquals(blob, Files.readAllBytes(out), "byte-identical");
        assertFalse(Files.exists(dir.resolve("out.bin.part")), "the .part file was renamed");

        int checked = 0;
        for (int i = 0; i < NODES; i++) {
            Run repair = admin("node-" + i, "blob", "repair", "--stripes", "64", "--json");
            assertEquals(0, repair.exit(), repair.toString());
            com.fasterxml.jackson.databind.JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(repair.out()).get("blob");
            assertEquals("repaired", r.get("state").asText(), repair.out());
            assertEquals(0, r.get("stripes_repaired").asInt(), "nothing is missing: " + repair.out());
            checked += r.get("stripes_checked").asInt();
            assertEquals(r.get("fragments_held").asInt(), r.get("stripes_checked").asInt(),
                    "one fragment of a stripe per node, each stripe checked: " + repair.out());
        }
        assertEquals(5 * 14, checked, "each of the 5 stripes checked by each of its 14 holders");
        assertEquals(2, admin("node-1", "blob", "repair", "--stripes", "65").exit(), "1 to 64 stripes");
    }

    @Test
    void aFailedGetLeavesNoFileAndBadInputIsOneLine() throws Exception {
        Path out = dir.resolve("none.bin");
        Run get = admin("node-2", "blob", "get", "ab".repeat(32), "-o", out.toString());
        assertEquals(1, get.exit(), get.toString());
        assertEquals("no node holds the manifest of blob " + "ab".repeat(32), get.err().strip());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("none.bin.part")));

        Run malformed = admin("node-2", "blob", "get", "xyz", "-o", out.toString());
        assertEquals(1, malformed.exit(), malformed.toString());
        assertEquals("a blob key is 64 hex digits, not 'xyz'", malformed.err().strip());

        Run missing = admin("node-1", "blob", "put", dir.resolve("no-such-file").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertEquals("cannot read " + dir.resolve("no-such-file"), missing.err().strip());

        Path small = Files.writeString(dir.resolve("small.txt"), "x");
        Run readonly = admin("node-1", "--readonly", "blob", "put", small.toString());
        assertEquals(1, readonly.exit(), readonly.toString());
        assertEquals("refused: read-only (--readonly)", readonly.err().strip());

        Run usage = admin("node-1", "blob", "get", "ab".repeat(32));
        assertEquals(2, usage.exit(), "-o is required: " + usage);
    }
}
