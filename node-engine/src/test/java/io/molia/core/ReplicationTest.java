package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.MutableStore;
import io.molia.core.store.RecordsConfig;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import org.junit.jupiter.api.Test;

/**
 * Adaptive replication (docs/records.md, "Replication that adapts") across 30 NodeCores driven by hand, 1 ms per
 * hop: a record reaches a closer node that joins, replicas lost to departures are restored, and a key read often is
 * held wider.
 */
class ReplicationTest {
    private static final long MS = 1_000_000;
    private static final long SECOND = 1_000 * MS;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private SplittableRandom random;
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeCore> nodes = new ArrayList<>();
    private long now;

    private void start(RecordsConfig records) {
        random = new SplittableRandom(31); // the same nodes and keys in every test
        for (int i = 0; i < 30; i++) {
            nodes.add(join(TestContacts.random(random, 0x0a000000 | i << 8), records));
        }
    }

    private NodeCore join(Contact c, RecordsConfig records) {
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
        core.recordsConfig(records);
        network.put(c.address(), core);
        if (!nodes.isEmpty()) {
            core.bootstrap(now, List.of(nodes.get(0).self()));
            drive();
        }
        return core;
    }

    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> { });
    }

    /** Lets {@code ns} pass a second at a time, firing timers (maintenance ticks, candidate pings) on the way. */
    private void advance(long ns) {
        long end = now + ns;
        while (now < end) {
            now += SECOND;
            drive();
        }
    }

    private List<NodeCore> live() {
        return List.copyOf(network.values());
    }

    private long holders(NodeId key) {
        return live().stream().filter(n -> n.records().get(now, key) != null).count();
    }

    private long sum(ToLongFunction<CoreCounters> counter) {
        return live().stream().mapToLong(n -> counter.applyAsLong(n.counters())).sum();
    }

    private NodeId put(NodeCore writer, String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        writer.startPut(now, value, 2 * HOUR);
        drive();
        NodeId key = NodeId.fromBytes(new Blake3().hash(value));
        assertTrue(holders(key) >= 20, "stored on the k closest the put found");
        return key;
    }

    private static RecordsConfig replicateEvery(long intervalNs, int hotReads, int hotExtra) {
        return RecordsConfig.defaults().withReplication(intervalNs, 600, hotReads, hotExtra);
    }

    @Test
    void aCloserNodeThatJoinsIsHandedTheRecord() {
        start(RecordsConfig.defaults());
        NodeId key = put(nodes.get(5), "handed to a newcomer");
        // A newcomer closer to the key than half of its holders: it is now among the k closest.
        List<NodeCore> byDistance = new ArrayList<>(live());
        byDistance.sort(Comparator.comparing(n -> n.self().id(), key::compareDistance));
        NodeId tenth = byDistance.get(9).self().id();
        Contact close;
        do {
            close = TestContacts.random(random, 0x0b000001);
        } while (key.compareDistance(close.id(), tenth) >= 0);

        NodeCore newcomer = join(close, RecordsConfig.defaults());
        advance(TimeUnit.MINUTES.toNanos(2));

        assertNotNull(newcomer.records().get(now, key), "a holder handed it over");
        assertTrue(sum(c -> c.replicationHandoffs) >= 1);
        assertEquals(0, sum(c -> c.replicationRepairs), "no repair round yet: the interval is an hour");
    }

    @Test
    void aNewcomerIsHandedTheRecordWhenTheClosestHolderLeftUnnoticed() {
        start(RecordsConfig.defaults());
        NodeId key = put(nodes.get(5), "handed over although the closest holder is gone");
        List<NodeCore> byDistance = new ArrayList<>(live());
        byDistance.sort(Comparator.comparing(n -> n.self().id(), key::compareDistance));
        // The closest holder leaves without a word: the others still count it alive and closer than themselves.
        network.remove(byDistance.get(0).self().address());
        NodeId fifth = byDistance.get(4).self().id();
        Contact close;
        do {
            close = TestContacts.random(random, 0x0b000002);
        } while (key.compareDistance(close.id(), fifth) >= 0);

        NodeCore newcomer = join(close, RecordsConfig.defaults());
        advance(TimeUnit.MINUTES.toNanos(2));

        assertNotNull(newcomer.records().get(now, key), "the next closest holder handed it over");
        assertEquals(0, sum(c -> c.replicationRepairs), "a handoff, not a repair round (the interval is an hour)");
    }

    @Test
    void replicasLostToDeparturesAreRestoredOnTheClosestThatRemain() {
        RecordsConfig records = replicateEvery(TimeUnit.MINUTES.toNanos(10), 60, 10);
        start(records);
        NodeId key = put(nodes.get(3), "kept alive under churn");
        List<NodeCore> holding = live().stream().filter(n -> n.records().get(now, key) != null).toList();
        for (NodeCore gone : holding.subList(0, 14)) {
            network.remove(gone.self().address()); // left without a word
        }
        assertEquals(holding.size() - 14, holders(key));

        advance(TimeUnit.MINUTES.toNanos(25));

        assertEquals(network.size(), holders(key), "every node left (16 < k) holds it again");
        assertTrue(sum(c -> c.replicationRepairs) > 0, "a repair round stored it where it was missing");
        assertTrue(sum(c -> c.replicationAlreadyHeld) > 0, "holders were probed, not sent the value again");
    }

    @Test
    void aKeyReadOftenIsHeldWider() {
        long notHot = holdersAfterReads(replicateEvery(HOUR, 1_000, 5)); // the k closest and path-cached copies
        assertEquals(0, sum(c -> c.replicationHotCopies));
        nodes.clear();
        network.clear();
        long hot = holdersAfterReads(replicateEvery(HOUR, 5, 5));
        assertTrue(hot > notHot, "hot: also on the k + 5 closest known");
        assertTrue(sum(c -> c.replicationHotCopies) > 0);
    }

    private long holdersAfterReads(RecordsConfig records) {
        start(records);
        NodeId key = put(nodes.get(7), "read by many");
        List<NodeCore> readers = live().stream().filter(n -> n.records().get(now, key) == null).toList();
        for (int round = 0; round < 3; round++) {
            for (NodeCore reader : readers) {
                reader.startGet(now, key);
            }
            drive();
        }
        return holders(key);
    }

    @Test
    void mutableRecordsAreRepairedToo() {
        start(replicateEvery(TimeUnit.MINUTES.toNanos(10), 60, 10));
        Ed25519Identity owner = Ed25519Identity.generate(random);
        MutableRecord record = MutableRecord.sign(owner, new byte[] {1}, 1,
                "signed".getBytes(StandardCharsets.UTF_8));
        nodes.get(2).startPutMutable(now, record, MutableStore.NO_CAS);
        drive();
        List<NodeCore> holding = live().stream()
                .filter(n -> n.recordRequests().mutables().get(now, record.key()) != null).toList();
        assertTrue(holding.size() >= 20);
        holding.subList(0, 14).forEach(gone -> network.remove(gone.self().address()));

        advance(TimeUnit.MINUTES.toNanos(25));

        assertEquals(network.size(), live().stream()
                .filter(n -> n.recordRequests().mutables().get(now, record.key()) != null).count());
    }

    private static Contact contactOf(Ed25519Identity identity, int ipv4) {
        return new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                NodeAddress.ipv4(ipv4, 4000));
    }

    /** Provides {@code key} from {@code provider} (its identity signs the announcement); returns its node record. */
    private SignedNodeRecord provide(NodeCore provider, Ed25519Identity identity, NodeId key) {
        SignedNodeRecord record = SignedNodeRecord.sign(identity, List.of(provider.self().address()), 1, 0);
        provider.provideSigner(identity);
        provider.startProvide(now, key, record);
        drive();
        return record;
    }

    private long providerHolders(NodeId key, SignedNodeRecord record) {
        return live().stream().filter(n -> n.recordRequests().providers().providers(now, key).contains(record))
                .count();
    }

    @Test
    void providerEntriesAreHandedToANewcomerAndRepairedAfterTheProviderLeft() {
        start(replicateEvery(TimeUnit.MINUTES.toNanos(10), 60, 10));
        Ed25519Identity identity = Ed25519Identity.generate(random);
        NodeCore provider = join(contactOf(identity, 0x0c000001),
                replicateEvery(TimeUnit.MINUTES.toNanos(10), 60, 10));
        NodeId key = TestContacts.randomId(random);
        SignedNodeRecord record = provide(provider, identity, key);
        assertTrue(providerHolders(key, record) >= 19, "stored on the k closest the provide found");
        network.remove(provider.self().address()); // the provider leaves: nobody announces it again

        List<NodeCore> byDistance = new ArrayList<>(live());
        byDistance.sort(Comparator.comparing(n -> n.self().id(), key::compareDistance));
        NodeId fifth = byDistance.get(4).self().id();
        Contact close;
        do {
            close = TestContacts.random(random, 0x0b000003);
        } while (key.compareDistance(close.id(), fifth) >= 0);
        NodeCore newcomer = join(close, replicateEvery(TimeUnit.MINUTES.toNanos(10), 60, 10));
        advance(TimeUnit.MINUTES.toNanos(2));
        assertEquals(List.of(record), newcomer.recordRequests().providers().providers(now, key),
                "a holder handed the entry over, with the provider's announcement");
        assertTrue(newcomer.recordRequests().providers().forwarded() >= 1);

        List<NodeCore> holding = live().stream()
                .filter(n -> n.recordRequests().providers().providers(now, key).contains(record)).toList();
        holding.subList(0, 14).forEach(gone -> network.remove(gone.self().address()));
        advance(TimeUnit.MINUTES.toNanos(25));
        assertEquals(network.size(), providerHolders(key, record), "every node left holds it again");
        assertTrue(sum(c -> c.replicationRepairs) > 0);
    }

    @Test
    void aProviderEntryWithoutAnAnnouncementStaysWithItsProvider() {
        start(RecordsConfig.defaults());
        Ed25519Identity identity = Ed25519Identity.generate(random);
        NodeCore provider = join(contactOf(identity, 0x0c000002),
                RecordsConfig.defaults());
        NodeId key = TestContacts.randomId(random);
        SignedNodeRecord record = SignedNodeRecord.sign(identity, List.of(provider.self().address()), 1, 0);
        provider.startProvide(now, key, record); // no signer: as a node that predates announcements
        drive();
        assertTrue(providerHolders(key, record) >= 19);
        List<NodeCore> byDistance = new ArrayList<>(live());
        byDistance.sort(Comparator.comparing(n -> n.self().id(), key::compareDistance));
        NodeId fifth = byDistance.get(4).self().id();
        Contact close;
        do {
            close = TestContacts.random(random, 0x0b000004);
        } while (key.compareDistance(close.id(), fifth) >= 0);
        NodeCore newcomer = join(close, RecordsConfig.defaults());
        advance(TimeUnit.MINUTES.toNanos(2));
        assertEquals(List.of(), newcomer.recordRequests().providers().providers(now, key),
                "a holder cannot prove the provider named the key: nothing to hand over");
    }
}
