package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Test;

class Ed25519IdentityTest {
    @Test
    void reproducesRfc8032KeysAndSignatures() {
        JsonNode vectors = TestVectors.load("ed25519_rfc8032.json").get("vectors");
        assertEquals(5, vectors.size());
        for (JsonNode v : vectors) {
            Ed25519Identity id = Ed25519Identity.fromSeed(TestVectors.hex(v.get("secret_key_hex")));
            byte[] message = TestVectors.hex(v.get("message_hex"));
            byte[] signature = TestVectors.hex(v.get("signature_hex"));
            String name = v.get("name").asText();
            assertArrayEquals(TestVectors.hex(v.get("public_key_hex")), id.publicKey(), name);
            assertArrayEquals(signature, id.sign(message, 0, message.length), name);
            assertTrue(Ed25519Identity.verify(id.publicKey(), message, 0, message.length, signature), name);
            signature[0] ^= 1;
            assertFalse(Ed25519Identity.verify(id.publicKey(), message, 0, message.length, signature), name);
        }
    }
}
