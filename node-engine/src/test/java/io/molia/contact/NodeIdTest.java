package io.molia.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;

import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Test;

class NodeIdTest {
    @Test
    void nodeIdIsBlake3OfThePublicKey() {
        byte[] publicKey = TestVectors.hex(
                TestVectors.load("ed25519_rfc8032.json").get("vectors").get(0).get("public_key_hex"));
        assertEquals(NodeId.fromBytes(new Blake3().hash(publicKey)), NodeId.ofPublicKey(publicKey));
        Ed25519Identity id = Ed25519Identity.fromSeed(new byte[32]);
        assertEquals(NodeId.fromBytes(new Blake3().hash(id.publicKey())), NodeId.ofPublicKey(id.publicKey()));
    }

    @Test
    void distanceOrderAndPrefixAgreeWithBigIntegerXor() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            NodeId target = randomId(random);
            NodeId a = randomId(random);
            NodeId b = i % 7 == 0 ? a : randomId(random);
            BigInteger da = big(target).xor(big(a));
            BigInteger db = big(target).xor(big(b));
            assertEquals(Integer.signum(da.compareTo(db)), Integer.signum(target.compareDistance(a, b)));
            int expectedPrefix = da.signum() == 0 ? 256 : 256 - da.bitLength();
            assertEquals(expectedPrefix, target.commonPrefixLength(a));
            int bit = random.nextInt(256);
            assertEquals(big(a).testBit(255 - bit), a.bit(bit));
            assertTrue(a.flipBit(bit).commonPrefixLength(a) == bit);
        }
    }

    @Test
    void bytesAndHexRoundTrip() {
        NodeId id = randomId(new SplittableRandom(1));
        assertEquals(id, NodeId.fromBytes(id.toBytes()));
        assertEquals(id, NodeId.fromHex(id.toHex()));
    }

    static NodeId randomId(SplittableRandom random) {
        return new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    private static BigInteger big(NodeId id) {
        return new BigInteger(1, id.toBytes());
    }
}
