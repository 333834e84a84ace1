package io.molia.blob;

/**
 * What multiplies fragments by a matrix over GF(256) for {@link ReedSolomon}: the one step encode and rebuild share,
 * {@code outputs = rows · inputs}. Two implementations compute the same bytes: {@link JavaErasure} (plain Java, always
 * there) and ISA-L's SIMD code through the FFM API on JDK 22+ ({@code IsalErasure}); {@link ErasureEngines} chooses.
 */
public interface ErasureEngine {
    /** {@code "java"} or {@code "isa-l"}, for logs and tests. */
    String name();

    /** These rows ({@code rows.length} ≤ 4 rows of {@link ReedSolomon#DATA} coefficients), ready to code with. */
    Matrix matrix(int[][] rows);

    /** A matrix with whatever tables its engine multiplies by, made once; safe from any thread. */
    interface Matrix {
        /**
         * {@code outputs[targets[r]][off, off + len) = Σ_k rows[r][k] · inputs[k][off, off + len)} for every row
         * {@code r}, {@code k} below {@link ReedSolomon#DATA}. No output may be one of the inputs.
         */
        void code(byte[][] inputs, byte[][] outputs, int[] targets, int off, int len);
    }
}
