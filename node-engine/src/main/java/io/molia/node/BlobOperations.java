package io.molia.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.molia.blob.BlobFormatException;
import io.molia.blob.BlobLayout;
import io.molia.blob.BlobManifest;
import io.molia.blob.FragmentObject;
import io.molia.blob.ReedSolomon;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;

/**
 * A node's blob puts and gets (docs/blobs.md), over lookups and bulk transfers its routing table's owner runs: a put
 * splits the blob, finds the holders of each stripe's 14 fragments (one lookup per placement key, each fragment on
 * the closest node not already holding one of that stripe), pushes them, then pushes the manifest to the k closest
 * of its key; a get fetches the manifest, checks it against its key, fetches each stripe's fragments from the nodes
 * closest to their placement keys and rebuilds the blob from the first 10 good ones of each stripe.
 *
 * <p>Stripes go one after another, the 14 fragments of a stripe at once, so a put or get has at most 14 lookups and
 * 14 transfers under way. Thread-safe: callbacks run on the shard's loop, a put or get keeps its state to itself.
 */
final class BlobOperations {
    /** What a node's routing table owner does for blobs: {@link MoliaNode} runs each on its shard 0. */
    interface Network {
        /** This node: a fetch from it reads its own store. */
        Contact self();

        CompletableFuture<List<Contact>> lookup(NodeId key);

        CompletableFuture<Boolean> push(Contact to, byte[] object);

        CompletableFuture<byte[]> fetch(Contact from, NodeId key);

        /**
         * Whether {@code to} holds the object under {@code key}, without its bytes: what it names (a fragment's data
         * hash) and how long ago it checked that fragment's stripe whole, or null (not held, or no answer).
         */
        CompletableFuture<Held> probe(Contact to, NodeId key);

        /**
         * This node's check of the stripe of its fragment under {@code fragmentKey} ended: {@code whole} (all 14 held,
         * or the missing placed again) or not (forgotten, so no sibling's holder leaves the stripe to this node).
         */
        void stripeChecked(NodeId fragmentKey, boolean whole);
    }

    /**
     * A HELD answer: the 32-byte hash the holder names, and seconds since it last checked the stripe whole
     * ({@code BulkFrame.NEVER_CHECKED}: never, or not that it says).
     */
    record Held(byte[] hash, long checkedAgeS) {
    }

    private final Network network;

    BlobOperations(Network network) {
        this.network = network;
    }

    /** Stores {@code blob}; completes with its manifest key once every fragment and the manifest were acknowledged. */
    CompletableFuture<NodeId> put(byte[] blob, BlobProgress progress) {
        BlobLayout.Split split = new BlobLayout().split(blob);
        int stripes = split.manifest().stripes();
        int total = stripes * ReedSolomon.TOTAL;
        AtomicInteger placed = new AtomicInteger();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int s = 0; s < stripes; s++) {
            int stripe = s;
            chain = chain.thenCompose(done -> putStripe(split, stripe, () -> progress.fragments(
                    placed.incrementAndGet(), total)));
        }
        NodeId key = NodeId.fromBytes(split.manifestKey());
        byte[] manifest = split.manifest().encode();
        return chain.thenCompose(done -> network.lookup(key)).thenCompose(closest -> {
            if (closest.isEmpty()) {
                throw new IllegalStateException("no node found to hold the manifest");
            }
            List<CompletableFuture<Boolean>> pushes = closest.stream().map(c -> network.push(c, manifest)).toList();
            return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).thenApply(all -> {
                if (pushes.stream().noneMatch(CompletableFuture::join)) {
                    throw new IllegalStateException("none of the " + closest.size()
                            + " nodes closest to the manifest key took it");
                }
                return key;
            });
        });
    }

    private CompletableFuture<Void> putStripe(BlobLayout.Split split, int stripe, Runnable onPlaced) {
        BlobLayout layout = new BlobLayout();
        Blake3 blake3 = new Blake3();
        List<CompletableFuture<List<Contact>>> lookups = new ArrayList<>();
        List<byte[]> objects = new ArrayList<>();
        for (BlobLayout.Fragment f : split.fragments()) {
            if (f.stripe() == stripe) {
                lookups.add(network.lookup(NodeId.fromBytes(layout.placementKey(split.manifestKey(), stripe,
                        f.index()))));
                objects.add(FragmentObject.of(split.manifestKey(), f, blake3).encode());
            }
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenCompose(found -> {
            Set<NodeId> holders = Collections.synchronizedSet(new HashSet<>());
            List<CompletableFuture<Void>> pushes = new ArrayList<>();
            for (int i = 0; i < objects.size(); i++) {
                int index = i;
                pushes.add(place(objects.get(i), lookups.get(i).join(), 0, holders, false).thenAccept(ok -> {
                    if (!ok) {
                        throw new IllegalStateException("fragment " + index + " of stripe " + stripe
                                + ": no node near its placement key took it");
                    }
                    onPlaced.run();
                }));
            }
            return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Pushes {@code object} to the first candidate from {@code from} that holds no fragment of the stripe yet; one
     * that fails is tried once more after the others (a transfer lost to a burst of loss is no reason to give up).
     */
    CompletableFuture<Boolean> place(byte[] object, List<Contact> candidates, int from, Set<NodeId> holders,
            boolean secondPass) {
        for (int i = from; i < candidates.size(); i++) {
            Contact c = candidates.get(i);
            if (holders.add(c.id())) {
                int next = i + 1;
                return network.push(c, object).thenCompose(ok -> {
                    if (ok) {
                        return CompletableFuture.completedFuture(true);
                    }
                    holders.remove(c.id()); // it holds nothing of the stripe
                    return place(object, candidates, next, holders, secondPass);
                });
            }
        }
        return secondPass ? CompletableFuture.completedFuture(false) : place(object, candidates, 0, holders, true);
    }

    /** The blob under manifest key {@code key}; null when no node holds its manifest. */
    CompletableFuture<byte[]> get(NodeId key, BlobProgress progress) {
        return network.lookup(key).thenCompose(closest -> fetchManifest(key, withSelf(closest), 0))
                .thenCompose(manifest -> {
            if (manifest == null) {
                return CompletableFuture.completedFuture(null);
            }
            int total = manifest.stripes() * ReedSolomon.DATA;
            AtomicInteger fetched = new AtomicInteger();
            byte[][][] stripes = new byte[manifest.stripes()][][];
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int s = 0; s < manifest.stripes(); s++) {
                int stripe = s;
                chain = chain.thenCompose(done -> fetchStripe(key, manifest, stripe, () -> progress.fragments(
                        Math.min(total, fetched.incrementAndGet()), total)).thenAccept(f -> stripes[stripe] = f));
            }
            return chain.thenApply(done -> {
                try {
                    return new BlobLayout().assemble(manifest, (s, i) -> stripes[s][i]).blob();
                } catch (BlobFormatException e) {
                    throw new IllegalStateException("blob " + key.shortHex() + ": " + e.getMessage());
                }
            });
        });
    }

    CompletableFuture<BlobManifest> fetchManifest(NodeId key, List<Contact> closest, int from) {
        if (from >= closest.size()) {
            return CompletableFuture.completedFuture(null);
        }
        return network.fetch(closest.get(from), key).thenCompose(object -> {
            if (object != null && NodeId.fromBytes(new Blake3().hash(object)).equals(key)) {
                try {
                    return CompletableFuture.completedFuture(BlobManifest.decode(object, 0, object.length));
                } catch (BlobFormatException e) {
                    // hashes to the key yet is no manifest: not a blob's key
                    return CompletableFuture.completedFuture(null);
                }
            }
            return fetchManifest(key, closest, from + 1); // not held there, or not what the key names
        });
    }

    /**
     * The fragments of one stripe, null where not had: all 14 asked for at once, done when 10 good ones came (or every
     * fetch ended).
     */
    private CompletableFuture<byte[][]> fetchStripe(NodeId key, BlobManifest manifest, int stripe, Runnable onFetched) {
        byte[][] fragments = new byte[ReedSolomon.TOTAL][];
        CompletableFuture<byte[][]> stripeDone = new CompletableFuture<>();
        AtomicInteger good = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        BlobLayout layout = new BlobLayout();
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            int index = i;
            NodeId placement = NodeId.fromBytes(layout.placementKey(key.toBytes(), stripe, index));
            network.lookup(placement)
                    .thenCompose(closest -> fetchFragment(key, manifest, stripe, index, placement, withSelf(closest),
                            0))
                    .whenComplete((data, failure) -> {
                        if (data != null) {
                            synchronized (fragments) {
                                fragments[index] = data;
                            }
                            onFetched.run();
                            if (good.incrementAndGet() == ReedSolomon.DATA) {
                                stripeDone.complete(snapshot(fragments));
                            }
                        }
                        if (ended.incrementAndGet() == ReedSolomon.TOTAL) {
                            stripeDone.complete(snapshot(fragments));
                        }
                    });
        }
        return stripeDone;
    }

    /** This node first (it may hold what another node put), then {@code closest}: a lookup never returns it. */
    List<Contact> withSelf(List<Contact> closest) {
        List<Contact> all = new ArrayList<>(closest.size() + 1);
        all.add(network.self());
        all.addAll(closest);
        return all;
    }

    private static byte[][] snapshot(byte[][] fragments) {
        synchronized (fragments) {
            return fragments.clone();
        }
    }

    /**
     * Fragment {@code index}'s data from the first candidate holding a good one; null when none does. Every node the
     * lookup returned is asked in turn, closest first: a put may have placed it past the first 14 (a push refused
     * there), and nodes that joined since, closer to the placement key, hold nothing and push the holder back.
     */
    private CompletableFuture<byte[]> fetchFragment(NodeId key, BlobManifest manifest, int stripe, int index,
            NodeId placement, List<Contact> candidates, int from) {
        if (from >= candidates.size()) {
            return CompletableFuture.completedFuture(null);
        }
        return network.fetch(candidates.get(from), placement).thenCompose(object -> {
            byte[] data = object == null ? null : checked(object, key, manifest, stripe, index);
            return data != null ? CompletableFuture.completedFuture(data)
                    : fetchFragment(key, manifest, stripe, index, placement, candidates, from + 1);
        });
    }

    /** The fragment's data if {@code object} is fragment {@code index} of the stripe, as the manifest lists it. */
    static byte[] checked(byte[] object, NodeId key, BlobManifest manifest, int stripe, int index) {
        try {
            FragmentObject f = FragmentObject.decode(object, 0, object.length, new Blake3());
            boolean ours = NodeId.fromBytes(f.manifestKey()).equals(key) && f.stripe() == stripe && f.index() == index
                    && manifest.hashMatches(stripe, index, f.hash(), 0);
            return ours ? f.data() : null;
        } catch (BlobFormatException e) {
            return null;
        }
    }
}
