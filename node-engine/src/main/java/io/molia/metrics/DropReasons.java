package io.molia.metrics;

import java.util.Locale;

import io.molia.codec.DecodeStatus;
import io.molia.core.CoreCounters;
import io.molia.session.SessionCounters;

/**
 * Every reason a node drops a datagram it received or meant to send, by name: the one list that Prometheus
 * ({@code molia_dropped{reason}}) and the admin metrics view ({@code dropped_<reason>}) both read, so neither can
 * show fewer reasons than the other. A new counter of a drop is added here once.
 */
public final class DropReasons {
    /** Receives one reason's count. */
    @FunctionalInterface
    public interface Sink {
        void reason(String name, long count);
    }

    private static final String[] DECODE = new String[DecodeStatus.values().length];

    static {
        for (DecodeStatus status : DecodeStatus.values()) {
            DECODE[status.ordinal()] = "decode_" + status.name().toLowerCase(Locale.ROOT);
        }
    }

    private DropReasons() {
    }

    /**
     * Calls {@code sink} once per reason, always in the same order, zeros included: the decoder's statuses, the
     * session layer's drops, and datagrams another shard could not hand over ({@code handoverDrops}).
     */
    public static void forEach(CoreCounters core, SessionCounters sessions, long handoverDrops, Sink sink) {
        for (DecodeStatus status : DecodeStatus.values()) {
            if (status != DecodeStatus.OK) {
                sink.reason(DECODE[status.ordinal()], core.droppedByStatus[status.ordinal()]);
            }
        }
        sink.reason("too_short", sessions.tooShort);
        sink.reason("unknown_type", sessions.unknownType);
        sink.reason("bad_reserved", sessions.badReserved);
        sink.reason("bad_mac1", sessions.badMac1);
        sink.reason("rate_limited", sessions.rateLimited);
        sink.reason("bad_handshake", sessions.badHandshake);
        sink.reason("identity_mismatch", sessions.identityMismatch);
        sink.reason("not_admitted", sessions.notAdmitted);
        sink.reason("replayed_timestamp", sessions.replayedTimestamp);
        sink.reason("unknown_receiver_index", sessions.unknownReceiverIndex);
        sink.reason("replayed_counter", sessions.replayedCounter);
        sink.reason("bad_aead", sessions.badAead);
        sink.reason("expired_session", sessions.expiredSession);
        sink.reason("too_long", sessions.tooLong);
        sink.reason("too_long_to_send", sessions.tooLongToSend);
        sink.reason("transmit_ring_full", sessions.transmitRingFull);
        sink.reason("handover_inbox_full", handoverDrops);
    }
}
