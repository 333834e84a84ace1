package io.molia.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * The circuits one core opens to send its requests to relayed servers (contacts that name a relay, docs/nat.md,
 * "Relayed servers"). The first request to such a peer waits while the core asks its relay for a circuit
 * (RELAY_CONNECT); once granted, that request and every later one go to the circuit's relayed address, and the shards
 * punch as for any circuit (see {@link RelayRoutes}). Bounded: at most {@link #MAX_CIRCUITS} at a time, each
 * forgotten near the lifetime its relay gives it (and closed there, RELAY_CLOSE), or when a request through it went
 * unanswered (not closed: the request may only have been slow); a refused circuit fails its waiting requests at
 * their own timeouts, as a dead contact's.
 *
 * <p>Owned by its core's thread; not thread-safe.
 */
public final class RelayCircuits {
    /** Circuits one core keeps open for its requests. */
    public static final int MAX_CIRCUITS = 8;
    /** Requests that wait for one circuit; an older one is dropped (its timeout fails it). */
    static final int MAX_WAITING = 8;
    /** A circuit asked for and not answered within this is forgotten (its requests have timed out by then). */
    private static final long UNANSWERED_NS = TimeUnit.SECONDS.toNanos(30);
    /** A circuit is not used in its last seconds: a request would meet it closed. */
    private static final long CLOSING_MARGIN_NS = TimeUnit.SECONDS.toNanos(10);

    /** What {@link #onRequest} decided. */
    public enum Next {
        /** Send it now to {@link #relayedAddress}. */
        SEND,
        /** It waits for the circuit being opened. */
        WAIT,
        /** It waits: ask the relay for a circuit now, then call {@link #onConnectSent}. */
        CONNECT,
        /** Every circuit is in use: not sent (counted); it fails at its timeout. */
        FULL
    }

    /** A circuit granted: its peer at the circuit's relayed address, and the requests that waited for it. */
    public record Granted(Contact peerAt, List<byte[]> waiting) {
    }

    private static final class Circuit {
        final Contact peer;
        /** When it was asked for, then when granted (the relay's lifetime for it runs from about then). */
        long openedNs;
        long connectRequestId;
        NodeAddress at;
        final ArrayDeque<byte[]> waiting = new ArrayDeque<>();

        Circuit(Contact peer, long nowNs) {
            this.peer = peer;
            this.openedNs = nowNs;
        }
    }

    private final RelayRoutes routes;
    private final long usableNs;
    private final Map<NodeId, Circuit> byPeer = new HashMap<>();
    private final Map<Long, Circuit> connecting = new HashMap<>();
    private final ArrayDeque<Closing> closings = new ArrayDeque<>();
    private NodeAddress lastAddress;
    private long opened;
    private long refused;
    private long full;

    /** {@code lifetimeNs}: how long a relay keeps a circuit ({@link RelayLimits#circuitNs()}). */
    public RelayCircuits(RelayRoutes routes, long lifetimeNs) {
        this.routes = routes;
        this.usableNs = Math.max(lifetimeNs / 2, lifetimeNs - CLOSING_MARGIN_NS);
    }

    /**
     * A request ({@code data[0, length)}) for {@code peer}, a relayed contact: sent now through its circuit, kept
     * (copied) until the circuit is granted, or refused when every circuit is in use.
     */
    public Next onRequest(long nowNs, Contact peer, byte[] data, int length) {
        sweep(nowNs);
        Circuit c = byPeer.get(peer.id());
        if (c != null && c.at != null) {
            lastAddress = c.at;
            return Next.SEND;
        }
        if (c == null && byPeer.size() >= MAX_CIRCUITS) {
            full++;
            return Next.FULL;
        }
        boolean connect = c == null;
        if (connect) {
            c = new Circuit(peer, nowNs);
            byPeer.put(peer.id(), c);
        }
        if (c.waiting.size() >= MAX_WAITING) {
            c.waiting.poll();
        }
        byte[] copy = new byte[length];
        System.arraycopy(data, 0, copy, 0, length);
        c.waiting.add(copy);
        return connect ? Next.CONNECT : Next.WAIT;
    }

    /** Where {@link Next#SEND} sends: the circuit's relayed address. */
    public NodeAddress relayedAddress() {
        return lastAddress;
    }

    /** The RELAY_CONNECT for {@code peer}'s circuit left as request {@code requestId}. */
    public void onConnectSent(NodeId peer, long requestId) {
        Circuit c = byPeer.get(peer);
        if (c != null) {
            c.connectRequestId = requestId;
            connecting.put(requestId, c);
        }
    }

    /** Whether request {@code requestId} asked for one of these circuits. */
    public boolean asked(long requestId) {
        return connecting.containsKey(requestId);
    }

    /**
     * The relay's answer to request {@code requestId}: granted ({@code circuit} nonzero, no refusal), the route is
     * recorded with where the relay sees the peer ({@code peerAddress}) and the requests that waited are returned,
     * for the caller to send; refused (or not one of these circuits), the circuit is forgotten and null returned.
     */
    public Granted onAnswer(long nowNs, NodeAddress relayAddress, long requestId, int circuit, int refusal,
            NodeAddress peerAddress, int ownNat, int peerNat) {
        Circuit c = connecting.remove(requestId);
        if (c == null || byPeer.get(c.peer.id()) != c) {
            return null;
        }
        if (refusal != 0 || circuit == 0) {
            refused++;
            byPeer.remove(c.peer.id());
            return null;
        }
        opened++;
        c.at = routes.add(relayAddress, circuit, c.peer.id(), peerAddress, nowNs, ownNat, peerNat);
        c.openedNs = nowNs;
        lastAddress = c.at;
        List<byte[]> waiting = new ArrayList<>(c.waiting);
        c.waiting.clear();
        return new Granted(c.peer.withoutRelay().withAddress(c.at), waiting);
    }

    /** A request to {@code peer} went unanswered: its circuit may be closed, so the next request opens another. */
    public void onFailure(NodeId peer) {
        Circuit c = byPeer.remove(peer);
        if (c != null) {
            connecting.remove(c.connectRequestId); // not closed: the request may only have been slow, and the
            // session may still ride the circuit (a close here failed NatMatrixIT's lookup twice at load 15)
        }
    }

    /**
     * A granted circuit forgotten here when its usable time is over (10 s before its relay drops it): its relay is
     * told (RELAY_CLOSE), so its slot there frees at once.
     */
    public record Closing(Contact relay, int circuit) {
    }

    /** The next circuit to close at its relay, or null. */
    public Closing pollClosing() {
        return closings.poll();
    }

    /** The RELAY_CLOSE of a {@link #pollClosing polled} circuit left (counted with the node's other closes). */
    public void onCloseSent() {
        routes.onCloseSent();
    }

    private void closing(Circuit c) {
        RelayRoutes.Route r = c.at == null ? null : routes.route(c.at);
        if (r != null && c.peer.relay() != null && routes.onClosed(r.relay(), r.circuit())) {
            closings.add(new Closing(c.peer.relay(), r.circuit()));
        }
    }

    /** Circuits open or being opened now. */
    public int circuits() {
        return byPeer.size();
    }

    /** Circuits granted since start. */
    public long opened() {
        return opened;
    }

    /** Circuits the relays refused. */
    public long refused() {
        return refused;
    }

    /** Requests not sent because every circuit was in use. */
    public long full() {
        return full;
    }

    private void sweep(long nowNs) {
        for (Iterator<Circuit> it = byPeer.values().iterator(); it.hasNext(); ) {
            Circuit c = it.next();
            boolean closing = nowNs - c.openedNs >= (c.at != null ? usableNs : UNANSWERED_NS);
            if (closing) {
                connecting.remove(c.connectRequestId);
                it.remove();
                closing(c);
            }
        }
    }
}
