package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.core.CoreCounters;
import io.molia.core.CoreEvent;
import io.molia.core.WriteTokens;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.wal.WalOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's admission rules on live nodes (real UDP on loopback, real sessions): contacts whose identity proof of work
 * is short are dropped where they appear and counted there; a STORE needs the write token the node gave the same
 * writer at the same address, else it is dropped unanswered and counted; honest puts still store.
 */
class AdmissionLiveTest {
    private static final int BITS = 8;
    private static final long NO_ANSWER_MS = 700;

    @TempDir
    Path dir;
    private final List<MoliaNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(MoliaNode::close);
    }

    /** A node whose own nonce proves {@link #BITS} (fails them when {@code forged}), checking {@code checkBits}. */
    private MoliaNode start(String name, boolean forged, int checkBits, List<MoliaAddress> bootstrap) throws Exception {
        Path data = dir.resolve(name);
        NodeId id = NodeId.ofPublicKey(IdentityFile.loadOrCreate(data).publicKey());
        long nonce = 0;
        while ((ProofOfWork.leadingZeroBits(id, nonce) >= BITS) == forged) {
            nonce++;
        }
        IdentityProof.saveNonce(data, id, nonce);
        MoliaNode node = MoliaNode.start(new NodeConfig(data, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0), bootstrap, new byte[32], 2, null, WalOptions.disabled()).withPowBits(checkBits));
        nodes.add(node);
        return node;
    }

    private static CoreCounters counters(MoliaNode node) {
        return node.coreCountersOfAllShards();
    }

    private static boolean inTable(MoliaNode node, NodeId id) throws Exception {
        return node.onLoop(s -> s.core().routingTable().entry(id) != null).get(5, TimeUnit.SECONDS);
    }

    private static void await(String what, Predicate<Void> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!done.test(null)) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    @Test
    void contactsWithoutTheWorkAreDroppedWhereTheyAppearAndCountedThere() throws Exception {
        MoliaNode lax = start("lax", false, 0, List.of()); // honest itself, but checks nothing: it hands out anyone
        MoliaNode forged = start("forged", true, 0, List.of(lax.address()));
        await("the lax node let the forged one in", v -> check(() -> inTable(lax, forged.self().id())));

        MoliaNode target = start("target", false, BITS, List.of(lax.address()));
        await("the target joined through the lax node and dropped the forged contact it named",
                v -> check(() -> inTable(target, lax.self().id()) && counters(target).powRejectedFindNode > 0));
        assertTrue(!inTable(target, forged.self().id()), "never learned from an answer");

        List<?> joined = forged.bootstrap(target.self()).get(10, TimeUnit.SECONDS); // the forged node asks it
        assertNotNull(joined);
        await("its requests were answered, its nonce counted",
                v -> check(() -> counters(target).powRejectedSender > 0));
        Thread.sleep(300); // a candidate would be pinged within 50 ms
        assertTrue(!inTable(target, forged.self().id()), "nor from its own requests");

        byte[] value = "still stored".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = target.put(value, 600).get(10, TimeUnit.SECONDS);
        assertTrue(put.stored() > 0 && put.stored() == put.attempted(), "honest puts still store: " + put);
    }

    @Test
    void aStoreNeedsTheTokenTheNodeGaveThisWriterAtThisAddress() throws Exception {
        MoliaNode target = start("target", false, BITS, List.of());
        byte[] value = "a record that needs a token".getBytes(StandardCharsets.UTF_8);
        NodeId key = NodeId.fromBytes(new Blake3().hash(value));
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        byte[] otherSeed = new byte[32];
        new SecureRandom().nextBytes(otherSeed);
        byte[] buf = new byte[1184];
        try (SessionClient writer = new SessionClient(target, seed, 0);
                SessionClient sameKeyElsewhere = new SessionClient(target, seed, 0);
                SessionClient otherWriter = new SessionClient(target, otherSeed, 0)) {
            WireMessage nodes = writer.exchange(buf, writer.codec().encodeFindNode(buf, 0, 1, key), 5_000);
            assertNotNull(nodes, "FIND_NODE answered");
            assertEquals(MessageKind.NODES, nodes.kind());
            long token = nodes.writeToken();
            assertNotEquals(0, token, "with a write token");

            assertNull(writer.exchange(buf, store(writer, buf, value, key, 0), NO_ANSWER_MS), "no token: no answer");
            assertNull(writer.exchange(buf, store(writer, buf, value, key, token ^ 0x40), NO_ANSWER_MS),
                    "a wrong token: no answer");
            assertEquals(0, target.status().get(5, TimeUnit.SECONDS).records(), "nothing stored");
            WireMessage ack = writer.exchange(buf, store(writer, buf, value, key, token), 5_000);
            assertNotNull(ack, "the writer it was given to stores with it");
            assertEquals(MessageKind.STORE_ACK, ack.kind());
            assertTrue(ack.stored());
            assertEquals(1, target.status().get(5, TimeUnit.SECONDS).records());

            // The same key from another address opens a session that may replace the writer's on its shard (answers
            // then go to the newest endpoint), so the writer's own store comes first; the replays store another value.
            byte[] other = "another record, the same token".getBytes(StandardCharsets.UTF_8);
            NodeId otherKey = NodeId.fromBytes(new Blake3().hash(other));
            for (SessionClient c : List.of(sameKeyElsewhere, otherWriter)) {
                // A session of its own first: a STORE carried by an initiation is refused before any token is read.
                assertNotNull(c.exchange(buf, c.codec().encodePing(buf, 0, 2), 5_000), "a ping on a new session");
            }
            assertNull(sameKeyElsewhere.exchange(buf, store(sameKeyElsewhere, buf, other, otherKey, token),
                    NO_ANSWER_MS), "the token replayed from another address: no answer");
            assertNull(otherWriter.exchange(buf, store(otherWriter, buf, other, otherKey, token), NO_ANSWER_MS),
                    "the token used by another writer: no answer");
            assertEquals(1, target.status().get(5, TimeUnit.SECONDS).records(), "nothing more stored");
        }
        CoreCounters c = counters(target);
        assertEquals(1, c.writeTokenRejected[WriteTokens.Check.MISSING.ordinal()]);
        assertEquals(3, c.writeTokenRejected[WriteTokens.Check.INVALID.ordinal()]);
        assertEquals(0, c.writeTokenRejected[WriteTokens.Check.EXPIRED.ordinal()]);
        assertEquals(0, c.storesRefused, "refused STOREs were dropped, not answered stored=false");
    }

    private static int store(SessionClient client, byte[] buf, byte[] value, NodeId key, long token) {
        return client.codec().encodeStore(buf, 0, new SecureRandom().nextLong(), key, value, 0, value.length, 600,
                token);
    }

    private interface Check {
        boolean get() throws Exception;
    }

    private static boolean check(Check c) {
        try {
            return c.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
