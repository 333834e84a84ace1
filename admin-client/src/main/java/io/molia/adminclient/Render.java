package io.molia.adminclient;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.AdmissionView;
import io.molia.admin.proto.BanInfo;
import io.molia.admin.proto.Bucket;
import io.molia.admin.proto.LogEvent;
import io.molia.admin.proto.LoggerLevel;
import io.molia.admin.proto.LookupContact;
import io.molia.admin.proto.LookupHop;
import io.molia.admin.proto.LookupResult;
import io.molia.admin.proto.NamedCount;
import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;
import io.molia.admin.proto.RelayCircuit;
import io.molia.admin.proto.RelayClientView;
import io.molia.admin.proto.RelayReservation;
import io.molia.admin.proto.RelaysView;
import io.molia.admin.proto.NodeInfo;
import io.molia.admin.proto.PeerInfo;
import io.molia.admin.proto.RecordSummary;
import io.molia.admin.proto.RoutingContact;
import io.molia.admin.proto.ScoreBin;
import io.molia.admin.proto.ScoredPeer;
import io.molia.admin.proto.SessionInfo;
import io.molia.admin.proto.ShardAdmission;
import io.molia.admin.proto.ShardSocket;
import io.molia.admin.proto.SourceHits;
import io.molia.node.Redaction;

/**
 * Human output of every answer: aligned tables that fit the terminal width, human units (µs/ms/s, KiB, "ago"),
 * colour only on a terminal without NO_COLOR, and record keys, public keys and the last byte of IPv4 addresses (the
 * last 64 bits of IPv6 ones) hidden unless {@code --show-keys} (as {@code wg show} hides keys). A put's key is the
 * exception: the user just created it and will paste it back.
 */
public final class Render {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** How to render. */
    public record Style(boolean color, int width, boolean showKeys) {
        String bold(String s) {
            return color ? "\u001b[1m" + s + "\u001b[0m" : s;
        }

        String dim(String s) {
            return color ? "\u001b[2m" + s + "\u001b[0m" : s;
        }

        String red(String s) {
            return color ? "\u001b[31m" + s + "\u001b[0m" : s;
        }

        String green(String s) {
            return color ? "\u001b[32m" + s + "\u001b[0m" : s;
        }

        String yellow(String s) {
            return color ? "\u001b[33m" + s + "\u001b[0m" : s;
        }
    }

    private Render() {
    }

    public static String render(AdminResponse r, Style st) {
        return body(r, st).stripTrailing();
    }

    private static String body(AdminResponse r, Style st) {
        return switch (r.getBodyCase()) {
            case ERROR -> st.red("error " + r.getError().getCode() + ": " + r.getError().getMessage());
            case UNAVAILABLE -> st.yellow(r.getUnavailable().getSubsystem() + ": " + r.getUnavailable().getReason());
            case INFO -> info(r.getInfo(), st);
            case ROUTING -> routing(r, st);
            case PEERS -> peers(r, st);
            case SESSIONS -> sessions(r, st);
            case RECORDS -> records(r, st);
            case WAL -> wal(r, st);
            case METRICS -> metrics(r, st);
            case ERRORS -> errors(r, st);
            case BANS -> bans(r, st);
            case LOG_LEVELS -> logLevels(r, st);
            case NAT -> nat(r.getNat(), st);
            case RELAYS -> relays(r.getRelays(), st);
            case ADMISSION -> admission(r.getAdmission(), st);
            case PING -> r.getPing().getAnswered()
                    ? st.green(id16(r.getPing().getPeerId()) + " answered in " + us(r.getPing().getRttUs()))
                    : st.red(id16(r.getPing().getPeerId()) + " did not answer");
            case CONNECT -> connect(r.getConnect(), st);
            case LOOKUP -> lookup(r.getLookup(), st);
            case PUT -> stored(r.getPut().getStored(), r.getPut().getAttempted(), r.getPut().getAcknowledged())
                    + " in " + us(r.getPut().getDurationUs()) + "\nkey " + r.getPut().getKey(); // the user's own: whole
            case GET -> r.getGet().getFound() ? printable(r.getGet().getValue().toByteArray()) + "\n"
                    + st.dim("(" + r.getGet().getValue().size() + " bytes, " + r.getGet().getRequests()
                    + " requests, " + us(r.getGet().getDurationUs()) + ")")
                    : st.yellow("not found (" + r.getGet().getRequests() + " requests, "
                    + us(r.getGet().getDurationUs()) + ")");
            case RECORD_WRITE -> recordWrite(r, st);
            case PROVIDERS -> providers(r, st);
            case MUTABLE -> r.getMutable().getFound() ? printable(r.getMutable().getValue().toByteArray()) + "\n"
                    + st.dim("(seq " + r.getMutable().getSeq() + ", " + r.getMutable().getValue().size() + " bytes, "
                    + us(r.getMutable().getDurationUs()) + ")")
                    : st.yellow("not found (" + us(r.getMutable().getDurationUs()) + ")");
            case DONE -> st.green(r.getDone().getMessage());
            case BLOB -> blob(r.getBlob(), st);
            case BODY_NOT_SET -> "(empty answer)";
        };
    }

    private static String blob(io.molia.admin.proto.BlobResult b, Style st) {
        if (b.getState().equals("repaired")) {
            return "checked " + b.getStripesChecked() + " stripes in " + us(b.getDurationUs()) + ": "
                    + b.getStripesRepaired() + " repaired, " + b.getFragmentsRebuilt() + " fragments rebuilt ("
                    + b.getFragmentsHeld() + " fragments held here)";
        }
        String line = "blob transfer " + b.getTransfer() + ": " + b.getState() + ", " + b.getSize() + " bytes, "
                + b.getFragmentsDone() + "/" + b.getFragmentsTotal() + " fragments"
                + (b.getDurationUs() > 0 ? " in " + us(b.getDurationUs()) : "");
        String body = b.getState().equals("failed") ? st.red(line + ": " + b.getError()) : line;
        return b.getKey().isEmpty() ? body : body + "\nkey " + b.getKey(); // the user's own: whole
    }

    private static String connect(io.molia.admin.proto.ConnectResult c, Style st) {
        if (c.getPath().equals("failed")) {
            return st.red(id16(c.getPeerId()) + " not reached" + (c.getRefusal().isEmpty() ? ""
                    : ": the relay refused (" + c.getRefusal() + ")"));
        }
        return st.green(id16(c.getPeerId()) + " reached " + c.getPath() + " in " + us(c.getRttUs()))
                + (c.getLastRttUs() >= 0 ? ", then " + us(c.getLastRttUs()) + " at " + c.getAddress() : "")
                + (c.getCircuitClosed() ? " (circuit " + Integer.toUnsignedString(c.getCircuit())
                        + " closed at the relay)" : "");
    }

    /** A write answers once a majority of the k closest stored it; the stores to the rest are still under way. */
    private static String stored(int stored, int attempted, boolean acknowledged) {
        return "stored on " + stored + " of " + attempted + " peers"
                + (acknowledged && stored < attempted ? " (a majority: the rest store in the background)" : "");
    }

    private static String recordWrite(AdminResponse r, Style st) {
        var w = r.getRecordWrite();
        String line = stored(w.getStored(), w.getAttempted(), w.getAcknowledged()) + " in " + us(w.getDurationUs())
                + "\nkey " + w.getKey();
        return w.getRefusal().isEmpty() ? line : line + "\n" + st.red("refused: " + w.getRefusal()
                + (w.getHeldSeq() > 0 ? " (peers hold seq " + w.getHeldSeq() + ")" : ""));
    }

    private static String providers(AdminResponse r, Style st) {
        var p = r.getProviders();
        if (p.getProvidersCount() == 0) {
            return st.yellow("no provider found (" + us(p.getDurationUs()) + ")");
        }
        Table t = new Table("provider", "seq", "addresses");
        p.getProvidersList().forEach(i -> t.row(i.getNode(), Long.toString(i.getSeq()),
                String.join(" ", i.getAddressesList())));
        return t.render(st, true) + "\n" + st.dim(p.getProvidersCount() + " providers (" + us(p.getDurationUs())
                + ")");
    }

    static String info(NodeInfo i, Style st) {
        Table t = new Table("", "");
        t.row("node", st.bold(i.getNodeId()));
        t.row("address", address(i.getAddress(), st));
        t.row("version", i.getVersion() + " (protocol " + i.getProtocolVersion() + ", admin API "
                + i.getAdminApiVersion() + ")");
        t.row("uptime", duration(i.getUptimeMs()) + " (since " + Instant.ofEpochMilli(i.getStartedUnixMs()) + ")");
        t.row("shards", i.getShards() + " (" + i.getTransport() + ")");
        t.row("pid", Long.toString(i.getPid()));
        t.row("data dir", i.getDataDir());
        t.row("routing table", i.getRoutingTableSize() + " contacts" + (i.getIsolated()
                ? st.bold(" (isolated: puts store nowhere; the node asks its bootstrap and last known peers again)")
                : ""));
        t.row("sessions", Integer.toString(i.getSessions()));
        t.row("records", Integer.toString(i.getRecords()));
        for (ShardSocket s : i.getSocketsList()) {
            long drops = s.getKernelReceiveDrops();
            t.row("socket " + s.getShard(), "receive buffer " + bytes(s.getReceiveBufferBytes()) + " (asked "
                    + asked(i.getReceiveBufferAskedBytes()) + "), send " + bytes(s.getSendBufferBytes()) + " (asked "
                    + asked(i.getSendBufferAskedBytes()) + "), kernel drops "
                    + (drops < 0 ? "unknown" : drops > 0 ? st.red(Long.toString(drops)) : "0"));
        }
        return t.render(st, false);
    }

    private static String asked(long bytes) {
        return bytes == 0 ? "kernel default" : bytes(bytes);
    }

    static String routing(AdminResponse r, Style st) {
        var v = r.getRouting();
        StringBuilder out = new StringBuilder();
        out.append(v.getSize()).append(" contacts in ").append(v.getBucketsCount()).append(" buckets (K = ")
                .append(v.getBucketCapacity()).append("); ").append(v.getEvictions()).append(" evictions, ")
                .append(v.getSubnetRejections()).append(" refused by the /24 rule, ").append(v.getProximitySwaps())
                .append(" proximity swaps\n");
        Table t = new Table("bucket", "size", "repl", "failing", "oldest", "newest", "rtt min", "rtt mean",
                "rtt max");
        for (Bucket b : v.getBucketsList()) {
            t.row(Integer.toString(b.getDepth()), b.getSize() + "/" + v.getBucketCapacity(),
                    Integer.toString(b.getReplacements()), b.getFailing() > 0 ? st.red(b.getFailing() + "") : "0",
                    ago(b.getOldestSeenMsAgo()), ago(b.getNewestSeenMsAgo()), us(b.getMinRttUs()),
                    us(b.getMeanRttUs()), us(b.getMaxRttUs()));
        }
        out.append(t.render(st, true));
        boolean any = false;
        for (Bucket b : v.getBucketsList()) {
            if (b.getContactsCount() == 0) {
                continue;
            }
            if (!any) {
                out.append('\n');
                any = true;
            }
            Table c = new Table("bucket", "node", "address", "srtt", "rttvar", "fail", "last seen", "added");
            for (RoutingContact rc : b.getContactsList()) {
                c.row(Integer.toString(b.getDepth()), id16(rc.getNodeId()), addr(rc.getAddress(), st),
                        us(rc.getSrttUs()), us(rc.getRttvarUs()), Integer.toString(rc.getFailures()),
                        ago(rc.getLastSeenMsAgo()), ago(rc.getAddedMsAgo()));
            }
            out.append(c.render(st, true));
        }
        return out.toString().stripTrailing();
    }

    static String peers(AdminResponse r, Style st) {
        var v = r.getPeers();
        Table t = new Table("node", "address", "subnet", "bucket", "srtt", "rttvar", "fail", "last seen", "sess");
        for (PeerInfo p : v.getPeersList()) {
            t.row(id16(p.getNodeId()), addr(p.getAddress(), st), subnet(p.getSubnet(), st),
                    p.getBucket() < 0 ? "-" : Integer.toString(p.getBucket()), us(p.getSrttUs()),
                    us(p.getRttvarUs()), p.getFailures() > 0 ? st.red(p.getFailures() + "") : "0",
                    ago(p.getLastSeenMsAgo()), Integer.toString(p.getSessions()));
        }
        String s = v.getPeersCount() + " peers\n" + t.render(st, true);
        if (v.hasScores()) {
            s += "\n" + st.dim("score: " + v.getScores().getReason());
        }
        return s;
    }

    static String sessions(AdminResponse r, Style st) {
        var v = r.getSessions();
        Table t = new Table("peer", "address", "shard", "role", "age", "rekey in", "pkts in", "pkts out",
                "bytes in", "bytes out", "last rx");
        for (SessionInfo s : v.getSessionsList()) {
            t.row(id16(s.getPeerId()), addr(s.getAddress(), st), Integer.toString(s.getShard()),
                    s.getInitiator() ? "init" : "resp", duration(s.getAgeMs()),
                    s.getRekeyDueInMs() < 0 ? "-" : duration(s.getRekeyDueInMs()), Long.toString(s.getPacketsIn()),
                    Long.toString(s.getPacketsOut()), bytes(s.getBytesIn()), bytes(s.getBytesOut()),
                    ago(s.getLastReceivedMsAgo()));
        }
        return v.getSessionsCount() + " sessions; " + v.getHandshakesCompleted() + " handshakes completed, "
                + v.getHandshakesInitiated() + " initiated, " + v.getSessionsEvicted() + " evicted, "
                + v.getSilentDrops() + " datagrams dropped in silence\n" + t.render(st, true);
    }

    static String records(AdminResponse r, Style st) {
        var v = r.getRecords();
        StringBuilder out = new StringBuilder();
        out.append(v.getCount()).append(" of ").append(v.getMaxRecords()).append(" records, ")
                .append(bytes(v.getBytes())).append(" of ").append(bytes(v.getMaxBytes())).append("; ")
                .append(v.getRefusedFull()).append(" refused (full), ").append(v.getExpired()).append(" expired\n");
        Table types = new Table("type", "count", "bytes");
        v.getPerTypeList().forEach(p -> types.row(p.getType(), Integer.toString(p.getCount()), bytes(p.getBytes())));
        out.append(types.render(st, true));
        if (v.getTopKeysCount() > 0) {
            Table top = new Table("key", "bytes", "stored", "expires in");
            for (RecordSummary k : v.getTopKeysList()) {
                top.row(key(k.getKey(), st), bytes(k.getBytes()), ago(k.getStoredMsAgo()),
                        duration(k.getExpiresInMs()));
            }
            out.append('\n').append(top.render(st, true));
        }
        return out.toString().stripTrailing();
    }

    static String wal(AdminResponse r, Style st) {
        var v = r.getWal();
        StringBuilder out = new StringBuilder();
        out.append("sync ").append(v.getSync()).append("; last start replayed ").append(v.getEntriesReplayedAtStart())
                .append(" entries in ").append(v.getStartupMs()).append(" ms (").append(v.getRecordsRecovered())
                .append(" records, ").append(v.getPeersRecovered()).append(" peers)\n");
        Table t = new Table("shard", "generation", "next index", "appended", "bytes", "syncs", "failures",
                "compactions", "last compaction", "snapshot");
        for (var w : v.getShardsList()) {
            t.row(Integer.toString(w.getShard()), Long.toString(w.getGeneration()), Long.toString(w.getNextSequence()),
                    Long.toString(w.getEntriesAppended()), bytes(w.getBytesAppended()), Long.toString(w.getSyncs()),
                    Long.toString(w.getAppendFailures()), Long.toString(w.getCompactions()),
                    w.getLastCompactionMsAgo() < 0 ? "none" : ago(w.getLastCompactionMsAgo()),
                    w.getSnapshotBytes() == 0 ? "-" : bytes(w.getSnapshotBytes()));
        }
        return out.append(t.render(st, true)).toString().stripTrailing();
    }

    static String metrics(AdminResponse r, Style st) {
        Table t = new Table("counter", "value");
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(r.getMetrics().getCountersMap()).entrySet()) {
            t.row(e.getKey(), Long.toString(e.getValue()));
        }
        return "uptime " + duration(r.getMetrics().getUptimeMs()) + "\n" + t.render(st, true);
    }

    static String errors(AdminResponse r, Style st) {
        var v = r.getErrors();
        if (v.getEventsCount() == 0) {
            return "no warnings or errors (" + v.getTotal() + " since start)";
        }
        StringBuilder out = new StringBuilder(v.getTotal() + " warnings and errors since start; the last "
                + v.getEventsCount() + ":\n");
        for (LogEvent e : v.getEventsList()) {
            out.append(logLine(e, st)).append('\n');
        }
        return out.toString().stripTrailing();
    }

    public static String logLine(LogEvent e, Style st) {
        String level = e.getLevel().equals("ERROR") ? st.red(e.getLevel()) : st.yellow(e.getLevel());
        String logger = e.getLogger().substring(e.getLogger().lastIndexOf('.') + 1);
        return CLOCK.format(Instant.ofEpochMilli(e.getUnixMs())) + " " + level + " " + logger + ": " + e.getMessage();
    }

    static String bans(AdminResponse r, Style st) {
        var v = r.getBans();
        Table t = new Table("kind", "target", "expires in");
        for (BanInfo b : v.getBansList()) {
            t.row(b.getKind(), b.getKind().equals("peer") ? id16(b.getTarget()) : b.getTarget(),
                    duration(b.getExpiresInMs()));
        }
        return v.getBansCount() + " bans (capacity " + v.getCapacity() + "), " + v.getDroppedDatagrams()
                + " datagrams dropped\n" + t.render(st, true);
    }

    /**
     * The admission view: proof of work, each shard's mode and load, tokens, limiters, then the behaviour scores (caps,
     * histogram, the lowest scorers and why).
     */
    static String admission(AdmissionView v, Style st) {
        Table t = new Table("", "");
        t.row("identity proof of work", v.getPowBits() + " bits; rejected " + named(v.getPowRejectedList()));
        for (ShardAdmission s : v.getShardsList()) {
            String mode = s.getMode().equals("open") ? st.green("open") : st.yellow(s.getMode());
            t.row("shard " + s.getShard(), mode + ", load " + s.getHandshakeLoadPermille() / 10.0 + " %"
                    + (s.getPuzzleBits() > 0 ? ", puzzle " + s.getPuzzleBits() + " bits" : "") + "; "
                    + s.getUnderLoadPeriods() + " times under load, " + s.getCookieReplies() + " cookie replies, "
                    + s.getPuzzleReplies() + " puzzle replies, " + s.getPuzzlesSolved() + " solved");
        }
        t.row("write tokens", v.getWriteTokensIssued() + " issued; rejected " + named(v.getWriteTokensRejectedList()));
        t.row("limiter hits", named(v.getLimiterHitsList()) + (v.getAsnTable() ? "" : st.dim(" (no --asn-table)")));
        t.row("limiter evictions", named(v.getLimiterEvictionsList()));
        t.row("limited peers", v.getLimiterHitsByPeers() + " hits by peers with a session there (scored)");
        t.row("top networks", sources(v.getTopPrefixesList(), st));
        t.row("top ASes", v.getAsnTable() ? sources(v.getTopAsnsList(), st) : st.dim("no --asn-table"));
        t.row("scores", v.getScoredPeers() + " peers (capacity " + v.getScoreCapacity() + ", " + v.getScoresForgotten()
                + " forgotten); half-life " + duration((long) (v.getScoreHalfLifeS() * 1000)) + ", low at "
                + v.getLowScore());
        t.row("behaviours", named(v.getBehavioursList()));
        t.row("low scorers", v.getPeersTurnedLow() + " turned low, " + v.getLowScoreEvictions() + " evicted, "
                + v.getLowScoreRefusals() + " refused");
        t.row("table caps", "per /24: " + (v.getMaxPerSubnetInTable() == 0 ? "off" : v.getMaxPerSubnetInTable())
                + ", per AS: " + v.getMaxPerAsnInTable() + "; " + v.getTableCapRejections() + " refused by them, "
                + v.getBucketSubnetRejections() + " by the per-bucket /24 cap");
        t.row("bans", v.getBans() + " in force (see bans)");
        StringBuilder histogram = new StringBuilder();
        long most = 1;
        for (ScoreBin b : v.getScoreHistogramList()) {
            most = Math.max(most, b.getPeers());
        }
        for (ScoreBin b : v.getScoreHistogramList()) {
            histogram.append(String.format(Locale.ROOT, "  %-10s %6d %s%n", b.getRange(), b.getPeers(),
                    "#".repeat((int) (30 * b.getPeers() / most))));
        }
        Table low = new Table("peer", "score", "why", "in table", "counts");
        for (ScoredPeer p : v.getLowestList()) {
            StringBuilder counts = new StringBuilder();
            p.getCountsMap().forEach((k, n) -> counts.append(counts.isEmpty() ? "" : " ").append(k).append('=')
                    .append(String.format(Locale.ROOT, "%.1f", n)));
            String score = String.format(Locale.ROOT, "%.2f", p.getScore());
            low.row(id16(p.getNodeId()), p.getLow() ? st.red(score) : score, p.getWhy(), p.getInRoutingTable() ? "yes"
                    : "no", counts.toString());
        }
        return t.render(st, false) + "\nscore distribution\n" + histogram + "lowest scorers\n" + low.render(st, true);
    }

    /** The most limited sources, most first: {@code 203.0.113.0/24 1200 (±40)}; the ± only where counts may mix. */
    private static String sources(List<SourceHits> top, Style st) {
        if (top.isEmpty()) {
            return st.dim("none limited");
        }
        StringBuilder out = new StringBuilder();
        for (SourceHits h : top) {
            out.append(out.isEmpty() ? "" : ", ").append(h.getSource()).append(' ').append(h.getHits())
                    .append(h.getError() > 0 ? " (±" + h.getError() + ")" : "");
        }
        return out.toString();
    }

    private static String named(List<NamedCount> counts) {
        StringBuilder out = new StringBuilder();
        for (NamedCount c : counts) {
            out.append(out.isEmpty() ? "" : ", ").append(c.getName()).append(' ').append(c.getCount());
        }
        return out.toString();
    }

    /** The NAT view: type and role, the dial-back probes, the mapping's lifetime and keepalive, then the observers. */
    static String nat(NatView v, Style st) {
        Table t = new Table("", "");
        String mode = v.getMode().equals("client") ? st.yellow("client") + st.dim(" (not reachable: in no one's "
                + "routing table)") : st.green("server");
        t.row("NAT type", st.bold(v.getType()));
        t.row("DHT role", mode);
        t.row("mapped address", v.getMappedAddress().isEmpty() ? "-" : addr(v.getMappedAddress(), st));
        t.row("probes", "other port: " + v.getOtherPortProbe() + ", other address: " + v.getOtherAddressProbe());
        String below = v.getMappingLifetimeBelowMs() < 0 ? "never seen to expire"
                : "expired after " + duration(v.getMappingLifetimeBelowMs());
        t.row("mapping lifetime", "at least " + duration(v.getMappingLifetimeAtLeastMs()) + ", " + below);
        t.row("keepalive", v.getKeepaliveIntervalMs() == 0 ? "none" : "every "
                + duration(v.getKeepaliveIntervalMs()) + " to " + id16(v.getKeepalivePeer()));
        t.row("serves other-address probes", v.getServesOtherAddress() ? "yes" : "no");
        Table o = new Table("observer", "answered from", "saw this node at", "age");
        for (NatObservation ob : v.getObservationsList()) {
            o.row(id16(ob.getReporter()), addr(ob.getReporterAddress(), st), addr(ob.getObserved(), st),
                    duration(ob.getAgeMs()));
        }
        String nat = t.render(st, false) + "\n" + v.getObservationsCount() + " observers\n" + o.render(st, true);
        if (v.getPunchOutcomesCount() == 0) {
            return nat;
        }
        Table p = new Table("this node", "peer", "punched", "relayed");
        for (io.molia.admin.proto.PunchOutcome po : v.getPunchOutcomesList()) {
            p.row(po.getOwn(), po.getPeer(), String.valueOf(po.getPunched()), String.valueOf(po.getRelayed()));
        }
        return nat + "\npunch outcomes by NAT types (relayed: the circuit closed with no punch through)\n"
                + p.render(st, true);
    }

    /**
     * The relays view: the budget as used and its limit, refusals by reason, this node's own reservation and
     * punches, then reservations and circuits per client.
     */
    static String relays(RelaysView v, Style st) {
        Table t = new Table("", "");
        if (v.getRelaying()) {
            long pct = v.getEgressBytes() == 0 ? 0 : v.getRelayedBytes() * 1000 / v.getEgressBytes();
            t.row("budget", bytes(v.getRelayedBytes()) + " of " + bytes(v.getLimitBytes()) + " ("
                    + pct / 10 + "." + pct % 10 + " % of " + bytes(v.getEgressBytes()) + " egress; limit "
                    + v.getBudgetPercent() + " % over " + duration(v.getWindowMs()) + ")");
            t.row("relayed", v.getCountersOrDefault("frames", 0) + " frames, " + bytes(v.getCountersOrDefault("bytes",
                    0)) + " since start");
            StringBuilder refused = new StringBuilder();
            v.getRefusalsMap().entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
                    .forEach(e -> refused.append(refused.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                            .append(e.getValue()));
            t.row("refused", refused.isEmpty() ? "none" : st.yellow(refused.toString()));
        } else {
            t.row("budget", st.dim("relaying off (--relay-budget-percent 0)"));
        }
        if (v.hasClient()) {
            RelayClientView c = v.getClient();
            t.row("own reservation", c.getRelay().isEmpty() ? "none" : id16(c.getRelay()) + " at "
                    + addr(c.getRelayAddress(), st) + ", " + duration(c.getExpiresInMs()) + " left");
            t.row("punches", c.getCountersOrDefault("punches", 0) + " sent, " + c.getCountersOrDefault("upgrades", 0)
                    + " relayed connections became direct");
        }
        Table res = new Table("client", "address", "expires in", "circuits", "relayed", "refused");
        for (RelayReservation r : v.getReservationsList()) {
            res.row(id16(r.getClient()), addr(r.getAddress(), st), duration(r.getExpiresInMs()), r.getCircuits() + "",
                    bytes(r.getRelayedBytes()), r.getRefusals() + "");
        }
        Table circ = new Table("circuit", "initiator", "target", "age", "to target", "to initiator");
        for (RelayCircuit c : v.getCircuitsList()) {
            circ.row(Integer.toUnsignedString(c.getId(), 16), id16(c.getInitiator()), id16(c.getTarget()),
                    duration(c.getAgeMs()), bytes(c.getBytesToTarget()), bytes(c.getBytesToInitiator()));
        }
        return t.render(st, false) + "\n" + v.getReservationsCount() + " reservations\n" + res.render(st, true) + "\n"
                + v.getCircuitsCount() + " circuits\n" + circ.render(st, true);
    }

    static String logLevels(AdminResponse r, Style st) {
        Table t = new Table("logger", "level", "effective");
        for (LoggerLevel l : r.getLogLevels().getLoggersList()) {
            t.row(l.getLogger(), l.getLevel().isEmpty() ? st.dim("inherit") : l.getLevel(), l.getEffective());
        }
        return t.render(st, true);
    }

    /** The lookup's hops drawn as a tree by hop depth, then its result. */
    static String lookup(LookupResult l, Style st) {
        StringBuilder out = new StringBuilder();
        out.append("lookup of ").append(key(l.getTarget(), st)).append(": ").append(l.getRequests())
                .append(" requests, ").append(l.getHops()).append(" hops, ").append(us(l.getDurationUs()));
        if (l.getValueFound()) {
            out.append(", ").append(st.green("value found"));
        }
        out.append('\n');
        Table t = new Table("hop", "at", "peer", "address", "rtt", "outcome", "returned");
        for (LookupHop h : l.getTraceList()) {
            String indent = "  ".repeat(Math.max(0, h.getHop() - 1)) + "└ " + h.getHop();
            String outcome = switch (h.getOutcome()) {
                case "answered", "value" -> st.green(h.getOutcome());
                case "slow" -> st.yellow(h.getOutcome());
                default -> st.red(h.getOutcome());
            };
            t.row(indent, "+" + us(h.getSentAtUs()), id16(h.getPeerId()), addr(h.getAddress(), st),
                    us(h.getRttUs()), outcome, h.getOutcome().equals("answered") ? h.getContactsReturned() + "" : "-");
        }
        out.append(t.render(st, true));
        if (l.getClosestCount() > 0) {
            Table c = new Table("closest", "address", "shared bits");
            for (LookupContact lc : l.getClosestList()) {
                c.row(id16(lc.getNodeId()), addr(lc.getAddress(), st), Integer.toString(lc.getCommonPrefixBits()));
            }
            out.append('\n').append(c.render(st, true));
        }
        return out.toString().stripTrailing();
    }

    // ------------------------------------------------------------------ units and hiding

    public static String id16(String hex) {
        return hex.length() > 16 ? hex.substring(0, 16) : hex;
    }

    static String key(String hex, Style st) {
        return st.showKeys() ? hex : Redaction.key(hex);
    }

    /**
     * {@code host:port} with the host's last IPv4 byte ({@code 203.0.113.x:4000}) or IPv6 interface identifier, its
     * last 64 bits ({@code [2001:db8:1:2::x]:4000}), hidden unless {@code --show-keys}.
     */
    public static String addr(String hostPort, Style st) {
        return st.showKeys() ? hostPort : Redaction.hostPort(hostPort);
    }

    static String subnet(String subnet, Style st) {
        return subnet;
    }

    static String address(String moliaAddress, Style st) {
        if (st.showKeys()) {
            return moliaAddress;
        }
        int at = moliaAddress.indexOf('@');
        return at < 0 ? moliaAddress : "molia://(key hidden: --show-keys)@" + addr(moliaAddress.substring(at + 1), st);
    }

    public static String us(long us) {
        if (us < 0) {
            return "-";
        }
        if (us < 1_000) {
            return us + " µs";
        }
        if (us < 1_000_000) {
            return String.format("%.1f ms", us / 1e3);
        }
        return String.format("%.2f s", us / 1e6);
    }

    public static String duration(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 1_000) {
            return ms + " ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return String.format("%.1f s", ms / 1e3);
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        if (s < 86_400) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return s / 86_400 + " d " + (s % 86_400) / 3600 + " h";
    }

    public static String ago(long ms) {
        return ms < 0 ? "-" : duration(ms) + " ago";
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", b / (1024.0 * 1024));
        }
        return String.format("%.1f GiB", b / (1024.0 * 1024 * 1024));
    }

    static String printable(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                return java.util.HexFormat.of().formatHex(value);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ tables

    /** An aligned table; a line wider than the terminal is cut, with an ellipsis. */
    static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = header;
        }

        void row(String... cells) {
            rows.add(cells);
        }

        String render(Style st, boolean withHeader) {
            int[] widths = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                widths[i] = visible(header[i]);
            }
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    widths[i] = Math.max(widths[i], visible(r[i]));
                }
            }
            StringBuilder out = new StringBuilder();
            if (withHeader) {
                out.append(fit(st.bold(line(header, widths)), st.width())).append('\n');
            }
            for (String[] r : rows) {
                out.append(fit(line(r, widths), st.width())).append('\n');
            }
            return out.toString();
        }

        private static String line(String[] cells, int[] widths) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                b.append(cells[i]);
                if (i < cells.length - 1) {
                    b.append(" ".repeat(widths[i] - visible(cells[i]) + 2));
                }
            }
            return b.toString().stripTrailing();
        }
    }

    /** Length without ANSI escapes. */
    static int visible(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "").codePointCount(0, s.replaceAll("\u001b\\[[0-9;]*m", "").length());
    }

    static String fit(String line, int width) {
        if (width <= 0 || visible(line) <= width) {
            return line;
        }
        // Cut by visible characters, keeping escapes, then reset attributes.
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < line.length() && shown < width - 1;) {
            if (line.charAt(i) == '\u001b') {
                int m = line.indexOf('m', i);
                b.append(line, i, m + 1);
                i = m + 1;
                continue;
            }
            int cp = line.codePointAt(i);
            b.appendCodePoint(cp);
            i += Character.charCount(cp);
            shown++;
        }
        return b.append(line.contains("\u001b") ? "\u001b[0m…" : "…").toString();
    }
}
