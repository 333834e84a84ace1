package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * libsodium's ChaCha20-Poly1305 (the benchmarks' comparison, JDK 22+) against {@link ChaChaPoly}: the same bytes
 * both ways at every length up to a full packet, with and without associated data, a forged tag refused without
 * writing, in place and shifted in one array. On JDK 21 there is no libsodium engine and the test checks only that.
 */
@Tag("crypto-engines")
class AeadEnginesTest {
    @Test
    void libsodiumAndOursSealAndOpenTheSameBytes() {
        if (Runtime.version().feature() < 22) {
            assertEquals(java.util.Optional.empty(), CryptoEngines.newLibsodiumAead());
            return;
        }
        AeadEngine sodium = CryptoEngines.newLibsodiumAead().orElseThrow();
        ChaChaPoly ours = new ChaChaPoly();
        SplittableRandom random = new SplittableRandom(3);
        byte[] key = new byte[32];
        for (int len = 0; len <= 1280; len += len < 130 ? 1 : 61) {
            random.nextBytes(key);
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            byte[] ad = len % 3 == 0 ? null : new byte[len % 40];
            long counter = random.nextLong();
            byte[] a = new byte[len + 16];
            byte[] b = new byte[len + 16];
            assertEquals(len + 16, ours.seal(key, counter, plain, 0, len, ad, a, 0));
            assertEquals(len + 16, sodium.seal(key, counter, plain, 0, len, ad, b, 0));
            assertArrayEquals(a, b, "length " + len);
            byte[] opened = new byte[len];
            assertEquals(len, sodium.open(key, counter, a, 0, len + 16, ad, opened, 0));
            assertArrayEquals(plain, opened);
            b[len] ^= 1; // the tag's first byte
            byte[] out = new byte[len];
            Arrays.fill(out, (byte) 7);
            assertEquals(-1, sodium.open(key, counter, b, 0, len + 16, ad, out, 0));
            byte[] untouched = new byte[len];
            Arrays.fill(untouched, (byte) 7);
            assertArrayEquals(untouched, out, "a forged packet writes nothing");
        }
        // In place, as the data path seals and opens.
        byte[] buf = new byte[100 + 16];
        random.nextBytes(buf);
        byte[] plain = Arrays.copyOf(buf, 100);
        byte[] expected = new byte[116];
        ours.seal(key, 9, plain, 0, 100, null, expected, 0);
        sodium.seal(key, 9, buf, 0, 100, null, buf, 0);
        assertArrayEquals(expected, buf);
        assertEquals(100, sodium.open(key, 9, buf, 0, 116, null, buf, 0));
        assertArrayEquals(plain, Arrays.copyOf(buf, 100));
        // Shifted within one array, as the data path opens a datagram after its header.
        byte[] big = new byte[600 + 16 + 16];
        random.nextBytes(big);
        byte[] bigPlain = Arrays.copyOfRange(big, 16, 616);
        ours.seal(key, 10, bigPlain, 0, 600, null, big, 16);
        assertEquals(600, sodium.open(key, 10, big, 16, 616, null, big, 0));
        assertArrayEquals(bigPlain, Arrays.copyOf(big, 600));
    }
    /** The data path's engine switches at a size; either side of it, it is the same cipher as ours. */
    @Test
    void theDataPathEngineSealsAndOpensAsOursOnBothSidesOfItsSwitch() {
        AeadEngine dataPath = CryptoEngines.newDataPathAead();
        boolean nativeOn = CryptoEngines.x25519() != CryptoEngines.pureJavaX25519();
        assertEquals(nativeOn ? "molia below 128 B, libsodium from there" : "molia", dataPath.name(),
                "libsodium for large packets exactly where it runs the handshakes (-Dmolia.crypto=java: never)");
        ChaChaPoly ours = new ChaChaPoly();
        SplittableRandom random = new SplittableRandom(4);
        byte[] key = new byte[32];
        random.nextBytes(key);
        for (int len = SizedAead.NATIVE_FROM_BYTES - 3; len <= SizedAead.NATIVE_FROM_BYTES + 3; len++) {
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            byte[] a = new byte[len + 16];
            byte[] b = new byte[len + 16];
            ours.seal(key, len, plain, 0, len, null, a, 0);
            dataPath.seal(key, len, plain, 0, len, null, b, 0);
            assertArrayEquals(a, b, "length " + len);
            byte[] opened = new byte[len];
            assertEquals(len, dataPath.open(key, len, a, 0, len + 16, null, opened, 0));
            assertArrayEquals(plain, opened);
            a[len + 3] ^= 1;
            assertEquals(-1, dataPath.open(key, len, a, 0, len + 16, null, opened, 0), "a forged tag, length " + len);
        }
    }
}
