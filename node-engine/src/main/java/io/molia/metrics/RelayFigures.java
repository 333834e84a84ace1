package io.molia.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

import io.molia.metrics.NodeMetrics.NodeSource;
import io.molia.nat.NatType;
import io.molia.relay.BirthdayCounters;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayRefusal;

/**
 * The relay's figures (docs/nat.md, docs/metrics.md), of the node as a whole: its budget and what it relayed for
 * others, its refusals by reason, and what this node did as a relay client (reservation, circuits, punches). Read
 * racily from the scrape thread, as every figure is; a node without a relay leaves its relay figures out.
 */
final class RelayFigures {
    private static final String REFUSALS = "molia_relay_refusals";
    private static final String REFUSALS_HELP = "Relay reservations, circuits and frames refused, by reason "
            + "(budget, caps, unknown circuit, not an end...)";

    /** The NAT types whose pairs punch or not (docs/nat.md, "Hole punching"): open and full cones are reached anyway. */
    private static final List<NatType> PUNCHING = List.of(NatType.ADDRESS_RESTRICTED, NatType.PORT_RESTRICTED,
            NatType.SYMMETRIC);
    private static final String PUNCHED = "molia_relay_punched";
    private static final String PUNCHED_HELP = "Circuits a punch got through on, by pair of NAT types (this node's "
            + "when the circuit opened / the peer's as it said)";
    private static final String UNPUNCHED = "molia_relay_unpunched";
    private static final String UNPUNCHED_HELP = "Circuits that closed (after their 2 minutes) with no punch through, "
            + "by pair of NAT types (this node's / the peer's)";

    static final List<Figure<NodeSource>> NODE = figures();

    private RelayFigures() {
    }

    private static List<Figure<NodeSource>> figures() {
        List<Figure<NodeSource>> f = new ArrayList<>();
        f.add(Figure.gauge("relay_budget_percent", "The share of egress the node may spend relaying (0: off)",
                n -> relay(n, r -> r.limits().budgetPercent())));
        f.add(Figure.gauge("relay_window_relayed_bytes", "Bytes relayed for others within the budget's window",
                n -> relay(n, Relay::windowRelayedBytes)));
        f.add(Figure.gauge("relay_window_egress_bytes", "Bytes the node sent within the budget's window (relayed "
                + "included): the budget is a share of it", n -> relay(n, Relay::windowEgressBytes)));
        f.add(Figure.gauge("relay_reservations", "Reservations clients hold at this relay",
                n -> relay(n, Relay::reservations)));
        f.add(Figure.gauge("relay_circuits", "Circuits open through this relay", n -> relay(n, Relay::openCircuits)));
        f.add(Figure.counter("relay_frames", "Frames relayed (ciphertext, as they came)",
                n -> relay(n, Relay::framesRelayed)));
        f.add(Figure.counter("relay_bytes", "Bytes relayed", n -> relay(n, Relay::bytesRelayed)));
        f.add(Figure.counter("relay_circuit_closes", "Circuits an end closed at this relay (RELAY_CLOSE) before "
                + "their time: their slots freed at once", n -> relay(n, Relay::circuitsClosed)));
        for (RelayRefusal reason : RelayRefusal.values()) {
            f.add(Figure.<NodeSource>counter("relay_refused_" + reason.name().toLowerCase(java.util.Locale.ROOT),
                    REFUSALS_HELP, n -> relay(n, r -> r.refusals(reason))).inFamily(REFUSALS, reason.label()));
        }
        f.add(Figure.gauge("relay_reserved", "1 while this node holds a reservation at a relay (reachable through it)",
                n -> client(n, c -> c.relay() == null ? 0 : 1)));
        f.add(Figure.counter("relay_punches", "Hole punches sent to peers met through a relay",
                n -> client(n, c -> c.routes().punchesSent())));
        f.add(Figure.counter("relay_upgrades", "Relayed connections that became direct (a punch got through)",
                n -> client(n, c -> c.routes().upgrades())));
        f.add(Figure.counter("relay_closes_sent", "Circuits this node closed at their relays (RELAY_CLOSE): "
                + "punched or superseded connections, request circuits at the end of their use",
                n -> client(n, c -> c.routes().closesSent())));
        f.add(Figure.counter("relay_routes_closed", "Circuits this node was an end of that a close ended (its own "
                + "RELAY_CLOSE or its relay's) before their 2 minutes", n -> client(n, c -> c.routes().closed())));
        f.add(Figure.counter("relay_birthday_attempts", "Birthday punches this node opened sockets for (behind a "
                + "symmetric NAT, the peer behind a port-restricted one)", n -> birthday(n, b -> b.opened.get())));
        f.add(Figure.counter("relay_birthday_sprays", "Birthday punches this node sprayed probes for (behind a "
                + "port-restricted NAT, the peer behind a symmetric one)", n -> birthday(n, b -> b.sprayed.get())));
        f.add(Figure.counter("relay_birthday_sockets", "Sockets opened for birthday punches",
                n -> birthday(n, b -> b.sockets.get())));
        f.add(Figure.counter("relay_birthday_probes", "Probes sent for birthday punches (one per socket opened, "
                + "and every sprayed one)", n -> birthday(n, b -> b.probes.get())));
        f.add(Figure.counter("relay_birthday_hits", "Birthday punches a sprayed probe reached one of this node's "
                + "sockets in", n -> birthday(n, b -> b.hits.get())));
        f.add(Figure.counter("relay_birthday_misses", "Birthday punches whose sockets heard no sprayed probe in "
                + "their window", n -> birthday(n, b -> b.misses.get())));
        f.add(Figure.counter("relay_birthday_refused", "Birthday punches not made (one running, or the most "
                + "punched sockets kept)", n -> birthday(n, b -> b.refused.get())));
        f.add(Figure.counter("relay_birthday_stray_probes", "Birthday probes that reached a shard's socket "
                + "(dropped, never answered)", n -> birthday(n, b -> b.stray.get())));
        for (NatType own : PUNCHING) {
            for (NatType peer : PUNCHING) {
                String pair = own.label() + "/" + peer.label();
                String name = own.name().toLowerCase(Locale.ROOT) + "_" + peer.name().toLowerCase(Locale.ROOT);
                f.add(Figure.<NodeSource>counter("relay_punched_" + name, PUNCHED_HELP,
                        n -> client(n, c -> c.routes().outcome(own, peer, true))).inFamily(PUNCHED, "pair", pair));
                f.add(Figure.<NodeSource>counter("relay_unpunched_" + name, UNPUNCHED_HELP,
                        n -> client(n, c -> c.routes().outcome(own, peer, false))).inFamily(UNPUNCHED, "pair", pair));
            }
        }
        return List.copyOf(f);
    }

    private static long relay(NodeSource n, ToLongFunction<Relay> read) {
        Relay relay = n.relay();
        return relay == null ? -1 : read.applyAsLong(relay);
    }

    private static long birthday(NodeSource n, ToLongFunction<BirthdayCounters> read) {
        return client(n, c -> read.applyAsLong(c.routes().birthdayCounters()));
    }

    private static long client(NodeSource n, ToLongFunction<RelayClient> read) {
        RelayClient client = n.relayClient();
        return client == null ? -1 : read.applyAsLong(client);
    }
}
