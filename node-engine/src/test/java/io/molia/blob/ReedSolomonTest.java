package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The code against every {@link ErasureEngine} this JVM can load (Java always; ISA-L on JDK 22+, which CI installs),
 * and the engines against each other.
 */
class ReedSolomonTest {
    private static final int T = ReedSolomon.TOTAL;

    static List<ErasureEngine> engines() {
        List<ErasureEngine> engines = new ArrayList<>(List.of(ErasureEngines.java()));
        ErasureEngines.isal().ifPresent(engines::add);
        return engines;
    }

    /** Random data fragments and their parity; {@code len} odd so the eight-byte XOR loop leaves a tail. */
    private static byte[][] stripe(ErasureEngine engine, long seed, int len) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] f = new byte[T][len];
        for (int d = 0; d < ReedSolomon.DATA; d++) {
            random.nextBytes(f[d]);
        }
        ReedSolomon.encode(ReedSolomon.encoder(engine), f, 0, len);
        return f;
    }

    @Test
    void theEngineAskedForIsUsed() {
        String expected = "java".equals(System.getProperty(ErasureEngines.PROPERTY))
                || Runtime.version().feature() < 22 ? "java" : "isa-l";
        assertEquals(expected, ErasureEngines.engine().name());
        if (Runtime.version().feature() >= 22) {
            assertTrue(ErasureEngines.isal().isPresent(), "JDK 22+ and libisal2 installed: loadable");
        }
    }

    /**
     * Random stripes of random lengths (odd ones, ones across ISA-L's 16 KiB chunks and below its 32-byte SIMD width)
     * at random offsets: every engine's parity, and its rebuild of a random set of 1–4 erasures, byte for byte Java's.
     */
    @Test
    void everyEngineCodesTheSameBytesAsJava() {
        SplittableRandom random = new SplittableRandom(6);
        for (int round = 0; round < 200; round++) {
            int len = round < 40 ? round : random.nextInt(1, 40_000);
            int off = random.nextInt(0, 20);
            byte[][] javaStripe = new byte[T][off + len + random.nextInt(0, 9)];
            for (int d = 0; d < ReedSolomon.DATA; d++) {
                random.nextBytes(javaStripe[d]);
            }
            ReedSolomon.encode(ReedSolomon.encoder(ErasureEngines.java()), javaStripe, off, len);
            boolean[] present = new boolean[T];
            Arrays.fill(present, true);
            for (int e = random.nextInt(1, 5); e > 0; e--) {
                present[random.nextInt(T)] = false;
            }
            for (ErasureEngine engine : engines()) {
                byte[][] f = copy(javaStripe);
                for (int p = ReedSolomon.DATA; p < T; p++) {
                    random.nextBytes(f[p]);
                    System.arraycopy(javaStripe[p], 0, f[p], 0, off); // outside the range: left alone
                    System.arraycopy(javaStripe[p], off + len, f[p], off + len, f[p].length - off - len);
                }
                ReedSolomon.encode(ReedSolomon.encoder(engine), f, off, len);
                String what = engine.name() + " round " + round + " len " + len + " off " + off;
                for (int i = 0; i < T; i++) {
                    assertArrayEquals(javaStripe[i], f[i], what + " fragment " + i);
                }
                for (int i = 0; i < T; i++) {
                    if (!present[i]) {
                        Arrays.fill(f[i], off, off + len, (byte) 0x5A);
                    }
                }
                ReedSolomon.reconstruct(engine, f, present, off, len);
                for (int i = 0; i < T; i++) {
                    assertArrayEquals(javaStripe[i], f[i], what + " rebuilt " + Arrays.toString(present));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void parityMatchesTheGeneratorMatrixComputedByteByByte(ErasureEngine engine) {
        int len = 5_001; // spans blocks of the coding loop, with a tail
        byte[][] f = stripe(engine, 1, len);
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

    @ParameterizedTest
    @MethodSource("engines")
    void everyPatternOfFourErasuresIsRebuilt(ErasureEngine engine) {
        int len = 37;
        byte[][] original = stripe(engine, 2, len);
        int patterns = 0;
        for (int a = 0; a < T; a++) {
            for (int b = a + 1; b < T; b++) {
                for (int c = b + 1; c < T; c++) {
                    for (int d = c + 1; d < T; d++) {
                        assertRebuilt(engine, original, len, a, b, c, d);
                        patterns++;
                    }
                }
            }
        }
        assertEquals(1_001, patterns, "C(14, 4)");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void fewerErasuresAndNoneAreRebuiltToo(ErasureEngine engine) {
        byte[][] original = stripe(engine, 3, 100);
        assertRebuilt(engine, original, 100);
        assertRebuilt(engine, original, 100, 0);
        assertRebuilt(engine, original, 100, 13);
        assertRebuilt(engine, original, 100, 4, 11);
        assertRebuilt(engine, original, 100, 0, 1, 2);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anOffsetRangeIsCodedAndTheRestLeftAlone(ErasureEngine engine) {
        byte[][] f = stripe(engine, 4, 64);
        byte[][] copy = copy(f);
        for (int i = 0; i < T; i++) {
            f[10][i % 64] = 0;
        }
        ReedSolomon.encode(ReedSolomon.encoder(engine), f, 8, 40);
        for (int i = 8; i < 48; i++) {
            assertEquals(copy[10][i], f[10][i]);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void fiveErasuresAreRefused(ErasureEngine engine) {
        byte[][] f = stripe(engine, 5, 16);
        boolean[] present = new boolean[T];
        Arrays.fill(present, 5, T, true);
        present[13] = false; // 8 present
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReedSolomon.reconstruct(engine, f, present, 0, 16));
        assertEquals("a stripe needs 10 fragments, 8 present", e.getMessage());
    }

    private static void assertRebuilt(ErasureEngine engine, byte[][] original, int len, int... erased) {
        byte[][] f = copy(original);
        boolean[] present = new boolean[T];
        Arrays.fill(present, true);
        for (int e : erased) {
            present[e] = false;
            Arrays.fill(f[e], (byte) 0x5A);
        }
        ReedSolomon.reconstruct(engine, f, present, 0, len);
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
