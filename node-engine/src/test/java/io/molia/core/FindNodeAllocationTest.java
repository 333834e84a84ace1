package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import io.molia.codec.MessageCodec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The server side of FIND_NODE (decode, routing query, encode, queue for sending) allocates nothing in steady
 * state. Runs in the normal suite and again with escape analysis off (see the "allocation" surefire execution):
 * escape analysis can hide a box a real call site keeps.
 */
@Tag("allocation")
class FindNodeAllocationTest {
    private static final int TARGETS = 64;

    @Test
    void answeringFindNodeAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(17);
        NodeCore node = new NodeCore(CoreConfig.defaults(), TestContacts.random(random), random.split(), 0);
        Contact requester = TestContacts.random(random);
        node.addTrustedContact(0, requester, 20_000_000L); // a peer in the table: the common case
        for (int i = 0; i < 2_000; i++) {
            node.addTrustedContact(0, TestContacts.random(random), 30_000_000L);
        }
        MessageCodec codec = new MessageCodec(1);
        byte[][] requests = new byte[TARGETS][];
        int[] lengths = new int[TARGETS];
        for (int i = 0; i < TARGETS; i++) {
            requests[i] = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
            lengths[i] = codec.encodeFindNode(requests[i], 0, random.nextLong(), TestContacts.randomId(random));
        }
        run(node, requester, requests, lengths, 300_000); // warm up: JIT, table, queue slots
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        // Steady state, not warm-up: a late JIT recompilation may allocate once (deoptimisation rematerialises
        // objects), so up to five rounds are measured and one of them must allocate nothing at all.
        long[] perRound = new long[5];
        for (int round = 0; round < perRound.length; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            long answered = run(node, requester, requests, lengths, 100_000);
            perRound[round] = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals(100_000, answered, "every request answered with 20 contacts");
            if (perRound[round] == 0) {
                return;
            }
        }
        throw new AssertionError("bytes allocated per round of 100k FIND_NODE requests: "
                + java.util.Arrays.toString(perRound));
    }

    private static long run(NodeCore node, Contact requester, byte[][] requests, int[] lengths, int iterations) {
        long answered = 0;
        for (int i = 0; i < iterations; i++) {
            int t = i & (TARGETS - 1);
            node.onDatagram(i, requester, requests[t], 0, lengths[t]);
            Outbound out = node.pollTransmit();
            if (out != null && out.length() >= 20 * 44) { // NODES with 20 IPv4 contacts of 44 bytes
                answered++;
            }
        }
        assertNotNull(node.routingTable().entry(requester.id()), "the requester was learned");
        return answered;
    }
}
