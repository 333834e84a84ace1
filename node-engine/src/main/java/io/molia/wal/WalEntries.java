package io.molia.wal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;

/**
 * Encoders of each entry type (version 1) into a caller's buffer: header and payload, sealed with the checksum.
 * Payload layouts (little-endian; diagrams in {@code docs/wal-format.md}):
 * <ul>
 * <li>header: format version u16, shard u16, generation u32, first sequence u64, created wall ms u64 (24 bytes)
 * <li>record_put: key 32, stored wall ms u64, expires wall ms u64, value length u32, value
 * <li>record_delete, record_expire, peer_remove: key or node ID 32
 * <li>peer_add: node ID 32, Ed25519 public key 32, PoW nonce u64, address length u8, address (6 or 18 bytes)
 * <li>peer_score: node ID 32, consecutive failures u32
 * <li>mutable_put: stored wall ms u64, expires wall ms u64, public key 32, seq u64, signature 64, salt length u8,
 *     salt, value length u32, value
 * <li>mutable_remove: key 32
 * <li>provider_put: key 32, stored wall ms u64, expires wall ms u64, public key 32, seq u64, features u64,
 *     signature 64, address count u8, then per address: length u8, address (6 or 18 bytes)
 * <li>provider_remove: key 32, provider node ID 32
 * <li>blob_fragment, blob_manifest: key 32 (placement key, manifest key), the object as pushed (io.molia.blob)
 * <li>republish_add: kind u8 (0 provider, 1 mutable), then a provider_put or mutable_put payload of the record whose
 *     stored field is when it was last published and expires field when it is due again (wall ms)
 * <li>republish_remove: kind u8, key 32
 * </ul>
 */
public final class WalEntries {
    public static final int RECORD_PUT_FIXED_BYTES = 52;
    public static final int HEADER_PAYLOAD_BYTES = 24;

    private WalEntries() {
    }

    public static int header(WalFormat f, byte[] b, int shard, long generation, long firstSequence, long wallMs) {
        int p = WalFormat.HEADER_BYTES;
        b[p] = (byte) WalFormat.FORMAT_VERSION;
        b[p + 1] = (byte) (WalFormat.FORMAT_VERSION >>> 8);
        b[p + 2] = (byte) shard;
        b[p + 3] = (byte) (shard >>> 8);
        WalFormat.putInt(b, p + 4, (int) generation);
        WalFormat.putLong(b, p + 8, firstSequence);
        WalFormat.putLong(b, p + 16, wallMs);
        return f.seal(b, 0, WalFormat.TYPE_HEADER, 1, firstSequence, HEADER_PAYLOAD_BYTES);
    }

    /** Size of the buffer a record_put of {@code valueLength} bytes needs. */
    public static int recordPutBytes(int valueLength) {
        return WalFormat.HEADER_BYTES + RECORD_PUT_FIXED_BYTES + valueLength;
    }

    public static int recordPut(WalFormat f, byte[] b, long seq, NodeId key, byte[] value, long storedWallMs,
            long expiresWallMs) {
        int p = WalFormat.HEADER_BYTES;
        key.writeTo(b, p);
        WalFormat.putLong(b, p + 32, storedWallMs);
        WalFormat.putLong(b, p + 40, expiresWallMs);
        WalFormat.putInt(b, p + 48, value.length);
        System.arraycopy(value, 0, b, p + 52, value.length);
        return f.seal(b, 0, WalFormat.TYPE_RECORD_PUT, 1, seq, RECORD_PUT_FIXED_BYTES + value.length);
    }

    /** record_delete, record_expire or peer_remove: a 32-byte ID. */
    public static int keyOnly(WalFormat f, byte[] b, int type, long seq, NodeId key) {
        key.writeTo(b, WalFormat.HEADER_BYTES);
        return f.seal(b, 0, type, 1, seq, 32);
    }

    public static final int MUTABLE_PUT_FIXED_BYTES = 125;
    public static final int PROVIDER_PUT_FIXED_BYTES = 161;

    /** Size of the buffer a mutable_put of {@code r} needs. */
    public static int mutablePutBytes(MutableRecord r) {
        return WalFormat.HEADER_BYTES + MUTABLE_PUT_FIXED_BYTES + r.salt().length + r.value().length;
    }

    public static int mutablePut(WalFormat f, byte[] b, long seq, MutableRecord r, long storedWallMs,
            long expiresWallMs) {
        int p = WalFormat.HEADER_BYTES;
        WalFormat.putLong(b, p, storedWallMs);
        WalFormat.putLong(b, p + 8, expiresWallMs);
        System.arraycopy(r.publicKey(), 0, b, p + 16, 32);
        WalFormat.putLong(b, p + 48, r.seq());
        System.arraycopy(r.signature(), 0, b, p + 56, 64);
        b[p + 120] = (byte) r.salt().length;
        System.arraycopy(r.salt(), 0, b, p + 121, r.salt().length);
        int at = p + 121 + r.salt().length;
        WalFormat.putInt(b, at, r.value().length);
        System.arraycopy(r.value(), 0, b, at + 4, r.value().length);
        return f.seal(b, 0, WalFormat.TYPE_MUTABLE_PUT, 1, seq, MUTABLE_PUT_FIXED_BYTES + r.salt().length
                + r.value().length);
    }

    /** Bytes a provider_put version 2 adds after the addresses: the announcement's expiry (s) and signature. */
    public static final int PROVIDER_ANNOUNCEMENT_BYTES = 72;

    /**
     * Size of the buffer a provider_put of {@code r} needs, with its announcement or not (at most 4 addresses of 18
     * bytes: under 400).
     */
    public static int providerPutBytes(SignedNodeRecord r, ProvideAnnouncement announcement) {
        int n = WalFormat.HEADER_BYTES + PROVIDER_PUT_FIXED_BYTES;
        for (NodeAddress a : r.addresses()) {
            n += 1 + a.wireLength();
        }
        return n + (announcement == null ? 0 : PROVIDER_ANNOUNCEMENT_BYTES);
    }

    /**
     * A provider_put: version 1 without an announcement; version 2, the same followed by the announcement's expiry
     * (seconds since the epoch, u64) and signature (64), when the entry has one (so it can be handed over after a
     * restart).
     */
    public static int providerPut(WalFormat f, byte[] b, long seq, NodeId key, SignedNodeRecord r,
            ProvideAnnouncement announcement, long storedWallMs, long expiresWallMs) {
        int p = WalFormat.HEADER_BYTES;
        key.writeTo(b, p);
        WalFormat.putLong(b, p + 32, storedWallMs);
        WalFormat.putLong(b, p + 40, expiresWallMs);
        System.arraycopy(r.publicKey(), 0, b, p + 48, 32);
        WalFormat.putLong(b, p + 80, r.seq());
        WalFormat.putLong(b, p + 88, r.features());
        System.arraycopy(r.signature(), 0, b, p + 96, 64);
        b[p + 160] = (byte) r.addresses().size();
        int at = p + 161;
        for (NodeAddress a : r.addresses()) {
            b[at] = (byte) a.wireLength();
            at = a.writeTo(b, at + 1);
        }
        if (announcement == null) {
            return f.seal(b, 0, WalFormat.TYPE_PROVIDER_PUT, 1, seq, at - p);
        }
        WalFormat.putLong(b, at, announcement.expiresSeconds());
        System.arraycopy(announcement.signature(), 0, b, at + 8, 64);
        return f.seal(b, 0, WalFormat.TYPE_PROVIDER_PUT, 2, seq, at + PROVIDER_ANNOUNCEMENT_BYTES - p);
    }

    public static int providerRemove(WalFormat f, byte[] b, long seq, NodeId key, NodeId provider) {
        key.writeTo(b, WalFormat.HEADER_BYTES);
        provider.writeTo(b, WalFormat.HEADER_BYTES + 32);
        return f.seal(b, 0, WalFormat.TYPE_PROVIDER_REMOVE, 1, seq, 64);
    }

    /** republish_add / republish_remove kinds: what the owner re-announces under a key. */
    public static final int REPUBLISH_PROVIDER = 0;
    public static final int REPUBLISH_MUTABLE = 1;
    public static final int REPUBLISH_REMOVE_BYTES = 33;

    /** Size of the buffer a republish_add of {@code provider} or {@code mutable} (one of them null) needs. */
    public static int republishAddBytes(SignedNodeRecord provider, MutableRecord mutable) {
        return 1 + (provider != null ? providerPutBytes(provider, null) : mutablePutBytes(mutable));
    }

    /**
     * What this node republishes as owner: the provider record of {@code key}, or (provider null) {@code mutable},
     * last published at {@code publishedWallMs} and due again at {@code nextWallMs}. Written as the provider_put or
     * mutable_put it would be, behind a kind byte.
     */
    public static int republishAdd(WalFormat f, byte[] b, long seq, NodeId key, SignedNodeRecord provider,
            MutableRecord mutable, long publishedWallMs, long nextWallMs) {
        int n = provider != null ? providerPut(f, b, seq, key, provider, null, publishedWallMs, nextWallMs)
                : mutablePut(f, b, seq, mutable, publishedWallMs, nextWallMs);
        int payload = n - WalFormat.HEADER_BYTES;
        System.arraycopy(b, WalFormat.HEADER_BYTES, b, WalFormat.HEADER_BYTES + 1, payload);
        b[WalFormat.HEADER_BYTES] = (byte) (provider != null ? REPUBLISH_PROVIDER : REPUBLISH_MUTABLE);
        return f.seal(b, 0, WalFormat.TYPE_REPUBLISH_ADD, 1, seq, payload + 1);
    }

    /** The owner no longer republishes what it held of {@code kind} under {@code key}. */
    public static int republishRemove(WalFormat f, byte[] b, long seq, int kind, NodeId key) {
        b[WalFormat.HEADER_BYTES] = (byte) kind;
        key.writeTo(b, WalFormat.HEADER_BYTES + 1);
        return f.seal(b, 0, WalFormat.TYPE_REPUBLISH_REMOVE, 1, seq, REPUBLISH_REMOVE_BYTES);
    }

    /** The record of a mutable_put payload, or null when its lengths do not add up to {@code len}. */
    static MutableRecord readMutable(byte[] b, int off, int len) {
        if (len < MUTABLE_PUT_FIXED_BYTES) {
            return null;
        }
        int saltLength = b[off + 120] & 0xff;
        if (MUTABLE_PUT_FIXED_BYTES + saltLength > len) {
            return null;
        }
        int at = off + 121 + saltLength;
        int valueLength = WalFormat.getInt(b, at);
        if (valueLength < 0 || valueLength != len - MUTABLE_PUT_FIXED_BYTES - saltLength) {
            return null;
        }
        return new MutableRecord(Arrays.copyOfRange(b, off + 16, off + 48), Arrays.copyOfRange(b, off + 121, at),
                WalFormat.getLong(b, off + 48), Arrays.copyOfRange(b, at + 4, at + 4 + valueLength),
                Arrays.copyOfRange(b, off + 56, off + 120));
    }

    /**
     * The announcement at the end of a provider_put version 2 payload of {@code len} bytes (the node record is the
     * {@code len - PROVIDER_ANNOUNCEMENT_BYTES} before it), or null when it is too short.
     */
    static ProvideAnnouncement readAnnouncement(byte[] b, int off, int len) {
        if (len < PROVIDER_PUT_FIXED_BYTES + PROVIDER_ANNOUNCEMENT_BYTES) {
            return null;
        }
        int at = off + len - PROVIDER_ANNOUNCEMENT_BYTES;
        return new ProvideAnnouncement(WalFormat.getLong(b, at), Arrays.copyOfRange(b, at + 8, at + 72));
    }

    /** The node record of a provider_put payload, or null when its addresses do not add up to {@code len}. */
    static SignedNodeRecord readProvider(byte[] b, int off, int len) {
        if (len < PROVIDER_PUT_FIXED_BYTES) {
            return null;
        }
        int count = b[off + 160] & 0xff;
        List<NodeAddress> addresses = new ArrayList<>(count);
        int at = off + 161;
        for (int i = 0; i < count; i++) {
            if (at >= off + len) {
                return null;
            }
            int n = b[at] & 0xff;
            if (at + 1 + n > off + len) {
                return null;
            }
            NodeAddress a = NodeAddress.readFrom(b, at + 1, n);
            if (a == null) {
                return null;
            }
            addresses.add(a);
            at += 1 + n;
        }
        if (at != off + len) {
            return null;
        }
        return new SignedNodeRecord(Arrays.copyOfRange(b, off + 48, off + 80), addresses,
                WalFormat.getLong(b, off + 80), WalFormat.getLong(b, off + 88),
                Arrays.copyOfRange(b, off + 96, off + 160));
    }

    /**
     * A peer of the routing table. Version 1: the contact; version 2 (a relayed server, docs/nat.md): the contact,
     * then its relay's in the same layout, so a restored one is reached through its relay again:
     * <pre>
     *  node ID (32) | public key (32) | PoW nonce (u64) | address length (u8) | address  [| the relay's, alike]
     * </pre>
     */
    public static int peerAdd(WalFormat f, byte[] b, long seq, Contact c) {
        int length = writeContact(b, WalFormat.HEADER_BYTES, c);
        if (c.relay() == null) {
            return f.seal(b, 0, WalFormat.TYPE_PEER_ADD, 1, seq, length);
        }
        length += writeContact(b, WalFormat.HEADER_BYTES + length, c.relay());
        return f.seal(b, 0, WalFormat.TYPE_PEER_ADD, 2, seq, length);
    }

    private static int writeContact(byte[] b, int p, Contact c) {
        c.id().writeTo(b, p);
        System.arraycopy(c.publicKeyBytes(), 0, b, p + 32, 32);
        WalFormat.putLong(b, p + 64, c.powNonce());
        int addressLength = c.address().wireLength();
        b[p + 72] = (byte) addressLength;
        c.address().writeTo(b, p + 73);
        return 73 + addressLength;
    }

    public static int peerScore(WalFormat f, byte[] b, long seq, NodeId id, int failures) {
        int p = WalFormat.HEADER_BYTES;
        id.writeTo(b, p);
        WalFormat.putInt(b, p + 32, failures);
        return f.seal(b, 0, WalFormat.TYPE_PEER_SCORE, 1, seq, 36);
    }

    /** Bytes of a peer_behaviour payload before its counts: node ID, updated (wall ms), count of counts. */
    public static final int PEER_BEHAVIOUR_FIXED_BYTES = 41;
    /** Bytes of a ban payload: kind, target (a node ID, or a subnet key in its first 8 bytes), expires (wall ms). */
    public static final int BAN_BYTES = 41;
    public static final int BAN_PEER = 0;
    public static final int BAN_SUBNET = 1;

    /**
     * A peer's decayed behaviour counts as of {@code updatedWallMs}, by {@code PeerScores.Reason} order, as float32:
     * <pre>
     *  node ID (32) | updated wall ms (u64) | n (u8) | n x count (f32)
     * </pre>
     */
    public static int peerBehaviour(WalFormat f, byte[] b, long seq, NodeId id, long updatedWallMs, double[] counts) {
        int p = WalFormat.HEADER_BYTES;
        id.writeTo(b, p);
        WalFormat.putLong(b, p + 32, updatedWallMs);
        b[p + 40] = (byte) counts.length;
        for (int i = 0; i < counts.length; i++) {
            WalFormat.putInt(b, p + PEER_BEHAVIOUR_FIXED_BYTES + 4 * i, Float.floatToIntBits((float) counts[i]));
        }
        return f.seal(b, 0, WalFormat.TYPE_PEER_BEHAVIOUR, 1, seq, PEER_BEHAVIOUR_FIXED_BYTES + 4 * counts.length);
    }

    /** The counts of a peer_behaviour payload at {@code off} (its length already checked). */
    public static double[] readBehaviourCounts(byte[] b, int off) {
        double[] counts = new double[b[off + 40] & 0xff];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Float.intBitsToFloat(WalFormat.getInt(b, off + PEER_BEHAVIOUR_FIXED_BYTES + 4 * i));
        }
        return counts;
    }

    /**
     * A ban of a peer or a subnet until {@code expiresWallMs}; 0 lifts it:
     * <pre>
     *  kind (u8: 0 peer, 1 subnet) | node ID, or subnet key (u64) and 24 zero bytes (32) | expires wall ms (u64)
     * </pre>
     */
    public static int ban(WalFormat f, byte[] b, long seq, NodeId peer, long subnetKey, long expiresWallMs) {
        int p = WalFormat.HEADER_BYTES;
        java.util.Arrays.fill(b, p, p + BAN_BYTES, (byte) 0);
        if (peer != null) {
            b[p] = BAN_PEER;
            peer.writeTo(b, p + 1);
        } else {
            b[p] = BAN_SUBNET;
            WalFormat.putLong(b, p + 1, subnetKey);
        }
        WalFormat.putLong(b, p + 33, expiresWallMs);
        return f.seal(b, 0, WalFormat.TYPE_BAN, 1, seq, BAN_BYTES);
    }

    /** The contact of a peer_add payload at {@code off}, or null when its address is unreadable. */
    static Contact readContact(byte[] b, int off) {
        NodeAddress address = NodeAddress.readFrom(b, off + 73, b[off + 72] & 0xff);
        if (address == null) {
            return null;
        }
        return new Contact(NodeId.fromBytes(b, off), Arrays.copyOfRange(b, off + 32, off + 64),
                WalFormat.getLong(b, off + 64), address);
    }

    /** Size of the buffer a blob entry of {@code object} needs. */
    public static int blobBytes(byte[] object) {
        return WalFormat.HEADER_BYTES + NodeId.BYTES + object.length;
    }

    /** A blob object held under {@code key}: a fragment ("MF") or a manifest ("MB"), by its magic. */
    public static int blob(WalFormat f, byte[] b, long seq, NodeId key, byte[] object) {
        int p = WalFormat.HEADER_BYTES;
        key.writeTo(b, p);
        System.arraycopy(object, 0, b, p + NodeId.BYTES, object.length);
        int type = object.length >= 2 && object[1] == 'F' ? WalFormat.TYPE_BLOB_FRAGMENT : WalFormat.TYPE_BLOB_MANIFEST;
        return f.seal(b, 0, type, 1, seq, NodeId.BYTES + object.length);
    }

    /** A header payload's fields: format version, shard, generation, first sequence, created wall ms. */
    public record Header(int formatVersion, int shard, long generation, long firstSequence, long createdWallMs) {
        static Header read(byte[] b, int off) {
            return new Header((b[off] & 0xff) | (b[off + 1] & 0xff) << 8, (b[off + 2] & 0xff) | (b[off + 3] & 0xff) << 8,
                    WalFormat.getInt(b, off + 4) & 0xffff_ffffL, WalFormat.getLong(b, off + 8),
                    WalFormat.getLong(b, off + 16));
        }
    }
}
