package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.wal.WalOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour scores on live nodes (real UDP on loopback, real WAL files): a peer that keeps timing out turns low, leaves
 * the table and is never handed out; its score and an operator's ban survive a restart; once it answers again it was
 * away, not misbehaving (churn), and is let back in.
 */
class ScoresLiveTest {
    @TempDir
    Path dir;
    private final List<MoliaNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(MoliaNode::close);
    }

    private MoliaNode start(String name, int port, List<MoliaAddress> bootstrap, WalOptions wal) throws Exception {
        MoliaNode node = MoliaNode.start(new NodeConfig(dir.resolve(name), new InetSocketAddress(
                InetAddress.getLoopbackAddress(), port), bootstrap, new byte[32], 1, null, wal).withPowBits(4));
        nodes.add(node);
        return node;
    }

    private static boolean inTable(MoliaNode node, NodeId id) throws Exception {
        return node.onLoop(s -> s.core().routingTable().entry(id) != null).get(10, TimeUnit.SECONDS);
    }

    private static boolean low(MoliaNode node, NodeId id) throws Exception {
        return node.onLoop(s -> s.core().routingTable().scores().isLow(id)).get(10, TimeUnit.SECONDS);
    }

    private static void await(String what, Check done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.ok()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws Exception;
    }

    @Test
    void aPeerThatKeepsTimingOutIsEvictedNotHandedOutKeptLowOverARestartAndLetInOnceItAnswers() throws Exception {
        MoliaNode a = start("a", 0, List.of(), WalOptions.defaults());
        MoliaNode b = start("b", 0, List.of(a.address()), WalOptions.disabled());
        Contact bContact = b.self();
        NodeId bId = bContact.id();
        await("a lets b in once b answered its ping", () -> inTable(a, bId));
        int bPort = b.address().port();
        b.close();

        // b is gone: every ping a sends it times out, and each timeout weighs on its score
        int rounds = 0;
        while (!low(a, bId)) {
            assertTrue(++rounds <= 10, "b never turned low");
            List<CompletableFuture<Long>> pings = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pings.add(a.ping(bContact));
            }
            for (CompletableFuture<Long> p : pings) {
                assertEquals(-1L, p.get(30, TimeUnit.SECONDS), "nobody answers for b");
            }
        }
        assertFalse(inTable(a, bId), "a low scorer leaves the table");

        // while b is low, a third node that only knows a never hears of b from a
        MoliaNode c = start("c", 0, List.of(a.address()), WalOptions.disabled());
        await("c joined through a", () -> inTable(c, a.self().id()));
        List<Contact> found = c.lookup(bId).get(30, TimeUnit.SECONDS);
        assertFalse(found.stream().anyMatch(x -> x.id().equals(bId)), "a never hands b out: " + found);

        // an operator bans a peer; a restarted a keeps the ban and b's low score
        NodeId banned = new NodeId(1, 2, 3, 4);
        assertTrue(a.onLoop(s -> s.bans().banPeer(banned, s.nowNs() + TimeUnit.HOURS.toNanos(1)))
                .get(10, TimeUnit.SECONDS));
        a.close();
        MoliaNode again = start("a", 0, List.of(), WalOptions.defaults());
        assertTrue(again.onLoop(s -> s.bans().bansPeer(s.nowNs(), banned)).get(10, TimeUnit.SECONDS),
                "the ban came back from the WAL");
        assertTrue(low(again, bId), "so did b's score");
        assertFalse(inTable(again, bId), "and b is not restored into the table");

        // b comes back (same identity and port) and answers: it was away, not misbehaving, so it is let in again
        MoliaNode back = start("b", bPort, List.of(again.address()), WalOptions.disabled());
        await("b answers again and is let back in", () -> again.ping(back.self()).get(30, TimeUnit.SECONDS) >= 0
                && inTable(again, bId));
        assertFalse(low(again, bId), "an answer forgives timeouts");
    }
}
