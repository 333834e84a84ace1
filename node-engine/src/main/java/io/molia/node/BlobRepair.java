package io.molia.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * transfers. It reads the manifest (its own store first: in a small network every node holds it), then learns which
 * of the 13 siblings are held by probing the nodes closest to each placement key in turn, as a get asks them (a
 * sibling re-placed by an earlier repair sits on one of these, not always the closest): a PROBE answered HELD with
 * the hash the manifest lists, one datagram each way, no fragment's bytes. All 14 held: intact, nothing fetched.
 * Some missing and at least 10 held: it fetches just enough of the held ones for 10 good fragments, rebuilds the
 * missing and places each on the closest node to its placement key that holds no fragment of the stripe, so the
 * stripe stays on 14 distinct nodes. Until 2026-12-03 a check fetched all 13 siblings, about 830 KB a stripe even
 * when intact.
 *
 * <p>One whole check per stripe, safely (2026-12-03): the {@link #FIRST_SIBLINGS} lowest-index siblings are looked up
 * and probed first; a HELD from one of them saying its holder checked the stripe whole (all held, or the missing
 * placed again) within the caller's window leaves the stripe to that holder (DEFERRED: 3 lookups, not 13). Otherwise
 * the other siblings are probed and the check goes on as above. A holder records only a whole check, and forgets it
 * when its next check fails, so a failed or stale check never holds the others back (a plain "defer to the lowest
 * holder" lost blobs: docs/blobs.md "Repair").
 *
 * <p>Bounded: 14 lookups, 13 siblings each probed at the nodes its lookup returned, in turn, at most 9 fetches (more
 * only if a holder fails to serve what it said it held) and 4 pushes a stripe. Thread-safe as {@link BlobOperations}
 * is.
 */
final class BlobRepair {
    /** How a check of one stripe ended. */
    enum Outcome { INTACT, REPAIRED, UNREPAIRABLE, PUSH_FAILED, NO_MANIFEST, DEFERRED }

    /** Siblings probed before the rest: the lowest indices but this node's own (the same few for every holder). */
    static final int FIRST_SIBLINGS = 3;

    /** The outcome, and how many fragments were rebuilt and placed. */
    record Result(Outcome outcome, int rebuilt) {
    }

    private final BlobOperations operations;
    private final BlobOperations.Network network;

    BlobRepair(BlobOperations operations, BlobOperations.Network network) {
        this.operations = operations;
        this.network = network;
    }

    /**
     * Checks the stripe of {@code own} (a fragment this node holds, already checked against its hash), unless one of
     * the first siblings' holders checked it whole at most {@code freshS} seconds ago; tells the node's transfers how
     * it ended (what its HELD answers say from then on).
     */
    CompletableFuture<Result> repair(FragmentObject own, long freshS) {
        NodeId ownKey = NodeId.fromBytes(new BlobLayout().placementKey(own.manifestKey(), own.stripe(), own.index()));
        return check(own, freshS).whenComplete((result, failure) -> {
            if (failure != null || result.outcome() != Outcome.DEFERRED) {
                network.stripeChecked(ownKey, failure == null
                        && (result.outcome() == Outcome.INTACT || result.outcome() == Outcome.REPAIRED));
            }
        });
    }

    private CompletableFuture<Result> check(FragmentObject own, long freshS) {
        NodeId key = NodeId.fromBytes(own.manifestKey());
        return operations.fetchManifest(key, List.of(network.self()), 0).thenCompose(held -> held != null
                ? CompletableFuture.completedFuture(held)
                : network.lookup(key).thenCompose(closest -> operations.fetchManifest(key, closest, 0)))
                .thenCompose(manifest -> {
            if (manifest == null || own.stripe() >= manifest.stripes()
                    || !manifest.hashMatches(own.stripe(), own.index(), own.hash(), 0)) {
                return CompletableFuture.completedFuture(new Result(Outcome.NO_MANIFEST, 0));
            }
            return repairStripe(key, manifest, own, freshS);
        });
    }

    /** A sibling a node said it holds, with the hash the manifest lists. */
    private record Holder(int index, NodeId placement, Contact contact, long checkedAgeS) {
    }

    private CompletableFuture<Result> repairStripe(NodeId key, BlobManifest manifest, FragmentObject own,
            long freshS) {
        int stripe = own.stripe();
        List<List<Contact>> candidates = new ArrayList<>(Collections.nCopies(ReedSolomon.TOTAL, List.of()));
        List<Holder> found = Collections.synchronizedList(new ArrayList<>());
        List<Integer> first = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            if (i != own.index()) {
                (first.size() < FIRST_SIBLINGS ? first : rest).add(i);
            }
        }
        return probeSiblings(key, manifest, stripe, first, candidates, found).thenCompose(firstDone -> {
            synchronized (found) {
                for (Holder h : found) {
                    if (h.checkedAgeS() <= freshS) {
                        return CompletableFuture.completedFuture(new Result(Outcome.DEFERRED, 0));
                    }
                }
            }
            return probeSiblings(key, manifest, stripe, rest, candidates, found)
                    .thenCompose(done -> afterProbes(key, manifest, own, candidates, found));
        });
    }

    /** Looks up and probes the siblings of {@code indices} at once; each one found held goes into {@code found}. */
    private CompletableFuture<Void> probeSiblings(NodeId key, BlobManifest manifest, int stripe, List<Integer> indices,
            List<List<Contact>> candidates, List<Holder> found) {
        List<CompletableFuture<Void>> probes = new ArrayList<>();
        BlobLayout layout = new BlobLayout();
        for (int index : indices) {
            NodeId placement = NodeId.fromBytes(layout.placementKey(key.toBytes(), stripe, index));
            probes.add(network.lookup(placement).thenCompose(closest -> {
                List<Contact> asked = operations.withSelf(closest);
                synchronized (candidates) {
                    candidates.set(index, asked);
                }
                return probeSibling(manifest, stripe, index, placement, asked, 0);
            }).thenAccept(holder -> {
                if (holder != null) {
                    found.add(holder);
                }
            }));
        }
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new));
    }

    /** With every sibling probed: intact, unrepairable, or fetch enough, rebuild and place the missing. */
    private CompletableFuture<Result> afterProbes(NodeId key, BlobManifest manifest, FragmentObject own,
            List<List<Contact>> candidates, List<Holder> found) {
        int stripe = own.stripe();
        List<Holder> holders;
        synchronized (found) {
            holders = new ArrayList<>(found);
        }
        holders.sort(Comparator.comparingInt(Holder::index));
        if (holders.size() + 1 == ReedSolomon.TOTAL) {
            return CompletableFuture.completedFuture(new Result(Outcome.INTACT, 0));
        }
        if (holders.size() + 1 < ReedSolomon.DATA) {
            return CompletableFuture.completedFuture(new Result(Outcome.UNREPAIRABLE, 0));
        }
        byte[][] fragments = new byte[ReedSolomon.TOTAL][];
        fragments[own.index()] = own.data();
        Set<Integer> failed = new HashSet<>();
        return fetchEnough(key, manifest, stripe, holders, 0, fragments, failed).thenCompose(all -> {
            synchronized (fragments) {
                synchronized (candidates) {
                    return rebuildAndPlace(key, manifest, stripe, own.index(), fragments.clone(), holders,
                            new HashSet<>(failed), new ArrayList<>(candidates));
                }
            }
        });
    }

    /**
     * The first of {@code candidates} from {@code from} that says it holds sibling {@code index} as the manifest
     * lists it; null when none does.
     */
    private CompletableFuture<Holder> probeSibling(BlobManifest manifest, int stripe, int index, NodeId placement,
            List<Contact> candidates, int from) {
        if (from >= candidates.size()) { // every node the lookup returned, as a get asks (BlobGetAsksEveryNodeTest)
            return CompletableFuture.completedFuture(null);
        }
        Contact c = candidates.get(from);
        return network.probe(c, placement).thenCompose(held -> held != null
                && manifest.hashMatches(stripe, index, held.hash(), 0)
                ? CompletableFuture.completedFuture(new Holder(index, placement, c, held.checkedAgeS()))
                : probeSibling(manifest, stripe, index, placement, candidates, from + 1));
    }

    /**
     * Fetches held siblings from {@code holders[from..]} into {@code fragments} until 10 good ones are there (the
     * own one counts): as many at once as are still needed, the next ones if some fail; the indices whose holder
     * failed to serve a good one go into {@code failed}.
     */
    private CompletableFuture<Void> fetchEnough(NodeId key, BlobManifest manifest, int stripe, List<Holder> holders,
            int from, byte[][] fragments, Set<Integer> failed) {
        int have = 0;
        synchronized (fragments) {
            for (byte[] f : fragments) {
                have += f == null ? 0 : 1;
            }
        }
        int needed = ReedSolomon.DATA - have;
        if (needed <= 0 || from >= holders.size()) {
            return CompletableFuture.completedFuture(null);
        }
        int to = Math.min(holders.size(), from + needed);
        List<CompletableFuture<Void>> fetches = new ArrayList<>();
        for (Holder h : holders.subList(from, to)) {
            fetches.add(network.fetch(h.contact(), h.placement()).thenAccept(object -> {
                byte[] data = object == null ? null : BlobOperations.checked(object, key, manifest, stripe, h.index());
                synchronized (fragments) {
                    fragments[h.index()] = data;
                    if (data == null) {
                        failed.add(h.index());
                    }
                }
            }));
        }
        return CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new))
                .thenCompose(done -> fetchEnough(key, manifest, stripe, holders, to, fragments, failed));
    }

    /**
     * Rebuilds the stripe from the fragments had and places the missing ones: those no node said it held, and those
     * a node said it held yet failed to serve (it may have died since, or lied).
     */
    private CompletableFuture<Result> rebuildAndPlace(NodeId key, BlobManifest manifest, int stripe, int ownIndex,
            byte[][] fragments, List<Holder> holders, Set<Integer> failed, List<List<Contact>> candidates) {
        int present = 0;
        for (byte[] f : fragments) {
            present += f == null ? 0 : 1;
        }
        if (present < ReedSolomon.DATA) {
            return CompletableFuture.completedFuture(new Result(Outcome.UNREPAIRABLE, 0));
        }
        Set<Integer> missing = new TreeSet<>();
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            missing.add(i);
        }
        missing.remove(ownIndex);
        Set<NodeId> holding = Collections.synchronizedSet(new HashSet<>());
        holding.add(network.self().id());
        for (Holder h : holders) {
            if (!failed.contains(h.index())) {
                missing.remove(h.index());
                holding.add(h.contact().id());
            }
        }
        byte[][] stripeData = fragments.clone();
        BlobLayout.rebuildMissing(manifest, stripe, stripeData);
        Blake3 blake3 = new Blake3();
        List<CompletableFuture<Boolean>> pushes = new ArrayList<>();
        for (int i : missing) {
            byte[] object = new FragmentObject(key.toBytes(), stripe, i, blake3.hash(stripeData[i]), stripeData[i])
                    .encode();
            pushes.add(operations.place(object, candidates.get(i), 0, holding, false));
        }
        return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).thenApply(all -> new Result(
                pushes.stream().allMatch(CompletableFuture::join) ? Outcome.REPAIRED : Outcome.PUSH_FAILED,
                missing.size()));
    }
}
