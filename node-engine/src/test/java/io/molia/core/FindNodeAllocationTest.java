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
 * state, on shard 0 (the core) as on the other shards (a {@link SnapshotResponder}). Runs in the normal suite and
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
    void answeringFindNodeFromARoutingSnapshotAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(18);
        Contact requester = TestContacts.random(random);
        NodeCore owner = nodeWithFullTable(random, requester);
        RoutingSnapshot snapshot = owner.routingTable().snapshot();
        SnapshotResponder responder = new SnapshotResponder(owner.self().id(), CoreConfig.defaults().k());
        Requests requests = Requests.random(random);
        assertEquals(300_000, run(responder, snapshot, requester, requests, 300_000), "every request answered");
        SteadyStateAllocation.assertAllocatesNothing("FIND_NODE requests answered from a routing snapshot", 100_000,
                round -> run(responder, snapshot, requester, requests, 100_000));
    }

    private static long run(NodeCore node, Contact requester, Requests requests, int iterations) {
        long answered = 0;
        for (int i = 0; i < iterations; i++) {
            int t = i & (TARGETS - 1);
            node.onDatagram(i, requester, requests.bytes()[t], 0, requests.lengths()[t]);
            Outbound out = node.pollTransmit();
            if (out != null && out.length() >= FULL_ANSWER_BYTES) {
                answered++;
            }
        }
        assertNotNull(node.routingTable().entry(requester.id()), "the requester was learned");
        return answered;
    }

    private static long run(SnapshotResponder responder, RoutingSnapshot snapshot, Contact requester,
            Requests requests, int iterations) {
        long answered = 0;
        for (int i = 0; i < iterations; i++) {
            int t = i & (TARGETS - 1);
            int status = responder.onDatagram(requester, requests.bytes()[t], 0, requests.lengths()[t], snapshot);
            if (status == SnapshotResponder.ANSWERED && responder.answerLength() >= FULL_ANSWER_BYTES) {
                answered++;
            }
        }
        return answered;
    }
}
