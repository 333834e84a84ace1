package io.molia.admin;

import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;
import io.molia.admin.proto.PunchOutcome;
import io.molia.nat.NatTraversal;
import io.molia.relay.BirthdayCounters;
import io.molia.relay.RelayRoutes;

/** The {@code nat} view: a copy of the NAT state taken on the protocol loop (docs/admin-api.md). */
final class NatViews {
    private NatViews() {
    }

    /**
     * {@code routes}: the circuits this node was an end of, for punch outcomes by NAT-type pair (null: none);
     * {@code relayedServer}: a client announcing itself through its relay.
     */
    static NatView nat(NatTraversal.Status s, long nowNs, boolean servesOtherAddress, RelayRoutes routes,
            boolean relayedServer) {
        NatView.Builder v = NatView.newBuilder()
                .setType(s.type().label())
                .setMode(s.client() ? "client" : "server")
                .setMappedAddress(s.mapped() == null ? "" : s.mapped().toString())
                .setOtherPortProbe(label(s.otherPortProbe()))
                .setOtherAddressProbe(label(s.otherAddressProbe()))
                .setMappingLifetimeAtLeastMs(ms(s.mappingLifetimeAtLeastNs()))
                .setMappingLifetimeBelowMs(s.mappingLifetimeBelowNs() == Long.MAX_VALUE ? -1
                        : ms(s.mappingLifetimeBelowNs()))
                .setKeepaliveIntervalMs(ms(s.keepaliveIntervalNs()))
                .setKeepalivePeer(s.keepalivePeer() == null ? "" : s.keepalivePeer().toHex())
                .setServesOtherAddress(servesOtherAddress)
                .setRelayedServer(relayedServer);
        for (NatTraversal.Observation o : s.observations()) {
            v.addObservations(NatObservation.newBuilder().setReporter(o.reporter().id().toHex())
                    .setReporterAddress(o.reporterAddress().toString()).setObserved(o.observed().toString())
                    .setAgeMs(ms(nowNs - o.atNs())));
        }
        NatTraversal.Counters c = s.counters();
        v.putCounters("observations", c.observations);
        v.putCounters("mapping_changes", c.mappingChanges);
        v.putCounters("dial_backs_asked", c.dialBacksSent);
        v.putCounters("dial_backs_declined", c.dialBacksRefused);
        v.putCounters("probes_arrived", c.probesArrived);
        v.putCounters("probes_failed", c.probesFailed);
        v.putCounters("probes_unknown", c.probesUnknown);
        v.putCounters("keepalives_sent", c.keepalivesSent);
        v.putCounters("role_changes", c.roleChanges);
        if (routes != null) {
            BirthdayCounters b = routes.birthdayCounters();
            v.putCounters("birthday_opened", b.opened.get());
            v.putCounters("birthday_sprayed", b.sprayed.get());
            v.putCounters("birthday_sockets", b.sockets.get());
            v.putCounters("birthday_probes", b.probes.get());
            v.putCounters("birthday_hits", b.hits.get());
            v.putCounters("birthday_misses", b.misses.get());
            v.putCounters("birthday_refused", b.refused.get());
            v.putCounters("birthday_stray_probes", b.stray.get());
            for (RelayRoutes.PunchOutcomes o : routes.outcomes()) {
                v.addPunchOutcomes(PunchOutcome.newBuilder().setOwn(o.own().label()).setPeer(o.peer().label())
                        .setPunched(o.punched()).setRelayed(o.relayed()));
            }
        }
        return v.build();
    }

    private static String label(NatTraversal.Outcome o) {
        return o.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
