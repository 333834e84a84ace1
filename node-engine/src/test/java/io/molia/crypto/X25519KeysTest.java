package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Test;

/** The Ed25519 → X25519 map against libsodium (values made with Debian's python3-nacl, see the file). */
class X25519KeysTest {
    @Test
    void conversionMatchesLibsodium() {
        JsonNode vectors = TestVectors.load("ed25519_to_x25519_libsodium.json").get("vectors");
        assertEquals(6, vectors.size());
        for (JsonNode v : vectors) {
            byte[] seed = TestVectors.hex(v.get("ed25519_seed_hex"));
            byte[] edPublic = Ed25519Identity.fromSeed(seed).publicKey();
            assertArrayEquals(TestVectors.hex(v.get("ed25519_public_hex")), edPublic);
            byte[] xPrivate = X25519Keys.fromEd25519Seed(seed);
            byte[] xPublic = X25519Keys.fromEd25519PublicKey(edPublic);
            assertArrayEquals(TestVectors.hex(v.get("x25519_private_hex")), xPrivate);
            assertArrayEquals(TestVectors.hex(v.get("x25519_public_hex")), xPublic);
            assertArrayEquals(xPublic, X25519Keys.publicKey(xPrivate), "both halves of the map agree");
        }
    }
}
