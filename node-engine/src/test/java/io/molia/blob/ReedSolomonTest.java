package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ReedSolomonTest {
    private static final int T = ReedSolomon.TOTAL;

    /** Random data fragments and their parity; {@code len} odd so the eight-byte XOR loop leaves a tail. */
    private static byte[][] stripe(long seed, int len) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] f = new byte[T][len];
        for (int d = 0; d < ReedSolomon.DATA; d++) {
            random.nextBytes(f[d]);
        }
        ReedSolomon.encode(f, 0, len);
        return f;
    }

    @Test
    void parityMatchesTheGeneratorMatrixComputedByteByByte() {
        int len = 5_001; // spans blocks of the coding loop, with a tail
        byte[][] f = stripe(1, len);
        for (int r = ReedSolomon.DATA; r < T; r++) {
            int[] row = ReedSolomon.generatorRow(r);
            for (int i = 0; i < len; i++) {
                int expected = 0;
                for (int d = 0; d < ReedSolomon.DATA; d++) {
                    expected ^= Gf256.mul(row[d], f[d][i] & 0xFF);
                }
                assertEquals(expected, f[r][i] & 0xFF, "fragment " + r + " byte " + i);
            }
        }
    }

    @Test
    void everyPatternOfFourErasuresIsRebuilt() {
        int len = 37;
        byte[][] original = stripe(2, len);
        int patterns = 0;
        for (int a = 0; a < T; a++) {
            for (int b = a + 1; b < T; b++) {
                for (int c = b + 1; c < T; c++) {
                    for (int d = c + 1; d < T; d++) {
                        assertRebuilt(original, len, a, b, c, d);
                        patterns++;
                    }
                }
            }
        }
        assertEquals(1_001, patterns, "C(14, 4)");
    }

    @Test
    void fewerErasuresAndNoneAreRebuiltToo() {
        byte[][] original = stripe(3, 100);
        assertRebuilt(original, 100);
        assertRebuilt(original, 100, 0);
        assertRebuilt(original, 100, 13);
        assertRebuilt(original, 100, 4, 11);
        assertRebuilt(original, 100, 0, 1, 2);
    }

    @Test
    void anOffsetRangeIsCodedAndTheRestLeftAlone() {
        byte[][] f = stripe(4, 64);
        byte[][] copy = copy(f);
        for (int i = 0; i < T; i++) {
            f[10][i % 64] = 0;
        }
        ReedSolomon.encode(f, 8, 40);
        for (int i = 8; i < 48; i++) {
            assertEquals(copy[10][i], f[10][i]);
        }
    }

    @Test
    void fiveErasuresAreRefused() {
        byte[][] f = stripe(5, 16);
        boolean[] present = new boolean[T];
        Arrays.fill(present, 5, T, true);
        present[13] = false; // 8 present
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReedSolomon.reconstruct(f, present, 0, 16));
        assertEquals("a stripe needs 10 fragments, 8 present", e.getMessage());
    }

    private static void assertRebuilt(byte[][] original, int len, int... erased) {
        byte[][] f = copy(original);
        boolean[] present = new boolean[T];
        Arrays.fill(present, true);
        for (int e : erased) {
            present[e] = false;
            Arrays.fill(f[e], (byte) 0x5A);
        }
        ReedSolomon.reconstruct(f, present, 0, len);
        String pattern = Arrays.toString(erased);
        for (int i = 0; i < T; i++) {
            assertArrayEquals(original[i], f[i], "fragment " + i + " after erasing " + pattern);
        }
    }

    private static byte[][] copy(byte[][] f) {
        byte[][] c = new byte[f.length][];
        for (int i = 0; i < f.length; i++) {
            c[i] = f[i].clone();
        }
        return c;
    }
}
