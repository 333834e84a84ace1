package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.SplittableRandom;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** Our BLAKE2s against RFC 7693's vector and BouncyCastle's digest and HMAC: keyed and not, any length, any split. */
class Blake2sStreamTest {
    private final Blake2sStream b = new Blake2sStream();

    @Test
    void rfc7693AppendixB() {
        byte[] out = new byte[32];
        b.digest(null, 0, "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3, 32, out, 0);
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", HexFormat.of().formatHex(out));
    }

    @Test
    void agreesWithBouncyCastleForEveryLengthKeyedAndNot() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] msg = new byte[64];
        byte[] key = new byte[32];
        random.nextBytes(msg);
        random.nextBytes(key);
        for (int keyLen : new int[] {0, 16, 32}) {
            for (int outLen : new int[] {16, 32}) {
                for (int len = 0; len <= 64; len++) {
                    Blake2sDigest reference = keyLen == 0 ? new Blake2sDigest(outLen * 8)
                            : new Blake2sDigest(java.util.Arrays.copyOf(key, keyLen), outLen, null, null);
                    reference.update(msg, 0, len);
                    byte[] expected = new byte[outLen];
                    reference.doFinal(expected, 0);
                    byte[] actual = new byte[outLen];
                    b.digest(key, keyLen, msg, 0, len, outLen, actual, 0);
                    assertArrayEquals(expected, actual, "key " + keyLen + ", out " + outLen + ", len " + len);
                }
            }
        }
    }

    @Test
    void agreesWithBouncyCastleOverSeveralBlocksInAnySplit() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] msg = new byte[300];
        byte[] key = new byte[32];
        random.nextBytes(msg);
        random.nextBytes(key);
        for (int len : new int[] {63, 64, 65, 127, 128, 129, 200, 300}) {
            for (int keyLen : new int[] {0, 32}) {
                Blake2sDigest reference = keyLen == 0 ? new Blake2sDigest(256)
                        : new Blake2sDigest(java.util.Arrays.copyOf(key, keyLen), 32, null, null);
                reference.update(msg, 0, len);
                byte[] expected = new byte[32];
                reference.doFinal(expected, 0);
                int split = random.nextInt(len + 1);
                b.init(key, keyLen, 32);
                b.update(msg, 0, split);
                b.update(msg, split, len - split);
                byte[] actual = new byte[32];
                b.doFinal(actual, 0);
                assertArrayEquals(expected, actual, "len " + len + ", key " + keyLen + ", split at " + split);
            }
        }
    }

    @Test
    void wireGuardsHmacIsRfc2104OverBlake2s() {
        SplittableRandom random = new SplittableRandom(13);
        Blake2s ours = new Blake2s();
        for (int len : new int[] {0, 1, 33, 64, 100}) {
            byte[] key = new byte[32];
            byte[] msg = new byte[len];
            random.nextBytes(key);
            random.nextBytes(msg);
            HMac reference = new HMac(new Blake2sDigest(256));
            reference.init(new KeyParameter(key));
            reference.update(msg, 0, len);
            byte[] expected = new byte[32];
            reference.doFinal(expected, 0);
            byte[] actual = new byte[32];
            ours.hmac(key, msg, 0, len, actual);
            assertArrayEquals(expected, actual, "HMAC of " + len + " bytes");
            ours.hmac(key, msg, 0, len, key); // the output may be the key (a chaining key's update)
            assertArrayEquals(expected, key, "HMAC into its own key, " + len + " bytes");
        }
    }
    @Test
    void aDigestResumedAfterItsSavedFirstBlockIsTheWholeDigest() {
        SplittableRandom random = new SplittableRandom(17);
        byte[] msg = new byte[200];
        random.nextBytes(msg);
        int[] saved = new int[8];
        for (int len = 65; len <= 200; len++) {
            byte[] expected = new byte[32];
            b.digest(null, 0, msg, 0, len, 32, expected, 0);
            b.initWithBlock(msg, 32, saved);
            b.update(new byte[1], 0, 1); // whatever ran between saving and resuming is forgotten
            b.resume(saved, 32);
            b.update(msg, 64, len - 64);
            byte[] actual = new byte[32];
            b.doFinal(actual, 0);
            assertArrayEquals(expected, actual, "len " + len);
        }
    }

    @Test
    void theKdfIsHkdfOverRfc2104Hmac() {
        SplittableRandom random = new SplittableRandom(19);
        Blake2s ours = new Blake2s();
        for (int len : new int[] {0, 1, 32, 100}) {
            byte[] key = new byte[32];
            byte[] input = new byte[len];
            random.nextBytes(key);
            random.nextBytes(input);
            byte[] prk = referenceHmac(key, input);
            byte[] t1 = referenceHmac(prk, new byte[] {1});
            byte[] t2 = referenceHmac(prk, concat(t1, (byte) 2));
            byte[] t3 = referenceHmac(prk, concat(t2, (byte) 3));
            byte[][] actual = {new byte[32], new byte[32], new byte[32]};
            ours.kdf(key, input, 0, len, actual[0], actual[1], actual[2]);
            assertArrayEquals(t1, actual[0], "T1 of " + len + " bytes");
            assertArrayEquals(t2, actual[1], "T2 of " + len + " bytes");
            assertArrayEquals(t3, actual[2], "T3 of " + len + " bytes");
            ours.kdf(key, input, 0, len, key, actual[1], null); // T1 into the key, as a chaining key's update
            assertArrayEquals(t1, key, "T1 into its own key, " + len + " bytes");
            assertArrayEquals(t2, actual[1], "T2 after T1 replaced the key, " + len + " bytes");
        }
    }

    @Test
    void aKdfUnderPrecomputedPadsIsTheKdfUnderItsKey() {
        SplittableRandom random = new SplittableRandom(23);
        Blake2s ours = new Blake2s();
        for (int keyLen : new int[] {1, 32, 64}) {
            for (int len : new int[] {1, 31, 32, 33, 64, 65, 200}) {
                byte[] key = new byte[keyLen];
                byte[] input = new byte[len];
                random.nextBytes(key);
                random.nextBytes(input);
                byte[][] expected = {new byte[32], new byte[32], new byte[32]};
                ours.kdf(key, input, 0, len, expected[0], expected[1], expected[2]);
                byte[][] actual = {new byte[32], new byte[32], new byte[32]};
                ours.kdf(new Blake2s.HmacKey(key), input, 0, len, actual[0], actual[1], actual[2]);
                for (int t = 0; t < 3; t++) {
                    assertArrayEquals(expected[t], actual[t], "T" + (t + 1) + ", key " + keyLen + ", input " + len);
                }
            }
        }
    }

    private static byte[] referenceHmac(byte[] key, byte[] msg) {
        HMac reference = new HMac(new Blake2sDigest(256));
        reference.init(new KeyParameter(key));
        reference.update(msg, 0, msg.length);
        byte[] out = new byte[32];
        reference.doFinal(out, 0);
        return out;
    }

    private static byte[] concat(byte[] a, byte b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
