package io.molia.blob;

/**
 * The two frames of a bulk transfer (DESIGN §3.4), read and written in place. A transfer moves one object (a blob
 * fragment or manifest) as numbered chunks of at most {@link #CHUNK_PAYLOAD_BYTES}, so a frame inside an envelope
 * inside a WireGuard transport message stays within 1,280 bytes on the wire.
 *
 * <pre>
 * DATA: 0      1                 9           13            17             21
 *       +------+-----------------+-----------+-------------+--------------+--------------------+
 *       | 0x01 | transfer id u64 | seq u32   | chunks u32  | object u32   | payload (≤ 1,088)  |
 *       +------+-----------------+-----------+-------------+--------------+--------------------+
 * ACK:  +------+-----------------+-----------------+------------------------------------+
 *       | 0x02 | transfer id u64 | cumulative u32  | selective u64: bit i = chunk       |
 *       |      |                 | (chunks below   | cumulative + 1 + i received        |
 *       |      |                 | all received)   | (chunk cumulative is missing)      |
 *       +------+-----------------+-----------------+------------------------------------+
 * FETCH:    | 0x03 | transfer id u64 | key (32 bytes) |   the holder answers with DATA frames of this id
 * NOT_HELD: | 0x04 | transfer id u64 |                    or this (to a FETCH or a PROBE)
 * PROBE:    | 0x05 | probe id u64    | key (32 bytes) |   does the holder hold it? answered by NOT_HELD or
 * HELD:     | 0x06 | probe id u64    | hash (32)      | checked age u32 |   the fragment's data hash (as its
 *                                                          header carries it and the manifest lists it); the key for
 *                                                          a manifest; then seconds since the holder last checked
 *                                                          the stripe whole ({@link #NEVER_CHECKED}: not that it
 *                                                          knows). A HELD of 41 bytes (before the age) reads as never.
 * big-endian
 * </pre>
 *
 * <p>PROBE and HELD (2026-12-03) let a repair check learn which fragments of a stripe are held without fetching them
 * (docs/blobs.md "Repair"): one datagram each way instead of a fragment's 61 chunks. The checked age (2026-12-03) lets a
 * holder leave a stripe to a sibling's holder that checked it whole recently, and check it itself otherwise.
 *
 * <p>Static methods over the caller's arrays; no state.
 */
public final class BulkFrame {
    public static final int DATA = 1;
    public static final int ACK = 2;
    public static final int FETCH = 3;
    public static final int NOT_HELD = 4;
    public static final int PROBE = 5;
    public static final int HELD = 6;
    public static final int FETCH_BYTES = 41;
    public static final int NOT_HELD_BYTES = 9;
    public static final int PROBE_BYTES = 41;
    public static final int HELD_BYTES = 45;
    /** A HELD without the checked age, as nodes sent it before 2026-12-03: still read (the age is never). */
    public static final int HELD_WITHOUT_AGE_BYTES = 41;
    /** The checked age of a holder that never checked the stripe whole (or forgot it): u32 all ones. */
    public static final long NEVER_CHECKED = 0xFFFF_FFFFL;
    public static final int DATA_HEADER_BYTES = 21;
    public static final int ACK_BYTES = 21;
    /** 1,088 payload bytes + 21 of header leave 75 bytes of the 1,184 an inner message may take for the envelope. */
    public static final int CHUNK_PAYLOAD_BYTES = 1_088;
    public static final int MAX_DATA_BYTES = DATA_HEADER_BYTES + CHUNK_PAYLOAD_BYTES;
    /** Decode results of {@link #check}. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int UNKNOWN_TYPE = 2;
    public static final int BAD_SHAPE = 3;

    private BulkFrame() {
    }

    public static int writeData(byte[] out, int off, long transferId, int seq, int chunks, int objectBytes,
            byte[] payload, int payloadOff, int payloadLen) {
        out[off] = DATA;
        putLong(out, off + 1, transferId);
        putInt(out, off + 9, seq);
        putInt(out, off + 13, chunks);
        putInt(out, off + 17, objectBytes);
        System.arraycopy(payload, payloadOff, out, off + DATA_HEADER_BYTES, payloadLen);
        return DATA_HEADER_BYTES + payloadLen;
    }

    public static int writeAck(byte[] out, int off, long transferId, int cumulative, long selective) {
        out[off] = ACK;
        putLong(out, off + 1, transferId);
        putInt(out, off + 9, cumulative);
        putLong(out, off + 13, selective);
        return ACK_BYTES;
    }

    public static int writeFetch(byte[] out, int off, long transferId, byte[] key) {
        out[off] = FETCH;
        putLong(out, off + 1, transferId);
        System.arraycopy(key, 0, out, off + 9, 32);
        return FETCH_BYTES;
    }

    public static int writeNotHeld(byte[] out, int off, long transferId) {
        out[off] = NOT_HELD;
        putLong(out, off + 1, transferId);
        return NOT_HELD_BYTES;
    }

    public static int writeProbe(byte[] out, int off, long probeId, byte[] key) {
        out[off] = PROBE;
        putLong(out, off + 1, probeId);
        System.arraycopy(key, 0, out, off + 9, 32);
        return PROBE_BYTES;
    }

    /**
     * HELD for probe {@code probeId}: {@code hash[hashOff, + 32)} names what is held; {@code checkedAgeS}: seconds
     * since this holder last checked the stripe whole, {@link #NEVER_CHECKED} if it did not (an age that large reads
     * as never).
     */
    public static int writeHeld(byte[] out, int off, long probeId, byte[] hash, int hashOff, long checkedAgeS) {
        out[off] = HELD;
        putLong(out, off + 1, probeId);
        System.arraycopy(hash, hashOff, out, off + 9, 32);
        putInt(out, off + 41, (int) Math.min(Math.max(checkedAgeS, 0), NEVER_CHECKED));
        return HELD_BYTES;
    }

    /** The checked age of a well-formed HELD of {@code len} bytes: {@link #NEVER_CHECKED} for one without it. */
    public static long checkedAgeS(byte[] in, int off, int len) {
        return len == HELD_BYTES ? getInt(in, off + 41) : NEVER_CHECKED;
    }

    /** The key a FETCH or PROBE asks for, or the hash a HELD carries: {@code in[keyOffset(off), + 32)}. */
    public static int keyOffset(int off) {
        return off + 9;
    }

    /**
     * Whether {@code in[off, off + len)} is a well-formed frame: OK, or why not. A DATA frame is well formed when
     * {@code seq < chunks}, its object size needs exactly {@code chunks} chunks, and its payload is that chunk's size.
     */
    public static int check(byte[] in, int off, int len) {
        if (len < 1) {
            return TRUNCATED;
        }
        int type = in[off];
        if (type == ACK || type == FETCH || type == NOT_HELD || type == PROBE || type == HELD) {
            int size = switch (type) {
                case ACK -> ACK_BYTES;
                case FETCH -> FETCH_BYTES;
                case NOT_HELD -> NOT_HELD_BYTES;
                case PROBE -> PROBE_BYTES;
                default -> HELD_BYTES;
            };
            if (type == HELD && len == HELD_WITHOUT_AGE_BYTES) {
                return OK;
            }
            return len == size ? OK : len < size ? TRUNCATED : BAD_SHAPE;
        }
        if (type != DATA) {
            return UNKNOWN_TYPE;
        }
        if (len < DATA_HEADER_BYTES) {
            return TRUNCATED;
        }
        long seq = seq(in, off);
        long chunks = chunks(in, off);
        long objectBytes = objectBytes(in, off);
        if (objectBytes == 0 || chunks != chunksFor(objectBytes) || seq >= chunks) {
            return BAD_SHAPE;
        }
        return len - DATA_HEADER_BYTES == chunkBytes(objectBytes, seq) ? OK : BAD_SHAPE;
    }

    public static long chunksFor(long objectBytes) {
        return (objectBytes + CHUNK_PAYLOAD_BYTES - 1) / CHUNK_PAYLOAD_BYTES;
    }

    /** Payload bytes of chunk {@code seq} of an object: {@link #CHUNK_PAYLOAD_BYTES} but for the last. */
    public static int chunkBytes(long objectBytes, long seq) {
        return (int) Math.min(CHUNK_PAYLOAD_BYTES, objectBytes - seq * CHUNK_PAYLOAD_BYTES);
    }

    public static int type(byte[] in, int off) {
        return in[off];
    }

    public static long transferId(byte[] in, int off) {
        return getLong(in, off + 1);
    }

    public static long seq(byte[] in, int off) {
        return getInt(in, off + 9);
    }

    public static long chunks(byte[] in, int off) {
        return getInt(in, off + 13);
    }

    public static long objectBytes(byte[] in, int off) {
        return getInt(in, off + 17);
    }

    public static long cumulative(byte[] in, int off) {
        return getInt(in, off + 9);
    }

    public static long selective(byte[] in, int off) {
        return getLong(in, off + 13);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }

    /** Unsigned. */
    private static long getInt(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static long getLong(byte[] b, int at) {
        return (getInt(b, at) << 32) | getInt(b, at + 4);
    }
}
