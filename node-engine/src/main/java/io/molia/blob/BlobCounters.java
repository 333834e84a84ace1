package io.molia.blob;

/**
 * What a node's blob transfers did, since start: written by the owning thread, read by metrics as plain longs (a
 * figure a scrape reads a moment stale is fine).
 */
public final class BlobCounters {
    long pushesStarted;
    long fetchesStarted;
    long fetchesServed;
    long fetchesRefused;
    long fetchesFailed;
    long objectsStored;
    long objectsRefused;
    long transfersRefused;
    long transfersFailed;
    long chunksSent;
    long chunksResent;
    long chunksReceived;
    long framesMalformed;
    long framesUnsolicited;
    long pushesUnauthorized;
    long probesSent;
    long probesNotStarted;
    long probesUnanswered;
    long probesAnsweredHeld;
    long probesAnsweredNotHeld;

    public long pushesStarted() {
        return pushesStarted;
    }

    public long fetchesStarted() {
        return fetchesStarted;
    }

    public long fetchesServed() {
        return fetchesServed;
    }

    /** FETCHes answered NOT_HELD: the object is not here, or too many transfers are under way. */
    public long fetchesRefused() {
        return fetchesRefused;
    }

    public long fetchesFailed() {
        return fetchesFailed;
    }

    public long objectsStored() {
        return objectsStored;
    }

    /** Pushed objects that arrived whole but were malformed, failed their hash, or found the store full. */
    public long objectsRefused() {
        return objectsRefused;
    }

    /** Incoming transfers not started: too many at once, or an object larger than allowed. */
    public long transfersRefused() {
        return transfersRefused;
    }

    /** Transfers given up: the peer stopped answering (sender timeouts) or fell silent (receiver idle). */
    public long transfersFailed() {
        return transfersFailed;
    }

    public long chunksSent() {
        return chunksSent;
    }

    /** Chunks sent again (lost, or taken for lost); counted when their transfer ends. */
    public long chunksResent() {
        return chunksResent;
    }

    public long chunksReceived() {
        return chunksReceived;
    }

    public long framesMalformed() {
        return framesMalformed;
    }

    /** Acks, NOT_HELD answers and the like for no transfer under way here: late or stray, harmless. */
    public long framesUnsolicited() {
        return framesUnsolicited;
    }

    /** Pushes not started: the peer did not carry a valid write token of this node (as a STORE must). */
    public long pushesUnauthorized() {
        return pushesUnauthorized;
    }

    /** PROBEs this node sent (a repair check asking whether a sibling is held; resends not counted). */
    public long probesSent() {
        return probesSent;
    }

    /** Probes not started: {@link BlobTransfers#MAX_PROBES} were under way. */
    public long probesNotStarted() {
        return probesNotStarted;
    }

    /** Probes of this node's that no answer came to after every resend. */
    public long probesUnanswered() {
        return probesUnanswered;
    }

    /** Peers' PROBEs answered HELD. */
    public long probesAnsweredHeld() {
        return probesAnsweredHeld;
    }

    /** Peers' PROBEs answered NOT_HELD. */
    public long probesAnsweredNotHeld() {
        return probesAnsweredNotHeld;
    }
}
