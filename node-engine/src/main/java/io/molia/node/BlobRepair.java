package io.molia.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.molia.blob.BlobLayout;
import io.molia.blob.BlobManifest;
import io.molia.blob.FragmentObject;
import io.molia.blob.ReedSolomon;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;

/**
 * One holder's repair of one stripe it holds a fragment of (docs/blobs.md "Repair"), over the node's lookups and
 * transfers: it fetches the manifest, then each of the 13 siblings from the nodes closest to its placement key, asked
 * in turn as a get asks them (a sibling re-placed by an earlier repair sits on one of these, not always the closest);
 * when some are missing and at least 10 are good, it rebuilds the missing ones and places each on the closest node
 * to its placement key that holds no fragment of the stripe, so the stripe stays on 14 distinct nodes.
 *
 * <p>Bounded: 14 lookups, 13 siblings each fetched from the nodes its lookup returned, in turn, and 4 pushes a
 * stripe. Thread-safe as {@link BlobOperations} is.
 */
final class BlobRepair {
    /** How a check of one stripe ended. */
    enum Outcome { INTACT, REPAIRED, UNREPAIRABLE, PUSH_FAILED, NO_MANIFEST }

    /** The outcome, and how many fragments were rebuilt and placed. */
    record Result(Outcome outcome, int rebuilt) {
    }

    private final BlobOperations operations;
    private final BlobOperations.Network network;

    BlobRepair(BlobOperations operations, BlobOperations.Network network) {
        this.operations = operations;
        this.network = network;
    }

    /** Checks the stripe of {@code own} (a fragment this node holds, already checked against its hash). */
    CompletableFuture<Result> repair(FragmentObject own) {
        NodeId key = NodeId.fromBytes(own.manifestKey());
        return network.lookup(key).thenCompose(closest -> operations.fetchManifest(key,
                operations.withSelf(closest), 0)).thenCompose(manifest -> {
            if (manifest == null || own.stripe() >= manifest.stripes()
                    || !manifest.hashMatches(own.stripe(), own.index(), own.hash(), 0)) {
                return CompletableFuture.completedFuture(new Result(Outcome.NO_MANIFEST, 0));
            }
            return repairStripe(key, manifest, own);
        });
    }

    private CompletableFuture<Result> repairStripe(NodeId key, BlobManifest manifest, FragmentObject own) {
        int stripe = own.stripe();
        byte[][] fragments = new byte[ReedSolomon.TOTAL][];
        fragments[own.index()] = own.data();
        Set<NodeId> holders = Collections.synchronizedSet(new HashSet<>());
        holders.add(network.self().id());
        List<List<Contact>> candidates = new ArrayList<>(Collections.nCopies(ReedSolomon.TOTAL, List.of()));
        List<CompletableFuture<Void>> siblings = new ArrayList<>();
        BlobLayout layout = new BlobLayout();
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            if (i == own.index()) {
                continue;
            }
            int index = i;
            NodeId placement = NodeId.fromBytes(layout.placementKey(key.toBytes(), stripe, index));
            siblings.add(network.lookup(placement).thenCompose(closest -> {
                synchronized (candidates) {
                    candidates.set(index, closest);
                }
                return fetchSibling(key, manifest, stripe, index, placement, operations.withSelf(closest), 0);
            }).thenAccept(found -> {
                if (found != null) {
                    holders.add(found.holder().id());
                    synchronized (fragments) {
                        fragments[index] = found.data();
                    }
                }
            }));
        }
        return CompletableFuture.allOf(siblings.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            byte[][] held;
            synchronized (fragments) {
                held = fragments.clone();
            }
            int present = 0;
            for (byte[] f : held) {
                present += f == null ? 0 : 1;
            }
            if (present == ReedSolomon.TOTAL) {
                return CompletableFuture.completedFuture(new Result(Outcome.INTACT, 0));
            }
            if (present < ReedSolomon.DATA) {
                return CompletableFuture.completedFuture(new Result(Outcome.UNREPAIRABLE, 0));
            }
            int[] missing = BlobLayout.rebuildMissing(manifest, stripe, held);
            Blake3 blake3 = new Blake3();
            List<CompletableFuture<Boolean>> pushes = new ArrayList<>();
            for (int i : missing) {
                byte[] object = new FragmentObject(key.toBytes(), stripe, i, blake3.hash(held[i]), held[i]).encode();
                List<Contact> to;
                synchronized (candidates) {
                    to = candidates.get(i);
                }
                pushes.add(operations.place(object, to, 0, holders, false));
            }
            return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).thenApply(all -> new Result(
                    pushes.stream().allMatch(CompletableFuture::join) ? Outcome.REPAIRED : Outcome.PUSH_FAILED,
                    missing.length));
        });
    }

    private record Found(Contact holder, byte[] data) {
    }

    /** Sibling {@code index} from the first candidate holding a good one, with who held it; null when none does. */
    private CompletableFuture<Found> fetchSibling(NodeId key, BlobManifest manifest, int stripe, int index,
            NodeId placement, List<Contact> candidates, int from) {
        if (from >= candidates.size()) { // every node the lookup returned, as a get asks (BlobGetAsksEveryNodeTest)
            return CompletableFuture.completedFuture(null);
        }
        Contact c = candidates.get(from);
        return network.fetch(c, placement).thenCompose(object -> {
            byte[] data = object == null ? null : BlobOperations.checked(object, key, manifest, stripe, index);
            return data != null ? CompletableFuture.completedFuture(new Found(c, data))
                    : fetchSibling(key, manifest, stripe, index, placement, candidates, from + 1);
        });
    }
}
