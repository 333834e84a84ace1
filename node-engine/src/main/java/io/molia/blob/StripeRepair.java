package io.molia.blob;

import java.util.HashMap;
import java.util.Map;

import io.molia.crypto.Blake3;

/**
 * One holder's repair of one stripe (DESIGN §3.7: "a node that notices a missing fragment of a stripe it holds
 * rebuilds and re-places it"): it fetches the 13 siblings of the fragment it holds from the nodes closest to their
 * placement keys, checks each against the manifest, and when some are missing but at least 10 are good, rebuilds
 * the missing ones and pushes each to the node that should now hold it. Bounded work: 13 fetches and at most 4
 * pushes per stripe; the caller decides how many stripes it repairs per interval.
 *
 * <p>Driven by the {@link BlobTransfers} it runs on: call {@link #start}, then hand it every event of those transfers
 * ({@link #onEvent} ignores the others) until {@link #finished}. Owned by that transfers' thread; not thread-safe.
 */
public final class StripeRepair {
    /** How a repair ended. */
    public enum Outcome { RUNNING, INTACT, REPAIRED, UNREPAIRABLE, PUSH_FAILED }

    private final BlobTransfers transfers;
    private final BlobManifest manifest;
    private final byte[] manifestKey;
    private final int stripe;
    private final long[] holders;
    private final long[] replacements;
    private final byte[][] fragments = new byte[ReedSolomon.TOTAL][];
    private final Map<Long, Integer> fetches = new HashMap<>();
    private final Map<Long, Integer> pushes = new HashMap<>();
    private final BlobLayout layout = new BlobLayout();
    private final Blake3 blake3 = new Blake3();
    private Outcome outcome = Outcome.RUNNING;
    private int rebuilt;
    private int refused;

    /**
     * @param own          the fragment this node holds (checked against the manifest by the caller)
     * @param holders      per index, the peer closest to that fragment's placement key (the own index is skipped)
     * @param replacements per index, the peer a rebuilt fragment is pushed to (the next closest that lacks it)
     */
    public StripeRepair(BlobTransfers transfers, BlobManifest manifest, byte[] manifestKey, FragmentObject own,
            long[] holders, long[] replacements) {
        this.transfers = transfers;
        this.manifest = manifest;
        this.manifestKey = manifestKey;
        this.stripe = own.stripe();
        this.holders = holders;
        this.replacements = replacements;
        fragments[own.index()] = own.data();
    }

    public void start(long nowNs) {
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            if (fragments[i] == null) {
                fetches.put(transfers.fetch(holders[i], layout.placementKey(manifestKey, stripe, i), nowNs), i);
            }
        }
    }

    public void onEvent(BlobTransfers.Event event) {
        if (event instanceof BlobTransfers.FetchCompleted f && fetches.containsKey(f.transferId())) {
            int index = fetches.remove(f.transferId());
            if (f.object() != null) {
                accept(index, f.object());
            }
            if (fetches.isEmpty()) {
                rebuildAndPlace();
            }
        } else if (event instanceof BlobTransfers.PushCompleted p && pushes.containsKey(p.transferId())) {
            pushes.remove(p.transferId());
            if (!p.delivered()) {
                outcome = Outcome.PUSH_FAILED;
            } else if (pushes.isEmpty() && outcome == Outcome.RUNNING) {
                outcome = Outcome.REPAIRED;
            }
        }
    }

    private void accept(int index, byte[] object) {
        try {
            FragmentObject f = FragmentObject.decode(object, 0, object.length, blake3);
            if (f.stripe() == stripe && f.index() == index && f.data().length == manifest.fragmentBytes(stripe)
                    && manifest.hashMatches(stripe, index, f.hash(), 0)) {
                fragments[index] = f.data();
                return;
            }
        } catch (BlobFormatException e) {
            // counted below, like a fragment of another blob
        }
        refused++;
    }

    private void rebuildAndPlace() {
        int present = 0;
        for (byte[] f : fragments) {
            present += f == null ? 0 : 1;
        }
        if (present == ReedSolomon.TOTAL) {
            outcome = Outcome.INTACT;
            return;
        }
        if (present < ReedSolomon.DATA) {
            outcome = Outcome.UNREPAIRABLE;
            return;
        }
        int[] missing = BlobLayout.rebuildMissing(manifest, stripe, fragments);
        rebuilt = missing.length;
        for (int i : missing) {
            byte[] data = fragments[i];
            byte[] object = new FragmentObject(manifestKey, stripe, i, blake3.hash(data), data).encode();
            pushes.put(transfers.push(replacements[i], object), i);
        }
    }

    public boolean finished() {
        return outcome != Outcome.RUNNING;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Fragments rebuilt (and pushed). */
    public int rebuilt() {
        return rebuilt;
    }

    /** Siblings served that were not the fragment the manifest names (wrong blob, stripe, index or hash). */
    public int refused() {
        return refused;
    }
}
