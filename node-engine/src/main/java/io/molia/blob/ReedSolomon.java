package io.molia.blob;

/**
 * Reed–Solomon erasure code, 10 data + 4 parity fragments over GF(256) (DESIGN §3.7): any 10 of the 14 fragments of
 * a stripe rebuild the other 4. Systematic: fragments 0–9 are the data itself, 10–13 the parity.
 *
 * <p>The parity rows are a Cauchy matrix (every square submatrix of a Cauchy matrix is invertible, so any 10 rows
 * of the generator {@code [I; C]} are), with rows and columns scaled so that parity row 0 and column 0 are all ones:
 * scaling keeps every submatrix invertible, and parity 10 becomes a plain XOR in Java. The multiplying itself is an
 * {@link ErasureEngine}'s: Intel ISA-L's SIMD code where it loads, else Java ({@link ErasureEngines}); both give the
 * same bytes. Chosen by measurement (docs/blobs.md, "Reed–Solomon").
 *
 * <p>Stateless apart from immutable matrices; safe from any thread.
 */
public final class ReedSolomon {
    public static final int DATA = 10;
    public static final int PARITY = 4;
    public static final int TOTAL = DATA + PARITY;
    /** Generator rows 10–13, each {@code DATA} coefficients. */
    private static final int[][] PARITY_ROWS = parityRows();
    private static final int[] PARITY_TARGETS = {DATA, DATA + 1, DATA + 2, DATA + 3};
    private static final ErasureEngine ENGINE = ErasureEngines.engine();
    private static final ErasureEngine.Matrix ENCODER = ENGINE.matrix(PARITY_ROWS);

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
        encode(ENCODER, fragments, off, len);
    }

    /** The parity rows as {@code engine} codes them, for {@link #encode(ErasureEngine.Matrix, byte[][], int, int)}. */
    public static ErasureEngine.Matrix encoder(ErasureEngine engine) {
        return engine == ENGINE ? ENCODER : engine.matrix(PARITY_ROWS);
    }

    /** {@link #encode(byte[][], int, int)} by the engine of {@code encoder} ({@link #encoder}). */
    public static void encode(ErasureEngine.Matrix encoder, byte[][] fragments, int off, int len) {
        checkShape(fragments, off, len);
        encoder.code(fragments, fragments, PARITY_TARGETS, off, len);
    }

    /**
     * Rebuilds the fragments not marked {@code present} from any 10 that are (their arrays must exist, as the outputs).
     *
     * @throws IllegalArgumentException when fewer than 10 fragments are present
     */
    public static void reconstruct(byte[][] fragments, boolean[] present, int off, int len) {
        reconstruct(ENGINE, fragments, present, off, len);
    }

    /** {@link #reconstruct(byte[][], boolean[], int, int)} by {@code engine}. */
    public static void reconstruct(ErasureEngine engine, byte[][] fragments, boolean[] present, int off, int len) {
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
            code(engine, decode, present, 0, inputs, fragments, off, len);
        }
        code(engine, PARITY_ROWS, present, DATA, fragments, fragments, off, len);
    }

    /** {@code outputs[first + r] = rows[r] · inputs} for every row {@code r} whose fragment is not present. */
    private static void code(ErasureEngine engine, int[][] rows, boolean[] present, int first, byte[][] inputs,
            byte[][] outputs, int off, int len) {
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
        engine.matrix(chosen).code(inputs, outputs, targets, off, len);
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
}
