package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A real cookie reply from wireguard-go under load, and the mac2 it then accepted. */
@Tag("crypto-engines")
class CookieVectorsTest {
    private static final JsonNode V = TestVectors.load("wireguard_cookie_vectors.json");

    @Test
    void decryptsWireguardGosCookieAndRecomputesTheMac2ItAccepted() {
        byte[] responderStatic = TestVectors.hex(V.get("responder_static").get("public_hex"));
        byte[] reply = TestVectors.hex(V.get("cookie_reply").get("hex"));
        byte[] triggering = TestVectors.hex(V.get("triggering_initiation").get("hex"));
        byte[] mac1 = java.util.Arrays.copyOfRange(triggering, 116, 132);
        byte[] cookie = CookieJar.open(responderStatic, mac1, reply, 0);
        assertArrayEquals(TestVectors.hex(V.get("cookie_reply").get("decrypted_cookie_hex")), cookie);

        byte[] withMac2 = TestVectors.hex(V.get("initiation_with_mac2").get("hex"));
        assertTrue(new WireGuardHandshake().mac2Valid(cookie, withMac2, 0, withMac2.length));
        assertArrayEquals(TestVectors.hex(V.get("initiation_with_mac2").get("mac2_recomputed_hex")),
                java.util.Arrays.copyOfRange(withMac2, 132, 148));

        mac1[0] ^= 1;
        assertNull(CookieJar.open(responderStatic, mac1, reply, 0), "the cookie is bound to the mac1 it answers");
    }
}
