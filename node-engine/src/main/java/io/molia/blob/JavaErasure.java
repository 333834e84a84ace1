package io.molia.blob;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The {@link ErasureEngine} in plain Java: a row of all ones is a plain XOR done eight bytes at a time; the other
 * rows are table lookups ({@link Gf256#MUL}), eight bytes of an input read as one long and all rows worked per read,
 * in blocks that stay in the L1 cache. About 0.8 GB/s per core (docs/blobs.md, "Measured").
 */
final class JavaErasure implements ErasureEngine {
    static final JavaErasure INSTANCE = new JavaErasure();
    /** Bytes of every fragment worked per pass, so the 14 fragments' blocks stay in a 32 KiB L1 data cache. */
    private static final int BLOCK_BYTES = 2_048;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private JavaErasure() {
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Matrix matrix(int[][] rows) {
        return new Tables(rows);
    }

    /** Each row's coefficients as multiplication tables, but a row of all ones, which is XOR. */
    private static final class Tables implements Matrix {
        /** The row of all ones, or -1. */
        private final int xorRow;
        /** {@code [other row][input]} → that coefficient's 256 products. */
        private final byte[][][] tables;
        /** The row number of each of {@link #tables}. */
        private final int[] tableRows;

        Tables(int[][] rows) {
            int ones = -1;
            for (int r = 0; r < rows.length && ones < 0; r++) {
                ones = Arrays.stream(rows[r]).allMatch(c -> c == 1) ? r : -1;
            }
            xorRow = ones;
            int others = rows.length - (ones < 0 ? 0 : 1);
            tables = new byte[others][ReedSolomon.DATA][];
            tableRows = new int[others];
            int n = 0;
            for (int r = 0; r < rows.length; r++) {
                if (r == ones) {
                    continue;
                }
                for (int k = 0; k < ReedSolomon.DATA; k++) {
                    int base = rows[r][k] << 8;
                    tables[n][k] = Arrays.copyOfRange(Gf256.MUL, base, base + 256);
                }
                tableRows[n++] = r;
            }
        }

        @Override
        public void code(byte[][] inputs, byte[][] outputs, int[] targets, int off, int len) {
            for (int block = off; block < off + len; block += BLOCK_BYTES) {
                int end = Math.min(off + len, block + BLOCK_BYTES);
                if (xorRow >= 0) {
                    xorRow(inputs, outputs[targets[xorRow]], block, end);
                }
                codeRows(inputs, outputs, targets, block, end);
            }
        }

        /**
         * The table rows of {@code [from, to)}, reading each input once: eight input bytes as one long, eight lookups
         * per row packed into one long written at once.
         */
        private void codeRows(byte[][] inputs, byte[][] outputs, int[] targets, int from, int to) {
            for (int k = 0; k < ReedSolomon.DATA; k++) {
                byte[] in = inputs[k];
                boolean first = k == 0;
                for (int r = 0; r < tables.length; r++) {
                    byte[] t = tables[r][k];
                    byte[] out = outputs[targets[tableRows[r]]];
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
    }

    /** {@code out[from, to) = XOR of inputs[0 .. DATA)[from, to)}. */
    private static void xorRow(byte[][] inputs, byte[] out, int from, int to) {
        System.arraycopy(inputs[0], from, out, from, to - from);
        for (int k = 1; k < ReedSolomon.DATA; k++) {
            byte[] in = inputs[k];
            int i = from;
            for (; i + Long.BYTES <= to; i += Long.BYTES) {
                LONGS.set(out, i, (long) LONGS.get(out, i) ^ (long) LONGS.get(in, i));
            }
            for (; i < to; i++) {
                out[i] ^= in[i];
            }
        }
    }
}
