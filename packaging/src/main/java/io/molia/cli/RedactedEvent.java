package io.molia.cli;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.molia.node.Redaction;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A log event as others may read it: the formatted message, every key-value pair's value (numbers and booleans
 * kept as they are), MDC values and exception messages pass through {@link Redaction#text}; the rest is the event's.
 * The arguments are folded into the message, so none escapes unredacted.
 */
final class RedactedEvent implements ILoggingEvent {
    private final ILoggingEvent event;
    private final String message;

    RedactedEvent(ILoggingEvent event) {
        this.event = event;
        this.message = Redaction.text(event.getFormattedMessage());
    }

    @Override
    public String getMessage() {
        return message;
    }

    @Override
    public Object[] getArgumentArray() {
        return null;
    }

    @Override
    public String getFormattedMessage() {
        return message;
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        return pairs == null ? null : pairs.stream().map(kv -> new KeyValuePair(kv.key, redacted(kv.value))).toList();
    }

    private static Object redacted(Object value) {
        return value == null || value instanceof Number || value instanceof Boolean ? value
                : Redaction.text(value.toString());
    }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        Map<String, String> out = new HashMap<>();
        event.getMDCPropertyMap().forEach((k, v) -> out.put(k, v == null ? null : Redaction.text(v)));
        return out;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<String, String> getMdc() {
        return getMDCPropertyMap();
    }

    @Override
    public IThrowableProxy getThrowableProxy() {
        return event.getThrowableProxy() == null ? null : new RedactedThrowable(event.getThrowableProxy());
    }

    @Override
    public String getThreadName() {
        return event.getThreadName();
    }

    @Override
    public Level getLevel() {
        return event.getLevel();
    }

    @Override
    public String getLoggerName() {
        return event.getLoggerName();
    }

    @Override
    public LoggerContextVO getLoggerContextVO() {
        return event.getLoggerContextVO();
    }

    @Override
    public StackTraceElement[] getCallerData() {
        return event.getCallerData();
    }

    @Override
    public boolean hasCallerData() {
        return event.hasCallerData();
    }

    @Override
    public List<Marker> getMarkerList() {
        return event.getMarkerList();
    }

    @Override
    public long getTimeStamp() {
        return event.getTimeStamp();
    }

    @Override
    public int getNanoseconds() {
        return event.getNanoseconds();
    }

    @Override
    public Instant getInstant() {
        return event.getInstant();
    }

    @Override
    public long getSequenceNumber() {
        return event.getSequenceNumber();
    }

    @Override
    public void prepareForDeferredProcessing() {
        event.prepareForDeferredProcessing();
    }

    /** An exception as others may read it: its message and its causes' messages redacted. */
    private record RedactedThrowable(IThrowableProxy proxy) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return proxy.getMessage() == null ? null : Redaction.text(proxy.getMessage());
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return proxy.getCause() == null ? null : new RedactedThrowable(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] out = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                out[i] = new RedactedThrowable(suppressed[i]);
            }
            return out;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
