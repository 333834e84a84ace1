package io.molia.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.molia.admin.LogControl;
import org.slf4j.LoggerFactory;

/**
 * The admin socket's hold on Logback: log levels per logger, and a bounded ring of the last warnings and errors
 * (messages only) for the {@code errors} view. Installed after {@link LogSetup#configure}.
 */
final class LogbackControl implements LogControl {
    private static final int RING = 256;

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ArrayDeque<LogEvent> ring = new ArrayDeque<>(RING);
    private long total;

    static LogbackControl install() {
        LogbackControl control = new LogbackControl();
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                    control.record(new LogEvent(e.getTimeStamp(), e.getLevel().toString(), e.getLoggerName(),
                            e.getFormattedMessage() + keyValues(e)));
                }
            }
        };
        appender.setContext(control.context);
        appender.setName("molia-admin-errors");
        appender.start();
        control.context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return control;
    }

    private static String keyValues(ILoggingEvent e) {
        if (e.getKeyValuePairs() == null || e.getKeyValuePairs().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
        return b.toString();
    }

    private synchronized void record(LogEvent e) {
        if (ring.size() == RING) {
            ring.removeFirst();
        }
        ring.addLast(e);
        total++;
    }

    @Override
    public void setLevel(String logger, String level) {
        Level parsed = null;
        if (level != null && !level.isBlank()) {
            parsed = Level.toLevel(level.toUpperCase(Locale.ROOT), null);
            if (parsed == null) {
                throw new IllegalArgumentException("unknown level '" + level
                        + "': TRACE, DEBUG, INFO, WARN, ERROR or OFF");
            }
        }
        Logger l = context.getLogger(logger.equalsIgnoreCase("root") ? Logger.ROOT_LOGGER_NAME : logger);
        if (parsed == null && l.getName().equals(Logger.ROOT_LOGGER_NAME)) {
            throw new IllegalArgumentException("the root logger needs a level");
        }
        l.setLevel(parsed);
    }

    @Override
    public List<LoggerLevel> levels() {
        List<LoggerLevel> out = new ArrayList<>();
        for (Logger l : context.getLoggerList()) {
            if (l.getLevel() != null || l.getName().equals(Logger.ROOT_LOGGER_NAME)) {
                out.add(new LoggerLevel(l.getName(), l.getLevel() == null ? null : l.getLevel().toString(),
                        l.getEffectiveLevel().toString()));
            }
        }
        return out;
    }

    @Override
    public synchronized List<LogEvent> recentWarnings(int max) {
        List<LogEvent> all = new ArrayList<>(ring);
        return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
    }

    @Override
    public synchronized long warningsTotal() {
        return total;
    }
}
