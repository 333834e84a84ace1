package io.molia.relay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;

/**
 * This node's side of relaying, as a client behind a NAT and as the initiator of circuits: it keeps a reservation
 * at one reachable peer while the node is a DHT client (renewed at half its lifetime, asked again of another peer
 * when refused), and records the circuits it opens or is told of in {@link RelayRoutes}, with where the relay saw
 * the other end, for the hole punch the shards then run (see {@link RelayRoutes}).
 *
 * <p>Owned by the routing table owner's core thread; not thread-safe.
 */
public final class RelayClient {
    /** How often a refused or unanswered reservation is asked again (of the next peer). */
    static final long RETRY_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_PENDING = 64;


    /** What the {@code relays} view shows of this node as a client. */
    public record Status(Contact relay, long expiresInNs, long reservationsGranted, long reservationsRefused,
            long connectsGranted, long connectsRefused, long incoming, RelayRefusal lastRefusal) {
    }

    private final RelayRoutes routes;
    private final Map<Long, Contact> reserving = bounded();
    private final Map<Long, Contact> connecting = bounded();
    private Contact relay;
    private long expiresNs;
    private long grantedLifetimeNs;
    private long askedNs = Long.MIN_VALUE / 2;
    private int nextCandidate;
    /** The last peer asked relays for nobody (OFF): the next may, so it is asked without waiting {@link #RETRY_NS}. */
    private boolean askNextAtOnce;
    /** OFF refusals since the last grant or other refusal: once every server said OFF, asking slows to RETRY_NS. */
    private int refusedOffInARow;
    private RelayRefusal lastRefusal;
    private long reservationsGranted;
    private long reservationsRefused;
    private long connectsGranted;
    private long connectsRefused;
    private long incoming;

    public RelayClient(RelayRoutes routes) {
        this.routes = routes;
    }

    private static <V> Map<Long, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > MAX_PENDING; // unanswered requests: the oldest is forgotten
            }
        };
    }

    public RelayRoutes routes() {
        return routes;
    }

    /** Whether this node holds a reservation at {@code nowNs}: a client then is reachable through its relay. */
    public boolean reserved(long nowNs) {
        return relay != null && nowNs < expiresNs;
    }

    public Contact relay() {
        return relay;
    }

    /**
     * The peer to ask for a reservation now, or null: only a DHT client asks, of one of {@code servers} (its routing
     * table's peers, all reachable), when it holds none or half of it has run out, at most every {@link #RETRY_NS};
     * after a peer that relays for nobody, the next one at once, until every server said so.
     */
    public Contact reservationDue(long nowNs, boolean client, List<Contact> servers) {
        boolean atOnce = askNextAtOnce && refusedOffInARow < servers.size();
        if (!client || servers.isEmpty() || (nowNs - askedNs < RETRY_NS && !atOnce)) {
            return null;
        }
        if (relay != null && nowNs < expiresNs - grantedLifetimeNs / 2) {
            return null;
        }
        askedNs = nowNs;
        askNextAtOnce = false;
        if (relay != null && nowNs < expiresNs) {
            return relay; // renew where it is held
        }
        return servers.get(Math.floorMod(nextCandidate, servers.size()));
    }

    public void onReserveSent(long requestId, Contact to) {
        reserving.put(requestId, to);
    }

    public void onConnectSent(long requestId, Contact target) {
        connecting.put(requestId, target);
    }

    /**
     * A RELAY_ANSWER from {@code from} to request {@code requestId}. Returns the target at the relayed address of
     * the circuit it opened (a connect granted), else null. {@code ownNat} and {@code peerNat}: the NAT types of this
     * node and of the target, for the punch's outcome.
     */
    public Contact onAnswer(long nowNs, Contact from, long requestId, int circuit, int refusal, long expiresSeconds,
            NodeAddress peerAddress, int ownNat, int peerNat) {
        Contact reservedAt = reserving.remove(requestId);
        if (reservedAt != null && reservedAt.id().equals(from.id())) {
            if (refusal == 0 && expiresSeconds > 0) {
                relay = from;
                grantedLifetimeNs = TimeUnit.SECONDS.toNanos(expiresSeconds);
                expiresNs = nowNs + grantedLifetimeNs;
                reservationsGranted++;
                refusedOffInARow = 0;
            } else {
                reservationsRefused++;
                lastRefusal = refusalOf(refusal);
                nextCandidate++; // ask another peer next time
                boolean off = lastRefusal == RelayRefusal.OFF;
                refusedOffInARow = off ? refusedOffInARow + 1 : 0;
                askNextAtOnce = off;
            }
            return null;
        }
        Contact target = connecting.remove(requestId);
        if (target == null) {
            return null; // an acknowledgement of RELAY_INCOMING, or an answer nobody waits for
        }
        if (refusal != 0 || circuit == 0) {
            connectsRefused++;
            lastRefusal = refusalOf(refusal);
            return null;
        }
        connectsGranted++;
        return target.withAddress(routes.add(from.address(), circuit, target.id(), peerAddress, nowNs, ownNat,
                peerNat));
    }

    /**
     * The relay this node holds a reservation at announced circuit {@code circuit} from {@code initiator} (at the
     * address the relay saw it at). False when refused: only that relay opens circuits to this node. {@code ownNat}
     * and {@code peerNat}: the NAT types of this node and of the initiator.
     */
    public boolean onIncoming(long nowNs, Contact from, int circuit, Contact initiator, int ownNat, int peerNat) {
        if (relay == null || !relay.id().equals(from.id()) || circuit == 0) {
            return false;
        }
        incoming++;
        routes.add(from.address(), circuit, initiator.id(), initiator.address(), nowNs, ownNat, peerNat);
        return true;
    }

    public Status status(long nowNs) {
        return new Status(relay, relay == null ? 0 : expiresNs - nowNs, reservationsGranted, reservationsRefused,
                connectsGranted, connectsRefused, incoming, lastRefusal);
    }

    private static RelayRefusal refusalOf(int code) {
        return code >= 1 && code <= RelayRefusal.count() ? RelayRefusal.of(code - 1) : null;
    }

    /** The wire code of a refusal (0: granted). */
    public static int code(RelayRefusal refusal) {
        return refusal == null ? 0 : refusal.ordinal() + 1;
    }
}
