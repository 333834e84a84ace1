package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.core.CoreConfig;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.crypto.Ed25519Identity;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayFrame;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRoutes;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.shard.BanList;
import io.molia.shard.Shard;

/**
 * Relaying fed hostile bytes. On the socket, from a circuit's end or from anyone else: a frame goes on only to the
 * circuit's other end, unchanged, and nothing else ever leaves (a stranger hears nothing). As an inner message from
 * an authenticated peer (the relay messages with any fields, or anything else): one answer to that peer, and at most
 * one announcement, to the client holding the reservation.
 */
class RelayFuzzTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final NodeAddress STRANGER = NodeAddress.ipv4(0xc6336401, 4000);
    private static final Contact PEER = contact(3, 0x0a000003);
    private static final Contact CLIENT = contact(4, 0x64400302);
    private static final Contact DIALER = contact(5, 0x64400402);

    private final BanList bans = new BanList();
    private final NodeCore core;
    private final Shard shard;
    private final int circuit;
    private final LongAdder egress = new LongAdder();

    RelayFuzzTest() {
        byte[] seed = new byte[32];
        new SplittableRandom(12).nextBytes(seed);
        Ed25519Identity identity = Ed25519Identity.fromSeed(seed);
        Contact self = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                NodeAddress.ipv4(0xc6336402, 4000));
        core = new NodeCore(CoreConfig.defaults(), self, new SplittableRandom(5), NOW);
        Relay relay = new Relay(RelayLimits.DEFAULTS, 6);
        core.enableRelay(relay, new RelayClient(new RelayRoutes()));
        SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed), identity.publicKey(),
                new byte[32], 0, 2, 64, new SplittableRandom(7), (id, key, pow) -> true);
        shard = new Shard(core, sessions, bans::view);
        shard.relaying(new RelayRoutes(), egress);
        shard.onTimeout(NOW, NOW);
        egress.add(1L << 40); // plenty of egress of its own in the window
        shard.onTimeout(NOW, NOW);
        relay.reserve(NOW, CLIENT, 0);
        circuit = relay.connect(NOW, DIALER, CLIENT.id(), false); // with its key: a close by the client tells it
    }

    private static Contact contact(long seed, int ip) {
        byte[] s = new byte[32];
        new SplittableRandom(seed).nextBytes(s);
        byte[] key = Ed25519Identity.fromSeed(s).publicKey();
        return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ip, 4000));
    }

    @FuzzTest(maxDuration = "30s")
    void framesFromAnywhereReachOnlyTheCircuitsEnds(byte[] data) {
        if (data.length < 1) {
            return;
        }
        NodeAddress from = switch (data[0] & 3) {
            case 0 -> DIALER.address();
            case 1 -> CLIENT.address();
            default -> STRANGER;
        };
        byte[] datagram = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 0x80) != 0 && datagram.length >= RelayFrame.HEADER_BYTES) {
            datagram[4] = (byte) circuit; // aim at the open circuit, so the fuzzer need not guess its number
            datagram[5] = (byte) (circuit >>> 8);
            datagram[6] = (byte) (circuit >>> 16);
            datagram[7] = (byte) (circuit >>> 24);
        }
        long relayedBefore = core.relay().framesRelayed();
        shard.onDatagram(from, datagram, 0, datagram.length, NOW, NOW);
        SessionManager.Transmit t;
        int sent = 0;
        while ((t = shard.pollTransmit()) != null) {
            sent++;
            assertTrue(RelayFrame.isFrame(datagram, 0, datagram.length), "only a frame is ever forwarded");
            assertNotEquals(STRANGER, from, "a stranger's frame goes nowhere");
            assertEquals(from.equals(DIALER.address()) ? CLIENT.address() : DIALER.address(), t.to(), "the other end");
            assertEquals(datagram.length, t.length());
            assertTrue(Arrays.equals(datagram, t.copy()), "forwarded unchanged");
        }
        assertEquals(core.relay().framesRelayed() - relayedBefore, sent);
    }

    @FuzzTest(maxDuration = "30s")
    void relayMessagesFromAPeer(byte[] data) {
        core.onDatagram(NOW, PEER, data, 0, data.length);
        int answers = 0;
        int announcements = 0;
        Outbound out;
        while ((out = core.pollTransmit()) != null) {
            if (out.reply()) {
                assertEquals(PEER.id(), out.to().id(), "answers go to the asker");
                answers++;
            } else {
                assertEquals(CLIENT.id(), out.to().id(), "an announcement goes to the reserved client only");
                announcements++;
            }
        }
        assertTrue(answers <= 1, "at most one answer per message: " + answers);
        assertTrue(announcements <= 1, "at most one announcement per message: " + announcements);
    }

    /**
     * RELAY_CLOSE with any circuit number and fields, from one of the open circuit's ends or from another peer: one
     * answer, to the sender; the circuit is freed only by one of its ends, and only then is the other end told
     * (one RELAY_CLOSE, to it). The first byte picks the sender and whether to aim at the open circuit.
     */
    @FuzzTest(maxDuration = "30s")
    void circuitClosesOnlyByAnEnd(byte[] data) {
        if (data.length < 1) {
            return;
        }
        Contact from = switch (data[0] & 3) {
            case 0 -> DIALER;
            case 1 -> CLIENT;
            default -> PEER;
        };
        byte[] message = Arrays.copyOfRange(data, 1, data.length);
        MessageCodec codec = new MessageCodec(1);
        if ((data[0] & 0x80) != 0) {
            message = Arrays.copyOf(message, MessageCodec.MAX_DATAGRAM_BYTES);
            message = Arrays.copyOf(message, codec.encodeRelayClose(message, 0, data.length, circuit));
        }
        WireMessage decoded = new WireMessage();
        if (codec.decode(message, 0, message.length, decoded) != DecodeStatus.OK
                || decoded.kind() != MessageKind.RELAY_CLOSE) {
            return; // the other relay messages: relayMessagesFromAPeer
        }
        int openBefore = core.relay().openCircuits();
        core.onDatagram(NOW, from, message, 0, message.length);
        int answers = 0;
        int told = 0;
        Outbound out;
        while ((out = core.pollTransmit()) != null) {
            if (out.reply()) {
                assertEquals(from.id(), out.to().id(), "answers go to the sender");
                answers++;
            } else {
                assertTrue(from != PEER, "a peer that is no end frees nothing, so nobody is told");
                assertEquals(from == DIALER ? CLIENT.id() : DIALER.id(), out.to().id(), "the other end is told");
                told++;
            }
        }
        assertTrue(answers <= 1, "at most one answer per message: " + answers);
        assertTrue(told <= 1, "at most one close told per message: " + told);
        int freed = openBefore - core.relay().openCircuits();
        assertTrue(freed == 0 || freed == 1 && from != PEER, "only an end frees its circuit: " + freed);
    }

    /**
     * Contacts that name a relay (Contact fields 4-5), in any bytes: each decoded one names a whole relay (a 32-byte
     * key and an address) that is itself reached directly, and encodes back to what was decoded.
     */
    @FuzzTest(maxDuration = "30s")
    void relayedContactsDecodeWholeAndRoundTrip(byte[] data) {
        MessageCodec codec = new MessageCodec(1);
        WireMessage m = new WireMessage();
        if (codec.decode(data, 0, data.length, m) != DecodeStatus.OK || m.kind() != MessageKind.NODES) {
            return;
        }
        Contact[] contacts = m.contacts().toArray(new Contact[0]);
        for (Contact c : contacts) {
            if (c.relay() != null) {
                assertEquals(Contact.PUBLIC_KEY_BYTES, c.relay().publicKeyBytes().length);
                assertEquals(null, c.relay().relay(), "nothing relays twice");
            }
        }
        byte[] out = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
        int len = codec.encodeNodes(out, 0, m.requestId(), contacts, contacts.length, 0);
        WireMessage again = new WireMessage();
        assertEquals(DecodeStatus.OK, codec.decode(out, 0, len, again));
        assertEquals(Arrays.asList(contacts).subList(0, again.contacts().size()), again.contacts());
    }
}
