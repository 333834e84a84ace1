package io.molia.blob;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reed–Solomon erasure code, 10 data + 4 parity fragments over GF(256) (DESIGN §3.7): any 10 of the 14 fragments of
 * a stripe rebuild the other 4. Systematic: fragments 0–9 are the data itself, 10–13 the parity.
 *
 * <p>The parity rows are a Cauchy matrix (every square submatrix of a Cauchy matrix is invertible, so any 10 rows
 * of the generator {@code [I; C]} are), with rows and columns scaled so that parity row 0 and column 0 are all ones:
 * scaling keeps every submatrix invertible, and parity 10 becomes a plain XOR done eight bytes at a time. The other
 * rows are table lookups ({@link Gf256#MUL}), eight bytes of an input read as one long and all rows worked per
 * read, in blocks that stay in the L1 cache. Chosen by measurement over
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
    /** Parity rows 1–3 as multiplication tables: {@code [row][data fragment]} → that coefficient's 256 products. */
    private static final byte[][][] ENCODE_TABLES =
            tables(new int[][] {PARITY_ROWS[1], PARITY_ROWS[2], PARITY_ROWS[3]});
    private static final int[] ENCODE_OUTPUTS_FROM = {DATA + 1, DATA + 2, DATA + 3};

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

    private static byte[][][] tables(int[][] rows) {
        byte[][][] t = new byte[rows.length][DATA][];
        for (int r = 0; r < rows.length; r++) {
            for (int k = 0; k < DATA; k++) {
                int base = rows[r][k] << 8;
                t[r][k] = Arrays.copyOfRange(Gf256.MUL, base, base + 256);
            }
        }
        return t;
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
            codeRows(ENCODE_TABLES, fragments, ENCODE_OUTPUTS_FROM, fragments, block, end);
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
            code(decode, present, 0, inputs, fragments, off, len);
        }
        code(PARITY_ROWS, present, DATA, fragments, fragments, off, len);
    }

    /** {@code outputs[first + r] = rows[r] · inputs} for every row {@code r} whose fragment is not present. */
    private static void code(int[][] rows, boolean[] present, int first, byte[][] inputs, byte[][] outputs, int off,
            int len) {
        int missing = 0;
        for (int r = 0; r < rows.length; r++) {
            missing += present[first + r] ? 0 : 1;
        }
        if (missing == 0) {
            return;
        }
        int[][] chosen = new int[missing][];
        int[] targets = new int[missing];
        int n = 0;
        for (int r = 0; r < rows.length; r++) {
            if (!present[first + r]) {
                chosen[n] = rows[r];
                targets[n++] = first + r;
            }
        }
        byte[][][] tables = tables(chosen);
        for (int block = off; block < off + len; block += BLOCK_BYTES) {
            codeRows(tables, inputs, targets, outputs, block, Math.min(off + len, block + BLOCK_BYTES));
        }
    }

    /**
     * {@code outputs[targets[r]][from, to) = Σ_k tables[r][k] · inputs[k][from, to)} for up to 4 rows, reading each
     * input once: eight input bytes as one long, eight lookups per row packed into one long written at once.
     */
    private static void codeRows(byte[][][] tables, byte[][] inputs, int[] targets, byte[][] outputs, int from,
            int to) {
        int rows = tables.length;
        for (int k = 0; k < DATA; k++) {
            byte[] in = inputs[k];
            boolean first = k == 0;
            for (int r = 0; r < rows; r++) {
                byte[] t = tables[r][k];
                byte[] out = outputs[targets[r]];
                int i = from;
                for (; i + Long.BYTES <= to; i += Long.BYTES) {
                    long v = (long) LONGS.get(in, i);
                    long p = (t[(int) v & 0xFF] & 0xFFL)
                            | (t[(int) (v >>> 8) & 0xFF] & 0xFFL) << 8
                            | (t[(int) (v >>> 16) & 0xFF] & 0xFFL) << 16
                            | (t[(int) (v >>> 24) & 0xFF] & 0xFFL) << 24
                            | (t[(int) (v >>> 32) & 0xFF] & 0xFFL) << 32
                            | (t[(int) (v >>> 40) & 0xFF] & 0xFFL) << 40
                            | (t[(int) (v >>> 48) & 0xFF] & 0xFFL) << 48
                            | (t[(int) (v >>> 56) & 0xFF] & 0xFFL) << 56;
                    LONGS.set(out, i, first ? p : p ^ (long) LONGS.get(out, i));
                }
                for (; i < to; i++) {
                    byte p = t[in[i] & 0xFF];
                    out[i] = first ? p : (byte) (p ^ out[i]);
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
