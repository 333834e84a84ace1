package io.molia.wal;

import java.util.zip.CRC32C;

/**
 * The byte layout of one WAL entry, as written inside one Chronicle Queue document (and, unchanged, inside
 * snapshot files). Little-endian, as Chronicle writes. The schema of record is {@code docs/wal-format.md}.
 *
 * <pre>
 *  0       1       2               4                               8
 *  +-------+-------+---------------+-------------------------------+
 *  | type  | ver   | reserved (0)  | payload length (u32)          |
 *  +-------+-------+---------------+-------------------------------+
 *  | sequence (u64): per shard, +1 per entry, never reused         |
 *  +-------------------------------+-------------------------------+
 *  | CRC32C (u32) of bytes 0..15   |  payload ...                  |
 *  |   and of the payload          |                               |
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * Not thread-safe (the scratch CRC); each user holds its own instance.
 */
public final class WalFormat {
    /** Version of the queue layout, written in the HEADER entry that starts every generation. */
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_BYTES = 20;

    public static final int TYPE_HEADER = 0;
    public static final int TYPE_RECORD_PUT = 1;
    public static final int TYPE_RECORD_DELETE = 2;
    public static final int TYPE_RECORD_EXPIRE = 3;
    public static final int TYPE_PEER_ADD = 4;
    public static final int TYPE_PEER_REMOVE = 5;
    public static final int TYPE_PEER_SCORE = 6;
    /** Types 7-10 (provider and signed mutable records): a WAL without them reads as before. */
    public static final int TYPE_MUTABLE_PUT = 7;
    public static final int TYPE_MUTABLE_REMOVE = 8;
    public static final int TYPE_PROVIDER_PUT = 9;
    public static final int TYPE_PROVIDER_REMOVE = 10;
    /** Types 11-12 (behaviour scores and bans, DESIGN §3.5): a WAL without them reads as before. */
    public static final int TYPE_PEER_BEHAVIOUR = 11;
    public static final int TYPE_BAN = 12;
    /** Types 13-14 (blob fragments and manifests a node holds, docs/blobs.md): a WAL without them reads as before. */
    public static final int TYPE_BLOB_FRAGMENT = 13;
    public static final int TYPE_BLOB_MANIFEST = 14;
    /** Type 15: a blob object expired and was removed (its key); a WAL without it reads as before. */
    public static final int TYPE_BLOB_REMOVE = 15;
    /** Types 16-17 (what this node republishes as owner, docs/records.md): a WAL without them reads as before. */
    public static final int TYPE_REPUBLISH_ADD = 16;
    public static final int TYPE_REPUBLISH_REMOVE = 17;
    /** Names by type. */
    private static final String[] NAMES = {"header", "record_put", "record_delete", "record_expire", "peer_add",
        "peer_remove", "peer_score", "mutable_put", "mutable_remove", "provider_put", "provider_remove",
        "peer_behaviour", "ban", "blob_fragment", "blob_manifest", "blob_remove", "republish_add", "republish_remove"};
    /** The newest entry version this build reads, per type; a newer one is reported, never guessed at. */
    private static final int[] MAX_VERSION = {1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1};

    private final CRC32C crc = new CRC32C();

    public static String typeName(int type) {
        return isKnownType(type) ? NAMES[type] : "type_" + type;
    }

    /** The type of a name as {@code dump --type} accepts it, or -1. */
    public static int typeOf(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i] != null && NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    public static int typeCount() {
        return NAMES.length;
    }

    public static boolean isKnownType(int type) {
        return type >= 0 && type < NAMES.length && NAMES[type] != null;
    }

    public static int maxVersion(int type) {
        return MAX_VERSION[type];
    }

    /** Fills the header of the entry whose payload is {@code buf[off+20, off+20+payloadLength)}; returns its size. */
    public int seal(byte[] buf, int off, int type, int version, long sequence, int payloadLength) {
        buf[off] = (byte) type;
        buf[off + 1] = (byte) version;
        buf[off + 2] = 0;
        buf[off + 3] = 0;
        putInt(buf, off + 4, payloadLength);
        putLong(buf, off + 8, sequence);
        putInt(buf, off + 16, checksum(buf, off, payloadLength));
        return HEADER_BYTES + payloadLength;
    }

    /** The CRC32C an entry at {@code off} must carry: over bytes 0..15 and the payload. */
    public int checksum(byte[] buf, int off, int payloadLength) {
        crc.reset();
        crc.update(buf, off, 16);
        crc.update(buf, off + HEADER_BYTES, payloadLength);
        return (int) crc.getValue();
    }

    /**
     * Checks the one entry that fills {@code buf[off, off+len)} on its own: length, checksum, type and version (and a
     * header's payload size). Returns null when it is a valid entry, else what is wrong, in one line. Reads nothing
     * outside that range and throws nothing for any bytes. What needs the entries around it (sequence, the header
     * first) is {@link WalScanner}'s, and what the payload means is {@link WalState#apply}'s.
     */
    public String check(byte[] buf, int off, int len) {
        if (len < HEADER_BYTES) {
            return "entry of " + len + " bytes is shorter than its 20-byte header (torn?)";
        }
        int payload = payloadLength(buf, off);
        if (payload != len - HEADER_BYTES) {
            return "length field says " + payload + " payload bytes, document holds " + (len - HEADER_BYTES)
                    + " (torn or corrupt)";
        }
        int stored = storedChecksum(buf, off);
        int computed = checksum(buf, off, payload);
        if (stored != computed) {
            return String.format("checksum mismatch (stored %08x, computed %08x)", stored, computed);
        }
        if (buf[off + 2] != 0 || buf[off + 3] != 0) {
            return "reserved header bytes are not zero";
        }
        int type = type(buf, off);
        int version = version(buf, off);
        if (!isKnownType(type)) {
            return "unknown entry type " + type + " (written by a newer Molia?)";
        }
        if (version == 0 || version > maxVersion(type)) {
            return typeName(type) + " version " + version + " is unknown to this build (reads up to "
                    + maxVersion(type) + ")";
        }
        if (type == TYPE_HEADER) {
            if (payload != WalEntries.HEADER_PAYLOAD_BYTES) {
                return "header payload of " + payload + " bytes";
            }
            int formatVersion = (buf[off + HEADER_BYTES] & 0xff) | (buf[off + HEADER_BYTES + 1] & 0xff) << 8;
            if (formatVersion == 0) {
                return "queue format 0 does not exist (formats start at 1)";
            }
            if (formatVersion > FORMAT_VERSION) {
                return "queue format " + formatVersion + " is newer than this build reads (" + FORMAT_VERSION + ")";
            }
            long firstSequence = getLong(buf, off + HEADER_BYTES + 8);
            if (sequence(buf, off) != firstSequence) {
                return "header's sequence " + sequence(buf, off) + " differs from its first sequence " + firstSequence;
            }
        }
        return null;
    }

    public static int type(byte[] buf, int off) {
        return buf[off] & 0xff;
    }

    public static int version(byte[] buf, int off) {
        return buf[off + 1] & 0xff;
    }

    public static int payloadLength(byte[] buf, int off) {
        return getInt(buf, off + 4);
    }

    public static long sequence(byte[] buf, int off) {
        return getLong(buf, off + 8);
    }

    public static int storedChecksum(byte[] buf, int off) {
        return getInt(buf, off + 16);
    }

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) v);
        putInt(b, off + 4, (int) (v >>> 32));
    }

    public static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static long getLong(byte[] b, int off) {
        return (getInt(b, off) & 0xffff_ffffL) | ((long) getInt(b, off + 4) << 32);
    }
}
