package io.molia.blob;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reed–Solomon erasure code, 10 data + 4 parity fragments over GF(256) (DESIGN §3.7): any 10 of the 14 fragments of
 * a stripe rebuild the other 4. Systematic: fragments 0–9 are the data itself, 10–13 the parity.
 *
 * <p>The parity rows are a Cauchy matrix (every square submatrix of a Cauchy matrix is invertible, so any 10 rows
 * of the generator {@code [I; C]} are), with rows and columns scaled so that parity row 0 and column 0 are all ones:
 * scaling keeps every submatrix invertible, and parity 10 becomes a plain XOR done eight bytes at a time. The other
 * rows are table lookups ({@link Gf256#MUL}), worked in blocks that stay in the L1 cache. Chosen by measurement over
 * a library: no Java Reed–Solomon library resolves from Maven Central here (docs/blobs.md, "Reed–Solomon").
 *
 * <p>Stateless apart from immutable matrices; safe from any thread.
 */
public final class ReedSolomon {
    public static final int DATA = 10;
    public static final int PARITY = 4;
    public static final int TOTAL = DATA + PARITY;
    /** Bytes of every fragment worked per pass, so the 14 fragments' blocks stay in a 32 KiB L1 data cache. */
    private static final int BLOCK_BYTES = 2_048;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Generator rows 10–13, each {@code DATA} coefficients. */
    private static final int[][] PARITY_ROWS = parityRows();

    private ReedSolomon() {
    }

    private static int[][] parityRows() {
        int[][] c = new int[PARITY][DATA];
        for (int i = 0; i < PARITY; i++) {
            for (int j = 0; j < DATA; j++) {
                c[i][j] = Gf256.inverse((DATA + i) ^ j); // x_i = 10 + i and y_j = j are all distinct
            }
        }
        for (int j = 0; j < DATA; j++) {
            int scale = Gf256.inverse(c[0][j]);
            for (int i = 0; i < PARITY; i++) {
                c[i][j] = Gf256.mul(c[i][j], scale);
            }
        }
        for (int i = 1; i < PARITY; i++) {
            int scale = Gf256.inverse(c[i][0]);
            for (int j = 0; j < DATA; j++) {
                c[i][j] = Gf256.mul(c[i][j], scale);
            }
        }
        return c;
    }

    /** Generator row {@code r} (0–13): a unit row for data fragments, a parity row for 10–13. */
    static int[] generatorRow(int r) {
        if (r >= DATA) {
            return PARITY_ROWS[r - DATA].clone();
        }
        int[] row = new int[DATA];
        row[r] = 1;
        return row;
    }

    /**
     * Computes {@code fragments[10..13][off, off + len)} from {@code fragments[0..9]} (all 14 arrays present, at least
     * {@code off + len} bytes).
     */
    public static void encode(byte[][] fragments, int off, int len) {
        checkShape(fragments, off, len);
        for (int block = off; block < off + len; block += BLOCK_BYTES) {
            int end = Math.min(off + len, block + BLOCK_BYTES);
            xorRow(fragments, 0, fragments[DATA], block, end);
            for (int p = 1; p < PARITY; p++) {
                codeRow(PARITY_ROWS[p], fragments, 0, fragments[DATA + p], block, end);
            }
        }
    }

    /**
     * Rebuilds the fragments not marked {@code present} from any 10 that are (their arrays must exist, as the outputs).
     *
     * @throws IllegalArgumentException when fewer than 10 fragments are present
     */
    public static void reconstruct(byte[][] fragments, boolean[] present, int off, int len) {
        checkShape(fragments, off, len);
        int[] sources = new int[DATA];
        int found = 0;
        for (int i = 0; i < TOTAL && found < DATA; i++) {
            if (present[i]) {
                sources[found++] = i;
            }
        }
        if (found < DATA) {
            throw new IllegalArgumentException("a stripe needs " + DATA + " fragments, " + found + " present");
        }
        boolean dataMissing = false;
        for (int d = 0; d < DATA; d++) {
            dataMissing |= !present[d];
        }
        if (dataMissing) {
            int[][] sub = new int[DATA][];
            byte[][] inputs = new byte[DATA][];
            for (int k = 0; k < DATA; k++) {
                sub[k] = generatorRow(sources[k]);
                inputs[k] = fragments[sources[k]];
            }
            int[][] decode = Gf256.invert(sub);
            for (int d = 0; d < DATA; d++) {
                if (!present[d]) {
                    for (int block = off; block < off + len; block += BLOCK_BYTES) {
                        codeRow(decode[d], inputs, 0, fragments[d], block, Math.min(off + len, block + BLOCK_BYTES));
                    }
                }
            }
        }
        for (int p = 0; p < PARITY; p++) {
            if (!present[DATA + p]) {
                for (int block = off; block < off + len; block += BLOCK_BYTES) {
                    codeRow(PARITY_ROWS[p], fragments, 0, fragments[DATA + p], block,
                            Math.min(off + len, block + BLOCK_BYTES));
                }
            }
        }
    }

    private static void checkShape(byte[][] fragments, int off, int len) {
        if (fragments.length != TOTAL) {
            throw new IllegalArgumentException("a stripe has " + TOTAL + " fragments, not " + fragments.length);
        }
        for (byte[] f : fragments) {
            if (f == null || f.length < off + len) {
                throw new IllegalArgumentException("every fragment array must hold " + (off + len) + " bytes");
            }
        }
    }

    /** {@code out[from, to) = Σ coefficients[k] · inputs[first + k][from, to)}. */
    private static void codeRow(int[] coefficients, byte[][] inputs, int first, byte[] out, int from, int to) {
        byte[] mul = Gf256.MUL;
        byte[] in0 = inputs[first];
        int base0 = coefficients[0] << 8;
        for (int i = from; i < to; i++) {
            out[i] = mul[base0 | (in0[i] & 0xFF)];
        }
        for (int k = 1; k < coefficients.length; k++) {
            byte[] in = inputs[first + k];
            int base = coefficients[k] << 8;
            if (base == 1 << 8) {
                xorInto(in, out, from, to);
            } else if (base != 0) {
                for (int i = from; i < to; i++) {
                    out[i] ^= mul[base | (in[i] & 0xFF)];
                }
            }
        }
    }

    /** {@code out[from, to) = XOR of inputs[first .. first + DATA)[from, to)}: parity row 0 is all ones. */
    private static void xorRow(byte[][] inputs, int first, byte[] out, int from, int to) {
        System.arraycopy(inputs[first], from, out, from, to - from);
        for (int k = 1; k < DATA; k++) {
            xorInto(inputs[first + k], out, from, to);
        }
    }

    private static void xorInto(byte[] in, byte[] out, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            LONGS.set(out, i, (long) LONGS.get(out, i) ^ (long) LONGS.get(in, i));
        }
        for (; i < to; i++) {
            out[i] ^= in[i];
        }
    }
}
