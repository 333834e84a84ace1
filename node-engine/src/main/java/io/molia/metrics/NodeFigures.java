package io.molia.metrics;

import java.util.ArrayList;
import java.util.List;

import io.molia.codec.DecodeStatus;
import io.molia.core.PeerScores;
import io.molia.core.RoutingTable;
import io.molia.core.WriteTokens;
import io.molia.metrics.NodeMetrics.NodeSource;
import io.molia.metrics.NodeMetrics.ShardSource;
import io.molia.nat.NatTraversal;
import io.molia.record.WriteOutcome;

/**
 * The node's figures, each once: the admin {@code metrics} view and the Prometheus endpoint both read these lists
 * (names and the mapping: {@code docs/metrics.md}). A figure added here appears in both.
 */
public final class NodeFigures {
    private static final String DROPPED = "molia_dropped";
    private static final String DROPPED_HELP = "Datagrams dropped, by reason";
    private static final String MUTABLE_WRITES = "molia_mutable_writes";
    private static final String MUTABLE_WRITES_HELP = "Signed mutable record writes, stored or refused, by outcome";
    private static final String PROVIDER_WRITES = "molia_provider_writes";
    private static final String PROVIDER_WRITES_HELP = "Provider record writes, stored or refused, by outcome";
    private static final String CANDIDATES = "molia_routing_candidates";
    private static final String CANDIDATES_HELP = "Peers that contacted the node and were queued to be pinged, "
            + "dropped unpinged, or pinged (a peer enters the routing table only by answering)";

    private static final String POW = "molia_pow_rejected";
    private static final String POW_HELP = "Contacts dropped for an identity proof of work below --pow-bits, by where "
            + "they appeared (a peer's own messages, a bootstrap peer's answer, FIND_NODE answers, the restored peer "
            + "store)";
    private static final String WRITE_TOKEN = "molia_write_token_rejected";
    private static final String WRITE_TOKEN_HELP = "STOREs dropped unanswered for their write token: missing, expired, "
            + "or invalid (forged, or issued to another address or node)";

    private static final String BEHAVIOUR = "molia_peer_behaviour";
    private static final String BEHAVIOUR_HELP = "What peers did, by reason, as their behaviour scores recorded it "
            + "(answers raise a score, the rest lower it)";

    private static final String SCORE_BIN = "molia_peer_score_bin";
    private static final String SCORE_BIN_HELP = "Scored peers by behaviour score range, as of the last minute's sweep "
            + "(the admission view's histogram; at or below the low mark, -6 by default: evicted and refused)";

    /** Per shard: summed in the admin view, labelled {@code shard} in Prometheus. */
    public static final List<Figure<ShardSource>> SHARD = shardFigures();

    /** Of the node as a whole. */
    public static final List<Figure<NodeSource>> NODE = nodeFigures();

    private static List<Figure<NodeSource>> nodeFigures() {
        List<Figure<NodeSource>> f = new ArrayList<>(List.of(
            Figure.gauge("isolated", "1 while the routing table is empty: puts store nowhere; the node is rejoining",
                    n -> n.isolated() ? 1 : 0),
            Figure.counter("ban_dropped_datagrams", "Datagrams dropped because an operator banned their sender",
                    NodeSource::banDroppedDatagrams),
            Figure.counter("egress_bytes", "Bytes of every datagram the node sent (UDP payloads, relay frames "
                    + "included): repair traffic and relaying as a share of it", NodeSource::egressBytes),
            Figure.nanosCounter("admin_protocol_loop_ns",
                    "CPU time the protocol loop spent taking operator views and making changes",
                    NodeSource::operatorLoopNs),
            Figure.gauge("nat_type", "What the NAT in front of the node is: 0 unknown, 1 open, 2 full cone, "
                    + "3 address-restricted, 4 port-restricted, 5 symmetric", n -> nat(n, s -> s.type().ordinal())),
            Figure.gauge("dht_client", "1 while the node runs as a DHT client (not reachable from outside: never in "
                    + "others' routing tables)", n -> nat(n, s -> s.role().client() ? 1 : 0)),
            Figure.nanosGauge("nat_keepalive_interval_ns", "The learned keepalive interval of the NAT mapping (0: "
                    + "none kept alive)", n -> nat(n, NatTraversal::keepaliveIntervalNs)),
            Figure.nanosGauge("nat_mapping_lifetime_ns", "How long a NAT mapping was seen to live idle, at least",
                    n -> nat(n, NatTraversal::mappingLifetimeAtLeastNs)),
            Figure.counter("nat_observations", "Peers' reports of the address they saw the node at",
                    n -> nat(n, s -> s.counters().observations)),
            Figure.counter("nat_mapping_changes", "Times a peer saw the node at a new mapping (it expired)",
                    n -> nat(n, s -> s.counters().mappingChanges)),
            Figure.counter("nat_dial_backs_asked", "DIAL_BACK probes the node asked peers for",
                    n -> nat(n, s -> s.counters().dialBacksSent)),
            Figure.counter("nat_dial_backs_declined", "DIAL_BACKs peers declined (no alternate address, budget)",
                    n -> nat(n, s -> s.counters().dialBacksRefused)),
            Figure.counter("nat_probes_arrived", "Dial-back probes that came through the NAT",
                    n -> nat(n, s -> s.counters().probesArrived)),
            Figure.counter("nat_probes_failed",
                    "Dial-back probes a peer sent that never arrived (the NAT dropped them)",
                    n -> nat(n, s -> s.counters().probesFailed)),
            Figure.counter("nat_probes_unknown", "Probe-shaped datagrams with a nonce the node never gave: dropped",
                    n -> nat(n, s -> s.counters().probesUnknown)),
            Figure.counter("nat_keepalives", "Keepalive pings that hold the NAT mapping open",
                    n -> nat(n, s -> s.counters().keepalivesSent)),
            Figure.counter("dht_role_changes", "Switches between DHT server and client",
                    n -> nat(n, s -> s.counters().roleChanges))));
        scoreFigures(f);
        f.addAll(RelayFigures.NODE);
        f.addAll(BlobFigures.NODE);
        return List.copyOf(f);
    }

    private NodeFigures() {
    }

    private static void scoreFigures(List<Figure<NodeSource>> f) {
        for (PeerScores.Reason reason : PeerScores.Reason.values()) {
            f.add(Figure.<NodeSource>counter("peer_behaviour_" + reason.label(), BEHAVIOUR_HELP,
                    n -> routing(n, t -> t.scores().recorded(reason))).inFamily(BEHAVIOUR, "reason", reason.label()));
        }
        for (int bin = 0; bin <= PeerScores.HISTOGRAM_EDGES.length; bin++) {
            int b = bin;
            f.add(Figure.<NodeSource>gauge("peer_score_bin_" + b, SCORE_BIN_HELP,
                    n -> routing(n, t -> t.scores().publishedBin(b))).inFamily(SCORE_BIN, "range",
                            PeerScores.binRange(b)));
        }
        f.add(Figure.gauge("admission_pow_difficulty", "Leading zero bits the identity proof of work asks of every contact "
                + "(--pow-bits)", NodeSource::powBits));
        f.add(Figure.counter("admission_bucket_subnet_rejections", "Peers kept out of a routing-table bucket by its "
                + "per-bucket /24 (/48) cap", n -> routing(n, RoutingTable::subnetRejections)));
        f.add(Figure.gauge("peer_scores", "Peers whose behaviour score the node keeps (bounded)",
                n -> routing(n, t -> t.scores().size())));
        f.add(Figure.counter("peer_scores_forgotten", "Scored peers forgotten to make room (the score table was full)",
                n -> routing(n, t -> t.scores().forgotten())));
        f.add(Figure.counter("peers_turned_low", "Times a peer's behaviour score fell to the low mark",
                n -> routing(n, t -> t.scores().becameLow())));
        f.add(Figure.counter("low_score_evictions", "Routing table entries evicted for a low behaviour score",
                n -> routing(n, RoutingTable::lowScoreEvictions)));
        f.add(Figure.counter("low_score_refusals", "Peers kept out of the routing table for a low behaviour score",
                n -> routing(n, RoutingTable::lowScoreRefusals)));
        f.add(Figure.counter("routing_table_cap_rejections", "Peers kept out of the routing table because their /24 "
                + "(/48) or AS already had its table-wide share", n -> routing(n, RoutingTable::tableCapRejections)));
    }

    private static long routing(NodeSource n, java.util.function.ToLongFunction<RoutingTable> read) {
        RoutingTable table = n.routingTable();
        return table == null ? -1 : read.applyAsLong(table);
    }

    private static long nat(NodeSource n, java.util.function.ToLongFunction<NatTraversal> read) {
        NatTraversal nat = n.nat();
        return nat == null ? -1 : read.applyAsLong(nat);
    }

    private static List<Figure<ShardSource>> shardFigures() {
        List<Figure<ShardSource>> f = new ArrayList<>();
        f.add(Figure.counter("datagrams_in", "Inner messages received: by the core on shard 0, answered on shards 1-N",
                s -> s.core().datagramsIn));
        f.add(Figure.counter("datagrams_out", "Inner messages sent: by the core on shard 0, answers on shards 1-N",
                s -> s.core().datagramsOut));
        f.add(Figure.counter("datagrams_dropped", "Inner messages the codec refused (every decode_* reason)",
                s -> s.core().dropped()));
        for (DecodeStatus status : DecodeStatus.values()) {
            if (status != DecodeStatus.OK) {
                String reason = status.name().toLowerCase(java.util.Locale.ROOT);
                f.add(Figure.<ShardSource>counter("dropped_" + reason, DROPPED_HELP,
                        s -> s.core().droppedByStatus[status.ordinal()]).inFamily(DROPPED, "decode_" + reason));
            }
        }
        f.add(Figure.counter("requests_in", "Requests received", s -> s.core().requestsIn));
        f.add(Figure.counter("responses_in", "Responses received", s -> s.core().responsesIn));
        f.add(Figure.counter("unsolicited_responses", "Responses with no matching request (late, duplicated, wrong peer)",
                s -> s.core().unsolicitedResponses));
        f.add(Figure.counter("requests_out", "Requests sent", s -> s.core().requestsOut));
        f.add(Figure.counter("soft_timeouts", "Requests slow enough that a lookup asked another peer meanwhile",
                s -> s.core().softTimeouts));
        f.add(Figure.<ShardSource>counter("hard_timeouts", "Requests that failed for good", s -> s.core().hardTimeouts)
                .inFamily("molia_request_timeouts"));
        f.add(Figure.counter("unresponsive", "Requests whose copy missed its timeout too: the peer taken for gone "
                + "before the hard timeout, no longer waited for", s -> s.core().unresponsive));
        f.add(Figure.counter("late_answers", "Answers that came after their peer was taken for unresponsive (used)",
                s -> s.core().lateAnswers));
        f.add(Figure.counter("liveness_checks", "Pings of stale routing entries about to be handed out in an answer",
                s -> s.core().livenessChecks));
        f.add(Figure.counter("pending_table_full", "Requests not sent: the outstanding-request table was full",
                s -> s.core().pendingTableFull));
        f.add(Figure.counter("version_errors_sent", "Answers naming the supported protocol versions",
                s -> s.core().versionErrorsSent));
        f.add(Figure.counter("transmit_queue_full", "Messages dropped: the core's transmit queue was full",
                s -> s.core().transmitQueueFull));
        f.add(Figure.counter("stores_accepted", "STOREs accepted", s -> s.core().storesAccepted));
        f.add(Figure.counter("stores_refused", "STOREs refused", s -> s.core().storesRefused));
        f.add(Figure.counter("lookups_started", "Lookups, gets and puts started", s -> s.core().lookupsStarted));
        f.add(Figure.counter("lookups_refused", "Lookups, gets and puts refused: too many in progress",
                s -> s.core().lookupsRefused));
        f.add(Figure.gauge("pending_requests", "Requests awaiting an answer", ShardSource::pendingRequests));
        f.add(Figure.gauge("active_operations", "Lookups, gets and puts in progress", ShardSource::activeOperations));
        f.add(Figure.counter("session_silent_drops", "Datagrams the session layer dropped without a word (the "
                + "session_* reasons but too_long_to_send and transmit_ring_full)", s -> s.sessions().silentDrops()));
        session(f, "too_short", s -> s.sessions().tooShort);
        session(f, "unknown_type", s -> s.sessions().unknownType);
        session(f, "bad_reserved", s -> s.sessions().badReserved);
        session(f, "bad_mac1", s -> s.sessions().badMac1);
        session(f, "rate_limited", s -> s.sessions().rateLimited);
        session(f, "bad_handshake", s -> s.sessions().badHandshake);
        session(f, "identity_mismatch", s -> s.sessions().identityMismatch);
        session(f, "not_admitted", s -> s.sessions().notAdmitted);
        session(f, "replayed_timestamp", s -> s.sessions().replayedTimestamp);
        session(f, "stale_timestamp", s -> s.sessions().staleTimestamp);
        session(f, "unknown_receiver_index", s -> s.sessions().unknownReceiverIndex);
        session(f, "replayed_counter", s -> s.sessions().replayedCounter);
        session(f, "bad_aead", s -> s.sessions().badAead);
        session(f, "expired_session", s -> s.sessions().expiredSession);
        session(f, "too_long", s -> s.sessions().tooLong);
        session(f, "bad_puzzle", s -> s.sessions().badPuzzle);
        session(f, "too_long_to_send", s -> s.sessions().tooLongToSend);
        session(f, "transmit_ring_full", s -> s.sessions().transmitRingFull);
        f.add(Figure.counter("session_replayed", "Replayed handshakes and data (session_replayed_timestamp + "
                + "session_replayed_counter)", s -> s.sessions().replayedCounter + s.sessions().replayedTimestamp));
        f.add(Figure.counter("unconfirmed_refused", "STOREs and responses carried by an initiation whose keys the "
                + "initiator has not proven yet, dropped (it re-sends them on the confirmed session)",
                s -> s.core().unconfirmedRefused));
        f.add(Figure.counter("answers_from_other_address", "Answers from another address than the request went to: "
                + "used by the lookup, the routing table not changed", s -> s.core().answersFromOtherAddress));
        f.add(Figure.<ShardSource>counter("handshake_timestamps_evicted", "Keys whose newest initiation timestamp "
                + "left the node-wide replay table for another key", s -> s.sessions().timestampsEvicted));
        f.add(Figure.counter("client_answers", "Answers from DHT clients: used, never entered in the routing table",
                s -> s.core().clientAnswers));
        f.add(Figure.counter("dial_backs_served", "NAT probes sent for peers that asked with DIAL_BACK",
                s -> s.core().dialBacksServed));
        f.add(Figure.counter("relay_requests_refused", "Relay reservations and circuits asked of a node that does "
                + "not relay (off, or a DHT client itself)", s -> s.core().relayRequestsRefused));
        f.add(Figure.counter("relay_frames_dropped", "Relay frames on no circuit of this node's with no relay to "
                + "take them, or nested in another", s -> s.core().relayFramesDropped));
        f.add(Figure.counter("relayed_server_requests", "Requests from relayed servers (feature bit 1): answered, "
                + "the sender not a candidate at its own address", s -> s.core().relayedServerRequests));
        f.add(Figure.counter("relay_circuits_opened", "Circuits to relayed servers asked of their relays and granted",
                s -> s.core().relayCircuitsOpened));
        f.add(Figure.counter("relay_circuits_refused", "Circuits to relayed servers their relays refused",
                s -> s.core().relayCircuitsRefused));
        f.add(Figure.counter("relay_circuits_full", "Requests to relayed servers not sent: every circuit a shard "
                + "keeps for them in use", s -> s.core().relayCircuitsFull));
        f.add(Figure.counter("blob_frames_dropped", "Blob frames that reached a node holding no blobs: dropped",
                s -> s.core().blobFramesDropped));
        f.add(Figure.counter("dial_backs_refused", "DIAL_BACKs refused: unknown mode, no alternate address, or the "
                + "probe budget spent", s -> s.core().dialBacksRefused));
        f.add(Figure.<ShardSource>counter("nat_probes_dropped", DROPPED_HELP, s -> s.core().natProbesDropped)
                .inFamily(DROPPED, "nat_probe_unknown"));
        powRejected(f, "sender", s -> s.core().powRejectedSender);
        powRejected(f, "bootstrap", s -> s.core().powRejectedBootstrap);
        powRejected(f, "find_node", s -> s.core().powRejectedFindNode);
        powRejected(f, "peer_store", s -> s.core().powRejectedPeerStore);
        f.add(Figure.counter("write_tokens_issued", "Write tokens given in FIND_NODE and FIND_VALUE answers",
                s -> s.core().writeTokensIssued));
        for (WriteTokens.Check reason : WriteTokens.Check.values()) {
            if (reason != WriteTokens.Check.VALID) {
                f.add(Figure.<ShardSource>counter("write_token_rejected_" + reason.label(), WRITE_TOKEN_HELP,
                        s -> s.core().writeTokenRejected[reason.ordinal()])
                        .inFamily(WRITE_TOKEN, "reason", reason.label()));
            }
        }
        candidates(f, "queued", s -> s.core().candidatesQueued);
        candidates(f, "dropped", s -> s.core().candidatesDropped);
        candidates(f, "pinged", s -> s.core().candidatePings);
        f.add(Figure.counter("handshakes_completed", "Session handshakes completed",
                s -> s.sessions().handshakesCompleted));
        f.add(Figure.counter("handshakes_initiated", "Session handshakes initiated",
                s -> s.sessions().handshakesInitiated));
        f.add(Figure.counter("cookie_replies_sent", "Cookie replies sent (handshakes under load)",
                s -> s.sessions().cookieRepliesSent));
        f.add(Figure.counter("puzzle_replies_sent", "Puzzle replies sent (Molia initiations under load, past cookies, "
                + "without a solved puzzle)", s -> s.sessions().puzzleRepliesSent));
        f.add(Figure.counter("puzzles_solved", "Initiations admitted under load with a solved puzzle",
                s -> s.sessions().puzzlesSolved));
        f.add(Figure.counter("handshake_retries_with_puzzle", "Initiations re-sent at once, solved, after a puzzle "
                + "reply", s -> s.sessions().retriesWithPuzzle));
        f.add(Figure.<ShardSource>gauge("puzzle_difficulty", "Difficulty of the puzzle the shard asks for now (leading zero "
                + "bits; 0: none)", s -> s.sessions().puzzleBits).shownPerShard());
        f.add(Figure.counter("handshakes_with_mac2", "Initiations handled under load: a valid mac2, and their "
                + "source within its rate", s -> s.sessions().handshakesWithMac2));
        limiter(f, "ip", s -> s.sessions().rateLimitedIp, s -> s.sessions().rateLimitEvictionsIp);
        limiter(f, "prefix", s -> s.sessions().rateLimitedPrefix, s -> s.sessions().rateLimitEvictionsPrefix);
        limiter(f, "asn", s -> s.sessions().rateLimitedAsn, s -> s.sessions().rateLimitEvictionsAsn);
        f.add(Figure.counter("admission_limiter_hits_by_peers", "Limiter hits by a peer with a confirmed session at "
                + "that address, scored against it (at most one a second per peer)",
                s -> s.sessions().limiterHitsByPeers));
        f.add(Figure.counter("under_load_periods", "Times a shard went under handshake load (cookies asked for "
                + "at least a second)", s -> s.sessions().underLoadPeriods));
        f.add(Figure.counter("handshake_retries_with_mac2", "Initiations re-sent at once with a mac2 after a "
                + "cookie reply", s -> s.sessions().retriesWithMac2));
        f.add(Figure.gauge("under_load", "1 while the shard asks for cookies (admin view: shards under load)",
                s -> s.sessions().underLoad));
        f.add(Figure.<ShardSource>gauge("handshake_load_permille", "What the last 100 ms of initiations would "
                + "cost, in thousandths of the shard's thread", s -> s.sessions().handshakeLoadPermille)
                .shownPerShard());
        f.add(Figure.<ShardSource>nanosGauge("handshake_cost_ns", "Measured CPU cost of one handshake on the shard",
                s -> s.sessions().handshakeCostNs).shownPerShard());
        f.add(Figure.<ShardSource>gauge("handshake_runnable_permille", "The share of the last 100 ms the shard's "
                + "thread could run, in thousandths (the rest it waited for a CPU): the load is counted on it",
                s -> s.sessions().handshakeRunnablePermille).shownPerShard());
        f.add(Figure.<ShardSource>nanosGauge("under_load_hold_ns", "How long the shard stays under load after its "
                + "last window over budget (doubles while a flood returns, up to 32 s)",
                s -> s.sessions().underLoadHoldNs).shownPerShard());
        f.add(Figure.counter("one_round_trip_answers", "Requests answered inside a handshake response",
                s -> s.sessions().oneRoundTripAnswers));
        f.add(Figure.counter("answers_over_amplification_bound", "Answers held back: more than 3x the bytes an "
                + "unvalidated peer sent", s -> s.sessions().answersOverAmplificationBound));
        f.add(Figure.counter("session_queue_overflow", "Messages dropped: a session's queue awaiting its handshake "
                + "was full", s -> s.sessions().queueOverflow));
        f.add(Figure.counter("unanswered_session_handshakes", "Handshakes started because a session went 15 s "
                + "without an answer to what was sent on it (the peer lost it, e.g. restarted)",
                s -> s.sessions().unansweredSessionHandshakes));
        f.add(Figure.counter("sessions_evicted", "Sessions evicted from a full table",
                s -> s.sessions().sessionsEvicted));
        f.add(Figure.counter("keepalives_sent", "Keepalives sent", s -> s.sessions().keepalivesSent));
        f.add(Figure.gauge("sessions", "Live sessions", ShardSource::sessionCount));
        f.add(Figure.gauge("handshakes_in_progress", "Handshakes started and not finished",
                ShardSource::handshakesInProgress));
        f.add(Figure.<ShardSource>gauge("routing_table_size", "Contacts in the routing table",
                ShardSource::routingTableSize).inFamily("molia_routing_table_contacts"));
        f.add(Figure.gauge("records", "Records held for others", ShardSource::records));
        f.add(Figure.gauge("record_bytes", "Bytes of the records held", ShardSource::recordBytes));
        f.add(Figure.gauge("mutable_records", "Signed mutable records held for others",
                s -> s.recordRequests().mutables().size()));
        f.add(Figure.gauge("mutable_record_bytes", "Bytes of the mutable records held (value, key, salt, signature)",
                s -> s.recordRequests().mutables().bytes()));
        f.add(Figure.gauge("provider_entries", "Provider records held (one per key and provider)",
                s -> s.recordRequests().providers().size()));
        f.add(Figure.gauge("provider_record_bytes", "Bytes of the provider records held",
                s -> s.recordRequests().providers().bytes()));
        for (WriteOutcome outcome : WriteOutcome.values()) {
            if (outcome == WriteOutcome.UNKNOWN) {
                continue; // never the outcome of this node's own checks
            }
            String reason = outcome.name().toLowerCase(java.util.Locale.ROOT);
            f.add(Figure.<ShardSource>counter("mutable_writes_" + reason, MUTABLE_WRITES_HELP,
                    s -> s.recordRequests().mutables().outcomes(outcome)).inFamily(MUTABLE_WRITES, reason));
            f.add(Figure.<ShardSource>counter("provider_writes_" + reason, PROVIDER_WRITES_HELP,
                    s -> s.recordRequests().providers().outcomes(outcome)).inFamily(PROVIDER_WRITES, reason));
        }
        f.add(Figure.<ShardSource>counter("provider_forwarded", "Provider entries stored from a holder other than "
                + "their provider, with the provider's signed announcement (handoffs and repairs)",
                s -> s.recordRequests().providers().forwarded()));
        f.add(Figure.<ShardSource>counter("provider_displaced", "Handed-over provider entries dropped at a full key "
                + "to make room for a provider announcing itself", s -> s.recordRequests().providers().displaced()));
        f.add(Figure.counter("invalid_record_answers", "Values, provider or mutable records in answers that failed "
                + "their hash, signature or shape check (ignored)", s -> s.core().invalidRecordAnswers));
        f.add(Figure.counter("path_cache_stores", "Copies of a found record cached on the closest peer of the get's "
                + "path that lacked it", s -> s.core().pathCacheStores));
        f.add(Figure.counter("get_second_rounds", "Gets whose paths all ended without the record that tried once more "
                + "without the peers asked (Sybils around the key)", s -> s.core().getSecondRounds));
        f.add(Figure.counter("write_spare_copies", "Stores a write streamed during its lookup to peers later pushed "
                + "out of its final k closest by closer ones", s -> s.core().writeSpareCopies));
        f.add(Figure.counter("records_republished", "Provider and mutable records re-announced by this node as "
                + "their owner", s -> s.core().republished));
        f.add(Figure.counter("replication_probes", "Replication probes sent: does this peer hold the key? "
                + "(handoffs, repair rounds, hot keys)", s -> s.core().replicationProbes));
        f.add(Figure.counter("replication_already_held", "Replication probes answered with the record: nothing "
                + "pushed", s -> s.core().replicationAlreadyHeld));
        f.add(Figure.counter("replication_handoffs", "Copies pushed to a newcomer among the k closest to a key held",
                s -> s.core().replicationHandoffs));
        f.add(Figure.counter("replication_repairs", "Copies pushed by a repair round where a replica was missing",
                s -> s.core().replicationRepairs));
        f.add(Figure.counter("replication_hot_copies", "Copies pushed to widen a key read often to k + extra",
                s -> s.core().replicationHotCopies));
        f.add(Figure.counter("replication_newcomers_dropped", "Newcomers not checked for handoffs: their queue was "
                + "full", s -> s.core().replicationNewcomersDropped));
        f.add(Figure.counter("replication_hot_deferred", "Hot keys not widened: the minute's probe budget was spent",
                s -> s.core().replicationHotDeferred));
        f.add(Figure.counter("handovers", "Datagrams and messages this shard was handed by another",
                ShardSource::handovers));
        f.add(Figure.<ShardSource>counter("handover_drops", DROPPED_HELP, ShardSource::handoverDrops)
                .inFamily(DROPPED, "handover_inbox_full"));
        f.add(Figure.nanosCounter("cpu_ns", "CPU time of the shard's event-loop thread", ShardSource::cpuNs)
                .inFamily("molia_shard_cpu_seconds").shownPerShard());
        f.add(Figure.counter("allocated_bytes", "Bytes allocated by the shard's event-loop thread",
                ShardSource::allocatedBytes).inFamily("molia_shard_allocated_bytes").shownPerShard());
        return List.copyOf(f);
    }

    private static void powRejected(List<Figure<ShardSource>> f, String where,
            java.util.function.ToLongFunction<ShardSource> read) {
        f.add(Figure.counter("pow_rejected_" + where, POW_HELP, read).inFamily(POW, "where", where));
    }

    private static void candidates(List<Figure<ShardSource>> f, String outcome,
            java.util.function.ToLongFunction<ShardSource> read) {
        f.add(Figure.counter("routing_candidates_" + outcome, CANDIDATES_HELP, read).inFamily(CANDIDATES, outcome));
    }

    private static void limiter(List<Figure<ShardSource>> f, String limiter,
            java.util.function.ToLongFunction<ShardSource> dropped,
            java.util.function.ToLongFunction<ShardSource> evictions) {
        f.add(Figure.counter("rate_limited_" + limiter, "Initiations from a proven address dropped under load: their "
                + "address (ip), /24 or /48 (prefix) or autonomous system (asn) sent more than its rate", dropped)
                .inFamily("molia_rate_limited", "limiter", limiter));
        f.add(Figure.counter("rate_limit_evictions_" + limiter, "Sources whose slot in a rate limiter's fixed-size "
                + "table went to another source", evictions)
                .inFamily("molia_rate_limit_evictions", "limiter", limiter));
    }

    private static void session(List<Figure<ShardSource>> f, String reason,
            java.util.function.ToLongFunction<ShardSource> read) {
        f.add(Figure.counter("session_" + reason, DROPPED_HELP, read).inFamily(DROPPED, reason));
    }
}
