package io.molia.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.molia.blob.BlobFormatException;
import io.molia.blob.BlobStore;
import io.molia.blob.FragmentObject;
import io.molia.crypto.Blake3;
import io.molia.metrics.Figure;

/**
 * The periodic repair of blob stripes (docs/blobs.md "Repair"): every {@link #INTERVAL_NS} a node checks the next
 * {@link #STRIPES_PER_ROUND} stripes it holds a fragment of, taking its store's fragments in turn (the order they
 * came, wrapping around), one stripe after another, each by a {@link BlobRepair}. So a node holding F fragments checks
 * each once every F / 4 × 10 min, and a round costs 4 × 13 sibling probes (one datagram each way; the lookups that
 * find whom to probe cost more) plus, for a stripe with a fragment missing, 9 fetches and the rebuilt fragments'
 * pushes. A round still running when the next is due is not doubled.
 *
 * <p>A stripe that one of its first siblings' holders checked whole within {@link #freshCheckS} (twice this node's own
 * time around its store) is left to it ({@link BlobRepair}): about one whole check per stripe per pass, not 14.
 *
 * <p>Thread-safe: the store is read on its shard's loop ({@code storeLoop}), the repairs run on the blob pool.
 */
public final class BlobRepairCheck {
    public static final long INTERVAL_NS = TimeUnit.MINUTES.toNanos(10);
    public static final int STRIPES_PER_ROUND = 4;
    /** Every how many passes around its store a node checks each stripe whole whatever its siblings say. */
    static final int WHOLE_PASS_EVERY = 4;

    private final BlobRepair repair;
    private final Supplier<BlobStore> store;
    private final Executor storeLoop;
    private final AtomicBoolean running = new AtomicBoolean();
    /** How many fragments of the store the rounds went past: where the next round starts. */
    private long cursor;

    final AtomicLong rounds = new AtomicLong();
    final AtomicLong stripesChecked = new AtomicLong();
    final AtomicLong intact = new AtomicLong();
    final AtomicLong repaired = new AtomicLong();
    final AtomicLong fragmentsRebuilt = new AtomicLong();
    final AtomicLong unrepairable = new AtomicLong();
    final AtomicLong pushesFailed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong deferred = new AtomicLong();

    /** The repair figures (docs/metrics.md), on the node's Prometheus endpoint. */
    public static final List<Figure<BlobRepairCheck>> FIGURES = List.of(
            Figure.counter("blob_repair_rounds", "Rounds of the periodic stripe check run", c -> c.rounds.get()),
            Figure.counter("blob_repair_stripes_checked", "Stripes the periodic check looked at (siblings probed)",
                    c -> c.stripesChecked.get()),
            Figure.counter("blob_repair_stripes_intact", "Stripes checked with all 14 fragments held",
                    c -> c.intact.get()),
            Figure.counter("blob_repair_stripes_repaired", "Stripes whose missing fragments were rebuilt and placed",
                    c -> c.repaired.get()),
            Figure.counter("blob_repair_fragments_rebuilt", "Fragments rebuilt by repair and pushed to a new holder",
                    c -> c.fragmentsRebuilt.get()),
            Figure.counter("blob_repair_stripes_unrepairable", "Stripes checked with fewer than 10 fragments found",
                    c -> c.unrepairable.get()),
            Figure.counter("blob_repair_pushes_failed", "Stripes rebuilt of which a fragment found no new holder",
                    c -> c.pushesFailed.get()),
            Figure.counter("blob_repair_checks_failed", "Stripe checks that failed (no manifest found, an error)",
                    c -> c.failed.get()),
            Figure.counter("blob_repair_stripes_deferred",
                    "Stripes left to a first sibling's holder that had checked them whole recently",
                    c -> c.deferred.get()));

    BlobRepairCheck(BlobRepair repair, Supplier<BlobStore> store, Executor storeLoop) {
        this.repair = repair;
        this.store = store;
        this.storeLoop = storeLoop;
    }

    /** What one round did; {@code fragmentsHeld}: the node's fragments when it began. */
    public record Round(int stripesChecked, int stripesRepaired, int fragmentsRebuilt, int fragmentsHeld) {
    }

    /** The periodic tick: starts a round unless one is running. */
    void tick() {
        if (running.compareAndSet(false, true)) {
            round().whenComplete((done, failure) -> running.set(false));
        }
    }

    /** One round: the next {@link #STRIPES_PER_ROUND} stripes held, checked and repaired one after another. */
    public CompletableFuture<Round> round() {
        return round(STRIPES_PER_ROUND);
    }

    /** A round of the next {@code stripes} stripes held (the operator's `blob repair`). */
    public CompletableFuture<Round> round(int stripes) {
        rounds.incrementAndGet();
        int[] held = new int[1];
        long[] pass = new long[1];
        return CompletableFuture.supplyAsync(() -> {
            held[0] = store.get().fragments();
            pass[0] = cursor / Math.max(1, held[0]);
            return nextFragments(stripes);
        }, storeLoop).thenComposeAsync(objects -> {
            int[] done = new int[3];
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            long freshS = freshCheckS(held[0], pass[0]);
            for (FragmentObject own : decode(objects)) {
                chain = chain.thenCompose(d -> repair.repair(own, freshS).handle((result, failure) -> {
                    count(result, failure);
                    done[0]++;
                    if (failure == null && (result.outcome() == BlobRepair.Outcome.REPAIRED
                            || result.outcome() == BlobRepair.Outcome.PUSH_FAILED)) {
                        done[1] += result.outcome() == BlobRepair.Outcome.REPAIRED ? 1 : 0;
                        done[2] += result.rebuilt();
                    }
                    return null;
                }));
            }
            return chain.thenApply(d -> new Round(done[0], done[1], done[2], held[0]));
        });
    }

    /**
     * How recent a sibling holder's whole check of a stripe must be for this node to leave the stripe to it: twice the
     * time this node's periodic rounds take to come round its {@code fragmentsHeld} fragments (at least two
     * intervals), so the holder that checks is due again before the others stop leaving it the stripe, and a holder
     * whose checks stop (or fail: it then forgets them) is taken over within that.
     *
     * <p>Every {@link #WHOLE_PASS_EVERY}th pass around its store ({@code pass}, from 0) a node leaves no stripe to
     * anyone (-1: no age is that recent). A holder's age is its own word: a Sybil holding a low-index fragment that
     * always answers "checked just now" would otherwise keep every other holder from checking the stripe, and with
     * this it holds repair back by at most that many passes.
     */
    static long freshCheckS(int fragmentsHeld, long pass) {
        if (pass % WHOLE_PASS_EVERY == WHOLE_PASS_EVERY - 1) {
            return -1;
        }
        long rounds = Math.max(1, (fragmentsHeld + STRIPES_PER_ROUND - 1) / STRIPES_PER_ROUND);
        return 2 * rounds * TimeUnit.NANOSECONDS.toSeconds(INTERVAL_NS);
    }

    /** On the store's loop: the next fragments from the cursor, at most one per stripe, at most {@code max}. */
    private List<byte[]> nextFragments(int max) {
        BlobStore s = store.get();
        List<byte[]> fragments = new ArrayList<>();
        s.forEach((key, object) -> {
            if (object[1] == 'F') {
                fragments.add(object);
            }
        });
        List<byte[]> picked = new ArrayList<>();
        if (fragments.isEmpty()) {
            return picked;
        }
        long start = cursor % fragments.size();
        Set<String> stripes = new HashSet<>();
        for (int i = 0; i < fragments.size() && picked.size() < max; i++) {
            byte[] object = fragments.get((int) ((start + i) % fragments.size()));
            cursor++;
            // bytes 4..39: manifest key and stripe; one fragment per stripe is enough to check it
            if (stripes.add(java.util.HexFormat.of().formatHex(object, 4, 40))) {
                picked.add(object);
            }
        }
        return picked;
    }

    private static List<FragmentObject> decode(List<byte[]> objects) {
        Blake3 blake3 = new Blake3();
        List<FragmentObject> out = new ArrayList<>();
        for (byte[] o : objects) {
            try {
                out.add(FragmentObject.decode(o, 0, o.length, blake3));
            } catch (BlobFormatException e) {
                // the store checked it on the way in; nothing to repair from a fragment that no longer decodes
            }
        }
        return out;
    }

    private void count(BlobRepair.Result result, Throwable failure) {
        stripesChecked.incrementAndGet();
        if (failure != null || result.outcome() == BlobRepair.Outcome.NO_MANIFEST) {
            failed.incrementAndGet();
            return;
        }
        switch (result.outcome()) {
            case INTACT -> intact.incrementAndGet();
            case REPAIRED -> {
                repaired.incrementAndGet();
                fragmentsRebuilt.addAndGet(result.rebuilt());
            }
            case UNREPAIRABLE -> unrepairable.incrementAndGet();
            case DEFERRED -> deferred.incrementAndGet();
            case PUSH_FAILED -> {
                pushesFailed.incrementAndGet();
                fragmentsRebuilt.addAndGet(result.rebuilt());
            }
            case NO_MANIFEST -> failed.incrementAndGet();
        }
    }

    /** Checks and repairs done so far (for tests and the operator's figures). */
    public long stripesRepaired() {
        return repaired.get();
    }

    public long stripesChecked() {
        return stripesChecked.get();
    }

    public long fragmentsRebuilt() {
        return fragmentsRebuilt.get();
    }
}
