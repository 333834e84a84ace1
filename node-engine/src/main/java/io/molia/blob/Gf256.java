package io.molia.blob;

/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2, the field most
 * Reed–Solomon erasure codes use. Multiplication is a lookup in a 64 KiB table ({@link #MUL}, row = the coefficient),
 * so the coding loops of {@link ReedSolomon} do one load and one XOR per byte and coefficient.
 *
 * <p>Immutable tables; safe from any thread.
 */
final class Gf256 {
    private static final int POLYNOMIAL = 0x11D;
    private static final byte[] EXP = new byte[510];
    private static final int[] LOG = new int[256];
    /** {@code MUL[(a << 8) | b] = a · b}. */
    static final byte[] MUL = new byte[256 * 256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            EXP[i + 255] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                MUL[(a << 8) | b] = (byte) slowMul(a, b);
            }
        }
    }

    private Gf256() {
    }

    private static int slowMul(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]] & 0xFF;
    }

    static int mul(int a, int b) {
        return MUL[(a << 8) | b] & 0xFF;
    }

    static int inverse(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(256)");
        }
        return EXP[255 - LOG[a]] & 0xFF;
    }

    /** Inverts a square matrix in place by Gauss–Jordan elimination; throws when it is singular. */
    static int[][] invert(int[][] m) {
        int n = m.length;
        int[][] inv = new int[n][n];
        for (int i = 0; i < n; i++) {
            inv[i][i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && m[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("singular matrix");
            }
            int[] t = m[pivot];
            m[pivot] = m[col];
            m[col] = t;
            t = inv[pivot];
            inv[pivot] = inv[col];
            inv[col] = t;
            int scale = inverse(m[col][col]);
            for (int j = 0; j < n; j++) {
                m[col][j] = mul(m[col][j], scale);
                inv[col][j] = mul(inv[col][j], scale);
            }
            for (int row = 0; row < n; row++) {
                int f = m[row][col];
                if (row != col && f != 0) {
                    for (int j = 0; j < n; j++) {
                        m[row][j] ^= mul(f, m[col][j]);
                        inv[row][j] ^= mul(f, inv[col][j]);
                    }
                }
            }
        }
        return inv;
    }
}
