package io.molia.adminclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;
import io.molia.admin.proto.RelayCircuit;
import io.molia.admin.proto.RelayClientView;
import io.molia.admin.proto.RelayReservation;
import io.molia.admin.proto.RelaysView;

class RenderTest {
    private static final Render.Style HIDDEN = new Render.Style(false, 80, false);
    private static final Render.Style SHOWN = new Render.Style(false, 80, true);

    @Test
    void addressesHideTheLastIpv4ByteOrTheIpv6InterfaceIdentifier() {
        assertEquals("203.0.113.x:4000", Render.addr("203.0.113.7:4000", HIDDEN));
        assertEquals("[2001:db8:1:2::x]:4000", Render.addr("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:4000", HIDDEN));
        assertEquals("[2001:db8::x]:4000", Render.addr("[2001:db8::7]:4000", HIDDEN));
        assertEquals("[::x]:4000", Render.addr("[::1]:4000", HIDDEN));
        assertEquals("[::1]:4000", Render.addr("[::1]:4000", SHOWN));
        assertEquals("[not an address]:1", Render.addr("[not an address]:1", HIDDEN), "shown as sent");
    }

    @Test
    void aMoliaAddressKeepsItsBrackets() {
        assertEquals("molia://(key hidden: --show-keys)@[::x]:4000", Render.address("molia://KEY@[::1]:4000", HIDDEN));
    }

    @Test
    void theNatViewNamesTypeRoleProbesLifetimeAndObserversWithAddressesHidden() {
        NatView v = NatView.newBuilder().setType("port-restricted").setMode("client")
                .setMappedAddress("203.0.113.9:4000").setOtherPortProbe("failed").setOtherAddressProbe("failed")
                .setMappingLifetimeAtLeastMs(30_000).setMappingLifetimeBelowMs(-1).setKeepaliveIntervalMs(60_000)
                .setKeepalivePeer("3f9a0c1e2b7d4a55aa").addObservations(NatObservation.newBuilder()
                        .setReporter("3f9a0c1e2b7d4a55aa").setReporterAddress("198.51.100.1:4000")
                        .setObserved("203.0.113.9:4000").setAgeMs(1_200)).build();
        String text = Render.nat(v, HIDDEN);
        assertTrue(text.contains("port-restricted") && text.contains("client (not reachable"), text);
        assertTrue(text.contains("other port: failed, other address: failed"), text);
        assertTrue(text.contains("at least 30.0 s, never seen to expire"), text);
        assertTrue(text.contains("every 1 min 0 s to 3f9a0c1e2b7d4a55"), text);
        assertTrue(text.contains("3f9a0c1e2b7d4a55") && text.contains("203.0.113.x:4000"), text);
        assertFalse(text.contains("203.0.113.9"), "addresses hidden without --show-keys: " + text);
        assertTrue(Render.nat(v, SHOWN).contains("203.0.113.9:4000"));
    }

    @Test
    void theRelaysViewShowsTheBudgetRefusalsAndEachClientsReservationWithAddressesHidden() {
        RelaysView v = RelaysView.newBuilder().setRelaying(true).setBudgetPercent(10).setWindowMs(60_000)
                .setRelayedBytes(2_048).setEgressBytes(40_960).setLimitBytes(4_096).putRefusals("budget", 3)
                .putRefusals("unknown-circuit", 0).putCounters("frames", 12).putCounters("bytes", 9_000)
                .addReservations(RelayReservation.newBuilder().setClient("5763844991a90764ff").setAddress(
                        "100.64.3.2:4000").setExpiresInMs(3_000_000).setCircuits(1).setRelayedBytes(2_048))
                .addCircuits(RelayCircuit.newBuilder().setId(0x3969_d0de).setInitiator("ccfffa62a7202a01ee")
                        .setTarget("5763844991a90764ff").setAgeMs(5_000).setBytesToTarget(1_024))
                .setClient(RelayClientView.newBuilder()).build();
        String text = Render.relays(v, HIDDEN);
        assertTrue(text.contains("5.0 % of") && text.contains("limit 10 %"), text);
        assertTrue(text.contains("budget 3") && !text.contains("unknown-circuit"), "only refusals that happened: "
                + text);
        assertTrue(text.contains("own reservation") && text.contains("none"), text);
        assertTrue(text.contains("1 reservations") && text.contains("5763844991a90764")
                && text.contains("100.64.3.x:4000"), text);
        assertTrue(text.contains("1 circuits") && text.contains("3969d0de"), text);
        assertFalse(text.contains("100.64.3.2"), "addresses hidden without --show-keys: " + text);
        assertTrue(Render.relays(RelaysView.newBuilder().build(), HIDDEN).contains("relaying off"));
    }
}
