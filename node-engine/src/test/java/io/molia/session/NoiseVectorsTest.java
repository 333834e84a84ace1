package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.crypto.Blake2s;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.X25519Keys;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Noise IK and IKpsk2 over 25519/ChaChaPoly/BLAKE2s against the cacophony vectors, both roles. */
@Tag("crypto-engines")
class NoiseVectorsTest {
    @Test
    void ikAndIkPsk2MatchCacophony() {
        JsonNode vectors = TestVectors.load("noise_ik_ikpsk2_25519_chachapoly_blake2s.json").get("vectors");
        assertEquals(2, vectors.size());
        for (JsonNode v : vectors) {
            run(v);
        }
    }

    private static void run(JsonNode v) {
        String name = v.get("protocol_name").asText();
        boolean psk = name.contains("psk2");
        byte[] prologue = TestVectors.hex(v.get("init_prologue"));
        byte[] iStatic = TestVectors.hex(v.get("init_static"));
        byte[] iEph = TestVectors.hex(v.get("init_ephemeral"));
        byte[] rStatic = TestVectors.hex(v.get("resp_static"));
        byte[] rEph = TestVectors.hex(v.get("resp_ephemeral"));
        byte[] rStaticPub = X25519Keys.publicKey(rStatic);
        assertArrayEquals(TestVectors.hex(v.get("init_remote_static")), rStaticPub);
        byte[] pskBytes = psk ? TestVectors.hex(v.get("init_psks").get(0)) : null;
        byte[] protocol = name.getBytes(StandardCharsets.US_ASCII);

        NoiseHandshake i = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        NoiseHandshake r = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        i.initialize(protocol, prologue);
        r.initialize(protocol, prologue);
        i.mixHash(rStaticPub, 0, 32);
        r.mixHash(rStaticPub, 0, 32);

        // -> e, es, s, ss
        byte[] msg = new byte[2048];
        byte[] payload = TestVectors.hex(v.get("messages").get(0).get("payload"));
        byte[] iEphPub = X25519Keys.publicKey(iEph);
        byte[] dh = new byte[32];
        int len = 0;
        System.arraycopy(iEphPub, 0, msg, 0, 32);
        len += 32;
        i.mixHash(iEphPub, 0, 32);
        if (psk) {
            i.mixKey(iEphPub, 0, 32);
        }
        X25519Keys.dh(iEph, rStaticPub, dh);
        i.mixKey(dh, 0, 32);
        len += i.encryptAndHash(X25519Keys.publicKey(iStatic), 0, 32, msg, len);
        X25519Keys.dh(iStatic, rStaticPub, dh);
        i.mixKey(dh, 0, 32);
        len += i.encryptAndHash(payload, 0, payload.length, msg, len);
        assertArrayEquals(TestVectors.hex(v.get("messages").get(0).get("ciphertext")), Arrays.copyOf(msg, len), name);

        // the responder reads it
        byte[] out = new byte[2048];
        r.mixHash(msg, 0, 32);
        if (psk) {
            r.mixKey(msg, 0, 32);
        }
        X25519Keys.dh(rStatic, Arrays.copyOf(msg, 32), dh);
        r.mixKey(dh, 0, 32);
        assertEquals(32, r.decryptAndHash(msg, 32, 48, out, 0));
        byte[] iStaticPub = Arrays.copyOf(out, 32);
        X25519Keys.dh(rStatic, iStaticPub, dh);
        r.mixKey(dh, 0, 32);
        assertEquals(payload.length, r.decryptAndHash(msg, 80, len - 80, out, 0));
        assertArrayEquals(payload, Arrays.copyOf(out, payload.length));

        // <- e, ee, se (, psk)
        payload = TestVectors.hex(v.get("messages").get(1).get("payload"));
        byte[] rEphPub = X25519Keys.publicKey(rEph);
        len = 0;
        System.arraycopy(rEphPub, 0, msg, 0, 32);
        len += 32;
        r.mixHash(rEphPub, 0, 32);
        if (psk) {
            r.mixKey(rEphPub, 0, 32);
        }
        X25519Keys.dh(rEph, iEphPub, dh);
        r.mixKey(dh, 0, 32);
        X25519Keys.dh(rEph, iStaticPub, dh);
        r.mixKey(dh, 0, 32);
        if (psk) {
            r.mixKeyAndHash(pskBytes);
        }
        len += r.encryptAndHash(payload, 0, payload.length, msg, len);
        assertArrayEquals(TestVectors.hex(v.get("messages").get(1).get("ciphertext")), Arrays.copyOf(msg, len), name);
        assertArrayEquals(TestVectors.hex(v.get("handshake_hash")), r.handshakeHash(), name);

        // transport messages with the split keys, both directions
        byte[] iSend = new byte[32];
        byte[] iRecv = new byte[32];
        r.split(iSend, iRecv);
        ChaChaPoly aead = new ChaChaPoly();
        long[] counters = new long[2];
        JsonNode messages = v.get("messages");
        for (int m = 2; m < messages.size(); m++) {
            boolean fromInitiator = m % 2 == 0;
            byte[] p = TestVectors.hex(messages.get(m).get("payload"));
            byte[] c = new byte[p.length + 16];
            aead.seal(fromInitiator ? iSend : iRecv, counters[m % 2]++, p, 0, p.length, new byte[0], c, 0);
            assertArrayEquals(TestVectors.hex(messages.get(m).get("ciphertext")), c, name + " message " + m);
        }
    }
}
