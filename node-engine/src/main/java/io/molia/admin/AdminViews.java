package io.molia.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.BanInfo;
import io.molia.admin.proto.BansView;
import io.molia.admin.proto.Bucket;
import io.molia.admin.proto.MetricsView;
import io.molia.admin.proto.NodeInfo;
import io.molia.admin.proto.PeerInfo;
import io.molia.admin.proto.PeersView;
import io.molia.admin.proto.RecordSummary;
import io.molia.admin.proto.RecordTypeCount;
import io.molia.admin.proto.RecordsView;
import io.molia.admin.proto.ReplicationCounts;
import io.molia.admin.proto.RoutingContact;
import io.molia.admin.proto.RoutingView;
import io.molia.admin.proto.SessionInfo;
import io.molia.admin.proto.SessionsView;
import io.molia.admin.proto.ShardSocket;
import io.molia.admin.proto.Unavailable;
import io.molia.admin.proto.WalShard;
import io.molia.admin.proto.WalView;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreCounters;
import io.molia.core.RoutingEntry;
import io.molia.core.RoutingTable;
import io.molia.core.store.RecordStore;
import io.molia.metrics.Figure;
import io.molia.metrics.NodeFigures;
import io.molia.metrics.NodeMetrics;
import io.molia.shard.BanList;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaVersion;
import io.molia.node.NodeState;
import io.molia.session.Session;
import io.molia.session.SessionCounters;
import io.molia.session.SessionManager;
import io.molia.transport.SocketBuffers;
import io.molia.transport.UdpTransport;
import io.molia.node.MoliaNode;
import io.molia.node.ShardView;
import io.molia.wal.DurableShard;

/**
 * The views of the admin API, each built on the protocol loop from {@link NodeState} into an immutable protobuf
 * message (the copy leaves the loop, never the live tables). Called only from the function given to
 * {@code MoliaNode.onLoop}.
 */
final class AdminViews {
    static final String NOT_AVAILABLE = "not available in this version";

    private AdminViews() {
    }

    static NodeInfo info(NodeState s, MoliaAddress address, String transport) {
        return NodeInfo.newBuilder()
                .setNodeId(s.core().self().id().toHex())
                .setAddress(address.toString())
                .setVersion(MoliaVersion.release())
                .setProtocolVersion(MoliaVersion.protocol())
                .setAdminApiVersion(AdminProtocol.API_VERSION)
                .setUptimeMs(ms(s.nowNs() - s.startedNs()))
                .setStartedUnixMs(s.startedUnixMs())
                .setShards(s.shards())
                .setDataDir(s.dataDir().toAbsolutePath().toString())
                .setTransport(transport)
                .setPid(ProcessHandle.current().pid())
                .setRoutingTableSize(s.core().routingTable().size())
                .setSessions(s.sessionCount())
                .setRecords(s.recordCount())
                .setListenPort(address.port())
                .setIsolated(s.isolated())
                .build();
    }

    /**
     * {@code info} with each shard socket's buffers and kernel drops, read on the admin's thread (from /proc): not
     * on the protocol loop.
     */
    static NodeInfo withSockets(NodeInfo info, List<UdpTransport.ShardSocket> sockets, SocketBuffers asked) {
        NodeInfo.Builder b = info.toBuilder().setReceiveBufferAskedBytes(asked.receiveBytes())
                .setSendBufferAskedBytes(asked.sendBytes());
        for (int shard = 0; shard < sockets.size(); shard++) {
            UdpTransport.ShardSocket socket = sockets.get(shard);
            b.addSockets(ShardSocket.newBuilder().setShard(shard).setReceiveBufferBytes(socket.receiveBufferBytes())
                    .setSendBufferBytes(socket.sendBufferBytes()).setKernelReceiveDrops(socket.kernelReceiveDrops())
                    .setSendDrops(socket.sendDrops()));
        }
        return b.build();
    }

    /**
     * {@code metrics} with the kernel's receive drops per shard ({@code shard_<i>_kernel_receive_drops}, where the
     * kernel lists the socket) and their sum ({@code kernel_receive_drops}), read on the admin's thread.
     */
    static MetricsView withSockets(MetricsView metrics, List<UdpTransport.ShardSocket> sockets) {
        MetricsView.Builder b = metrics.toBuilder();
        long total = 0;
        for (int shard = 0; shard < sockets.size(); shard++) {
            long drops = sockets.get(shard).kernelReceiveDrops();
            if (drops >= 0) {
                b.putCounters("shard_" + shard + "_kernel_receive_drops", drops);
                total += drops;
            }
        }
        return b.putCounters("kernel_receive_drops", total).build();
    }

    // The three large views are taken in two steps: on the protocol loop only a flat copy of the fields (one small
    // record per entry, no strings, no protobuf), then the message is built on the admin's own thread. The loop
    // pays for the copy, not for hex, text and protobuf.

    /** One routing entry as copied on the loop. */
    record EntryRow(Contact contact, int bucket, long srttNs, long rttvarNs, boolean measured, int failures,
            long lastSeenNs, long addedNs, boolean pingPending) {
    }

    /** The routing table as copied on the loop. */
    record RoutingCapture(long nowNs, NodeId self, int size, int k, long subnetRejections, long evictions,
            long proximitySwaps, List<EntryRow> entries, int[] replacements) {
    }

    static RoutingCapture captureRouting(NodeState s) {
        RoutingTable table = s.core().routingTable();
        List<EntryRow> rows = new ArrayList<>(table.size());
        int[] replacements = new int[NodeId.BITS];
        for (int b = 0; b < NodeId.BITS; b++) {
            for (RoutingEntry e : table.bucketEntries(b)) {
                rows.add(new EntryRow(e.contact(), b, e.rtt().srttNs(), e.rtt().rttvarNs(), e.rtt().hasSamples(),
                        e.failures(), e.lastSeenNs(), e.addedNs(), e.pingPending()));
            }
            replacements[b] = table.bucketReplacements(b).size();
        }
        return new RoutingCapture(s.nowNs(), table.self(), table.size(), s.core().config().k(),
                table.subnetRejections(), table.evictions(), table.proximitySwaps(), rows, replacements);
    }

    static RoutingView routing(RoutingCapture c, boolean includeContacts, ContactLabels labels) {
        RoutingView.Builder view = RoutingView.newBuilder()
                .setSelfId(c.self().toHex())
                .setSize(c.size())
                .setBucketCapacity(c.k())
                .setSubnetRejections(c.subnetRejections())
                .setEvictions(c.evictions())
                .setProximitySwaps(c.proximitySwaps());
        int i = 0;
        for (int b = 0; b < NodeId.BITS; b++) {
            int from = i;
            while (i < c.entries().size() && c.entries().get(i).bucket() == b) {
                i++;
            }
            List<EntryRow> entries = c.entries().subList(from, i);
            if (entries.isEmpty() && c.replacements()[b] == 0) {
                continue;
            }
            Bucket.Builder bucket = Bucket.newBuilder().setDepth(b).setSize(entries.size())
                    .setReplacements(c.replacements()[b]);
            long oldest = Long.MAX_VALUE;
            long newest = Long.MIN_VALUE;
            long min = Long.MAX_VALUE;
            long max = -1;
            long sum = 0;
            int measured = 0;
            int failing = 0;
            for (EntryRow e : entries) {
                oldest = Math.min(oldest, e.lastSeenNs());
                newest = Math.max(newest, e.lastSeenNs());
                if (e.measured()) {
                    min = Math.min(min, e.srttNs());
                    max = Math.max(max, e.srttNs());
                    sum += e.srttNs();
                    measured++;
                }
                if (e.failures() > 0) {
                    failing++;
                }
                if (includeContacts) {
                    bucket.addContacts(contact(c.nowNs(), e, labels));
                }
            }
            bucket.setOldestSeenMsAgo(entries.isEmpty() ? -1 : ms(c.nowNs() - oldest))
                    .setNewestSeenMsAgo(entries.isEmpty() ? -1 : ms(c.nowNs() - newest))
                    .setMinRttUs(measured == 0 ? -1 : us(min))
                    .setMeanRttUs(measured == 0 ? -1 : us(sum / measured))
                    .setMaxRttUs(measured == 0 ? -1 : us(max))
                    .setFailing(failing);
            view.addBuckets(bucket);
        }
        return view.build();
    }

    private static RoutingContact contact(long nowNs, EntryRow e, ContactLabels labels) {
        return RoutingContact.newBuilder()
                .setNodeIdBytes(labels.id(e.contact()))
                .setAddressBytes(labels.address(e.contact()))
                .setSrttUs(e.measured() ? us(e.srttNs()) : -1)
                .setRttvarUs(e.measured() ? us(e.rttvarNs()) : -1)
                .setFailures(e.failures())
                .setLastSeenMsAgo(ms(nowNs - e.lastSeenNs()))
                .setAddedMsAgo(ms(nowNs - e.addedNs()))
                .setPingPending(e.pingPending())
                .setRelay(e.contact().relay() == null ? "" : e.contact().relay().id().toHex())
                .build();
    }

    /** One session as copied on the loop. */
    record SessionRow(Contact contact, int shard, int localIndex, boolean initiator, boolean confirmed, long createdNs,
            long rekeyDueNs, long rejectAfterNs, long packetsIn, long packetsOut, long bytesIn, long bytesOut,
            long lastReceivedNs, long lastSentNs) {
    }

    /** The sessions (and, for the peers view, the routing table) as copied on the loop. */
    record SessionsCapture(long nowNs, List<SessionRow> sessions, RoutingCapture routing, long handshakesCompleted,
            long handshakesInitiated, long sessionsEvicted, long silentDrops) {
    }

    /** The counters of every shard (and the routing table); {@link #withSessions} adds every shard's sessions. */
    static SessionsCapture captureSessions(NodeState s, boolean withRouting) {
        SessionCounters c = s.sessionCounters();
        return new SessionsCapture(s.nowNs(), List.of(), withRouting ? captureRouting(s) : null,
                c.handshakesCompleted, c.handshakesInitiated, c.sessionsEvicted, c.silentDrops());
    }

    /** One shard's sessions, copied on that shard's loop. */
    static List<SessionRow> sessionRows(SessionManager sessions) {
        List<SessionRow> rows = new ArrayList<>(sessions.sessionCount());
        for (Session x : sessions.sessionsView()) {
            rows.add(new SessionRow(x.contact(), sessions.shard(), x.localIndex(), x.isInitiator(), x.isConfirmed(),
                    x.createdNs(), x.rekeyDueNs(), x.rejectAfterNs(), x.packetsIn(), x.packetsOut(), x.bytesIn(),
                    x.bytesOut(), x.lastReceivedNs(), x.lastSentNs()));
        }
        return rows;
    }

    /** {@code c} with the sessions every shard holds ({@link io.molia.node.MoliaNode#onEveryShard}). */
    static SessionsCapture withSessions(SessionsCapture c, List<List<SessionRow>> everyShard) {
        List<SessionRow> rows = new ArrayList<>(c.sessions());
        everyShard.forEach(rows::addAll);
        return new SessionsCapture(c.nowNs(), rows, c.routing(), c.handshakesCompleted(), c.handshakesInitiated(),
                c.sessionsEvicted(), c.silentDrops());
    }

    static PeersView peers(SessionsCapture c, ContactLabels labels) {
        long now = c.nowNs();
        Map<NodeId, PeerInfo.Builder> peers = new LinkedHashMap<>();
        for (EntryRow e : c.routing().entries()) {
            Contact ct = e.contact();
            peers.put(ct.id(), PeerInfo.newBuilder().setNodeIdBytes(labels.id(ct)).setAddressBytes(labels.address(ct))
                    .setSubnet(subnet(ct.address())).setBucket(e.bucket()).setInRoutingTable(true)
                    .setSrttUs(e.measured() ? us(e.srttNs()) : -1)
                    .setRttvarUs(e.measured() ? us(e.rttvarNs()) : -1)
                    .setFailures(e.failures()).setLastSeenMsAgo(ms(now - e.lastSeenNs())));
        }
        for (SessionRow session : c.sessions()) {
            Contact ct = session.contact();
            PeerInfo.Builder p = peers.get(ct.id());
            if (p == null) {
                p = PeerInfo.newBuilder().setNodeIdBytes(labels.id(ct)).setAddressBytes(labels.address(ct))
                        .setSubnet(subnet(ct.address())).setBucket(-1).setInRoutingTable(false).setSrttUs(-1)
                        .setRttvarUs(-1).setLastSeenMsAgo(ms(now - session.lastReceivedNs()));
                peers.put(ct.id(), p);
            }
            p.setSessions(p.getSessions() + 1);
        }
        PeersView.Builder view = PeersView.newBuilder().setScores(unavailable("peer scores",
                "behavioural scores arrive with admission control: " + NOT_AVAILABLE));
        for (PeerInfo.Builder p : peers.values()) {
            view.addPeers(p);
        }
        return view.build();
    }

    static SessionsView sessions(SessionsCapture c, ContactLabels labels) {
        long now = c.nowNs();
        SessionsView.Builder view = SessionsView.newBuilder();
        for (SessionRow x : c.sessions()) {
            view.addSessions(SessionInfo.newBuilder()
                    .setPeerIdBytes(labels.id(x.contact()))
                    .setAddressBytes(labels.address(x.contact()))
                    .setShard(x.shard())
                    .setLocalIndex(x.localIndex())
                    .setInitiator(x.initiator())
                    .setConfirmed(x.confirmed())
                    .setAgeMs(ms(now - x.createdNs()))
                    .setRekeyDueInMs(x.rekeyDueNs() < 0 ? -1 : ms(x.rekeyDueNs() - now))
                    .setExpiresInMs(ms(x.rejectAfterNs() - now))
                    .setPacketsIn(x.packetsIn())
                    .setPacketsOut(x.packetsOut())
                    .setBytesIn(x.bytesIn())
                    .setBytesOut(x.bytesOut())
                    .setLastReceivedMsAgo(ms(now - x.lastReceivedNs()))
                    .setLastSentMsAgo(ms(now - x.lastSentNs())));
        }
        return view.setHandshakesCompleted(c.handshakesCompleted()).setHandshakesInitiated(c.handshakesInitiated())
                .setSessionsEvicted(c.sessionsEvicted()).setSilentDrops(c.silentDrops()).build();
    }

    /**
     * The WAL view, one entry per shard, or null when the node runs without a WAL. The start-up figures are the
     * node's: shards recover in parallel, so its start took the longest shard's time.
     */
    static WalView wal(NodeState s) {
        List<DurableShard.Status> shards = s.wal();
        if (shards == null) {
            return null;
        }
        WalView.Builder view = WalView.newBuilder().setSync(shards.get(0).sync().name().toLowerCase(
                java.util.Locale.ROOT));
        long replayed = 0;
        long startupNs = 0;
        int records = 0;
        int peers = 0;
        for (DurableShard.Status w : shards) {
            replayed += w.entriesReplayed();
            startupNs = Math.max(startupNs, w.startupNs());
            records += w.recordsRecovered();
            peers += w.peersRecovered();
            view.addShards(WalShard.newBuilder().setShard(w.shard()).setGeneration(w.generation())
                    .setNextSequence(w.nextSequence()).setEntriesAppended(w.appended())
                    .setBytesAppended(w.bytesAppended()).setSyncs(w.syncs()).setAppendFailures(w.appendFailures())
                    .setCompactions(w.compactions())
                    .setLastCompactionMsAgo(w.lastCompactionAtNs() == 0 ? -1
                            : TimeUnit.NANOSECONDS.toMillis(s.nowNs() - w.lastCompactionAtNs()))
                    .setLastCompactionMs(TimeUnit.NANOSECONDS.toMillis(w.lastCompactionNs()))
                    .setSnapshotBytes(w.snapshotBytes()));
        }
        return view.setEntriesReplayedAtStart(replayed).setStartupMs(TimeUnit.NANOSECONDS.toMillis(startupNs))
                .setRecordsRecovered(records).setPeersRecovered(peers).build();
    }

    /** What a compaction of every shard did, in one line. */
    static String compacted(List<DurableShard.Compaction> shards) {
        StringBuilder b = new StringBuilder("compacted ").append(shards.size()).append(shards.size() == 1 ? " shard:"
                : " shards:");
        for (int i = 0; i < shards.size(); i++) {
            DurableShard.Compaction c = shards.get(i);
            if (c == null) {
                b.append(i == 0 ? " " : "; ").append("shard ").append(i).append(" was compacting already");
                continue;
            }
            b.append(i == 0 ? " " : "; ").append("shard ").append(i).append(" generation ").append(c.generation())
                    .append(", ").append(c.records()).append(" records and ").append(c.peers())
                    .append(" peers in a snapshot of ").append(c.snapshotBytes()).append(" bytes, ").append(c.millis())
                    .append(" ms");
        }
        return b.toString();
    }

    /** One shard's records as the records view needs them: its store's figures and its {@code top} largest. */
    record ShardRecords(int count, long bytes, int maxRecords, long maxBytes, long refusedFull, long expired,
            long nowNs, List<Map.Entry<NodeId, RecordStore.StoredRecord>> largest, int mutables, long mutableBytes,
            int providers, long providerBytes, int blobFragments, long blobFragmentBytes, int blobManifests,
            long blobManifestBytes, CoreCounters counters) {
    }

    /** Copied on the shard's own loop. */
    static ShardRecords shardRecords(ShardView v, int top) {
        RecordStore store = v.core().records();
        List<Map.Entry<NodeId, RecordStore.StoredRecord>> largest = new ArrayList<>(store.view().entrySet());
        largest.sort(LARGEST_FIRST);
        io.molia.blob.BlobStore blobs = v.core().blobTransfers() == null ? null : v.core().blobTransfers().store();
        return new ShardRecords(store.size(), store.bytes(), store.maxRecords(), store.maxBytes(), store.refusedFull(),
                store.expired(), v.nowNs(), List.copyOf(largest.subList(0, Math.min(top, largest.size()))),
                v.core().recordRequests().mutables().size(), v.core().recordRequests().mutables().bytes(),
                v.core().recordRequests().providers().size(), v.core().recordRequests().providers().bytes(),
                blobs == null ? 0 : blobs.fragments(), blobs == null ? 0 : blobs.fragmentBytes(),
                blobs == null ? 0 : blobs.size() - blobs.fragments(),
                blobs == null ? 0 : blobs.bytes() - blobs.fragmentBytes(), copy(v.core().counters()));
    }

    private static CoreCounters copy(CoreCounters counters) {
        CoreCounters copy = new CoreCounters();
        copy.add(counters);
        return copy;
    }

    private static final java.util.Comparator<Map.Entry<NodeId, RecordStore.StoredRecord>> LARGEST_FIRST = (a, b) -> {
        int c = Integer.compare(b.getValue().value().length, a.getValue().value().length);
        return c != 0 ? c : a.getKey().compareTo(b.getKey());
    };

    /** Every shard's records, each read on its own loop; the limits are per shard, so the node's are their sum. */
    static CompletableFuture<RecordsView> records(MoliaNode node, int top) {
        return node.onEveryShard(v -> shardRecords(v, top)).thenApply(shards -> {
            RecordsView.Builder view = RecordsView.newBuilder();
            List<Map.Entry<NodeId, RecordStore.StoredRecord>> largest = new ArrayList<>();
            int count = 0;
            long bytes = 0;
            int mutables = 0;
            long mutableBytes = 0;
            int providers = 0;
            long providerBytes = 0;
            RecordTypeCount.Builder fragments = RecordTypeCount.newBuilder().setType("blob_fragment");
            RecordTypeCount.Builder manifests = RecordTypeCount.newBuilder().setType("blob_manifest");
            CoreCounters counters = new CoreCounters();
            for (ShardRecords r : shards) {
                fragments.setCount(fragments.getCount() + r.blobFragments())
                        .setBytes(fragments.getBytes() + r.blobFragmentBytes());
                manifests.setCount(manifests.getCount() + r.blobManifests())
                        .setBytes(manifests.getBytes() + r.blobManifestBytes());
                counters.add(r.counters());
                count += r.count();
                bytes += r.bytes();
                mutables += r.mutables();
                mutableBytes += r.mutableBytes();
                providers += r.providers();
                providerBytes += r.providerBytes();
                view.setMaxRecords(view.getMaxRecords() + r.maxRecords()).setMaxBytes(view.getMaxBytes() + r.maxBytes())
                        .setRefusedFull(view.getRefusedFull() + r.refusedFull())
                        .setExpired(view.getExpired() + r.expired());
                largest.addAll(r.largest());
            }
            largest.sort(LARGEST_FIRST);
            view.setCount(count).setBytes(bytes).addPerType(RecordTypeCount.newBuilder().setType("immutable")
                    .setCount(count).setBytes(bytes))
                    .addPerType(RecordTypeCount.newBuilder().setType("mutable").setCount(mutables)
                            .setBytes(mutableBytes))
                    .addPerType(RecordTypeCount.newBuilder().setType("provider").setCount(providers)
                            .setBytes(providerBytes))
                    .addPerType(fragments).addPerType(manifests)
                    .setReplication(ReplicationCounts.newBuilder().setProbes(counters.replicationProbes)
                            .setAlreadyHeld(counters.replicationAlreadyHeld).setHandoffs(counters.replicationHandoffs)
                            .setRepairs(counters.replicationRepairs).setHotCopies(counters.replicationHotCopies)
                            .setNewcomersDropped(counters.replicationNewcomersDropped)
                            .setHotDeferred(counters.replicationHotDeferred));
            long now = shards.get(0).nowNs();
            for (int i = 0; i < Math.min(top, largest.size()); i++) {
                Map.Entry<NodeId, RecordStore.StoredRecord> e = largest.get(i);
                view.addTopKeys(RecordSummary.newBuilder().setKey(e.getKey().toHex())
                        .setBytes(e.getValue().value().length)
                        .setStoredMsAgo(ms(now - e.getValue().storedNs()))
                        .setExpiresInMs(ms(e.getValue().expiresNs() - now)));
            }
            return view.build();
        });
    }

    /**
     * The counters as copied on the loop (every figure of {@link NodeFigures} summed over the shards), with what the
     * admin thread adds: the last lookup durations and the per-shard thread figures (sorting and the JVM's
     * per-thread accounting are not the packet path's work).
     */
    record MetricsCapture(Map<String, Long> counters, long[] recentLookupNs, List<NodeMetrics.ShardSource> shards,
            long uptimeNs) {
    }

    private static final List<Figure<NodeMetrics.ShardSource>> SUMMED = NodeFigures.SHARD.stream()
            .filter(f -> !f.perShard()).toList();
    private static final List<Figure<NodeMetrics.ShardSource>> PER_SHARD = NodeFigures.SHARD.stream()
            .filter(Figure::perShard).toList();

    static MetricsCapture captureMetrics(NodeState s) {
        Map<String, Long> m = new LinkedHashMap<>();
        Figure.addTo(m, SUMMED, s.shardSources());
        Figure.addTo(m, NodeFigures.NODE, List.of(s));
        // the repair's outcomes (stripes checked, repaired, unrepairable, failed): why a stripe was lost
        Figure.addTo(m, io.molia.node.BlobRepairCheck.FIGURES, List.of(s.blobRepair()));
        return new MetricsCapture(m, s.recentLookupNs(), s.shardSources(), s.nowNs() - s.startedNs());
    }

    static MetricsView metrics(MetricsCapture c) {
        Map<String, Long> m = c.counters();
        // Lookup latency over the last completed lookups (at most 1024): exact percentiles, no histogram buckets.
        long[] lookups = c.recentLookupNs();
        m.put("lookup_latency_samples", (long) lookups.length);
        if (lookups.length > 0) {
            java.util.Arrays.sort(lookups);
            m.put("lookup_latency_p50_us", us(percentile(lookups, 50)));
            m.put("lookup_latency_p95_us", us(percentile(lookups, 95)));
            m.put("lookup_latency_p99_us", us(percentile(lookups, 99)));
        }
        // Per shard: the CPU time and bytes allocated by its event-loop thread since it started (the JVM's
        // per-thread accounting, read from this thread; the shards themselves do nothing for it).
        Figure.addTo(m, PER_SHARD, c.shards());
        return MetricsView.newBuilder().putAllCounters(m).setUptimeMs(ms(c.uptimeNs())).build();
    }

    static BansView bans(NodeState s) {
        BansView.Builder view = BansView.newBuilder().setDroppedDatagrams(s.bans().droppedDatagrams())
                .setCapacity(BanList.CAPACITY);
        for (BanList.Ban b : s.bans().list(s.nowNs())) {
            view.addBans(BanInfo.newBuilder().setKind(b.kind()).setTarget(b.target())
                    .setExpiresInMs(ms(b.expiresNs() - s.nowNs())));
        }
        return view.build();
    }

    /**
     * The peer {@code text} names: a molia:// address, or a unique prefix (at least 4 hex digits) of the ID of a
     * peer this node knows (routing table, replacement caches, sessions). Throws with a one-line reason.
     */
    static Contact resolvePeer(NodeState s, String text) {
        if (text == null || text.isBlank()) {
            throw new AdminException(io.molia.admin.proto.Error.Code.INVALID_ARGUMENT, "name a peer: an ID prefix "
                    + "(at least 4 hex digits) or a molia:// address");
        }
        if (text.startsWith(MoliaAddress.SCHEME)) {
            try {
                return MoliaAddress.parse(text).toContact();
            } catch (IllegalArgumentException e) {
                throw new AdminException(io.molia.admin.proto.Error.Code.INVALID_ARGUMENT, e.getMessage());
            }
        }
        String prefix = hexPrefix(text, "an ID prefix of at least 4 hex digits nor a molia:// address");
        Map<NodeId, Contact> matches = new HashMap<>();
        knownPeers(s, prefix, matches);
        return unique(matches, prefix, "no known peer's ID", "known peers' IDs");
    }

    /**
     * The record key, or for a lookup any ID, {@code text} names: 64 hex digits, or a unique prefix (at least 4 hex
     * digits; a trailing "…", as human output cuts keys, is ignored) of a key this node holds or put through its
     * admin socket ({@code keysPut}), and with {@code peerIds} of a known peer's ID. Throws with a one-line reason.
     */
    static CompletableFuture<NodeId> resolveKey(MoliaNode node, String text, List<NodeId> keysPut,
            boolean peerIds) {
        String prefix = hexPrefix(text == null ? "" : text.strip().replace("\u2026", ""),
                "64 hex digits nor a prefix of at least 4 of a key this node knows");
        if (prefix.length() == 2 * NodeId.BYTES) {
            return CompletableFuture.completedFuture(NodeId.fromHex(prefix));
        }
        return node.onEveryShard(v -> knownOnShard(v, prefix, peerIds)).thenCompose(known -> node.onLoop(s -> {
            Map<NodeId, NodeId> matches = new HashMap<>();
            known.forEach(ids -> ids.forEach(k -> match(k, prefix, matches)));
            keysPut.forEach(k -> match(k, prefix, matches));
            if (peerIds) {
                Map<NodeId, Contact> peers = new HashMap<>();
                knownPeers(s, prefix, peers);
                peers.keySet().forEach(k -> match(k, prefix, matches));
            }
            return uniqueKey(matches, prefix, peerIds);
        }));
    }

    /**
     * The record keys one shard holds and, with {@code peerIds}, the IDs of the peers it has sessions with, that
     * start with the prefix.
     */
    private static List<NodeId> knownOnShard(ShardView v, String prefix, boolean peerIds) {
        List<NodeId> out = new ArrayList<>();
        v.core().records().view().keySet().forEach(k -> {
            if (k.toHex().startsWith(prefix)) {
                out.add(k);
            }
        });
        for (Session session : peerIds ? v.sessions().sessionsView() : List.<Session>of()) {
            if (session.contact().id().toHex().startsWith(prefix)) {
                out.add(session.contact().id());
            }
        }
        return out;
    }

    private static NodeId uniqueKey(Map<NodeId, NodeId> matches, String prefix, boolean peerIds) {
        return unique(matches, prefix, "no key this node holds or put" + (peerIds ? " nor known peer's ID" : ""),
                "keys this node holds or put" + (peerIds ? " and known peers' IDs" : ""));
    }

    private static String hexPrefix(String text, String expected) {
        String prefix = text.toLowerCase(java.util.Locale.ROOT);
        if (prefix.length() < 4 || prefix.length() > 2 * NodeId.BYTES || !prefix.matches("[0-9a-f]+")) {
            throw new AdminException(io.molia.admin.proto.Error.Code.INVALID_ARGUMENT,
                    "'" + text + "' is not " + expected);
        }
        return prefix;
    }

    /** The peers of the routing table, its replacement caches and the sessions whose IDs start with the prefix. */
    private static void knownPeers(NodeState s, String prefix, Map<NodeId, Contact> out) {
        RoutingTable table = s.core().routingTable();
        for (int b = 0; b < NodeId.BITS; b++) {
            for (RoutingEntry e : table.bucketEntries(b)) {
                match(e.contact().id(), e.contact(), prefix, out);
            }
            for (Contact c : table.bucketReplacements(b)) {
                match(c.id(), c, prefix, out);
            }
        }
        for (Session session : s.sessions().sessionsView()) {
            match(session.contact().id(), session.contact(), prefix, out);
        }
    }

    private static void match(NodeId id, String prefix, Map<NodeId, NodeId> out) {
        match(id, id, prefix, out);
    }

    private static <T> void match(NodeId id, T value, String prefix, Map<NodeId, T> out) {
        if (id.toHex().startsWith(prefix)) {
            out.putIfAbsent(id, value);
        }
    }

    /** The one match; none or several is a one-line error that says how many (give more digits). */
    private static <T> T unique(Map<NodeId, T> matches, String prefix, String none, String several) {
        if (matches.isEmpty()) {
            throw new AdminException(io.molia.admin.proto.Error.Code.NOT_FOUND, none + " starts with " + prefix);
        }
        if (matches.size() > 1) {
            throw new AdminException(io.molia.admin.proto.Error.Code.INVALID_ARGUMENT, matches.size() + " "
                    + several + " start with " + prefix + ": give more digits");
        }
        return matches.values().iterator().next();
    }

    static Unavailable unavailable(String subsystem, String reason) {
        return Unavailable.newBuilder().setSubsystem(subsystem).setReason(reason).build();
    }

    static String subnet(NodeAddress a) {
        return NodeAddress.subnetText(a.subnetKey());
    }

    /** The nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }

    static long us(long ns) {
        return TimeUnit.NANOSECONDS.toMicros(ns);
    }
}
