package io.molia.admin;

import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.RelayCircuit;
import io.molia.admin.proto.RelayClientView;
import io.molia.admin.proto.RelayReservation;
import io.molia.admin.proto.RelayRoute;
import io.molia.admin.proto.RelaysView;
import io.molia.relay.Relay;
import io.molia.relay.RelayCircuits;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayRefusal;
import io.molia.relay.RelayRoutes;

/** The {@code relays} view: a copy of the relay's and the relay client's state taken on the protocol loop. */
final class RelayViews {
    private RelayViews() {
    }

    /**
     * {@code relay} null: the node relays for nobody; {@code client} null: it never uses relays; {@code circuits}:
     * those the routing table owner's core opened to relayed servers (null: none); {@code relayedServer}: this
     * client announces itself through its relay.
     */
    static RelaysView relays(Relay relay, RelayClient client, RelayCircuits circuits, boolean relayedServer,
            long nowNs) {
        RelaysView.Builder v = RelaysView.newBuilder().setRelaying(relay != null);
        if (relay != null) {
            Relay.Status s = relay.status(nowNs);
            v.setBudgetPercent(s.budgetPercent()).setWindowMs(ms(s.windowNs())).setRelayedBytes(s.relayedBytes())
                    .setEgressBytes(s.egressBytes()).setLimitBytes(s.limitBytes());
            for (long b : s.relayedPerSlot()) {
                v.addRelayedPerSlot(b);
            }
            for (Relay.ReservationView r : s.reservations()) {
                v.addReservations(RelayReservation.newBuilder().setClient(r.client().toHex())
                        .setAddress(r.address().toString()).setExpiresInMs(ms(r.expiresInNs()))
                        .setCircuits(r.circuits()).setRelayedBytes(r.relayedBytes()).setRefusals(r.refusals()));
            }
            for (Relay.CircuitView c : s.circuits()) {
                v.addCircuits(RelayCircuit.newBuilder().setId(c.id()).setInitiator(c.initiator().toHex())
                        .setTarget(c.target().toHex()).setAgeMs(ms(c.ageNs())).setBytesToTarget(c.bytesToTarget())
                        .setBytesToInitiator(c.bytesToInitiator()));
            }
            for (RelayRefusal reason : RelayRefusal.values()) {
                v.putRefusals(reason.label(), s.refusals()[reason.ordinal()]);
            }
            v.putCounters("frames", s.framesRelayed());
            v.putCounters("bytes", s.bytesRelayed());
            v.putCounters("reservations_granted", s.reservationsGranted());
            v.putCounters("circuits_opened", s.circuitsOpened());
            v.putCounters("circuits_closed", relay.circuitsClosed());
        }
        if (client != null) {
            RelayClient.Status c = client.status(nowNs);
            RelayClientView.Builder cv = RelayClientView.newBuilder()
                    .setRelay(c.relay() == null ? "" : c.relay().id().toHex())
                    .setRelayAddress(c.relay() == null ? "" : c.relay().address().toString())
                    .setExpiresInMs(c.relay() == null ? 0 : ms(c.expiresInNs()))
                    .setLastRefusal(c.lastRefusal() == null ? "" : c.lastRefusal().label());
            for (RelayRoutes.Route r : client.routes().routes()) {
                cv.addRoutes(RelayRoute.newBuilder().setPeer(r.peer().toHex()).setRelayAddress(r.relay().toString())
                        .setCircuit(r.circuit()).setPunchTo(r.punchTo() == null ? "" : r.punchTo().toString())
                        .setPunchesLeft(r.punchesLeft().get()).setDirect(r.direct().get()));
            }
            cv.putCounters("reservations_granted", c.reservationsGranted());
            cv.putCounters("reservations_refused", c.reservationsRefused());
            cv.putCounters("connects_granted", c.connectsGranted());
            cv.putCounters("connects_refused", c.connectsRefused());
            cv.putCounters("incoming", c.incoming());
            cv.putCounters("punches", client.routes().punchesSent());
            cv.putCounters("upgrades", client.routes().upgrades());
            cv.putCounters("closes_sent", client.routes().closesSent());
            cv.putCounters("circuits_closed", client.routes().closed());
            if (circuits != null) {
                cv.putCounters("request_circuits_open", circuits.circuits());
                cv.putCounters("request_circuits_opened", circuits.opened());
                cv.putCounters("request_circuits_refused", circuits.refused());
                cv.putCounters("request_circuits_full", circuits.full());
            }
            cv.setRelayedServer(relayedServer);
            v.setClient(cv);
        }
        return v.build();
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
