package io.molia.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;

/**
 * One connection's server-pushed streams: a subscribed view is served again every interval on the stream scheduler
 * and sent with a growing sequence number (answers to plain requests have none). An update still being taken when
 * the next is due is skipped, never piled up. Thread-safe.
 */
final class AdminSubscriptions {
    private final AdminConnection connection;
    private final ScheduledExecutorService streams;
    private final AdminDispatcher dispatcher;
    private final int max;
    private final Map<Long, ScheduledFuture<?>> subscriptions = new ConcurrentHashMap<>();

    AdminSubscriptions(AdminConnection connection, ScheduledExecutorService streams, AdminDispatcher dispatcher,
            int max) {
        this.connection = connection;
        this.streams = streams;
        this.dispatcher = dispatcher;
        this.max = max;
    }

    void subscribe(AdminRequest request) {
        long rid = request.getId();
        AdminRequest view = request.getSubscribe().getView();
        if (!isView(view.getBodyCase())) {
            connection.send(AdminResponses.error(rid, Error.Code.INVALID_ARGUMENT,
                    "only views can be subscribed to, not " + view.getBodyCase()), null);
            return;
        }
        int intervalMs = request.getSubscribe().getIntervalMs();
        if (intervalMs < 100) {
            connection.send(AdminResponses.error(rid, Error.Code.INVALID_ARGUMENT, "interval_ms must be at least 100"),
                    null);
            return;
        }
        if (subscriptions.size() >= max) {
            connection.send(AdminResponses.error(rid, Error.Code.BUSY, "at most " + max
                    + " subscriptions per connection"), null);
            return;
        }
        AtomicLong sequence = new AtomicLong();
        AtomicBoolean busy = new AtomicBoolean();
        ContactLabels labels = new ContactLabels();
        AdminRequest update = view.toBuilder().setId(rid).build();
        ScheduledFuture<?> f = streams.scheduleAtFixedRate(() -> {
            if (!busy.compareAndSet(false, true)) {
                return; // the previous update is still being taken: skip a beat, never pile up
            }
            labels.nextUpdate();
            dispatcher.serve(update, labels).whenCompleteAsync((response, failure) -> {
                busy.set(false);
                AdminResponse r = failure != null ? AdminResponses.failure(rid, failure) : response;
                connection.send(r.toBuilder().setSequence(sequence.incrementAndGet()).build(), null);
            }, streams);
        }, 0, intervalMs, TimeUnit.MILLISECONDS);
        if (subscriptions.putIfAbsent(rid, f) != null) {
            f.cancel(false);
            connection.send(AdminResponses.error(rid, Error.Code.INVALID_ARGUMENT, "a subscription with id " + rid
                    + " exists"), null);
        }
    }

    void unsubscribe(AdminRequest request) {
        long rid = request.getId();
        ScheduledFuture<?> f = subscriptions.remove(request.getUnsubscribe().getSubscriptionId());
        if (f == null) {
            connection.send(AdminResponses.error(rid, Error.Code.NOT_FOUND, "no subscription "
                    + request.getUnsubscribe().getSubscriptionId()), null);
        } else {
            f.cancel(false);
            connection.send(AdminResponses.done(rid, "unsubscribed"), null);
        }
    }

    /** The connection closes: no stream sends again. */
    void cancelAll() {
        for (ScheduledFuture<?> f : subscriptions.values()) {
            f.cancel(false);
        }
        subscriptions.clear();
    }

    private static boolean isView(AdminRequest.BodyCase c) {
        return switch (c) {
            case INFO, ROUTING, PEERS, SESSIONS, ADMISSION, RELAYS, NAT, RECORDS, WAL, METRICS, ERRORS, BANS,
                    LOG_LEVELS -> true;
            default -> false;
        };
    }
}
