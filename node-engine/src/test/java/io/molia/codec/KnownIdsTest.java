package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

class KnownIdsTest {
    private final Blake3 blake3 = new Blake3();
    private final byte[] scratch = new byte[NodeId.BYTES];

    @Test
    void aKnownKeyGivesItsIdWithoutHashingAndACollidingKeyItsOwn() {
        KnownIds cache = new KnownIds(1); // one slot: every key collides
        SplittableRandom random = new SplittableRandom(5);
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        random.nextBytes(a);
        random.nextBytes(b);
        NodeId idA = cache.idOf(blake3, a, 0, scratch);
        assertEquals(NodeId.ofPublicKey(a), idA);
        assertSame(idA, cache.idOf(blake3, a, 0, scratch), "cached");
        b[0] = a[0]; // same first bytes, another key
        assertEquals(NodeId.ofPublicKey(b), cache.idOf(blake3, b, 0, scratch), "the whole key is compared");
        assertEquals(idA, cache.idOf(blake3, a, 0, scratch));
    }

    @Test
    void manyKeysAllGetTheirHash() {
        KnownIds cache = new KnownIds(64);
        SplittableRandom random = new SplittableRandom(6);
        byte[][] keys = new byte[500][32];
        for (byte[] k : keys) {
            random.nextBytes(k);
        }
        for (int round = 0; round < 3; round++) {
            for (byte[] k : keys) {
                assertEquals(NodeId.ofPublicKey(k), cache.idOf(blake3, k, 0, scratch));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new KnownIds(3));
    }
}
