package io.molia.session;

/**
 * The receive-side sliding window over transport counters (RFC 6479's bitmap of blocks, as wireguard-go's
 * {@code replay} package: (128 − 1) × 64 = 8128 counters behind the highest seen). A counter is accepted once;
 * older than the window or seen before is refused. Check with {@link #check} before decrypting (cheap), and
 * {@link #accept} only after the packet authenticated, so forged packets cannot move the window.
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS = 64;
    private static final int BLOCKS = 128;
    public static final long WINDOW = (long) (BLOCKS - 1) * BLOCK_BITS;

    private final long[] bitmap = new long[BLOCKS];
    private long last;
    private boolean any;

    public boolean check(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        if (!any || counter > last) {
            return true;
        }
        if (last - counter >= WINDOW) {
            return false;
        }
        int block = (int) ((counter / BLOCK_BITS) % BLOCKS);
        return (bitmap[block] & (1L << (counter % BLOCK_BITS))) == 0;
    }

    /** Marks {@code counter} seen; call only after {@link #check} passed and the packet authenticated. */
    public void accept(long counter) {
        long currentBlock = counter / BLOCK_BITS;
        if (!any || counter > last) {
            long lastBlock = any ? last / BLOCK_BITS : currentBlock - 1;
            long clear = Math.min(currentBlock - lastBlock, BLOCKS);
            for (long i = 1; i <= clear; i++) {
                bitmap[(int) ((lastBlock + i) % BLOCKS)] = 0;
            }
            last = counter;
            any = true;
        }
        bitmap[(int) (currentBlock % BLOCKS)] |= 1L << (counter % BLOCK_BITS);
    }
}
