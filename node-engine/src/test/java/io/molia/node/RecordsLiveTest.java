package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.store.MutableStore;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Provider and signed mutable records between three real nodes on loopback: provide and find providers, put,
 * update, every refusal's reason reaching the writer, and a restart that keeps what was stored (the WAL).
 */
class RecordsLiveTest {
    private static final long WAIT_S = 20;

    @RegisterExtension
    final LiveNodes nodes = new LiveNodes();

    @Test
    void providersAndMutableRecordsWorkBetweenNodesAndSurviveARestart() throws Exception {
        MoliaNode seed = nodes.start("seed", 1, List.of());
        MoliaNode holder = nodes.start("holder", 1, List.of(seed.address()));
        MoliaNode client = nodes.start("client", 1, List.of(seed.address()));
        LiveNodes.awaitContacts(seed, 2);
        LiveNodes.awaitContacts(holder, 1);
        LiveNodes.awaitContacts(client, 1);
        client.lookup(holder.self().id()).get(WAIT_S, TimeUnit.SECONDS);
        holder.lookup(client.self().id()).get(WAIT_S, TimeUnit.SECONDS);

        NodeId content = NodeId.fromBytes(new io.molia.crypto.Blake3().hash("some content".getBytes(
                StandardCharsets.UTF_8)));
        CoreEvent.RecordWriteCompleted provided = client.provide(content).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(provided.stored() >= 1, "stored on " + provided.stored() + " of " + provided.attempted());
        List<SignedNodeRecord> providers = holder.findProviders(content).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(1, providers.size());
        assertEquals(client.self().id(), providers.get(0).id());
        assertEquals(List.of(client.self().address()), providers.get(0).addresses());

        byte[] salt = "status".getBytes(StandardCharsets.UTF_8);
        NodeId key = client.mutableKey(salt);
        CoreEvent.RecordWriteCompleted v1 = client.putMutable(salt, 1, bytes("one"), MutableStore.NO_CAS)
                .get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(v1.stored() >= 1);
        assertNull(v1.refusal());
        assertArrayEquals(bytes("one"), holder.getMutable(key).get(WAIT_S, TimeUnit.SECONDS).value());

        CoreEvent.RecordWriteCompleted v2 = client.putMutable(salt, 2, bytes("two"), 1).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(v2.attempted(), v2.stored(), "seq+1 with cas 1: stored everywhere");
        MutableRecord got = holder.getMutable(key).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(2, got.seq());
        assertArrayEquals(bytes("two"), got.value());

        assertEquals(WriteOutcome.STALE_SEQ, client.putMutable(salt, 1, bytes("old"), MutableStore.NO_CAS)
                .get(WAIT_S, TimeUnit.SECONDS).refusal());
        CoreEvent.RecordWriteCompleted cas = client.putMutable(salt, 3, bytes("three"), 1).get(WAIT_S,
                TimeUnit.SECONDS);
        assertEquals(WriteOutcome.CAS_MISMATCH, cas.refusal());
        assertEquals(2, cas.heldSeq());
        MutableRecord forged = new MutableRecord(got.publicKey(), salt, 9, bytes("forged"), got.signature());
        CoreEvent.RecordWriteCompleted bad = holder.putMutable(forged, MutableStore.NO_CAS).get(WAIT_S,
                TimeUnit.SECONDS);
        assertEquals(0, bad.stored());
        assertEquals(WriteOutcome.BAD_SIGNATURE, bad.refusal());
        long refused = holder.onEveryShard(v -> v.core().recordRequests().mutables().refused())
                .get(WAIT_S, TimeUnit.SECONDS).stream().mapToLong(Long::longValue).sum();
        assertTrue(refused >= 2, "the holder counted the refusals it answered: " + refused);

        // The holder restarts from its WAL: the provider and the mutable record are still there.
        holder.close();
        nodes.list().remove(holder);
        MoliaNode again = nodes.start("holder", 1, List.of());
        int mutables = again.onEveryShard(v -> v.core().recordRequests().mutables().size())
                .get(WAIT_S, TimeUnit.SECONDS).stream().mapToInt(Integer::intValue).sum();
        int providerEntries = again.onEveryShard(v -> v.core().recordRequests().providers().size())
                .get(WAIT_S, TimeUnit.SECONDS).stream().mapToInt(Integer::intValue).sum();
        assertEquals(1, mutables, "the mutable record replayed from the WAL");
        assertEquals(1, providerEntries, "the provider entry replayed from the WAL");
        long announced = again.onEveryShard(v -> v.core().recordRequests().providers().entries(System.nanoTime(),
                content).stream().filter(e -> e.announcement() != null && e.announcement().check(e.record(), content,
                System.currentTimeMillis() / 1_000).stored()).count()).get(WAIT_S, TimeUnit.SECONDS).stream()
                .mapToLong(Long::longValue).sum();
        assertEquals(1, announced, "with the provider's announcement, still valid: it can be handed over");
        assertEquals(2, again.getMutable(key).get(WAIT_S, TimeUnit.SECONDS).seq(), "served from its own store");
        assertEquals(client.self().id(), again.findProviders(content).get(WAIT_S, TimeUnit.SECONDS).get(0).id());
    }

    /**
     * A holder hands a provider entry, with its provider's announcement, to a node that joins after the provider left;
     * a node whose clock is three days ahead finds the same announcement expired: refused, counted, not stored.
     */
    @Test
    void aHolderHandsAProviderEntryOverAndAnExpiredOneIsRefused() throws Exception {
        MoliaNode seed = nodes.start("seed", 1, List.of());
        MoliaNode holder = nodes.start("holder", 1, List.of(seed.address()));
        MoliaNode provider = nodes.start("provider", 1, List.of(seed.address()));
        LiveNodes.awaitContacts(seed, 2);
        LiveNodes.awaitContacts(provider, 1);
        provider.lookup(holder.self().id()).get(WAIT_S, TimeUnit.SECONDS);
        NodeId content = NodeId.fromBytes(new io.molia.crypto.Blake3().hash(bytes("handed over")));
        assertTrue(provider.provide(content).get(WAIT_S, TimeUnit.SECONDS).stored() >= 1);
        assertEquals(1, providerEntries(holder, content));
        NodeId providerId = provider.self().id();
        provider.close();
        nodes.list().remove(provider);

        MoliaNode newcomer = nodes.start("newcomer", 1, List.of());
        newcomer.bootstrap(holder.self()).get(WAIT_S, TimeUnit.SECONDS);
        awaitTrue(() -> providerEntries(newcomer, content) == 1, "the holder handed the entry over");
        assertEquals(providerId, newcomer.findProviders(content).get(WAIT_S, TimeUnit.SECONDS).get(0).id());
        assertTrue(sum(newcomer, v -> v.core().recordRequests().providers().forwarded()) >= 1);

        MoliaNode ahead = nodes.start("ahead", 1, List.of());
        long threeDaysNs = TimeUnit.DAYS.toNanos(3);
        ahead.onEveryShard(v -> {
            v.core().wallTimeOffset(System.currentTimeMillis() * 1_000_000L - System.nanoTime() + threeDaysNs);
            return null;
        }).get(WAIT_S, TimeUnit.SECONDS);
        ahead.bootstrap(holder.self()).get(WAIT_S, TimeUnit.SECONDS);
        awaitTrue(() -> sum(ahead, v -> v.core().recordRequests().providers().outcomes(WriteOutcome.EXPIRED)) >= 1,
                "the announcement is past its expiry on this clock");
        assertEquals(0, providerEntries(ahead, content), "refused, never stored");
    }

    /**
     * Forged provider announcements over real UDP, from a node with a session like any other: announcing another node
     * as the provider of a key (that node's genuine signed record, as any GET_PROVIDERS answer shows it, but without
     * its signed announcement) is refused NOT_THE_PROVIDER; the same record with an address changed (its signature no
     * longer matches) is refused BAD_SIGNATURE. Each holder answers the reason, counts it and stores nothing, so a
     * lookup of the key finds no provider.
     */
    @Test
    void aForgedProviderAnnouncementIsRefusedWithItsReasonAndCounted() throws Exception {
        MoliaNode seed = nodes.start("seed", 1, List.of());
        MoliaNode holder = nodes.start("holder", 1, List.of(seed.address()));
        MoliaNode victim = nodes.start("victim", 1, List.of(seed.address()));
        MoliaNode forger = nodes.start("forger", 1, List.of(seed.address()));
        LiveNodes.awaitContacts(seed, 3);
        for (MoliaNode n : List.of(holder, victim, forger)) {
            n.lookup(n.self().id()).get(WAIT_S, TimeUnit.SECONDS);
        }
        NodeId genuineKey = NodeId.fromBytes(new io.molia.crypto.Blake3().hash(bytes("the victim's own")));
        assertTrue(victim.provide(genuineKey).get(WAIT_S, TimeUnit.SECONDS).stored() >= 1);
        SignedNodeRecord genuine = forger.findProviders(genuineKey).get(WAIT_S, TimeUnit.SECONDS).get(0);
        assertEquals(victim.self().id(), genuine.id());

        NodeId content = NodeId.fromBytes(new io.molia.crypto.Blake3().hash(bytes("claimed for the victim")));
        CoreEvent.RecordWriteCompleted stolen = provideAs(forger, content, genuine);
        assertEquals(0, stolen.stored(), "no holder took another node's record from the forger");
        assertTrue(stolen.attempted() >= 1, "it was sent: " + stolen.attempted());
        assertEquals(WriteOutcome.NOT_THE_PROVIDER, stolen.refusal());

        SignedNodeRecord altered = new SignedNodeRecord(genuine.publicKey(), List.of(forger.self().address()),
                genuine.seq() + 1, genuine.features(), genuine.signature());
        CoreEvent.RecordWriteCompleted redirected = provideAs(forger, content, altered);
        assertEquals(0, redirected.stored());
        assertEquals(WriteOutcome.BAD_SIGNATURE, redirected.refusal());

        long notTheProvider = 0;
        long badSignature = 0;
        for (MoliaNode n : List.of(seed, holder, victim)) {
            notTheProvider += sum(n, v -> v.core().recordRequests().providers()
                    .outcomes(WriteOutcome.NOT_THE_PROVIDER));
            badSignature += sum(n, v -> v.core().recordRequests().providers().outcomes(WriteOutcome.BAD_SIGNATURE));
            assertEquals(0, providerEntries(n, content), "nothing stored for the claimed key");
        }
        assertEquals(stolen.attempted(), notTheProvider, "every holder asked counted the stolen record");
        assertEquals(redirected.attempted(), badSignature, "and the altered one");
        assertEquals(List.of(), holder.findProviders(content).get(WAIT_S, TimeUnit.SECONDS));
    }

    /** An ADD_PROVIDER from {@code from}'s core carrying {@code record}, as a hostile node could send it. */
    private static CoreEvent.RecordWriteCompleted provideAs(MoliaNode from, NodeId key, SignedNodeRecord record)
            throws Exception {
        return from.shard0().submit(core -> core.startProvide(System.nanoTime(), key, record))
                .thenApply(e -> (CoreEvent.RecordWriteCompleted) e).get(WAIT_S, TimeUnit.SECONDS);
    }

    private static int providerEntries(MoliaNode node, NodeId key) throws Exception {
        return node.onEveryShard(v -> v.core().recordRequests().providers().providers(System.nanoTime(), key).size())
                .get(WAIT_S, TimeUnit.SECONDS).stream().mapToInt(Integer::intValue).sum();
    }

    private static long sum(MoliaNode node, java.util.function.Function<ShardView, Long> figure) throws Exception {
        return node.onEveryShard(figure).get(WAIT_S, TimeUnit.SECONDS).stream().mapToLong(Long::longValue).sum();
    }

    /** Polls {@code condition} for up to WAIT_S seconds (a handoff runs off the answer path). */
    private static void awaitTrue(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(50);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
