package io.molia.core;

import io.molia.codec.DecodeStatus;

/**
 * Counters of one core, written only by its thread (plain fields; a metrics scrape reads them racily, which is
 * fine for monotonic counters). The real node sums them over shards at scrape time.
 */
public final class CoreCounters {
    public long datagramsIn;
    public long datagramsOut;
    public final long[] droppedByStatus = new long[DecodeStatus.values().length];
    public long requestsIn;
    public long responsesIn;
    /** Answers with no matching request (late beyond the hard timeout, duplicated, or from the wrong peer). */
    public long unsolicitedResponses;
    public long requestsOut;
    public long softTimeouts;
    public long hardTimeouts;
    /** Requests whose retransmission missed its timeout too: the peer is taken for gone before the hard timeout. */
    public long unresponsive;
    /** Answers that came after their request was taken for unresponsive (still used). */
    public long lateAnswers;
    /** Pings of stale routing entries about to be handed out ({@link LivenessChecks}). */
    public long livenessChecks;
    /** Requests not sent because the outstanding-request table was full. */
    public long pendingTableFull;
    public long versionErrorsSent;
    /** Datagrams dropped because the driver had not drained the transmit queue. */
    public long transmitQueueFull;
    public long storesAccepted;
    public long storesRefused;
    public long lookupsStarted;
    public long lookupsRefused;
    /** Peers that contacted this node queued to be pinged ({@link RoutingCandidates}). */
    public long candidatesQueued;
    /** Candidates dropped unpinged from a full queue. */
    public long candidatesDropped;
    public long candidatePings;
    /** STOREs and responses carried by an unconfirmed initiation, dropped (the sender re-sends them). */
    public long unconfirmedRefused;
    /** Answers that came from another address than the request went to: used, but the table not changed. */
    public long answersFromOtherAddress;
    /**
     * Answers from DHT clients (feature bit 0), and from relayed servers (bit 1) at their own address: used, never
     * entered in the table (a client removed if there).
     */
    public long clientAnswers;
    /** Requests from relayed servers (feature bit 1): answered, the sender not a candidate at its own address. */
    public long relayedServerRequests;
    /** Requests to relayed servers not sent: every circuit this core may keep for them was in use. */
    public long relayCircuitsFull;
    /** Circuits to relayed servers this core asked their relays for and was granted. */
    public long relayCircuitsOpened;
    /** Circuits to relayed servers refused by their relays (the requests that waited fail at their timeouts). */
    public long relayCircuitsRefused;
    /** DIAL_BACK probes this node sent for peers. */
    public long dialBacksServed;
    /** DIAL_BACKs refused: unknown mode, no alternate address, or the probe budget spent. */
    public long dialBacksRefused;
    /** Relay reservations and circuits asked of this node while it does not relay (off, or itself a client). */
    public long relayRequestsRefused;
    /** Relay frames dropped by the shard: on no circuit of this node's and no relay to take them, or nested. */
    public long relayFramesDropped;
    /** Probe-shaped datagrams matching no probe this node asked for: dropped, never answered. */
    public long natProbesDropped;
    /** BLOB_FRAMEs that reached a node not holding blobs (transfers not enabled): dropped. */
    public long blobFramesDropped;
    /** Values, provider or mutable records in answers that failed their hash, signature or shape check (ignored). */
    public long invalidRecordAnswers;
    /** Copies of a found record stored on the closest peer of the get's path that lacked it. */
    public long pathCacheStores;
    /** Gets whose paths all ended without the record and that ran a second round without the peers asked. */
    public long getSecondRounds;
    /** Stores a write streamed during its lookup to peers a closer one later pushed out of its final k closest. */
    public long writeSpareCopies;
    /** Provider and mutable records this node re-announced as their owner. */
    public long republished;
    /** Replication probes sent: does this peer hold the key? (handoffs, repair rounds, hot keys; {@code Replicator}) */
    public long replicationProbes;
    /** Probes answered with the record (or a newer one): nothing pushed. */
    public long replicationAlreadyHeld;
    /** Copies pushed to a newcomer among the k closest to a key held here. */
    public long replicationHandoffs;
    /** Copies pushed by a repair round to one of the k closest that lacked the record. */
    public long replicationRepairs;
    /** Copies pushed to widen a hot key to k + extra. */
    public long replicationHotCopies;
    /** Newcomers not checked: their queue was full. */
    public long replicationNewcomersDropped;
    /** Hot keys not widened: the minute's probe budget was spent. */
    public long replicationHotDeferred;
    /** Contacts dropped for a proof of work below the network's: a peer's own nonce in its messages. */
    public long powRejectedSender;
    /** ... the nonce of a bootstrap peer, in its first answers. */
    public long powRejectedBootstrap;
    /** ... contacts named in NODES answers. */
    public long powRejectedFindNode;
    /** ... contacts of the peer store a restart replays from the WAL. */
    public long powRejectedPeerStore;
    public long writeTokensIssued;
    /** STOREs dropped unanswered, by {@link WriteTokens.Check} ordinal (the VALID slot stays 0). */
    public final long[] writeTokenRejected = new long[WriteTokens.Check.values().length];

    public long dropped() {
        long n = 0;
        for (long d : droppedByStatus) {
            n += d;
        }
        return n;
    }

    /** Adds {@code other}'s counts to these (the sum over shards an operator's view shows). */
    public void add(CoreCounters other) {
        datagramsIn += other.datagramsIn;
        datagramsOut += other.datagramsOut;
        requestsIn += other.requestsIn;
        responsesIn += other.responsesIn;
        unsolicitedResponses += other.unsolicitedResponses;
        requestsOut += other.requestsOut;
        softTimeouts += other.softTimeouts;
        hardTimeouts += other.hardTimeouts;
        unresponsive += other.unresponsive;
        lateAnswers += other.lateAnswers;
        livenessChecks += other.livenessChecks;
        pendingTableFull += other.pendingTableFull;
        versionErrorsSent += other.versionErrorsSent;
        transmitQueueFull += other.transmitQueueFull;
        storesAccepted += other.storesAccepted;
        storesRefused += other.storesRefused;
        lookupsStarted += other.lookupsStarted;
        lookupsRefused += other.lookupsRefused;
        candidatesQueued += other.candidatesQueued;
        candidatesDropped += other.candidatesDropped;
        candidatePings += other.candidatePings;
        unconfirmedRefused += other.unconfirmedRefused;
        answersFromOtherAddress += other.answersFromOtherAddress;
        clientAnswers += other.clientAnswers;
        relayedServerRequests += other.relayedServerRequests;
        relayCircuitsFull += other.relayCircuitsFull;
        relayCircuitsOpened += other.relayCircuitsOpened;
        relayCircuitsRefused += other.relayCircuitsRefused;
        dialBacksServed += other.dialBacksServed;
        dialBacksRefused += other.dialBacksRefused;
        relayRequestsRefused += other.relayRequestsRefused;
        relayFramesDropped += other.relayFramesDropped;
        natProbesDropped += other.natProbesDropped;
        invalidRecordAnswers += other.invalidRecordAnswers;
        pathCacheStores += other.pathCacheStores;
        getSecondRounds += other.getSecondRounds;
        writeSpareCopies += other.writeSpareCopies;
        republished += other.republished;
        replicationProbes += other.replicationProbes;
        replicationAlreadyHeld += other.replicationAlreadyHeld;
        replicationHandoffs += other.replicationHandoffs;
        replicationRepairs += other.replicationRepairs;
        replicationHotCopies += other.replicationHotCopies;
        replicationNewcomersDropped += other.replicationNewcomersDropped;
        replicationHotDeferred += other.replicationHotDeferred;
        powRejectedSender += other.powRejectedSender;
        powRejectedBootstrap += other.powRejectedBootstrap;
        powRejectedFindNode += other.powRejectedFindNode;
        powRejectedPeerStore += other.powRejectedPeerStore;
        writeTokensIssued += other.writeTokensIssued;
        for (int i = 0; i < writeTokenRejected.length; i++) {
            writeTokenRejected[i] += other.writeTokenRejected[i];
        }
        for (int i = 0; i < droppedByStatus.length; i++) {
            droppedByStatus[i] += other.droppedByStatus[i];
        }
    }
}
