package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.nat.DhtRole;
import io.molia.nat.DialBackMode;
import io.molia.nat.NatProbe;
import io.molia.nat.NatTraversal;
import io.molia.nat.NatType;
import io.molia.relay.RelayRoutes;

/** The core's NAT hooks driven by hand: DHT clients stay out of tables, DIAL_BACK, the owner's classification. */
class NodeCoreNatTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(5);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final MessageCodec codec = new MessageCodec(NodeCore.PROTOCOL_VERSION);
    private final WireMessage message = new WireMessage();
    private long now = 1_000 * MS;

    private NodeCore node() {
        Contact c = TestContacts.random(random, 0x0a000000 | network.size() + 1 << 8);
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
        network.put(c.address(), core);
        return core;
    }

    /** Delivers datagrams and fires due timers until the network is quiet (1 ms per hop). */
    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 1_000, c -> c, out -> { });
    }

    private WireMessage only(NodeCore core) {
        Outbound out = core.pollTransmit();
        assertNotNull(out, "an answer");
        assertEquals(DecodeStatus.OK, codec.decode(out.data(), 0, out.length(), message));
        assertNull(core.pollTransmit(), "one datagram");
        return message;
    }

    private byte[] dialBack(long nonce, DialBackMode mode) {
        byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
        return Arrays.copyOf(buf, codec.encodeDialBack(buf, 0, 77, nonce, mode.code()));
    }

    @Test
    void aClientIsAnsweredAndAnswersButNeverEntersATable() {
        NodeCore server = node();
        NodeCore client = node();
        DhtRole clientRole = new DhtRole();
        clientRole.client(true);
        client.role(clientRole, false);
        client.bootstrap(now, List.of(server.self()));
        drive();
        assertNotNull(client.routingTable().entry(server.self().id()), "a client uses servers");
        assertNull(server.routingTable().entry(client.self().id()), "its requests made it no candidate");
        server.ping(now, client.self());
        drive();
        assertNull(server.routingTable().entry(client.self().id()), "nor did its answer");
        assertEquals(1, server.counters().clientAnswers);
    }

    @Test
    void aPeerThatTurnsClientLeavesTheTablesOfThoseItTalksTo() {
        NodeCore server = node();
        NodeCore other = node();
        server.addTrustedContact(now, other.self(), MS);
        DhtRole role = new DhtRole();
        other.role(role, false);
        role.client(true);
        other.ping(now, server.self());
        drive();
        assertNull(server.routingTable().entry(other.self().id()), "its request said it is a client now");
    }

    @Test
    void aDialBackIsAnsweredWithAPongAndAProbeToWhereTheRequestCameFromWithinABudget() {
        NodeCore prober = node();
        Contact asker = TestContacts.random(random, 0x0b000001);
        byte[] request = dialBack(0x1234, DialBackMode.OTHER_PORT);
        prober.onDatagram(now, asker, request, 0, request.length);
        WireMessage pong = only(prober);
        assertEquals(MessageKind.PONG, pong.kind());
        assertTrue(pong.dialBackSent());
        assertEquals(asker.address(), pong.observedAddress());
        assertEquals(new NatProbe(asker.address(), 0x1234, false), prober.pollProbe());
        assertNull(prober.pollProbe());

        byte[] other = dialBack(0x99, DialBackMode.OTHER_ADDRESS);
        prober.onDatagram(now, asker, other, 0, other.length);
        assertFalse(only(prober).dialBackSent(), "no alternate address: refused, and said so");
        assertNull(prober.pollProbe());
        prober.role(new DhtRole(), true);
        prober.onDatagram(now, asker, other, 0, other.length);
        assertTrue(only(prober).dialBackSent());
        assertEquals(new NatProbe(asker.address(), 0x99, true), prober.pollProbe());

        int sent = 0;
        for (int i = 0; i < 50; i++) { // a flood in one instant: the bucket's burst, then refusals
            prober.onDatagram(now, asker, request, 0, request.length);
            sent += only(prober).dialBackSent() ? 1 : 0;
            while (prober.pollProbe() != null) {
                // drained
            }
        }
        assertEquals(18, sent, "a burst of 20 probes, two already spent");
        assertEquals(2 + 18, prober.counters().dialBacksServed);
        assertEquals(1 + 32, prober.counters().dialBacksRefused);
    }

    @Test
    void aDialBackCarriedByAnUnconfirmedInitiationIsRefused() {
        NodeCore prober = node();
        Contact asker = TestContacts.random(random, 0x0b000002);
        byte[] request = dialBack(5, DialBackMode.OTHER_PORT);
        prober.onUnconfirmedDatagram(now, asker, request, 0, request.length);
        assertNull(prober.pollTransmit(), "a replayable initiation makes no node send probes anywhere");
        assertNull(prober.pollProbe());
        assertEquals(1, prober.counters().unconfirmedRefused);
    }

    /** Node {@code a} with peers {@code b} and {@code c}, its NAT traversal run until their answers classified it. */
    private NatTraversal classifiedAmong(NodeCore a, NodeCore b, NodeCore c) {
        a.addTrustedContact(now, b.self(), MS);
        a.addTrustedContact(now, c.self(), MS);
        NatTraversal nat = new NatTraversal(List.of(a.self().address()), random.split(), new DhtRole(), now);
        a.enableNat(nat, now);
        drive();
        return nat;
    }

    @Test
    void theOwnerAsksItsPeersWhereTheySeeItAndFindsItselfOpen() {
        NatTraversal nat = classifiedAmong(node(), node(), node());
        assertEquals(NatType.OPEN, nat.type());
        assertEquals(2, nat.status(now).observations().size());
        assertFalse(nat.role().client());
    }

    @Test
    void aPongThroughARelayIsNoObservation() {
        NodeCore a = node();
        NodeCore b = node();
        NatTraversal nat = classifiedAmong(a, b, node());
        assertEquals(NatType.OPEN, nat.type());
        Contact behindRelay = TestContacts.random(random, 0x0a0000ff)
                .withAddress(RelayRoutes.relayedAddress(b.self().address(), 7));
        network.put(behindRelay.address(), new NodeCore(CoreConfig.defaults(), behindRelay, random.split(), now));
        long answered = a.counters().responsesIn;
        a.ping(now, behindRelay);
        drive();
        assertEquals(answered + 1, a.counters().responsesIn, "answered through the relay");
        assertEquals(2, nat.status(now).observations().size(), "the answer through the circuit is not counted");
        assertEquals(NatType.OPEN, nat.type());
    }

    @Test
    void aProbeMatchingNoNonceIsDroppedAndCounted() {
        NodeCore a = node();
        a.onNatProbe(now, NodeAddress.parseIpv4("192.0.2.1:9"), 42);
        assertEquals(1, a.counters().natProbesDropped);
        assertNull(a.pollTransmit(), "never answered");
    }
}
