package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.SplittableRandom;

import io.molia.codec.MessageCodec;
import io.molia.testing.SteadyStateAllocation;
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
        SteadyStateAllocation.assertAllocatesNothing("FIND_NODE requests answered with 20 contacts", 100_000,
                round -> run(node, requester, requests, lengths, 100_000));
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
