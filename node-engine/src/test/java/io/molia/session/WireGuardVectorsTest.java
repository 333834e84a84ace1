package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.crypto.Blake2s;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.X25519Keys;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real WireGuard traffic (Wireshark's captures, every key known) reproduced byte for byte. */
@Tag("crypto-engines")
class WireGuardVectorsTest {
    private static final JsonNode VECTORS = TestVectors.load("wireguard_handshake_vectors.json");

    @Test
    void kdfMatchesWireguardGo() {
        Blake2s blake2s = new Blake2s();
        for (JsonNode v : VECTORS.get("kdf_vectors").get("vectors")) {
            byte[] input = TestVectors.hex(v.get("input_hex"));
            byte[] t0 = new byte[32];
            byte[] t1 = new byte[32];
            byte[] t2 = new byte[32];
            blake2s.kdf(TestVectors.hex(v.get("key_hex")), input, 0, input.length, t0, t1, t2);
            assertArrayEquals(TestVectors.hex(v.get("t0_hex")), t0);
            assertArrayEquals(TestVectors.hex(v.get("t1_hex")), t1);
            assertArrayEquals(TestVectors.hex(v.get("t2_hex")), t2);
        }
    }

    @Test
    void everyCapturedHandshakeIsReproducedFromItsKeys() {
        JsonNode handshakes = VECTORS.get("handshakes");
        assertEquals(4, handshakes.size());
        WireGuardHandshake wg = new WireGuardHandshake();
        for (JsonNode h : handshakes) {
            String name = h.get("name").asText();
            StaticIdentity initiator = identity(h.get("initiator_static_key").asText());
            StaticIdentity responder = identity(h.get("responder_static_key").asText());
            byte[] psk = TestVectors.hex(h.get("preshared_key_hex"));
            byte[] captured = TestVectors.hex(h.get("initiation_hex"));
            byte[] timestamp = TestVectors.hex(h.get("initiation_decrypted").get("timestamp").get("tai64n_hex"));

            WireGuardHandshake.State i = new WireGuardHandshake.State();
            byte[] out = new byte[256];
            int len = wg.createInitiation(i, initiator, responder.publicKey(),
                    TestVectors.hex(h.get("initiator_ephemeral").get("private_hex")),
                    h.get("initiation_fields").get("sender_index").asInt(), timestamp, 12, null,
                    WireGuardConstants.TYPE_INITIATION, out);
            assertEquals(148, len);
            assertArrayEquals(captured, Arrays.copyOf(out, len), name + ": initiation");

            assertTrue(wg.mac1Valid(responder, captured, 0, captured.length));
            WireGuardHandshake.State r = new WireGuardHandshake.State();
            byte[] payload = new byte[64];
            assertEquals(12, wg.consumeInitiation(r, responder, captured, 0, captured.length, payload));
            assertArrayEquals(timestamp, Arrays.copyOf(payload, 12));
            assertArrayEquals(initiator.publicKey(), r.remoteStatic());

            byte[] capturedResponse = TestVectors.hex(h.get("response_hex"));
            len = wg.createResponse(r, TestVectors.hex(h.get("responder_ephemeral").get("private_hex")),
                    WireGuardConstants.readIntLe(capturedResponse, 4), psk, new byte[0], 0, null,
                    WireGuardConstants.TYPE_RESPONSE, out);
            assertEquals(92, len);
            assertArrayEquals(capturedResponse, Arrays.copyOf(out, len), name + ": response");

            assertTrue(wg.mac1Valid(initiator, capturedResponse, 0, 92));
            assertEquals(0, wg.consumeResponse(i, initiator, psk, capturedResponse, 0, 92, payload));
            JsonNode keys = h.get("transport_keys");
            assertArrayEquals(TestVectors.hex(keys.get("initiator_send_hex")), i.sendKey(), name);
            assertArrayEquals(TestVectors.hex(keys.get("initiator_receive_hex")), i.receiveKey(), name);
            assertArrayEquals(TestVectors.hex(keys.get("responder_send_hex")), r.sendKey(), name);
            assertArrayEquals(TestVectors.hex(keys.get("responder_receive_hex")), r.receiveKey(), name);
        }
    }

    @Test
    void aTamperedMac1OrPayloadIsRejected() {
        JsonNode h = VECTORS.get("handshakes").get(0);
        StaticIdentity responder = identity(h.get("responder_static_key").asText());
        byte[] captured = TestVectors.hex(h.get("initiation_hex"));
        WireGuardHandshake wg = new WireGuardHandshake();
        captured[120] ^= 1;
        assertFalse(wg.mac1Valid(responder, captured, 0, captured.length));
        captured[120] ^= 1;
        captured[50] ^= 1; // inside the encrypted static key
        assertEquals(-1, wg.consumeInitiation(new WireGuardHandshake.State(), responder, captured, 0, 148,
                new byte[64]));
    }

    @Test
    void allCapturedTransportMessagesDecrypt() {
        ChaChaPoly aead = new ChaChaPoly();
        int n = 0;
        for (JsonNode t : VECTORS.get("transport_messages")) {
            byte[] msg = TestVectors.hex(t.get("message_hex"));
            assertEquals(WireGuardConstants.TYPE_TRANSPORT, msg[0]);
            assertEquals(t.get("counter").asLong(), WireGuardConstants.readLongLe(msg, 8));
            assertEquals((int) t.get("receiver_index").asLong(), WireGuardConstants.readIntLe(msg, 4));
            byte[] plain = new byte[msg.length];
            int len = aead.open(TestVectors.hex(t.get("key_hex")), t.get("counter").asLong(), msg, 16,
                    msg.length - 16, new byte[0], plain, 0);
            assertEquals(HexFormat.of().formatHex(TestVectors.hex(t.get("plaintext_hex"))),
                    HexFormat.of().formatHex(plain, 0, len), "frame " + t.get("frame"));
            n++;
        }
        assertEquals(18, n);
    }

    @Test
    void x25519MatchesRfc7748() {
        // RFC 7748 section 6.1 (Diffie-Hellman): Alice's and Bob's keys and the shared secret.
        byte[] alice = HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = HexFormat.of().parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                HexFormat.of().formatHex(X25519Keys.publicKey(alice)));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
                HexFormat.of().formatHex(X25519Keys.publicKey(bob)));
        byte[] shared = new byte[32];
        assertTrue(X25519Keys.dh(alice, X25519Keys.publicKey(bob), shared));
        assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
                HexFormat.of().formatHex(shared));
        assertFalse(X25519Keys.dh(alice, new byte[32], shared), "a low-order point gives an all-zero secret");
    }

    private static StaticIdentity identity(String name) {
        return new StaticIdentity(TestVectors.hex(VECTORS.get("keys").get(name).get("private_hex")));
    }
}
