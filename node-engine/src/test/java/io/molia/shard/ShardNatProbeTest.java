package io.molia.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.NodeCore;
import io.molia.core.PublishedRouting;
import io.molia.core.ShardPartition;
import io.molia.crypto.Ed25519Identity;
import io.molia.nat.DhtRole;
import io.molia.nat.NatProbe;
import io.molia.nat.NatTraversal;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/** A dial-back probe landing on any shard's socket reaches shard 0, which holds the NAT state; none is answered. */
class ShardNatProbeTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final int BITS = 4;

    private final byte[] seed = new byte[32];
    private final BanList bans = new BanList();
    private final Contact self;
    private final PublishedRouting published;

    ShardNatProbeTest() {
        new SplittableRandom(3).nextBytes(seed);
        byte[] key = Ed25519Identity.fromSeed(seed).publicKey();
        self = new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(0x0a000002, 4000));
        published = new PublishedRouting(self.id());
    }

    private Shard shard(int index) {
        NodeCore core = new NodeCore(CoreConfig.defaults(), self, new SplittableRandom(index), NOW,
                new ShardPartition(index, 2, BITS), published);
        if (index == 0) {
            core.enableNat(new NatTraversal(List.of(self.address()), new SplittableRandom(9), new DhtRole(), NOW),
                    NOW);
        }
        SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed), self.publicKeyBytes(),
                new byte[32], index, BITS, 64, new SplittableRandom(7 + index), (id, key, pow) -> true);
        return new Shard(core, sessions, bans::view);
    }

    @Test
    void aProbeOnShardOneIsHandedToShardZeroAndCountedThereUnanswered() {
        Shard zero = shard(0);
        Shard one = shard(1);
        byte[] probe = new byte[NatProbe.BYTES];
        new NatProbe(self.address(), 0x5eed, false).writeTo(probe, 0);
        NodeAddress from = NodeAddress.parseIpv4("198.51.100.7:50000");
        one.onDatagram(from, probe, 0, probe.length, NOW, NOW);
        assertNull(one.pollTransmit(), "never answered");
        Shard.Handover h = one.pollHandover();
        assertEquals(0, h.shard());
        ShardMessage.Probe handed = assertInstanceOf(ShardMessage.Probe.class, h.message());
        assertEquals(from, handed.sender());
        assertEquals(0x5eed, handed.nonce());
        assertEquals(0, one.core().counters().natProbesDropped);

        zero.onInbox(h.message(), NOW, NOW);
        assertEquals(1, zero.core().counters().natProbesDropped, "no probe with that nonce was asked for");
        assertEquals(1, zero.core().nat().counters().probesUnknown);
        assertNull(zero.pollTransmit(), "never answered");
        assertEquals(0, zero.sessions().counters().unknownType, "not taken for a malformed WireGuard message");
    }
}
