package io.molia.core.lookup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * The iterative Kademlia lookup as a state machine with no I/O (the shape of libp2p's closest-peers iterator):
 * the owner asks {@link #nextRequest} for peers to query, reports each answer, soft timeout and failure, and reads
 * {@link #result()} once {@link #isFinished()}.
 *
 * <ul>
 *   <li>At most α requests count as in flight (per path: α/d each for d disjoint paths). A request past its
 *       adaptive timeout turns <em>slow</em>: it no longer holds a slot, so the lookup moves on, and its late
 *       answer is still used. It still holds the result (its answer may only have been lost: the owner sends it
 *       again) until the owner reports it <em>unresponsive</em> (the copy missed its timeout too): from then on the
 *       lookup no longer waits for it, and a late answer still counts if the lookup has not ended. A request to a
 *       peer no longer among the α closest not yet heard from (closer ones came in since) is <em>overtaken</em>: up
 *       to α of those hold no slot, so the closer ones are asked at once.</li>
 *   <li>Among the closest not-yet-queried candidates of equal log-distance to the target, the one with the lowest
 *       expected RTT goes first.</li>
 *   <li>When α answers in a row bring nothing closer, the lookup is <em>stalled</em> and queries all of the k
 *       closest it has not asked yet at once (Kademlia's final round).</li>
 *   <li>It finishes when the k closest responsive candidates (neither failed nor unresponsive) have all answered:
 *       a departed peer costs a lookup two adaptive timeouts, never the hard one.</li>
 *   <li>With d disjoint paths (S/Kademlia), each path learns candidates only from the answers of the peers it
 *       asked (the seeds are dealt round-robin), and a peer is asked by one path only: the first that picks it, after
 *       which it drops out of the others' views. Each path terminates on its own; results are merged. Claiming a peer
 *       when it is asked, not when it is learned, matters: Sybils around a key name the honest peers near it along
 *       with themselves, and a path that claimed all it learned would starve the others of those honest peers.</li>
 *   <li>A record read whose paths all ended without the record gets one more round ({@link #retryWithoutAsked}):
 *       without every peer asked so far, from the candidates nobody asked and seeds from farther into the table.</li>
 * </ul>
 * Duplicate, late or unsolicited answers are harmless no-ops. Owned by the core's thread; not thread-safe.
 */
public final class Lookup {
    /** Expected RTT of a peer for the low-latency preference; negative when unknown. */
    @FunctionalInterface
    public interface RttOracle {
        long expectedRttNs(NodeId peer);
    }

    /** Sees each candidate of a lookup ({@link #forEachCandidate}). */
    @FunctionalInterface
    public interface CandidateVisitor {
        /**
         * @param askedBy   the path that asked it, -1 when none did
         * @param learnedBy the paths that learned of it (bit p: path p)
         * @param answered  whether it answered
         */
        void visit(Contact contact, int askedBy, long learnedBy, boolean answered);
    }

    private enum State { NOT_CONTACTED, WAITING, SLOW, UNRESPONSIVE, SUCCEEDED, FAILED }

    private static final class Candidate {
        final Contact contact;
        final int hop;
        /** The peer whose answer brought it, null for a seed: blamed if it turns out unreachable. */
        NodeId referrer;
        /** The paths that learned of it (bit p: path p). */
        long learnedBy;
        /** The path that asked it; -1 until one did. */
        int path = -1;
        /** Asked in an earlier round ({@link #retryWithoutAsked}): out of every view, never asked again. */
        boolean spent;
        State state = State.NOT_CONTACTED;
        long answeredNs = -1;

        Candidate(Contact contact, int path, int hop) {
            this.contact = contact;
            this.learnedBy = 1L << path;
            this.hop = hop;
        }

        /** Whether path {@code p} may ask it or wait for it: it learned of it, and no other path asked it. */
        boolean inViewOf(int p) {
            return !spent && (learnedBy & 1L << p) != 0 && (path < 0 || path == p);
        }

        boolean awaited() {
            return state == State.WAITING || state == State.SLOW || state == State.UNRESPONSIVE;
        }

        /** Neither failed nor past its timeout: it may take a slot, or be the next closest. */
        boolean active() {
            return state != State.FAILED && state != State.SLOW && state != State.UNRESPONSIVE;
        }
    }

    private final NodeId target;
    private final int k;
    private final int paths;
    private final int parallelismPerPath;
    private final int stalledParallelismPerPath;
    private final int maxCandidates;
    private final RttOracle rtt;
    private final long startedNs;
    private final List<Candidate> candidates = new ArrayList<>(); // sorted by distance to target
    private final Map<NodeId, Candidate> byId = new HashMap<>();
    private final int[] inFlight;
    private final int[] noProgressStreak;
    private final boolean[] pathFinished;
    private int requestsSent;
    private int answered;
    /** 1, or 2 after {@link #retryWithoutAsked}. */
    private int rounds = 1;
    private long finishedNs = -1;

    /**
     * @param seeds the starting contacts (the routing table's closest), assigned to paths round-robin
     */
    public Lookup(NodeId target, int k, int alpha, int paths, List<Contact> seeds, RttOracle rtt, long nowNs) {
        if (paths < 1 || paths > alpha) {
            throw new IllegalArgumentException("paths must be in 1..alpha");
        }
        this.target = target;
        this.k = k;
        this.paths = paths;
        this.parallelismPerPath = Math.max(1, alpha / paths);
        this.stalledParallelismPerPath = Math.max(parallelismPerPath, k / paths);
        this.maxCandidates = Math.max(4 * k, 64) * paths; // room for each path's own k closest
        this.rtt = rtt;
        this.startedNs = nowNs;
        this.inFlight = new int[paths];
        this.noProgressStreak = new int[paths];
        this.pathFinished = new boolean[paths];
        int next = 0;
        for (Contact seed : seeds) {
            if (addCandidate(seed, next, 1)) {
                next = (next + 1) % paths;
            }
        }
        updateFinished(nowNs);
    }

    public NodeId target() {
        return target;
    }

    /**
     * The next peer to query now, or null when none may be asked at this moment (slots full, nothing left, or
     * finished). Call repeatedly until null after every input.
     */
    public Contact nextRequest(long nowNs) {
        for (int p = 0; p < paths; p++) {
            if (pathFinished[p]) {
                continue;
            }
            boolean stalled = noProgressStreak[p] >= parallelismPerPath;
            // the final round asks the k closest anyway: overtaken requests free slots only before it
            int relief = stalled ? 0 : Math.min(overtaken(p), parallelismPerPath);
            if (inFlight[p] - relief >= (stalled ? stalledParallelismPerPath : parallelismPerPath)) {
                continue;
            }
            Candidate pick = pickNotContacted(p);
            if (pick != null) {
                pick.path = p;
                pick.state = State.WAITING;
                inFlight[p]++;
                requestsSent++;
                return pick.contact;
            }
        }
        return null;
    }

    /**
     * {@code from} answered with {@code closer}; contacts already known are merged once, never twice. Returns false
     * when the answer brought nothing closer than the lookup already knew (true for answers not waited for).
     */
    public boolean onResponse(long nowNs, NodeId from, List<Contact> closer) {
        Candidate asked = byId.get(from);
        boolean overtakenAnswer = asked != null && asked.state == State.WAITING && !inFront(asked);
        Candidate c = settle(from, State.SUCCEEDED);
        if (c == null) {
            return true;
        }
        c.answeredNs = nowNs;
        answered++;
        Candidate closestBefore = closestActive(c.path);
        for (Contact contact : closer) {
            Candidate added = addCandidate(contact, c.path, c.hop + 1) ? byId.get(contact.id()) : null;
            if (added != null) { // not trimmed at once
                added.referrer = from;
            }
        }
        Candidate closestAfter = closestActive(c.path);
        boolean progress = closestAfter != closestBefore && closestAfter.state == State.NOT_CONTACTED;
        if (progress) {
            noProgressStreak[c.path] = 0;
        } else if (!overtakenAnswer) {
            // An overtaken request was not expected to bring anything closer: its answer does not hasten the final
            // round (which would end the lookup before the front's answers came in).
            noProgressStreak[c.path]++;
        }
        updateFinished(nowNs);
        return progress;
    }

    /**
     * A second round for a record read whose paths all ended without the record: every peer asked so far (they do not
     * hold it) leaves every view for good, and the paths start again from the candidates nobody asked, nearest first,
     * then {@code seeds}, dealt round-robin. Sybils around a key answer only with each other: once they are spent they
     * have nothing more to say, and seeds from farther into a young table (whose k closest they can fill) lead round
     * them to the honest holders. False (and the lookup stays finished) when nothing is left to ask.
     */
    public boolean retryWithoutAsked(long nowNs, List<Contact> seeds) {
        int dealt = 0;
        for (Candidate c : candidates) {
            if (c.state == State.NOT_CONTACTED) {
                c.learnedBy = 1L << (dealt++ % paths);
            } else if (!c.awaited()) {
                c.spent = true;
            }
        }
        for (Contact seed : seeds) {
            if (addCandidate(seed, dealt % paths, 1)) {
                dealt++;
            }
        }
        if (dealt == 0) {
            return false;
        }
        rounds++;
        Arrays.fill(pathFinished, false);
        Arrays.fill(noProgressStreak, 0);
        finishedNs = -1;
        updateFinished(nowNs);
        return true;
    }

    /** The peer whose answer referred {@code peer} to this lookup; null for a seed or a peer not known. */
    public NodeId referrerOf(NodeId peer) {
        Candidate c = byId.get(peer);
        return c == null ? null : c.referrer;
    }

    /** The request to {@code peer} passed its adaptive timeout: free its slot, keep listening for it. */
    public void onSlow(long nowNs, NodeId peer) {
        Candidate c = byId.get(peer);
        if (c != null && c.state == State.WAITING) {
            c.state = State.SLOW;
            inFlight[c.path]--;
            updateFinished(nowNs);
        }
    }

    /**
     * The request to {@code peer} and its copy both missed their adaptive timeouts: the lookup stops waiting for it
     * (it no longer holds the result), but its answer still counts if it comes before the lookup ends.
     */
    public void onUnresponsive(long nowNs, NodeId peer) {
        Candidate c = byId.get(peer);
        if (c == null || (c.state != State.WAITING && c.state != State.SLOW)) {
            return;
        }
        if (c.state == State.WAITING) {
            inFlight[c.path]--;
        }
        c.state = State.UNRESPONSIVE;
        updateFinished(nowNs);
    }

    /** The request to {@code peer} failed for good (hard timeout, error answer, or it could not be sent). */
    public void onFailure(long nowNs, NodeId peer) {
        if (settle(peer, State.FAILED) != null) {
            updateFinished(nowNs);
        }
    }

    /**
     * Moves the candidate with a request out (waiting or slow) to its final state; returns null for a peer not
     * asked, or asked and already settled (late duplicates and unsolicited answers are no-ops).
     */
    private Candidate settle(NodeId peer, State outcome) {
        Candidate c = byId.get(peer);
        if (c == null || !c.awaited()) {
            return null;
        }
        if (c.state == State.WAITING) {
            inFlight[c.path]--;
        }
        c.state = outcome;
        return c;
    }

    public boolean isFinished() {
        return finishedNs >= 0;
    }

    public long startedNs() {
        return startedNs;
    }

    public long finishedNs() {
        return finishedNs;
    }

    /** Whether {@code peer} has a request out in this lookup (waiting, slow or unresponsive): it may still answer. */
    public boolean awaits(NodeId peer) {
        Candidate c = byId.get(peer);
        return c != null && c.awaited();
    }

    /** The k closest peers that answered, closest first. */
    public List<Contact> result() {
        List<Contact> out = new ArrayList<>(k);
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED) {
                out.add(c.contact);
                if (out.size() == k) {
                    break;
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** When the closest peer of the result answered: the latency a value stored on the k closest would see. */
    public long closestAnsweredNs() {
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED) {
                return c.answeredNs;
            }
        }
        return -1;
    }

    /**
     * The peers that answered and stand among the k closest candidates still in the running (neither failed nor
     * past their timeout), closest first: where a write streamed during its lookup stores now. A closer peer learned later
     * can push one of them out of the final k (it then holds a spare copy).
     */
    public List<Contact> answeredAmongClosest() {
        List<Contact> out = new ArrayList<>(k);
        int seen = 0;
        for (Candidate c : candidates) {
            if (!live(c)) {
                continue;
            }
            if (c.state == State.SUCCEEDED) {
                out.add(c.contact);
            }
            if (++seen == k) {
                break;
            }
        }
        return out;
    }

    /**
     * Whether a majority of the k closest candidates still in the running are in {@code stored} and the {@code beta}
     * closest of them all answered: the lookup has converged on the key's neighbourhood (libp2p's β resiliency),
     * and most of its k closest hold the write.
     */
    public boolean majorityOfClosestIn(Set<NodeId> stored, int beta) {
        if (!closestAnswered(beta)) {
            return false;
        }
        int seen = 0;
        int held = 0;
        for (Candidate c : candidates) {
            if (!live(c)) {
                continue;
            }
            held += stored.contains(c.contact.id()) ? 1 : 0;
            if (++seen == k) {
                break;
            }
        }
        return seen > 0 && held > seen / 2;
    }

    /**
     * Whether the {@code beta} closest candidates still in the running all answered: nothing closer is left to ask
     * in front of them, so the lookup has reached the key's neighbourhood (libp2p's β resiliency).
     */
    public boolean closestAnswered(int beta) {
        int seen = 0;
        for (Candidate c : candidates) {
            if (!live(c)) {
                continue;
            }
            if (c.state != State.SUCCEEDED) {
                return false;
            }
            if (++seen == beta) {
                return true;
            }
        }
        return seen > 0;
    }

    /**
     * A candidate that answered or may answer in time: not failed, not past its adaptive timeout (slow or
     * unresponsive: under churn most of those have left), not spent in an earlier round.
     */
    private static boolean live(Candidate c) {
        return !c.spent && c.active();
    }

    /** Hops from this node to the closest peer of the result (1 = it was a seed). */
    public int hopsToClosest() {
        for (Candidate c : candidates) {
            if (c.state == State.SUCCEEDED) {
                return c.hop;
            }
        }
        return 0;
    }

    public int requestsSent() {
        return requestsSent;
    }

    /** How many peers answered so far. */
    public int answered() {
        return answered;
    }

    /** The hop at which {@code peer} was learned (1 = a seed), or 0 when it is not a candidate. */
    public int hopOf(NodeId peer) {
        Candidate c = byId.get(peer);
        return c == null ? 0 : c.hop;
    }

    /** Every candidate the lookup still holds, closest first: for diagnostics (the simulator's), not hot paths. */
    public void forEachCandidate(CandidateVisitor visitor) {
        for (Candidate c : candidates) {
            visitor.visit(c.contact, c.path, c.learnedBy, c.state == State.SUCCEEDED);
        }
    }

    public int paths() {
        return paths;
    }

    /** 1, or more after each {@link #retryWithoutAsked} that had something left to ask. */
    public int rounds() {
        return rounds;
    }

    /** The disjoint path that asked {@code peer} (no other path asks it), or -1 when none did. */
    public int pathOf(NodeId peer) {
        Candidate c = byId.get(peer);
        return c == null ? -1 : c.path;
    }

    private boolean addCandidate(Contact contact, int path, int hop) {
        Candidate known = byId.get(contact.id());
        if (known != null) {
            known.learnedBy |= 1L << path;
            return false;
        }
        int pos = insertionPoint(contact.id());
        if (pos >= maxCandidates) {
            return false;
        }
        Candidate c = new Candidate(contact, path, hop);
        candidates.add(pos, c);
        byId.put(contact.id(), c);
        if (candidates.size() > maxCandidates) {
            trimFarthest();
        }
        return true;
    }

    /** Drops the farthest candidate that has no request out, keeping the table bounded. */
    private void trimFarthest() {
        for (int i = candidates.size() - 1; i >= 0; i--) {
            Candidate c = candidates.get(i);
            if (c.state == State.NOT_CONTACTED || c.state == State.FAILED) {
                candidates.remove(i);
                byId.remove(c.contact.id());
                return;
            }
        }
    }

    private int insertionPoint(NodeId id) {
        int lo = 0;
        int hi = candidates.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (target.compareDistance(candidates.get(mid).contact.id(), id) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Requests of {@code path} still waiting on peers that are no longer among its α closest candidates yet to be
     * heard from (not asked, or waiting): closer ones came in since they were sent. Up to α of them no longer hold a
     * slot, so the closer ones are asked at once instead of after an answer unlikely to bring anything closer.
     */
    private int overtaken(int path) {
        int front = 0;
        int overtaken = 0;
        for (Candidate c : candidates) {
            if (!c.inViewOf(path) || (c.state != State.NOT_CONTACTED && c.state != State.WAITING)) {
                continue;
            }
            if (front < parallelismPerPath) {
                front++;
            } else if (c.state == State.WAITING) {
                overtaken++;
            }
        }
        return overtaken;
    }

    /** Whether {@code c} is among the α closest candidates of its path not yet heard from (not asked, or waiting). */
    private boolean inFront(Candidate c) {
        int front = 0;
        for (Candidate other : candidates) {
            if (!other.inViewOf(c.path) || (other.state != State.NOT_CONTACTED && other.state != State.WAITING)) {
                continue;
            }
            if (other == c) {
                return true;
            }
            if (++front == parallelismPerPath) {
                return false;
            }
        }
        return false;
    }

    /** The closest candidate of {@code path} that is neither failed nor past its timeout, or null. */
    private Candidate closestActive(int path) {
        for (Candidate c : candidates) {
            if (c.inViewOf(path) && c.active()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Among the path's k closest active candidates, the not-contacted ones at the smallest log-distance; of those,
     * the one with the lowest expected RTT (unknown RTTs rank after known ones).
     */
    private Candidate pickNotContacted(int path) {
        Candidate best = null;
        long bestRtt = Long.MAX_VALUE;
        int bestLogDistance = -1;
        int seen = 0;
        for (Candidate c : candidates) {
            if (!c.inViewOf(path) || !c.active()) {
                continue;
            }
            if (++seen > k) {
                break;
            }
            if (c.state != State.NOT_CONTACTED) {
                continue;
            }
            int logDistance = target.commonPrefixLength(c.contact.id());
            if (best != null && logDistance != bestLogDistance) {
                break;
            }
            long expected = rtt.expectedRttNs(c.contact.id());
            long rank = expected < 0 ? Long.MAX_VALUE - 1 : expected;
            if (best == null || rank < bestRtt) {
                best = c;
                bestRtt = rank;
                bestLogDistance = logDistance;
            }
        }
        return best;
    }

    private void updateFinished(long nowNs) {
        if (finishedNs >= 0) {
            return;
        }
        boolean all = true;
        for (int p = 0; p < paths; p++) {
            pathFinished[p] = pathFinished[p] || isPathFinished(p);
            all &= pathFinished[p];
        }
        if (all) {
            finishedNs = nowNs;
        }
    }

    private boolean isPathFinished(int path) {
        int seen = 0;
        for (Candidate c : candidates) {
            if (!c.inViewOf(path) || c.state == State.FAILED || c.state == State.UNRESPONSIVE) {
                continue;
            }
            if (c.state != State.SUCCEEDED) {
                // Not asked yet, waiting, or slow: a slow peer among the k closest keeps the lookup open until its
                // copy answers or misses its timeout too, but meanwhile its slot went to the next candidate.
                return false;
            }
            if (++seen == k) {
                return true;
            }
        }
        // Fewer than k responsive candidates, and every one of them answered.
        return true;
    }
}
