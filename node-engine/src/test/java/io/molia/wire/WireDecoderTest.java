package io.molia.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.codec.MessageCodec;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import org.junit.jupiter.api.Test;

/**
 * Two session layers of a private network (a non-zero pre-shared key) talk, the test carrying each datagram; the
 * key log of either side alone decrypts the whole conversation, as Wireshark's would: the initiator's log through
 * its ephemeral and static keys, the responder's through its static and ephemeral keys.
 */
class WireDecoderTest {
    private static final long S = 1_000_000_000L;
    private static final long WALL = 1_790_000_000L * S;
    private static final byte[] NETWORK_KEY = new byte[32];

    static {
        new SplittableRandom(5).nextBytes(NETWORK_KEY);
    }

    private record Side(Contact contact, SessionManager sessions, StringWriter keyLog) {
        static Side of(long seed, int port) {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] edSeed = new byte[32];
            random.nextBytes(edSeed);
            Ed25519Identity identity = Ed25519Identity.fromSeed(edSeed);
            SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(edSeed),
                    identity.publicKey(), NETWORK_KEY, 0, 2, 64, random, (id, key, pow) -> true);
            StringWriter log = new StringWriter();
            sessions.setKeyLog(log);
            return new Side(new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                    NodeAddress.parseIpv4("127.0.0.1:" + port)), sessions, log);
        }

        InetSocketAddress socket() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), contact.address().port());
        }
    }

    private final Side a = Side.of(1, 4001);
    private final Side b = Side.of(2, 4002);
    private final List<UdpDatagram> wire = new ArrayList<>();
    private long now = 1_000 * S;

    /** Carries every datagram {@code from} queued to the other side, recording it; returns the last delivery. */
    private SessionManager.Delivery carry(Side from, Side to) {
        SessionManager.Delivery delivered = null;
        SessionManager.Transmit t;
        while ((t = from.sessions().pollTransmit()) != null) {
            byte[] bytes = t.copy();
            // The capture keeps the bytes as they were on the wire: the receiver decrypts its buffer in place.
            wire.add(new UdpDatagram(wire.size() + 1, WALL + now, from.socket(), to.socket(), bytes.clone(),
                    bytes.length));
            if (to.sessions().onDatagram(now, WALL + now, from.contact().address(), bytes, 0, bytes.length)
                    == SessionManager.DELIVERED) {
                delivered = to.sessions().delivery();
            }
        }
        now += S / 100;
        return delivered;
    }

    private List<DecodedDatagram> decode(String keyLog) {
        WireDecoder decoder = new WireDecoder(KeyLog.parse(keyLog));
        return wire.stream().map(decoder::decode).toList();
    }

    @Test
    void eitherSidesKeyLogAloneDecryptsAPrivateNetworksConversation() {
        MessageCodec codec = new MessageCodec(1);
        byte[] buf = new byte[256];
        int len = codec.encodeFindNode(buf, 0, 0x1111, b.contact().id());
        assertTrue(a.sessions().send(now, WALL + now, b.contact(), buf, 0, len));
        SessionManager.Delivery request = carry(a, b);
        assertNotNull(request, "B got A's request from the initiation");
        len = codec.encodePong(buf, 0, 0x1111, a.contact().address());
        assertTrue(b.sessions().send(now, WALL + now, request.from, buf, 0, len));
        assertNotNull(carry(b, a), "A got the answer from the response");
        carry(a, b); // A's keepalive confirms the keys
        len = codec.encodePing(buf, 0, 0x2222);
        assertTrue(b.sessions().send(now, WALL + now, a.contact(), buf, 0, len), "B may send now");
        carry(b, a);
        assertEquals(4, wire.size());

        for (String log : List.of(a.keyLog().toString(), b.keyLog().toString())) {
            List<DecodedDatagram> decoded = decode(log);
            String all = String.join("\n", decoded.stream().map(DecodedDatagram::line).toList());
            assertTrue(decoded.stream().allMatch(DecodedDatagram::decrypted), all);
            assertEquals("FIND_NODE", decoded.get(0).inner().kind(), all);
            assertEquals(b.contact().id().toHex(), decoded.get(0).inner().fields().get("target"));
            assertEquals(a.contact().id().toHex(), decoded.get(0).initiator());
            assertEquals("PONG", decoded.get(1).inner().kind(), all);
            assertEquals(0x1111, decoded.get(1).inner().requestId());
            assertEquals("keepalive", decoded.get(2).note(), all);
            assertEquals("PING", decoded.get(3).inner().kind(), all);
            assertEquals(0x2222, decoded.get(3).inner().requestId());
        }

        // The logs name the pre-shared key; without it (a log edited to the public network's) the response fails.
        String wrongKey = a.keyLog().toString().replaceAll("PRESHARED_KEY = .*",
                "PRESHARED_KEY = " + java.util.Base64.getEncoder().encodeToString(new byte[32]));
        List<DecodedDatagram> decoded = decode(wrongKey);
        assertTrue(decoded.get(0).decrypted(), "the pre-shared key enters only in the second message");
        assertFalse(decoded.get(1).decrypted());
        assertEquals("the response does not decrypt with any logged pre-shared key", decoded.get(1).note());
        assertEquals("its response did not decrypt", decoded.get(3).note());
    }
}
