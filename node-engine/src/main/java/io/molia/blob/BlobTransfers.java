package io.molia.blob;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import io.molia.contact.NodeId;

/**
 * Every bulk transfer of one node, sans-I/O (DESIGN §3.4): pushes of fragments and manifests to the nodes that will
 * hold them, fetches from holders, and this node's side as a holder (storing what is pushed to it in its
 * {@link BlobStore}, serving what is fetched from it). Peers are the caller's handles; frames come in through
 * {@link #onFrame} once the session layer authenticated them, and go out through {@link #pollTransmit}.
 *
 * <p>Bounded: at most {@link #MAX_SENDERS} outgoing and {@link #MAX_RECEIVERS} incoming transfers at once (more are
 * refused: a FETCH is answered NOT_HELD, a push's frames are dropped, both counted); an incoming transfer that falls
 * silent for {@link #RECEIVER_IDLE_NS} is dropped; a pushed object may not exceed {@link #MAX_PUSH_BYTES}; at most
 * {@link #MAX_PROBES} probes of this node's own under way. A PROBE from a peer is answered at once from the store,
 * one frame back of the size that came (no state kept), and counted.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class BlobTransfers {
    public static final int MAX_SENDERS = 64;
    public static final int MAX_RECEIVERS = 64;
    public static final long RECEIVER_IDLE_NS = TimeUnit.SECONDS.toNanos(30);
    /** The largest object a fetch may bring: the manifest of the largest blob. */
    public static final int MAX_FETCH_BYTES = BlobManifest.HEADER_BYTES
            + (int) ((BlobManifest.MAX_BLOB_BYTES + BlobManifest.DEFAULT_STRIPE_BYTES - 1)
            / BlobManifest.DEFAULT_STRIPE_BYTES) * BlobManifest.STRIPE_ENTRY_BYTES;
    /**
     * The largest object a peer may push: a fragment, or a manifest, which outgrows a fragment past 91 MiB of blob (a
     * push cap of one fragment refused the manifests of larger blobs). The store checks which it is on arrival.
     */
    public static final int MAX_PUSH_BYTES = Math.max(FragmentObject.HEADER_BYTES + FragmentObject.MAX_DATA_BYTES,
            MAX_FETCH_BYTES);
    /** A FETCH not yet answered is sent again after this, doubling, {@link #FETCH_ATTEMPTS} times in all. */
    public static final long FETCH_RESEND_NS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final int FETCH_ATTEMPTS = 6;
    /**
     * Probes under way at once (a repair check has at most 13: one per sibling); one more is not started (the caller
     * is told), since taking it for "not held" would rebuild and re-place a fragment that may well be held.
     */
    public static final int MAX_PROBES = 256;
    /** A PROBE not yet answered is sent again as a FETCH is, this many times in all (0.5 + 1 + 2 + 4 s). */
    public static final int PROBE_ATTEMPTS = 4;
    /**
     * Stripes whose last whole check this node remembers (by the key of its fragment of each); the oldest is forgotten
     * past this (a forgotten one answers "never checked": its siblings' holders check it themselves). A 1 GiB store
     * holds about 16,000 fragments of 64 KiB.
     */
    public static final int CHECKS_REMEMBERED = 65_536;
    /** Finished incoming transfers remembered, so a DATA frame resent after the last ACK was lost is acked again. */
    private static final int FINISHED_REMEMBERED = 256;

    /** What a transfer came to. */
    public sealed interface Event {
    }

    /** A push this node started: every chunk acknowledged ({@code delivered}), or the holder stopped answering. */
    public record PushCompleted(long peer, long transferId, boolean delivered) implements Event {
    }

    /** A fetch this node started: the object (to be checked by the caller against what it expects), or null. */
    public record FetchCompleted(long peer, long transferId, byte[] object) implements Event {
    }

    /**
     * A probe this node started: the 32-byte hash the peer says it holds under the key (a fragment's data hash, the
     * key itself for a manifest), or null when it answered NOT_HELD or never answered; {@code checkedAgeS}: seconds
     * since the peer last checked the fragment's stripe whole ({@link BulkFrame#NEVER_CHECKED} if not).
     */
    public record ProbeCompleted(long peer, long probeId, byte[] hash, long checkedAgeS) implements Event {
    }

    /** A peer pushed an object this node now holds under {@code key}. */
    public record Stored(long peer, NodeId key) implements Event {
    }

    private record TransferKey(long peer, long transferId) {
    }

    private record Outgoing(BulkSender sender, boolean serving) {
    }

    private static final class Incoming {
        final boolean fetch;
        BulkReceiver receiver;
        long lastFrameNs;
        /** A fetch's FETCH frame, sent again until the first DATA (or NOT_HELD) answers it. */
        ResendSchedule request;

        Incoming(boolean fetch, long nowNs) {
            this.fetch = fetch;
            this.lastFrameNs = nowNs;
        }

        boolean awaitingAnswer() {
            return request != null && receiver == null;
        }
    }

    private record Control(long peer, byte[] frame) {
    }

    private final BlobStore store;
    private final RandomGenerator random;
    private final Map<TransferKey, Outgoing> senders = new LinkedHashMap<>();
    private final Map<TransferKey, Incoming> receivers = new LinkedHashMap<>();
    private final Map<TransferKey, ResendSchedule> probes = new LinkedHashMap<>();
    private final Map<TransferKey, byte[]> finished = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TransferKey, byte[]> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    };
    /** Fragment key → when this node last checked that fragment's stripe whole (insertion order: oldest first). */
    private final Map<NodeId, Long> checkedNs = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
            return size() > CHECKS_REMEMBERED;
        }
    };
    private final ArrayDeque<Control> control = new ArrayDeque<>();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final BlobCounters counters = new BlobCounters();
    private long lastPeer;

    public BlobTransfers(BlobStore store, RandomGenerator random) {
        this.store = store;
        this.random = random;
    }

    public BlobStore store() {
        return store;
    }

    public BlobCounters counters() {
        return counters;
    }

    /** Starts sending {@code object} to {@code peer}; a {@link PushCompleted} tells how it ended. */
    public long push(long peer, byte[] object) {
        long id = random.nextLong();
        senders.put(new TransferKey(peer, id), new Outgoing(new BulkSender(id, object), false));
        counters.pushesStarted++;
        return id;
    }

    /** Asks {@code peer} for the object under {@code key}; a {@link FetchCompleted} brings it (or null). */
    public long fetch(long peer, byte[] key, long nowNs) {
        long id = random.nextLong();
        Incoming incoming = new Incoming(true, nowNs);
        byte[] frame = new byte[BulkFrame.FETCH_BYTES];
        BulkFrame.writeFetch(frame, 0, id, key);
        incoming.request = new ResendSchedule(frame, FETCH_RESEND_NS, FETCH_ATTEMPTS, nowNs);
        receivers.put(new TransferKey(peer, id), incoming);
        control.add(new Control(peer, frame));
        counters.fetchesStarted++;
        return id;
    }

    /**
     * Asks {@code peer} whether it holds the object under {@code key}, without its bytes; a {@link ProbeCompleted}
     * answers. Returns the probe's id, or -1 when {@link #MAX_PROBES} are under way (nothing sent).
     */
    public long probe(long peer, byte[] key, long nowNs) {
        if (probes.size() >= MAX_PROBES) {
            counters.probesNotStarted++;
            return -1;
        }
        long id = random.nextLong() & Long.MAX_VALUE;
        byte[] frame = new byte[BulkFrame.PROBE_BYTES];
        BulkFrame.writeProbe(frame, 0, id, key);
        probes.put(new TransferKey(peer, id), new ResendSchedule(frame, FETCH_RESEND_NS, PROBE_ATTEMPTS, nowNs));
        control.add(new Control(peer, frame));
        counters.probesSent++;
        return id;
    }

    /**
     * A frame from an authenticated {@code peer}; malformed, unsolicited or late frames are counted and dropped.
     * {@code pushAllowed}: whether the peer may start a push here (it carried the write token this node gave it); a
     * push not allowed is dropped and counted ({@link BlobCounters#pushesUnauthorized}).
     */
    public void onFrame(long nowNs, long peer, byte[] in, int off, int len, boolean pushAllowed) {
        if (BulkFrame.check(in, off, len) != BulkFrame.OK) {
            counters.framesMalformed++;
            return;
        }
        TransferKey k = new TransferKey(peer, BulkFrame.transferId(in, off));
        switch (BulkFrame.type(in, off)) {
            case BulkFrame.DATA -> onData(nowNs, k, in, off, len, pushAllowed);
            case BulkFrame.ACK -> onAck(nowNs, k, in, off);
            case BulkFrame.FETCH -> onFetch(k, in, off);
            case BulkFrame.PROBE -> onProbe(nowNs, k, in, off);
            case BulkFrame.HELD -> onProbeAnswer(k, Arrays.copyOfRange(in, BulkFrame.keyOffset(off),
                    BulkFrame.keyOffset(off) + 32), BulkFrame.checkedAgeS(in, off, len));
            default -> onNotHeld(k);
        }
    }

    private void onData(long nowNs, TransferKey k, byte[] in, int off, int len, boolean pushAllowed) {
        counters.chunksReceived++;
        Incoming incoming = receivers.get(k);
        if (incoming == null) {
            byte[] finalAck = finished.get(k);
            if (finalAck != null) {
                control.add(new Control(k.peer(), finalAck)); // our last ACK was lost: the sender resends
                return;
            }
            if (!pushAllowed) {
                counters.pushesUnauthorized++;
                return;
            }
            if (receivers.size() >= MAX_RECEIVERS || BulkFrame.objectBytes(in, off) > MAX_PUSH_BYTES) {
                counters.transfersRefused++;
                return;
            }
            incoming = new Incoming(false, nowNs);
            receivers.put(k, incoming);
        }
        if (incoming.receiver == null) {
            if (BulkFrame.objectBytes(in, off) > MAX_FETCH_BYTES) {
                counters.transfersRefused++;
                receivers.remove(k);
                finishFetch(k, incoming, null);
                return;
            }
            incoming.receiver = new BulkReceiver(in, off);
        }
        incoming.lastFrameNs = nowNs;
        incoming.receiver.onData(in, off, len);
        byte[] ack = new byte[BulkFrame.ACK_BYTES];
        incoming.receiver.writeAck(ack, 0);
        control.add(new Control(k.peer(), ack));
        if (incoming.receiver.complete()) {
            receivers.remove(k);
            finished.put(k, ack);
            byte[] object = incoming.receiver.object();
            if (incoming.fetch) {
                finishFetch(k, incoming, object);
            } else {
                NodeId key = store.accept(object, nowNs);
                if (key == null) {
                    counters.objectsRefused++;
                } else {
                    counters.objectsStored++;
                    events.add(new Stored(k.peer(), key));
                }
            }
        }
    }

    private void finishFetch(TransferKey k, Incoming incoming, byte[] object) {
        if (incoming.fetch) {
            if (object == null) {
                counters.fetchesFailed++;
            }
            events.add(new FetchCompleted(k.peer(), k.transferId(), object));
        }
    }

    private void onAck(long nowNs, TransferKey k, byte[] in, int off) {
        Outgoing out = senders.get(k);
        if (out == null) {
            counters.framesUnsolicited++;
            return;
        }
        out.sender().onAck(nowNs, in, off);
        if (out.sender().done()) {
            senders.remove(k);
            countSent(out.sender());
            if (!out.serving()) {
                events.add(new PushCompleted(k.peer(), k.transferId(), true));
            }
        }
    }

    private void onFetch(TransferKey k, byte[] in, int off) {
        if (senders.containsKey(k)) {
            return; // a resent FETCH of a transfer under way
        }
        byte[] object = store.get(NodeId.fromBytes(in, BulkFrame.keyOffset(off)));
        if (object == null || senders.size() >= MAX_SENDERS) {
            counters.fetchesRefused++;
            byte[] frame = new byte[BulkFrame.NOT_HELD_BYTES];
            BulkFrame.writeNotHeld(frame, 0, k.transferId());
            control.add(new Control(k.peer(), frame));
            return;
        }
        counters.fetchesServed++;
        senders.put(k, new Outgoing(new BulkSender(k.transferId(), object), true));
    }

    /** Answered at once, one frame of the PROBE's size, nothing kept: HELD with what names the object, or NOT_HELD. */
    private void onProbe(long nowNs, TransferKey k, byte[] in, int off) {
        NodeId key = NodeId.fromBytes(in, BulkFrame.keyOffset(off));
        byte[] object = store.get(key);
        if (object == null) {
            counters.probesAnsweredNotHeld++;
            byte[] frame = new byte[BulkFrame.NOT_HELD_BYTES];
            BulkFrame.writeNotHeld(frame, 0, k.transferId());
            control.add(new Control(k.peer(), frame));
            return;
        }
        counters.probesAnsweredHeld++;
        byte[] frame = new byte[BulkFrame.HELD_BYTES];
        BulkFrame.writeHeld(frame, 0, k.transferId(), heldHash(object, in, BulkFrame.keyOffset(off)), 0,
                checkedAgeS(key, nowNs));
        control.add(new Control(k.peer(), frame));
    }

    /**
     * What a HELD answer names for {@code object} held under {@code key[keyOff, + 32)}: a fragment's data hash (which
     * its manifest lists), else the key (a manifest's key is its hash).
     */
    public static byte[] heldHash(byte[] object, byte[] key, int keyOff) {
        int at = FragmentObject.HASH_OFFSET;
        return FragmentObject.isFragment(object) ? Arrays.copyOfRange(object, at, at + 32)
                : Arrays.copyOfRange(key, keyOff, keyOff + 32);
    }

    /**
     * This node checked the stripe of the fragment it holds under {@code fragmentKey} whole ({@code whole}: all 14
     * held, or the missing rebuilt and placed), or its check failed (forgotten: the siblings' holders then check the
     * stripe themselves instead of leaving it to this node). The age goes out with every HELD for that fragment.
     */
    public void onStripeChecked(NodeId fragmentKey, boolean whole, long nowNs) {
        checkedNs.remove(fragmentKey); // re-inserted last: the oldest check is the one forgotten first
        if (whole) {
            checkedNs.put(fragmentKey, nowNs);
        }
    }

    /** Seconds since this node checked the stripe of its fragment under {@code fragmentKey} whole, or never. */
    public long checkedAgeS(NodeId fragmentKey, long nowNs) {
        Long at = checkedNs.get(fragmentKey);
        return at == null ? BulkFrame.NEVER_CHECKED : TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nowNs - at));
    }

    /** HELD or NOT_HELD ({@code hash} null) for a probe of this node's; a stray answer is counted and dropped. */
    private void onProbeAnswer(TransferKey k, byte[] hash, long checkedAgeS) {
        if (probes.remove(k) == null) {
            counters.framesUnsolicited++;
            return;
        }
        events.add(new ProbeCompleted(k.peer(), k.transferId(), hash, checkedAgeS));
    }

    private void onNotHeld(TransferKey k) {
        if (probes.containsKey(k)) {
            onProbeAnswer(k, null, BulkFrame.NEVER_CHECKED);
            return;
        }
        Incoming incoming = receivers.get(k);
        if (incoming == null || !incoming.fetch) {
            counters.framesUnsolicited++;
            return;
        }
        receivers.remove(k);
        finishFetch(k, incoming, null);
    }

    /**
     * Writes the next frame to send into {@code out} (at least {@link BulkFrame#MAX_DATA_BYTES}) and returns its
     * length, 0 when there is none now; {@link #lastPeer} names its destination. Acks and requests go first.
     */
    public int pollTransmit(long nowNs, byte[] out, int off) {
        Control c = control.poll();
        if (c != null) {
            System.arraycopy(c.frame(), 0, out, off, c.frame().length);
            lastPeer = c.peer();
            return c.frame().length;
        }
        for (Map.Entry<TransferKey, Outgoing> e : senders.entrySet()) {
            int n = e.getValue().sender().pollFrame(nowNs, out, off);
            if (n > 0) {
                lastPeer = e.getKey().peer();
                counters.chunksSent++;
                return n;
            }
        }
        return 0;
    }

    /** The destination of the frame {@link #pollTransmit} wrote last. */
    public long lastPeer() {
        return lastPeer;
    }

    public long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (Outgoing o : senders.values()) {
            next = Math.min(next, o.sender().nextDeadlineNs());
        }
        for (Incoming i : receivers.values()) {
            next = Math.min(next, i.awaitingAnswer() ? i.request.dueNs() : i.lastFrameNs + RECEIVER_IDLE_NS);
        }
        for (ResendSchedule p : probes.values()) {
            next = Math.min(next, p.dueNs());
        }
        return next;
    }

    public void onTimer(long nowNs) {
        for (Iterator<Map.Entry<TransferKey, Outgoing>> it = senders.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TransferKey, Outgoing> e = it.next();
            BulkSender s = e.getValue().sender();
            s.onTimer(nowNs);
            if (s.failed()) {
                it.remove();
                countSent(s);
                counters.transfersFailed++;
                if (!e.getValue().serving()) {
                    events.add(new PushCompleted(e.getKey().peer(), e.getKey().transferId(), false));
                }
            }
        }
        for (Iterator<Map.Entry<TransferKey, Incoming>> it = receivers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TransferKey, Incoming> e = it.next();
            Incoming incoming = e.getValue();
            if (incoming.awaitingAnswer()) {
                int next = incoming.request.onTimer(nowNs);
                if (next == ResendSchedule.SEND_AGAIN) {
                    control.add(new Control(e.getKey().peer(), incoming.request.frame));
                } else if (next == ResendSchedule.GIVE_UP) {
                    it.remove();
                    counters.transfersFailed++;
                    finishFetch(e.getKey(), incoming, null);
                }
            } else if (nowNs - incoming.lastFrameNs >= RECEIVER_IDLE_NS) {
                it.remove();
                counters.transfersFailed++;
                finishFetch(e.getKey(), e.getValue(), null);
            }
        }
        for (Iterator<Map.Entry<TransferKey, ResendSchedule>> it = probes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TransferKey, ResendSchedule> e = it.next();
            int next = e.getValue().onTimer(nowNs);
            if (next == ResendSchedule.SEND_AGAIN) {
                control.add(new Control(e.getKey().peer(), e.getValue().frame));
            } else if (next == ResendSchedule.GIVE_UP) {
                it.remove();
                counters.probesUnanswered++;
                events.add(new ProbeCompleted(e.getKey().peer(), e.getKey().transferId(), null,
                        BulkFrame.NEVER_CHECKED));
            }
        }
    }

    private void countSent(BulkSender s) {
        counters.chunksResent += s.chunksResent();
    }

    public Event pollEvent() {
        return events.poll();
    }

    public int activeTransfers() {
        return senders.size() + receivers.size();
    }

    /** Probes of this node's own awaiting an answer. */
    public int probesPending() {
        return probes.size();
    }
}
