package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.MutableStore;
import io.molia.core.store.RecordStore;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import org.junit.jupiter.api.Test;

/**
 * Provider records, signed mutable records and path caching across 30 NodeCores driven by hand (the test owns the
 * clock and carries every datagram, 1 ms per hop).
 */
class RecordOperationsTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(23);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeCore> nodes = new ArrayList<>();
    private long now;

    RecordOperationsTest() {
        for (int i = 0; i < 30; i++) {
            Contact c = TestContacts.random(random, 0x0a000000 | i << 8);
            NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
            network.put(c.address(), core);
            nodes.add(core);
        }
        for (int i = 1; i < nodes.size(); i++) {
            nodes.get(i).bootstrap(now, List.of(nodes.get(0).self()));
            drive();
        }
        nodes.forEach(RecordOperationsTest::events);
    }

    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> { });
    }

    private static List<CoreEvent> events(NodeCore core) {
        List<CoreEvent> out = new ArrayList<>();
        CoreEvent e;
        while ((e = core.pollEvent()) != null) {
            out.add(e);
        }
        return out;
    }

    private static <T extends CoreEvent> T only(NodeCore core, Class<T> type) {
        List<CoreEvent> all = events(core);
        List<CoreEvent> matching = all.stream().filter(type::isInstance).toList();
        assertEquals(1, matching.size(), "events: " + all);
        return type.cast(matching.get(0));
    }

    /** A node's identity whose public key is that node's contact key: the provider is the node itself. */
    private static NodeCore withIdentity(List<NodeCore> nodes, Map<NodeCore, Ed25519Identity> ids,
            SplittableRandom random, NodeAddress address) {
        Ed25519Identity id = Ed25519Identity.generate(random);
        Contact c = new Contact(NodeId.ofPublicKey(id.publicKey()), id.publicKey(), 0, address);
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), 0);
        ids.put(core, id);
        nodes.add(core);
        return core;
    }

    @Test
    void aProviderAnnouncesItselfAndALookupFindsItsSignedRecord() {
        Map<NodeCore, Ed25519Identity> ids = new LinkedHashMap<>();
        NodeAddress address = NodeAddress.ipv4(0x0b000001, 4000);
        NodeCore provider = withIdentity(new ArrayList<>(), ids, random, address);
        network.put(address, provider);
        provider.bootstrap(now, List.of(nodes.get(0).self()));
        drive();
        events(provider);

        NodeId key = TestContacts.randomId(random);
        SignedNodeRecord record = SignedNodeRecord.sign(ids.get(provider), List.of(address), 1, 0);
        provider.startProvide(now, key, record);
        drive();
        CoreEvent.RecordWriteCompleted provided = only(provider, CoreEvent.RecordWriteCompleted.class);
        assertTrue(provided.stored() > 10, "reported once a majority of the k closest stored it");
        assertNull(provided.refusal());

        nodes.get(11).startFindProviders(now, key);
        drive();
        CoreEvent.ProvidersFound found = only(nodes.get(11), CoreEvent.ProvidersFound.class);
        assertEquals(List.of(record), found.providers());
        assertEquals(provider.self().id(), found.providers().get(0).id());
    }

    @Test
    void aNodeCannotAnnounceAnotherNodesRecord() {
        NodeId key = TestContacts.randomId(random);
        Ed25519Identity someoneElse = Ed25519Identity.generate(random);
        SignedNodeRecord theirs = SignedNodeRecord.sign(someoneElse, List.of(NodeAddress.ipv4(1, 1)), 1, 0);
        nodes.get(3).startProvide(now, key, theirs);
        drive();
        CoreEvent.RecordWriteCompleted done = only(nodes.get(3), CoreEvent.RecordWriteCompleted.class);
        assertEquals(0, done.stored());
        assertEquals(WriteOutcome.NOT_THE_PROVIDER, done.refusal());
    }

    @Test
    void mutableRecordsFollowSeqCasAndSignatureRules() {
        Ed25519Identity owner = Ed25519Identity.generate(random);
        byte[] salt = "feed".getBytes(StandardCharsets.UTF_8);
        NodeCore writer = nodes.get(4);
        MutableRecord v1 = MutableRecord.sign(owner, salt, 1, "first".getBytes(StandardCharsets.UTF_8));
        writer.startPutMutable(now, v1, MutableStore.NO_CAS);
        drive();
        CoreEvent.RecordWriteCompleted put = only(writer, CoreEvent.RecordWriteCompleted.class);
        assertTrue(put.stored() > 10, "stored: " + put.stored());

        MutableRecord v2 = MutableRecord.sign(owner, salt, 2, "second".getBytes(StandardCharsets.UTF_8));
        writer.startPutMutable(now, v2, 1);
        drive();
        assertTrue(only(writer, CoreEvent.RecordWriteCompleted.class).stored() > 10, "cas 1 names the stored seq");

        writer.startPutMutable(now, MutableRecord.sign(owner, salt, 1, new byte[] {9}), MutableStore.NO_CAS);
        drive();
        CoreEvent.RecordWriteCompleted lower = only(writer, CoreEvent.RecordWriteCompleted.class);
        assertEquals(0, lower.stored());
        assertEquals(WriteOutcome.STALE_SEQ, lower.refusal());
        assertEquals(2, lower.heldSeq());

        writer.startPutMutable(now, MutableRecord.sign(owner, salt, 3, new byte[] {3}), 1);
        drive();
        CoreEvent.RecordWriteCompleted cas = only(writer, CoreEvent.RecordWriteCompleted.class);
        assertEquals(WriteOutcome.CAS_MISMATCH, cas.refusal());
        assertEquals(2, cas.heldSeq(), "the answer says what a retry should name");

        MutableRecord forged = new MutableRecord(v2.publicKey(), salt, 5, "evil".getBytes(StandardCharsets.UTF_8),
                v2.signature());
        writer.startPutMutable(now, forged, MutableStore.NO_CAS);
        drive();
        assertEquals(WriteOutcome.BAD_SIGNATURE, only(writer, CoreEvent.RecordWriteCompleted.class).refusal());

        writer.startPutMutable(now, MutableRecord.sign(owner, salt, 6, new byte[MutableRecord.MAX_VALUE_BYTES + 1]),
                MutableStore.NO_CAS);
        drive();
        assertEquals(WriteOutcome.OVERSIZE, only(writer, CoreEvent.RecordWriteCompleted.class).refusal());

        long refusedOnNodes = 0;
        for (NodeCore n : nodes) {
            refusedOnNodes += n.recordRequests().mutables().refused();
        }
        assertEquals(4 * 20, refusedOnNodes, "each refusal counted on every node that refused it");

        NodeCore reader = nodes.get(21);
        reader.startGetMutable(now, v1.key());
        drive();
        CoreEvent.MutableGetCompleted got = only(reader, CoreEvent.MutableGetCompleted.class);
        assertEquals(v2, got.record());
    }

    @Test
    void aMutableGetReturnsTheHighestValidSeqItSees() {
        Ed25519Identity owner = Ed25519Identity.generate(random);
        byte[] salt = new byte[0];
        MutableRecord v1 = MutableRecord.sign(owner, salt, 1, new byte[] {1});
        nodes.get(2).startPutMutable(now, v1, MutableStore.NO_CAS);
        drive();
        events(nodes.get(2));
        // Only some holders learn seq 7 (a partial update): the get must still return it.
        MutableRecord v7 = MutableRecord.sign(owner, salt, 7, new byte[] {7});
        int updated = 0;
        for (NodeCore n : nodes) {
            if (n.recordRequests().mutables().get(now, v1.key()) != null && updated < 5) {
                assertEquals(WriteOutcome.STORED, n.recordRequests().mutables().put(now, v7, MutableStore.NO_CAS,
                        TimeUnit.HOURS.toNanos(1)));
                updated++;
            }
        }
        assertEquals(5, updated);
        NodeCore reader = nodes.stream().filter(n -> n.recordRequests().mutables().get(now, v1.key()) == null)
                .findFirst().orElseThrow();
        reader.startGetMutable(now, v1.key());
        drive();
        now += TimeUnit.SECONDS.toNanos(1);
        reader.onTimer(now); // the bounded wait, if the lookup had not ended first
        CoreEvent.MutableGetCompleted got = only(reader, CoreEvent.MutableGetCompleted.class);
        assertEquals(7, got.record().seq());
    }

    @Test
    void aSuccessfulGetCachesACopyOnTheClosestPeerOfThePathThatLackedIt() {
        byte[] value = "cache me".getBytes(StandardCharsets.UTF_8);
        NodeId key = NodeId.fromBytes(new io.molia.crypto.Blake3().hash(value));
        List<NodeCore> byDistance = new ArrayList<>(nodes);
        byDistance.sort((a, b) -> key.compareDistance(a.self().id(), b.self().id()));
        for (NodeCore holder : byDistance.subList(0, 2)) { // only the two closest hold it: the path has others
            assertTrue(holder.records().put(now, key, value, TimeUnit.HOURS.toNanos(1)));
        }
        NodeCore reader = byDistance.get(byDistance.size() - 1);
        reader.startGet(now, key);
        drive();
        assertArrayEquals(value, only(reader, CoreEvent.GetCompleted.class).value());
        assertEquals(1, reader.counters().pathCacheStores);
        int cached = 0;
        for (NodeCore n : byDistance.subList(2, byDistance.size())) {
            RecordStore.StoredRecord r = n.records().get(now, key);
            if (r != null) {
                cached++;
                long ttlNs = r.expiresNs() - r.storedNs();
                assertTrue(ttlNs >= TimeUnit.MINUTES.toNanos(5) && ttlNs <= TimeUnit.MINUTES.toNanos(30),
                        "cached for " + ttlNs / 1e9 + " s");
            }
        }
        assertEquals(1, cached, "one copy, on a node that lacked it");
    }

    @Test
    void aRecordInAnAnswerWithABadSignatureIsIgnoredAndCounted() {
        Ed25519Identity owner = Ed25519Identity.generate(random);
        MutableRecord good = MutableRecord.sign(owner, new byte[0], 3, new byte[] {3});
        MutableRecord forged = new MutableRecord(good.publicKey(), good.salt(), 9, new byte[] {9}, good.signature());
        NodeCore holder = null;
        for (NodeCore n : nodes) {
            n.recordRequests().mutables().restore(forged, now, now + TimeUnit.HOURS.toNanos(1)); // a lying node
            holder = n;
        }
        assertNotNull(holder);
        NodeCore reader = nodes.get(7);
        reader.startGetMutable(now, good.key());
        drive();
        assertNull(only(reader, CoreEvent.MutableGetCompleted.class).record());
        assertTrue(reader.counters().invalidRecordAnswers > 0);
    }
}
