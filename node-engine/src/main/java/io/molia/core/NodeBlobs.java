package io.molia.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

import io.molia.blob.BlobJournal;
import io.molia.blob.BlobStore;
import io.molia.blob.BlobTransfers;
import io.molia.blob.BulkFrame;
import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * The blob side of the routing table owner's core (docs/blobs.md): the node's {@link BlobTransfers} with peers known
 * by their contacts, its frames carried in BLOB_FRAME envelopes, the write tokens peers gave this node (what a push
 * to them carries) and the core events of the pushes and fetches the driver started.
 *
 * <p>Sans-I/O, owned by the core's thread; not thread-safe.
 */
final class NodeBlobs {
    /** Peers remembered by handle; past this the least recently used is forgotten (its transfers' frames drop). */
    static final int MAX_PEERS = 4_096;

    private final BlobTransfers transfers;
    private final MessageCodec codec;
    private final ArrayDeque<CoreEvent> events;
    private BlobJournal journal = BlobJournal.NONE;
    private final Map<Long, Contact> peers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Contact> eldest) {
            if (size() > MAX_PEERS) {
                handles.remove(eldest.getValue().id());
                return true;
            }
            return false;
        }
    };
    private final Map<NodeId, Long> handles = new HashMap<>();
    /** The write token each peer last gave this node (in NODES and VALUE answers). */
    private final Map<NodeId, Long> tokensFrom = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
            return size() > MAX_PEERS;
        }
    };
    /** Transfer id → the core handle of the push or fetch the driver started. */
    private final Map<Long, Long> operations = new HashMap<>();
    private final byte[] frame = new byte[BulkFrame.MAX_DATA_BYTES];
    private final Outbound outbound = new Outbound();
    private long nextPeer = 1;
    /** The time of the last input: frames polled lazily by the driver are stamped with it. */
    private long nowNs;

    /** {@code storeBytes}: blob objects held, in bytes, before the store refuses more (docs/blobs.md: never evicts). */
    NodeBlobs(MessageCodec codec, RandomGenerator random, ArrayDeque<CoreEvent> events, long storeBytes) {
        this.transfers = new BlobTransfers(new BlobStore(storeBytes), random);
        this.codec = codec;
        this.events = events;
    }

    BlobTransfers transfers() {
        return transfers;
    }

    void journal(BlobJournal journal) {
        this.journal = journal;
    }

    /** Removes the blob objects not pushed again within {@code ttlNs}, each journaled first (docs/blobs.md). */
    void expire(long nowNs, long ttlNs) {
        transfers.store().expire(nowNs, ttlNs, journal);
    }

    void noteWriteToken(NodeId peer, long token) {
        tokensFrom.put(peer, token);
    }

    /** A BLOB_FRAME from {@code from}; {@code pushAllowed}: it carried a valid write token of this node. */
    void onFrame(long nowNs, Contact from, WireMessage m, boolean pushAllowed) {
        this.nowNs = nowNs;
        transfers.onFrame(nowNs, handleOf(from), m.valueBuffer(), m.valueOffset(), m.valueLength(), pushAllowed);
        drainEvents();
    }

    /** Whether {@code m}'s frame is a DATA frame, the only kind that may start a push (and needs a token). */
    static boolean isData(WireMessage m) {
        return m.valueLength() > 0 && BulkFrame.type(m.valueBuffer(), m.valueOffset()) == BulkFrame.DATA;
    }

    long push(long nowNs, long handle, Contact to, byte[] object) {
        this.nowNs = nowNs;
        operations.put(transfers.push(handleOf(to), object), handle);
        return handle;
    }

    long fetch(long nowNs, long handle, Contact from, NodeId key) {
        this.nowNs = nowNs;
        operations.put(transfers.fetch(handleOf(from), key.toBytes(), nowNs), handle);
        return handle;
    }

    /** -1 when too many probes are under way (nothing sent). */
    long probe(long nowNs, long handle, Contact to, NodeId key) {
        this.nowNs = nowNs;
        long id = transfers.probe(handleOf(to), key.toBytes(), nowNs);
        if (id < 0) {
            return -1;
        }
        operations.put(id, handle);
        return handle;
    }

    long nextDeadlineNs() {
        return transfers.nextDeadlineNs();
    }

    void onTimer(long nowNs) {
        this.nowNs = nowNs;
        if (nowNs >= transfers.nextDeadlineNs()) {
            transfers.onTimer(nowNs);
            drainEvents();
        }
    }

    /** The next frame to send, in its envelope; valid until the next call. Null when the transfers have none now. */
    Outbound pollTransmit() {
        int n;
        while ((n = transfers.pollTransmit(nowNs, frame, 0)) > 0) {
            Contact to = peers.get(transfers.lastPeer());
            if (to == null) {
                continue; // a peer forgotten while its transfer ran: the transfer times out
            }
            int len = codec.encodeBlobFrame(outbound.buffer(), 0, frame, 0, n, tokensFrom.getOrDefault(to.id(), 0L));
            outbound.set(to, len, false);
            return outbound;
        }
        return null;
    }

    private long handleOf(Contact peer) {
        Long h = handles.get(peer.id());
        if (h == null) {
            h = nextPeer++;
            handles.put(peer.id(), h);
        }
        peers.put(h, peer); // the latest address it came from or was found at
        return h;
    }

    private void drainEvents() {
        BlobTransfers.Event e;
        while ((e = transfers.pollEvent()) != null) {
            switch (e) {
                case BlobTransfers.PushCompleted p -> {
                    Long handle = operations.remove(p.transferId());
                    if (handle != null) {
                        events.add(new CoreEvent.BlobPushCompleted(handle, peerId(p.peer()), p.delivered()));
                    }
                }
                case BlobTransfers.FetchCompleted f -> {
                    Long handle = operations.remove(f.transferId());
                    if (handle != null) {
                        events.add(new CoreEvent.BlobFetchCompleted(handle, peerId(f.peer()), f.object()));
                    }
                }
                case BlobTransfers.ProbeCompleted p -> {
                    Long handle = operations.remove(p.probeId());
                    if (handle != null) {
                        events.add(new CoreEvent.BlobProbeCompleted(handle, peerId(p.peer()), p.hash(),
                                p.checkedAgeS()));
                    }
                }
                case BlobTransfers.Stored s -> journal.onBlobStored(s.key(), transfers.store().get(s.key()));
            }
        }
    }

    private NodeId peerId(long handle) {
        Contact c = peers.get(handle);
        return c == null ? null : c.id();
    }
}
