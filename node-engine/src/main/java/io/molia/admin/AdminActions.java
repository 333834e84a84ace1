package io.molia.admin;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.molia.admin.proto.ActionDone;
import io.molia.admin.proto.ConnectResult;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;
import io.molia.admin.proto.GetResult;
import io.molia.admin.proto.MutableResult;
import io.molia.admin.proto.ProviderInfo;
import io.molia.admin.proto.ProvidersResult;
import io.molia.admin.proto.PutMutableAction;
import io.molia.admin.proto.RecordWriteResult;
import io.molia.admin.proto.LookupContact;
import io.molia.admin.proto.LookupResult;
import io.molia.admin.proto.PingResult;
import io.molia.admin.proto.PutResult;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.lookup.LookupHop;
import io.molia.core.store.MutableStore;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.SocketAddresses;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;

/**
 * The operator's actions: requests that make the node do something (ping, lookup and trace, put, get, bootstrap,
 * evict, ban and unban, log level, WAL compaction, shutdown), as opposed to the views, which only read it. Each
 * parses its arguments (a bad one throws {@link AdminException} before the node is asked), runs on the node's
 * protocol loop or through the node's futures, and builds its answer. Waits are bounded by
 * {@link #ACTION_TIMEOUT_S}. Thread-safe: the remembered keys are the only state.
 */
final class AdminActions {
    static final long ACTION_TIMEOUT_S = 60;

    private final MoliaNode node;
    private final AdminServer.Options options;
    /** Keys of the values put through this socket, the newest 1024: a prefix of one names it in get and lookup. */
    private final Map<NodeId, Boolean> keysPut = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<NodeId, Boolean> eldest) {
                    return size() > 1024;
                }
            });

    AdminActions(MoliaNode node, AdminServer.Options options) {
        this.node = node;
        this.options = options;
    }

    CompletableFuture<AdminResponse> ping(AdminResponse.Builder r, String peer) {
        return node.onLoop(s -> AdminViews.resolvePeer(s, peer)).thenCompose(c -> node.ping(c)
                .orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(rttNs -> r.setPing(PingResult.newBuilder().setPeerId(c.id().toHex())
                        .setAddress(c.address().toString()).setAnswered(rttNs >= 0)
                        .setRttUs(rttNs >= 0 ? TimeUnit.NANOSECONDS.toMicros(rttNs) : -1)).build()));
    }

    /** Reaches a peer straight, or through {@code via} (its relay) and a punch; says which path it answered on. */
    CompletableFuture<AdminResponse> connect(AdminResponse.Builder r, String peer, String via) {
        return node.onLoop(s -> new Contact[] {AdminViews.resolvePeer(s, peer),
                    via == null || via.isBlank() ? null : AdminViews.resolvePeer(s, via)})
                .thenCompose(c -> node.connect(c[0], c[1]).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(done -> r.setConnect(ConnectResult.newBuilder().setPeerId(c[0].id().toHex())
                        .setPath(done.path().label()).setAddress(done.address().toString())
                        .setRttUs(done.rttNs() >= 0 ? TimeUnit.NANOSECONDS.toMicros(done.rttNs()) : -1)
                        .setLastRttUs(done.lastRttNs() >= 0 ? TimeUnit.NANOSECONDS.toMicros(done.lastRttNs()) : -1)
                        .setRefusal(done.refusal() == null ? "" : done.refusal().label())
                        .setCircuit(done.circuit()).setCircuitClosed(done.circuitClosed())).build()));
    }

    CompletableFuture<AdminResponse> lookup(AdminResponse.Builder r, String targetText, boolean findValue) {
        List<NodeId> put = keysPut();
        return AdminViews.resolveKey(node, targetText, put, true).thenCompose(target -> node
                .tracedLookup(target, findValue).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(t -> {
            LookupResult.Builder l = LookupResult.newBuilder().setTarget(target.toHex());
            long startedNs;
            if (t.event() instanceof CoreEvent.LookupCompleted done) {
                startedNs = done.startedNs();
                l.setDurationUs(us(done.finishedNs() - done.startedNs())).setHops(done.hops())
                        .setRequests(done.requests());
                for (Contact c : done.closest()) {
                    l.addClosest(LookupContact.newBuilder().setNodeId(c.id().toHex()).setAddress(
                            c.address().toString()).setCommonPrefixBits(target.commonPrefixLength(c.id())));
                }
            } else {
                CoreEvent.GetCompleted done = (CoreEvent.GetCompleted) t.event();
                startedNs = done.startedNs();
                l.setDurationUs(us(done.finishedNs() - done.startedNs())).setRequests(done.requests())
                        .setValueFound(done.value() != null);
            }
            int maxHop = 0;
            for (LookupHop h : t.hops()) {
                maxHop = Math.max(maxHop, h.hop());
                l.addTrace(io.molia.admin.proto.LookupHop.newBuilder().setPeerId(h.peer().id().toHex())
                        .setAddress(h.peer().address().toString()).setHop(h.hop())
                        .setSentAtUs(us(h.sentNs() - startedNs)).setRttUs(h.rttNs() < 0 ? -1 : us(h.rttNs()))
                        .setOutcome(h.outcome().name().toLowerCase(java.util.Locale.ROOT))
                        .setContactsReturned(h.contactsReturned()));
            }
            if (findValue) {
                l.setHops(maxHop);
            }
            return r.setLookup(l).build();
        }));
    }

    CompletableFuture<AdminResponse> put(AdminResponse.Builder r, ByteString value, long ttlSeconds) {
        if (value.isEmpty()) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "an empty value");
        }
        return node.put(value.toByteArray(), ttlSeconds == 0 ? 3600 : ttlSeconds)
                .orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(p -> {
                    keysPut.put(p.key(), Boolean.TRUE);
                    return r.setPut(PutResult.newBuilder().setKey(p.key().toHex()).setStored(p.stored())
                            .setAttempted(p.attempted()).setDurationUs(us(p.finishedNs() - p.startedNs()))
                            .setAcknowledged(p.acknowledgedNs() >= 0)).build();
                });
    }

    /** The keys put through this socket, newest last (a copy: the loop reads it while puts add to the map). */
    private List<NodeId> keysPut() {
        synchronized (keysPut) {
            return List.copyOf(keysPut.keySet());
        }
    }

    CompletableFuture<AdminResponse> get(AdminResponse.Builder r, String keyText) {
        List<NodeId> put = keysPut();
        return AdminViews.resolveKey(node, keyText, put, false).thenCompose(key -> node
                .tracedLookup(key, true).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(t -> {
            CoreEvent.GetCompleted g = (CoreEvent.GetCompleted) t.event();
            GetResult.Builder b = GetResult.newBuilder().setKey(key.toHex()).setFound(g.value() != null)
                    .setDurationUs(us(g.finishedNs() - g.startedNs())).setRequests(g.requests());
            if (g.value() != null) {
                b.setValue(ByteString.copyFrom(g.value()));
            }
            return r.setGet(b).build();
        }));
    }

    CompletableFuture<AdminResponse> provide(AdminResponse.Builder r, String keyText) {
        NodeId key = fullKey(keyText);
        return node.provide(key).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(w -> r.setRecordWrite(writeResult(w)).build());
    }

    /** {@code count}: stop at this many providers; 0 for the node's default. */
    CompletableFuture<AdminResponse> providers(AdminResponse.Builder r, String keyText, int count) {
        NodeId key = fullKey(keyText);
        if (count < 0) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "count must be at least 1, not " + count);
        }
        long t0 = System.nanoTime();
        return (count == 0 ? node.findProviders(key) : node.findProviders(key, count)).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(found -> {
            ProvidersResult.Builder b = ProvidersResult.newBuilder().setKey(key.toHex())
                    .setDurationUs(us(System.nanoTime() - t0));
            for (SignedNodeRecord p : found) {
                ProviderInfo.Builder info = ProviderInfo.newBuilder().setNode(p.id().toHex()).setSeq(p.seq());
                p.addresses().forEach(a -> info.addAddresses(a.toString()));
                b.addProviders(info);
            }
            return r.setProviders(b).build();
        });
    }

    CompletableFuture<AdminResponse> putMutable(AdminResponse.Builder r, PutMutableAction a) {
        if (a.getSalt().size() > MutableRecord.MAX_SALT_BYTES) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "the salt is " + a.getSalt().size()
                    + " bytes; at most " + MutableRecord.MAX_SALT_BYTES);
        }
        if (a.getValue().size() > MutableRecord.MAX_VALUE_BYTES) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "the value is " + a.getValue().size()
                    + " bytes; at most " + MutableRecord.MAX_VALUE_BYTES);
        }
        if (a.getSeq() < 0 || (a.hasCas() && a.getCas() < 0)) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "seq and cas must be below 2^63");
        }
        return node.putMutable(a.getSalt().toByteArray(), a.getSeq(), a.getValue().toByteArray(),
                a.hasCas() ? a.getCas() : MutableStore.NO_CAS).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(w -> r.setRecordWrite(writeResult(w)).build());
    }

    CompletableFuture<AdminResponse> getMutable(AdminResponse.Builder r, String keyText) {
        NodeId key = fullKey(keyText);
        long t0 = System.nanoTime();
        return node.getMutable(key).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(m -> {
            MutableResult.Builder b = MutableResult.newBuilder().setKey(key.toHex()).setFound(m != null)
                    .setDurationUs(us(System.nanoTime() - t0));
            if (m != null) {
                b.setSeq(m.seq()).setValue(ByteString.copyFrom(m.value()))
                        .setPublicKey(java.util.HexFormat.of().formatHex(m.publicKey()));
            }
            return r.setMutable(b).build();
        });
    }

    private static RecordWriteResult.Builder writeResult(CoreEvent.RecordWriteCompleted w) {
        RecordWriteResult.Builder b = RecordWriteResult.newBuilder().setKey(w.key().toHex()).setStored(w.stored())
                .setAttempted(w.attempted()).setHeldSeq(w.heldSeq()).setDurationUs(us(w.finishedNs() - w.startedNs()))
                .setAcknowledged(w.acknowledgedNs() >= 0);
        if (w.refusal() != null) {
            b.setRefusal(w.refusal().name().toLowerCase(java.util.Locale.ROOT) + ": " + w.refusal().reason());
        }
        return b;
    }

    /** A key given in full: 64 hex digits (provider and mutable keys are not held here to be named by prefix). */
    private static NodeId fullKey(String text) {
        String hex = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "a key is 64 hex digits, got '" + text + "'");
        }
        return NodeId.fromHex(hex);
    }

    CompletableFuture<AdminResponse> bootstrap(AdminResponse.Builder r, String address) {
        MoliaAddress a;
        try {
            a = MoliaAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, e.getMessage());
        }
        return node.bootstrap(a.toContact()).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(found -> {
            if (found.isEmpty()) {
                throw new AdminException(Error.Code.FAILED, "not joined: no peer answered through "
                        + a.nodeId().shortHex());
            }
            return r.setDone(ActionDone.newBuilder().setMessage("joined through " + a.nodeId().shortHex() + ": "
                    + found.size() + " peers answered")).build();
        });
    }

    CompletableFuture<AdminResponse> evict(AdminResponse.Builder r, String peer) {
        return node.onLoop(s -> {
            Contact c = AdminViews.resolvePeer(s, peer);
            boolean removed = s.core().routingTable().remove(c.id());
            if (!removed) {
                throw new AdminException(Error.Code.NOT_FOUND, c.id().shortHex()
                        + " is not in the routing table");
            }
            return r.setDone(ActionDone.newBuilder().setMessage("evicted " + c.id().toHex())).build();
        });
    }

    CompletableFuture<AdminResponse> ban(AdminResponse.Builder r, String target, long seconds) {
        long durationNs = TimeUnit.SECONDS.toNanos(seconds == 0 ? 3600 : seconds);
        Long subnet = subnetKey(target);
        return node.onLoop(s -> {
            long expires = s.nowNs() + durationNs;
            if (subnet != null) {
                if (!s.bans().banSubnet(subnet, expires)) {
                    throw new AdminException(Error.Code.FAILED, "the ban list is full");
                }
                return r.setDone(ActionDone.newBuilder().setMessage("banned " + NodeAddress.subnetText(subnet) + " for "
                        + TimeUnit.NANOSECONDS.toSeconds(durationNs) + " s")).build();
            }
            Contact c = AdminViews.resolvePeer(s, target);
            if (!s.bans().banPeer(c.id(), expires)) {
                throw new AdminException(Error.Code.FAILED, "the ban list is full");
            }
            s.core().routingTable().remove(c.id());
            return r.setDone(ActionDone.newBuilder().setMessage("banned peer " + c.id().toHex() + " for "
                    + TimeUnit.NANOSECONDS.toSeconds(durationNs) + " s")).build();
        });
    }

    CompletableFuture<AdminResponse> unban(AdminResponse.Builder r, String target) {
        Long subnet = subnetKey(target);
        return node.onLoop(s -> {
            boolean removed;
            String what;
            if (subnet != null) {
                removed = s.bans().unbanSubnet(subnet);
                what = NodeAddress.subnetText(subnet);
            } else {
                NodeId id = target.length() == 64 ? parseId(target, "peer") : bannedPeer(s, target);
                removed = s.bans().unbanPeer(id);
                what = id.toHex();
            }
            if (!removed) {
                throw new AdminException(Error.Code.NOT_FOUND, what + " is not banned");
            }
            return r.setDone(ActionDone.newBuilder().setMessage("unbanned " + what)).build();
        });
    }

    AdminResponse.Builder setLogLevel(AdminResponse.Builder r, String logger, String level) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("log", "no log backend attached to this node"));
        }
        if (logger.isBlank()) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "name a logger (ROOT, io.molia.session, ...)");
        }
        log.setLevel(logger, level);
        return r.setDone(ActionDone.newBuilder().setMessage(logger + " set to "
                + (level.isBlank() ? "inherit" : level.toUpperCase(java.util.Locale.ROOT))));
    }

    CompletableFuture<AdminResponse> compactWal(AdminResponse.Builder r) {
        return node.compactWal().handle((c, e) -> e == null
                ? r.setDone(ActionDone.newBuilder().setMessage(AdminViews.compacted(c))).build()
                : walFailure(r, e));
    }

    private static AdminResponse walFailure(AdminResponse.Builder r, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof IllegalStateException) {
            return r.setUnavailable(AdminViews.unavailable("wal", AdminResponses.NO_WAL)).build();
        }
        return r.setError(Error.newBuilder().setCode(Error.Code.FAILED).setMessage("compaction failed: "
                + cause.getMessage())).build();
    }

    /** Answers "shutting down"; the connection runs the shutdown once that answer is written. */
    CompletableFuture<AdminResponse> shutdown(AdminResponse.Builder r) {
        if (options.shutdown() == null) {
            throw new AdminException(Error.Code.FAILED, "this node cannot be shut down from its socket");
        }
        return AdminResponses.done(r.setDone(ActionDone.newBuilder().setMessage("shutting down")));
    }

    /**
     * The banned peer whose ID starts with {@code prefix} (the bans view shows 16 hex digits; a banned peer has left
     * the routing table, so a known peer is only the fallback).
     */
    private static NodeId bannedPeer(io.molia.node.NodeState s, String prefix) {
        String p = prefix.toLowerCase(java.util.Locale.ROOT);
        List<NodeId> banned = s.bans().list(s.nowNs()).stream()
                .filter(b -> b.kind().equals("peer") && b.target().startsWith(p) && p.length() >= 4)
                .map(b -> NodeId.fromHex(b.target())).toList();
        if (banned.size() > 1) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, banned.size() + " banned peers' IDs start with " + p
                    + ": give more digits");
        }
        return banned.isEmpty() ? AdminViews.resolvePeer(s, prefix).id() : banned.get(0);
    }

    /**
     * The subnet key ({@link NodeAddress#subnetKey}) of "a.b.c.d", "a.b.c.0/24", an IPv6 address or "x:y:z::/48";
     * null when {@code text} is neither (a peer, then).
     */
    static Long subnetKey(String text) {
        String t = text.strip();
        if (t.startsWith(MoliaAddress.SCHEME)) {
            return null; // a peer by its address
        }
        int slash = t.indexOf('/');
        String prefix = slash < 0 ? "" : t.substring(slash);
        String host = slash < 0 ? t : t.substring(0, slash);
        boolean ipv6 = host.contains(":");
        if (!ipv6 && !host.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            if (slash >= 0) {
                throw new AdminException(Error.Code.INVALID_ARGUMENT, "not a subnet: " + text
                        + " (a.b.c.0/24 or an IPv6 /48)");
            }
            return null;
        }
        if (!prefix.isEmpty() && !prefix.equals(ipv6 ? "/48" : "/24")) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "only " + (ipv6 ? "/48" : "/24")
                    + " subnets can be banned: " + text);
        }
        try {
            return SocketAddresses.toNodeAddress(SocketAddresses.literal(host), 0).subnetKey();
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static NodeId parseId(String hex, String what) {
        if (hex == null || hex.length() != 64) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, what + " must be 64 hex digits");
        }
        try {
            HexFormat.of().parseHex(hex);
            return NodeId.fromHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, what + " must be 64 hex digits");
        }
    }

    private static long us(long ns) {
        return TimeUnit.NANOSECONDS.toMicros(ns);
    }
}
