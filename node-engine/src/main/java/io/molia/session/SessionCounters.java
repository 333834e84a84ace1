package io.molia.session;

/**
 * Why datagrams were dropped without a word, and what the session layer did. Plain fields written by the owning
 * shard only; a metrics scrape reads them racily, which is fine for monotonic counters.
 */
public final class SessionCounters {
    public long tooShort;
    public long unknownType;
    public long badReserved;
    public long badMac1;
    public long cookieRepliesSent;
    /** Initiations handled under load: they carried a valid mac2 and their source was within its rate. */
    public long handshakesWithMac2;
    /** Proven initiations dropped under load: their address sent more than its rate ({@link SourceLimits}). */
    public long rateLimitedIp;
    /** ...their /24 or /48 sent more than its rate. */
    public long rateLimitedPrefix;
    /** ...their autonomous system sent more than its rate. */
    public long rateLimitedAsn;
    /** Addresses, networks, autonomous systems whose slot in a limiter's fixed-size table went to another. */
    public long rateLimitEvictionsIp;
    public long rateLimitEvictionsPrefix;
    public long rateLimitEvictionsAsn;
    /** The /24 (/48) networks whose initiations the limiters dropped most (any limiter). */
    public final TopSources limitedPrefixes = new TopSources();
    /** The autonomous systems whose initiations the limiters dropped most (sources of a known AS). */
    public final TopSources limitedAsns = new TopSources();
    /** Limiter hits by a peer with a confirmed session at that address, reported for its behaviour score. */
    public long limiterHitsByPeers;
    /** Puzzle replies sent: Molia initiations under load, past cookies, without a solved puzzle. */
    public long puzzleRepliesSent;
    /** Initiations admitted under load with a solved puzzle (and their source within its rates). */
    public long puzzlesSolved;
    /** Solved initiations dropped: a token this shard did not issue to that address, or not solved, or too easy. */
    public long badPuzzle;
    /** Initiations this layer re-sent at once with a solved puzzle because the responder sent a puzzle reply. */
    public long retriesWithPuzzle;
    /** Gauge: the difficulty (leading zero bits) of the puzzle this shard asks for now; 0: none. */
    public long puzzleBits;
    /** Times this shard went under load (it then asks for cookies for at least a second). */
    public long underLoadPeriods;
    /** Initiations this layer re-sent at once with a mac2 because the responder sent a cookie reply. */
    public long retriesWithMac2;
    /** Gauge: 1 while this shard is under load. */
    public long underLoad;
    /** Gauge: what the initiations of the last window would cost, in thousandths of the shard's thread. */
    public long handshakeLoadPermille;
    /** Gauge: the share of the last window the shard's thread could run (thousandths; the rest it waited for a CPU). */
    public long handshakeRunnablePermille;
    /** Gauge: the measured CPU cost of one handshake on this shard, ns. */
    public long handshakeCostNs;
    /** Gauge: how long this shard stays under load after its last window over budget, ns (grows as floods return). */
    public long underLoadHoldNs;
    public long rateLimited;
    public long badHandshake;
    public long identityMismatch;
    public long notAdmitted;
    public long replayedTimestamp;
    /** Initiations whose timestamp lay outside the freshness window of this node's clock. */
    public long staleTimestamp;
    /** Keys whose newest timestamp left the node-wide table for a newcomer (its floor keeps them refused). */
    public long timestampsEvicted;
    public long unknownReceiverIndex;
    public long replayedCounter;
    public long badAead;
    public long expiredSession;
    public long handshakesCompleted;
    public long handshakesInitiated;
    public long oneRoundTripAnswers;
    public long answersOverAmplificationBound;
    public long sessionsEvicted;
    public long queueOverflow;
    /** Handshakes started because a session went unanswered for 15 s (the peer lost it, e.g. restarted). */
    public long unansweredSessionHandshakes;
    public long keepalivesSent;
    /** Received transport data longer than the manager opens ({@link SessionManager#MAX_DATAGRAM_BYTES}). */
    public long tooLong;
    /** Inner messages too long for one transport datagram, not sent. */
    public long tooLongToSend;
    /** Datagrams not queued because the transmit ring was full (the driver drains too rarely). */
    public long transmitRingFull;

    /** Everything dropped in silence. */
    public long silentDrops() {
        return tooShort + unknownType + badReserved + badMac1 + rateLimited + badHandshake + identityMismatch
                + notAdmitted + replayedTimestamp + staleTimestamp + unknownReceiverIndex + replayedCounter + badAead
                + expiredSession + tooLong + badPuzzle + rateLimitedIp + rateLimitedPrefix + rateLimitedAsn;
    }

    /** Adds {@code other}'s counts to these (the sum over shards an operator's view shows). */
    public void add(SessionCounters other) {
        tooShort += other.tooShort;
        unknownType += other.unknownType;
        badReserved += other.badReserved;
        badMac1 += other.badMac1;
        cookieRepliesSent += other.cookieRepliesSent;
        handshakesWithMac2 += other.handshakesWithMac2;
        rateLimitedIp += other.rateLimitedIp;
        rateLimitedPrefix += other.rateLimitedPrefix;
        rateLimitedAsn += other.rateLimitedAsn;
        rateLimitEvictionsIp += other.rateLimitEvictionsIp;
        rateLimitEvictionsPrefix += other.rateLimitEvictionsPrefix;
        rateLimitEvictionsAsn += other.rateLimitEvictionsAsn;
        limitedPrefixes.addAll(other.limitedPrefixes);
        limitedAsns.addAll(other.limitedAsns);
        limiterHitsByPeers += other.limiterHitsByPeers;
        puzzleRepliesSent += other.puzzleRepliesSent;
        puzzlesSolved += other.puzzlesSolved;
        badPuzzle += other.badPuzzle;
        retriesWithPuzzle += other.retriesWithPuzzle;
        puzzleBits = Math.max(puzzleBits, other.puzzleBits); // the hardest puzzle asked
        underLoadPeriods += other.underLoadPeriods;
        retriesWithMac2 += other.retriesWithMac2;
        underLoad += other.underLoad; // summed: shards under load
        handshakeLoadPermille = Math.max(handshakeLoadPermille, other.handshakeLoadPermille); // the busiest shard
        handshakeCostNs = Math.max(handshakeCostNs, other.handshakeCostNs); // the slowest shard
        underLoadHoldNs = Math.max(underLoadHoldNs, other.underLoadHoldNs); // the longest hold
        handshakeRunnablePermille = Math.max(handshakeRunnablePermille, other.handshakeRunnablePermille);
        rateLimited += other.rateLimited;
        badHandshake += other.badHandshake;
        identityMismatch += other.identityMismatch;
        notAdmitted += other.notAdmitted;
        replayedTimestamp += other.replayedTimestamp;
        staleTimestamp += other.staleTimestamp;
        timestampsEvicted += other.timestampsEvicted;
        unknownReceiverIndex += other.unknownReceiverIndex;
        replayedCounter += other.replayedCounter;
        badAead += other.badAead;
        expiredSession += other.expiredSession;
        handshakesCompleted += other.handshakesCompleted;
        handshakesInitiated += other.handshakesInitiated;
        oneRoundTripAnswers += other.oneRoundTripAnswers;
        answersOverAmplificationBound += other.answersOverAmplificationBound;
        sessionsEvicted += other.sessionsEvicted;
        queueOverflow += other.queueOverflow;
        unansweredSessionHandshakes += other.unansweredSessionHandshakes;
        keepalivesSent += other.keepalivesSent;
        tooLong += other.tooLong;
        tooLongToSend += other.tooLongToSend;
        transmitRingFull += other.transmitRingFull;
    }
}
