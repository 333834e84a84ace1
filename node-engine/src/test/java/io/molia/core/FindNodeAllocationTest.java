package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.SplittableRandom;

import io.molia.codec.MessageCodec;
import io.molia.contact.Contact;
import io.molia.testing.SteadyStateAllocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The server side of FIND_NODE (decode, routing query, encode, queue for sending) allocates nothing in steady
 * state, on shard 0 (the routing table's owner) as on the other shards (which answer from its published snapshot). Runs in the normal suite and
 * again with escape analysis off (see the "allocation" surefire execution): escape analysis can hide a box a real
 * call site keeps.
 */
@Tag("allocation")
class FindNodeAllocationTest {
    private static final int TARGETS = 64;
    /** A NODES answer with 20 IPv4 contacts of 44 bytes is at least this long. */
    private static final int FULL_ANSWER_BYTES = 20 * 44;

    /** FIND_NODE requests for random targets, encoded once. */
    private record Requests(byte[][] bytes, int[] lengths) {
        static Requests random(SplittableRandom random) {
            MessageCodec codec = new MessageCodec(1);
            byte[][] bytes = new byte[TARGETS][];
            int[] lengths = new int[TARGETS];
            for (int i = 0; i < TARGETS; i++) {
                bytes[i] = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
                lengths[i] = codec.encodeFindNode(bytes[i], 0, random.nextLong(), TestContacts.randomId(random));
            }
            return new Requests(bytes, lengths);
        }
    }

    /** A node whose table holds {@code requester} (the common case) among 2,000 others. */
    private static NodeCore nodeWithFullTable(SplittableRandom random, Contact requester) {
        NodeCore node = new NodeCore(CoreConfig.defaults(), TestContacts.random(random), random.split(), 0);
        node.addTrustedContact(0, requester, 20_000_000L);
        for (int i = 0; i < 2_000; i++) {
            node.addTrustedContact(0, TestContacts.random(random), 30_000_000L);
        }
        return node;
    }

    @Test
    void answeringFindNodeAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(17);
        Contact requester = TestContacts.random(random);
        NodeCore node = nodeWithFullTable(random, requester);
        Requests requests = Requests.random(random);
        run(node, requester, requests, 300_000); // warm up: JIT, table, queue slots
        SteadyStateAllocation.assertAllocatesNothing("FIND_NODE requests answered with 20 contacts", 100_000,
                round -> run(node, requester, requests, 100_000));
    }

    @Test
    void answeringFindNodeFromThePublishedSnapshotAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(18);
        Contact requester = TestContacts.random(random);
        Contact self = TestContacts.random(random);
        PublishedRouting published = new PublishedRouting(self.id());
        NodeCore owner = new NodeCore(CoreConfig.defaults(), self, random.split(), 0, new ShardPartition(0, 2, 4),
                published);
        for (int i = 0; i < 2_000; i++) {
            owner.addTrustedContact(0, TestContacts.random(random), 30_000_000L);
        }
        owner.publishRouting();
        NodeCore follower = new NodeCore(CoreConfig.defaults(), self, random.split(), 0, new ShardPartition(1, 2, 4),
                published);
        Requests requests = Requests.random(random);
        assertEquals(300_000, answered(follower, requester, requests, 300_000), "every request answered");
        SteadyStateAllocation.assertAllocatesNothing("FIND_NODE requests answered from the published snapshot",
                100_000, round -> answered(follower, requester, requests, 100_000));
    }

    /**
     * On a network asking for identity proof of work: the requester's nonce (in each request's envelope) is checked
     * and a write token issued for it in every answer; both come from their tables after the first request.
     */
    @Test
    void answeringFindNodeWithProofOfWorkAndWriteTokensAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(19);
        int bits = 6;
        Contact requester = TestContacts.withPow(TestContacts.random(random), bits);
        NodeCore node = new NodeCore(CoreConfig.defaults(), TestContacts.random(random), random.split(), 0);
        node.proofOfWork(new io.molia.contact.ProofOfWork(bits));
        node.addTrustedContact(0, requester, 20_000_000L); // as in the common case above: a peer the table holds
        for (int i = 0; i < 400; i++) {
            node.addTrustedContact(0, TestContacts.withPow(TestContacts.random(random), bits), 30_000_000L);
        }
        MessageCodec codec = new MessageCodec(io.molia.codec.ProtocolRange.THIS_RELEASE, requester.powNonce());
        byte[][] bytes = new byte[TARGETS][];
        int[] lengths = new int[TARGETS];
        for (int i = 0; i < TARGETS; i++) {
            bytes[i] = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
            lengths[i] = codec.encodeFindNode(bytes[i], 0, random.nextLong(), TestContacts.randomId(random));
        }
        Requests requests = new Requests(bytes, lengths);
        assertEquals(300_000, answered(node, requester, requests, 300_000), "every request answered");
        assertEquals(0, node.counters().powRejectedSender, "the requester's work was accepted");
        assertEquals(300_000, node.counters().writeTokensIssued);
        SteadyStateAllocation.assertAllocatesNothing("FIND_NODE answered with a proof-of-work check and a token",
                100_000, round -> answered(node, requester, requests, 100_000));
    }

    private static long run(NodeCore node, Contact requester, Requests requests, int iterations) {
        long answered = answered(node, requester, requests, iterations);
        assertNotNull(node.routingTable().entry(requester.id()), "the requester was learned");
        return answered;
    }

    private static long answered(NodeCore node, Contact requester, Requests requests, int iterations) {
        long answered = 0;
        for (int i = 0; i < iterations; i++) {
            int t = i & (TARGETS - 1);
            assertEquals(NodeCore.HANDLED, node.onDatagram(i, requester, requests.bytes()[t], 0,
                    requests.lengths()[t]), "FIND_NODE is answered on the shard it reached");
            Outbound out = node.pollTransmit();
            if (out != null && out.length() >= FULL_ANSWER_BYTES) {
                answered++;
            }
        }
        return answered;
    }
}
