package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Molia's ChaCha20-Poly1305: RFC 8439's vectors, the JDK's and BouncyCastle's implementations as references over
 * every length a datagram can have, in-place and overlapping buffers, and forgeries.
 */
class ChaChaPolyTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", "").replace(":", ""));
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static long le64(byte[] b, int off) {
        return (le32(b, off) & 0xffffffffL) | (long) le32(b, off + 4) << 32;
    }

    /** RFC 8439 §2.8.2: the AEAD test vector ("sunscreen"); its nonce has a non-zero 32-bit prefix. */
    @Test
    void rfc8439Section282AeadVector() {
        byte[] plain = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                + "sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        byte[] ad = hex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7");
        byte[] key = hex("80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f");
        byte[] nonce = hex("07 00 00 00 40 41 42 43 44 45 46 47");
        byte[] expected = hex("d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2"
                + "a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6"
                + "3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b"
                + "1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36"
                + "92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58"
                + "fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc"
                + "3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b"
                + "61 16"
                + "1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91"); // the tag
        ChaChaPoly aead = new ChaChaPoly();
        byte[] sealed = new byte[plain.length + 16];
        assertEquals(plain.length + 16, aead.seal(key, le32(nonce, 0), le32(nonce, 4), le32(nonce, 8), plain, 0,
                plain.length, ad, sealed, 0));
        assertArrayEquals(expected, sealed);
        byte[] opened = new byte[plain.length];
        assertEquals(plain.length, aead.open(key, le32(nonce, 0), le32(nonce, 4), le32(nonce, 8), sealed, 0,
                sealed.length, ad, opened, 0));
        assertArrayEquals(plain, opened);
    }

    /** RFC 8439 §A.5: the decryption example; its nonce is WireGuard-shaped (zero prefix, then 64-bit LE). */
    @Test
    void rfc8439AppendixA5Decryption() {
        byte[] key = hex("1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0 47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0");
        byte[] nonce = hex("00 00 00 00 01 02 03 04 05 06 07 08");
        byte[] ad = hex("f3 33 88 86 00 00 00 00 00 00 4e 91");
        byte[] sealed = hex("64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd"
                + "5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2"
                + "4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0"
                + "bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf"
                + "33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81"
                + "14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55"
                + "97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38"
                + "36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4"
                + "b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9"
                + "90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e"
                + "af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a"
                + "0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a"
                + "0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e"
                + "ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10"
                + "49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30"
                + "30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29"
                + "a6 ad 5c b4 02 2b 02 70 9b"
                + "ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38"); // the tag
        String text = "Internet-Drafts are draft documents valid for a maximum of six months and may be updated,"
                + " replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts"
                + " as reference material or to cite them other than as /\u201cwork in progress./\u201d";
        byte[] plain = text.getBytes(StandardCharsets.UTF_8);
        long counter = le64(nonce, 4); // WireGuard's nonce layout: the public API applies
        ChaChaPoly aead = new ChaChaPoly();
        byte[] opened = new byte[sealed.length - 16];
        assertEquals(plain.length, aead.open(key, counter, sealed, 0, sealed.length, ad, opened, 0));
        assertArrayEquals(plain, opened);
        byte[] resealed = new byte[sealed.length];
        aead.seal(key, counter, plain, 0, plain.length, ad, resealed, 0);
        assertArrayEquals(sealed, resealed);
    }

    /**
     * RFC 8439 §2.3.2 (the ChaCha20 block function, block counter 1) seen through the AEAD: encrypting 64 zero
     * bytes yields exactly that block, since the AEAD's keystream starts at block 1.
     */
    @Test
    void rfc8439Section232BlockThroughTheAead() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        byte[] nonce = hex("00 00 00 09 00 00 00 4a 00 00 00 00");
        byte[] block = hex("10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4"
                + "c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e"
                + "d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2"
                + "b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e");
        byte[] out = new byte[64 + 16];
        new ChaChaPoly().seal(key, le32(nonce, 0), le32(nonce, 4), le32(nonce, 8), new byte[64], 0, 64, null, out,
                0);
        assertArrayEquals(block, Arrays.copyOf(out, 64));
    }

    /** Every length 0..1500 against the JDK and BouncyCastle, random keys, counters and AD, also in place. */
    @Test
    void agreesWithTheJdkAndBouncyCastleOnEveryLength() throws Exception {
        SplittableRandom random = new SplittableRandom(8439);
        ChaChaPoly ours = new ChaChaPoly();
        JdkChaChaPoly jdk = new JdkChaChaPoly();
        ChaCha20Poly1305 bc = new ChaCha20Poly1305();
        byte[] key = new byte[32];
        for (int len = 0; len <= 1500; len++) {
            random.nextBytes(key);
            long counter = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(1 << 20);
            int adLen = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 70);
            byte[] ad = adLen == 0 && random.nextBoolean() ? null : new byte[adLen];
            if (ad != null) {
                random.nextBytes(ad);
            }
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            int inOff = random.nextInt(8);
            byte[] in = new byte[inOff + len + 3];
            System.arraycopy(plain, 0, in, inOff, len);

            byte[] reference = new byte[len + 16];
            assertEquals(len + 16, jdk.seal(key, counter, plain, 0, len, ad, reference, 0));

            int outOff = random.nextInt(8);
            byte[] out = new byte[outOff + len + 16 + 5];
            assertEquals(len + 16, ours.seal(key, counter, in, inOff, len, ad, out, outOff), "length " + len);
            assertArrayEquals(reference, Arrays.copyOfRange(out, outOff, outOff + len + 16), "length " + len);

            byte[] nonce = new byte[12];
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (counter >>> (8 * i));
            }
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, ad));
            byte[] fromBc = new byte[len + 16];
            int n = bc.processBytes(plain, 0, len, fromBc, 0);
            bc.doFinal(fromBc, n);
            assertArrayEquals(reference, fromBc, "BouncyCastle, length " + len);

            byte[] opened = new byte[len + 2];
            assertEquals(len, ours.open(key, counter, reference, 0, len + 16, ad, opened, 1), "length " + len);
            assertArrayEquals(plain, Arrays.copyOfRange(opened, 1, 1 + len));

            // In place: the same array and offset for input and output.
            byte[] buf = new byte[inOff + len + 16];
            System.arraycopy(plain, 0, buf, inOff, len);
            ours.seal(key, counter, buf, inOff, len, ad, buf, inOff);
            assertArrayEquals(reference, Arrays.copyOfRange(buf, inOff, inOff + len + 16), "in place, " + len);
            assertEquals(len, ours.open(key, counter, buf, inOff, len + 16, ad, buf, inOff));
            assertArrayEquals(plain, Arrays.copyOfRange(buf, inOff, inOff + len), "in place, " + len);
        }
    }

    /** The same array, ranges overlapping in both directions: as if the input had been copied first. */
    @Test
    void overlappingRangesInOneArray() {
        SplittableRandom random = new SplittableRandom(1);
        ChaChaPoly ours = new ChaChaPoly();
        JdkChaChaPoly jdk = new JdkChaChaPoly();
        byte[] key = new byte[32];
        for (int len : new int[] {1, 15, 16, 63, 64, 65, 200, 1280}) {
            for (int shift : new int[] {-33, -7, -1, 1, 4, 16, 65}) {
                random.nextBytes(key);
                long counter = random.nextLong();
                byte[] ad = new byte[random.nextInt(20)];
                random.nextBytes(ad);
                byte[] plain = new byte[len];
                random.nextBytes(plain);
                byte[] reference = new byte[len + 16];
                jdk.seal(key, counter, plain, 0, len, ad, reference, 0);

                int inOff = 70;
                int outOff = inOff + shift;
                byte[] buf = new byte[200 + len + 16];
                System.arraycopy(plain, 0, buf, inOff, len);
                ours.seal(key, counter, buf, inOff, len, ad, buf, outOff);
                assertArrayEquals(reference, Arrays.copyOfRange(buf, outOff, outOff + len + 16),
                        "seal, length " + len + " shift " + shift);

                byte[] buf2 = new byte[200 + len + 16];
                System.arraycopy(reference, 0, buf2, inOff, len + 16);
                assertEquals(len, ours.open(key, counter, buf2, inOff, len + 16, ad, buf2, outOff));
                assertArrayEquals(plain, Arrays.copyOfRange(buf2, outOff, outOff + len),
                        "open, length " + len + " shift " + shift);
            }
        }
    }

    /** Every single-bit change of ciphertext, tag or AD is refused, and a refused open writes nothing. */
    @Test
    void everySingleBitFlipIsRejected() {
        SplittableRandom random = new SplittableRandom(2);
        ChaChaPoly aead = new ChaChaPoly();
        byte[] key = new byte[32];
        random.nextBytes(key);
        for (int len : new int[] {0, 1, 37, 64, 130}) {
            byte[] plain = new byte[len];
            random.nextBytes(plain);
            byte[] ad = new byte[13];
            random.nextBytes(ad);
            long counter = 77 + len;
            byte[] sealed = new byte[len + 16];
            aead.seal(key, counter, plain, 0, len, ad, sealed, 0);
            byte[] out = new byte[len];
            byte[] untouched = new byte[len];
            Arrays.fill(out, (byte) 0x5a);
            Arrays.fill(untouched, (byte) 0x5a);
            for (int bit = 0; bit < 8 * sealed.length; bit++) {
                sealed[bit >>> 3] ^= (byte) (1 << (bit & 7));
                assertEquals(-1, aead.open(key, counter, sealed, 0, sealed.length, ad, out, 0),
                        "ciphertext/tag bit " + bit + " of length " + len);
                sealed[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            for (int bit = 0; bit < 8 * ad.length; bit++) {
                ad[bit >>> 3] ^= (byte) (1 << (bit & 7));
                assertEquals(-1, aead.open(key, counter, sealed, 0, sealed.length, ad, out, 0), "AD bit " + bit);
                ad[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            assertArrayEquals(untouched, out, "a refused packet writes no plaintext");
            assertEquals(-1, aead.open(key, counter + 1, sealed, 0, sealed.length, ad, out, 0), "wrong counter");
            assertEquals(-1, aead.open(key, counter, sealed, 0, sealed.length, null, out, 0), "AD missing");
            byte[] otherKey = key.clone();
            otherKey[31] ^= (byte) 0x80;
            assertEquals(-1, aead.open(otherKey, counter, sealed, 0, sealed.length, ad, out, 0), "wrong key");
            assertEquals(-1, aead.open(key, counter, sealed, 0, sealed.length - 1, ad, out, 0), "truncated");
            assertEquals(len, aead.open(key, counter, sealed, 0, sealed.length, ad, out, 0), "intact");
            assertArrayEquals(plain, out);
        }
        assertEquals(-1, aead.open(key, 0, new byte[15], 0, 15, null, new byte[15], 0), "shorter than a tag");
    }
}
