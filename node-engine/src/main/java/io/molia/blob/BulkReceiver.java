package io.molia.blob;

/**
 * Receives one object of a bulk transfer ({@link BulkSender}): places each DATA frame's chunk and answers with an
 * ACK naming the lowest chunk still missing and which of the 64 after it arrived. Duplicates and frames that do not
 * fit the transfer's first frame (another size or chunk count) change nothing.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class BulkReceiver {
    private final long transferId;
    private final int objectBytes;
    private final int chunks;
    private final byte[] object;
    private final boolean[] received;
    private int receivedCount;
    private int cumulative;
    private long duplicates;
    private long mismatched;

    /** Starts from a transfer's first DATA frame to arrive (any chunk), which {@link BulkFrame#check} passed. */
    public BulkReceiver(byte[] firstFrame, int off) {
        this.transferId = BulkFrame.transferId(firstFrame, off);
        this.objectBytes = (int) BulkFrame.objectBytes(firstFrame, off);
        this.chunks = (int) BulkFrame.chunks(firstFrame, off);
        this.object = new byte[objectBytes];
        this.received = new boolean[chunks];
    }

    public long transferId() {
        return transferId;
    }

    public int objectBytes() {
        return objectBytes;
    }

    /** Takes a well-formed DATA frame; returns whether it brought a chunk not held before. */
    public boolean onData(byte[] in, int off, int len) {
        if (BulkFrame.transferId(in, off) != transferId || BulkFrame.objectBytes(in, off) != objectBytes) {
            mismatched++;
            return false;
        }
        int seq = (int) BulkFrame.seq(in, off);
        if (received[seq]) {
            duplicates++;
            return false;
        }
        System.arraycopy(in, off + BulkFrame.DATA_HEADER_BYTES, object, seq * BulkFrame.CHUNK_PAYLOAD_BYTES,
                len - BulkFrame.DATA_HEADER_BYTES);
        received[seq] = true;
        receivedCount++;
        while (cumulative < chunks && received[cumulative]) {
            cumulative++;
        }
        return true;
    }

    /** Writes the ACK of what has arrived so far; returns its length. */
    public int writeAck(byte[] out, int off) {
        long selective = 0;
        for (int bit = 0; bit < 64; bit++) {
            int i = cumulative + 1 + bit;
            if (i < chunks && received[i]) {
                selective |= 1L << bit;
            }
        }
        return BulkFrame.writeAck(out, off, transferId, cumulative, selective);
    }

    public boolean complete() {
        return receivedCount == chunks;
    }

    /** The object, once {@link #complete}. */
    public byte[] object() {
        if (!complete()) {
            throw new IllegalStateException(receivedCount + " of " + chunks + " chunks received");
        }
        return object;
    }

    public long duplicates() {
        return duplicates;
    }

    public long mismatched() {
        return mismatched;
    }
}
