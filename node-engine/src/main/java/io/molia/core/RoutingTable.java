package io.molia.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.StoreJournal;

/**
 * Kademlia routing table: 256 buckets indexed by the length of the prefix a contact shares with this node, K
 * contacts each (least recently seen first), a replacement cache per bucket, ping-before-evict, at most
 * {@link CoreConfig#maxPerSubnetInBucket()} contacts per /24 (/48) per bucket, table-wide caps per /24 (/48) and per
 * autonomous system ({@link PeerScores.Config}), and a refresh clock per bucket. Peers whose behaviour score is low
 * ({@link PeerScores}) are evicted, refused, never handed out and never promoted from a replacement cache.
 *
 * <p>Every change of membership, address or failure count is reported to the {@link StoreJournal} (the peerstore
 * of the WAL, DESIGN §3.9), so a restarted node rejoins without its bootstrap list.
 *
 * <p>Owned by the core's thread; not thread-safe. Other threads read published snapshots, never this object.
 */
public final class RoutingTable {
    /** A full bucket's oldest entry is pinged for a newcomer only if silent this long (5 min). */
    static final long LIVENESS_CHECK_AFTER_NS = 300_000_000_000L;
    /**
     * A newcomer nearer than this share of a full bucket's slowest entry takes its place. Under churn the departed
     * entries' places go to whoever comes first, whatever their RTT, so the table drifts away from its nearby peers
     * unless answering peers can win places back (docs/benchmarks.md, session 5: 1/2 → 3/4).
     */
    static final double PROXIMITY_SWAP_SHARE = 0.75;

    private final NodeId self;
    private final CoreConfig config;
    /** Created on first use: a simulated network of 100k nodes cannot afford 256 empty buckets per node. */
    private final Bucket[] buckets = new Bucket[NodeId.BITS];
    private final long[] lastLookupNs = new long[NodeId.BITS];
    /** Entries in all buckets (an entry is found by scanning its bucket: no per-entry index to pay for). */
    private int size;
    private long subnetRejections;
    private long evictions;
    private long proximitySwaps;
    private PeerScores scores = new PeerScores(PeerScores.Config.defaults());
    /** The AS of an address, 0 when unknown (no ASN table, or not in it): such addresses skip the AS cap. */
    private ToIntFunction<NodeAddress> asnOf = address -> 0;
    private final LongCounts perSubnet = new LongCounts();
    private final Map<Integer, Integer> perAsn = new HashMap<>();
    private long tableCapRejections;
    private long lowScoreRefusals;
    private long lowScoreEvictions;
    private StoreJournal journal = StoreJournal.NONE;
    private long changes;

    public RoutingTable(NodeId self, CoreConfig config, long nowNs) {
        this.self = self;
        this.config = config;
        Arrays.fill(lastLookupNs, nowNs);
    }

    /** Where peerstore changes are journaled from now on ({@link StoreJournal#NONE} by default). */
    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    /** The behaviour scores this table consults (replaced before the first contact, e.g. with another config). */
    public void scores(PeerScores scores) {
        this.scores = scores;
    }

    public PeerScores scores() {
        return scores;
    }

    /** How the table-wide AS cap finds an address's AS (e.g. {@code AsnTable::asnOf}); set before the first contact. */
    public void asnOf(ToIntFunction<NodeAddress> asnOf) {
        this.asnOf = asnOf;
    }

    /** Sets the failure count of a recovered entry (start-up only; not journaled again). */
    public void restoreFailures(NodeId id, int failures) {
        RoutingEntry entry = entry(id);
        for (int i = entry == null ? failures : 0; i < failures; i++) {
            entry.onFailure();
        }
    }

    public NodeId self() {
        return self;
    }

    public int size() {
        return size;
    }

    /** The entry of {@code id}, or null: a scan of its bucket (at most K entries). */
    public RoutingEntry entry(NodeId id) {
        int b = bucketIndexOf(id);
        Bucket bucket = b < 0 ? null : buckets[b];
        if (bucket == null) {
            return null;
        }
        List<RoutingEntry> entries = bucket.entries;
        for (int i = 0; i < entries.size(); i++) {
            RoutingEntry e = entries.get(i);
            if (e.contact().id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    /** The bucket a contact with this ID belongs in; -1 for this node's own ID. */
    public int bucketIndexOf(NodeId id) {
        int cpl = self.commonPrefixLength(id);
        return cpl == NodeId.BITS ? -1 : cpl;
    }

    public List<RoutingEntry> bucketEntries(int bucket) {
        return buckets[bucket] == null ? List.of() : List.copyOf(buckets[bucket].entries);
    }

    public List<Contact> bucketReplacements(int bucket) {
        return buckets[bucket] == null ? List.of() : List.copyOf(buckets[bucket].replacements);
    }

    private Bucket bucket(int b) {
        Bucket bucket = buckets[b];
        if (bucket == null) {
            bucket = new Bucket();
            buckets[b] = bucket;
        }
        return bucket;
    }

    /**
     * Call for every contact that answered a request of this node from the address it was asked at (the table's only
     * door: a peer that merely contacts this node is not let in, see {@link RoutingCandidates}). Returns a contact the
     * caller must ping (ping-before-evict: the bucket is full and its least recently seen entry is due for a
     * check), or null.
     */
    public Contact onContactSeen(long nowNs, Contact contact) {
        return onContactSeen(nowNs, contact, -1);
    }

    /**
     * As {@link #onContactSeen(long, Contact)}, with a round-trip sample ({@code rttNs} >= 0) when the contact
     * just answered a request. Proximity neighbour selection: a newcomer to a full bucket whose RTT is under
     * {@link #PROXIMITY_SWAP_SHARE} of the slowest entry's takes that entry's place (the slow one moves to the
     * replacement cache), so the first hops of every lookup go to nearby peers.
     */
    public Contact onContactSeen(long nowNs, Contact contact, long rttNs) {
        int b = bucketIndexOf(contact.id());
        if (b < 0) {
            return null;
        }
        Bucket bucket = bucket(b);
        RoutingEntry existing = entry(contact.id());
        if (existing != null) {
            Contact before = existing.contact();
            int failuresBefore = existing.failures();
            if (!before.address().equals(contact.address())
                    && !bucket.subnetAllows(contact.address(), config.maxPerSubnetInBucket(), existing)) {
                existing.onSeen(nowNs, before);
            } else {
                existing.onSeen(nowNs, contact);
            }
            if (existing.contact() != before && !existing.contact().equals(before)) {
                account(before.address(), -1);
                account(existing.contact().address(), 1);
                peerAdded(existing.contact()); // it moved: the peerstore keeps the new address
            }
            if (failuresBefore != 0) {
                peerScore(contact.id(), 0);
            }
            bucket.moveToTail(existing);
            existing.rtt().onSample(rttNs);
            return null;
        }
        if (!bucket.subnetAllows(contact.address(), config.maxPerSubnetInBucket(), null)) {
            subnetRejections++;
            return null;
        }
        if (scores.isLow(contact.id())) {
            lowScoreRefusals++;
            return null;
        }
        if (!tableAllows(contact.address())) {
            tableCapRejections++;
            return null;
        }
        if (bucket.entries.size() < config.k()) {
            insert(bucket, contact, nowNs, rttNs);
            return null;
        }
        RoutingEntry slowest = rttNs >= 0 ? bucket.slowest() : null;
        if (slowest != null && rttNs < slowest.rtt().srttNs() * PROXIMITY_SWAP_SHARE) {
            bucket.entries.remove(slowest);
            size--;
            account(slowest.contact().address(), -1);
            peerRemoved(slowest.contact().id());
            bucket.addReplacement(slowest.contact(), config.replacementCacheSize());
            proximitySwaps++;
            insert(bucket, contact, nowNs, rttNs);
            return null;
        }
        bucket.addReplacement(contact, config.replacementCacheSize());
        RoutingEntry oldest = bucket.entries.get(0);
        if (oldest.pingPending() || nowNs - oldest.lastSeenNs() < LIVENESS_CHECK_AFTER_NS) {
            return null; // heard from recently enough: a newcomer does not earn it a ping
        }
        oldest.markPingPending();
        return oldest.contact();
    }

    /**
     * Whether an answer from {@code contact} would change the table: it is in the table at another address (it moved
     * or restarted) or failing, or it is not in the table and its bucket has room (within the subnet rule) or the
     * bucket's oldest entry is due a liveness check. A peer that contacted this node is pinged only then
     * ({@link RoutingCandidates}); otherwise its answer could not change the table.
     */
    public boolean wouldChangeIfAnswered(long nowNs, Contact contact) {
        int b = bucketIndexOf(contact.id());
        if (b < 0) {
            return false;
        }
        RoutingEntry existing = entry(contact.id());
        if (existing != null) {
            return existing.failures() > 0 || !existing.contact().address().equals(contact.address());
        }
        Bucket bucket = buckets[b];
        if (bucket == null) {
            return !scores.isLow(contact.id()) && tableAllows(contact.address());
        }
        if (!bucket.subnetAllows(contact.address(), config.maxPerSubnetInBucket(), null)
                || scores.isLow(contact.id()) || !tableAllows(contact.address())) {
            return false;
        }
        if (bucket.entries.size() < config.k()) {
            return true;
        }
        RoutingEntry oldest = bucket.entries.get(0);
        return !oldest.pingPending() && nowNs - oldest.lastSeenNs() >= LIVENESS_CHECK_AFTER_NS;
    }

    private void insert(Bucket bucket, Contact contact, long nowNs, long rttNs) {
        RoutingEntry entry = new RoutingEntry(contact, nowNs);
        entry.rtt().onSample(rttNs);
        peerAdded(contact);
        account(contact.address(), 1);
        bucket.entries.add(entry);
        size++;
        bucket.removeReplacement(contact.id());
    }

    /** Adds a round-trip sample to the entry of {@code id}, if the table holds it. */
    public void onRttSample(NodeId id, long rttNs) {
        RoutingEntry entry = entry(id);
        if (entry != null) {
            entry.rtt().onSample(rttNs);
        }
    }

    /**
     * A request to {@code id} went unanswered. The entry leaves the table once it failed
     * {@link CoreConfig#failuresBeforeEvict()} times in a row, or at its first failure when a replacement is
     * waiting; the freshest replacement takes its place. Returns true when the entry was evicted.
     */
    public boolean onFailure(NodeId id) {
        RoutingEntry entry = entry(id);
        if (entry == null) {
            return false;
        }
        entry.onFailure();
        Bucket bucket = buckets[bucketIndexOf(id)];
        if (entry.failures() < config.failuresBeforeEvict() && bucket.replacements.isEmpty()) {
            peerScore(id, entry.failures());
            return false;
        }
        remove(id);
        return true;
    }

    /** Removes {@code id} (evicted by an operator, a failure, or a ban) and promotes a replacement. */
    public boolean remove(NodeId id) {
        RoutingEntry entry = entry(id);
        if (entry == null) {
            return false;
        }
        size--;
        peerRemoved(id);
        account(entry.contact().address(), -1);
        Bucket bucket = buckets[bucketIndexOf(id)];
        bucket.entries.remove(entry);
        evictions++;
        Contact promoted = bucket.pollReplacement();
        while (promoted != null && (!bucket.subnetAllows(promoted.address(), config.maxPerSubnetInBucket(), null)
                || scores.isLow(promoted.id()) || !tableAllows(promoted.address()))) {
            promoted = bucket.pollReplacement();
        }
        if (promoted != null) {
            // The replacement has not answered since it was cached, so it enters at the head: first to be checked.
            RoutingEntry fresh = new RoutingEntry(promoted, entry.lastSeenNs());
            peerAdded(promoted);
            account(promoted.address(), 1);
            bucket.entries.add(0, fresh);
            size++;
        }
        return true;
    }

    /**
     * The peer {@code id} just became low ({@link PeerScores#record} said so): it leaves its bucket (a replacement
     * takes its place) and its replacement cache. Returns true when it was in the table.
     */
    public boolean onLowScore(NodeId id) {
        journalScores(); // a peer turned low: journaled now, not at the next tick
        int b = bucketIndexOf(id);
        if (b >= 0 && buckets[b] != null) {
            buckets[b].removeReplacement(id);
        }
        if (!remove(id)) {
            return false;
        }
        lowScoreEvictions++;
        return true;
    }

    /** Journals the scores changed since the last tick and forgets those that decayed to nothing: once a minute. */
    public void onScoresTick(long nowNs) {
        scores.sweep(nowNs);
        journalScores();
    }

    private void journalScores() {
        for (PeerScores.Snapshot s : scores.takeDirty()) {
            journal.onPeerBehaviour(s.id(), s.updatedNs(), s.counts());
        }
    }

    /** Whether one more entry at {@code address} stays within the table-wide /24 (/48) and AS caps. */
    private boolean tableAllows(NodeAddress address) {
        PeerScores.Config c = scores.config();
        if (perSubnet.get(address.subnetKey()) >= c.maxPerSubnetInTable()) {
            return false;
        }
        int asn = asnOf.applyAsInt(address);
        return asn == 0 || perAsn.getOrDefault(asn, 0) < c.maxPerAsnInTable();
    }

    /** Keeps the per-/24 and per-AS entry counts of the table as an entry at {@code address} comes or goes. */
    private void account(NodeAddress address, int delta) {
        perSubnet.add(address.subnetKey(), delta);
        int asn = asnOf.applyAsInt(address);
        if (asn != 0) {
            perAsn.merge(asn, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /**
     * The {@code n} contacts closest to {@code target} by XOR distance, closest first, written to {@code out}
     * (cleared first). Contacts that failed their last request are left out when {@code skipFailing} is set: a
     * node never hands out peers it believes dead. {@code exclude} (may be null) is never returned.
     */
    public void closest(NodeId target, int n, boolean skipFailing, NodeId exclude, List<Contact> out) {
        Contact[] found = new Contact[n];
        int count = closest(target.word(0), target.word(1), target.word(2), target.word(3), skipFailing, exclude,
                found, n);
        out.clear();
        out.addAll(Arrays.asList(found).subList(0, count));
    }

    /**
     * Allocation-free form for the hot path: the up to {@code n} closest to the target given as four words, written
     * closest first into {@code out}; returns how many.
     */
    public int closest(long t0, long t1, long t2, long t3, boolean skipFailing, NodeId exclude, Contact[] out,
            int n) {
        int cpl = self.commonPrefixLength(t0, t1, t2, t3);
        if (cpl == NodeId.BITS) {
            cpl = NodeId.BITS - 1;
        }
        // Bucket cpl holds the contacts closest to the target (they share its bit cpl). The deeper buckets are
        // all farther than those, closer than any shallower bucket, and interleaved among themselves (so taken
        // together); each shallower bucket is farther than the one below it. In a full table bucket cpl alone
        // gives n, and the rest of the table is not touched.
        int count = collect(buckets[cpl], t0, t1, t2, t3, skipFailing, exclude, out, 0, n);
        if (count < n) {
            for (int b = cpl + 1; b < NodeId.BITS; b++) {
                count = collect(buckets[b], t0, t1, t2, t3, skipFailing, exclude, out, count, n);
            }
        }
        for (int b = cpl - 1; b >= 0 && count < n; b--) {
            count = collect(buckets[b], t0, t1, t2, t3, skipFailing, exclude, out, count, n);
        }
        return count;
    }

    /** Bucket indexes that are non-empty or adjacent to a non-empty one and had no lookup for a refresh period. */
    public List<Integer> bucketsDueForRefresh(long nowNs) {
        List<Integer> due = new ArrayList<>();
        int deepest = deepestNonEmptyBucket();
        for (int b = 0; b <= Math.min(deepest + 1, NodeId.BITS - 1); b++) {
            if (nowNs - lastLookupNs[b] >= config.refreshIntervalNs()) {
                due.add(b);
            }
        }
        return due;
    }

    /** A lookup for {@code target} counts as a refresh of the bucket it falls in. */
    public void onLookupStarted(long nowNs, NodeId target) {
        int b = bucketIndexOf(target);
        if (b >= 0) {
            lastLookupNs[b] = nowNs;
        }
    }

    /** A uniformly random ID that falls in bucket {@code b}: shares exactly {@code b} prefix bits with self. */
    public NodeId randomIdInBucket(int b, RandomGenerator random) {
        NodeId r = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        // Take self's first b bits, the flipped bit b, and random bits after it.
        long[] words = new long[4];
        for (int w = 0; w < 4; w++) {
            int firstBit = w * 64;
            long keepSelf;
            if (b >= firstBit + 64) {
                keepSelf = -1L;
            } else if (b <= firstBit) {
                keepSelf = 0L;
            } else {
                keepSelf = -1L << (64 - (b - firstBit));
            }
            words[w] = (self.word(w) & keepSelf) | (r.word(w) & ~keepSelf);
        }
        NodeId id = new NodeId(words[0], words[1], words[2], words[3]);
        if (id.bit(b) == self.bit(b)) {
            id = id.flipBit(b);
        }
        return id;
    }

    public int deepestNonEmptyBucket() {
        for (int b = NodeId.BITS - 1; b >= 0; b--) {
            if (buckets[b] != null && !buckets[b].entries.isEmpty()) {
                return b;
            }
        }
        return 0;
    }

    /** Contacts refused because their /24 (/48) already had its share of a bucket. */
    public long subnetRejections() {
        return subnetRejections;
    }

    public long evictions() {
        return evictions;
    }

    /** Newcomers refused because their /24 (/48) or AS already had its share of the whole table. */
    public long tableCapRejections() {
        return tableCapRejections;
    }

    /** Newcomers refused because their behaviour score is low. */
    public long lowScoreRefusals() {
        return lowScoreRefusals;
    }

    /** Entries evicted because their behaviour score fell low. */
    public long lowScoreEvictions() {
        return lowScoreEvictions;
    }

    /** Slow entries that gave their place to a much closer (in RTT) newcomer. */
    public long proximitySwaps() {
        return proximitySwaps;
    }

    /** Inserts the bucket's eligible contacts into the sorted, bounded {@code out[0, count)}. */
    private static int collect(Bucket bucket, long t0, long t1, long t2, long t3, boolean skipFailing,
            NodeId exclude, Contact[] out, int count, int n) {
        if (bucket == null) {
            return count;
        }
        for (int i = 0, size = bucket.entries.size(); i < size; i++) {
            RoutingEntry e = bucket.entries.get(i);
            Contact c = e.contact();
            if ((skipFailing && e.failures() > 0) || (exclude != null && c.id().equals(exclude))) {
                continue;
            }
            count = insertByDistance(c, t0, t1, t2, t3, out, count, n);
        }
        return count;
    }

    /**
     * Inserts {@code c} into {@code out[0, count)}, kept sorted by distance to the target and bounded to {@code n}
     * (a contact farther than all of a full array is left out); returns the new count.
     */
    static int insertByDistance(Contact c, long t0, long t1, long t2, long t3, Contact[] out, int count, int n) {
        int pos = count;
        while (pos > 0 && NodeId.compareDistance(t0, t1, t2, t3, c.id(), out[pos - 1].id()) < 0) {
            pos--;
        }
        if (pos >= n) {
            return count;
        }
        int last = Math.min(count, n - 1);
        System.arraycopy(out, pos, out, pos + 1, last - pos);
        out[pos] = c;
        return count < n ? count + 1 : count;
    }

    // Every change of membership, address or failure count is journaled and shows in a snapshot: one place each.

    private void peerAdded(Contact contact) {
        changes++;
        journal.onPeerAdded(contact);
    }

    private void peerRemoved(NodeId id) {
        changes++;
        journal.onPeerRemoved(id);
    }

    private void peerScore(NodeId id, int failures) {
        changes++;
        journal.onPeerScore(id, failures);
    }

    /**
     * Counts every change a {@link RoutingSnapshot} would show (membership, an address, a failure count leaving or
     * reaching zero), so the owner publishes a new snapshot only when one differs.
     */
    public long changes() {
        return changes;
    }

    /** The contacts as they are now, each marked if failing, for other threads (see {@link RoutingSnapshot}). */
    public RoutingSnapshot snapshot() {
        Contact[][] copy = new Contact[NodeId.BITS][];
        boolean[][] failing = new boolean[NodeId.BITS][];
        for (int b = 0; b < NodeId.BITS; b++) {
            Bucket bucket = buckets[b];
            if (bucket == null || bucket.entries.isEmpty()) {
                continue;
            }
            int size = bucket.entries.size();
            copy[b] = new Contact[size];
            failing[b] = new boolean[size];
            for (int i = 0; i < size; i++) {
                RoutingEntry e = bucket.entries.get(i);
                copy[b][i] = e.contact();
                failing[b][i] = e.failures() > 0;
            }
        }
        return new RoutingSnapshot(self, copy, failing);
    }

    private static final class Bucket {
        final List<RoutingEntry> entries = new ArrayList<>();
        final List<Contact> replacements = new ArrayList<>(0);

        /** The measured entry with the highest SRTT, or null when none is measured. */
        RoutingEntry slowest() {
            RoutingEntry worst = null;
            for (RoutingEntry e : entries) {
                if (e.rtt().hasSamples() && (worst == null || e.rtt().srttNs() > worst.rtt().srttNs())) {
                    worst = e;
                }
            }
            return worst;
        }

        void moveToTail(RoutingEntry entry) {
            if (entries.get(entries.size() - 1) != entry) {
                entries.remove(entry);
                entries.add(entry);
            }
        }

        boolean subnetAllows(NodeAddress address, int limit, RoutingEntry ignoring) {
            long subnet = address.subnetKey();
            int count = 0;
            for (RoutingEntry e : entries) {
                if (e != ignoring && e.contact().address().subnetKey() == subnet) {
                    count++;
                }
            }
            return count < limit;
        }

        void addReplacement(Contact contact, int capacity) {
            removeReplacement(contact.id());
            if (replacements.size() >= capacity) {
                replacements.remove(0);
            }
            replacements.add(contact);
        }

        void removeReplacement(NodeId id) {
            for (int i = 0; i < replacements.size(); i++) {
                if (replacements.get(i).id().equals(id)) {
                    replacements.remove(i);
                    return;
                }
            }
        }

        Contact pollReplacement() {
            return replacements.isEmpty() ? null : replacements.remove(replacements.size() - 1);
        }
    }
}
