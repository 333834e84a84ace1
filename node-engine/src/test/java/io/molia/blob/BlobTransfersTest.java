package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

/**
 * Nodes' {@link BlobTransfers} joined by a seeded lossy network in virtual time: a blob pushed to 14 holders, read
 * back by another node with 4 holders stopped; what a holder refuses; what a fetch of nothing gets.
 */
class BlobTransfersTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long GIVE_UP_NS = TimeUnit.MINUTES.toNanos(5);

    private record Delivery(long atNs, long order, int from, int to, byte[] frame) implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery o) {
            return atNs != o.atNs ? Long.compare(atNs, o.atNs) : Long.compare(order, o.order);
        }
    }

    /** Nodes 0..n-1 on a network losing {@code loss} of the frames, 5–15 ms one way. */
    private static final class Network {
        final BlobTransfers[] nodes;
        final boolean[] stopped;
        final List<List<BlobTransfers.Event>> events = new ArrayList<>();
        final PriorityQueue<Delivery> wire = new PriorityQueue<>();
        final SplittableRandom random;
        final double loss;
        final byte[] buf = new byte[BulkFrame.MAX_DATA_BYTES];
        long now = 1;
        long order;

        Network(int n, double loss, long seed) {
            this.random = new SplittableRandom(seed);
            this.loss = loss;
            nodes = new BlobTransfers[n];
            stopped = new boolean[n];
            for (int i = 0; i < n; i++) {
                nodes[i] = new BlobTransfers(new BlobStore(64L << 20), new SplittableRandom(seed * 1_000 + i));
                events.add(new ArrayList<>());
            }
        }

        void run(BooleanSupplier until) {
            while (true) {
                drainAll();
                if (until.getAsBoolean()) {
                    return;
                }
                drainAll(); // what the check itself started (a repair's pushes)
                assertTrue(now < GIVE_UP_NS, "livelock: the network ran out of virtual time");
                long next = wire.isEmpty() ? Long.MAX_VALUE : wire.peek().atNs();
                for (int i = 0; i < nodes.length; i++) {
                    if (!stopped[i]) {
                        next = Math.min(next, nodes[i].nextDeadlineNs());
                    }
                }
                assertTrue(next != Long.MAX_VALUE, "nothing left to happen");
                now = Math.max(now, next);
                while (!wire.isEmpty() && wire.peek().atNs() <= now) {
                    Delivery d = wire.poll();
                    if (!stopped[d.to()]) {
                        nodes[d.to()].onFrame(now, d.from(), d.frame(), 0, d.frame().length, true);
                    }
                }
                for (int i = 0; i < nodes.length; i++) {
                    if (!stopped[i]) {
                        nodes[i].onTimer(now);
                    }
                }
            }
        }

        void drainAll() {
            for (int i = 0; i < nodes.length; i++) {
                if (!stopped[i]) {
                    drain(i);
                }
            }
        }

        void drain(int i) {
            int n;
            while ((n = nodes[i].pollTransmit(now, buf, 0)) > 0) {
                if (random.nextDouble() >= loss) {
                    wire.add(new Delivery(now + 5 * MS + random.nextLong(10 * MS), order++, i,
                            (int) nodes[i].lastPeer(), Arrays.copyOf(buf, n)));
                }
            }
            BlobTransfers.Event e;
            while ((e = nodes[i].pollEvent()) != null) {
                events.get(i).add(e);
            }
        }

        long count(int node, Class<? extends BlobTransfers.Event> type) {
            return events.get(node).stream().filter(type::isInstance).count();
        }
    }

    @Test
    void aMebibyteBlobPushedToFourteenHoldersIsReadByAnotherNodeWithFourHoldersStopped()
            throws BlobFormatException {
        byte[] blob = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(blob);
        Blake3 blake3 = new Blake3();
        BlobLayout layout = new BlobLayout();
        BlobLayout.Split split = layout.split(blob);
        Network net = new Network(16, 0.02, 1); // node 0 puts, 1..14 hold fragment i on node 1 + i, 15 reads
        for (BlobLayout.Fragment f : split.fragments()) {
            net.nodes[0].push(1 + f.index(), FragmentObject.of(split.manifestKey(), f, blake3).encode());
        }
        byte[] manifest = split.manifest().encode();
        for (int holder = 1; holder <= 3; holder++) {
            net.nodes[0].push(holder, manifest);
        }
        net.run(() -> net.count(0, BlobTransfers.PushCompleted.class) == 31);
        assertTrue(net.events.get(0).stream().allMatch(e -> ((BlobTransfers.PushCompleted) e).delivered()));
        long held = 0;
        for (int holder = 1; holder <= 14; holder++) {
            held += net.nodes[holder].store().fragmentsStored();
            assertEquals(2, net.nodes[holder].store().fragmentsStored(), "one fragment of each stripe");
        }
        assertEquals(28, held);
        assertTrue(net.nodes[0].counters().chunksResent() > 0, "2 % loss: some chunks were sent again");

        for (int holder : new int[] {1, 5, 9, 13}) { // holders of fragments 0, 4, 8 (data) and 12 (parity)
            net.stopped[holder] = true;
        }
        BlobTransfers reader = net.nodes[15];
        long manifestFetch = reader.fetch(2, split.manifestKey(), net.now);
        net.run(() -> net.count(15, BlobTransfers.FetchCompleted.class) == 1);
        byte[] fetchedManifest = ((BlobTransfers.FetchCompleted) net.events.get(15).get(0)).object();
        assertEquals(manifestFetch, ((BlobTransfers.FetchCompleted) net.events.get(15).get(0)).transferId());
        assertArrayEquals(split.manifestKey(), blake3.hash(fetchedManifest), "the manifest checks against its key");
        BlobManifest m = BlobManifest.decode(fetchedManifest, 0, fetchedManifest.length);

        Map<Long, int[]> wanted = new HashMap<>();
        for (int s = 0; s < m.stripes(); s++) {
            for (int i = 0; i < ReedSolomon.TOTAL; i++) {
                wanted.put(reader.fetch(1 + i, layout.placementKey(split.manifestKey(), s, i), net.now),
                        new int[] {s, i});
            }
        }
        net.run(() -> net.count(15, BlobTransfers.FetchCompleted.class) == 1 + 28);
        byte[][][] fragments = new byte[m.stripes()][ReedSolomon.TOTAL][];
        int missing = 0;
        for (BlobTransfers.Event e : net.events.get(15).subList(1, 29)) {
            BlobTransfers.FetchCompleted f = (BlobTransfers.FetchCompleted) e;
            int[] at = wanted.get(f.transferId());
            if (f.object() == null) {
                missing++;
                continue;
            }
            FragmentObject o = FragmentObject.decode(f.object(), 0, f.object().length, blake3);
            fragments[at[0]][at[1]] = o.data();
        }
        assertEquals(8, missing, "4 stopped holders × 2 stripes");
        BlobLayout.Assembled read = layout.assemble(m, (s, i) -> fragments[s][i]);
        assertArrayEquals(blob, read.blob());
        assertEquals(6, read.fragmentsRebuilt(), "data fragments 0, 4 and 8 of both stripes");
    }

    @Test
    void aHolderRefusesAFragmentWhoseDataFailsItsHashAndCountsIt() {
        Blake3 blake3 = new Blake3();
        BlobLayout.Split split = new BlobLayout().split(new byte[5_000], 5_000);
        byte[] object = FragmentObject.of(split.manifestKey(), split.fragments().get(3), blake3).encode();
        object[object.length - 1] ^= 1;
        Network net = new Network(2, 0, 2);
        net.nodes[0].push(1, object);
        net.run(() -> net.count(0, BlobTransfers.PushCompleted.class) == 1);
        assertEquals(0, net.nodes[1].store().size());
        assertEquals(1, net.nodes[1].store().refusedMalformed());
        assertEquals(1, net.nodes[1].counters().objectsRefused());
        assertEquals(0, net.count(1, BlobTransfers.Stored.class));
    }

    @Test
    void aFetchOfAnUnheldKeyIsAnsweredNotHeld() {
        Network net = new Network(2, 0, 3);
        net.nodes[0].fetch(1, new byte[32], net.now);
        net.run(() -> net.count(0, BlobTransfers.FetchCompleted.class) == 1);
        assertNull(((BlobTransfers.FetchCompleted) net.events.get(0).get(0)).object());
        assertTrue(net.now < TimeUnit.SECONDS.toNanos(1), "answered, not timed out");
        assertEquals(1, net.nodes[1].counters().fetchesRefused());
        assertEquals(1, net.nodes[0].counters().fetchesFailed());
    }

    /**
     * A PROBE asks whether a key is held without its bytes: a held fragment is answered HELD with its data hash (what
     * the manifest lists), a manifest with its key, an unheld key NOT_HELD; one frame back each, no chunk.
     */
    @Test
    void aProbeIsAnsweredHeldWithTheFragmentsHashOrNotHeldInOneFrameEach() {
        Blake3 blake3 = new Blake3();
        BlobLayout layout = new BlobLayout();
        BlobLayout.Split split = layout.split(new byte[2_000], 1_000);
        FragmentObject fragment = FragmentObject.of(split.manifestKey(), split.fragments().get(3), blake3);
        Network net = new Network(2, 0, 5);
        NodeId placement = net.nodes[1].store().accept(fragment.encode(), 0);
        net.nodes[1].store().accept(split.manifest().encode(), 0);
        net.nodes[0].probe(1, placement.toBytes(), net.now);
        net.nodes[0].probe(1, split.manifestKey(), net.now);
        net.nodes[0].probe(1, new byte[32], net.now);
        net.run(() -> net.count(0, BlobTransfers.ProbeCompleted.class) == 3);
        List<byte[]> answers = net.events.get(0).stream().map(e -> ((BlobTransfers.ProbeCompleted) e).hash())
                .toList();
        assertTrue(answers.stream().anyMatch(h -> h != null && Arrays.equals(h, fragment.hash())),
                "the fragment: its data hash");
        assertTrue(answers.stream().anyMatch(h -> h != null && Arrays.equals(h, split.manifestKey())),
                "the manifest: its key");
        assertEquals(1, answers.stream().filter(h -> h == null).count(), "the unheld key: NOT_HELD");
        assertTrue(net.now < TimeUnit.SECONDS.toNanos(1), "answered, not timed out");
        assertEquals(2, net.nodes[1].counters().probesAnsweredHeld());
        assertEquals(1, net.nodes[1].counters().probesAnsweredNotHeld());
        assertEquals(3, net.nodes[0].counters().probesSent());
        assertEquals(0, net.nodes[1].counters().chunksSent(), "no chunk of anything held moved");
        assertEquals(0, net.nodes[0].probesPending());
    }

    /**
     * HELD carries how long ago the holder checked the fragment's stripe whole: never until it did, the seconds since
     * after, never again once a later check failed; a 41-byte HELD from a node before the age reads as never.
     */
    @Test
    void aHeldAnswerCarriesTheAgeOfTheHoldersLastWholeCheckAndAnOldHeldReadsAsNever() {
        Blake3 blake3 = new Blake3();
        BlobLayout.Split split = new BlobLayout().split(new byte[2_000], 1_000);
        FragmentObject fragment = FragmentObject.of(split.manifestKey(), split.fragments().get(3), blake3);
        Network net = new Network(2, 0, 8);
        NodeId placement = net.nodes[1].store().accept(fragment.encode(), 0);
        java.util.function.LongSupplier probe = () -> {
            net.events.get(0).clear();
            net.nodes[0].probe(1, placement.toBytes(), net.now);
            net.run(() -> net.count(0, BlobTransfers.ProbeCompleted.class) == 1);
            BlobTransfers.ProbeCompleted p = (BlobTransfers.ProbeCompleted) net.events.get(0).get(0);
            assertArrayEquals(fragment.hash(), p.hash());
            return p.checkedAgeS();
        };
        assertEquals(BulkFrame.NEVER_CHECKED, probe.getAsLong(), "never checked");
        net.nodes[1].onStripeChecked(placement, true, net.now - TimeUnit.SECONDS.toNanos(90));
        long age = probe.getAsLong();
        assertTrue(age >= 90 && age < 92, "checked whole 90 s ago: " + age);
        net.nodes[1].onStripeChecked(placement, false, net.now);
        assertEquals(BulkFrame.NEVER_CHECKED, probe.getAsLong(), "a failed check is not vouched for");

        byte[] held = new byte[BulkFrame.HELD_BYTES];
        assertEquals(45, BulkFrame.writeHeld(held, 0, 7, fragment.hash(), 0, 600));
        assertEquals(BulkFrame.OK, BulkFrame.check(held, 0, held.length));
        assertEquals(600, BulkFrame.checkedAgeS(held, 0, held.length));
        byte[] old = Arrays.copyOf(held, BulkFrame.HELD_WITHOUT_AGE_BYTES);
        assertEquals(BulkFrame.OK, BulkFrame.check(old, 0, old.length), "a HELD from before the age is read");
        assertEquals(BulkFrame.NEVER_CHECKED, BulkFrame.checkedAgeS(old, 0, old.length));
        assertEquals(BulkFrame.TRUNCATED, BulkFrame.check(Arrays.copyOf(held, 43), 0, 43));
        assertEquals(BulkFrame.BAD_SHAPE, BulkFrame.check(Arrays.copyOf(held, 46), 0, 46));
        assertEquals(BulkFrame.TRUNCATED, BulkFrame.check(held, 0, 40));
    }

    /** A probe to a silent peer is sent {@link BlobTransfers#PROBE_ATTEMPTS} times, then ends with no hash. */
    @Test
    void aProbeOfAStoppedPeerEndsUnansweredAfterBoundedResends() {
        Network net = new Network(2, 0, 6);
        net.stopped[1] = true;
        net.nodes[0].probe(1, new byte[32], net.now);
        net.run(() -> net.count(0, BlobTransfers.ProbeCompleted.class) == 1);
        assertNull(((BlobTransfers.ProbeCompleted) net.events.get(0).get(0)).hash());
        assertEquals(1, net.nodes[0].counters().probesUnanswered());
        assertTrue(net.now < TimeUnit.SECONDS.toNanos(10), "given up after 0.5 + 1 + 2 + 4 s");
        assertEquals(0, net.nodes[0].probesPending());
    }

    /** At most {@link BlobTransfers#MAX_PROBES} probes under way: one more is not started (-1), counted. */
    @Test
    void probesBeyondTheBoundAreNotStarted() {
        BlobTransfers node = new BlobTransfers(new BlobStore(1 << 20), new SplittableRandom(7));
        for (int i = 0; i < BlobTransfers.MAX_PROBES; i++) {
            assertTrue(node.probe(1, new byte[32], 1) >= 0);
        }
        assertEquals(-1, node.probe(1, new byte[32], 1));
        assertEquals(1, node.counters().probesNotStarted());
        assertEquals(BlobTransfers.MAX_PROBES, node.probesPending());
    }

    @Test
    void aPushToAStoppedHolderFailsAfterBoundedTimeouts() {
        Network net = new Network(2, 0, 4);
        net.stopped[1] = true;
        net.nodes[0].push(1, new byte[3_000]);
        net.run(() -> net.count(0, BlobTransfers.PushCompleted.class) == 1);
        BlobTransfers.PushCompleted done = (BlobTransfers.PushCompleted) net.events.get(0).get(0);
        assertTrue(!done.delivered());
        assertEquals(0, net.nodes[0].activeTransfers());
        assertNotNull(net.nodes[0].counters());
        assertEquals(1, net.nodes[0].counters().transfersFailed());
    }

    @Test
    void theStoreKeepsFragmentsUnderTheirPlacementKeyAndManifestsUnderTheirHash() {
        Blake3 blake3 = new Blake3();
        BlobLayout layout = new BlobLayout();
        BlobLayout.Split split = layout.split(new byte[2_000], 1_000);
        BlobStore store = new BlobStore(1_100);
        byte[] f = FragmentObject.of(split.manifestKey(), split.fragments().get(15), blake3).encode();
        assertEquals(NodeId.fromBytes(layout.placementKey(split.manifestKey(), 1, 1)), store.accept(f, 0));
        assertEquals(NodeId.fromBytes(split.manifestKey()), store.accept(split.manifest().encode(), 0));
        assertEquals(null, store.accept(new byte[900], 0), "a manifest too short is malformed");
        assertEquals(1, store.refusedMalformed());
        byte[] big = FragmentObject.of(split.manifestKey(), new BlobLayout.Fragment(0, 0, new byte[900]), blake3)
                .encode();
        assertEquals(null, store.accept(big, 0), "past the capacity");
        assertEquals(1, store.refusedFull());
        assertEquals(2, store.size());
    }

    /** A manifest larger than a fragment (a blob past 91 MiB) is pushed and stored like any other. */
    @Test
    void theManifestOfA256MebibyteBlobIsPushedAndStored() throws BlobFormatException {
        int stripes = (int) (BlobManifest.MAX_BLOB_BYTES / BlobManifest.DEFAULT_STRIPE_BYTES) + 1;
        byte[] hashes = new byte[stripes * BlobManifest.STRIPE_ENTRY_BYTES];
        new SplittableRandom(9).nextBytes(hashes);
        byte[] manifest = new BlobManifest(BlobManifest.MAX_BLOB_BYTES, BlobManifest.DEFAULT_STRIPE_BYTES, hashes)
                .encode();
        assertTrue(manifest.length > FragmentObject.HEADER_BYTES + FragmentObject.MAX_DATA_BYTES);
        Network net = new Network(2, 0.02, 9);
        net.nodes[0].push(1, manifest);
        net.run(() -> net.count(0, BlobTransfers.PushCompleted.class) == 1);
        assertTrue(((BlobTransfers.PushCompleted) net.events.get(0).get(0)).delivered());
        assertArrayEquals(manifest, net.nodes[1].store().get(NodeId.fromBytes(new Blake3().hash(manifest))));
        assertEquals(0, net.nodes[1].counters().transfersRefused());
    }
}
