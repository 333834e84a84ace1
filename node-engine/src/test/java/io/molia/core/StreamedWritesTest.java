package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.MutableStore;
import io.molia.core.store.RecordsConfig;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import org.junit.jupiter.api.Test;

/**
 * A write streams its stores during its lookup and reports once a majority of the k closest stored it, without
 * waiting for departed peers among the k closest to time out; the rest of the k get theirs in the background. A
 * provider lookup asked for N providers stops at the N-th, and any ends a bounded wait after its first. 40 NodeCores
 * driven by hand, 1 ms per hop.
 */
class StreamedWritesTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(31);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeCore> nodes = new ArrayList<>();
    private final Map<NodeCore, Ed25519Identity> identities = new LinkedHashMap<>();
    private long now;

    StreamedWritesTest() {
        for (int i = 0; i < 40; i++) {
            Ed25519Identity id = Ed25519Identity.generate(random);
            Contact c = new Contact(NodeId.ofPublicKey(id.publicKey()), id.publicKey(), 0,
                    NodeAddress.ipv4(0x0a000000 | i << 8, 4000));
            NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
            network.put(c.address(), core);
            nodes.add(core);
            identities.put(core, id);
        }
        for (int i = 1; i < nodes.size(); i++) {
            nodes.get(i).bootstrap(now, List.of(nodes.get(0).self()));
            drive();
        }
        nodes.forEach(StreamedWritesTest::events);
    }

    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> { });
    }

    /** Drives the network, firing timers in time order, until {@code done} holds or {@code limitNs} passed. */
    private void driveUntil(long limitNs, BooleanSupplier done) {
        drive();
        while (!done.getAsBoolean() && now < limitNs) {
            long next = Long.MAX_VALUE;
            for (NodeCore core : network.values()) {
                next = Math.min(next, core.nextDeadlineNs());
            }
            now = Math.max(now + 1, Math.min(limitNs, next));
            drive();
        }
    }

    private static List<CoreEvent> events(NodeCore core) {
        List<CoreEvent> out = new ArrayList<>();
        CoreEvent e;
        while ((e = core.pollEvent()) != null) {
            out.add(e);
        }
        return out;
    }

    private List<NodeCore> byDistance(NodeId key, NodeCore except) {
        List<NodeCore> sorted = new ArrayList<>(nodes);
        sorted.remove(except);
        sorted.sort(Comparator.comparing(n -> n.self().id(), key::compareDistance));
        return sorted;
    }

    @Test
    void aWriteReportsAtAMajorityOfTheKClosestWithoutWaitingForDepartedOnes() {
        NodeCore writer = nodes.get(3);
        MutableRecord record = MutableRecord.sign(identities.get(writer), new byte[] {7}, 1, new byte[] {1, 2, 3});
        List<NodeCore> closest = byDistance(record.key(), writer).subList(0, 20);
        // Five of the k closest (not the three closest) left without a word: the writer still counts them.
        List<NodeCore> departed = new ArrayList<>(closest.subList(4, 9));
        departed.forEach(n -> network.remove(n.self().address()));

        long started = now;
        writer.startPutMutable(now, record, MutableStore.NO_CAS);
        List<CoreEvent> done = new ArrayList<>();
        driveUntil(started + 10_000 * MS, () -> {
            done.addAll(events(writer));
            return !done.isEmpty();
        });
        CoreEvent.RecordWriteCompleted put = (CoreEvent.RecordWriteCompleted) done.get(0);
        long reportedMs = (put.finishedNs() - started) / MS;
        // Before streaming, the write waited for its lookup to give up on the departed peers (two adaptive timeouts
        // of at least 50 ms each) and then for every store's answer.
        assertTrue(reportedMs < 50, "reported after " + reportedMs + " ms");
        assertEquals(put.finishedNs(), put.acknowledgedNs());
        assertTrue(put.stored() > 10, "a majority of the k closest stored it: " + put.stored());

        driveUntil(now + 10_000 * MS, () -> writer.pendingRequests() == 0);
        for (NodeCore n : closest) {
            if (!departed.contains(n)) {
                assertNotNull(n.recordRequests().mutables().get(now, record.key()),
                        "every live one of the k closest stored it, in the background");
            }
        }
        NodeCore reader = byDistance(record.key(), writer).get(38);
        reader.startGetMutable(now, record.key());
        List<CoreEvent> got = new ArrayList<>();
        driveUntil(now + 10_000 * MS, () -> {
            got.addAll(events(reader));
            return !got.isEmpty();
        });
        assertEquals(record, ((CoreEvent.MutableGetCompleted) got.get(0)).record());
    }

    @Test
    void aWritesLookupAsksThreePeersPerPathAtOnceAndAReadOne() {
        NodeCore writer = nodes.get(5);
        MutableRecord record = MutableRecord.sign(identities.get(writer), new byte[] {9}, 1, new byte[] {4});
        int paths = CoreConfig.defaults().disjointPaths();
        int before = writer.pendingRequests();
        writer.startGetMutable(now, record.key());
        assertEquals(paths, writer.pendingRequests() - before, "a read: one request per path");
        drive();
        events(writer);
        // A write reports once a majority of the k closest answered and stored it: its paths ask three peers at a time.
        before = writer.pendingRequests();
        writer.startPutMutable(now, record, MutableStore.NO_CAS);
        // Its k seeds are dealt round-robin: 20 over 8 paths leave 4 paths two (two per path asked 16 at once).
        int seedsDealt = CoreConfig.defaults().k();
        assertEquals(Math.min(3 * paths, seedsDealt), writer.pendingRequests() - before,
                "a write: three requests per path, as far as its seeds go");
    }

    @Test
    void aProviderLookupAskedForOneStopsAtTheFirst() {
        NodeId key = TestContacts.randomId(random);
        provide(key, List.of(nodes.get(2), nodes.get(11), nodes.get(25)));
        NodeCore reader = byDistance(key, null).get(39);

        CoreEvent.ProvidersFound every = findProviders(reader, key, 20);
        assertEquals(3, every.providers().size(), "without a count it waits for more after the first and finds all");
        CoreEvent.ProvidersFound one = findProviders(reader, key, 1);
        assertEquals(1, one.providers().size());
        assertTrue(one.finishedNs() - one.startedNs() < every.finishedNs() - every.startedNs(), "it stopped at the "
                + "first: " + (one.finishedNs() - one.startedNs()) / MS + " ms against "
                + (every.finishedNs() - every.startedNs()) / MS + " ms");
    }

    @Test
    void aProviderLookupEndsABoundedWaitAfterItsFirstProviderNotWhenItsLookupEnds() {
        NodeId key = TestContacts.randomId(random);
        List<NodeCore> providers = List.of(nodes.get(4), nodes.get(17), nodes.get(30));
        provide(key, providers);
        // Four of the key's closest left without a word: a lookup waits out their timeouts before it ends.
        byDistance(key, null).subList(3, 7).stream().filter(n -> !providers.contains(n))
                .forEach(n -> network.remove(n.self().address()));
        NodeCore reader = byDistance(key, null).get(39);
        NodeCore other = byDistance(key, null).get(38); // knows no more of the departed than the reader

        CoreEvent.ProvidersFound toTheEnd = findProviders(other, key, 20); // the default wait outlasts this lookup
        long lookupAfterFirst = toTheEnd.finishedNs() - toTheEnd.firstFoundNs();
        reader.recordsConfig(RecordsConfig.defaults().withReadWait(2 * MS));
        CoreEvent.ProvidersFound bounded = findProviders(reader, key, 20);

        assertEquals(3, bounded.providers().size(), "the first holder's answer named every provider");
        long waited = bounded.finishedNs() - bounded.firstFoundNs();
        assertTrue(waited >= 2 * MS && waited <= 3 * MS && waited < lookupAfterFirst, "ended " + waited / 1e6
                + " ms after the first provider; its lookup ran " + lookupAfterFirst / 1e6 + " ms past it");
    }

    @Test
    void aHolderThatAnswersWithMadeUpProvidersDoesNotCrowdOutTheOnesOtherHoldersNamed() {
        NodeCore liar = nodes.get(0); // first in the network's order: its answers are read first in a round
        NodeId key = liar.self().id().flipBit(255); // and it is the key's closest
        for (int i = 0; i < 20; i++) { // its store for the key is full of providers of its own making (an answer
            // carries as many as fit)
            Ed25519Identity fake = Ed25519Identity.generate(random);
            liar.recordRequests().providers().restore(key, SignedNodeRecord.sign(fake,
                    List.of(NodeAddress.ipv4(0x0b000000 | i, 4000)), 1, 0), null, now, now + 3_600_000 * MS);
        }
        List<NodeCore> honest = List.of(nodes.get(6), nodes.get(21), nodes.get(33));
        provide(key, honest); // the liar refuses them: its 20 are its cap for the key

        CoreEvent.ProvidersFound found = findProviders(byDistance(key, null).get(39), key, 20);
        List<NodeId> ids = found.providers().stream().map(SignedNodeRecord::id).toList();
        List<NodeId> real = honest.stream().map(n -> n.self().id()).toList();
        assertTrue(ids.size() > real.size(), "the liar's answer was read too: " + ids);
        assertEquals(Set.copyOf(real), Set.copyOf(ids.subList(0, 3)), "the providers other holders named come first: "
                + ids);
    }

    /** Each of {@code providers} announces itself for {@code key} and waits until its stores settled. */
    private void provide(NodeId key, List<NodeCore> providers) {
        for (NodeCore p : providers) {
            p.provideSigner(identities.get(p));
            p.startProvide(now, key, SignedNodeRecord.sign(identities.get(p), List.of(p.self().address()), 1, 0));
            driveUntil(now + 10_000 * MS, () -> p.pendingRequests() == 0);
            events(p);
        }
    }

    private CoreEvent.ProvidersFound findProviders(NodeCore reader, NodeId key, int wanted) {
        reader.startFindProviders(now, key, wanted);
        List<CoreEvent> done = new ArrayList<>();
        driveUntil(now + 10_000 * MS, () -> {
            done.addAll(events(reader));
            return !done.isEmpty();
        });
        return (CoreEvent.ProvidersFound) done.get(0);
    }
}
