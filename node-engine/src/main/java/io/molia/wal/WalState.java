package io.molia.wal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;

/**
 * The durable state of one shard as the WAL describes it: records with wall-clock times, and the peerstore.
 * Replay applies entries to it in sequence order; recovery, {@code molia wal replay}, compaction and the digest all
 * use this one class, so the node and the tools cannot disagree on what a WAL means. Expired records stay until an
 * EXPIRE entry removes them: replay is a function of the entries alone, never of the clock.
 *
 * <p>Not thread-safe.
 */
public final class WalState {
    /** A record as journaled: value, when stored and when it expires (milliseconds since the epoch). */
    public record Record(byte[] value, long storedWallMs, long expiresWallMs) {
    }

    /** A peerstore entry: the contact and its consecutive failures. */
    public record Peer(Contact contact, int failures) {
    }

    /** A signed mutable record as journaled, with its wall-clock times. */
    public record Mutable(MutableRecord record, long storedWallMs, long expiresWallMs) {
    }

    /** A provider of a key as journaled, with its announcement (null when none) and its wall-clock times. */
    public record Provider(NodeId key, SignedNodeRecord record, ProvideAnnouncement announcement, long storedWallMs,
            long expiresWallMs) {
    }

    /** A peer's decayed behaviour counts ({@code PeerScores.Reason} order) as of a wall-clock time. */
    public record Behaviour(NodeId id, long updatedWallMs, double[] counts) {
    }

    /** A ban of a peer ({@code peer} set) or of a subnet ({@code peer} null: {@code subnetKey}) until a wall time. */
    public record Ban(NodeId peer, long subnetKey, long expiresWallMs) {
    }

    /**
     * A record this node republishes as owner: the provider record of {@code key} ({@code provider} set) or a signed
     * mutable record ({@code mutable} set, key = its key), last published and next due (wall ms).
     */
    public record Republish(NodeId key, SignedNodeRecord provider, MutableRecord mutable, long publishedWallMs,
            long nextWallMs) {
        public int kind() {
            return provider != null ? WalEntries.REPUBLISH_PROVIDER : WalEntries.REPUBLISH_MUTABLE;
        }
    }

    private record RepublishId(int kind, NodeId key) {
    }

    /** Oldest published first, as the owner's bounded list forgets them. */
    private final Map<RepublishId, Republish> republishes = new LinkedHashMap<>();

    /** What this node republishes as owner, oldest published first. */
    public List<Republish> republishList() {
        return new ArrayList<>(republishes.values());
    }

    /** Adds or replaces (moving it to the newest) what is republished under the entry's kind and key. */
    public void putRepublish(Republish r) {
        RepublishId id = new RepublishId(r.kind(), r.key());
        republishes.remove(id);
        republishes.put(id, r);
    }

    private final Map<NodeId, byte[]> blobs = new LinkedHashMap<>();

    /** Blob objects (fragments and manifests) by the key they are held under; checked when a store takes them. */
    public Map<NodeId, byte[]> blobs() {
        return Collections.unmodifiableMap(blobs);
    }

    public void putBlob(NodeId key, byte[] object) {
        blobs.put(key, object);
    }

    private final Map<NodeId, Behaviour> behaviours = new LinkedHashMap<>();
    private final Map<NodeId, Ban> peerBans = new LinkedHashMap<>();
    private final Map<Long, Ban> subnetBans = new LinkedHashMap<>();

    public Map<NodeId, Behaviour> behaviours() {
        return Collections.unmodifiableMap(behaviours);
    }

    public void putBehaviour(Behaviour b) {
        behaviours.put(b.id(), b);
    }

    /** The bans in force as journaled (expired ones too: replay never reads the clock), peers first. */
    public List<Ban> bans() {
        List<Ban> out = new ArrayList<>(peerBans.values());
        out.addAll(subnetBans.values());
        return out;
    }

    /** Sets a ban, or lifts it when {@code expiresWallMs} is 0. */
    public void putBan(Ban b) {
        if (b.peer() != null) {
            if (b.expiresWallMs() == 0) {
                peerBans.remove(b.peer());
            } else {
                peerBans.put(b.peer(), b);
            }
        } else if (b.expiresWallMs() == 0) {
            subnetBans.remove(b.subnetKey());
        } else {
            subnetBans.put(b.subnetKey(), b);
        }
    }

    private final Map<NodeId, Mutable> mutables = new LinkedHashMap<>();
    /** Key, then provider ID. */
    private final Map<NodeId, Map<NodeId, Provider>> providers = new LinkedHashMap<>();

    public Map<NodeId, Mutable> mutables() {
        return Collections.unmodifiableMap(mutables);
    }

    public void putMutable(Mutable m) {
        mutables.put(m.record().key(), m);
    }

    public void putProvider(Provider p) {
        providers.computeIfAbsent(p.key(), k -> new LinkedHashMap<>()).put(p.record().id(), p);
    }

    /** The entry of {@code provider} for {@code key}, or null. */
    public Provider provider(NodeId key, NodeId provider) {
        Map<NodeId, Provider> byProvider = providers.get(key);
        return byProvider == null ? null : byProvider.get(provider);
    }

    /** Every provider entry, key by key. */
    public List<Provider> providerList() {
        List<Provider> out = new ArrayList<>();
        for (Map<NodeId, Provider> byProvider : providers.values()) {
            out.addAll(byProvider.values());
        }
        return out;
    }

    private Map<NodeId, Record> records = new HashMap<>();
    private final Map<NodeId, Peer> peers = new LinkedHashMap<>();
    private final long[] applied = new long[WalFormat.typeCount()];
    private long recordBytes;

    public Map<NodeId, Record> records() {
        return Collections.unmodifiableMap(records);
    }

    public Map<NodeId, Peer> peers() {
        return Collections.unmodifiableMap(peers);
    }

    /** The records without the read-only wrapper, for the digest's tight loop. */
    Map<NodeId, Record> rawRecords() {
        return records;
    }

    /**
     * Makes room for {@code more} records up front (replay knows roughly how many entries a queue holds): one
     * allocation instead of a chain of rehashes of a map of a million entries.
     */
    public void expectRecords(long more) {
        long want = records.size() + more;
        if (want > 4_096 && want < Integer.MAX_VALUE / 2) {
            Map<NodeId, Record> bigger = HashMap.newHashMap((int) want);
            bigger.putAll(records);
            records = bigger;
        }
    }

    public long recordBytes() {
        return recordBytes;
    }

    /** Entries applied, by type. */
    public long applied(int type) {
        return applied[type];
    }

    public long appliedTotal() {
        long n = 0;
        for (long a : applied) {
            n += a;
        }
        return n;
    }

    public void putRecord(NodeId key, Record r) {
        Record old = records.put(key, r);
        recordBytes += r.value().length - (old == null ? 0 : old.value().length);
    }

    public void removeRecord(NodeId key) {
        Record old = records.remove(key);
        if (old != null) {
            recordBytes -= old.value().length;
        }
    }

    public void putPeer(Contact c, int failures) {
        peers.put(c.id(), new Peer(c, failures));
    }

    /** Peers in the order they were added (oldest first), as the routing table should see them again. */
    public List<Peer> peerList() {
        return new ArrayList<>(peers.values());
    }

    /**
     * Applies one validated entry (type and version known, checksum good). Returns null, or what is wrong with the
     * payload (a length that does not match its type).
     */
    public String apply(int type, byte[] buf, int payloadOff, int payloadLength) {
        switch (type) {
            case WalFormat.TYPE_HEADER -> {
                // generation boundary: nothing to apply
            }
            case WalFormat.TYPE_RECORD_PUT -> {
                if (payloadLength < 52) {
                    return "record_put payload of " + payloadLength + " bytes is shorter than 52";
                }
                int valueLength = WalFormat.getInt(buf, payloadOff + 48);
                if (valueLength != payloadLength - 52) {
                    return "record_put value length " + valueLength + " does not match payload " + payloadLength;
                }
                NodeId key = NodeId.fromBytes(buf, payloadOff);
                byte[] value = new byte[valueLength];
                System.arraycopy(buf, payloadOff + 52, value, 0, valueLength);
                putRecord(key, new Record(value, WalFormat.getLong(buf, payloadOff + 32),
                        WalFormat.getLong(buf, payloadOff + 40)));
            }
            case WalFormat.TYPE_RECORD_DELETE, WalFormat.TYPE_RECORD_EXPIRE -> {
                if (payloadLength != 32) {
                    return WalFormat.typeName(type) + " payload of " + payloadLength + " bytes, expected 32";
                }
                removeRecord(NodeId.fromBytes(buf, payloadOff));
            }
            case WalFormat.TYPE_PEER_ADD -> {
                // version 2: the relay the peer is reached through follows it, in the same layout
                boolean relayed = WalFormat.version(buf, payloadOff - WalFormat.HEADER_BYTES) == 2;
                int own = payloadLength < 73 ? -1 : 73 + (buf[payloadOff + 72] & 0xff);
                int relay = relayed && own >= 0 && payloadLength >= own + 73
                        ? 73 + (buf[payloadOff + own + 72] & 0xff) : 0;
                if (own < 0 || payloadLength != own + relay || relayed && relay == 0) {
                    return "peer_add payload of " + payloadLength + " bytes does not match its address length";
                }
                Contact c = WalEntries.readContact(buf, payloadOff);
                Contact via = relayed ? WalEntries.readContact(buf, payloadOff + own) : null;
                if (c == null || relayed && via == null) {
                    return "peer_add carries an unreadable address";
                }
                c = via == null ? c : c.withRelay(via);
                Peer old = peers.remove(c.id());
                peers.put(c.id(), new Peer(c, old == null ? 0 : old.failures()));
            }
            case WalFormat.TYPE_PEER_REMOVE -> {
                if (payloadLength != 32) {
                    return "peer_remove payload of " + payloadLength + " bytes, expected 32";
                }
                peers.remove(NodeId.fromBytes(buf, payloadOff));
            }
            case WalFormat.TYPE_PEER_SCORE -> {
                if (payloadLength != 36) {
                    return "peer_score payload of " + payloadLength + " bytes, expected 36";
                }
                NodeId id = NodeId.fromBytes(buf, payloadOff);
                Peer p = peers.get(id);
                if (p != null) {
                    peers.put(id, new Peer(p.contact(), WalFormat.getInt(buf, payloadOff + 32)));
                }
            }
            case WalFormat.TYPE_MUTABLE_PUT -> {
                MutableRecord r = WalEntries.readMutable(buf, payloadOff, payloadLength);
                if (r == null) {
                    return "mutable_put payload of " + payloadLength
                            + " bytes does not match its salt and value lengths";
                }
                putMutable(new Mutable(r, WalFormat.getLong(buf, payloadOff), WalFormat.getLong(buf, payloadOff + 8)));
            }
            case WalFormat.TYPE_MUTABLE_REMOVE -> {
                if (payloadLength != 32) {
                    return "mutable_remove payload of " + payloadLength + " bytes, expected 32";
                }
                mutables.remove(NodeId.fromBytes(buf, payloadOff));
            }
            case WalFormat.TYPE_PROVIDER_PUT -> {
                // version 2: the provider's announcement follows the addresses (the version precedes the payload)
                boolean announced = WalFormat.version(buf, payloadOff - WalFormat.HEADER_BYTES) == 2;
                ProvideAnnouncement a = announced ? WalEntries.readAnnouncement(buf, payloadOff, payloadLength) : null;
                SignedNodeRecord r = announced && a == null ? null : WalEntries.readProvider(buf, payloadOff,
                        announced ? payloadLength - WalEntries.PROVIDER_ANNOUNCEMENT_BYTES : payloadLength);
                if (r == null) {
                    return "provider_put payload of " + payloadLength + " bytes does not match its addresses";
                }
                putProvider(new Provider(NodeId.fromBytes(buf, payloadOff), r, a,
                        WalFormat.getLong(buf, payloadOff + 32), WalFormat.getLong(buf, payloadOff + 40)));
            }
            case WalFormat.TYPE_PROVIDER_REMOVE -> {
                if (payloadLength != 64) {
                    return "provider_remove payload of " + payloadLength + " bytes, expected 64";
                }
                NodeId key = NodeId.fromBytes(buf, payloadOff);
                Map<NodeId, Provider> byProvider = providers.get(key);
                if (byProvider != null) {
                    byProvider.remove(NodeId.fromBytes(buf, payloadOff + 32));
                    if (byProvider.isEmpty()) {
                        providers.remove(key);
                    }
                }
            }
            case WalFormat.TYPE_PEER_BEHAVIOUR -> {
                if (payloadLength < WalEntries.PEER_BEHAVIOUR_FIXED_BYTES || payloadLength
                        != WalEntries.PEER_BEHAVIOUR_FIXED_BYTES + 4 * (buf[payloadOff + 40] & 0xff)) {
                    return "peer_behaviour payload of " + payloadLength + " bytes does not match its count";
                }
                double[] counts = WalEntries.readBehaviourCounts(buf, payloadOff);
                for (double c : counts) {
                    if (!(c >= 0) || Double.isInfinite(c)) {
                        return "peer_behaviour count " + c + " is not a finite count";
                    }
                }
                putBehaviour(new Behaviour(NodeId.fromBytes(buf, payloadOff), WalFormat.getLong(buf, payloadOff + 32),
                        counts));
            }
            case WalFormat.TYPE_BAN -> {
                if (payloadLength != WalEntries.BAN_BYTES) {
                    return "ban payload of " + payloadLength + " bytes, expected " + WalEntries.BAN_BYTES;
                }
                int kind = buf[payloadOff];
                if (kind != WalEntries.BAN_PEER && kind != WalEntries.BAN_SUBNET) {
                    return "ban of unknown kind " + kind;
                }
                for (int i = payloadOff + 9; kind == WalEntries.BAN_SUBNET && i < payloadOff + 33; i++) {
                    if (buf[i] != 0) {
                        return "ban of a subnet with non-zero padding";
                    }
                }
                long expires = WalFormat.getLong(buf, payloadOff + 33);
                putBan(kind == WalEntries.BAN_PEER ? new Ban(NodeId.fromBytes(buf, payloadOff + 1), 0, expires)
                        : new Ban(null, WalFormat.getLong(buf, payloadOff + 1), expires));
            }
            case WalFormat.TYPE_BLOB_FRAGMENT, WalFormat.TYPE_BLOB_MANIFEST -> {
                byte magic = type == WalFormat.TYPE_BLOB_FRAGMENT ? (byte) 'F' : (byte) 'B';
                int header = magic == 'F' ? io.molia.blob.FragmentObject.HEADER_BYTES
                        : io.molia.blob.BlobManifest.HEADER_BYTES;
                if (payloadLength < NodeId.BYTES + header || buf[payloadOff + NodeId.BYTES] != 'M'
                        || buf[payloadOff + NodeId.BYTES + 1] != magic) {
                    return WalFormat.typeName(type) + " payload of " + payloadLength + " bytes does not hold a "
                            + (magic == 'F' ? "fragment" : "manifest");
                }
                putBlob(NodeId.fromBytes(buf, payloadOff), java.util.Arrays.copyOfRange(buf, payloadOff + NodeId.BYTES,
                        payloadOff + payloadLength));
            }
            case WalFormat.TYPE_BLOB_REMOVE -> {
                if (payloadLength != 32) {
                    return "blob_remove payload of " + payloadLength + " bytes, expected 32";
                }
                blobs.remove(NodeId.fromBytes(buf, payloadOff));
            }
            case WalFormat.TYPE_REPUBLISH_ADD -> {
                int kind = payloadLength < 1 ? -1 : buf[payloadOff];
                int off = payloadOff + 1;
                int len = payloadLength - 1;
                if (kind == WalEntries.REPUBLISH_PROVIDER) {
                    SignedNodeRecord r = WalEntries.readProvider(buf, off, len);
                    if (r == null) {
                        return "republish_add of a provider record of " + len + " bytes does not match its addresses";
                    }
                    putRepublish(new Republish(NodeId.fromBytes(buf, off), r, null, WalFormat.getLong(buf, off + 32),
                            WalFormat.getLong(buf, off + 40)));
                } else if (kind == WalEntries.REPUBLISH_MUTABLE) {
                    MutableRecord r = WalEntries.readMutable(buf, off, len);
                    if (r == null) {
                        return "republish_add of a mutable record of " + len
                                + " bytes does not match its salt and value lengths";
                    }
                    putRepublish(new Republish(r.key(), null, r, WalFormat.getLong(buf, off),
                            WalFormat.getLong(buf, off + 8)));
                } else {
                    return "republish_add of unknown kind " + kind;
                }
            }
            case WalFormat.TYPE_REPUBLISH_REMOVE -> {
                if (payloadLength != WalEntries.REPUBLISH_REMOVE_BYTES) {
                    return "republish_remove payload of " + payloadLength + " bytes, expected "
                            + WalEntries.REPUBLISH_REMOVE_BYTES;
                }
                int kind = buf[payloadOff];
                if (kind != WalEntries.REPUBLISH_PROVIDER && kind != WalEntries.REPUBLISH_MUTABLE) {
                    return "republish_remove of unknown kind " + kind;
                }
                republishes.remove(new RepublishId(kind, NodeId.fromBytes(buf, payloadOff + 1)));
            }
            default -> {
                return "unknown entry type " + type;
            }
        }
        applied[type]++;
        return null;
    }

    static NodeAddress address(byte[] buf, int off, int len) {
        return NodeAddress.readFrom(buf, off, len);
    }
}
