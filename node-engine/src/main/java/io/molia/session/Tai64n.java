package io.molia.session;

/**
 * TAI64N timestamps as WireGuard sends them: 8 bytes of seconds (2^62 + 10 + Unix seconds) and 4 bytes of
 * nanoseconds with the low 24 bits cleared (~16.8 ms granularity, so a timestamp does not leak a fine clock),
 * both big-endian. Compared as the Unix time they name ({@link InitiationTimestamps}).
 */
public final class Tai64n {
    public static final int BYTES = 12;
    private static final long EPOCH_LABEL = 0x400000000000000AL;
    private static final int WHITENER_MASK = 0xFFFFFF;
    /** The last second whose nanoseconds fit a long (the year 2262). */
    private static final long MAX_UNIX_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

    private Tai64n() {
    }

    /** Writes the timestamp of {@code unixNanos} (wall-clock time passed in by the driver). */
    public static void write(long unixNanos, byte[] out, int off) {
        long seconds = Math.floorDiv(unixNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(unixNanos, 1_000_000_000L) & ~WHITENER_MASK;
        long label = EPOCH_LABEL + seconds;
        for (int i = 0; i < 8; i++) {
            out[off + i] = (byte) (label >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[off + 8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
    }

    /**
     * The Unix time in nanoseconds a timestamp names, or {@code Long.MIN_VALUE} when it names none a clock could
     * show (nanoseconds of a second beyond 999,999,999, or seconds too far from 1970 to fit a long of nanoseconds).
     */
    public static long toUnixNanos(byte[] in, int off) {
        long label = 0;
        for (int i = 0; i < 8; i++) {
            label = (label << 8) | (in[off + i] & 0xff);
        }
        long nanos = 0;
        for (int i = 0; i < 4; i++) {
            nanos = (nanos << 8) | (in[off + 8 + i] & 0xff);
        }
        long seconds = label - EPOCH_LABEL;
        if (nanos >= 1_000_000_000L || seconds < 0 || seconds > MAX_UNIX_SECONDS) {
            return Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L + nanos;
    }
}
