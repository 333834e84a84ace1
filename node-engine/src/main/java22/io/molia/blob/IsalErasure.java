package io.molia.blob;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The {@link ErasureEngine} of Intel ISA-L (Debian's {@code libisal2}: {@code ec_encode_data}, AVX2/AVX-512 nibble
 * tables over the same field, polynomial 0x11D) through the FFM API: JDK 22+ only, so it lives in the jar's
 * {@code META-INF/versions/22} slice and {@link ErasureEngines} loads it by name. Loading the class fails when the
 * library cannot be loaded.
 *
 * <p>ISA-L takes arrays of pointers, which heap arrays cannot be in: each thread copies its inputs, a chunk at a
 * time, into native buffers of its own (made once, in L2) and the outputs back. The copies cost about a third of the
 * time (docs/blobs.md, "Reed–Solomon"). The calls are "critical" downcalls, so the tables may stay a Java array: each
 * works one chunk, tens of microseconds at most, and never calls back into Java.
 */
final class IsalErasure implements ErasureEngine {
    private static final String[] LIBRARY_NAMES = {"libisal.so.2", "libisal.so"};
    /** Bytes of every fragment per call: 14 chunks of 16 KiB stay in a 256 KiB L2. */
    private static final int CHUNK = 16_384;
    private static final int MAX_ROWS = ReedSolomon.PARITY;
    private static final int TABLE_BYTES = 32;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBRARY = load();
    private static final MethodHandle INIT_TABLES = function("ec_init_tables",
            FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ENCODE = function("ec_encode_data",
            FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    @Override
    public String name() {
        return "isa-l";
    }

    @Override
    public Matrix matrix(int[][] rows) {
        if (rows.length > MAX_ROWS) {
            throw new IllegalArgumentException("at most " + MAX_ROWS + " rows, not " + rows.length);
        }
        byte[] coefficients = new byte[rows.length * ReedSolomon.DATA];
        for (int r = 0; r < rows.length; r++) {
            for (int k = 0; k < ReedSolomon.DATA; k++) {
                coefficients[r * ReedSolomon.DATA + k] = (byte) rows[r][k];
            }
        }
        byte[] tables = new byte[TABLE_BYTES * coefficients.length];
        try {
            INIT_TABLES.invokeExact(ReedSolomon.DATA, rows.length, MemorySegment.ofArray(coefficients),
                    MemorySegment.ofArray(tables));
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return new Tables(rows.length, tables);
    }

    /** The rows as ISA-L's tables: 32 bytes per coefficient (its products with every low and every high nibble). */
    private record Tables(int rows, byte[] tables) implements Matrix {
        @Override
        public void code(byte[][] inputs, byte[][] outputs, int[] targets, int off, int len) {
            if (targets.length != rows) {
                throw new IllegalArgumentException(rows + " rows, " + targets.length + " targets");
            }
            Buffers b = BUFFERS.get();
            MemorySegment heapTables = MemorySegment.ofArray(tables);
            for (int at = off; at < off + len; at += CHUNK) {
                int n = Math.min(CHUNK, off + len - at);
                for (int k = 0; k < ReedSolomon.DATA; k++) {
                    MemorySegment.copy(inputs[k], at, b.chunks, JAVA_BYTE, (long) k * CHUNK, n);
                }
                try {
                    ENCODE.invokeExact(n, ReedSolomon.DATA, rows, heapTables, b.inputs, b.outputs);
                } catch (Throwable e) {
                    throw rethrow(e);
                }
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(b.chunks, JAVA_BYTE, (long) (ReedSolomon.DATA + r) * CHUNK,
                            outputs[targets[r]], at, n);
                }
            }
        }
    }

    /** One thread's native chunks (10 inputs, then 4 outputs) and the two arrays of pointers to them. */
    private static final class Buffers {
        final MemorySegment chunks;
        final MemorySegment inputs;
        final MemorySegment outputs;

        Buffers() {
            Arena arena = Arena.ofAuto(); // freed with this thread's buffers
            chunks = arena.allocate((long) ReedSolomon.TOTAL * CHUNK, 64);
            inputs = arena.allocate(ADDRESS, ReedSolomon.DATA);
            outputs = arena.allocate(ADDRESS, MAX_ROWS);
            for (int k = 0; k < ReedSolomon.DATA; k++) {
                inputs.setAtIndex(ADDRESS, k, chunks.asSlice((long) k * CHUNK, CHUNK));
            }
            for (int r = 0; r < MAX_ROWS; r++) {
                outputs.setAtIndex(ADDRESS, r, chunks.asSlice((long) (ReedSolomon.DATA + r) * CHUNK, CHUNK));
            }
        }
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBRARY.find(name).orElseThrow(), descriptor, Linker.Option.critical(true));
    }

    private static SymbolLookup load() {
        IllegalArgumentException missing = null;
        for (String name : LIBRARY_NAMES) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                missing = missing == null ? e : missing; // the versioned name's error says what to install
            }
        }
        throw missing;
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new AssertionError(e);
    }
}
