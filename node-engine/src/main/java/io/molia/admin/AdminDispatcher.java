package io.molia.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;
import io.molia.admin.proto.ErrorsView;
import io.molia.admin.proto.LogEvent;
import io.molia.admin.proto.LogLevelsView;
import io.molia.admin.proto.LoggerLevel;
import io.molia.admin.proto.MetricsView;
import io.molia.admin.proto.WalView;
import io.molia.node.MoliaNode;

/**
 * One request to its answer: a view is copied on the node's protocol loop ({@link MoliaNode#onLoop}, or each
 * shard's loop for sessions) and turned into protobuf on the admin's own stream thread, so the loop only copies; an
 * action goes to {@link AdminActions}. Whatever fails becomes a failed future, answered as an error by the caller.
 */
final class AdminDispatcher {
    private final MoliaNode node;
    private final AdminServer.Options options;
    private final Executor streams;
    private final AdminActions actions;
    private final AdminBlobs blobs;
    /** Adds the admin server's own figures to the node's metrics view. */
    private final UnaryOperator<MetricsView> withAdminFigures;

    AdminDispatcher(MoliaNode node, AdminServer.Options options, Executor streams, AdminActions actions,
            AdminBlobs blobs, UnaryOperator<MetricsView> withAdminFigures) {
        this.node = node;
        this.options = options;
        this.streams = streams;
        this.actions = actions;
        this.blobs = blobs;
        this.withAdminFigures = withAdminFigures;
    }

    /** The answer to one request, as a future completed off the protocol loop's hands. */
    CompletableFuture<AdminResponse> serve(AdminRequest request) {
        return serve(request, new ContactLabels());
    }

    /** Every shard's sessions, each copied on its own loop (and the routing table, for the peers view). */
    private CompletableFuture<AdminViews.SessionsCapture> sessionsOfEveryShard(boolean withRouting) {
        return node.onLoop(s -> AdminViews.captureSessions(s, withRouting))
                .thenCombine(node.onEveryShard(v -> AdminViews.sessionRows(v.sessions())), AdminViews::withSessions);
    }

    /** The answer to one request; {@code labels} carries contacts' text forms over a subscription's updates. */
    CompletableFuture<AdminResponse> serve(AdminRequest request, ContactLabels labels) {
        long rid = request.getId();
        AdminResponse.Builder r = AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(rid);
        try {
            return switch (request.getBodyCase()) {
                case INFO -> node.onLoop(s -> AdminViews.info(s, node.address(), node.isEpoll() ? "epoll" : "nio"))
                        .thenApplyAsync(info -> r.setInfo(AdminViews.withSockets(info, node.sockets(),
                                node.askedBuffers())).build(), streams);
                case ROUTING -> node.onLoop(AdminViews::captureRouting).thenApplyAsync(c -> r.setRouting(
                        AdminViews.routing(c, request.getRouting().getIncludeContacts(), labels)).build(), streams);
                case PEERS -> sessionsOfEveryShard(true)
                        .thenApplyAsync(c -> r.setPeers(AdminViews.peers(c, labels)).build(), streams);
                case SESSIONS -> sessionsOfEveryShard(false)
                        .thenApplyAsync(c -> r.setSessions(AdminViews.sessions(c, labels)).build(), streams);
                case RECORDS -> AdminViews.records(node, request.getRecords().getTop() == 0 ? 10
                        : Math.min(100, request.getRecords().getTop())).thenApply(v -> r.setRecords(v).build());
                case METRICS -> node.onLoop(AdminViews::captureMetrics).thenApplyAsync(c -> r.setMetrics(
                        withAdminFigures.apply(AdminViews.withSockets(AdminViews.metrics(c), node.sockets()))).build(),
                        streams);
                case BANS -> node.onLoop(s -> r.setBans(AdminViews.bans(s)).build());
                case ADMISSION -> node.onLoop(s -> r.setAdmission(AdmissionViews.admission(s)).build());
                case RELAYS -> node.onLoop(s -> s.core().relay() == null && s.core().relayClient() == null
                        ? r.setUnavailable(AdminViews.unavailable("relays", "relaying is off on this node")).build()
                        : r.setRelays(RelayViews.relays(s.core().relay(), s.core().relayClient(),
                                s.core().circuits(), s.core().dhtRole().relayed(), s.nowNs())).build());
                case NAT -> node.onLoop(s -> s.core().nat() == null
                        ? r.setUnavailable(AdminViews.unavailable("nat", "NAT traversal is off on this node")).build()
                        : r.setNat(NatViews.nat(s.core().nat().status(s.nowNs()), s.nowNs(),
                                s.core().servesOtherAddressProbes(), s.core().relayClient() == null ? null
                                        : s.core().relayClient().routes(), s.core().dhtRole().relayed())).build());
                case WAL -> node.onLoop(s -> {
                    WalView v = AdminViews.wal(s);
                    return v == null ? r.setUnavailable(AdminViews.unavailable("wal", AdminResponses.NO_WAL)).build()
                            : r.setWal(v).build();
                });
                case WAL_SNAPSHOT -> actions.compactWal(r);
                case ERRORS -> AdminResponses.done(errors(r, request.getErrors().getMax() == 0 ? 50
                        : request.getErrors().getMax()));
                case LOG_LEVELS -> AdminResponses.done(logLevels(r));
                case SET_LOG_LEVEL -> AdminResponses.done(actions.setLogLevel(r, request.getSetLogLevel().getLogger(),
                        request.getSetLogLevel().getLevel()));
                case PING -> actions.ping(r, request.getPing().getPeer());
                case CONNECT -> actions.connect(r, request.getConnect().getPeer(), request.getConnect().getVia());
                case LOOKUP -> actions.lookup(r, request.getLookup().getTarget(), request.getLookup().getFindValue());
                case PUT -> actions.put(r, request.getPut().getValue(), request.getPut().getTtlSeconds());
                case GET -> actions.get(r, request.getGet().getKey());
                case PROVIDE -> actions.provide(r, request.getProvide().getKey());
                case PROVIDERS -> actions.providers(r, request.getProviders().getKey(),
                        request.getProviders().getCount());
                case PUT_MUTABLE -> actions.putMutable(r, request.getPutMutable());
                case GET_MUTABLE -> actions.getMutable(r, request.getGetMutable().getKey());
                case BLOB -> request.getBlob().hasRepair() ? blobs.repair(r, request.getBlob().getRepair().getStripes())
                        .orTimeout(AdminActions.ACTION_TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS)
                        : CompletableFuture.completedFuture(blobs.serve(r, request.getBlob()));
                case BOOTSTRAP -> actions.bootstrap(r, request.getBootstrap().getAddress());
                case EVICT -> actions.evict(r, request.getEvict().getPeer());
                case BAN -> actions.ban(r, request.getBan().getTarget(), request.getBan().getDurationSeconds());
                case UNBAN -> actions.unban(r, request.getUnban().getTarget());
                case SHUTDOWN -> actions.shutdown(r);
                case SUBSCRIBE, UNSUBSCRIBE -> throw new AdminException(Error.Code.INVALID_ARGUMENT,
                        "subscriptions do not nest");
                case BODY_NOT_SET -> throw new AdminException(Error.Code.UNKNOWN_REQUEST,
                        "no request this node knows (admin API version " + AdminProtocol.API_VERSION + ")");
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private AdminResponse.Builder errors(AdminResponse.Builder r, int max) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("errors", "no log backend attached to this node"));
        }
        ErrorsView.Builder v = ErrorsView.newBuilder().setTotal(log.warningsTotal());
        for (LogControl.LogEvent e : log.recentWarnings(Math.min(max, 1_000))) {
            v.addEvents(LogEvent.newBuilder().setUnixMs(e.unixMs()).setLevel(e.level()).setLogger(e.logger())
                    .setMessage(e.message()));
        }
        return r.setErrors(v);
    }

    private AdminResponse.Builder logLevels(AdminResponse.Builder r) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("log", "no log backend attached to this node"));
        }
        LogLevelsView.Builder v = LogLevelsView.newBuilder();
        for (LogControl.LoggerLevel l : log.levels()) {
            v.addLoggers(LoggerLevel.newBuilder().setLogger(l.logger()).setLevel(l.level() == null ? "" : l.level())
                    .setEffective(l.effective()));
        }
        return r.setLogLevels(v);
    }
}
