package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.crypto.Ed25519Identity;
import io.molia.nat.DhtRole;
import io.molia.nat.NatProbe;
import io.molia.nat.NatTraversal;
import io.molia.nat.NatType;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.shard.BanList;
import io.molia.shard.Shard;

/**
 * NAT traversal fed hostile bytes. From a stranger, on the socket: nothing is ever sent back (a probe-shaped datagram
 * with an unknown nonce is counted and dropped), no probe leaves, and the NAT state does not move. From an
 * authenticated peer, as an inner message (a DIAL_BACK with any fields, or anything else): at most one answer, and
 * any probe goes to that peer's own address, never to one the bytes name.
 */
class NatFuzzTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final NodeAddress STRANGER = NodeAddress.ipv4(0xc6336401, 4000);
    private static final Contact PEER = contact(3, 0x0a000003);

    private final BanList bans = new BanList();
    private final NodeCore core;
    private final NatTraversal nat;
    private final Shard shard;

    NatFuzzTest() {
        byte[] seed = new byte[32];
        new SplittableRandom(11).nextBytes(seed);
        Ed25519Identity identity = Ed25519Identity.fromSeed(seed);
        Contact self = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                NodeAddress.ipv4(0x0a000002, 4000));
        core = new NodeCore(CoreConfig.defaults(), self, new SplittableRandom(5), NOW);
        nat = new NatTraversal(List.of(self.address()), new SplittableRandom(6), new DhtRole(), NOW);
        core.enableNat(nat, NOW);
        core.role(nat.role(), true);
        SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed), identity.publicKey(),
                new byte[32], 0, 2, 64, new SplittableRandom(7), (id, key, pow) -> true);
        shard = new Shard(core, sessions, bans::view);
    }

    private static Contact contact(long seed, int ip) {
        byte[] s = new byte[32];
        new SplittableRandom(seed).nextBytes(s);
        byte[] key = Ed25519Identity.fromSeed(s).publicKey();
        return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ip, 4000));
    }

    @FuzzTest(maxDuration = "30s")
    void strangersGetNoAnswerAndMoveNothing(byte[] data) {
        long droppedBefore = core.counters().natProbesDropped;
        shard.onDatagram(STRANGER, data, 0, data.length, NOW, NOW);
        assertNull(shard.pollTransmit(), "a stranger hears nothing");
        assertNull(shard.pollProbe(), "no probe leaves for a stranger");
        assertEquals(NatType.UNKNOWN, nat.type());
        assertEquals(0, nat.counters().probesArrived, "no nonce was ever given out");
        assertEquals(droppedBefore + (NatProbe.isProbe(data, 0, data.length) ? 1 : 0),
                core.counters().natProbesDropped);
    }

    @FuzzTest(maxDuration = "30s")
    void aPeersInnerMessageProbesOnlyThePeer(byte[] data) {
        core.onDatagram(NOW, PEER, data, 0, data.length);
        int answers = 0;
        Outbound out;
        while ((out = core.pollTransmit()) != null) {
            assertEquals(PEER.id(), out.to().id(), "answers go to the asker");
            answers++;
        }
        assertTrue(answers <= 1, "at most one answer per message: " + answers);
        NatProbe probe = core.pollProbe();
        if (probe != null) {
            assertEquals(PEER.address(), probe.to(), "a probe goes where the request came from");
            assertNull(core.pollProbe(), "one probe per request");
        }
    }
}
